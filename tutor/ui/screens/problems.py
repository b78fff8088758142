"""Problems: what was wrong in the deck files at the last load, each with its file and line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from tutor.ui.screens.base import TutorScreen
from tutor.ui.widgets.footer import KeysFooter


class ProblemsScreen(TutorScreen[None]):
    """Reachable from Decks (p) and the palette; r reloads the decks after a fix and lists what is left."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="problems.back"),
        Binding("r", "reload", "Reload decks", id="problems.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="problems"):
            yield Static(id="problems-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Problems"
        self.show_problems()

    def show_problems(self) -> None:
        problems = self.app.problems
        if not problems:
            text = Text("No problems: every deck file loaded as it is.")
        else:
            count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
            text = Text(f"{count} in your deck files at the last load. Fix them there, then press r.\n\n")
            text.append_text(Text("\n\n").join(self.problem_text(problem) for problem in problems))
        self.query_one("#problems-list", Static).update(text)

    @staticmethod
    def problem_text(problem: str) -> Text:
        """``/path/deck.yaml, line 6: what to do``: the file and line bold, so each problem is found."""
        where, _, what = problem.partition(": ")
        return Text.assemble(("• ", "dim"), (where, "bold"), ("\n  " + what) if what else "")

    def action_reload(self) -> None:
        self.app.reload_decks(report=False)
        self.show_problems()

    def action_back(self) -> None:
        self.app.pop_screen()
