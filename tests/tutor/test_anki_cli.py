"""`tutor export --anki` and `tutor import FILE.apkg` as a learner runs them, mistakes included."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tutor.anki_support import make_anki_package, open_collection
from tutor import paths
from tutor.cli import main
from tutor.decks import load_decks
from tutor.store import Store


def _one_sentence(capsys, path: Path) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith(f"tutor: {path}")
    return err


def test_export_the_bundled_decks_with_progress(tmp_path: Path, capsys) -> None:
    decks, _ = load_decks()
    card = next(c for deck in decks for c in deck.cards if not c.needs_answer)
    with Store.open() as store:
        store.sync_cards(c for deck in decks for c in deck.cards)
        store.grade(card.id, 3, 5_000, now=datetime.now(UTC))
    out = tmp_path / "tutor.apkg"
    assert main(["export", "--anki", str(out), "--with-progress"]) == 0
    printed = capsys.readouterr().out
    answered = sum(not c.needs_answer for deck in decks for c in deck.cards)
    # A card with cloze cards from its marks is two notes: its own, and its answer as a cloze note.
    written = {c.note_id for deck in decks for c in deck.cards if not c.needs_answer}
    marked = {c.note_id for deck in decks for c in deck.cards if "~c-" in c.id}
    exported = sum(any(not c.needs_answer for c in deck.cards) for deck in decks)  # no empty decks
    notes = len(written) + len(marked)
    assert printed.startswith(f"Wrote {out}: {exported} decks, {notes} notes ({answered} cards)")
    assert "progress of 1 card and 1 review" in printed
    db = open_collection(out, tmp_path)
    assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == notes
    assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == answered
    revlog = db.execute(
        "SELECT r.ease, r.time, n.guid FROM revlog r JOIN cards c ON c.id = r.cid "
        "JOIN notes n ON n.id = c.nid"
    ).fetchall()
    assert [tuple(row) for row in revlog] == [(3, 5_000, f"tutor:{card.id}")]


def test_export_one_deck_as_json(tmp_path: Path, capsys) -> None:
    deck = next(deck for deck in load_decks()[0] if deck.cards)
    out = tmp_path / "one.apkg"
    assert main(["export", "--anki", str(out), "--deck", deck.id, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["decks"] == 1 and report["cards"] == sum(not c.needs_answer for c in deck.cards)
    assert report["reviews"] == 0 and not report["with_progress"]


def test_import_a_package_into_the_deck_folder(tmp_path: Path, capsys) -> None:
    package = make_anki_package(tmp_path / "geo.apkg")
    assert main(["import", str(package)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == (
        f"Imported geo.apkg into {paths.user_decks_dir()}: 2 decks, 8 cards (2 with cloze deletions)."
    )
    assert "Needs attention (2):" in printed
    first = (paths.user_decks_dir() / "geography-europe.yaml").read_text(encoding="utf-8")
    assert main(["import", str(package), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cards"] == 8
    assert (paths.user_decks_dir() / "geography-europe.yaml").read_text(encoding="utf-8") == first
    decks, problems = load_decks()
    assert "geography-europe" in {deck.id for deck in decks}
    assert not [p for p in problems if "geography" in str(p.path)]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p, "does not exist"),
        (lambda p: p.write_text("just text") and p, "is not an Anki package (it is not a zip file)"),
        (
            lambda p: zipfile.ZipFile(p, "w").close() or p,
            "is not an Anki package (it holds no Anki collection)",
        ),
        (
            lambda p: zipfile.ZipFile(p, "w").writestr("collection.anki2", b"not sqlite at all" * 100) or p,
            "is not an Anki package Anki wrote",
        ),
    ],
    ids=["missing", "not-a-zip", "no-collection", "damaged-collection"],
)
def test_import_mistakes_are_one_sentence(tmp_path: Path, capsys, make, words: str) -> None:
    package = tmp_path / "deck.apkg"
    with_zip = make(package)
    assert with_zip is not None
    assert main(["import", str(package)]) == 2
    assert words in _one_sentence(capsys, package)
    assert not paths.user_decks_dir().exists() or not list(paths.user_decks_dir().glob("*.yaml"))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("missing-folder/out.apkg", "does not exist; create it or choose another path"),
        ("a-file.txt/out.apkg", "does not exist; create it or choose another path"),
        ("out.zip", "an Anki package ends in .apkg"),
        ("folder.apkg", "is a folder"),
    ],
)
def test_export_to_a_path_that_cannot_be_written(tmp_path: Path, capsys, name: str, words: str) -> None:
    (tmp_path / "a-file.txt").write_text("")
    (tmp_path / "folder.apkg").mkdir()
    out = tmp_path / name
    assert main(["export", "--anki", str(out)]) == 2
    assert words in _one_sentence(capsys, out)


def test_export_where_writing_fails(tmp_path: Path, capsys, monkeypatch) -> None:
    """A full disk or a read-only folder: one sentence, and no half-written package is left."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(zipfile.ZipFile, "write", refuse)
    out = tmp_path / "out.apkg"
    assert main(["export", "--anki", str(out)]) == 2
    assert "cannot write the Anki package (Permission denied)" in _one_sentence(capsys, out)
    assert list(tmp_path.iterdir()) == []
