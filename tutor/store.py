"""The progress store: card schedules and the review log in one SQLite file, the way Anki keeps them.

Each answer is one transaction (the card's new schedule and its log row together), committed before
``grade`` returns, so a crash or ``kill -9`` loses nothing the learner saw accepted. The log is also the
undo stack: every row keeps the card's schedule from before the answer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import ReviewLog, Scheduler, State

from tutor import paths, scheduling, schema, siblings, stats, study
from tutor.config import SchedulerSettings, load_config
from tutor.errors import TutorError
from tutor.scheduling import RATINGS, as_utc
from tutor.stats import DeckStats, Stats
from tutor.store_files import (
    add_queue_index,
    busy_error,
    connect,
    daily_backup,
    damaged_row,
    damaged_rows,
    is_busy,
    is_damaged,
    move_aside,
    moved_notice,
    not_read,
    not_saved,
    problem_with,
    unreadable,
)
from tutor.store_rows import (
    CARD_STATE_COLUMNS,
    CardState,
    Graded,
    SyncResult,
    card_state,
    seed,
    stamp,
    to_fsrs,
    when,
)

LEECH_LAPSES = 8  # Anki's default: after 8 lapses a card is a leech, then again every 4 more
MAX_ANSWER_MS = 300_000  # a learner who walked away from a card should not skew the averages
# A clock set back by up to a day since the latest answer is taken as standing still; an answer
# further ahead than that was given with a wrong clock.
CLOCK_STEP_BACK = timedelta(days=1)

# What a row with impossible values raises while it is read (a bad date, state 9, JSON that is not):
# SQLite's own checks do not look inside values.
ROW_DAMAGE = (ValueError, TypeError, KeyError, OverflowError)
# The columns a grade changes; a log row's card_before holds them so undo can put them back.
SCHEDULE = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
# What an answer's card_before may hold: the schedule, a leech's suspension, and the siblings it buried.
RESTORABLE = {*SCHEDULE, "suspended", "leech", "siblings"}


class Store:
    """Open with ``Store.open()``; use as a context manager or call ``close()``."""

    def __init__(self, db: sqlite3.Connection, path: Path, settings: SchedulerSettings, timeout: float):
        self.db = db
        self.path = path
        self.settings = settings
        self.timeout = timeout
        self.notices: list[str] = []  # things the learner must be told (a file moved aside)
        self._scheduler: Scheduler | None = None

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        settings: SchedulerSettings | None = None,
        timeout: float = 2.0,
        backup: bool = True,
    ) -> Store:
        """Open (or create) the store; a damaged or foreign file is moved aside, never overwritten."""
        path = Path(path) if path else paths.store_path()
        notices: list[str] = []
        if settings is None:
            config = load_config()
            settings = config.scheduler
            notices.extend(config.problems)  # a wrong setting falls back to its default, and is told
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = cls._connect(path, timeout, settings, notices)
        except OSError as exc:
            raise _with_notices(notices, unreadable(path, exc)) from None
        except TutorError as exc:
            raise _with_notices(notices, exc) from None
        try:
            damage = damaged_rows(db)
        except sqlite3.Error as exc:
            db.close()
            raise _with_notices(notices, not_read(path, exc)) from None
        if damage:
            db.close()
            raise _with_notices(
                notices,
                TutorError(
                    f"The progress store {path} is damaged: {damage}; copy a daily backup from "
                    f"{paths.backups_dir()} over it, or move it away to start afresh."
                ),
            )
        add_queue_index(db)
        store = cls(db, path, settings, timeout)
        store.notices = notices
        with store._reading():
            ahead, latest = store.future_answers()
        if ahead and latest is not None:
            store.notices.append(
                f"{ahead} answer{'s are' if ahead > 1 else ' is'} in {path} dated in the future (the latest "
                f"{latest.astimezone():%Y-%m-%d %H:%M}): the clock was ahead when they were given. They are "
                "kept, today's limits do not count them, and new answers get the right time."
            )
        if backup:
            with store._reading():
                has_reviews = db.execute("SELECT 1 FROM reviews LIMIT 1").fetchone()
            if has_reviews:
                try:
                    daily_backup(db, paths.backups_dir(), scheduling.study_day(scheduling.utc_now(), 0))
                except (OSError, sqlite3.Error) as exc:
                    store.notices.append(
                        f"Today's backup of your progress into {paths.backups_dir()} failed ({exc}); "
                        "your progress itself is safe, but check that folder."
                    )
        return store

    @staticmethod
    def _connect(
        path: Path, timeout: float, settings: SchedulerSettings, notices: list[str]
    ) -> sqlite3.Connection:
        """Connect; only a file proven unfit to be the store is moved aside (``notices`` says where)."""
        for attempt in range(2):
            problem = problem_with(path, schema.APPLICATION_ID)
            if problem:
                notices.append(moved_notice(path, problem, move_aside(path)))
            try:
                return connect(path, timeout, settings)
            except sqlite3.DatabaseError as exc:
                if attempt == 0 and is_damaged(exc):
                    notices.append(moved_notice(path, "damaged", move_aside(path)))
                    continue
                raise busy_error(path, timeout) if is_busy(exc) else unreadable(path, exc) from None
        raise AssertionError("unreachable: the second attempt returns or raises")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. A lock held longer than ``timeout``, a full disk or a read-only file is
        one sentence (``TutorError``); SQLite rolls the transaction back, so nothing saved before changes.
        """
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from None
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            self._roll_back()
            if isinstance(exc, sqlite3.Error):
                raise self._write_error(exc) from None
            if isinstance(exc, ROW_DAMAGE):
                raise damaged_row(self.path, exc) from None
            raise

    def _roll_back(self) -> None:
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (a full disk or an I/O error does that)

    def _write_error(self, exc: sqlite3.Error) -> TutorError:
        if is_busy(exc):
            return busy_error(self.path, self.timeout)
        return not_saved(self.path, exc)

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self.db
        except sqlite3.Error as exc:
            if is_busy(exc):
                raise busy_error(self.path, self.timeout) from None
            raise not_read(self.path, exc) from None
        except ROW_DAMAGE as exc:
            raise damaged_row(self.path, exc) from None

    # --- the scheduler -----------------------------------------------------------------------

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            self._scheduler = scheduling.make_scheduler(self.settings, self.parameters)
        return self._scheduler

    @property
    def parameters(self) -> list[float] | None:
        """FSRS parameters fitted by ``tutor optimize`` (None: the package's defaults)."""
        with self._reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'fsrs_parameters'").fetchone()
            return json.loads(row[0]) if row else None

    def set_parameters(self, parameters: list[float] | None) -> None:
        scheduling.make_scheduler(self.settings, parameters)  # refuse bad parameters before storing them
        with self._writing() as db:
            if parameters is None:
                db.execute("DELETE FROM meta WHERE key = 'fsrs_parameters'")
            else:
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('fsrs_parameters', ?)",
                    (json.dumps([float(p) for p in parameters]),),
                )
        self._scheduler = None

    # --- cards -------------------------------------------------------------------------------

    def sync_cards(self, cards: Iterable) -> SyncResult:
        """Register the decks' cards (objects with id, deck_id, needs_answer, suspended), given in study
        order: decks as the learner sees them listed, each deck's cards in notes order.

        Cards no longer given become orphans: out of every queue, history kept, back when they return.
        """
        wanted = {
            c.id: (c.deck_id, position, int(c.needs_answer), int(c.suspended), 0)
            for position, c in enumerate(cards)
        }
        with self._writing() as db:
            rows = db.cursor()
            rows.row_factory = None  # plain tuples: every card is compared at each start
            stored = {
                row[0]: row[1:]
                for row in rows.execute(
                    "SELECT id, deck_id, position, needs_answer, deck_suspended, orphaned FROM cards"
                )
            }
            # Only the rows that differ are written: at each start nearly every card is as it was.
            changed = [
                (card_id, *values[:4]) for card_id, values in wanted.items() if stored.get(card_id) != values
            ]
            db.executemany(
                "INSERT INTO cards (id, deck_id, position, needs_answer, deck_suspended) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET deck_id = excluded.deck_id, "
                "position = excluded.position, needs_answer = excluded.needs_answer, "
                "deck_suspended = excluded.deck_suspended, orphaned = 0",
                changed,
            )
            gone = [card_id for card_id, values in stored.items() if not values[-1] and card_id not in wanted]
            db.executemany("UPDATE cards SET orphaned = 1 WHERE id = ?", ((card_id,) for card_id in gone))
        return SyncResult(
            added=[card_id for card_id in wanted if card_id not in stored],
            returned=[card_id for card_id in wanted if card_id in stored and stored[card_id][-1] == 1],
            orphaned=gone,
        )

    def _card(self, db: sqlite3.Connection, card_id: str) -> sqlite3.Row:
        row = db.execute("SELECT rowid AS num, * FROM cards WHERE id = ?", (card_id,)).fetchone()
        if row is None:
            raise TutorError(
                f"Card '{card_id}' is not in the progress store {self.path}; sync the decks first."
            )
        return row

    def card_states(self, card_ids: Iterable[str] | None = None) -> dict[str, CardState]:
        """Progress of the given cards (all cards, orphans included, when None), by card id."""
        columns = ", ".join(CARD_STATE_COLUMNS)
        with self._reading() as db:
            cursor = db.cursor()
            cursor.row_factory = None  # plain tuples: Browse reads every card's row
            if card_ids is None:
                rows = cursor.execute(f"SELECT {columns} FROM cards").fetchall()
            else:
                ids = list(card_ids)
                rows = cursor.execute(
                    f"SELECT {columns} FROM cards WHERE id IN ({', '.join('?' * len(ids))})", ids
                ).fetchall()
            names: dict[int | None, str] = {}
            return {row[0]: card_state(row, names) for row in rows}

    def fsrs_card(self, card_id: str, now: datetime | None = None) -> FsrsCard:
        """The card as ``fsrs`` sees it (a new card is in learning step 0, due now)."""
        with self._reading() as db:
            return to_fsrs(self._card(db, card_id), as_utc(now))

    def next_intervals(self, card_id: str, now: datetime | None = None) -> dict[int, timedelta]:
        """Rating 1..4 -> how long until the card is due again if that rating is given now."""
        now = as_utc(now)
        with self._reading() as db:
            row = self._card(db, card_id)
            now = self._in_log_order(db, now)
            return {rating: outcome.interval for rating, outcome in self._outcomes(row, now).items()}

    def _outcomes(self, row: sqlite3.Row, now: datetime) -> dict[int, scheduling.Outcome]:
        hour = self.settings.day_start_hour
        previous = 0
        last, due = when(row["last_review"]), when(row["due"])
        if row["state"] == State.Review and last is not None and due is not None:
            previous = scheduling.elapsed_days(last, due, hour)
        return scheduling.outcomes(self.scheduler, to_fsrs(row, now), now, hour, seed(row), previous)

    def _in_log_order(self, db: sqlite3.Connection, now: datetime) -> datetime:
        """``now``, or the latest answer's time when the clock stepped back a little since it, so the
        log stays in time order. A latest answer far ahead was given with a wrong clock: it is not
        followed (``future_answers`` reports it)."""
        latest = self._latest_review(db)
        if latest is not None and now < latest <= now + CLOCK_STEP_BACK:
            return latest
        return now

    def _latest_review(self, db: sqlite3.Connection) -> datetime | None:
        latest = db.execute("SELECT max(reviewed_at) FROM reviews").fetchone()[0]
        return datetime.fromisoformat(latest) if latest else None

    def future_answers(self, now: datetime | None = None) -> tuple[int, datetime | None]:
        """How many answers are dated later than ``now`` (a clock that was ahead), and the latest."""
        now = as_utc(now) + CLOCK_STEP_BACK
        with self._reading() as db:
            count, latest = db.execute(
                "SELECT count(*), max(reviewed_at) FROM reviews WHERE reviewed_at > ?", (stamp(now),)
            ).fetchone()
        return count, when(latest)

    # --- answering ---------------------------------------------------------------------------

    def grade(
        self,
        card_id: str,
        rating: int,
        duration_ms: int,
        now: datetime | None = None,
        cram: bool = False,
        shown_at: datetime | None = None,
    ) -> Graded:
        """Record an answer (1 Again, 2 Hard, 3 Good, 4 Easy); committed when this returns.

        ``shown_at``, when the card was put on screen with its button intervals: the outcome is the
        one those buttons showed, even when a day start passed while the card was on screen. In cram
        mode the answer is logged but the schedule is left as it was.
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be 1..4, not {rating!r}")
        now = as_utc(now)
        duration_ms = max(0, min(int(duration_ms), MAX_ANSWER_MS))
        with self._writing() as db:
            row = self._card(db, card_id)
            now = self._in_log_order(db, now)
            if cram:
                review_id = db.execute(
                    "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, kind) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (card_id, rating, stamp(now), duration_ms, schema.CRAM),
                ).lastrowid
                assert review_id is not None  # an INSERT always gives its row's id
                return Graded(card_id, rating, review_id, None)
            seen = now if shown_at is None else min(self._in_log_order(db, as_utc(shown_at)), now)
            outcome = self._outcomes(row, seen)[rating]
            card = outcome.card
            card.due = outcome.due(now, self.settings.day_start_hour)
            card.last_review = now
            before = {name: row[name] for name in SCHEDULE}
            lapsed = scheduling.is_lapse(State(row["state"]) if row["state"] else None, rating)
            lapses = row["lapses"] + lapsed
            became_leech = (
                lapsed and lapses >= LEECH_LAPSES and (lapses - LEECH_LAPSES) % (LEECH_LAPSES // 2) == 0
            )
            after = {
                "state": int(card.state),
                "step": card.step,
                "stability": card.stability,
                "difficulty": card.difficulty,
                "due": stamp(card.due),
                "last_review": stamp(card.last_review),
                "reps": row["reps"] + 1,
                "lapses": lapses,
            }
            if became_leech:
                before |= {"suspended": row["suspended"], "leech": row["leech"]}
                after |= {"suspended": 1, "leech": 1}
            buried = self._bury_siblings(db, card_id, now)
            if buried:
                before["siblings"] = buried
            db.execute(
                f"UPDATE cards SET {', '.join(f'{name} = ?' for name in after)} WHERE id = ?",
                (*after.values(), card_id),
            )
            review_id = db.execute(
                "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, kind, state_after, "
                "card_before, card_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card_id,
                    rating,
                    stamp(now),
                    duration_ms,
                    row["state"] or schema.NEW,
                    after["state"],
                    json.dumps(before),
                    json.dumps(after),
                ),
            ).lastrowid
        assert review_id is not None  # an INSERT always gives its row's id
        return Graded(card_id, rating, review_id, card.due, became_leech)

    def _bury_siblings(self, db: sqlite3.Connection, card_id: str, now: datetime) -> dict[str, str | None]:
        """Hide the other cards of the answered card's note until the next study day (Anki's sibling
        burying): a reversed or cloze card does not follow its sibling the same day. Cards in (re)learning
        keep their steps. Returns each buried card's ``buried_until`` as it was, for undo."""
        note = siblings.note_id(card_id)
        low, high = siblings.id_range(note)
        _, tomorrow = scheduling.today_bounds(now, self.settings.day_start_hour)
        until = stamp(tomorrow)
        rows = db.execute(
            "SELECT id, buried_until FROM cards WHERE (id = ? OR (id >= ? AND id < ?)) AND id != ? "
            f"AND NOT orphaned AND coalesce({study.LEARNING}, 0) = 0 "
            "AND (buried_until IS NULL OR buried_until < ?)",
            (note, low, high, card_id, until),
        ).fetchall()
        db.executemany("UPDATE cards SET buried_until = ? WHERE id = ?", ((until, r["id"]) for r in rows))
        return {r["id"]: r["buried_until"] for r in rows}

    def undo(self) -> str | None:
        """Take back the latest answer: the card's schedule is exactly what it was, the log row is gone.

        Returns the card's id, or None when there is nothing left to undo (answers carried over from an
        older store version do not record what to restore).
        """
        with self._writing() as db:
            last = db.execute(
                "SELECT id, card_id, kind, card_before FROM reviews ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if last is None or (last["kind"] != schema.CRAM and last["card_before"] is None):
                return None
            if last["kind"] != schema.CRAM:
                before = json.loads(last["card_before"])
                if not isinstance(before, dict) or not set(before) <= RESTORABLE:
                    raise ValueError(f"answer {last['id']} records an unknown schedule")
                buried = before.pop("siblings", None) or {}
                db.executemany(
                    "UPDATE cards SET buried_until = ? WHERE id = ?",
                    ((until, sibling) for sibling, until in buried.items()),
                )
                db.execute(
                    f"UPDATE cards SET {', '.join(f'{name} = ?' for name in before)} WHERE id = ?",
                    (*before.values(), last["card_id"]),
                )
            db.execute("DELETE FROM reviews WHERE id = ?", (last["id"],))
        return last["card_id"]

    def suspend(self, card_id: str) -> None:
        self._set(card_id, "suspended = 1")

    def unsuspend(self, card_id: str) -> None:
        """Back into the queue; a leech keeps its tag (and counts lapses on from where it was)."""
        self._set(card_id, "suspended = 0")

    def bury(self, card_id: str, now: datetime | None = None) -> None:
        """Hide the card until the next study day begins."""
        _, tomorrow = scheduling.today_bounds(as_utc(now), self.settings.day_start_hour)
        self._set(card_id, "buried_until = ?", stamp(tomorrow))

    def unbury(self, card_id: str) -> None:
        """Back into today's queue (the review screen's undo of a bury)."""
        self._set(card_id, "buried_until = NULL")

    def _set(self, card_id: str, assignment: str, *values) -> None:
        with self._writing() as db:
            self._card(db, card_id)
            db.execute(f"UPDATE cards SET {assignment} WHERE id = ?", (*values, card_id))

    # --- queue and statistics (tutor.study, tutor.stats) -----------------------------------------

    def queue(self, deck_id: str | None = None, now: datetime | None = None, cram: bool = False) -> list[str]:
        """Card ids in study order: see ``tutor.study.today_queue``."""
        with self._reading() as db:
            return study.today_queue(db, self.settings, as_utc(now), deck_id, cram)

    def next_card(self, deck_id: str | None = None, now: datetime | None = None) -> str | None:
        with self._reading() as db:
            first = study.today_queue(db, self.settings, as_utc(now), deck_id, limit=1)
        return first[0] if first else None

    def next_due(self, deck_id: str | None = None, now: datetime | None = None) -> datetime | None:
        """When the learner can next study this deck (or all), learn-ahead included (``study.next_due``)."""
        with self._reading() as db:
            return study.next_due(db, self.settings, as_utc(now), deck_id)

    def in_learning(self, deck_id: str | None = None, now: datetime | None = None) -> int:
        """Cards of a deck (or all) in (re)learning that will come up again (``study.in_learning``)."""
        with self._reading() as db:
            return study.in_learning(db, self.settings, as_utc(now), deck_id)

    def deck_counts(self, deck_id: str | None = None, now: datetime | None = None) -> study.DueCounts:
        """New / learning / review cards due now in one deck (or all), within today's limits."""
        with self._reading() as db:
            return study.due_counts(db, self.settings, as_utc(now), deck_id)

    def due_by_deck(self, now: datetime | None = None) -> dict[str, study.DueCounts]:
        """``deck_counts`` of every deck, by deck id."""
        return {deck: counts for deck, (counts, _) in self.by_deck(now).items()}

    def by_deck(self, now: datetime | None = None) -> dict[str, tuple[study.DueCounts, datetime | None]]:
        """Every deck's ``deck_counts`` and ``next_due`` together, in one query (``study.by_deck``)."""
        with self._reading() as db:
            return study.by_deck(db, self.settings, as_utc(now))

    def stats(self, now: datetime | None = None) -> Stats:
        with self._reading() as db:
            return stats.collect(db, self.settings, as_utc(now))

    def deck_stats(self) -> list[DeckStats]:
        """Just the per-deck card counts of ``stats()``, without reading the review log (cheap)."""
        with self._reading() as db:
            return stats.deck_stats(db)

    def card_history(self, card_id: str) -> list[tuple[datetime, int, str, int]]:
        """One card's answers, oldest first: (when, rating 1-4, "new" / "learning" / ... / "cram", ms)."""
        kinds = {schema.NEW: "new", schema.LEARNING: "learning", schema.REVIEW: "review"}
        kinds |= {schema.RELEARNING: "relearning", schema.CRAM: "cram"}
        with self._reading() as db:
            rows = db.execute(
                "SELECT reviewed_at, rating, kind, duration_ms FROM reviews WHERE card_id = ? ORDER BY id",
                (card_id,),
            ).fetchall()
        return [(datetime.fromisoformat(at), rating, kinds[kind], ms) for at, rating, kind, ms in rows]

    def review_logs(self) -> list[ReviewLog]:
        """The learner's answers as ``fsrs`` review logs (cram answers left out), for the optimizer."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT c.rowid, r.rating, r.reviewed_at, r.duration_ms FROM reviews r "
                f"JOIN cards c ON c.id = r.card_id WHERE r.kind != {schema.CRAM} ORDER BY r.id"
            ).fetchall()
            return [ReviewLog(num, rating, datetime.fromisoformat(at), ms) for num, rating, at, ms in rows]


def _with_notices(notices: list[str], error: TutorError) -> TutorError:
    """Keep the news of a file moved aside when opening then fails anyway."""
    return TutorError(" ".join([*notices, str(error)])) if notices else error
