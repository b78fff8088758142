"""A store with a damaged row: the app starts, shows the decks and says what is wrong, instead of crashing."""

from __future__ import annotations

import sqlite3

import pytest
from ui_support import NOW, screen_text

from tutor.ui.app import make_app

pytestmark = pytest.mark.anyio


async def test_a_damaged_row_is_a_notice_not_a_crash(tutor_app, tmp_path, deck_dir):
    async with tutor_app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "space", "3")
    db = sqlite3.connect(tmp_path / "progress.sqlite3")
    db.execute("UPDATE cards SET state = 9 WHERE state IS NOT NULL")
    db.commit()
    db.close()
    app = make_app(deck_dirs=[deck_dir], store_path=tmp_path / "progress.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("is damaged: card 'mask' has an impossible schedule" in m for m in messages)
        assert "Attention" in screen_text(app)  # the decks are still there
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
