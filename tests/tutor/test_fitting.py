"""`tutor optimize`: the optimizer is given study days, and says so when it learned nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fsrs import Rating, ReviewLog
from store_support import NOW, card, open_store, zone  # noqa: F401 (zone is a fixture)

from tutor import paths
from tutor.cli import main
from tutor.fitting import fit, later_day_answers, training_histories


def answer(card_id: int, when: datetime, rating: int = 3) -> ReviewLog:
    return ReviewLog(card_id, Rating(rating), when, 1000)


def evening(day: int) -> datetime:
    return datetime(2026, 3, 2, 20, tzinfo=UTC) + timedelta(days=day)


def test_answers_are_counted_and_given_by_study_day(zone):  # noqa: F811
    logs = [
        answer(1, evening(0)),
        answer(1, evening(0) + timedelta(minutes=10)),  # the same day: not a later-day answer
        answer(1, evening(1) - timedelta(hours=11)),  # 09:00 next morning: 13 hours, one study day
        answer(1, evening(3) + timedelta(hours=7, minutes=30)),  # 03:30: still day 3's study day
        answer(2, evening(1)),
        answer(2, evening(5)),
    ]
    assert later_day_answers(list(reversed(logs)), 4) == 3
    # Card 1's histories: up to 09:00 (0, 0, 1), up to 03:30 (0, 0, 1, 2); card 2's: (0, 4).
    assert sorted(training_histories(logs, 4)) == [
        [(3, 0), (3, 0), (3, 1)],
        [(3, 0), (3, 0), (3, 1), (3, 2)],
        [(3, 0), (3, 4)],
    ]


def test_too_little_history_keeps_the_defaults_and_says_so(tmp_path, zone, capsys):  # noqa: F811
    rng = random.Random(3)
    logs = [answer(i, evening(0)) for i in range(10)] + [
        answer(i, evening(rng.randint(1, 6)), rng.choice((1, 3))) for i in range(10)
    ]
    assert fit(logs, 4).fell_back
    store = open_store(paths.store_path(), [card(f"c{i}") for i in range(10)])
    for i in range(10):
        store.grade(f"c{i}", 3, 1000, now=NOW)
        store.grade(f"c{i}", 3, 1000, now=NOW + timedelta(days=1 + i % 3))
    store.close()
    assert main(["optimize"]) == 0
    out = capsys.readouterr().out
    assert "about 1 s" in out and "kept FSRS's defaults: 10 answers" in out and "nothing was changed" in out
    with open_store(paths.store_path()) as again:
        assert again.parameters is None
