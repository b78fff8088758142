"""`tutor export --anki`: the package's collection, read back with sqlite3, holds the decks and progress."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from tests.tutor.anki_support import open_collection, write_decks
from tutor import scheduling
from tutor.anki.export import export_decks
from tutor.config import SchedulerSettings
from tutor.decks import load_decks
from tutor.store import Store

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_notes_decks_and_media_without_progress(tmp_path: Path) -> None:
    decks, problems = load_decks([write_decks(tmp_path / "decks")])
    assert problems == []
    report = export_decks(decks, tmp_path / "out.apkg", now=T0)
    assert (report.decks, report.notes, report.media) == (2, 3, 1)
    assert report.needs_answer == ["unanswered-5e6f"]

    db = open_collection(tmp_path / "out.apkg", tmp_path)
    notes = {row["guid"]: row for row in db.execute("SELECT * FROM notes")}
    assert set(notes) == {"tutor:what-is-bpe-1a2b", "tutor:gpt2-vocabulary-3c4d", "tutor:why-scale-7a8b"}
    question, answer = notes["tutor:what-is-bpe-1a2b"]["flds"].split("\x1f")
    assert question == "What is <code>BPE</code>?"
    assert "<strong>Byte pair encoding</strong> merges frequent pairs." in answer
    assert notes["tutor:what-is-bpe-1a2b"]["tags"].split() == ["bpe", "chapter_2"]
    table = notes["tutor:why-scale-7a8b"]["flds"].split("\x1f")[1]
    assert "<table>" in table and "<td>64</td>" in table

    # Anki reads a collection that names no scheduler as v1's, and would turn Good into Easy.
    assert json.loads(db.execute("SELECT conf FROM col").fetchone()[0])["schedVer"] == 2
    decks_json = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    names = {deck["name"] for deck in decks_json.values()}
    assert {"Tokens and embeddings", "Chapter 3: attention"} <= names
    cards = db.execute(
        "SELECT n.guid, c.type, c.queue, c.due, c.ivl, c.reps FROM cards c JOIN notes n ON n.id = c.nid"
    ).fetchall()
    assert len(cards) == 3
    by_guid = {row["guid"]: row for row in cards}
    # New cards keep the order of the decks; the card suspended in its deck file is suspended in Anki.
    assert by_guid["tutor:what-is-bpe-1a2b"]["due"] < by_guid["tutor:gpt2-vocabulary-3c4d"]["due"]
    assert by_guid["tutor:gpt2-vocabulary-3c4d"]["queue"] == -1
    assert all(row["type"] == 0 and row["ivl"] == 0 and row["reps"] == 0 for row in cards)
    assert db.execute("SELECT count(*) FROM revlog").fetchone()[0] == 0

    with zipfile.ZipFile(tmp_path / "out.apkg") as archive:
        media = json.loads(archive.read("media"))
        assert list(media) == ["0"] and media["0"].endswith("-merges.png")
        assert archive.read("0") == (tmp_path / "decks" / "merges.png").read_bytes()
    assert f'src="{media["0"]}"' in answer


def test_export_again_keeps_guids_note_type_and_deck_ids(tmp_path: Path) -> None:
    decks, _ = load_decks([write_decks(tmp_path / "decks")])
    export_decks(decks, tmp_path / "first.apkg", now=T0)
    export_decks(decks, tmp_path / "second.apkg", now=T0 + timedelta(days=3))
    first, second = (
        open_collection(tmp_path / "first.apkg", tmp_path),
        open_collection(tmp_path / "second.apkg", tmp_path),
    )
    query = "SELECT guid, mid FROM notes ORDER BY guid"
    assert [tuple(r) for r in first.execute(query)] == [tuple(r) for r in second.execute(query)]
    query = "SELECT n.guid, c.did FROM cards c JOIN notes n ON n.id = c.nid ORDER BY n.guid"
    assert [tuple(r) for r in first.execute(query)] == [tuple(r) for r in second.execute(query)]


def test_progress_becomes_anki_cards_and_revlog(tmp_path: Path) -> None:
    decks, _ = load_decks([write_decks(tmp_path / "decks")])
    settings = SchedulerSettings(fuzzing=False)
    store = Store.open(tmp_path / "progress.sqlite3", settings=settings, backup=False)
    store.sync_cards(card for deck in decks for card in deck.cards)
    store.grade("what-is-bpe-1a2b", 3, 4_000, now=T0)
    store.grade("what-is-bpe-1a2b", 3, 2_500, now=T0 + timedelta(minutes=10))
    store.grade("why-scale-7a8b", 1, 9_000, now=T0 + timedelta(minutes=11))
    store.grade("what-is-bpe-1a2b", 4, 1_000, now=T0 + timedelta(minutes=20), cram=True)
    now = T0 + timedelta(minutes=30)
    store.bury("why-scale-7a8b", now=now)
    store.db.execute("UPDATE cards SET leech = 1 WHERE id = 'gpt2-vocabulary-3c4d'")
    report = export_decks(decks, tmp_path / "progress.apkg", store, now=now)
    assert (report.reviews, report.cards_with_progress) == (4, 2)

    # The same answers, scheduled by fsrs on its own: the values Anki must receive.
    fsrs = Scheduler(enable_fuzzing=False)
    first, _ = fsrs.review_card(FsrsCard(due=T0), Rating.Good, T0)
    second, _ = fsrs.review_card(first, Rating.Good, T0 + timedelta(minutes=10))
    again, _ = fsrs.review_card(FsrsCard(due=T0), Rating.Again, T0 + timedelta(minutes=11))
    days = round((second.due - second.last_review) / timedelta(days=1))

    db = open_collection(tmp_path / "progress.apkg", tmp_path)
    crt = db.execute("SELECT crt FROM col").fetchone()[0]
    assert crt == int(scheduling.day_start(scheduling.study_day(T0, 4), 4).timestamp())
    cards = {
        row["guid"]: row for row in db.execute("SELECT n.guid, c.* FROM cards c JOIN notes n ON n.id = c.nid")
    }
    learnt = cards["tutor:what-is-bpe-1a2b"]
    due_day = (scheduling.study_day(second.due, 4) - scheduling.study_day(T0, 4)).days
    assert (learnt["type"], learnt["queue"], learnt["due"], learnt["ivl"]) == (2, 2, due_day, days)
    assert (learnt["factor"], learnt["reps"], learnt["lapses"]) == (2500, 2, 0)
    data = json.loads(learnt["data"])
    assert data == {
        "s": round(second.stability, 4),
        "d": round(second.difficulty, 3),
        "dr": 0.9,
        "decay": round(fsrs.parameters[20], 3),
        "lrt": int((T0 + timedelta(minutes=10)).timestamp()),
    }
    failed = cards["tutor:why-scale-7a8b"]
    # Buried for today: Anki's "buried by the user" queue, the due time kept for afterwards.
    assert (failed["type"], failed["queue"], failed["due"]) == (1, -3, int(again.due.timestamp()))
    assert (failed["left"], failed["ivl"], failed["reps"]) == (2, 0, 1)
    untouched = cards["tutor:gpt2-vocabulary-3c4d"]
    assert (untouched["type"], untouched["queue"], untouched["data"]) == (0, -1, "")
    tags = dict(db.execute("SELECT guid, tags FROM notes").fetchall())
    assert tags["tutor:gpt2-vocabulary-3c4d"].split() == ["leech"]
    assert tags["tutor:what-is-bpe-1a2b"].split() == ["bpe", "chapter_2"]

    revlog = db.execute("SELECT * FROM revlog ORDER BY id").fetchall()
    number = {guid: row["id"] for guid, row in cards.items()}
    bpe, scale = number["tutor:what-is-bpe-1a2b"], number["tutor:why-scale-7a8b"]

    def factor(card: FsrsCard) -> int:
        return round(((card.difficulty - 1) / 9 + 0.1) * 1000)

    assert [tuple(row) for row in revlog] == [
        (_millis(T0), bpe, -1, 3, -600, 0, factor(first), 4_000, 0),
        (_millis(T0 + timedelta(minutes=10)), bpe, -1, 3, days, -600, factor(second), 2_500, 0),
        (_millis(T0 + timedelta(minutes=11)), scale, -1, 1, -60, 0, factor(again), 9_000, 0),
        (_millis(T0 + timedelta(minutes=20)), bpe, -1, 4, 0, 0, 0, 1_000, 3),
    ]
    store.close()
