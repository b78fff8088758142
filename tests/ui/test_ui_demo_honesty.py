"""Demo screens say what their numbers say: loss words follow the losses, a failed run leaves nothing old."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from ui_support import screen_text

from tutor.demos.pretraining import PretrainProgress
from tutor.ui.panels.generate import GeneratePanel
from tutor.ui.panels.pretrain import PretrainPanel
from tutor.ui.panels.tokenize import TokenizePanel

pytestmark = pytest.mark.anyio


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def progress(step: int, train: float, val: float) -> PretrainProgress:
    return PretrainProgress(step, 40, 1, step * 512, train, val, None, float(step))


async def test_pretrain_words_follow_the_losses(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("pretrain", {"config": "nano"})
        await pilot.pause()
        panel = app.screen.query_one(PretrainPanel)
        panel.show_step(progress(0, 10.990, 10.965))
        panel.show_step(progress(5, 10.100, 10.843))  # both fall: the first steps of every run
        await pilot.pause()
        text = screen_text(app)
        assert "validation loss 10.965 → 10.843 (both falling: learning)" in text
        assert "overfitting" not in text
        for step, train, val in ((10, 8.0, 9.5), (15, 6.0, 9.9)):  # validation rises from its best
            panel.show_step(progress(step, train, val))
        await pilot.pause()
        losses = str(panel.query_one("#pretrain-losses").render())
        assert "validation loss 10.965 → 9.900" in losses
        rising = "(validation rising since its best 9.500 at step 10 while training falls: overfitting)"
        assert rising in losses
        assert "overfitting" in screen_text(app)


async def test_a_failed_tokenize_clears_the_old_tokens(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("tokenize", {"text": "unhappiness"})
        await settle(pilot)
        assert "unhappiness → un | h | appiness" in screen_text(app)
        panel = app.screen.query_one(TokenizePanel)
        panel.query_one("#arg-text", Input).value = ""
        await settle(pilot)
        text = screen_text(app)
        assert "text" in str(panel.query_one(".demo-status").render())  # the error names the argument
        assert "appiness" not in text and "3 tokens" not in text
        assert panel.last_result is None


async def test_a_failed_generation_leaves_no_cursor_and_no_loading_line(tutor_app, tmp_path):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("generate", {"max_new_tokens": 2, "weights": "random"})
        await settle(pilot)
        panel = app.screen.query_one(GeneratePanel)
        assert panel.last_result is not None
        panel.query_one("#arg-weights", Input).value = str(tmp_path / "no-such-weights")
        await settle(pilot)
        text = screen_text(app)
        assert "no-such-weights" in str(panel.query_one(".demo-status").render())
        assert "Weights: none loaded (see the error above)" in text
        assert "loading" not in text and "▌" not in text
        assert "Every effort moves you" not in text.split("Weights:")[1]  # the old text is gone
