"""A learner who studies once a day at a different hour: the tutor schedules as Anki's rule does.

The reference below is written from Anki's rules (rslib/src/scheduler): elapsed days are day starts
passed, the interval is FSRS's rounded, Good at least a day past Hard and never below the last interval
by rounding alone, and a card forgotten 8 times is suspended as a leech. It calls fsrs for the memory
states only. A third learner is scheduled as fsrs alone counts elapsed days (whole 24-hour periods),
which is what the tutor did before.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State
from store_support import card, open_store, row, zone  # noqa: F401 (zone is a fixture)

CARDS, DAYS, NEW_PER_DAY = 40, 60, 20
START = datetime(2026, 3, 2, tzinfo=UTC)
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
DECAY = -SCHEDULER.parameters[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def study_hour(day: int) -> int:
    return random.Random(f"hour:{day}").randint(7, 23)


def recalled(card_id: str, day: int, elapsed: int, stability: float | None) -> bool:
    """The learner remembers with FSRS's own retrievability; the same draw for every scheduler."""
    chance = 0.8 if stability is None else (1 + FACTOR * elapsed / stability) ** DECAY
    return random.Random(f"{card_id}:{day}").random() < chance


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def _raw(stability: float) -> float:
    return stability / FACTOR * (SCHEDULER.desired_retention ** (1 / DECAY) - 1)


def _upper(interval: float) -> int:
    delta = (
        0.0 if interval < 2.5 else 1 + 0.15 * (min(interval, 7) - 2.5) + 0.1 * max(min(interval, 20) - 7, 0)
    )
    delta += 0.05 * max(interval - 20, 0) if interval >= 2.5 else 0
    return _round(interval + delta)


def _floor(interval: float, previous: int) -> int:
    if _round(interval) > previous:
        return previous + 1
    return previous if previous <= _upper(interval) else 0


def reference(by_study_days: bool) -> tuple[int, float]:
    """(answers, mean final stability) for the learner scheduled by Anki's rule or by 24-hour periods."""
    state: dict[str, dict] = {}
    answers = 0
    for day in range(DAYS):
        moment = START + timedelta(days=day, hours=study_hour(day))
        new_today = 0
        for i in range(CARDS):
            card_id = f"d-{i}"
            known = state.get(card_id)
            if known is None:
                if new_today == NEW_PER_DAY:
                    continue
                new_today += 1
                fsrs_card, elapsed, previous = Card(card_id=i), 0, 0
            elif known["due"] > day or known["lapses"] >= 8:  # a leech after 8 lapses is suspended
                continue
            else:
                if by_study_days:
                    elapsed = day - known["day"]
                else:
                    elapsed = (moment - known["at"]) // timedelta(days=1)
                fsrs_card = Card(
                    card_id=i,
                    state=State.Review,
                    stability=known["s"],
                    difficulty=known["d"],
                    last_review=moment - timedelta(days=elapsed),
                )
                previous = known["interval"]
            good = recalled(card_id, day, elapsed, known and known["s"])
            rating = Rating.Good if good else Rating.Again
            after = {r: SCHEDULER.review_card(fsrs_card, r, review_datetime=moment)[0] for r in Rating}
            if known is None or rating == Rating.Again:
                interval = max(_round(_raw(after[rating].stability)), 1)
            else:
                raw_hard, raw_good = _raw(after[Rating.Hard].stability), _raw(after[Rating.Good].stability)
                hard = max(_round(raw_hard), _floor(raw_hard, previous), 1)
                interval = max(_round(raw_good), _floor(raw_good, previous), hard + 1)
            if not by_study_days:  # fsrs alone: due a whole number of 24-hour periods on
                due = ((moment + timedelta(days=interval)) - START).days
            else:
                due = day + interval
            state[card_id] = {
                "s": after[rating].stability,
                "d": after[rating].difficulty,
                "day": day,
                "at": moment,
                "due": due,
                "interval": interval,
                "lapses": (known["lapses"] if known else 0) + (known is not None and rating == Rating.Again),
            }
            answers += 1
    return answers, sum(s["s"] for s in state.values()) / len(state)


def test_the_tutor_needs_the_reviews_anki_needs_for_the_same_stability(tmp_path, zone):  # noqa: F811
    cards = [card(f"d-{i}", "d") for i in range(CARDS)]
    store = open_store(
        tmp_path / "p.sqlite3",
        cards,
        backup=False,
        learning_steps=[],
        relearning_steps=[],
        fuzzing=False,
        new_per_day=NEW_PER_DAY,
        reviews_per_day=9999,
        day_start_hour=0,
    )
    answers = 0
    for day in range(DAYS):
        moment = START + timedelta(days=day, hours=study_hour(day))
        while (card_id := store.next_card(now=moment)) is not None:
            before = row(store, card_id)
            elapsed = 0
            if before["last_review"]:
                elapsed = day - (datetime.fromisoformat(before["last_review"]) - START).days
            good = recalled(card_id, day, elapsed, before["stability"])
            store.grade(card_id, 3 if good else 1, 1000, now=moment)
            answers += 1
    stabilities = [r[0] for r in store.db.execute("SELECT stability FROM cards")]
    tutor = (answers, sum(stabilities) / len(stabilities))
    anki = reference(by_study_days=True)
    by_24_hours = reference(by_study_days=False)
    print(
        f"\n{CARDS} cards, {DAYS} days: answers / mean final stability (days): tutor {tutor[0]} / "
        f"{tutor[1]:.1f}, Anki's rule {anki[0]} / {anki[1]:.1f}, 24-hour periods {by_24_hours[0]} / "
        f"{by_24_hours[1]:.1f}"
    )
    assert tutor[0] == anki[0] and math.isclose(tutor[1], anki[1], rel_tol=1e-9)
    assert by_24_hours[0] > anki[0]  # counting 24-hour periods costs reviews
