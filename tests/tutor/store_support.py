"""Small stores made in the test: cards as plain objects, a fixed clock and a fixed time zone."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from tutor.config import SchedulerSettings
from tutor.store import Store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday noon; with TZ=UTC the study day is 2026-03-02


def card(card_id: str, deck: str = "basics", needs_answer: bool = False, suspended: bool = False):
    """What the store needs from a deck's card (tutor.decks.Card has these attributes)."""
    return SimpleNamespace(id=card_id, deck_id=deck, needs_answer=needs_answer, suspended=suspended)


def deck_cards(deck: str, count: int, prefix: str | None = None) -> list[SimpleNamespace]:
    return [card(f"{prefix or deck}-{i}", deck) for i in range(count)]


def open_store(path: Path, cards=(), backup: bool = True, **settings) -> Store:
    """A store at ``path`` with the given cards registered; ``settings`` override the scheduler defaults."""
    store = Store.open(path, settings=SchedulerSettings(**settings), timeout=0.3, backup=backup)
    if cards:
        store.sync_cards(cards)
    return store


def row(store: Store, card_id: str) -> dict:
    """The card's whole row in the store."""
    found = store.db.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
    return dict(found)


def log(store: Store) -> list[dict]:
    return [dict(r) for r in store.db.execute("SELECT * FROM reviews ORDER BY id")]


@pytest.fixture
def zone(monkeypatch):
    """Pin the local time zone (UTC unless the test asks for another) for Python and SQLite alike."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    set_zone("UTC")
    yield set_zone
    monkeypatch.undo()
    time.tzset()
