"""At 80x24 nothing that carries a number is cut, and what the learner watches stays above the fold."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable
from ui_support import screen_text

from tutor.demos.pretraining import PretrainProgress

pytestmark = pytest.mark.anyio


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_model_table_keeps_every_count_at_80_columns(tutor_app):
    app = tutor_app
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_demo("model", {"config": "124M"})
        await settle(pilot)
        result = app.screen.query_one("ModelPanel").last_result
        lines = screen_text(app).splitlines()
        att = next(c for c in result.components if c.copies == 12)
        row = next(line for line in lines if f"{att.parameters:,}" in line)
        words = row.split()
        at = words.index(f"{att.parameters:,}")
        assert words[at : at + 3] == [f"{att.parameters:,}", "12", f"{att.per_copy:,}"]  # copies: 12, not 1


async def test_the_review_header_keeps_the_demo_names_at_80_columns(tutor_app):
    app = tutor_app
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("basics"))
        await pilot.press("enter", "space", "4", "space", "4")  # "emb" links embed and tokenize
        text = screen_text(app)
        assert "d opens embed, tokenize" in " ".join(text.split())  # the status line wraps, never cuts
        assert "? Help" in text  # the footer fits too


async def test_the_pretrain_sample_is_above_the_fold_at_80x24(tutor_app):
    app = tutor_app
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_demo("pretrain", {"config": "nano"})
        await pilot.pause()
        panel = app.screen.query_one("PretrainPanel")
        panel.show_step(PretrainProgress(0, 20, 1, 0, 10.99, 10.97, None, 0.0))
        panel.show_step(PretrainProgress(10, 20, 1, 5120, 7.5, 8.9, "Every effort moves you forward", 9.0))
        await pilot.pause()
        text = screen_text(app)
        assert "Sample: Every effort moves you forward" in text  # no scrolling needed
        step = str(panel.query_one("#pretrain-step").render())
        assert step.endswith("5,120 tokens seen · 9 s")
        assert "5,120" in text and "· 9 s" in text  # the step line wraps at 80, its numbers whole
