"""The learner's library: the decks from their files joined to their progress in the store.

``Library.open()`` reads the deck files, opens the progress store and tells it which cards the decks hold
now, once, in that order; the app and every command that needs progress hold one. What went wrong on the
way is kept, never raised: the deck files' problems (``problems``), what the store had to say (a file moved
aside, a wrong setting: ``notices``) and why there is no store at all (``trouble``: locked, damaged,
unwritable). The decks are worth showing even then; what needs the store asks ``need_store()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tutor.errors import TutorError

if TYPE_CHECKING:
    from tutor.decks import Card, Deck, DeckProblem
    from tutor.stats import Stats
    from tutor.store import Store
    from tutor.store_rows import CardState
    from tutor.study import DueCounts

Unsuspended = Literal["unsuspended", "not suspended", "in the deck file"]


@dataclass(frozen=True)
class DeckRow:
    """One deck as the Decks screen and ``tutor decks`` list it: today's counts, next due, cards seen."""

    deck: Deck
    counts: DueCounts | None  # None: no store, or nothing of the deck in it yet
    next_due: datetime | None
    seen: int


class Library:
    """The decks and cards by id, in the files' order, and the store (or why there is none)."""

    def __init__(
        self, deck_dirs: list[Path] | None = None, store_path: Path | None = None, *, visible: bool = False
    ) -> None:
        self.deck_dirs = deck_dirs  # None: the bundled decks, then the learner's
        self.store_path = store_path  # None: the learner's store in the data folder
        self.visible = visible  # draw the decks' control characters as text (the app; see terminal_text)
        self.decks: dict[str, Deck] = {}
        self.cards: dict[str, Card] = {}
        self.problems: list[DeckProblem] = []  # the deck files' problems at the last load
        self.store: Store | None = None
        self.notices: list[str] = []  # what the store said while opening: told once, then cleared
        self.trouble: str | None = None  # why there is no store, in one sentence

    @classmethod
    def open(
        cls,
        deck_dirs: list[Path] | None = None,
        store_path: Path | None = None,
        *,
        visible: bool = False,
        store: bool = True,
        sync: bool = True,
        backup: bool = True,
    ) -> Library:
        """Load the decks, then (``store``) open the store and (``sync``) tell it the decks' cards.

        ``sync=False`` only reads the store: a card it has not seen yet counts as new, and nothing is
        written (an export). ``backup`` makes the day's backup of the progress on the first open of a day.
        """
        library = cls(deck_dirs, store_path, visible=visible)
        library.load_decks()  # (frozen out of the collector's later passes: see tutor.decks.load_decks)
        if store:
            library.open_store(sync=sync, backup=backup)
        return library

    def load_decks(self) -> None:
        """Read the deck files (again, after an edit): decks, cards and problems; the store is synced."""
        from tutor.decks import load_decks

        decks, self.problems = load_decks(self.deck_dirs)
        if self.visible:
            from tutor.terminal_text import visible_decks

            decks = visible_decks(decks)  # a shared deck's escape sequences are drawn as text, never obeyed
        self.decks = {deck.id: deck for deck in decks}
        self.cards = {card.id: card for deck in decks for card in deck.cards}
        if self.store is not None:  # a TutorError (busy, full disk) leaves the store as it was
            self.store.sync_cards(list(self.cards.values()))

    def open_store(self, *, sync: bool = True, backup: bool = True) -> None:
        """Open the store (``trouble`` says why not) and sync it with the decks' cards."""
        from tutor.store import Store

        try:
            store = Store.open(self.store_path, backup=backup)
        except TutorError as exc:  # its message carries the notices of the way there
            self.trouble = str(exc)
            return
        self.notices.extend(store.notices)
        if sync:
            try:
                store.sync_cards(list(self.cards.values()))
            except TutorError as exc:  # another tutor holds the store: the decks show, nothing is due
                store.close()
                self.trouble = str(exc)
                return
        self.store = store

    def need_store(self) -> Store:
        """The store, or a TutorError saying why there is none."""
        if self.store is None:
            raise TutorError(self.trouble or "The progress store is not open.")
        return self.store

    def messages(self, *, problems: bool = True, trouble: bool = True) -> Iterator[str]:
        """What to tell the learner: the deck files' problems, then what the store said since the last
        call, then why there is no store."""
        if problems:
            yield from (str(problem) for problem in self.problems)
        notices, self.notices = self.notices, []
        yield from notices
        if trouble and self.trouble:
            yield self.trouble

    def deck_rows(self, now: datetime | None = None, *, seen: bool = True) -> list[DeckRow]:
        """Every deck with today's counts and next due (one query for all decks), and (``seen``) how many
        of its cards have been answered."""
        by_deck = self.store.by_deck(now=now) if self.store else {}
        answered = (
            {d.deck_id: d.learning + d.young + d.mature for d in self.store.deck_stats()}
            if self.store and seen
            else {}
        )
        rows = []
        for deck in self.decks.values():
            counts, next_due = by_deck.get(deck.id, (None, None))
            rows.append(DeckRow(deck, counts, next_due, answered.get(deck.id, 0)))
        return rows

    def today(self, deck_id: str | None = None, now: datetime | None = None) -> DueCounts | None:
        """What today's queue holds now in a deck (or all decks, within the limits they share); None
        without a store."""
        return self.store.deck_counts(deck_id, now=now) if self.store else None

    def stats(self, now: datetime | None = None) -> Stats | None:
        """Reviews, retention, streaks, forecast and every deck's cards; None without a store."""
        return self.store.stats(now=now) if self.store else None

    def states(self, card_ids: list[str] | None = None) -> dict[str, CardState]:
        """Where each card stands in the store, by id (all cards, or ``card_ids``); none without a store."""
        return self.store.card_states(card_ids) if self.store else {}

    def history(self, card_id: str) -> list[tuple[datetime, int, str, int]]:
        """A card's answers, oldest first (``Store.card_history``); none without a store."""
        return self.store.card_history(card_id) if self.store else []

    def unsuspend(self, card_id: str) -> Unsuspended:
        """Put a suspended card back in the queue. A card suspended in its deck file stays so (the file
        says it; editing the file is the way), and one that is not suspended is left as it is."""
        store = self.need_store()
        if self.cards[card_id].suspended:
            return "in the deck file"
        state = store.card_states([card_id]).get(card_id)
        if state is None or not state.suspended:
            return "not suspended"
        store.unsuspend(card_id)
        return "unsuspended"

    def title(self, deck_id: str | None) -> str:
        """A deck's title ("All decks" for None; the id of a deck that is gone)."""
        if deck_id is None:
            return "All decks"
        deck = self.decks.get(deck_id)
        return deck.title if deck else deck_id

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
