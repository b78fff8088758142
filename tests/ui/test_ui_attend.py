"""The attend demo teaches what the CLI does: inputs, raw and scaled scores, weights, rows numbered from 1."""

from __future__ import annotations

import math

import pytest
from textual.widgets import Select
from ui_support import screen_text

from tutor.ui.panels.attend import AttendPanel

pytestmark = pytest.mark.anyio

# Section 3.3's numbers for the query x^(2) "journey" (the book prints them to four decimals).
BOOK_SCORES = [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865]
BOOK_WEIGHTS = [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581]


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def query_text(panel) -> str:
    from rich.console import Console

    console = Console(width=100, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(panel.query_one("#attend-query").content)
    return console.export_text()


async def test_the_book_query_is_row_2_with_its_scores_and_weights(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("attend", {})
        await settle(pilot)
        panel = app.screen.query_one(AttendPanel)
        text = query_text(panel)
        assert "Query 2 “journey”: 3.3 does not scale its scores" in text
        for index, (word, score, weight) in enumerate(
            zip(["Your", "journey", "starts", "with", "one", "step"], BOOK_SCORES, BOOK_WEIGHTS, strict=True)
        ):
            assert f"{index + 1} {word}" in text
            assert f"{score:.4f}" in text and f"{weight:.4f}" in text
        screen = screen_text(app)
        assert "Inputs: one vector per token" in screen and "2 journey  0.5500  0.8700  0.6600" in screen
        assert not panel.query_one("#arg-heads").parent.display  # 3.3 has one head: no control for it
        assert not panel.query_one("#attend-head").display


async def test_the_learner_picks_the_query_row_and_the_head(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("attend", {"mode": "multi-head", "heads": 2})
        await settle(pilot)
        panel = app.screen.query_one(AttendPanel)
        assert panel.query_one("#arg-heads").parent.display and panel.query_one("#attend-head").display
        runs = panel.run_id
        panel.query_one("#attend-query-row Select", Select).value = 4
        await settle(pilot)
        assert panel.run_id == runs  # picking a row redraws; it does not run the demo again
        result = panel.last_result
        text = query_text(panel)
        assert "Query 5 “one”: scaled = score / √d_k = score / 1.0000" in text  # d_out 2 over 2 heads
        assert "-inf" in text  # the causal mask: "one" never sees "step"
        panel.query_one("#attend-head Select", Select).value = 1
        await settle(pilot)
        head = result.heads[1]
        text = query_text(panel)
        assert f"{head.weights[4][0]:.4f}" in text
        assert "multi-head, head 1 of 2" in str(panel.query_one("#attend-headline").render())
        for weight, score in zip(head.weights[4][:5], head.masked_scores[4][:5], strict=True):
            assert f"{score:.4f}" in text and f"{weight:.4f}" in text
        assert math.isclose(sum(head.weights[4]), 1.0, abs_tol=1e-6)
