"""Scheduling: the store's answers equal fsrs's own, settings reach the scheduler, the study day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from fsrs import Card, Rating, Scheduler, State
from store_support import NOW, card, open_store, row, zone  # noqa: F401 (zone is a fixture)

from tutor import paths
from tutor.errors import TutorError
from tutor.scheduling import day_start, format_interval, study_day
from tutor.store import Store

RATINGS = [3, 3, 3, 1, 3, 4, 2, 3, 1, 1, 3]


def _days_apart(earlier: datetime, later: datetime) -> int:
    """Study days between two answers with TZ=UTC and the day starting at 4 am: Anki's day rollovers."""
    return ((later - timedelta(hours=4)).date() - (earlier - timedelta(hours=4)).date()).days


@pytest.mark.parametrize("fuzzing", [False, True])
def test_memory_states_equal_fsrs_given_the_study_days_elapsed(tmp_path, zone, fuzzing):  # noqa: F811
    """fsrs itself, told the study days since the last answer, gives the store's memory states."""
    store = open_store(tmp_path / "p.sqlite3", [card("c1")], fuzzing=fuzzing)
    scheduler = Scheduler(enable_fuzzing=False)
    expected = Card(card_id=1, due=NOW)
    moment, states, previous = NOW, set(), None
    for rating in RATINGS:
        store.grade("c1", rating, 3000, now=moment)
        told = Card(
            card_id=1,
            state=expected.state,
            step=expected.step,
            stability=expected.stability,
            difficulty=expected.difficulty,
            due=expected.due,
            last_review=None if previous is None else moment - timedelta(days=_days_apart(previous, moment)),
        )
        expected, _ = scheduler.review_card(told, Rating(rating), review_datetime=moment)
        stored = row(store, "c1")
        assert (stored["state"], stored["step"]) == (int(expected.state), expected.step)
        assert stored["stability"] == expected.stability and stored["difficulty"] == expected.difficulty
        assert datetime.fromisoformat(stored["last_review"]) == moment
        due = datetime.fromisoformat(stored["due"])
        if expected.state == State.Review:  # due at the start (4 am) of a later study day
            assert due.time() == time(4) and _days_apart(moment, due) >= 1
        else:
            assert due == expected.due  # a learning step of minutes counts from the answer
        states.add(expected.state)
        previous, moment = moment, due + timedelta(hours=17)  # answer on the day it falls due, at 21:00
    assert row(store, "c1")["reps"] == len(RATINGS)
    assert states == {State.Learning, State.Review, State.Relearning}


def test_button_intervals_are_what_each_grade_gives(tmp_path):
    store = open_store(tmp_path / "p.sqlite3", [card("c1")])
    moment = NOW
    for rating in (3, 3, 3):  # learning, learning, then review with fuzz in play
        moment = store.grade("c1", rating, 1000, now=moment).due + timedelta(days=2)
    intervals = store.next_intervals("c1", now=moment)
    for rating in (1, 2, 3, 4):
        graded = store.grade("c1", rating, 1000, now=moment)
        if rating == 1:
            assert graded.due - moment == intervals[1] == timedelta(minutes=10)  # the relearning step
        else:
            assert _days_apart(moment, graded.due) == intervals[rating].days
        assert store.undo() == "c1"
    assert intervals[2] < intervals[3] < intervals[4]
    assert intervals[4] > timedelta(days=5)


def test_settings_come_from_the_config_file(tmp_path):
    paths.config_path().write_text(
        "[scheduler]\ndesired_retention = 0.8\nlearning_steps = [2, 30]\n"
        "maximum_interval = 100\nfuzzing = false\n",
        encoding="utf-8",
    )
    with Store.open(tmp_path / "p.sqlite3") as store:
        store.sync_cards([card("c1")])
        assert store.scheduler.desired_retention == 0.8
        assert store.scheduler.maximum_interval == 100
        assert not store.scheduler.enable_fuzzing
        intervals = store.next_intervals("c1", now=NOW)
    assert intervals[1] == timedelta(minutes=2)
    assert intervals[3] == timedelta(minutes=30)


def test_a_bad_setting_is_one_clear_sentence_and_its_default_is_used(tmp_path):
    paths.config_path().write_text("[scheduler]\ndesired_retention = 2\n", encoding="utf-8")
    with Store.open(tmp_path / "p.sqlite3") as store:
        [message] = store.notices
        assert store.settings.desired_retention == 0.9
    assert "config.toml, line 2" in message and "desired_retention" in message and "0.7 to 0.99" in message
    assert "\n" not in message


def test_fitted_parameters_are_kept_in_the_store_and_used(tmp_path):
    path = tmp_path / "p.sqlite3"
    fitted = list(Scheduler().parameters)
    fitted[2] = 5.0  # initial stability after Good: 5 days instead of 2.3
    with open_store(path, [card("c1")], fuzzing=False) as store:
        store.set_parameters(fitted)
        with pytest.raises(TutorError, match="tutor optimize --reset"):
            store.set_parameters([1.0] * 21)
    with open_store(path, fuzzing=False) as store:
        assert store.parameters == fitted
        store.grade("c1", 3, 1000, now=NOW)
        store.grade("c1", 3, 1000, now=NOW + timedelta(minutes=10))
        assert row(store, "c1")["stability"] == pytest.approx(5.0, rel=0.01)
        store.set_parameters(None)
        assert store.parameters is None
        assert store.scheduler.parameters == Scheduler().parameters


def test_study_day_starts_at_the_day_start_hour_in_local_time(zone):  # noqa: F811
    zone("America/New_York")
    assert study_day(datetime(2026, 3, 2, 8, 59, tzinfo=UTC), 4) == date(2026, 3, 1)  # 03:59 EST
    assert study_day(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 4) == date(2026, 3, 2)  # 04:00 EST
    # Daylight saving starts on 8 March 2026: the day still begins at 4 am on the wall clock.
    assert day_start(date(2026, 3, 7), 4) == datetime(2026, 3, 7, 9, tzinfo=UTC)
    assert day_start(date(2026, 3, 8), 4) == datetime(2026, 3, 8, 8, tzinfo=UTC)


def test_a_clock_moved_backwards_does_not_corrupt_the_schedule(tmp_path):
    store = open_store(tmp_path / "p.sqlite3", [card("a"), card("b")], fuzzing=False)
    store.grade("a", 3, 1000, now=NOW)
    earlier = NOW - timedelta(hours=3)
    store.grade("b", 3, 1000, now=earlier)  # the clock jumped back three hours
    b = row(store, "b")
    assert datetime.fromisoformat(b["last_review"]) == NOW
    assert datetime.fromisoformat(b["due"]) == NOW + timedelta(minutes=10)
    # A clock more than a day behind the latest answer is not followed: the latest answer was dated
    # by a clock that was ahead.
    much_earlier = NOW - timedelta(days=2)
    store.grade("a", 3, 1000, now=much_earlier)
    assert datetime.fromisoformat(row(store, "a")["last_review"]) == much_earlier
    assert store.undo() == "a"
    times = [r[0] for r in store.db.execute("SELECT reviewed_at FROM reviews ORDER BY id")]
    assert times == sorted(times)
    assert store.queue(now=earlier) == []  # nothing due yet from the earlier clock's view
    assert store.next_intervals("b", now=earlier) == store.next_intervals("b", now=NOW)
    assert store.undo() == "b" and store.undo() == "a"


def test_format_interval_for_the_buttons():
    cases = {
        timedelta(seconds=30): "<1m",
        timedelta(minutes=10): "10m",
        timedelta(hours=5): "5h",
        timedelta(days=4): "4d",
        timedelta(days=75): "2.5mo",
        timedelta(days=365): "1y",
        timedelta(days=800): "2.2y",
    }
    assert {interval: format_interval(interval) for interval in cases} == cases
