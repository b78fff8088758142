"""The store's rows as the rest of the tutor reads them: a card's progress (``CardState``), what an answer
and a sync did, and the FSRS card a schedule row stands for. Times are stored as fixed-width UTC text."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from fsrs import Card as FsrsCard
from fsrs import State


def stamp(moment: datetime) -> str:
    """UTC time as fixed-width text (sorts in time order)."""
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Graded:
    """What one answer did: the app shows the interval and warns when the card became a leech."""

    card_id: str
    rating: int
    review_id: int
    due: datetime | None  # None in cram mode: the schedule did not change
    became_leech: bool = False


@dataclass(frozen=True)
class SyncResult:
    added: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)  # orphans back in a deck, history intact
    orphaned: list[str] = field(default_factory=list)  # newly gone from the decks


@dataclass(frozen=True)
class CardState:
    """One card's progress as Browse and the card dialog show it."""

    id: str
    deck_id: str
    state: str  # "new", "learning", "review" or "relearning"
    due: datetime | None
    last_review: datetime | None
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    suspended: bool  # by the learner or as a leech (the deck's own flag is on the deck's card)
    leech: bool
    buried_until: datetime | None
    orphaned: bool


STATE_NAMES = {
    None: "new",
    State.Learning: "learning",
    State.Review: "review",
    State.Relearning: "relearning",
}


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


CARD_STATE_COLUMNS = (
    "id",
    "deck_id",
    "state",
    "due",
    "last_review",
    "stability",
    "difficulty",
    "reps",
    "lapses",
    "suspended",
    "leech",
    "buried_until",
    "orphaned",
)


def card_state(row: tuple, names: dict[int | None, str]) -> CardState:
    """A row of ``CARD_STATE_COLUMNS`` as a CardState; ``names`` keeps the state names already looked up."""
    card_id, deck_id, state, due, last_review, stability, difficulty, reps, lapses, *flags = row
    suspended, leech, buried_until, orphaned = flags
    name = names.get(state)
    if name is None:
        name = names[state] = STATE_NAMES[State(state) if state else None]
    return CardState(
        card_id,
        deck_id,
        name,
        when(due),
        when(last_review),
        stability,
        difficulty,
        reps,
        lapses,
        bool(suspended),
        bool(leech),
        when(buried_until),
        bool(orphaned),
    )


def seed(row: sqlite3.Row) -> str:
    return f"{row['id']}:{row['reps']}"


def to_fsrs(row: sqlite3.Row, now: datetime) -> FsrsCard:
    if row["state"] is None:
        return FsrsCard(card_id=row["num"], state=State.Learning, step=0, due=now)
    return FsrsCard(
        card_id=row["num"],
        state=State(row["state"]),
        step=row["step"],
        stability=row["stability"],
        difficulty=row["difficulty"],
        due=datetime.fromisoformat(row["due"]),
        last_review=datetime.fromisoformat(row["last_review"]) if row["last_review"] else None,
    )
