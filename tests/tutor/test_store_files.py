"""The store's file: migration from version 1, a locked store, damaged and foreign files, backups."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest
from fsrs import Card, Rating, Scheduler
from store_support import NOW, card, log, open_store, row

from tutor import paths, schema
from tutor.errors import TutorError
from tutor.store import Store
from tutor.store_rows import stamp

V1_SCHEMA = """
CREATE TABLE cards (
    id TEXT PRIMARY KEY, deck_id TEXT NOT NULL, position INTEGER NOT NULL,
    needs_answer INTEGER NOT NULL DEFAULT 0, suspended INTEGER NOT NULL DEFAULT 0,
    state INTEGER, step INTEGER, stability REAL, difficulty REAL, due TEXT, last_review TEXT
);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT, card_id TEXT NOT NULL REFERENCES cards (id),
    rating INTEGER NOT NULL, reviewed_at TEXT NOT NULL, duration_ms INTEGER NOT NULL
);
CREATE INDEX reviews_card ON reviews (card_id);
"""


def write_v1_store(path):
    """A version-1 store: card 'a' answered Good, Good, Good, Again, Good; card 'b' new."""
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    scheduler = Scheduler(enable_fuzzing=False)
    state, moment, answers = Card(card_id=1, due=NOW), NOW, []
    for rating in (3, 3, 3, 1, 3):
        state, _ = scheduler.review_card(state, Rating(rating), review_datetime=moment)
        answers.append(("a", rating, stamp(moment), 4000))
        moment = state.due
    db.execute(
        "INSERT INTO cards VALUES ('a', 'basics', 0, 0, 0, ?, ?, ?, ?, ?, ?)",
        (
            int(state.state),
            state.step,
            state.stability,
            state.difficulty,
            stamp(state.due),
            stamp(state.last_review),
        ),
    )
    db.execute("INSERT INTO cards (id, deck_id, position) VALUES ('b', 'basics', 1)")
    db.executemany(
        "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms) VALUES (?, ?, ?, ?)", answers
    )
    db.commit()
    db.close()
    return state


def test_a_version_1_store_is_migrated_with_its_history(tmp_path):
    path = tmp_path / "progress.sqlite3"
    final = write_v1_store(path)
    store = open_store(path, fuzzing=False)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    a = row(store, "a")
    assert (a["stability"], a["due"], a["reps"], a["lapses"]) == (final.stability, stamp(final.due), 5, 1)
    history = log(store)
    assert [r["kind"] for r in history] == [
        schema.NEW,
        schema.LEARNING,
        schema.REVIEW,
        schema.REVIEW,
        schema.RELEARNING,
    ]
    assert [r["state_after"] for r in history] == [1, 2, 2, 3, 2]
    assert [r["duration_ms"] for r in history] == [4000] * 5
    # The untouched copy from before the upgrade is in the backups folder.
    before = sqlite3.connect(paths.backups_dir() / "progress-v1-before-upgrade.sqlite3")
    assert before.execute("PRAGMA user_version").fetchone()[0] == 1
    assert before.execute("SELECT count(*) FROM reviews").fetchone()[0] == 5
    before.close()
    # Old answers cannot be undone (they never recorded the state before); new ones can.
    assert store.undo() is None
    store.sync_cards([card("a"), card("b")])
    assert store.queue(now=NOW)[0] == "b"
    store.grade("a", 3, 1000, now=final.due)
    assert store.undo() == "a" and row(store, "a") == a


def test_a_store_from_a_newer_tutor_is_refused(tmp_path):
    path = tmp_path / "progress.sqlite3"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(TutorError, match="written by a newer tutor .store version 99.; upgrade the tutor"):
        open_store(path)
    assert path.exists()


HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE cards SET position = position")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


def hold_lock(path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_another_tutor_holding_the_lock_gives_one_clear_sentence(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = open_store(path, [card("a")])  # waits at most 0.3 s for a lock
    holder = hold_lock(path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(TutorError) as caught:
            store.grade("a", 3, 1000, now=NOW)
        waited = time.monotonic() - started
        assert store.queue(now=NOW) == ["a"]  # reading still works while another tutor writes
    finally:
        holder.kill()
        holder.wait()
    message = str(caught.value)
    assert str(path) in message and "another tutor" in message and "try again" in message
    assert "\n" not in message and message.endswith(".")
    assert 0.25 <= waited < 5
    store.grade("a", 3, 1000, now=NOW)  # once the other tutor is gone, answers go in
    assert len(log(store)) == 1
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_short_lock_is_waited_out(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = Store.open(path, timeout=5.0)
    store.sync_cards([card("a")])
    holder = hold_lock(path, 0.3)
    store.grade("a", 3, 1000, now=NOW)
    holder.wait()
    assert len(log(store)) == 1


def test_a_file_that_is_not_sqlite_is_moved_aside_and_kept(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_text("my shopping list\n", encoding="utf-8")
    store = open_store(path, [card("a")])
    [notice] = store.notices
    moved = tmp_path / notice.split(" moved to ")[1].split(" and ")[0].rsplit("/", 1)[1]
    assert moved.read_text(encoding="utf-8") == "my shopping list\n"
    assert "not a SQLite database" in notice and str(path) in notice and str(paths.backups_dir()) in notice
    store.grade("a", 3, 1000, now=NOW)
    assert len(log(store)) == 1


def test_another_programs_database_is_moved_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE invoices (number INTEGER, total REAL)")
    other.execute("INSERT INTO invoices VALUES (1, 9.5)")
    other.commit()
    other.close()
    store = open_store(path)
    assert "a SQLite database of another program" in store.notices[0]
    [moved] = [p for p in tmp_path.iterdir() if ".unusable-" in p.name]
    assert sqlite3.connect(moved).execute("SELECT total FROM invoices").fetchone() == (9.5,)


def test_a_damaged_store_is_moved_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = open_store(path, [card(f"c{i}") for i in range(300)])
    store.grade("c0", 3, 1000, now=NOW)
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page : page * 3] = b"\xff" * (page * 2)  # scribble over the second and third pages
    path.write_bytes(bytes(data))
    store = open_store(path)
    assert "was damaged" in store.notices[0]
    assert any(".unusable-" in p.name for p in tmp_path.iterdir())
    assert store.queue(now=NOW) == []  # a fresh store; the damaged one is kept for rescue


def test_a_daily_backup_keeps_the_newest_seven(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with open_store(path, [card("a")]) as store:
        store.grade("a", 3, 1000, now=NOW)
    folder = paths.backups_dir()
    assert not folder.exists()  # the first open had nothing to back up yet
    for day in range(1, 9):
        (folder / f"progress-2020-01-0{day}.sqlite3").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"progress-2020-01-0{day}.sqlite3").write_bytes(b"")
    open_store(path).close()
    backups = sorted(p.name for p in folder.glob("progress-*.sqlite3"))
    assert len(backups) == 7
    assert backups[0] == "progress-2020-01-03.sqlite3"
    newest = folder / backups[-1]
    assert sqlite3.connect(newest).execute("SELECT count(*) FROM reviews").fetchone() == (1,)
    open_store(path).close()  # the same day again: no second copy
    assert sorted(p.name for p in folder.glob("progress-*.sqlite3")) == backups


def test_a_failed_backup_is_reported_and_the_store_still_opens(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with open_store(path, [card("a")]) as store:
        store.grade("a", 3, 1000, now=NOW)
    paths.backups_dir().write_text("a file where the backups folder should be", encoding="utf-8")
    store = open_store(path)
    [notice] = store.notices
    assert notice.startswith(f"Today's backup of your progress into {paths.backups_dir()} failed")
    assert notice.endswith("your progress itself is safe, but check that folder.")
    store.grade("a", 3, 1000, now=NOW)
    assert len(log(store)) == 2


def test_a_version_1_history_is_replayed_with_the_learners_own_steps(tmp_path):
    """Good, Good, Good with steps of 1, 10 and 60 minutes leaves the card in learning at step 2; with
    the default two steps it would have graduated (and the third answer would count as a review)."""
    path = tmp_path / "progress.sqlite3"
    write_v1_store(path)
    store = open_store(path, fuzzing=False, learning_steps=[1, 10, 60])
    history = log(store)
    assert [r["kind"] for r in history][:3] == [schema.NEW, schema.LEARNING, schema.LEARNING]
    assert [r["state_after"] for r in history][:3] == [1, 1, 2]


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """Every SQL statement run on a connection opened from here on, in order."""
    from tutor import store_files

    seen: list[str] = []
    real = sqlite3.connect

    def connect(*args, **kwargs):
        db = real(*args, **kwargs)
        db.set_trace_callback(seen.append)
        return db

    monkeypatch.setattr(store_files.sqlite3, "connect", connect)
    return seen


def aged(path) -> None:
    """The store as it is between two starts: last written a minute ago."""
    past = time.time() - 60
    os.utime(path, (past, past))


def test_a_store_unchanged_since_its_clean_check_is_not_checked_again(tmp_path, statements):
    path = tmp_path / "progress.sqlite3"
    open_store(path, [card("a"), card("b")]).close()
    aged(path)
    open_store(path, [card("a"), card("b")]).close()  # syncing unchanged cards writes nothing
    assert statements.count("PRAGMA quick_check") == 1
    assert (tmp_path / "progress.sqlite3.checked").is_file()
    store = open_store(path)
    assert statements.count("PRAGMA quick_check") == 1 and store.notices == []
    store.grade("a", 3, 1000, now=NOW)  # a write: the next start checks the store again
    store.close()
    aged(path)
    open_store(path).close()
    assert statements.count("PRAGMA quick_check") == 2


def test_a_store_damaged_after_its_clean_check_is_checked_and_moved_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = open_store(path, [card(f"c{i}") for i in range(300)])
    store.grade("c0", 3, 1000, now=NOW)
    store.close()
    aged(path)
    open_store(path).close()  # a clean check, recorded
    info = path.stat()
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # same size and time: only its change time tells
    store = open_store(path)
    assert "was damaged" in store.notices[0]
    assert store.queue(now=NOW) == []


def test_a_store_written_just_now_is_checked_at_each_start(tmp_path, statements):
    path = tmp_path / "progress.sqlite3"
    open_store(path, [card("a")]).close()
    open_store(path).close()
    open_store(path).close()
    assert statements.count("PRAGMA quick_check") == 2  # its clock tick may not be over: nothing recorded
    assert not (tmp_path / "progress.sqlite3.checked").exists()
