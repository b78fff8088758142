"""Every screen as a picture (pytest-textual-snapshot), at 100x30, and Decks at 80x24 too.

Fixed clock, decks written by the test, seeded demos: the pictures only change when the app does.
Update them after a deliberate change with ``pytest tests/ui/test_ui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from ui_support import NOW

SIZE = (100, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.set_focus(None)  # no blinking cursor in the picture
    await pilot.pause()


def opener(name: str, args: dict):
    async def run_before(pilot) -> None:
        pilot.app.open_demo(name, args)
        await settle(pilot)

    return run_before


def test_decks(snap_compare, tutor_app):
    assert snap_compare(tutor_app, terminal_size=SIZE)


def test_decks_at_80x24(snap_compare, tutor_app):
    async def run_before(pilot) -> None:
        for card_id in ("mask", "heads"):
            pilot.app.store.grade(card_id, 3, 5000, now=NOW)
        pilot.app.screen.refresh_counts()

    assert snap_compare(tutor_app, terminal_size=(80, 24), run_before=run_before)


def test_review_question(snap_compare, tutor_app):
    assert snap_compare(tutor_app, terminal_size=SIZE, press=["down", "enter"])


def test_review_answer_with_intervals(snap_compare, tutor_app):
    assert snap_compare(tutor_app, terminal_size=SIZE, press=["down", "enter", "space", "1", "space"])


def test_review_summary(snap_compare, tutor_app):
    keys = ["enter", "space", "4", "space", "1", "space", "3", "space", "3"]
    assert snap_compare(tutor_app, terminal_size=SIZE, press=keys)


def test_help(snap_compare, tutor_app):
    assert snap_compare(tutor_app, terminal_size=SIZE, press=["question_mark"])


def test_browse(snap_compare, tutor_app):
    async def run_before(pilot) -> None:
        pilot.app.store.suspend("heads")
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(tutor_app, terminal_size=SIZE, run_before=run_before)


def test_card_from_browse(snap_compare, tutor_app):
    assert snap_compare(tutor_app, terminal_size=SIZE, press=["b", "down", "down", "down", "enter"])


def test_stats(snap_compare, tutor_app):
    async def run_before(pilot) -> None:
        for card_id, rating in (("bpe", 4), ("eot", 3), ("mask", 1)):
            pilot.app.store.grade(card_id, rating, 6000, now=NOW)
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(tutor_app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        (
            "tokenize",
            {"text": "Hello, do you like tea? <|endoftext|> In the sunlit terraces of unhappiness."},
        ),
        ("embed", {}),
        ("window", {"max_length": 4, "stride": 4, "batch_size": 2}),
        ("model", {"config": "124M"}),
        ("attend", {"mode": "causal"}),
        ("generate", {"max_new_tokens": 4, "weights": "random"}),
        ("pretrain", {"config": "nano", "steps": 20}),
    ],
)
def test_demo(snap_compare, tutor_app, name, args):
    assert snap_compare(tutor_app, terminal_size=SIZE, run_before=opener(name, args))


SMALL = (80, 24)


def graded(*cards):
    async def run_before(pilot) -> None:
        for card_id, rating in cards:
            pilot.app.store.grade(card_id, rating, 6000, now=NOW)
        pilot.app.screen.refresh_counts()

    return run_before


def pressing(*keys, before=None):
    async def run_before(pilot) -> None:
        if before is not None:
            await before(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize(
    "run_before",
    [
        pytest.param(pressing("down", "enter"), id="review-question"),
        pytest.param(pressing("down", "enter", "space"), id="review-answer"),
        pytest.param(pressing("s", before=graded(("bpe", 4), ("eot", 3), ("mask", 1))), id="stats"),
        pytest.param(pressing("b", before=graded(("bpe", 4), ("mask", 1))), id="browse"),
        pytest.param(pressing("b", "enter", before=graded(("bpe", 4))), id="card-from-browse"),
    ],
)
def test_screen_at_80x24(snap_compare, tutor_app, run_before):
    assert snap_compare(tutor_app, terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("tokenize", {"text": "Hello, do you like tea? In the sunlit terraces of unhappiness."}),
        ("embed", {}),
        ("window", {"max_length": 4, "stride": 4, "batch_size": 2}),
        ("model", {"config": "124M"}),
        ("attend", {"mode": "causal"}),
        ("generate", {"max_new_tokens": 4, "weights": "random"}),
        ("pretrain", {"config": "nano", "steps": 20}),
    ],
)
def test_demo_at_80x24(snap_compare, tutor_app, name, args):
    assert snap_compare(tutor_app, terminal_size=SMALL, run_before=opener(name, args))


def test_pretrain_losses_under_no_color(snap_compare, tutor_app):
    """Every test runs with NO_COLOR set: training and validation differ by their markers, not colour."""
    from tutor.demos.pretraining import PretrainProgress

    async def run_before(pilot) -> None:
        assert pilot.app.no_color
        pilot.app.open_demo("pretrain", {"config": "nano", "steps": 20})
        await settle(pilot)
        panel = pilot.app.screen.query_one("PretrainPanel")
        losses = [(0, 10.99, 10.97), (5, 9.1, 9.6), (10, 7.6, 8.9), (15, 6.2, 8.6), (20, 5.1, 8.7)]
        for step, train, val in losses:
            sample = "Every effort moves you, and the" if step == 20 else None
            panel.show_step(PretrainProgress(step, 20, 1, step * 512, train, val, sample, float(step)))
        await settle(pilot)

    assert snap_compare(tutor_app, terminal_size=SIZE, run_before=run_before)
