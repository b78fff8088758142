"""Help (?): every key binding of the app, the screen you came from first."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tutor.ui.screens.base import TutorModalScreen


def binding_sections() -> list[tuple[str, type, list[Binding]]]:
    """(title, class, bindings) for the app and every screen: the one list Help draws and the tests check."""
    from tutor.ui.app import TutorApp
    from tutor.ui.screens.browse import BrowseScreen
    from tutor.ui.screens.card import CardScreen
    from tutor.ui.screens.decks import DecksScreen
    from tutor.ui.screens.demo import DemoScreen
    from tutor.ui.screens.edit import EditCardScreen
    from tutor.ui.screens.notes import NotesScreen
    from tutor.ui.screens.problems import ProblemsScreen
    from tutor.ui.screens.review import ReviewScreen
    from tutor.ui.screens.stats import StatsScreen

    sections: list[tuple[str, type[TutorApp | Screen]]] = [
        ("Everywhere", TutorApp),
        ("Decks", DecksScreen),
        ("Review", ReviewScreen),
        ("Demos", DemoScreen),
        ("Stats", StatsScreen),
        ("Browse", BrowseScreen),
        ("A card from Browse", CardScreen),
        ("Editing a card", EditCardScreen),
        ("A deck's notes", NotesScreen),
        ("Problems", ProblemsScreen),
        ("Help", HelpScreen),
    ]
    return [(title, cls, [b for b in cls.BINDINGS if isinstance(b, Binding)]) for title, cls in sections]


class HelpScreen(TutorModalScreen[None]):
    """A scrollable list of the bindings; Escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("q", "dismiss", "Close", show=False, id="help.close_q"),
        Binding("question_mark", "dismiss", "Close", show=False, key_display="?", id="help.close_question"),
    ]

    def __init__(self, under: Screen | None = None) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(
                Text.assemble(
                    ("Keys", "bold"),
                    "  ·  ctrl+p opens the command palette (screens, decks, demos) · Escape closes this",
                ),
                classes="help-intro",
            )
            for title, bindings in self.sections():
                yield Static(Text(title, style="bold underline"), classes="help-heading")
                yield Static(self.table(bindings))

    def sections(self) -> list[tuple[str, list[Binding]]]:
        sections = binding_sections()
        sections.sort(key=lambda section: not isinstance(self.under, section[1]))  # where you came from first
        return [(title, bindings) for title, _cls, bindings in sections]

    def table(self, bindings: list[Binding]) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
        table.add_column(style="bold", min_width=10)
        table.add_column()
        for binding in bindings:
            table.add_row(binding.key_display or self.app.get_key_display(binding), binding.description)
        return table

    def help_text(self) -> str:
        """The same list as plain text (what the tests read)."""
        lines = []
        for title, bindings in self.sections():
            lines.append(title)
            lines += [f"  {b.key_display or self.app.get_key_display(b)}  {b.description}" for b in bindings]
        return "\n".join(lines)
