"""`tutor export --anki`: the package's collection, read back with sqlite3, holds the decks and progress."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from tests.tutor.anki_support import anki_cards, open_collection, write_decks, write_sibling_decks
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


def test_reversed_and_cloze_cards_are_notes_of_anki_note_types(tmp_path: Path) -> None:
    decks, problems = load_decks([write_sibling_decks(tmp_path / "decks")])
    assert problems == []
    report = export_decks(decks, tmp_path / "siblings.apkg", now=T0)
    studied = [card.id for deck in decks for card in deck.cards]
    assert (report.decks, report.notes, report.cards) == (2, 12, len(studied)) == (2, 12, 19)

    db = open_collection(tmp_path / "siblings.apkg", tmp_path)
    cards = anki_cards(db)
    basic, both, cloze = "Tutor basic", "Tutor basic and reversed", "Tutor cloze"
    assert {key: row["model"] for key, row in cards.items()} == {
        ("tutor:plain", 0): basic,
        ("tutor:softmax", 0): both,
        ("tutor:softmax", 1): both,  # the reversed card, Card 2 of the same note
        ("tutor:gpt2-small", 0): cloze,  # c1: the question's deletions are the note's cards
        ("tutor:gpt2-small", 1): cloze,
        ("tutor:dropout", 0): basic,  # the answer's deletions: the card itself stays ...
        ("tutor:dropout~cloze", 0): cloze,  # ... and the answer is a cloze note
        ("tutor:dropout~cloze", 1): cloze,
        ("tutor:layer-norm", 0): basic,
        ("tutor:layer-norm~marks", 0): cloze,  # one deletion for each marked term
        ("tutor:layer-norm~marks", 1): cloze,
        ("tutor:layer-norm~marks", 2): cloze,
        ("tutor:logit", 0): basic,  # cloze: false, so its bold gives no card
        ("tutor:both-ways", 0): both,  # reverse: true on the deck
        ("tutor:both-ways", 1): both,
        ("tutor:one-way", 0): basic,
        ("tutor:marked", 0): both,
        ("tutor:marked", 1): both,
        ("tutor:marked~marks", 0): cloze,
    }
    per_model = db.execute("SELECT mid, count(*) FROM notes GROUP BY mid").fetchall()
    assert sorted(count for _, count in per_model) == [3, 4, 5]  # reversed, cloze, basic
    assert db.execute("SELECT count(*) FROM revlog").fetchone()[0] == 0
    # New cards come up in the tutor's order: a card, then its reversed and cloze cards.
    by_due = [key for key, _ in sorted(cards.items(), key=lambda item: item[1]["due"])]
    assert by_due[:7] == [
        ("tutor:both-ways", 0),
        ("tutor:both-ways", 1),
        ("tutor:one-way", 0),
        ("tutor:marked", 0),
        ("tutor:marked", 1),
        ("tutor:marked~marks", 0),
        ("tutor:plain", 0),
    ]

    def fields(guid: str) -> list[str]:
        return cards[guid, 0]["flds"].split("\x1f")

    assert fields("tutor:gpt2-small") == [
        "GPT-2 small has {{c1::12}} layers and {{c2::768::width}} dimensions.",
        "<p>Table 4.1 of the book.</p>",
        "",
    ]
    # The card itself shows the answer's deletions in bold; the cloze note asks them, its question quoted.
    assert fields("tutor:dropout") == [
        "What does dropout do?",
        "<p>It zeroes <strong>a random share</strong> of the <strong>activations</strong> while "
        "training.</p>",
    ]
    assert fields("tutor:dropout~cloze") == [
        "<p>It zeroes {{c1::a random share}} of the {{c2::activations}} while training.</p>",
        "",
        "What does dropout do?",
    ]
    text, extra, question = fields("tutor:layer-norm~marks")
    assert text == (
        "<p>It scales each row to <strong>{{c1::zero mean}}</strong> and "
        "<strong>{{c2::unit variance}}</strong> before the next layer.</p>\n"
        # a :: in a term would start Anki's hint: it is written as an HTML character reference
        "<p>⭐ In C++ the same is <code>{{c3::std:&#58;transform}}</code> over the row.</p>"
    )
    assert (extra, question) == ("", "What does layer norm do?")
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    types = {model["name"]: (model["type"], [t["name"] for t in model["tmpls"]]) for model in models.values()}
    assert types[both] == (0, ["Card 1", "Card 2"]) and types[cloze] == (1, ["Cloze"])
    decks_json = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    settings = next(deck for deck in decks_json.values() if deck["name"] == "Deck settings")
    assert settings["desc"].endswith(
        "<!-- tutor deck id: deck-settings -->"
        "<!-- tutor deck reverse: true --><!-- tutor deck cloze: false -->"
    )


def test_each_sibling_s_progress_goes_to_its_anki_card(tmp_path: Path) -> None:
    decks, _ = load_decks([write_sibling_decks(tmp_path / "decks")])
    settings = SchedulerSettings(fuzzing=False)
    store = Store.open(tmp_path / "progress.sqlite3", settings=settings, backup=False)
    store.sync_cards(card for deck in decks for card in deck.cards)
    answers = [
        ("softmax~reverse", 3, T0),
        ("softmax~reverse", 3, T0 + timedelta(minutes=10)),
        ("gpt2-small~c2", 1, T0 + timedelta(minutes=11)),
        ("dropout~c1", 4, T0 + timedelta(minutes=12)),
        ("layer-norm~c-unit-variance", 3, T0 + timedelta(minutes=13)),
    ]
    for card_id, rating, when in answers:
        store.grade(card_id, rating, 3_000, now=when)
    states = store.card_states([card_id for card_id, _, _ in answers])
    now = T0 + timedelta(minutes=30)
    report = export_decks(decks, tmp_path / "progress.apkg", store, now=now)
    assert (report.reviews, report.cards_with_progress) == (5, 4)

    db = open_collection(tmp_path / "progress.apkg", tmp_path)
    cards = anki_cards(db)
    studied_on = {
        "softmax~reverse": ("tutor:softmax", 1),
        "gpt2-small~c2": ("tutor:gpt2-small", 1),
        "dropout~c1": ("tutor:dropout~cloze", 0),
        "layer-norm~c-unit-variance": ("tutor:layer-norm~marks", 1),
    }
    kinds = {"softmax~reverse": (2, 2), "gpt2-small~c2": (1, 1), "dropout~c1": (2, 2)}
    for card_id, key in studied_on.items():
        anki = cards[key]
        assert (anki["type"], anki["queue"]) == kinds.get(card_id, (1, 1)), card_id
        assert anki["reps"] == (2 if card_id == "softmax~reverse" else 1)
        assert json.loads(anki["data"])["s"] == round(states[card_id].stability, 4)
    # Their note's other cards are new: the reversed card's progress is not its card's.
    for key in [
        ("tutor:softmax", 0),
        ("tutor:gpt2-small", 0),
        ("tutor:dropout", 0),
        ("tutor:dropout~cloze", 1),
    ]:
        assert (cards[key]["type"], cards[key]["reps"], cards[key]["data"]) == (0, 0, ""), key
    learnt = cards["tutor:softmax", 1]
    due_day = (scheduling.study_day(states["softmax~reverse"].due, 4) - scheduling.study_day(T0, 4)).days
    assert learnt["due"] == due_day
    number = {row["id"]: key for key, row in cards.items()}
    revlog = db.execute("SELECT id, cid, ease FROM revlog ORDER BY id").fetchall()
    assert [(row["id"], number[row["cid"]], row["ease"]) for row in revlog] == [
        (_millis(when), studied_on[card_id], rating) for card_id, rating, when in answers
    ]
    store.close()
