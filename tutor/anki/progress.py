"""The learner's progress as Anki keeps it: the ``cards`` columns and the ``revlog`` rows of a collection.

The conventions are those of Anki's Rust core (rslib ``card``, ``revlog``, ``storage/card/data.rs``):

- a review card's ``due`` is a day number counted from the collection's creation day (``crt``); an
  intraday learning card's ``due`` is a Unix time in seconds; a new card's ``due`` is its position;
- ``ivl`` on a card is in days; in the review log a positive ``ivl``/``lastIvl`` is days and a negative
  one is seconds;
- a review-log id is the answer's Unix time in milliseconds, ``type`` is what the card was before the
  answer (0 learning, 1 review, 2 relearning, 3 filtered: cram), and under FSRS ``factor`` is the
  difficulty after the answer, normalised to 100..1100;
- the card's ``data`` column holds FSRS's memory state as JSON: ``s`` stability (days), ``d``
  difficulty (1..10), ``dr`` desired retention, ``decay``, ``lrt`` the last review's Unix time.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import State

from tutor import scheduling, schema
from tutor.config import SchedulerSettings

# Anki's card types and queues (rslib/src/card/mod.rs).
TYPE_NEW, TYPE_LEARN, TYPE_REVIEW, TYPE_RELEARN = 0, 1, 2, 3
QUEUE_NEW, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = 0, 1, 2, 3
QUEUE_SUSPENDED, QUEUE_USER_BURIED = -1, -3
# Anki's revlog kinds, by the tutor's review kind (the card's state before the answer).
REVLOG_KIND = {
    schema.NEW: 0,
    schema.LEARNING: 0,
    schema.REVIEW: 1,
    schema.RELEARNING: 2,
    schema.CRAM: 3,
}
STARTING_EASE = 2500  # Anki's default starting ease (250 %); FSRS ignores it, SM-2 starts from it
DAY = 86_400


@dataclass(frozen=True)
class Calendar:
    """Study days as Anki counts them: day 0 is the collection's creation day (``crt``)."""

    first_day: date
    day_start_hour: int

    @property
    def crt(self) -> int:
        return int(scheduling.day_start(self.first_day, self.day_start_hour).timestamp())

    def day_number(self, moment: datetime) -> int:
        return (scheduling.study_day(moment, self.day_start_hour) - self.first_day).days


def calendar_for(db: sqlite3.Connection, settings: SchedulerSettings, now: datetime) -> Calendar:
    """A calendar starting on the day of the first answer, so every day number is zero or more."""
    first = db.execute("SELECT min(reviewed_at) FROM reviews").fetchone()[0]
    start = datetime.fromisoformat(first) if first else now
    return Calendar(scheduling.study_day(min(start, now), settings.day_start_hour), settings.day_start_hour)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def memory_state(
    stability: float | None, difficulty: float | None, last_review: datetime | None, retention: float, decay
) -> str:
    """The ``data`` column: FSRS's memory state, rounded as Anki rounds it."""
    if stability is None or difficulty is None:
        return ""
    data = {"s": round(stability, 4), "d": round(difficulty, 3), "dr": round(retention, 2)}
    if decay is not None:
        data["decay"] = round(decay, 3)
    if last_review is not None:
        data["lrt"] = int(last_review.timestamp())
    return json.dumps(data, separators=(",", ":"))


def card_columns(
    row: sqlite3.Row, position: int, calendar: Calendar, settings: SchedulerSettings, now: datetime, decay
) -> dict:
    """One card's scheduling columns in Anki's ``cards`` table, from its row in the progress store."""
    state = State(row["state"]) if row["state"] else None
    due, last_review = _when(row["due"]), _when(row["last_review"])
    columns: dict[str, int | str] = {
        "type": TYPE_NEW,
        "queue": QUEUE_NEW,
        "due": position,
        "ivl": 0,
        "factor": 0,
        "left": 0,
    }
    if state is not None and due is not None:
        interval = due - (last_review or due)
        if state == State.Review:
            days = (calendar.day_number(due) - calendar.day_number(last_review or due)) or 1
            columns |= {"type": TYPE_REVIEW, "queue": QUEUE_REVIEW, "due": calendar.day_number(due)}
            columns["ivl"] = max(1, days)
        else:
            steps = settings.learning_steps if state == State.Learning else settings.relearning_steps
            columns["type"] = TYPE_LEARN if state == State.Learning else TYPE_RELEARN
            columns["left"] = max(1, len(steps) - (row["step"] or 0))
            if interval < timedelta(days=1):
                columns |= {"queue": QUEUE_LEARN, "due": int(due.timestamp())}
            else:
                columns |= {"queue": QUEUE_DAY_LEARN, "due": calendar.day_number(due)}
            if state == State.Relearning:  # the interval the card goes back to once relearnt
                columns["ivl"] = max(1, round(row["stability"] or 1))
        columns["factor"] = STARTING_EASE
    columns["reps"] = row["reps"]
    columns["lapses"] = row["lapses"]
    columns["data"] = memory_state(
        row["stability"], row["difficulty"], last_review, settings.desired_retention, decay
    )
    buried = _when(row["buried_until"])
    if row["suspended"]:
        columns["queue"] = QUEUE_SUSPENDED
    elif buried is not None and buried > now:
        columns["queue"] = QUEUE_USER_BURIED
    return columns


def _interval(schedule: dict | None) -> int:
    """A schedule's interval as the review log writes it: days, or minus seconds while learning."""
    if not schedule or schedule.get("state") is None or not schedule.get("due"):
        return 0
    due = datetime.fromisoformat(schedule["due"])
    last = _when(schedule.get("last_review")) or due
    if schedule["state"] == State.Review or due - last >= timedelta(
        days=1
    ):  # Anki logs a day or more in days
        return max(1, round((due - last) / timedelta(days=1)))
    return -max(1, round((due - last).total_seconds()))


def revlog_row(review: sqlite3.Row, card_number: int) -> tuple:
    """(id, cid, usn, ease, ivl, lastIvl, factor, time, type) for one answer; the id is set by the caller."""
    reviewed_at = datetime.fromisoformat(review["reviewed_at"])
    kind = REVLOG_KIND[review["kind"]]
    if review["kind"] == schema.CRAM:
        # Anki tells a cram answer (no schedule change) by type 3 with factor 0, ivl and lastIvl 0.
        return (_millis(reviewed_at), card_number, -1, review["rating"], 0, 0, 0, review["duration_ms"], kind)
    before = json.loads(review["card_before"]) if review["card_before"] else None
    after = json.loads(review["card_after"]) if review["card_after"] else None
    difficulty = (after or {}).get("difficulty")
    factor = round(((difficulty - 1) / 9 + 0.1) * 1000) if difficulty is not None else 0
    return (
        _millis(reviewed_at),
        card_number,
        -1,
        review["rating"],
        _interval(after),
        _interval(before),
        factor,
        review["duration_ms"],
        kind,
    )


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def unique_ids(rows: list[tuple]) -> list[tuple]:
    """Review-log ids are primary keys: two answers in the same millisecond get consecutive ids."""
    taken: set[int] = set()
    unique = []
    for row in sorted(rows, key=lambda r: r[0]):
        revlog_id = row[0]
        while revlog_id in taken:
            revlog_id += 1
        taken.add(revlog_id)
        unique.append((revlog_id, *row[1:]))
    return unique
