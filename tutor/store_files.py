"""The store's file on disk: connecting and upgrading it, telling a damaged or foreign file from ours,
moving such a file aside, and backups.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

from tutor import paths, schema
from tutor.config import SchedulerSettings
from tutor.errors import TutorError

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUPS_KEPT = 7
BACKUP_PREFIX = "progress-"


def is_busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock (SQLITE_BUSY / SQLITE_LOCKED)."""
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        "locked" in str(exc)
    )


def _primary_code(exc: sqlite3.Error | OSError) -> int | None:
    """SQLite's primary result code (SQLITE_FULL, ...) of an extended one (SQLITE_IOERR_WRITE, ...)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_damaged(exc: sqlite3.Error) -> bool:
    """SQLITE_CORRUPT or SQLITE_NOTADB: the file is not a database we can trust."""
    return _primary_code(exc) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def problem_with(path: Path, application_id: int) -> str | None:
    """Why the file at ``path`` is proven unfit to be the store, or None (it is ours, or absent/empty).

    Only a file we could read and found wrong gets a reason (and is moved aside by the caller). A file
    we cannot read at all (permissions, no free inode, a folder in its place) raises ``TutorError``:
    it may be a good store, so it stays where it is.
    """
    if path.is_dir():
        raise TutorError(
            f"The progress store {path} is a folder, not a file; move the folder away "
            "(or set TUTOR_HOME to another place) and start the tutor again."
        )
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise unreadable(path, exc) from None
    if not header:
        return None
    if header != SQLITE_HEADER:
        return "not a SQLite database"
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error as exc:
        raise unreadable(path, exc) from None
    try:
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
        if app != application_id and (app != 0 or tables):
            return "a SQLite database of another program"
        if tables and version == 0:
            # The tutor sets the version in the transaction that makes its tables: this was not the tutor.
            return "a database with tables but no store version (not written by the tutor)"
        if _checked_as_is(path):
            return None
        seen = _fingerprint(path)  # before the check: a write during it makes the next start check again
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            return "damaged"
        _record_check(path, seen)
        return None
    except sqlite3.Error as exc:
        if is_damaged(exc):
            return "damaged"
        if is_busy(exc):  # a lock is not damage: the caller waits on it and reports it
            return None
        raise unreadable(path, exc) from None
    finally:
        db.close()


# A file changed within this many seconds of its check may change again in the same clock tick without its
# size or times showing it: its check is not recorded.
RECENT_SECONDS = 2.0


def checked_path(path: Path) -> Path:
    """Where the store's last clean ``quick_check`` is recorded: beside the store."""
    return path.with_name(f"{path.name}.checked")


def _fingerprint(path: Path) -> str | None:
    """The store's file and its write-ahead log as the file system describes them (None: one is unreadable
    or changed too recently to tell a later change apart)."""
    parts = []
    for name in (path, Path(f"{path}-wal")):
        try:
            info = os.stat(name)
        except FileNotFoundError:
            info = None
        except OSError:
            return None
        if info is None or (name != path and info.st_size == 0):
            parts.append("-")  # no log, or an empty one (opening the store makes it): nothing in it to check
            continue
        if time.time() - info.st_mtime < RECENT_SECONDS:
            return None
        parts.append(f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}")
    return " ".join(parts)


def _checked_as_is(path: Path) -> bool:
    """Whether the store is, byte for byte as far as its size and times tell, the file last found sound.

    SQLite's ``quick_check`` reads every page (0.1 s for 500,000 answers); a store nothing has written to
    since its last clean check (``tutor decks``, ``due`` and ``stats`` write nothing) needs no other one.
    """
    try:
        recorded = checked_path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False
    seen = _fingerprint(path)
    return seen is not None and recorded == seen


def _record_check(path: Path, seen: str | None) -> None:
    """Record a clean check of the store as it was (``seen``); one that cannot be written costs a check."""
    target = checked_path(path)
    try:
        if seen is None:
            target.unlink(missing_ok=True)
            return
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(seen, encoding="ascii")
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError:
        pass


def _bad_time(column: str) -> str:
    """SQL true when ``column`` holds something other than the UTC timestamps the store writes."""
    pattern = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*+00:00"
    return f"({column} IS NOT NULL AND ({column} NOT GLOB '{pattern}' OR datetime({column}) IS NULL))"


# Values SQLite's quick_check does not look at, each as (table, SQL that is true for a damaged row, what).
ROW_CHECKS = (
    (
        "cards",
        "state IS NOT NULL AND (state NOT IN (1, 2, 3) OR typeof(stability) NOT IN ('real', 'integer') "
        "OR typeof(difficulty) NOT IN ('real', 'integer') OR due IS NULL "
        f"OR (step IS NOT NULL AND typeof(step) != 'integer')) OR {_bad_time('due')} "
        f"OR {_bad_time('last_review')} OR {_bad_time('buried_until')} "
        "OR typeof(reps) != 'integer' OR typeof(lapses) != 'integer' OR reps < 0 OR lapses < 0",
        "has an impossible schedule",
    ),
    (
        "reviews",
        f"rating NOT BETWEEN 1 AND 4 OR kind NOT BETWEEN 0 AND 4 OR {_bad_time('reviewed_at')} "
        "OR reviewed_at IS NULL OR typeof(duration_ms) != 'integer' "
        "OR (card_before IS NOT NULL AND NOT json_valid(card_before)) "
        "OR (card_after IS NOT NULL AND NOT json_valid(card_after))",
        "is damaged",
    ),
    ("meta", "key = 'fsrs_parameters' AND NOT json_valid(value)", "(the fitted FSRS parameters) is damaged"),
)


def damaged_rows(db: sqlite3.Connection) -> str | None:
    """The first row whose values the tutor cannot use, as "card 'x' has an impossible schedule"; None if
    every row is sound (the app would otherwise crash on the row later, on every start).

    Each check is also a partial index (``cards_damaged``, ``reviews_damaged``) holding exactly the rows it
    finds: SQLite keeps it up to date on every write, whoever makes it (the tutor, or a SQLite shell editing
    the file), so the check reads an index that is empty in a sound store instead of scanning every row
    (500,000 answers: 0.25 s at each start). The first opening builds it with one scan; a store that cannot
    be written to build it (read-only, locked) gets the scan."""
    for table, damaged, what in ROW_CHECKS:
        key = "key" if table == "meta" else "id"
        indexed, row = (False, None) if table == "meta" else _indexed_damage(db, table, key, damaged)
        if not indexed:
            row = db.execute(f"SELECT {key} FROM {table} WHERE {damaged} LIMIT 1").fetchone()
        if row is not None:
            return f"{table.removesuffix('s')} {row[0]!r} {what}"
    return None


def _indexed_damage(db: sqlite3.Connection, table: str, key: str, damaged: str) -> tuple[bool, tuple | None]:
    """(whether the table's damage index could be made and read, the first damaged row it holds)."""
    try:
        db.execute(f"CREATE INDEX IF NOT EXISTS {table}_damaged ON {table} ({key}) WHERE {damaged}")
        return True, db.execute(
            f"SELECT {key} FROM {table} INDEXED BY {table}_damaged WHERE {damaged} LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError:
        return False, None  # read-only or locked: the caller scans instead


# Today's queue counts and sorts the cards due by state and due time, and needs each one's eligibility
# flags, deck, last answer, stability and place: all of them in the index, so neither the counts nor the
# next card read the table itself (50,000 cards: the next card in ~2 ms instead of ~10 ms).
QUEUE_INDEX = (
    "CREATE INDEX IF NOT EXISTS cards_queue ON cards (state, due, buried_until, orphaned, suspended, "
    "deck_suspended, needs_answer, deck_id, last_review, stability, position, id)"
)


def add_queue_index(db: sqlite3.Connection) -> None:
    """Build the queue's index if the store lacks it (once); a store that cannot be written is only slower."""
    try:
        db.execute(QUEUE_INDEX)
    except sqlite3.OperationalError:
        pass


def move_aside(path: Path) -> Path:
    """Rename the file (and its -wal/-shm companions) to a name that is not taken; return the new path."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.unusable-{stamp}")
    count = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        count += 1
        target = path.with_name(f"{path.name}.unusable-{stamp}-{count}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.rename(source, f"{target}{suffix}")
    return target


def copy_store(db: sqlite3.Connection, target: Path) -> Path:
    """A consistent copy of the open store (SQLite's online backup), written under a temporary name first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    copy = sqlite3.connect(partial)
    try:
        db.backup(copy)
    finally:
        copy.close()
    os.replace(partial, target)
    return target


def daily_backup(db: sqlite3.Connection, folder: Path, today: date) -> Path | None:
    """Copy the store once per day into ``folder``, keeping the newest ``BACKUPS_KEPT`` copies."""
    target = folder / f"{BACKUP_PREFIX}{today.isoformat()}.sqlite3"
    if target.exists():
        return None
    copy_store(db, target)
    backups = sorted(folder.glob(f"{BACKUP_PREFIX}????-??-??.sqlite3"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink()
    return target


def connect(path: Path, timeout: float, settings: SchedulerSettings | None = None) -> sqlite3.Connection:
    """Connect, switch on WAL and foreign keys, and bring the schema to the current version (an old
    history is replayed with the learner's scheduler ``settings``)."""
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")  # a commit is on disk before grade() returns
        db.execute("PRAGMA foreign_keys = ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > schema.SCHEMA_VERSION:
            raise TutorError(
                f"{path} was written by a newer tutor (store version {version}); "
                "upgrade the tutor to open it."
            )
        if version < schema.SCHEMA_VERSION:
            if version > 0:  # keep the store as it was before upgrading it
                copy_store(db, paths.backups_dir() / f"progress-v{version}-before-upgrade.sqlite3")
            db.execute("BEGIN IMMEDIATE")
            try:
                # Another tutor starting at the same moment may have done it while we waited.
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    schema.create(db)
                elif version < schema.SCHEMA_VERSION:
                    schema.migrate(db, version, settings)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return db
    except BaseException:
        db.close()
        raise


def busy_error(path: Path, timeout: float) -> TutorError:
    return TutorError(
        f"The progress store {path} is busy: another tutor kept it locked for over {timeout:g} s; "
        "close the other tutor or wait for it to finish, then try again."
    )


def unreadable(path: Path, exc: sqlite3.Error | OSError) -> TutorError:
    """A store that could not be opened; the file is left as it is (it may be perfectly good)."""
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if _primary_code(exc) == sqlite3.SQLITE_FULL or getattr(exc, "errno", None) == errno.ENOSPC:
        advice = "free some space on that disk"
    else:
        advice = "check that you may read and write it and its folder, and that the disk has free space"
    return TutorError(f"The progress store {path} cannot be opened ({why}); {advice}, then start again.")


def not_saved(path: Path, exc: sqlite3.Error | OSError) -> TutorError:
    """A write that failed for another reason than a lock; SQLite rolled it back, so nothing saved changed."""
    code = _primary_code(exc)
    if code == sqlite3.SQLITE_FULL or getattr(exc, "errno", None) == errno.ENOSPC:
        why = "the disk is full; free some space and try again"
    elif code == sqlite3.SQLITE_READONLY:
        why = f"{path} is read-only; make it (and its -wal and -shm files) writable and try again"
    elif code == sqlite3.SQLITE_CANTOPEN or code == sqlite3.SQLITE_PERM:
        why = f"{path} or a file beside it cannot be opened for writing; check the permissions"
    elif code == sqlite3.SQLITE_IOERR:
        why = f"the disk failed to write {path} ({exc}); check the disk and try again"
    else:
        why = f"{path} could not be written ({exc}); try again"
    return TutorError(f"Not saved: {why}.")


def not_read(path: Path, exc: sqlite3.Error) -> TutorError:
    return TutorError(
        f"The progress store {path} could not be read ({exc}); check the disk, then start the tutor again."
    )


def damaged_row(path: Path, exc: Exception) -> TutorError:
    """A row whose values the tutor cannot use (a check SQLite's quick_check does not make)."""
    return TutorError(
        f"The progress store {path} holds a damaged row ({type(exc).__name__}: {exc}); "
        f"restore it from a daily backup in {paths.backups_dir()}."
    )


def moved_notice(path: Path, problem: str, moved_to: Path) -> str:
    return (
        f"{path} was {problem}, so it was moved to {moved_to} and a new progress store was started "
        f"(daily backups are in {paths.backups_dir()})."
    )
