"""The Checkpoints screen: pretrain's models with their step, validation loss and date; enter generates."""

from __future__ import annotations

import json
import os
from datetime import datetime

import pytest
from textual.widgets import DataTable
from ui_support import screen_text

from tutor import paths

pytestmark = pytest.mark.anyio


def fake_checkpoint(name: str, steps: int, val_loss: float, when: datetime) -> None:
    """A safetensors file with no tensors and a checkpoint's metadata (all the listing reads)."""
    meta = {"steps": steps, "val_loss": val_loss, "config_name": "nano"}
    header = json.dumps({"__metadata__": {"format": "tutor-gpt-checkpoint", "meta": json.dumps(meta)}})
    path = paths.checkpoints_dir() / f"{name}.safetensors"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(len(header).to_bytes(8, "little") + header.encode())
    os.utime(path, (when.timestamp(), when.timestamp()))


async def test_checkpoints_list_step_loss_and_date_newest_first_and_enter_generates(tutor_app):
    fake_checkpoint("pretrain-nano-20261101-090000", 200, 7.912, datetime(2026, 11, 1, 9, 5))
    fake_checkpoint("pretrain-nano-20261101-090000-best", 81, 7.7604, datetime(2026, 11, 1, 9, 3))
    fake_checkpoint("pretrain-nano-20261130-180000", 40, 9.5, datetime(2026, 11, 30, 18, 1))
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.action_open_checkpoints()
        await pilot.pause()
        rows = [line.split() for line in screen_text(app).splitlines() if "pretrain-nano" in line]
        assert rows == [
            ["pretrain-nano-20261130-180000", "40", "9.500", "2026-11-30", "18:01", "0.0", "MB"],
            ["pretrain-nano-20261101-090000", "200", "7.912", "2026-11-01", "09:05", "0.0", "MB"],
            ["pretrain-nano-20261101-090000-best", "81", "7.760", "2026-11-01", "09:03", "0.0", "MB", "the",
             "run's", "best"],
        ]  # fmt: skip
        assert "3 checkpoints." in " ".join(screen_text(app).split())
        app.screen.query_one(DataTable).move_cursor(row=2)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DemoScreen"
        assert app.screen.links == [("generate", {"weights": "pretrain-nano-20261101-090000-best"})]


async def test_no_checkpoints_says_how_to_get_one(tutor_app):
    app = tutor_app
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_open_checkpoints()
        await pilot.pause()
        assert "No checkpoints yet: the pretrain demo saves one as it trains." in screen_text(app)
        await pilot.press("enter")
        assert type(app.screen).__name__ == "CheckpointsScreen"
