"""Editing cards as a learner does: in the app, kept in their own deck folder, never in a bundled deck."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from textual.widgets import DataTable, TextArea
from ui_support import BASICS, NOW, screen_text, write_deck

from tutor.card_edits import edits_path
from tutor.decks import load_decks
from tutor.ui.app import make_app
from tutor.ui.editing import chosen_editor
from tutor.ui.screens.card import CardScreen
from tutor.ui.screens.edit import EditCardScreen
from tutor.ui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio

NEEDS = {
    "id": "drafts",
    "title": "Drafts",
    "cards": [
        {"id": "todo", "question": "What does top-k sampling keep?", "answer": "", "needs_answer": True},
        {"id": "done", "question": "What is greedy decoding?", "answer": "Always the likeliest token."},
    ],
}


def app_with(tmp_path: Path, *decks: dict, bundled: Path | None = None):
    mine = tmp_path / "mine"
    for deck in decks:
        write_deck(mine, deck)
    dirs = [bundled, mine] if bundled else [mine]
    return make_app(deck_dirs=dirs, store_path=tmp_path / "s.sqlite3", clock=lambda: NOW), mine


async def type_answer(pilot, text: str) -> None:
    area = pilot.app.screen.query_one("#edit-answer", TextArea)
    area.text = text
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_a_card_that_needs_an_answer_is_answered_in_the_app_and_joins_the_review(tmp_path):
    app, mine = app_with(tmp_path, NEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.store.queue("drafts", now=NOW) == ["done"]  # left out of review until answered
        await pilot.press("b")
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("todo"))
        await pilot.press("enter", "e")
        assert isinstance(app.screen, EditCardScreen)
        assert "your edit survives upgrades and re-imports" in screen_text(app)
        await type_answer(pilot, "- The **k** likeliest tokens; the rest get probability 0.")
        assert not isinstance(app.screen, (EditCardScreen, CardScreen))  # back in Browse
        card = app.cards["todo"]
        assert card.answer == "- The **k** likeliest tokens; the rest get probability 0."
        assert not card.needs_answer
        assert "todo" in app.store.queue("drafts", now=NOW)
        saved = yaml.safe_load(edits_path(mine).read_text(encoding="utf-8"))
        assert saved["todo"]["answer"] == card.answer and saved["todo"]["edited"] == NOW.isoformat()
        assert "needs_answer: true" in (mine / "drafts.yaml").read_text(encoding="utf-8")  # deck untouched
    decks, problems = load_decks([mine])  # a restart, or a re-import that rewrote the deck file
    assert not problems
    assert next(c for d in decks for c in d.cards if c.id == "todo").answer.startswith("- The **k**")


async def test_editing_a_bundled_card_keeps_the_change_in_the_learners_folder(tmp_path, monkeypatch):
    bundled = tmp_path / "bundled"
    write_deck(bundled, BASICS)
    monkeypatch.setattr("tutor.paths.bundled_decks_dir", lambda: bundled)
    app, mine = app_with(tmp_path, bundled=bundled)
    before = (bundled / "basics.yaml").read_text(encoding="utf-8")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen) and app.screen.current == "bpe"
        await pilot.press("E")  # the deck file would be overwritten by the next install: say so instead
        assert "bundled deck, which the next install overwrites" in list(app._notifications)[-1].message
        await pilot.press("e")
        await type_answer(pilot, "It falls back to **bytes**, which it always knows.")
        assert app.screen.current == "bpe"
        await pilot.press("space")
        assert "It falls back to bytes, which it always knows." in screen_text(app)
    assert (bundled / "basics.yaml").read_text(encoding="utf-8") == before
    assert "bpe" in yaml.safe_load(edits_path(mine).read_text(encoding="utf-8"))


async def test_a_cancelled_edit_changes_nothing(tmp_path):
    app, mine = app_with(tmp_path, NEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "e")
        app.screen.query_one("#edit-answer", TextArea).text = "a draft"
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        assert app.cards["done"].answer == "Always the likeliest token."
        assert not edits_path(mine).exists()


def test_the_editor_falls_back_from_visual_to_editor_to_an_installed_one(monkeypatch, tmp_path):
    monkeypatch.setenv("VISUAL", "code --wait")
    monkeypatch.setenv("EDITOR", "vim")
    assert chosen_editor() == ("code --wait", "$VISUAL")
    monkeypatch.delenv("VISUAL")
    assert chosen_editor() == ("vim", "$EDITOR")
    monkeypatch.delenv("EDITOR")
    fake = tmp_path / "nano"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert chosen_editor() == ("nano", "the default, as $VISUAL and $EDITOR are not set")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    editor, why = chosen_editor()
    assert editor is None and "none of nano, vim, vi is installed" in why


def test_a_broken_edits_file_is_a_problem_with_its_line_and_the_decks_still_load(tmp_path):
    mine = tmp_path / "mine"
    write_deck(mine, NEEDS)
    edits_path(mine).parent.mkdir()
    edits_path(mine).write_text("todo:\n  answer: [unclosed\n", encoding="utf-8")
    decks, problems = load_decks([mine])
    assert [d.id for d in decks] == ["drafts"]
    assert len(problems) == 1 and str(problems[0]).startswith(f"{edits_path(mine)}, line ")
    assert "your card edits were not applied" in str(problems[0])


def test_an_edits_file_with_yaml_aliases_is_refused_like_a_deck_file(tmp_path):
    from tutor.card_edits import load_edits

    path = tmp_path / "cards.yaml"
    path.write_text("a: &x {answer: boom}\nb: *x\n", encoding="utf-8")
    edits, [problem] = load_edits(path)
    assert edits == {}
    assert str(problem).startswith(f"{path}, line 1: uses a YAML anchor or alias")
    assert str(problem).endswith("your card edits were not applied.")
