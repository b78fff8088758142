"""The packages against Anki's own engine (the ``anki`` package, its Rust core): what Anki's importer
makes of the tutor's export, and what the tutor makes of Anki's own exports in both formats."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from tests.tutor.anki_support import write_decks, write_sibling_decks
from tutor.anki.convert import import_package
from tutor.anki.export import export_decks
from tutor.config import SchedulerSettings
from tutor.decks import load_decks
from tutor.scheduling import study_day
from tutor.store import Store

anki_collection = pytest.importorskip("anki.collection")


def _anki(tmp_path: Path):
    return anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))


def _import(col, package: Path, with_scheduling: bool = True):
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(package),
        options=anki_collection.ImportAnkiPackageOptions(with_scheduling=with_scheduling),
    )
    return col.import_anki_package(request).log


def _exported(tmp_path: Path, folder: Path, grades, now: datetime, package: Path) -> tuple[list, dict]:
    """Export the decks in ``folder`` to ``package`` after the answers in ``grades`` (card id, rating,
    milliseconds, how long before ``now``): the decks, and the graded cards' states as the store had
    them. Anki's collection will lie in tmp_path/anki."""
    (tmp_path / "anki").mkdir()
    decks, _ = load_decks([folder])
    with Store.open(tmp_path / "progress.sqlite3", settings=SchedulerSettings(fuzzing=False)) as store:
        store.sync_cards(card for deck in decks for card in deck.cards)
        for card_id, rating, duration_ms, before in grades:
            store.grade(card_id, rating, duration_ms, now=now - before)
        states = store.card_states(list(dict.fromkeys(card_id for card_id, *_ in grades)))
        export_decks(decks, package, store, now=now)
    return decks, states


def test_anki_imports_the_decks_and_the_progress(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    grades = [
        ("what-is-bpe-1a2b", 3, 4_000, timedelta(days=3, minutes=10)),
        ("what-is-bpe-1a2b", 3, 2_000, timedelta(days=3)),
        ("why-scale-7a8b", 1, 6_000, timedelta(minutes=2)),
    ]
    decks, states = _exported(
        tmp_path, write_decks(tmp_path / "decks"), grades, now, tmp_path / "progress.apkg"
    )
    learnt = states["what-is-bpe-1a2b"]

    col = _anki(tmp_path)
    log = _import(col, tmp_path / "progress.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (3, 0, 0)
    assert {name.name for name in col.decks.all_names_and_ids()} >= {
        "Tokens and embeddings",
        "Chapter 3: attention",
    }
    cards = {col.get_card(cid).note().guid: col.get_card(cid) for cid in col.find_cards("")}
    bpe = cards["tutor:what-is-bpe-1a2b"]
    assert (bpe.type, bpe.queue, bpe.reps) == (2, 2, 2)
    # Anki counts study days (its day starts at 4, as the store's does), not calendar days
    assert bpe.due - col.sched.today == (study_day(learnt.due, 4) - study_day(now, 4)).days
    assert bpe.memory_state.stability == pytest.approx(learnt.stability, abs=1e-3)
    assert bpe.memory_state.difficulty == pytest.approx(learnt.difficulty, abs=1e-3)
    assert (cards["tutor:why-scale-7a8b"].type, cards["tutor:why-scale-7a8b"].queue) == (1, 1)
    assert cards["tutor:gpt2-vocabulary-3c4d"].queue == -1
    revlog = [tuple(row) for row in col.db.all("SELECT cid, ease, type, time FROM revlog ORDER BY id")]
    assert revlog == [
        (bpe.id, 3, 0, 4_000),
        (bpe.id, 3, 0, 2_000),
        (cards["tutor:why-scale-7a8b"].id, 1, 0, 6_000),
    ]

    # An edited answer exported again updates the note in Anki: no second copy.
    edited = next(card for deck in decks for card in deck.cards if card.id == "why-scale-7a8b")
    edited.answer += "\n\nEdited in the tutor."
    export_decks(decks, tmp_path / "again.apkg", now=now + timedelta(minutes=1))
    log = _import(col, tmp_path / "again.apkg", with_scheduling=False)
    assert len(log.new) == 0 and col.note_count() == 3
    assert "Edited in the tutor." in col.get_note(cards["tutor:why-scale-7a8b"].nid)["Answer"]
    col.close()


@pytest.mark.parametrize("legacy", [False, True], ids=["anki21b", "legacy"])
def test_the_tutor_imports_what_anki_exports(tmp_path: Path, legacy: bool) -> None:
    (tmp_path / "anki").mkdir()
    col = _anki(tmp_path)
    deck_id = col.decks.id("Languages::French")
    deck = col.decks.get(deck_id)
    deck["desc"] = "French <i>words</i>"
    col.decks.save(deck)
    notes = [
        ("Basic", {"Front": "le <b>chat</b>", "Back": "the cat"}),
        ("Cloze", {"Text": "un {{c1::chien}} et un {{c2::chat::animal}}", "Back Extra": "pets"}),
        ("Basic (and reversed card)", {"Front": "maison", "Back": "house"}),
    ]
    for type_name, fields in notes:
        note = col.new_note(col.models.by_name(type_name))
        for name, value in fields.items():
            note[name] = value
        col.add_note(note, deck_id)
    package = tmp_path / "french.apkg"
    options = anki_collection.ExportAnkiPackageOptions(with_scheduling=False, with_media=False, legacy=legacy)
    col.export_anki_package(out_path=str(package), options=options, limit=None)
    col.close()

    report = import_package(package, tmp_path / "decks")
    assert [(d.title, d.notes) for d in report.decks] == [("Languages::French", "French *words*")]
    assert [(c.question, c.answer, c.tags) for c in report.decks[0].cards] == [
        ("le **chat**", "the cat", []),
        ("un {{c1::chien}} et un {{c2::chat::animal}}", "pets", []),
        ("maison", "house", []),
        ("house", "maison", []),
    ]
    again = import_package(package, tmp_path / "decks")
    assert [c.id for c in again.decks[0].cards] == [c.id for c in report.decks[0].cards]


def _shown(html: str) -> str:
    """A card's side as the learner reads it in Anki: no style, no tags, whitespace collapsed."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_anki_studies_the_reversed_and_cloze_cards_and_gives_them_back(tmp_path: Path) -> None:
    folder = write_sibling_decks(tmp_path / "decks")
    now = datetime.now(UTC).replace(microsecond=0)
    grades = [
        ("softmax~reverse", 3, 4_000, timedelta(days=3, minutes=10)),
        ("softmax~reverse", 3, 2_000, timedelta(days=3)),
        ("gpt2-small~c2", 4, 5_000, timedelta(days=2)),
    ]
    decks, learnt = _exported(tmp_path, folder, grades, now, tmp_path / "siblings.apkg")

    col = _anki(tmp_path)
    log = _import(col, tmp_path / "siblings.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (12, 0, 0)
    cards = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        cards[card.note().guid, card.ord] = card
    assert len(cards) == 19
    # What Anki shows on the front of each kind of card.
    assert _shown(cards["tutor:softmax", 1].question()) == "turns scores into probabilities"
    assert (
        _shown(cards["tutor:gpt2-small", 1].question()) == "GPT-2 small has 12 layers and [width] dimensions."
    )
    assert _shown(cards["tutor:dropout~cloze", 0].question()) == (
        "It zeroes [...] of the activations while training. What does dropout do?"
    )
    assert _shown(cards["tutor:layer-norm~marks", 2].question()).startswith(
        "It scales each row to zero mean and unit variance before the next layer. ⭐ In C++ the same is [...]"
    )
    assert "std::transform" in _shown(cards["tutor:layer-norm~marks", 2].answer())
    assert _shown(cards["tutor:gpt2-small", 0].answer()).endswith("Table 4.1 of the book.")
    # The progress is on the sibling's own Anki card, and its note's other cards are new.
    for key, card_id in [
        (("tutor:softmax", 1), "softmax~reverse"),
        (("tutor:gpt2-small", 1), "gpt2-small~c2"),
    ]:
        card = cards[key]
        assert (card.type, card.queue) == (2, 2)
        assert card.due - col.sched.today == (study_day(learnt[card_id].due, 4) - study_day(now, 4)).days
        assert card.memory_state.stability == pytest.approx(learnt[card_id].stability, abs=1e-3)
    assert (cards["tutor:softmax", 0].type, cards["tutor:gpt2-small", 0].type) == (0, 0)
    revlog = col.db.all("SELECT cid, ease FROM revlog ORDER BY id")
    reverse, deletion = cards["tutor:softmax", 1].id, cards["tutor:gpt2-small", 1].id
    assert revlog == [[reverse, 3], [reverse, 3], [deletion, 4]]

    # Out of Anki again, into the tutor: the cards as they were written, and the same cards to study.
    package = tmp_path / "from-anki.apkg"
    options = anki_collection.ExportAnkiPackageOptions(with_scheduling=False, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(package), options=options, limit=None)
    col.close()
    import_package(package, tmp_path / "back")
    back, _ = load_decks([tmp_path / "back"])

    def studied(found: list) -> list[tuple]:
        return sorted((c.id, c.question, c.answer, c.reverse, c.cloze) for d in found for c in d.cards)

    assert studied(back) == studied(decks)
