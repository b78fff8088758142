"""Statistics and the progress commands: ``tutor due``, ``tutor stats`` and ``tutor optimize``."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler
from store_support import card, deck_cards, open_store, row, zone  # noqa: F401 (zone is a fixture)

from tutor import paths
from tutor.cli import main
from tutor.scheduling import study_day
from tutor.stats import streaks
from tutor.store import Store
from tutor.store_rows import stamp

TODAY = datetime(2026, 3, 2, 12, tzinfo=UTC)


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_streaks():
    days = [date(2026, 2, d) for d in (1, 2, 3, 5, 6)]
    assert streaks(days, date(2026, 2, 6)) == (2, 3)
    assert streaks(days, date(2026, 2, 7)) == (2, 3)  # today has no answers yet: the streak still stands
    assert streaks(days, date(2026, 2, 8)) == (0, 3)
    assert streaks([], date(2026, 2, 8)) == (0, 0)


def test_stats_from_a_known_history(tmp_path, zone):  # noqa: F811
    store = open_store(
        tmp_path / "p.sqlite3", deck_cards("basics", 5) + deck_cards("attention", 2), fuzzing=False
    )
    store.grade("basics-0", 4, 4000, now=at(27, 10, month=2))  # review card, due in ~8 days
    store.grade("basics-1", 4, 6000, now=at(1, 10))
    store.grade("basics-2", 3, 8000, now=at(2, 3))  # 3 am: still the study day of 1 March
    store.grade("basics-0", 1, 2000, now=at(2, 11))  # forgot a review card: a lapse, relearning
    store.grade("basics-1", 3, 5000, now=at(2, 11))  # recalled a review card (a day early)
    store.suspend("basics-4")
    store.sync_cards(deck_cards("basics", 5) + deck_cards("attention", 1))  # attention-1 left the deck
    stats = store.stats(now=TODAY)
    assert stats.today == date(2026, 3, 2)
    assert stats.reviews_per_day == {date(2026, 2, 27): 1, date(2026, 3, 1): 2, date(2026, 3, 2): 2}
    assert (stats.current_streak, stats.longest_streak) == (2, 2)
    assert stats.retention_30d == 0.5 and stats.retention_reviews_30d == 2
    assert stats.total_reviews == 5 and stats.average_seconds == 5.0
    assert stats.orphans == ["attention-1"]
    (basics,) = [d for d in stats.decks if d.deck_id == "basics"]
    (attention,) = [d for d in stats.decks if d.deck_id == "attention"]
    assert (basics.new, basics.learning, basics.young, basics.mature, basics.suspended) == (1, 2, 1, 0, 1)
    assert (attention.new, attention.learning) == (1, 0)  # the orphan is not counted
    assert store.deck_stats() == stats.decks
    # The forecast puts each scheduled card on the study day it falls due (overdue ones today).
    expected = [0] * 30
    for state in store.card_states().values():
        if state.due and not state.suspended and not state.orphaned:
            expected[max(0, (study_day(state.due, 4) - stats.today).days)] += 1
    assert stats.forecast == expected and sum(expected) == 3
    data = stats.to_json()
    assert data["reviews_per_day"]["2026-03-01"] == 2 and json.loads(json.dumps(data)) == data


def test_mature_cards_have_an_interval_of_three_weeks_or_more(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", [card("a")], fuzzing=False)
    moment = at(1, 12, month=1)
    while True:
        due = store.grade("a", 4, 1000, now=moment).due
        if due - moment >= timedelta(days=21):
            break
        moment = due
    [deck] = store.stats(now=moment).decks
    assert (deck.young, deck.mature) == (0, 1)


def write_deck(cards: list[tuple[str, str]], needs_answer: str | None = None) -> None:
    folder = paths.user_decks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["id: testdeck", "title: Test deck", "cards:"]
    for card_id, question in cards:
        lines += [f"  - id: {card_id}", f"    question: {question}", "    answer: Yes."]
        if card_id == needs_answer:
            lines.append("    needs_answer: true")
    (folder / "testdeck.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_tutor_due_per_deck(capsys):
    write_deck([("t1", "What is a token?"), ("t2", "What is BPE?"), ("t3", "Unanswered?")], needs_answer="t3")
    assert main(["due", "--deck", "testdeck", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decks"] == [{"id": "testdeck", "title": "Test deck", "new": 2, "learning": 0, "review": 0}]
    with Store.open() as store:
        store.grade("t1", 3, 2000)
    assert main(["due", "--deck", "testdeck"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["Deck", "New", "Learning", "Review"]
    assert out[1].split() == ["Test", "deck", "1", "1", "0"]
    assert main(["due", "--deck", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tutor: There is no deck 'nope'") and "testdeck" in err and err.count("\n") == 1


def test_tutor_stats_lists_orphans(capsys):
    write_deck([("t1", "What is a token?"), ("t2", "What is BPE?")])
    main(["due"])
    capsys.readouterr()
    with Store.open() as store:
        store.grade("t2", 4, 3000)
    write_deck([("t1", "What is a token?")])  # t2 was deleted from the deck
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["orphans"] == ["t2"] and data["total_reviews"] == 1 and data["average_seconds"] == 3.0
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "1 answers in all · 3.0 s an answer" in out
    assert "No longer in any deck (history kept, back if they return): t2" in out
    write_deck([("t1", "What is a token?"), ("t2", "What is BPE?")])
    main(["stats", "--json"])
    assert json.loads(capsys.readouterr().out)["orphans"] == []


def test_tutor_optimize_with_too_few_reviews_changes_nothing(capsys):
    with Store.open() as store:
        store.sync_cards([card("a")])
        store.grade("a", 3, 1000)
    assert main(["optimize"]) == 0
    assert "None of your answers came on a later study day" in capsys.readouterr().out
    with Store.open() as store:
        assert store.parameters is None


def insert_history(store: Store, cards: int, answers_each: int) -> None:
    """A long history written straight into the log (answering through the store would take minutes)."""
    scheduler, rng = Scheduler(), random.Random(3)
    store.sync_cards(deck_cards("basics", cards))
    rows = []
    for i in range(cards):
        moment = TODAY - timedelta(days=200)
        state = Card(card_id=i + 1, due=moment)
        for _ in range(answers_each):
            rating = rng.choices((1, 2, 3, 4), (15, 10, 65, 10))[0]
            state, _ = scheduler.review_card(state, Rating(rating), review_datetime=moment)
            rows.append((f"basics-{i}", rating, stamp(moment), 4000))
            moment = state.due + timedelta(hours=rng.uniform(0, 30))
    with store._writing() as db:
        db.executemany(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, kind) VALUES (?, ?, ?, ?, 2)",
            rows,
        )


@pytest.mark.slow
def test_tutor_optimize_fits_and_keeps_parameters(capsys):
    with Store.open() as store:
        insert_history(store, cards=150, answers_each=6)
    assert main(["optimize"]) == 0
    out = capsys.readouterr().out
    assert "Saved: your next answers are scheduled with parameters fitted to your history." in out
    with Store.open() as store:
        fitted = store.parameters
        assert len(fitted) == 21 and fitted != list(Scheduler().parameters)
        assert store.scheduler.parameters == tuple(fitted)
    assert main(["optimize", "--reset"]) == 0
    with Store.open() as store:
        assert store.parameters is None


def test_due_with_no_decks_says_how_to_import(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: tmp_path / "none")
    assert main(["due"]) == 0
    assert capsys.readouterr().out.strip() == "No decks yet: import your notes with 'tutor import NOTES.md'."


def test_true_retention_counts_30_study_days_young_and_mature_apart(tmp_path, zone):  # noqa: F811
    """Anki's true retention: review answers of today and the 29 study days before, split by the
    interval the card had (under 21 days: young)."""
    store = open_store(tmp_path / "p.sqlite3", deck_cards("d", 4), fuzzing=False, learning_steps=[])
    start = datetime(2026, 1, 1, 10, tzinfo=UTC)
    store.grade("d-0", 3, 1000, now=start)  # new: not a review answer
    store.grade("d-1", 4, 1000, now=start)
    # d-1 reaches a mature interval: answer it Easy on its due day until the interval is >= 21 days.
    moment = start
    while True:
        due = datetime.fromisoformat(row(store, "d-1")["due"])
        if (due - moment).days >= 21:
            break
        moment = due + timedelta(hours=8)
        store.grade("d-1", 4, 1000, now=moment)
    today = datetime(2026, 3, 30, 12, tzinfo=UTC)
    window_start = today - timedelta(days=29)  # 1 March: the first of the 30 study days
    store.grade("d-0", 1, 1000, now=window_start - timedelta(hours=9))  # 1 March 03:00
    store.grade("d-1", 3, 1000, now=window_start + timedelta(hours=1))  # mature, recalled
    store.grade("d-2", 3, 1000, now=window_start)  # new
    store.grade("d-2", 1, 1000, now=window_start + timedelta(days=2))  # young, forgotten
    stats = store.stats(now=today)
    assert stats.true_mature == (1, 1)
    # d-0's answer at 03:00 on 1 March is the study day of 28 February: outside the 30 study days.
    assert stats.true_young == (0, 1)


@pytest.mark.parametrize(
    "name", ["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago"]
)
@pytest.mark.parametrize("day_start_hour", [0, 4])
def test_answers_per_day_around_day_starts_and_daylight_saving(tmp_path, zone, name, day_start_hour):  # noqa: F811
    # Answers every 20 minutes through days that change to and from daylight saving (New York's
    # 8 March and 1 November, Santiago's at midnight, Lord Howe's half hours), a second either side of
    # each day's start, and one on the start itself as seconds without a fraction.
    from collections import Counter

    from tutor.scheduling import day_start

    zone(name)
    store = open_store(tmp_path / "p.sqlite3", [card("a")], day_start_hour=day_start_hour)
    times: list[str] = []
    for first in (
        date(2026, 3, 6),
        date(2026, 4, 3),
        date(2026, 9, 4),
        date(2026, 10, 2),
        date(2026, 10, 30),
    ):
        moment = datetime(first.year, first.month, first.day, tzinfo=UTC)
        for _ in range(4 * 24 * 3):
            times.append(stamp(moment))
            moment += timedelta(minutes=20)
        for n in range(4):
            start = day_start(first + timedelta(days=n), day_start_hour)
            times += [stamp(start - timedelta(seconds=1)), stamp(start + timedelta(seconds=1))]
            times.append(start.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    with store.db:
        store.db.executemany(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, kind, state_after) "
            "VALUES ('a', 3, ?, 1000, 1, 1)",
            [(t,) for t in times],
        )
    expected = Counter(study_day(datetime.fromisoformat(t), day_start_hour) for t in times)
    per_day = store.stats(now=datetime(2026, 11, 5, tzinfo=UTC)).reviews_per_day
    assert per_day == dict(sorted(expected.items())) and list(per_day) == sorted(expected)
    assert sum(per_day.values()) == len(times)


def test_answers_per_day_with_a_clock_decades_off_once(tmp_path, zone):  # noqa: F811
    zone("Europe/Paris")
    store = open_store(tmp_path / "p.sqlite3", [card("a")])
    times = ["1990-07-01T01:30:00.000000+00:00", "2026-03-29T00:59:59+00:00", "2026-03-29T02:30:00.5+00:00"]
    with store.db:
        store.db.executemany(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, kind, state_after) "
            "VALUES ('a', 3, ?, 1000, 1, 1)",
            [(t,) for t in times],
        )
    # 1990: 03:30 in Paris (summer time), so after the 4 o'clock start of the day before
    assert store.stats(now=TODAY).reviews_per_day == {
        date(1990, 6, 30): 1,
        date(2026, 3, 28): 1,
        date(2026, 3, 29): 1,
    }
