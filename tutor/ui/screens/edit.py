"""Edit a card in the app: its question and answer as markdown, saved to the learner's edits file."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static, TextArea

from tutor.ui.screens.base import TutorModalScreen
from tutor.ui.widgets.footer import KeysFooter


class EditCardScreen(TutorModalScreen[bool]):
    """Dismissed with True once the edit is saved (the caller reloads the decks), False when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="edit.save", priority=True),
        Binding("escape", "cancel", "Cancel (keep the card as it was)", id="edit.cancel"),
    ]

    def __init__(self, card_id: str) -> None:
        super().__init__()
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        card = self.app.cards[self.card_id].written  # a reversed or cloze card: the card it comes from
        self.card_id = card.id
        where = self.app.edits_file()
        with Vertical(id="edit-dialog"):
            yield Static(Text(f"Edit “{card.question}”", style="bold"), id="edit-title")
            yield Label("Question")
            yield TextArea(card.question, id="edit-question", soft_wrap=True, show_line_numbers=False)
            yield Label("Answer (markdown)")
            yield TextArea(card.answer, id="edit-answer", soft_wrap=True, show_line_numbers=False)
            yield Static(
                Text(f"ctrl+s saves to {where}: your edit survives upgrades and re-imports.", style="dim"),
                id="edit-where",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        answer = self.query_one("#edit-answer", TextArea)
        answer.focus()
        answer.move_cursor(answer.document.end)

    def action_save(self) -> None:
        from tutor.card_edits import save_edit
        from tutor.errors import TutorError

        question = self.query_one("#edit-question", TextArea).text.strip()
        answer = self.query_one("#edit-answer", TextArea).text.strip("\n")
        if not question:
            self.notify("A card needs a question: write one, or press esc to keep the card as it was.")
            return
        try:
            save_edit(self.app.edits_file(), self.card_id, question, answer, self.app.clock())
        except TutorError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=10)
            return  # the dialog stays open with the text: nothing the learner wrote is lost
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
