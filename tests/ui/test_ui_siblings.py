"""Reviewing reversed and cloze cards: the blank, the typed deletion, and the sibling put off a day."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input
from ui_support import NOW, screen_text, write_deck

from tutor.ui.app import make_app

pytestmark = pytest.mark.anyio

TERMS = {
    "id": "terms",
    "title": "Terms",
    "cards": [
        {
            "id": "gpt2",
            "question": "GPT-2 small has {{c1::12}} layers and {{c2::768::width}} dimensions.",
            "answer": "Table 4.1.",
            "type_in": True,
        },
        {
            "id": "softmax",
            "question": "What turns attention scores into weights?",
            "answer": "The softmax function.",
            "reverse": True,
        },
    ],
}


def terms_app(tmp_path: Path):
    write_deck(tmp_path / "decks", TERMS)
    return make_app(deck_dirs=[tmp_path / "decks"], store_path=tmp_path / "p.sqlite3", clock=lambda: NOW)


async def open_terms(pilot, key: str):
    """The Terms deck studied (``enter``) or crammed (``c``) from the Decks screen: its review screen."""
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index("terms"))
    await pilot.press(key)
    await pilot.pause()
    return pilot.app.screen


async def test_a_cloze_card_asks_its_blank_checks_the_deletion_and_buries_its_sibling(tmp_path: Path):
    app = terms_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_terms(pilot, "enter")
        assert screen.current == "gpt2~c1"
        text = screen_text(app)
        assert "GPT-2 small has [...] layers and 768 dimensions." in text
        assert "4 new" in text  # two cloze cards, the card and its reversed card
        assert "cloze: fill the blank" in text  # the status line says what kind of card it is
        app.screen.query_one("#typed", Input).value = "12"
        await pilot.press("enter")  # the typed answer is checked against the deletion, not the text
        await pilot.pause()
        text = screen_text(app)
        assert "GPT-2 small has 12 layers and 768 dimensions." in text and "Table 4.1." in text
        assert screen.proposed == 3  # right: Good
        await pilot.press("space")
        await pilot.pause()
        # c2 is c1's sibling: it waits for tomorrow; the next card is another note's
        assert screen.current == "softmax"
        assert "gpt2~c2" not in app.store.queue(now=NOW)
        assert "cloze" not in screen_text(app) and "reversed card" not in screen_text(app)
        await pilot.press("space", "3")
        await pilot.pause()
        assert screen.current is None or screen.current != "softmax~reverse"
        assert "softmax~reverse" not in app.store.queue(now=NOW)


async def test_a_reversed_card_asks_the_answer_and_says_it_is_reversed(tmp_path: Path):
    app = terms_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_terms(pilot, "c")  # a cram shows every card, siblings too
        for _ in range(4):
            if screen.current == "softmax~reverse":
                break
            typed = screen.study.current.types_answer  # Enter submits a typed answer; space reveals
            await pilot.press("enter" if typed else "space", "3")
            await pilot.pause()
        assert screen.current == "softmax~reverse"
        text = screen_text(app)
        assert "The softmax function." in text and "reversed card" in text
