"""Pictures in an answer that cannot be drawn: the card still shows, with a line saying why for each."""

from __future__ import annotations

import pytest
from PIL import Image as PILImage
from ui_support import NOW, screen_text, write_deck

from tutor.ui.app import make_app

pytestmark = pytest.mark.anyio


async def test_pictures_that_cannot_be_drawn_show_their_file_the_reason_and_the_alt_text(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "plot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    PILImage.new("RGB", (64, 64), (10, 200, 10)).save(folder / "whole.png")
    whole = (folder / "whole.png").read_bytes()
    (folder / "cut.png").write_bytes(whole[: len(whole) // 2])
    PILImage.new("RGB", (8, 4), (200, 40, 40)).save(folder / "chart.png")
    answer = "\n\n".join(
        [
            "Five pictures.",
            "![an svg plot](plot.svg)",
            "![half a picture](cut.png)",
            "![the password file](../passwd)",
            "![lost](image-6.png)",
            "![a chart](chart.png)",
        ]
    )
    write_deck(
        folder,
        {"id": "pics", "title": "Pictures", "cards": [{"id": "p", "question": "Q?", "answer": answer}]},
    )
    app = make_app(deck_dirs=[folder], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("enter", "space")
        await pilot.pause()
        text = screen_text(app)
        assert "🖼  plot.svg is an SVG drawing, which the tutor cannot draw (an svg plot)" in text
        assert "🖼  cut.png is damaged (" in text
        assert "🖼  passwd is outside the deck's and the notes' folders, so it is not opened" in text
        assert "🖼  image-6.png is missing (lost)" in text
        assert "root:x:0" not in text
        assert "░░░░" in text  # the good chart is still drawn
        await pilot.press("3")
        assert app.store.stats(now=NOW).total_reviews == 1  # the card was graded, not stuck in a crash


def test_an_app_that_crashes_exits_non_zero(monkeypatch):
    from tutor.ui import app as app_module

    def crash(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(app_module.TutorApp, "on_mount", crash)
    assert app_module.run_app(headless=True) == 1
