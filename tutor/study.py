"""Today's queue: which cards to study now, in what order, within the learner's daily limits.

Order (as in Anki): learning and relearning cards whose time has come, then review cards due today
(the ones the learner is most likely to have forgotten first), then new cards in the order of the
notes, and last the learning cards due within the next few minutes (so a session does not stop while
a card is ten minutes from due). Limits count the whole study day across all decks.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from tutor import schema
from tutor.config import SchedulerSettings
from tutor.scheduling import today_bounds

LEARN_AHEAD = timedelta(minutes=20)  # Anki's "learn ahead limit"
ELIGIBLE = (
    "NOT orphaned AND NOT suspended AND NOT deck_suspended AND NOT needs_answer "
    "AND (buried_until IS NULL OR buried_until <= :now)"
)
LEARNING = f"state IN ({int(schema.LEARNING)}, {int(schema.RELEARNING)})"
# Lower retrievability first: FSRS's R falls as whole elapsed days / stability grows.
BY_RETRIEVABILITY = (
    "max(0, CAST(julianday(:now) - julianday(last_review) AS INTEGER)) * 1.0 / stability DESC, due, position"
)


@dataclass(frozen=True)
class DueCounts:
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def to_json(self) -> dict:
        return asdict(self)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _params(settings: SchedulerSettings, now: datetime, deck_id: str | None) -> dict:
    start, end = today_bounds(now, settings.day_start_hour)
    return {
        "now": _stamp(now),
        "ahead": _stamp(now + LEARN_AHEAD),
        "day_start": _stamp(start),
        "day_end": _stamp(end),
        "deck": deck_id,
    }


def _deck(deck_id: str | None) -> str:
    return " AND deck_id = :deck" if deck_id is not None else ""


def remaining_today(db: sqlite3.Connection, settings: SchedulerSettings, params: dict) -> tuple[int, int]:
    """New cards and reviews the learner may still do today (limits span all decks)."""
    new, reviews = db.execute(
        f"SELECT coalesce(sum(kind = {schema.NEW}), 0), coalesce(sum(kind = {schema.REVIEW}), 0) "
        "FROM reviews WHERE reviewed_at >= :day_start",
        params,
    ).fetchone()
    return max(0, settings.new_per_day - new), max(0, settings.reviews_per_day - reviews)


def today_queue(
    db: sqlite3.Connection,
    settings: SchedulerSettings,
    now: datetime,
    deck_id: str | None = None,
    cram: bool = False,
    limit: int | None = None,
) -> list[str]:
    """Card ids in study order. Cram mode: every studiable card of the deck(s) in notes order, no limits."""
    params = _params(settings, now, deck_id)
    deck = _deck(deck_id)
    if cram:
        return [
            r[0]
            for r in db.execute(
                "SELECT id FROM cards WHERE NOT orphaned AND NOT suspended AND NOT deck_suspended "
                f"AND NOT needs_answer{deck} ORDER BY position",
                params,
            )
        ]
    limit = limit if limit is not None else 1 << 62
    new_left, reviews_left = remaining_today(db, settings, params)

    def take(sql: str, most: int) -> list[str]:
        most = min(most, limit - len(queue))
        if most <= 0:
            return []
        return [r[0] for r in db.execute(f"{sql} LIMIT {most}", params)]

    queue: list[str] = []
    queue += take(
        f"SELECT id FROM cards WHERE {LEARNING} AND due <= :now AND {ELIGIBLE}{deck} ORDER BY due", limit
    )
    queue += take(
        f"SELECT id FROM cards WHERE state = {schema.REVIEW} AND due < :day_end AND {ELIGIBLE}{deck} "
        f"ORDER BY {BY_RETRIEVABILITY}",
        reviews_left,
    )
    queue += take(
        f"SELECT id FROM cards WHERE state IS NULL AND {ELIGIBLE}{deck} ORDER BY position", new_left
    )
    queue += take(
        f"SELECT id FROM cards WHERE {LEARNING} AND due > :now AND due <= :ahead AND {ELIGIBLE}{deck} "
        "ORDER BY due",
        limit,
    )
    return queue


def next_learning_due(
    db: sqlite3.Connection, settings: SchedulerSettings, now: datetime, deck_id: str | None = None
) -> datetime | None:
    """When the next learning card beyond today's queue falls due, if that is still today."""
    params = _params(settings, now, deck_id)
    found = db.execute(
        f"SELECT min(due) FROM cards WHERE {LEARNING} AND due > :ahead AND due < :day_end "
        f"AND {ELIGIBLE}{_deck(deck_id)}",
        params,
    ).fetchone()[0]
    return datetime.fromisoformat(found) if found else None


def due_counts(
    db: sqlite3.Connection, settings: SchedulerSettings, now: datetime, deck_id: str | None = None
) -> DueCounts:
    """How many new, learning and review cards today's queue holds now (what ``today_queue`` returns)."""
    params = _params(settings, now, deck_id)
    deck = _deck(deck_id)
    new_left, reviews_left = remaining_today(db, settings, params)
    learning, review, new = db.execute(
        f"SELECT coalesce(sum({LEARNING} AND due <= :ahead), 0), "
        f"coalesce(sum(state = {schema.REVIEW} AND due < :day_end), 0), "
        f"coalesce(sum(state IS NULL), 0) FROM cards WHERE {ELIGIBLE}{deck}",
        params,
    ).fetchone()
    return DueCounts(new=min(new, new_left), learning=learning, review=min(review, reviews_left))
