"""Today's queue: which cards to study now, in what order, within the learner's daily limits.

Order (as in Anki's v3 scheduler): learning and relearning cards whose time has come; then the day's
main queue: (re)learning cards on a step of a day or more (due for all of their study day), reviews
(the ones the learner is most likely to have forgotten first), and new cards in the order of the notes,
spread evenly among the reviews (``new_order = "mix"``; "after" puts them after the reviews, "first"
before); and last the learning cards due within the next few minutes (so a session does not stop
while a card is ten minutes from due).

Limits count the whole study day across all decks. A new card's first answer counts against the
review limit too, and new cards get only what the reviews due leave of it (Anki's rule), so a
backlog of reviews is not buried under new cards. Answers dated in the future (a clock that was
ahead) never count against today.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from tutor import schema
from tutor.config import SchedulerSettings
from tutor.scheduling import day_start, study_day, today_bounds

LEARN_AHEAD = timedelta(minutes=20)  # Anki's "learn ahead limit"
ELIGIBLE = (
    "NOT orphaned AND NOT suspended AND NOT deck_suspended AND NOT needs_answer "
    "AND (buried_until IS NULL OR buried_until <= :now)"
)
LEARNING = f"state IN ({int(schema.LEARNING)}, {int(schema.RELEARNING)})"
# Lower retrievability first: FSRS's R falls as study days elapsed / stability grows. The days are
# Anki's own count, whole days from the last answer to the next day start (no time-zone lookup per row).
BY_RETRIEVABILITY = (
    "max(0, CAST(julianday(:day_end) - julianday(last_review) AS INTEGER)) * 1.0 / stability DESC, "
    "due, position"
)
# A (re)learning card whose step reached past a day start is due at the start of its study day.
DAY_LEARNING = f"{LEARNING} AND due <= :day_start"
INTRADAY = f"{LEARNING} AND due > :day_start"
REVIEW_DUE = f"state = {schema.REVIEW} AND due < :day_end"


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


@dataclass(frozen=True)
class Allowance:
    """What today's limits leave: new cards, and answers to reviews and new cards together."""

    new: int
    reviews: int

    def split(self, reviews_due: int, new_waiting: int) -> tuple[int, int]:
        """(reviews, new cards) to take now: reviews first, new cards from what they leave."""
        reviews = min(reviews_due, self.reviews)
        return reviews, max(0, min(new_waiting, self.new, self.reviews - reviews))


def remaining_today(db: sqlite3.Connection, settings: SchedulerSettings, params: dict) -> Allowance:
    """New cards and reviews the learner may still do today (limits span all decks)."""
    new, reviews = db.execute(
        f"SELECT coalesce(sum(kind = {schema.NEW}), 0), coalesce(sum(kind = {schema.REVIEW}), 0) "
        "FROM reviews WHERE reviewed_at >= :day_start AND reviewed_at < :day_end",
        params,
    ).fetchone()
    return Allowance(
        new=max(0, settings.new_per_day - new), reviews=max(0, settings.reviews_per_day - reviews - new)
    )


def mix_evenly(reviews: int, new: int) -> Iterator[bool]:
    """Where the new cards go among ``reviews`` reviews (True: a new card), spread evenly the way
    Anki's queue builder interleaves them."""
    ratio = (reviews + 1) / (new + 1)
    i = j = 0
    while i < reviews or j < new:
        if j < new and (i == reviews or (j + 1) * ratio < i + 1):
            j += 1
            yield True
        else:
            i += 1
            yield False


def _main_queue(order: str, reviews: int, new: int) -> Iterator[bool]:
    if order == "first":
        return iter([True] * new + [False] * reviews)
    if order == "after":
        return iter([False] * reviews + [True] * new)
    return mix_evenly(reviews, new)


def today_queue(
    db: sqlite3.Connection,
    settings: SchedulerSettings,
    now: datetime,
    deck_id: str | None = None,
    cram: bool = False,
    limit: int | None = None,
) -> list[str]:
    """Card ids in study order. Cram mode: every studiable card of the deck(s) in notes order, no limits.

    With a ``limit`` only that many are read (the next card costs a few indexed lookups, not a sort of
    the whole day)."""
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
    most = limit if limit is not None else 1 << 62
    queue: list[str] = []

    def take(sql: str, count: int | None = None) -> list[str]:
        count = most - len(queue) if count is None else min(count, most - len(queue))
        return [r[0] for r in db.execute(f"{sql} LIMIT {count}", params)] if count > 0 else []

    queue += take(f"SELECT id FROM cards WHERE {INTRADAY} AND due <= :now AND {ELIGIBLE}{deck} ORDER BY due")
    queue += take(f"SELECT id FROM cards WHERE {DAY_LEARNING} AND {ELIGIBLE}{deck} ORDER BY due, position")
    if len(queue) < most:
        allowance = remaining_today(db, settings, params)
        reviews_due = db.execute(  # counted up to what the limit allows: more would change nothing
            f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE {REVIEW_DUE} AND {ELIGIBLE}{deck} "
            f"LIMIT {allowance.reviews})",
            params,
        ).fetchone()[0]
        new_waiting = db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE state IS NULL AND {ELIGIBLE}{deck} "
            f"LIMIT {allowance.new})",
            params,
        ).fetchone()[0]
        review_count, new_count = allowance.split(reviews_due, new_waiting)
        places = list(_main_queue(settings.new_order, review_count, new_count))[: most - len(queue)]
        reviews = iter(
            take(
                f"SELECT id FROM cards WHERE {REVIEW_DUE} AND {ELIGIBLE}{deck} ORDER BY {BY_RETRIEVABILITY}",
                places.count(False),
            )
        )
        new = iter(
            take(
                f"SELECT id FROM cards WHERE state IS NULL AND {ELIGIBLE}{deck} ORDER BY position",
                places.count(True),
            )
        )
        queue += [next(new) if is_new else next(reviews) for is_new in places]
    room = most - len(queue)
    if room <= 0:
        return queue
    ahead = [
        r[0]
        for r in db.execute(  # one more than there is room for: the card just answered may go second
            f"SELECT id FROM cards WHERE {INTRADAY} AND due > :now AND due <= :ahead AND {ELIGIBLE}{deck} "
            f"ORDER BY due LIMIT {min(room, 1 << 62) + 1}",
            params,
        )
    ]
    if len(ahead) > 1 and ahead[0] == _latest_answered(db):
        # Just answered and back within minutes: after the next waiting card, as Anki requeues it.
        ahead[0], ahead[1] = ahead[1], ahead[0]
    queue += ahead
    return queue[:most]


def _latest_answered(db: sqlite3.Connection) -> str | None:
    found = db.execute("SELECT card_id FROM reviews ORDER BY id DESC LIMIT 1").fetchone()
    return found[0] if found else None


def due_counts(
    db: sqlite3.Connection, settings: SchedulerSettings, now: datetime, deck_id: str | None = None
) -> DueCounts:
    """How many new, learning and review cards today's queue holds now (what ``today_queue`` returns)."""
    params = _params(settings, now, deck_id)
    deck = _deck(deck_id)
    allowance = remaining_today(db, settings, params)
    learning, review, new = db.execute(
        f"SELECT coalesce(sum(({INTRADAY} AND due <= :ahead) OR ({DAY_LEARNING})), 0), "
        f"coalesce(sum({REVIEW_DUE}), 0), "
        f"coalesce(sum(state IS NULL), 0) FROM cards WHERE {ELIGIBLE}{deck}",
        params,
    ).fetchone()
    review, new = allowance.split(review, new)
    return DueCounts(new=new, learning=learning, review=review)


def next_due(
    db: sqlite3.Connection, settings: SchedulerSettings, now: datetime, deck_id: str | None = None
) -> datetime | None:
    """When the learner can next study here: now when today's queue has a card; else the earliest of a
    learning card's time less the learn-ahead, the study day a review or a day-learning card falls
    due on, and tomorrow for new cards the new limit held back. None: nothing is scheduled."""
    if today_queue(db, settings, now, deck_id, limit=1):
        return now
    params = _params(settings, now, deck_id)
    deck = _deck(deck_id)
    learning, later, new = db.execute(
        f"SELECT min(CASE WHEN {INTRADAY} THEN due END), min(CASE WHEN NOT ({INTRADAY}) THEN due END), "
        f"coalesce(sum(state IS NULL), 0) FROM cards WHERE {ELIGIBLE}{deck}",
        params,
    ).fetchone()
    return _next_time(now, settings, params, learning, later, new)


def _next_time(
    now: datetime,
    settings: SchedulerSettings,
    params: dict,
    learning: str | None,
    later: str | None,
    new: int,
) -> datetime | None:
    """``next_due`` when today's queue is empty: from the earliest intraday learning due, the earliest other
    due, and whether new cards wait for tomorrow's limit."""
    hour = settings.day_start_hour
    found = []
    if learning:
        found.append(max(now, datetime.fromisoformat(learning) - LEARN_AHEAD))
    if later:
        found.append(max(now, day_start(study_day(datetime.fromisoformat(later), hour), hour)))
    if new:
        found.append(datetime.fromisoformat(params["day_end"]))
    return min(found, default=None)


def by_deck(
    db: sqlite3.Connection, settings: SchedulerSettings, now: datetime
) -> dict[str, tuple[DueCounts, datetime | None]]:
    """Every deck's ``due_counts`` and ``next_due`` (each deck as if studied alone), in one pass over the
    cards instead of a few queries per deck; decks whose cards are all orphans are left out."""
    params = _params(settings, now, None)
    allowance = remaining_today(db, settings, params)
    rows = db.execute(
        "SELECT deck_id, "
        f"coalesce(sum({ELIGIBLE} AND (({INTRADAY} AND due <= :ahead) OR ({DAY_LEARNING}))), 0), "
        f"coalesce(sum({ELIGIBLE} AND {REVIEW_DUE}), 0), coalesce(sum({ELIGIBLE} AND state IS NULL), 0), "
        f"min(CASE WHEN {ELIGIBLE} AND {INTRADAY} THEN due END), "
        f"min(CASE WHEN {ELIGIBLE} AND NOT ({INTRADAY}) THEN due END) "
        "FROM cards WHERE NOT orphaned GROUP BY deck_id ORDER BY deck_id",
        params,
    )
    found: dict[str, tuple[DueCounts, datetime | None]] = {}
    for deck_id, learning, review_due, new_waiting, learning_due, later in rows:
        review, new = allowance.split(review_due, new_waiting)
        counts = DueCounts(new=new, learning=learning, review=review)
        # a deck with cards today can be studied now (next_due's first test)
        when = now if counts.total else _next_time(now, settings, params, learning_due, later, new_waiting)
        found[deck_id] = counts, when
    return found


def in_learning(
    db: sqlite3.Connection, settings: SchedulerSettings, now: datetime, deck_id: str | None
) -> int:
    """How many cards of a deck (or all) are in (re)learning and will come up again: not suspended,
    buried, orphaned or waiting for an answer."""
    params = _params(settings, now, deck_id)
    (count,) = db.execute(
        f"SELECT count(*) FROM cards WHERE {ELIGIBLE} AND {LEARNING}{_deck(deck_id)}", params
    ).fetchone()
    return count
