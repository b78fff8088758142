"""Scheduling by the study day, as Anki does it: elapsed days are day starts passed, interday learning
steps, the review limit over new cards, the outcome the buttons showed, and a clock that was ahead."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler, State
from store_support import NOW, card, deck_cards, open_store, row, zone  # noqa: F401 (zone is a fixture)

from tutor.scheduling import fuzz_bounds, with_fuzz
from tutor.store import Store

DEFAULT = Scheduler()
W = DEFAULT.parameters


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Day ``day`` after NOW's date at ``hour`` (TZ=UTC in these tests, so local time is UTC)."""
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC) + timedelta(days=day)


def recall_stability(stability: float, difficulty: float, elapsed: int, rating: int) -> float:
    """FSRS-6's stability after a successful review ``elapsed`` days on (py-fsrs's published formula)."""
    decay = -W[20]
    factor = 0.9 ** (1 / decay) - 1
    r = (1 + factor * elapsed / stability) ** decay
    hard = W[15] if rating == 2 else 1
    easy = W[16] if rating == 4 else 1
    growth = math.exp(W[8]) * (11 - difficulty) * stability ** -W[9] * (math.exp((1 - r) * W[10]) - 1)
    return stability * (1 + growth * hard * easy)


def test_an_answer_next_morning_is_a_day_later_not_a_same_day_repeat(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", [card("a")], fuzzing=False, learning_steps=[])
    store.grade("a", 2, 1000, now=at(0, 20))  # Hard on a new card, no steps: a review due tomorrow
    before = row(store, "a")
    assert before["state"] == State.Review and datetime.fromisoformat(before["due"]) == at(1, 4)
    expected = recall_stability(before["stability"], before["difficulty"], 1, 3)
    days = round(expected)  # at 90% retention FSRS's interval is the stability
    assert store.next_intervals("a", now=at(1, 9))[3] == timedelta(days=days)
    store.grade("a", 3, 1000, now=at(1, 9))  # 13 hours later, but the next study day
    after = row(store, "a")
    assert after["stability"] == pytest.approx(expected, rel=1e-9)
    assert after["stability"] > 2 * before["stability"]  # not the same-day formula (S x ~1.1)
    assert datetime.fromisoformat(after["due"]) == at(1 + days, 4)


def test_an_answer_before_the_day_start_is_still_the_same_day(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", [card("a")], fuzzing=False, learning_steps=[])
    store.grade("a", 3, 1000, now=at(0, 20))
    before = row(store, "a")
    late = at(1, 3, 30)  # 03:30: still the evening's study day
    store.grade("a", 3, 1000, now=late)
    same_day = Card(
        card_id=1,
        state=State.Review,
        stability=before["stability"],
        difficulty=before["difficulty"],
        last_review=late,  # fsrs given no day elapsed: its short-term formula
    )
    expected, _ = Scheduler(enable_fuzzing=False).review_card(same_day, Rating.Good, review_datetime=late)
    assert row(store, "a")["stability"] == expected.stability


def test_review_order_uses_study_days(tmp_path, zone):  # noqa: F811
    """Two cards of equal stability answered 20:00 and 09:00 the day before: by study days both are a
    day old, so the order falls to due and notes order, not the 11 hours between them."""
    store = open_store(tmp_path / "p.sqlite3", deck_cards("d", 2), fuzzing=False, learning_steps=[])
    store.grade("d-1", 2, 1000, now=at(0, 9))
    store.grade("d-0", 2, 1000, now=at(0, 20))
    assert store.queue(now=at(1, 8)) == ["d-0", "d-1"]


def test_an_interday_learning_step_is_due_all_of_its_day_and_counted(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", deck_cards("d", 2), learning_steps=[10, 1440], new_per_day=1)
    store.grade("d-0", 3, 1000, now=at(0, 20))  # to the one-day step
    assert datetime.fromisoformat(row(store, "d-0")["due"]) == at(1, 4)
    assert store.next_intervals("d-0", now=at(0, 20))[1] == timedelta(minutes=10)
    morning = at(1, 9)
    assert store.deck_counts(now=morning).learning == 1
    assert store.queue(now=morning)[0] == "d-0"
    assert store.deck_counts(now=at(0, 23)).learning == 0  # not before its day
    # A ten-minute step five minutes before the day start lands on the next study day.
    store.grade("d-1", 1, 1000, now=at(2, 3, 55))
    assert datetime.fromisoformat(row(store, "d-1")["due"]) == at(2, 4)


def test_new_cards_get_only_what_the_reviews_leave_of_the_review_limit(tmp_path, zone):  # noqa: F811
    cards = deck_cards("old", 8) + deck_cards("new", 10)
    store = open_store(tmp_path / "p.sqlite3", cards, reviews_per_day=5, new_per_day=10, learning_steps=[])
    for i in range(8):
        store.grade(f"old-{i}", 3, 1000, now=NOW - timedelta(days=30))
    queue = store.queue(now=NOW)
    assert len(queue) == 5 and all(card_id.startswith("old-") for card_id in queue)
    counts = store.deck_counts(now=NOW)
    assert (counts.new, counts.review) == (0, 5)
    # With three reviews due, two new cards fit; each new answer counts against the review limit.
    store.settings = store.settings.__class__(reviews_per_day=5, new_per_day=10, learning_steps=())
    for card_id in queue[:5]:
        store.grade(card_id, 3, 1000, now=NOW)
    tomorrow = NOW + timedelta(days=1)
    counts = store.deck_counts(now=tomorrow)
    assert counts.review == 3 and counts.new == 2
    first_new = next(c for c in store.queue(now=tomorrow) if c.startswith("new-"))
    store.grade(first_new, 3, 1000, now=tomorrow)
    assert store.deck_counts(now=tomorrow).new == 1 and store.deck_counts(now=tomorrow).review == 3


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("mix", ["r0", "r1", "n0", "r2", "r3", "n1", "r4", "r5"]),  # Anki's intersperser, 6 and 2
        ("after", ["r0", "r1", "r2", "r3", "r4", "r5", "n0", "n1"]),
        ("first", ["n0", "n1", "r0", "r1", "r2", "r3", "r4", "r5"]),
    ],
)
def test_new_cards_among_the_reviews(tmp_path, zone, order, expected):  # noqa: F811
    cards = [card(f"r{i}", "r") for i in range(6)] + [card(f"n{i}", "n") for i in range(2)]
    store = open_store(tmp_path / "p.sqlite3", cards, new_order=order, learning_steps=[], fuzzing=False)
    for i in range(6):  # answered a day apart: the longest ago is the likeliest forgotten
        store.grade(f"r{i}", 2, 1000, now=NOW - timedelta(days=40 - i))
    assert store.queue(now=NOW) == expected


def test_the_outcome_shown_is_the_outcome_given_across_a_day_start(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", [card("a")], fuzzing=False, learning_steps=[])
    store.grade("a", 3, 1000, now=at(0, 20))
    shown = at(3, 3, 59)  # the study day before 4 am
    intervals = store.next_intervals("a", now=shown)
    assert intervals != store.next_intervals("a", now=at(3, 4, 1))  # a day more has elapsed at 04:01
    graded = store.grade("a", 3, 1000, now=at(3, 4, 1), shown_at=shown)
    assert graded.due == at(3, 4) + intervals[3]  # the shown interval, from the answer's day


def test_a_clock_a_year_ahead_does_not_block_today(tmp_path, zone):  # noqa: F811
    path = tmp_path / "p.sqlite3"
    store = open_store(path, deck_cards("d", 30), new_per_day=5)
    ahead = NOW + timedelta(days=365)
    for card_id in store.queue(now=ahead)[:5]:
        store.grade(card_id, 4, 1000, now=ahead)
    assert store.deck_counts(now=NOW).new == 5  # the year-ahead answers are not today's
    graded = store.grade(store.queue(now=NOW)[0], 3, 1000, now=NOW)
    assert (
        store.db.execute("SELECT reviewed_at FROM reviews WHERE id = ?", (graded.review_id,))
        .fetchone()[0]
        .startswith("2026-03-02")
    )
    store.close()
    with Store.open(path, settings=store.settings, backup=False) as again:
        (notice,) = [n for n in again.notices if "future" in n]
    assert "5 answers" in notice and "2027-03-02" in notice


def test_fuzz_stays_inside_its_range_and_covers_it():
    """Anki's fuzz: 20 days may move 1 + 0.15 x 4.5 + 0.1 x 13 = 2.975 days either way (17..23),
    each day of the range equally likely and none outside it."""
    assert fuzz_bounds(20.0, 1, 36500) == (17, 23)
    assert fuzz_bounds(5.0, 1, 36500) == (4, 6)  # 5 +- 1.375
    assert fuzz_bounds(2.0, 1, 36500) == (2, 2)
    assert fuzz_bounds(20.0, 21, 36500) == (21, 24)  # a minimum moves the range
    drawn = [with_fuzz(i / 700, 20.0, 1, 36500) for i in range(700)]
    assert all(drawn.count(day) == 100 for day in range(17, 24)) and len(drawn) == 700


def test_hard_good_and_easy_are_at_least_a_day_apart(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", deck_cards("d", 40), learning_steps=[])
    for i in range(40):
        store.grade(f"d-{i}", 2 + i % 3, 1000, now=NOW - timedelta(days=10 + i))
    for i in range(40):
        shown = store.next_intervals(f"d-{i}", now=NOW)
        assert shown[2].days + 1 <= shown[3].days and shown[3].days + 1 <= shown[4].days


def test_an_interval_does_not_drift_a_day_across_daylight_saving(tmp_path, zone):  # noqa: F811
    """New York falls back on 1 November 2026: a one-day interval from 04:30 on 31 October is due at
    4 am on 1 November by the wall clock, not at 03:30 (24 hours on), which is still 31 October's day."""
    zone("America/New_York")
    store = open_store(tmp_path / "p.sqlite3", [card("a")], fuzzing=False, learning_steps=[])
    store.grade("a", 2, 1000, now=datetime(2026, 10, 31, 8, 30, tzinfo=UTC))  # 04:30 EDT
    assert datetime.fromisoformat(row(store, "a")["due"]) == datetime(2026, 11, 1, 9, tzinfo=UTC)  # 4 EST
    assert store.queue(now=datetime(2026, 11, 1, 8, 45, tzinfo=UTC)) == []  # 03:45 EST: not yet


def test_a_card_just_forgotten_comes_back_after_the_card_waiting(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", deck_cards("d", 2), learning_steps=[1, 10])
    store.grade("d-0", 3, 1000, now=NOW)  # to the ten-minute step
    store.grade("d-1", 1, 1000, now=NOW + timedelta(seconds=5))  # Again: back in a minute
    # Nothing is due yet; both wait within the learn-ahead. The card just failed goes second, as Anki
    # requeues it, rather than straight back before the other.
    assert store.queue(now=NOW + timedelta(seconds=5)) == ["d-0", "d-1"]
    assert store.next_card(now=NOW + timedelta(seconds=5)) == "d-0"
    # Once its minute has passed it is simply due.
    assert store.queue(now=NOW + timedelta(minutes=2)) == ["d-1", "d-0"]


def test_tutor_due_says_answers_are_dated_in_the_future(zone, capsys):  # noqa: F811
    from tutor import paths
    from tutor.cli import main

    store = open_store(paths.store_path(), [card("a")])
    store.grade("a", 3, 1000, now=datetime.now(UTC) + timedelta(days=400))
    store.close()
    main(["due"])
    err = capsys.readouterr().err
    assert "1 answer is in" in err and "dated in the future" in err and "today's limits do not count" in err
