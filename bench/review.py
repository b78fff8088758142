"""How long one answer takes in the progress store: grade a card, then fetch the next one.

A store with 10,000 cards and 100,000 review-log rows (a year of history made with the same FSRS
scheduler), then 2,000 answers timed one by one, each committed to disk (synchronous=FULL), as the
app does. Target: median under 5 ms, 99th percentile under 16 ms (one frame at 60 Hz).

Peer: ``fsrs.Scheduler.review_card`` alone on an in-memory card, the floor any store pays.

    python bench/review.py
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

CARDS = 10_000
DECKS = 10
LOG_ROWS = 100_000
ANSWERS = 2_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def fill(store, now: datetime) -> None:
    """Register the cards and write a year of reviews in bulk (the timed part goes through ``grade``)."""
    from fsrs import Card, Rating, Scheduler

    from tutor.store_rows import stamp

    cards = [
        SimpleNamespace(
            id=f"deck{i % DECKS}-{i}",
            deck_id=f"deck{i % DECKS}",
            needs_answer=False,
            suspended=False,
        )
        for i in range(CARDS)
    ]
    store.sync_cards(cards)
    scheduler = Scheduler()
    rng = random.Random(7)
    log, updates = [], []
    for num, card in enumerate(cards, start=1):
        if len(log) == LOG_ROWS:
            break  # the remaining cards stay new
        # Each history starts about a year ago; answers come on the due day or up to two days late,
        # and stop a month ago: the learner comes back from a break to a backlog of due cards.
        moment = now - timedelta(days=365 + rng.uniform(0, 30))
        state = Card(card_id=num, due=moment)
        reps = 0
        while moment < now - timedelta(days=30) and len(log) < LOG_ROWS:
            rating = rng.choices((1, 2, 3, 4), weights=(10, 10, 70, 10))[0]
            before = state.state if reps else 0
            state, _ = scheduler.review_card(state, Rating(rating), review_datetime=moment)
            log.append(
                (card.id, rating, stamp(moment), rng.randint(2000, 15000), int(before), int(state.state))
            )
            reps += 1
            moment = state.due + timedelta(hours=rng.uniform(0, 48))
        updates.append(
            (
                int(state.state),
                state.step,
                state.stability,
                state.difficulty,
                stamp(state.due),
                stamp(state.last_review),
                reps,
                card.id,
            )
        )
    with store._writing() as db:
        db.executemany(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, kind, state_after, card_before, "
            "card_after) VALUES (?, ?, ?, ?, ?, ?, '{}', '{}')",
            log,
        )
        db.executemany(
            "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, "
            "reps = ? WHERE id = ?",
            updates,
        )


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tutor-bench-"))
    os.environ["TUTOR_HOME"] = str(folder)
    from fsrs import Card, Rating, Scheduler

    from tutor.config import SchedulerSettings
    from tutor.store import Store

    # Generous limits so the queue never runs dry during the timed answers.
    settings = SchedulerSettings(new_per_day=9999, reviews_per_day=99999)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    store = Store.open(settings=settings, backup=False)
    started = time.perf_counter()
    fill(store, now)
    rows = store.db.execute("SELECT count(*) FROM reviews").fetchone()[0]
    print(f"store: {CARDS} cards, {rows} review-log rows (filled in {time.perf_counter() - started:.1f} s)")

    due = store.deck_counts(now=now)
    print(f"due now: {due.review} reviews, {due.learning} learning, {due.new} new")
    rng = random.Random(11)
    clock = now

    def answer(synchronous: str, count: int) -> tuple[list[float], list[float]]:
        """Answer ``count`` cards, 5 s apart; when today's queue is done, come back the next day."""
        nonlocal clock
        store.db.execute(f"PRAGMA synchronous = {synchronous}")
        timings, fetches = [], []
        card_id = store.next_card(now=clock)
        for _ in range(count):
            rating = rng.choices((1, 2, 3, 4), weights=(10, 10, 70, 10))[0]
            start = time.perf_counter()
            store.grade(card_id, rating, 5000, now=clock)
            graded = time.perf_counter()
            card_id = store.next_card(now=clock)
            timings.append((time.perf_counter() - start) * 1000)
            fetches.append((time.perf_counter() - graded) * 1000)
            clock += timedelta(seconds=5)
            while card_id is None:
                clock += timedelta(days=1)
                card_id = store.next_card(now=clock)
        return timings, fetches

    timings, fetches = answer("FULL", ANSWERS)
    # Where the time goes: the same loop without waiting for the disk (not what the tutor does).
    unsynced, _ = answer("NORMAL", ANSWERS // 4)
    store.close()

    scheduler = Scheduler()
    card = Card(card_id=1, due=now)
    peer = []
    for i in range(ANSWERS):
        start = time.perf_counter()
        card, _ = scheduler.review_card(
            card, Rating(3 if i % 5 else 1), review_datetime=now + timedelta(days=i)
        )
        peer.append((time.perf_counter() - start) * 1000)

    median, p99 = statistics.median(timings), percentile(timings, 0.99)
    peer_median = statistics.median(peer)
    print(f"of which fetching the next card: median {statistics.median(fetches):.2f} ms")
    print(f"grade + next card: median {median:.2f} ms, p99 {p99:.2f} ms (targets: 5 ms, 16 ms)")
    print(
        "the same without waiting for the disk (synchronous=NORMAL): "
        f"median {statistics.median(unsynced):.2f} ms"
    )
    print(f"peer, fsrs review_card alone: median {peer_median * 1000:.1f} us")
    print(
        json.dumps(
            {"median_ms": round(median, 3), "p99_ms": round(p99, 3), "peer_median_ms": round(peer_median, 4)}
        )
    )
    print(f"ratio store / fsrs alone (median): {median / peer_median:.0f}x")


if __name__ == "__main__":
    main()
