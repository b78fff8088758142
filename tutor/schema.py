"""The progress store's tables, and the migrations that bring an older store up to date.

``PRAGMA user_version`` holds the schema version and ``PRAGMA application_id`` marks the file as the
tutor's, so a foreign SQLite file is never mistaken for progress. Each migration runs in one
transaction: a store is either wholly at the old version or wholly at the new one.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from tutor.config import SchedulerSettings

APPLICATION_ID = 0x54555452  # "TUTR"
SCHEMA_VERSION = 2

# What a review's ``kind`` says about the card just before the answer (Anki's revlog types, plus cram).
NEW, LEARNING, REVIEW, RELEARNING, CRAM = 0, 1, 2, 3, 4

SCHEMA = f"""
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE cards (
    id             TEXT PRIMARY KEY,
    deck_id        TEXT NOT NULL,
    position       INTEGER NOT NULL,           -- order in the notes
    needs_answer   INTEGER NOT NULL DEFAULT 0, -- the deck has no answer yet: never queued
    deck_suspended INTEGER NOT NULL DEFAULT 0, -- suspended in the deck file
    suspended      INTEGER NOT NULL DEFAULT 0, -- suspended by the learner (or as a leech)
    leech          INTEGER NOT NULL DEFAULT 0,
    buried_until   TEXT,                       -- UTC: hidden from the queue until then
    orphaned       INTEGER NOT NULL DEFAULT 0, -- gone from the decks, history kept
    state          INTEGER,                    -- fsrs.State, NULL while the card is new
    step           INTEGER,
    stability      REAL,
    difficulty     REAL,
    due            TEXT,                       -- UTC, ISO 8601 with microseconds: sorts as text
    last_review    TEXT,
    reps           INTEGER NOT NULL DEFAULT 0,
    lapses         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cards_by_due ON cards (state, due);
CREATE INDEX cards_new ON cards (deck_id, position) WHERE state IS NULL;
CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id     TEXT NOT NULL REFERENCES cards (id),
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    reviewed_at TEXT NOT NULL,                 -- UTC
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    kind        INTEGER NOT NULL CHECK (kind BETWEEN {NEW} AND {CRAM}),
    state_after INTEGER,                       -- fsrs.State after the answer, NULL for cram
    card_before TEXT,                          -- JSON of the card's schedule before: what undo restores
    card_after  TEXT                           -- JSON of the card's schedule after
);
CREATE INDEX reviews_by_card ON reviews (card_id, id);
CREATE INDEX reviews_by_time ON reviews (reviewed_at);
"""


def create(db: sqlite3.Connection) -> None:
    """A fresh store at the current version (the caller holds the write transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _v1_to_v2(db: sqlite3.Connection, settings: SchedulerSettings | None = None) -> None:
    """Version 1 kept the FSRS fields and a bare log (card, rating, time, duration).

    Version 2 adds burying, leeches, orphans, cram, the deck's own suspension, and a log that records
    the state before and after each answer. The old log's states are recovered by replaying it through
    FSRS with the learner's own learning and relearning steps (states depend on ratings and steps only,
    never on fuzz); old answers cannot be undone.
    """
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for column in (
        "deck_suspended INTEGER NOT NULL DEFAULT 0",
        "leech INTEGER NOT NULL DEFAULT 0",
        "buried_until TEXT",
        "orphaned INTEGER NOT NULL DEFAULT 0",
        "reps INTEGER NOT NULL DEFAULT 0",
        "lapses INTEGER NOT NULL DEFAULT 0",
    ):
        db.execute(f"ALTER TABLE cards ADD COLUMN {column}")
    for column in (
        f"kind INTEGER NOT NULL DEFAULT {REVIEW} CHECK (kind BETWEEN {NEW} AND {CRAM})",
        "state_after INTEGER",
        "card_before TEXT",
        "card_after TEXT",
    ):
        db.execute(f"ALTER TABLE reviews ADD COLUMN {column}")
    history = defaultdict(list)
    for review_id, card_id, rating, reviewed_at in db.execute(
        "SELECT id, card_id, rating, reviewed_at FROM reviews ORDER BY reviewed_at, id"
    ):
        history[card_id].append((review_id, rating, datetime.fromisoformat(reviewed_at)))
    replay = (
        Scheduler(enable_fuzzing=False)
        if settings is None
        else Scheduler(
            enable_fuzzing=False,
            learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps),
            relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps),
        )
    )
    for card_id, answers in history.items():
        card, kind, lapses = FsrsCard(card_id=0, due=answers[0][2]), NEW, 0
        for review_id, rating, reviewed_at in answers:
            lapses += card.state == State.Review and rating == Rating.Again
            card, _ = replay.review_card(card, Rating(rating), review_datetime=reviewed_at)
            db.execute(
                "UPDATE reviews SET kind = ?, state_after = ? WHERE id = ?",
                (kind, int(card.state), review_id),
            )
            kind = int(card.state)
        db.execute("UPDATE cards SET reps = ?, lapses = ? WHERE id = ?", (len(answers), lapses, card_id))
    db.execute("DROP INDEX IF EXISTS reviews_card")
    db.execute("CREATE INDEX cards_by_due ON cards (state, due)")
    db.execute("CREATE INDEX cards_new ON cards (deck_id, position) WHERE state IS NULL")
    db.execute("CREATE INDEX reviews_by_card ON reviews (card_id, id)")
    db.execute("CREATE INDEX reviews_by_time ON reviews (reviewed_at)")


# MIGRATIONS[n] brings a version-n store to version n + 1.
MIGRATIONS = {1: _v1_to_v2}


def migrate(db: sqlite3.Connection, version: int, settings: SchedulerSettings | None = None) -> None:
    """Run every migration from ``version`` up (the caller holds the write transaction); ``settings``
    are the learner's scheduler settings, the defaults when None."""
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](db, settings)
        version += 1
        db.execute(f"PRAGMA user_version = {version}")
