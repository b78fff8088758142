"""A study session: Anki's review loop over a library, with no screen in it.

``StudySession(library, deck_id, cram)`` takes cards from the store's queue for one deck (or all decks),
or every studiable card of a deck once in cram mode. It owns the card on screen (``current``, and for a
live card the variant drawn, ``asked``), what is left today (``counts``), the grade buttons' intervals,
and everything done in the session: ``grade``, ``suspend`` and ``bury`` are one call each that writes the
store and moves on to the next card, ``undo`` takes them back one at a time (then grades of earlier
sessions, from the store's log), and ``summary`` says how it went. A screen draws what the session holds.

A write the store refuses (busy, disk full) raises TutorError and leaves the session as it was: the same
card, to try again. Without a store (``library.trouble`` says why) the session has no cards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from tutor.live_cards import LiveQuestion, draw
from tutor.scheduling import RATINGS

if TYPE_CHECKING:
    from tutor.decks import Card
    from tutor.library import Library
    from tutor.store import Store
    from tutor.store_rows import Graded
    from tutor.study import DueCounts

Kind = Literal["grade", "suspend", "bury"]
HIDDEN = {"suspend": "suspended", "bury": "buried"}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Done:
    """One thing the learner did in the session: a grade (with its rating), a suspension or a bury."""

    kind: Kind
    card_id: str
    rating: int | None = None


@dataclass(frozen=True)
class Undone:
    """What ``undo`` took back; ``card`` is None when the card has left the decks since."""

    kind: Kind
    card_id: str
    card: Card | None


@dataclass(frozen=True)
class Summary:
    """The session at its end: the grades given, how long it took, and when the next card is ready."""

    graded: list[tuple[str, int]]
    seconds: float
    next_due: datetime | None  # None: nothing scheduled here (or a cram, which schedules nothing)
    learning: int  # cards still in (re)learning that will come up again

    @property
    def reviewed(self) -> int:
        return len(self.graded)

    @property
    def by_rating(self) -> dict[int, int]:
        """How many answers got each rating, 1 Again .. 4 Easy."""
        return {rating: sum(1 for _, r in self.graded if r == rating) for rating in RATINGS}

    @property
    def again_share(self) -> float:
        return self.by_rating[1] / self.reviewed if self.reviewed else 0.0


@dataclass
class StudySession:
    library: Library
    deck_id: str | None = None  # None: every deck
    cram: bool = False  # every card of the deck once; answers are logged, schedules left as they are
    clock: Callable[[], datetime] = utc_now
    rng: random.Random = field(default_factory=random.Random)  # which variant of a live card comes up
    # The card in front of the learner; for a live card, the variant drawn (its question and demo call).
    current: Card | None = field(default=None, init=False)
    asked: LiveQuestion | None = field(default=None, init=False)
    shown_at: datetime | None = field(default=None, init=False)
    # What is left today, the current card included, and the grade buttons' intervals (none in a cram).
    counts: DueCounts | None = field(default=None, init=False)
    intervals: dict[int, timedelta] = field(default_factory=dict, init=False)
    done: list[Done] = field(default_factory=list, init=False)  # latest last, undone ones removed
    started: datetime | None = field(default=None, init=False)
    queue: list[str] = field(default_factory=list, init=False)  # card ids in study order (a cram's: left)

    # Moving through the queue.

    def start(self) -> None:
        """Put the first card in front of the learner (none when nothing is due or there is no store)."""
        self.started = self.clock()
        if self.store is None:
            return
        if self.cram:
            self.queue = self.store.queue(self.deck_id, now=self.started, cram=True)
        self._next()

    @property
    def store(self) -> Store | None:
        return self.library.store

    def _next(self) -> None:
        if self.cram:
            while self.queue and self.queue[0] not in self.library.cards:
                self.queue.pop(0)  # an edit took it out of its deck
            card_id = self.queue.pop(0) if self.queue else None
        else:
            self.queue = self._due_queue()
            card_id = self.queue[0] if self.queue else None
        self._show(card_id)

    def _due_queue(self) -> list[str]:
        """The store's queue as of now, without cards an edit took out of their decks."""
        due = self._store().queue(self.deck_id, now=self.clock())
        return [card_id for card_id in due if card_id in self.library.cards]

    def _show(self, card_id: str | None) -> None:
        """Make ``card_id`` the current card: draw a live card's variant, count what is left, and work out
        the grade buttons' intervals as of now."""
        self.current = self.library.cards[card_id] if card_id is not None else None
        self.shown_at = self.clock()
        card = self.current
        self.asked = draw(card.live, card.question, self.rng) if card and card.live is not None else None
        if card is None or self.cram:
            self.counts, self.intervals = None, {}
            return
        store = self._store()
        self.counts = store.deck_counts(self.deck_id, now=self.shown_at)
        self.intervals = store.next_intervals(card.id, now=self.shown_at)

    def _store(self) -> Store:
        return self.library.need_store()

    @property
    def left(self) -> int:
        """Cards left in a cram, the current one included."""
        return len(self.queue) + (self.current is not None)

    # What the learner does.

    def grade(self, rating: int) -> Graded:
        """Record the answer to the current card (1 Again .. 4 Easy) and move on to the next card."""
        card = self._current()
        now = self.clock()
        duration_ms = int((now - self.shown_at).total_seconds() * 1000) if self.shown_at else 0
        graded = self._store().grade(
            card.id,
            rating,
            duration_ms,
            now=now,
            cram=self.cram,
            shown_at=self.shown_at,  # the outcome on the buttons, even if a day start passed since
        )
        self.done.append(Done("grade", card.id, rating))
        self._next()
        return graded

    def suspend(self) -> None:
        """Take the current card out of reviews until it is unsuspended; on to the next card."""
        card = self._current()
        self._store().suspend(card.id)
        self.done.append(Done("suspend", card.id))
        self._next()

    def bury(self) -> None:
        """Hide the current card until the next study day; on to the next card."""
        card = self._current()
        self._store().bury(card.id, now=self.clock())
        self.done.append(Done("bury", card.id))
        self._next()

    def undo(self) -> Undone | None:
        """Take back the latest grade, suspension or bury of this session (then grades of earlier
        sessions); the card comes back in front. None: nothing to undo."""
        if self.store is None:
            return None
        if self.done and self.done[-1].kind in HIDDEN:
            last = self.done[-1]
            restore = self.store.unsuspend if last.kind == "suspend" else self.store.unbury
            restore(last.card_id)
            self.done.pop()
            return self._back(last.kind, last.card_id)
        card_id = self.store.undo()
        if card_id is None:
            return None
        if self.done and (self.done[-1].kind, self.done[-1].card_id) == ("grade", card_id):
            self.done.pop()
        return self._back("grade", card_id)

    def _back(self, kind: Kind, card_id: str) -> Undone:
        """The card ``undo`` restored, in front of the queue again (if it is still in a deck)."""
        card = self.library.cards.get(card_id)
        if card is not None:
            if self.cram:
                if self.current is not None:
                    self.queue.insert(0, self.current.id)
            else:  # back in the queue (the counts say so), in front
                self.queue = [card_id, *(other for other in self._due_queue() if other != card_id)]
            self._show(card_id)
        return Undone(kind, card_id, card)

    def refresh(self) -> bool:
        """After the decks were read again (an edit): the current card as it is now, or the next card
        when the edit took it out of its deck (False)."""
        if self.current is None:
            return True
        if self.current.id not in self.library.cards:
            self._next()
            return False
        self._show(self.current.id)
        return True

    def _current(self) -> Card:
        if self.current is None:
            raise ValueError("no card is in front of the learner")
        return self.current

    # What the session shows.

    @property
    def graded(self) -> list[tuple[str, int]]:
        """(card id, rating) of each answer given in this session and not undone."""
        return [(d.card_id, d.rating) for d in self.done if d.kind == "grade" and d.rating is not None]

    @property
    def last_hidden(self) -> str | None:
        """ "suspended" or "buried" when that was the session's last action (u undoes it), else None."""
        return HIDDEN.get(self.done[-1].kind) if self.done else None

    def demo_links(self) -> list[tuple[str, dict]]:
        """The current card's demos; a live card's own demo first, with the arguments of the variant asked."""
        card = self._current()
        links = [(link.name, dict(link.args)) for link in card.demos]
        if self.asked is None:
            return links
        # The live demo opens on the variant asked, in place of the card's link to the same demo.
        others = [(name, args) for name, args in links if name != self.asked.demo]
        return [(self.asked.demo, dict(self.asked.args)), *others]

    def summary(self) -> Summary:
        now = self.clock()
        seconds = (now - self.started).total_seconds() if self.started else 0.0
        next_due, learning = None, 0
        if self.store is not None and not self.cram:
            next_due = self.store.next_due(self.deck_id, now=now)
            if next_due is not None:
                learning = self.store.in_learning(self.deck_id, now=now)
        return Summary(self.graded, seconds, next_due, learning)
