"""Typed answers in the review, as a learner types them: the diff, the proposed grade, and overriding it."""

from __future__ import annotations

import random

import pytest
from textual.widgets import Button, DataTable
from ui_support import NOW, screen_text, write_deck

from tutor.ui.app import make_app
from tutor.ui.screens.demo import DemoScreen
from tutor.ui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio

# The book's token ids (2.5 and exercise 2.1), independent of the engine.
BOOK_IDS = {
    "Akwirw ier": [33901, 86, 343, 86, 220, 959],
    "Hello, do you like tea?": [15496, 11, 466, 345, 588, 8887, 30],
}

TYPED = {
    "id": "typed",
    "title": "Typed",
    "cards": [
        {
            "id": "bpe-name",
            "question": "What is the tokenizer of GPT-2 called?",
            "answer": "**Byte pair** encoding",
            "type_in": True,
        },
    ],
}
LIVE = {
    "id": "live",
    "title": "Live",
    "cards": [
        {
            "id": "count",
            "question": "How many GPT-2 tokens is `{text}`?",
            "answer": "Byte pair encoding cuts unknown words into known pieces.",
            "live": {
                "demo": "tokenize",
                "answer": "count",
                "variants": [{"text": text} for text in BOOK_IDS],
            },
        },
    ],
}


@pytest.fixture
def app(tmp_path):
    folder = tmp_path / "decks"
    write_deck(folder, TYPED)
    write_deck(folder, LIVE)
    return make_app(deck_dirs=[folder], store_path=tmp_path / "progress.sqlite3", clock=lambda: NOW)


async def open_deck(pilot, deck_id: str) -> ReviewScreen:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(deck_id))
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


def proposed(screen) -> list[int]:
    return [
        rating for rating in range(1, 5) if screen.query_one(f"#grade-{rating}", Button).variant == "primary"
    ]


async def test_a_wrong_typed_answer_shows_the_diff_proposes_again_and_can_be_graded_good(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_deck(pilot, "typed")
        await pilot.press(*"byte pair encodign", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "The answer: Byte pair encoding" in text
        assert "You typed: byte pair encodign" in text
        assert "Difference:" in text and "Proposed grade: Again" in text
        assert proposed(screen) == [1]
        await pilot.press("3")  # the learner knows it was a typo: Good, not the proposed Again
        assert screen.graded == [("bpe-name", 3)]
        assert app.store.stats(now=NOW).total_reviews == 1


async def test_a_right_typed_answer_proposes_good_and_enter_accepts_it(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_deck(pilot, "typed")
        await pilot.press(*"byte pair encoding.", "enter")
        await pilot.pause()
        assert "Right. Proposed grade: Good" in screen_text(app)
        assert proposed(screen) == [3]
        await pilot.press("enter")
        assert screen.graded == [("bpe-name", 3)]


async def test_enter_on_a_wrong_answer_grades_again(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_deck(pilot, "typed")
        await pilot.press(*"word piece", "enter")
        await pilot.pause()
        await pilot.press("space")
        assert screen.graded == [("bpe-name", 1)]


async def test_a_live_card_shows_the_engines_answer_for_the_variant_asked(app):
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_deck(pilot, "live")
        seen: set[str] = set()
        for seed in range(40):  # each variant in turn: the question and the engine's answer follow it
            screen.study.rng = random.Random(seed)
            screen.study.refresh()  # the same card, drawn again
            screen.show()
            await pilot.pause()
            text = screen.asked.args["text"]
            if text in seen:
                continue
            seen.add(text)
            assert f"How many GPT-2 tokens is {text}?" in screen_text(app)
            count = len(BOOK_IDS[text])
            await pilot.press(*str(count + 1), "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = screen_text(app)
            assert f"The engine's answer (tokenize): {count}" in shown
            assert "Proposed grade: Again" in shown and proposed(screen) == [1]
            if len(seen) == len(BOOK_IDS):
                break
        else:
            pytest.fail("a variant never came up in forty drawings")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DemoScreen)
        assert app.screen.links[0] == ("tokenize", {"text": text})


def test_snapshot_of_a_wrong_typed_answer(snap_compare, app):
    keys = ["down", "enter", *"byte pair encodign", "enter"]
    assert snap_compare(app, terminal_size=(100, 30), press=keys)
