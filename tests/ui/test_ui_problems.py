"""Deck-file problems stay listed, with file and line, in a Problems view (Decks and the palette)."""

from __future__ import annotations

import pytest
from ui_support import NOW, screen_text

from tutor.ui.app import make_app
from tutor.ui.screens.decks import DecksScreen
from tutor.ui.screens.problems import ProblemsScreen

pytestmark = pytest.mark.anyio


def break_decks(deck_dir):
    (deck_dir / "broken.yaml").write_text(
        "id: broken\ntitle: Broken\ncards:\n  - id: x\n    question: [unclosed\n"
    )
    (deck_dir / "untitled.yaml").write_text("id: untitled\ncards: []\n")


async def test_problems_are_one_notice_and_stay_in_the_problems_view(tmp_path, deck_dir):
    break_decks(deck_dir)
    app = make_app(deck_dirs=[deck_dir], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages == ["2 problems in your deck files: p on Decks lists them."]
        summary = str(app.screen.query_one("#decks-summary").render())  # under the notice at 80x24
        assert summary.endswith("· 2 deck-file problems: p")
        await pilot.press("p")
        assert isinstance(app.screen, ProblemsScreen)
        listed = str(app.screen.query_one("#problems-list").render())  # a long path wraps on screen
        assert f"• {deck_dir / 'broken.yaml'}, line 6\n  did not find expected" in listed
        text = screen_text(app)
        assert "needs 'title' (text); this deck was not loaded." in text
        (deck_dir / "untitled.yaml").write_text("id: untitled\ntitle: Fixed\ncards: []\n")
        await pilot.press("r")  # fixed one: reload, the list follows
        text = screen_text(app)
        assert "1 problem in your deck files" in text and "untitled" not in text
        await pilot.press("escape")
        assert isinstance(app.screen, DecksScreen)


async def test_the_palette_offers_the_problems_only_when_there_are_some(tmp_path, deck_dir):
    app = make_app(deck_dirs=[deck_dir], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "deck-file problem" not in screen_text(app)
        await pilot.press("ctrl+p", *"problems")
        await pilot.pause()
        assert "Problems (" not in screen_text(app)
        await pilot.press("escape")
        break_decks(deck_dir)
        await pilot.press("r", "ctrl+p", *"problems")
        await pilot.pause()
        await pilot.pause()
        assert "Problems (2)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
