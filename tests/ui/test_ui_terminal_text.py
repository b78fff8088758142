"""A shared deck's escape sequences are drawn as text in the app, never sent to the terminal."""

from __future__ import annotations

import pytest
import yaml
from ui_support import NOW, screen_text

from tutor.ui.app import make_app

pytestmark = pytest.mark.anyio

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # sets the clipboard to "rm -rf ~"
HOSTILE = {
    "id": "shared",
    "title": f"Shared deck {OSC52}",
    "cards": [{"id": "c", "question": "Why?\x1b]0;pwned\x07", "answer": "Because\x1b[2J.\x9b31m"}],
}


async def test_the_app_draws_escape_sequences_as_text(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "shared.yaml").write_text(yaml.safe_dump(HOSTILE), encoding="utf-8")
    app = make_app(deck_dirs=[folder], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "Shared deck ␛]52;c;cm0gLXJmIH4=␇" in screen_text(app)
        await pilot.press("enter", "space")
        text = screen_text(app)
        assert "Why?␛]0;pwned␇" in text and "Because␛[2J.␛[31m" in text
        assert "\x1b" not in app.screen.sub_title + app.title
        app.notify(f"quoted {OSC52}")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == "quoted ␛]52;c;cm0gLXJmIH4=␇"
