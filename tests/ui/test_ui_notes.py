"""A deck's notes open from Decks and from Review; a deck of notes only opens its notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable
from ui_support import BASICS, NOW, screen_text, write_deck

from tutor.ui.app import make_app
from tutor.ui.screens.decks import DecksScreen
from tutor.ui.screens.notes import NotesScreen
from tutor.ui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio

NOTES_ONLY = {
    "id": "book",
    "title": "Book notes",
    "source": "llm-book-notes.md",
    "source_line": 1,
    "notes": "## Resources\n\n- The book's repository has every listing.",
    "cards": [],
}


def app_for(tmp_path: Path):
    folder = tmp_path / "decks"
    basics = {
        **BASICS,
        "source": "llm-book-notes.md",
        "source_line": 120,
        "notes": "Tokens are *pieces* of text.",
        "cards": [dict(BASICS["cards"][0], source_line=157), *BASICS["cards"][1:]],
    }
    write_deck(folder, basics)
    write_deck(folder, NOTES_ONLY)
    return make_app(deck_dirs=[folder], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)


async def pick(pilot, deck_id: str) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(deck_id))


async def test_a_notes_only_deck_opens_its_notes(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pick(pilot, "book")
        await pilot.press("enter")
        assert isinstance(app.screen, NotesScreen)
        text = screen_text(app)
        assert "Deck notes from llm-book-notes.md, line 1" in text
        assert "This deck holds notes only: no cards to study." in text
        assert "The book's repository has every listing." in text
        await pilot.press("escape", "c")  # cram too: the notes, not an empty session
        assert isinstance(app.screen, NotesScreen)


async def test_notes_open_from_decks_and_from_review_with_the_cards_line(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pick(pilot, "basics")
        assert "n Notes" in screen_text(app)
        await pilot.press("n")
        assert "Tokens are pieces of text." in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, DecksScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen) and "n notes" in screen_text(app)
        await pilot.press("n")
        text = screen_text(app)
        assert "Deck notes from llm-book-notes.md, line 120" in text
        assert "This card: llm-book-notes.md, line 157" in text
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen) and app.screen.current == "bpe"
