"""Reviewing a deck from the Decks screen, as a learner would, with every key the review offers."""

from __future__ import annotations

import sys
import textwrap
from datetime import timedelta

import pytest
from textual.widgets import Button, DataTable, Static
from ui_support import NOW, screen_text, write_deck

from tutor.scheduling import format_interval
from tutor.ui.app import make_app
from tutor.ui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio


async def open_deck(pilot, deck_id: str, key: str = "enter") -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(deck_id))
    await pilot.press(key)
    await pilot.pause()


def question(app) -> str:
    return app.cards[app.screen.current].question if app.screen.current else ""


async def test_review_a_deck_end_to_end_with_every_grade_undo_and_suspend(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        assert "Tokens and embeddings" in screen_text(app)
        await open_deck(pilot, "basics")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.current == "bpe"
        text = screen_text(app)
        assert "What does byte pair encoding do" in text
        assert "sub-word pieces" not in text  # the answer waits for space
        assert "Tokens and embeddings · 3 new · 0 learning · 0 review · 0 done · d opens tokenize" in text

        await pilot.press("1")  # grading before the answer is shown does nothing
        assert app.store.stats(now=NOW).total_reviews == 0

        await pilot.press("space")
        text = screen_text(app)
        assert "sub-word pieces" in text
        intervals = app.store.next_intervals("bpe", now=NOW)
        for rating, name in ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")):
            label = str(screen.query_one(f"#grade-{rating}", Button).label)
            assert label == f"{rating} {name} · {format_interval(intervals[rating])}"
            assert label in text
        await pilot.press("1")  # Again
        assert screen.current == "eot"
        status = str(screen.query_one("#review-status", Static).content)
        assert " · 2 new · 1 learning · 0 review · 1 done" in status  # bpe moved from new to learning
        await pilot.press("enter", "2")  # Enter shows the answer too; Hard
        assert screen.current == "emb"
        await pilot.press("space", "3")  # Good
        # All three are learning now, due within minutes: they come back in order of due time.
        assert screen.current == "bpe"
        assert app.store.stats(now=NOW).total_reviews == 3

        await pilot.press("u")  # undo the Good on "emb": it is in front of us again, unanswered
        assert screen.current == "emb"
        assert not screen.shown
        assert app.store.stats(now=NOW).total_reviews == 2
        await pilot.press("u")  # undo is repeatable: the Hard on "eot"
        assert screen.current == "eot"
        assert app.store.stats(now=NOW).total_reviews == 1
        await pilot.press("space", "2")  # Hard again
        await pilot.press("space", "4")  # Easy on emb: graduates to review, days away
        assert screen.current == "bpe"
        await pilot.press("at")  # suspend bpe
        assert screen.current == "eot"
        await pilot.press("space", "4")  # Easy
        assert screen.current is None

        text = screen_text(app)
        assert "Session done" in text
        assert "4 cards" in text
        assert "Again: 25%" in text  # one Again in four answers
        stats = app.store.stats(now=NOW)
        assert stats.total_reviews == 4
        basics = next(deck for deck in stats.decks if deck.deck_id == "basics")
        assert (basics.suspended, basics.new, basics.young) == (1, 0, 2)

        await pilot.press("enter")  # back to the decks, counts refreshed
        assert "Tokens and embeddings" in screen_text(app)
        table = app.screen.query_one(DataTable)
        row = table.get_row("basics")
        assert [str(cell) for cell in row[1:4]] == ["0", "0", "0"]


async def test_bury_hides_a_card_until_tomorrow_and_cram_goes_through_everything(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deck(pilot, "attention")
        assert app.screen.current == "mask"
        await pilot.press("minus")
        assert app.screen.current == "heads"
        assert "mask" not in app.store.queue("attention", now=NOW)
        await pilot.press("escape")
        row = app.screen.query_one(DataTable).get_row("attention")
        assert str(row[1]) == "1"  # one new card left today

        await open_deck(pilot, "attention", key="c")  # cram: every card, buried or not, in notes order
        assert app.screen.sub_title == "Attention · cram"
        assert app.screen.current == "mask"
        await pilot.press("space", "3")
        assert app.screen.current == "heads"
        await pilot.press("space", "3")
        assert "Session done" in screen_text(app)
        assert app.store.queue("attention", now=NOW) == ["heads"]  # cram left the schedule alone


async def test_shift_e_opens_the_editor_at_the_card_line_and_the_edit_shows(tutor_app, tmp_path, monkeypatch):
    seen = tmp_path / "editor-args.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(
        textwrap.dedent(f"""
        import pathlib, sys
        pathlib.Path({str(seen)!r}).write_text(" ".join(sys.argv[1:]))
        deck = pathlib.Path(sys.argv[2])
        deck.write_text(deck.read_text().replace("Why a causal mask?", "Why mask the future?"))
        """)
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deck(pilot, "attention")
        card = app.cards["mask"]
        await pilot.press("E")
        await pilot.pause()
        assert seen.read_text() == f"+{card.line} {card.path}"
        assert card.line > 1
        assert "Why mask the future?" in screen_text(app)
        assert app.screen.current == "mask"
        assert [n.message for n in app._notifications][-1] == (
            f"Edited attention.yaml in {sys.executable} {editor} ($VISUAL)."
        )  # the editor is named, and where it came from


async def test_a_card_without_a_demo_says_so(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deck(pilot, "attention")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert any("links no demo" in n.message for n in app._notifications)


async def test_an_answer_draws_an_image_whose_file_exists_and_keeps_the_alt_text_of_a_missing_one(tmp_path):
    from PIL import Image as PILImage
    from textual_image.widget import Image

    folder = tmp_path / "decks"
    PILImage.new("RGB", (8, 4), (200, 40, 40)).save(folder.mkdir() or folder / "chart.png")
    answer = "Two pictures.\n\n![a loss chart](chart.png)\n\n![the lost one](gone.png)"
    write_deck(
        folder,
        {"id": "pics", "title": "Pictures", "cards": [{"id": "p", "question": "Q?", "answer": answer}]},
    )
    app = make_app(deck_dirs=[folder], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "space")
        await pilot.pause()
        images = app.screen.query(Image)
        assert len(images) == 1 and images.first().image.size == (8, 4)  # chart.png, decoded and checked
        text = screen_text(app)
        assert "🖼  a loss chart" in text and "🖼  the lost one" in text  # alt text; the found one drawn below
        assert "░░░░" in text  # the picture itself (text blocks here; sixel or kitty graphics in a terminal)


async def test_the_summary_says_when_cards_still_in_learning_come_back(tutor_app, tutor_home):
    (tutor_home / "config.toml").write_text(
        "[scheduler]\nlearning_steps = [60]\n"
    )  # an hour: past learn-ahead
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deck(pilot, "attention")
        await pilot.press("space", "1", "space", "1")
        text = screen_text(app)
        assert "Session done" in text
        # Due in an hour, offered 20 minutes ahead (Anki's learn-ahead): ready in 40 minutes.
        assert "2 still in learning; the next card is ready in 40m (" in text
        app.clock = lambda: NOW + timedelta(minutes=41)
        app.screen._refresh_summary()
        await pilot.pause()
        assert "the next card is ready now" in screen_text(app)


async def test_an_editor_that_is_not_there_is_one_sentence(tutor_app, monkeypatch):
    monkeypatch.setenv("VISUAL", "no-such-editor-here --wait")
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deck(pilot, "attention")
        await pilot.press("E")
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1 and messages[0].startswith(
            "Cannot start the editor 'no-such-editor-here --wait'"
        )
        assert messages[0].endswith("set $EDITOR to one you have.")
        assert app.screen.current == "mask"  # still on the card


async def test_brackets_in_the_learners_text_are_shown_as_written(tmp_path):
    deck = {
        "id": "b",
        "title": "[draft] Notes",
        "cards": [{"id": "x", "question": "Why [1] not [b]?", "answer": "[b]"}],
    }
    write_deck(tmp_path / "decks", deck)
    app = make_app(deck_dirs=[tmp_path / "decks"], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "[draft] Notes" in screen_text(app)
        await pilot.press("enter", "space")
        text = screen_text(app)
        assert "[draft] Notes · 1 new · 0 learning · 0 review" in text and "Why [1] not [b]?" in text
        assert "tutor — [draft] Notes" in text  # the header too
        await pilot.press("escape", "b")
        assert "[draft] Notes" in screen_text(app)  # Browse's deck column and filter


async def test_undo_takes_back_a_suspend_and_a_bury_in_the_order_they_happened(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_deck(pilot, "basics")
        screen = app.screen
        assert screen.current == "bpe"
        await pilot.press("space", "3")  # Good on bpe
        assert screen.current == "eot"
        await pilot.press("at")  # suspend eot
        assert screen.current == "emb"
        await pilot.press("minus")  # bury emb
        assert screen.current == "bpe"
        states = app.store.card_states()
        assert states["eot"].suspended and states["emb"].buried_until is not None

        status = screen.query_one("#review-status", Static)
        assert " 0 new · 1 learning · 0 review · 1 done" in str(status.content)  # bpe, back in minutes
        await pilot.press("u")  # the bury first: emb is back in front of us, and in the queue
        assert screen.current == "emb" and not screen.shown
        assert " 1 new · 1 learning · 0 review · 1 done" in str(status.content)
        assert app.store.card_states()["emb"].buried_until is None
        assert any("Undid the bury of" in n.message for n in app._notifications)
        await pilot.press("u")  # then the suspension
        assert screen.current == "eot"
        assert not app.store.card_states()["eot"].suspended
        await pilot.press("u")  # then the grade, from the store's log
        assert screen.current == "bpe"
        assert app.store.stats(now=NOW).total_reviews == 0
        await pilot.press("u")
        assert screen.current == "bpe"
        assert app._notifications and list(app._notifications)[-1].message == "Nothing to undo."
        await pilot.press("space", "3", "space", "3", "space", "3")  # all three are in today's queue again
        assert app.store.stats(now=NOW).total_reviews == 3


async def test_after_the_reveal_space_and_enter_grade_good_as_in_anki(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deck(pilot, "basics")
        screen = app.screen
        await pilot.press("space")  # shows the answer
        assert screen.shown and screen.current == "bpe"
        await pilot.press("space")  # Good
        assert screen.graded == [("bpe", 3)] and screen.current == "eot" and not screen.shown
        await pilot.press("enter", "enter")  # show, then Good
        assert screen.graded == [("bpe", 3), ("eot", 3)]
        assert "2 done" in screen_text(app)


async def test_suspend_and_bury_are_ankis_keys_and_say_how_to_undo(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deck(pilot, "basics")
        screen = app.screen
        await pilot.press("s", "b")  # Decks' Stats and Browse keys: a slip here hides nothing
        assert screen.current == "bpe" and isinstance(app.screen, ReviewScreen)
        assert not app.store.card_states()["bpe"].suspended
        text = screen_text(app)
        assert "@ Suspend" in text and "- Bury" in text
        await pilot.press("at")
        assert app.store.card_states()["bpe"].suspended
        status = screen.query_one("#review-status", Static)
        assert str(status.content).endswith("· suspended the last card: u undoes")
        await pilot.press("minus")
        assert str(status.content).endswith("· buried the last card: u undoes")
        assert "u undoes" in screen_text(app)
        await pilot.press("u", "u")
        assert screen.current == "bpe" and "u undoes" not in screen_text(app)
