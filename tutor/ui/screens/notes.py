"""A deck's notes: the text of the learner's notes outside the Q&A blocks, and where a card came from."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from tutor.ui.screens.base import TutorModalScreen
from tutor.ui.widgets.footer import KeysFooter


def source_line(source: str | None, line: int | None) -> str:
    """``llm-book-notes.md, line 157``, or what there is of it."""
    if source and line:
        return f"{source}, line {line}"
    return source or (f"line {line} of the notes" if line else "")


class NotesScreen(TutorModalScreen[None]):
    """Opened from Decks (the highlighted deck) and from Review (the card's deck, and the card's line)."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="notes.close"),
        Binding("n", "dismiss", "Close", show=False, id="notes.close_n"),
    ]

    def __init__(self, deck_id: str, card_id: str | None = None) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        deck = self.app.decks[self.deck_id]
        card = self.app.cards.get(self.card_id) if self.card_id else None
        where = source_line(deck.source, deck.source_line)
        lines = [Text(deck.title, style="bold")]
        if where:
            lines.append(Text(f"Deck notes from {where}", style="dim"))
        if card is not None:
            card_where = (
                source_line(deck.source, card.source_line) or "not from notes (written in the deck file)"
            )
            lines.append(Text(f"This card: {card_where}", style="dim"))
        if not deck.cards:
            lines.append(Text("This deck holds notes only: no cards to study.", style="dim"))
        with VerticalScroll(id="notes-dialog"):
            yield Static(Text("\n").join(lines), id="notes-where")
            if deck.notes.strip():
                yield Markdown(deck.notes, id="notes-text")
            else:
                yield Static(
                    Text("This deck has no notes beyond its cards.", style="italic"), id="notes-text"
                )
        yield KeysFooter()
