"""Faults around the store's file: SQLite cannot open a good store, a full disk, a read-only store, rows
damaged in ways SQLite's checks miss. A good store is never moved aside, and nothing saved is lost.
"""

from __future__ import annotations

import os
import sqlite3

import pytest
from store_support import NOW, card, log, open_store, row

from tutor import schema
from tutor.errors import TutorError
from tutor.store import Store


def answered_store(path, answers: int = 3):
    with open_store(path, [card("a"), card("b")]) as store:
        for minute in range(answers):
            store.grade("a", 3, 1000, now=NOW.replace(minute=minute))
        return log(store)


def test_a_good_store_that_sqlite_cannot_open_stays_where_it_is(tmp_path):
    path = tmp_path / "progress.sqlite3"
    before = answered_store(path)
    (tmp_path / "progress.sqlite3-wal").mkdir()  # SQLite cannot open its log: SQLITE_CANTOPEN
    with pytest.raises(TutorError) as caught:
        open_store(path)
    message = str(caught.value)
    assert message.startswith(f"The progress store {path} cannot be opened (")
    assert "check that you may read and write it" in message and "\n" not in message
    assert not [p for p in tmp_path.iterdir() if ".unusable-" in p.name]
    (tmp_path / "progress.sqlite3-wal").rmdir()
    with open_store(path) as store:
        assert log(store) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its permissions")
def test_an_unreadable_store_stays_where_it_is(tmp_path):
    path = tmp_path / "progress.sqlite3"
    answered_store(path)
    path.chmod(0)
    try:
        with pytest.raises(TutorError, match="cannot be opened"):
            open_store(path)
    finally:
        path.chmod(0o644)
    assert not [p for p in tmp_path.iterdir() if ".unusable-" in p.name]


def test_a_folder_named_like_the_store_is_one_sentence(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.mkdir()
    with pytest.raises(TutorError, match=r"progress.sqlite3 is a folder, not a file; move the folder away"):
        open_store(path)
    assert path.is_dir()


def test_a_store_with_the_tutors_tables_but_no_version_is_moved_aside_and_the_learner_told(tmp_path):
    path = tmp_path / "progress.sqlite3"
    answered_store(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 0")
    db.close()
    store = open_store(path)
    [notice] = store.notices
    assert "no store version" in notice and " moved to " in notice
    [moved] = [p for p in tmp_path.glob("*.unusable-*") if not p.name.endswith(("-wal", "-shm"))]
    assert sqlite3.connect(moved).execute("SELECT count(*) FROM reviews").fetchone() == (3,)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


def test_the_news_of_a_moved_file_is_kept_when_opening_then_fails(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    path.write_text("my shopping list\n", encoding="utf-8")

    def cannot_open(*_args):
        error = sqlite3.OperationalError("unable to open database file")
        error.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN
        raise error

    monkeypatch.setattr("tutor.store.connect", cannot_open)
    with pytest.raises(TutorError) as caught:
        Store.open(path)
    assert "not a SQLite database, so it was moved to" in str(caught.value)
    assert "cannot be opened" in str(caught.value)


def test_a_full_disk_while_grading_is_one_sentence_and_keeps_every_saved_answer(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = open_store(path, [card("a"), card("b")])
    store.grade("a", 3, 1000, now=NOW)
    saved, a = log(store), row(store, "a")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL, as on a full disk
    with pytest.raises(TutorError, match=r"^Not saved: the disk is full; free some space and try again\.$"):
        store.sync_cards([card("a"), card("b")] + [card(f"new-{i}" + "x" * 200) for i in range(200)])
    assert log(store) == saved and row(store, "a") == a
    store.db.execute("PRAGMA max_page_count = 1073741823")
    store.grade("b", 4, 1000, now=NOW)
    assert [r["card_id"] for r in log(store)] == ["a", "b"]


def test_a_read_only_store_is_not_saved_and_keeps_its_answers(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = open_store(path, [card("a")])
    store.grade("a", 3, 1000, now=NOW)
    store.db.execute("PRAGMA query_only = 1")  # writes fail as on a read-only file: SQLITE_READONLY
    with pytest.raises(TutorError, match=r"^Not saved: .*progress.sqlite3 is read-only; make it"):
        store.grade("a", 3, 1000, now=NOW)
    with pytest.raises(TutorError, match="^Not saved"):
        store.undo()
    store.db.execute("PRAGMA query_only = 0")
    assert len(log(store)) == 1


def test_rows_damaged_in_ways_quick_check_misses_are_one_sentence(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = open_store(path, [card("a"), card("b")])
    store.grade("a", 3, 1000, now=NOW)
    store.db.execute("UPDATE cards SET due = 'next tuesday', state = 9 WHERE id = 'a'")
    store.db.execute("UPDATE reviews SET card_before = '{not json'")
    for read in (lambda: store.card_states(), lambda: store.next_intervals("a", now=NOW)):
        with pytest.raises(TutorError, match=r"holds a damaged row .*restore it from a daily backup in"):
            read()
    with pytest.raises(TutorError, match="holds a damaged row"):
        store.undo()
    assert len(log(store)) == 1


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        ("UPDATE cards SET state = 9 WHERE id = 'a'", "card 'a' has an impossible schedule"),
        ("UPDATE cards SET due = 'next tuesday' WHERE id = 'a'", "card 'a' has an impossible schedule"),
        ("UPDATE cards SET due = '2461000.5' WHERE id = 'a'", "card 'a' has an impossible schedule"),
        ("UPDATE cards SET reps = 'many' WHERE id = 'a'", "card 'a' has an impossible schedule"),
        ("UPDATE reviews SET card_before = '{not json'", "review 1 is damaged"),
        ("UPDATE reviews SET reviewed_at = 'yesterday'", "review 1 is damaged"),
        ("INSERT INTO meta VALUES ('fsrs_parameters', '[1, 2')", "meta 'fsrs_parameters'"),
    ],
)
def test_a_store_with_a_damaged_row_is_not_opened_and_is_left_as_it_is(tmp_path, damage, words):
    path = tmp_path / "progress.sqlite3"
    answered_store(path, answers=1)
    db = sqlite3.connect(path)
    db.execute("PRAGMA ignore_check_constraints = 1")
    db.execute(damage)
    db.commit()
    db.close()
    with pytest.raises(TutorError) as caught:
        open_store(path)
    message = str(caught.value)
    assert message.startswith(f"The progress store {path} is damaged: {words}")
    assert "copy a daily backup from" in message and "\n" not in message
    assert not list(tmp_path.glob("*.unusable-*"))


def test_the_damage_check_reads_its_indexes_once_built_and_scans_where_they_cannot_be(tmp_path):
    from tutor.store_files import damaged_rows

    path = tmp_path / "progress.sqlite3"
    answered_store(path, answers=2)
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type = 'index'")}
    assert {"cards_damaged", "reviews_damaged"} <= names  # built by the first opening
    db.execute("UPDATE reviews SET duration_ms = 'long' WHERE id = 2")
    db.commit()
    # The index follows every write, so the damage made after it was built is in it.
    assert db.execute(
        "SELECT id FROM reviews INDEXED BY reviews_damaged WHERE " + damage("reviews")
    ).fetchall() == [(2,)]
    db.execute("DROP INDEX reviews_damaged")
    db.commit()
    db.execute("PRAGMA query_only = 1")  # the index cannot be built again: the check scans instead
    assert damaged_rows(db) == "review 2 is damaged"
    db.close()


def damage(table: str) -> str:
    from tutor.store_files import ROW_CHECKS

    return next(damaged for name, damaged, _ in ROW_CHECKS if name == table)


def test_tutor_decks_tells_where_a_store_that_is_not_ours_went(capsys):
    from tutor import paths
    from tutor.cli import main

    paths.store_path().parent.mkdir(parents=True, exist_ok=True)
    paths.store_path().write_text("my shopping list\n", encoding="utf-8")
    assert main(["decks"]) == 0
    err = capsys.readouterr().err
    assert f"tutor: {paths.store_path()} was not a SQLite database, so it was moved to " in err
