"""One card from Browse: where it stands, question and answer, and every answer the learner gave it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Rule, Static

from tutor.ui.editing import edit_card
from tutor.ui.screens.base import TutorModalScreen
from tutor.ui.screens.browse import card_flags, progress_line, unsuspend
from tutor.ui.widgets.answer import AnswerView
from tutor.ui.widgets.footer import KeysFooter

GRADE_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def history_table(history) -> Table | Text:
    """The card's answers as Anki's card info lists them: when, the grade, what kind of answer, the time."""
    if not history:
        return Text("No answers yet.", style="dim")
    table = Table(box=None, padding=(0, 2, 0, 0), title="Review history", title_justify="left")
    for name in ("when", "grade", "kind", "time"):
        table.add_column(name, justify="right" if name == "time" else "left")
    for when, rating, kind, ms in history:
        table.add_row(
            when.astimezone().strftime("%Y-%m-%d %H:%M"),
            f"{rating} {GRADE_NAMES[rating]}",
            kind,
            f"{ms / 1000:.1f} s",
        )
    return table


class CardScreen(TutorModalScreen[None]):
    """One card, question and answer, with its flags and history; its own keys in its own footer."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="card.close"),
        Binding("u", "unsuspend", "Unsuspend", id="card.unsuspend"),
        Binding("e", "edit", "Edit", id="card.edit"),
        Binding("E", "edit_file", "Edit the deck file", key_display="E", show=False, id="card.edit_file"),
        Binding("d", "demo", "Demo", id="card.demo"),
    ]

    def __init__(self, card_id: str) -> None:
        super().__init__()
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        card = self.app.cards[self.card_id]
        state = self.app.library.states([card.id]).get(card.id)
        flags = ", ".join(f.replace("_", " ") for f in card_flags(card, state)) or "no flags"
        demos = ", ".join(link.name for link in card.demos) or "no demo"
        where = f"{card.path.name}:{card.line}" if card.path else card.deck_id
        tags = " · tags " + ", ".join(card.tags) if card.tags else ""
        deck = self.app.decks.get(card.deck_id)
        if deck is not None and deck.source and card.source_line:
            where += f" · notes: {deck.source}, line {card.source_line}"
        with VerticalScroll(id="card-dialog"):
            yield Static(Text(f"{card.deck_id} · {where} · {flags} · {demos}{tags}", style="dim"))
            yield Static(Text(progress_line(state), style="dim"), id="card-progress")
            yield Markdown(card.question)
            yield Rule()
            yield AnswerView(card)
            yield Rule()
            yield Static(history_table(self.app.library.history(card.id)), id="card-history")
        yield KeysFooter()

    def action_unsuspend(self) -> None:
        if unsuspend(self, self.card_id):
            state = self.app.library.states([self.card_id]).get(self.card_id)
            self.query_one("#card-progress", Static).update(Text(progress_line(state), style="dim"))

    def action_edit(self) -> None:
        self.app.edit_in_app(self.card_id, self.dismiss)  # Browse refills from the reloaded decks

    def action_edit_file(self) -> None:
        if edit_card(self.app, self.app.cards[self.card_id]):
            self.app.reload_decks()
            self.dismiss()  # Browse refills from the reloaded decks when it comes back

    def action_demo(self) -> None:
        from tutor.ui.screens.demo import DemoScreen

        card = self.app.cards[self.card_id]
        if not card.demos:
            self.notify("This card links no demo.", timeout=3)
            return
        self.app.push_screen(DemoScreen([(link.name, dict(link.args)) for link in card.demos]))
