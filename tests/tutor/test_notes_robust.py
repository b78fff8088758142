"""Hostile or odd notes and deck files: one clear sentence, a non-zero exit, nothing lost."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.decks import load_deck
from tutor.importer import import_notes

NOTES = "# Tokens\n\n<details>\n<summary>🎯Q. What is a token?</summary>\n\nA piece of text.\n</details>\n"


def test_a_fifo_as_notes_is_refused_without_waiting(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "notes.md"
    os.mkfifo(fifo)
    assert main(["import", str(fifo), "--out", str(tmp_path / "decks")]) == 2
    assert capsys.readouterr().err == (
        f"tutor: {fifo}: is not a regular file (a pipe, device or socket); save the notes to a file and "
        "import that.\n"
    )
    assert not (tmp_path / "decks").exists()


def test_dev_zero_as_notes_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["import", "/dev/zero", "--out", str(tmp_path / "decks")]) == 2
    assert "/dev/zero: is not a regular file" in capsys.readouterr().err


def test_a_folder_as_notes_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["import", str(tmp_path), "--out", str(tmp_path / "decks")]) == 2
    assert capsys.readouterr().err == (
        f"tutor: {tmp_path}: is a folder, not a notes file; give the path to your markdown notes.\n"
    )


def test_notes_over_the_size_limit_are_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    import tutor.importer as importer

    monkeypatch.setattr(importer, "MAX_NOTES_BYTES", 1024 * 1024)
    path = tmp_path / "huge.md"
    path.write_text(NOTES * (1024 * 1024 // len(NOTES) + 1), encoding="utf-8")
    assert main(["import", str(path), "--out", str(tmp_path / "decks")]) == 2
    assert capsys.readouterr().err == (
        f"tutor: {path}: is over 1 MB, too big for notes; split it into smaller files and import each.\n"
    )


def test_a_binary_file_is_not_imported_as_notes(tmp_path: Path, capsys) -> None:
    path = tmp_path / "picture.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4)
    assert main(["import", str(path), "--out", str(tmp_path / "decks")]) == 2
    assert capsys.readouterr().err == (
        f"tutor: {path}: is not a text file (it holds binary data); give the path to your markdown notes.\n"
    )
    assert not (tmp_path / "decks").exists()


def test_utf16_notes_are_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(NOTES.encode("utf-16"))
    [card] = import_notes(path, tmp_path / "decks").cards
    assert (card.question, card.answer) == ("What is a token?", "A piece of text.")


@pytest.mark.parametrize(
    "retired",
    [
        "retired: 5\n",
        "retired: [5, null, text, [1, 2]]\n",
        "retired:\n- {id: 7, question: x}\n- {id: old-card, question: 12, tags: 3, demos: 4, suspended: 2}\n",
        "retired:\n- {id: old-card, question: [a], demos: [5, {tokenize: 3}, {tokenize: {text: hi}}]}\n",
    ],
)
def test_wrong_types_in_retired_do_not_crash_the_import(tmp_path: Path, retired: str) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    report = import_notes(notes, tmp_path / "decks")
    deck_file = report.decks[0].path
    deck_file.write_text(deck_file.read_text(encoding="utf-8") + retired, encoding="utf-8")
    deck, problems = load_deck(deck_file)
    assert deck is not None and problems
    for item in deck.retired:
        assert isinstance(item["id"], str) and isinstance(item["question"], str)
    again = import_notes(notes, tmp_path / "decks")
    assert [card.id for card in again.cards] == [card.id for card in report.cards]
    if "old-card" in retired:
        assert any(item["id"] == "old-card" for item in again.decks[0].retired)  # its id stays reserved


def test_deck_ids_never_run_out_and_allocation_is_linear(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"

    def timed(count: int) -> tuple[float, list[str]]:
        card = "<details><summary>What is it?</summary>\n\nThis.\n</details>\n\n"
        notes.write_text(f"# Same\n\n{card}" * count, encoding="utf-8")
        start = time.process_time()
        report = import_notes(notes, tmp_path / "decks", write=False)
        return time.process_time() - start, [deck.id for deck in report.decks]

    small, _ = timed(1_000)
    big, ids = timed(6_000)
    assert len(set(ids)) == len(ids) == 6_000
    assert ids[:3] == ["same", "same-2", "same-3"] and ids[-1] == "same-6000"
    assert big < small * 6 * 2.5  # six times the decks: far from 36 times the work


def test_card_ids_for_many_same_questions_are_unique_and_linear(tmp_path: Path) -> None:
    from tutor.importer.identity import new_card_id

    taken: set[str] = set()
    salts: dict[str, int] = {}
    start = time.process_time()
    ids = []
    for _ in range(70_000):
        ids.append(new_card_id("What is a token?", "deck", taken, salts))
        taken.add(ids[-1])
    assert len(set(ids)) == 70_000  # past the 65,536 four-hex-digit ids of one question
    assert time.process_time() - start < 20


def test_two_notes_files_with_the_same_name_keep_their_own_decks(tmp_path: Path) -> None:
    out = tmp_path / "decks"
    first, second = tmp_path / "a" / "notes.md", tmp_path / "b" / "notes.md"
    for path, topic in ((first, "Tokens"), (second, "Attention")):
        path.parent.mkdir()
        path.write_text(NOTES.replace("Tokens", topic).replace("token", topic.lower()), encoding="utf-8")
    one = import_notes(first, out)
    two = import_notes(second, out)
    assert two.deleted == [] and one.decks[0].path.is_file()
    assert one.decks[0].source == "../a/notes.md" and two.decks[0].source == "../b/notes.md"
    again = import_notes(first, out)
    assert again.new_cards == [] and again.deleted == [] and two.decks[0].path.is_file()
    assert sorted(p.name for p in out.glob("*.yaml")) == ["attention.yaml", "tokens.yaml"]


def test_decks_written_before_sources_were_paths_still_merge(tmp_path: Path) -> None:
    out, notes = tmp_path / "decks", tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    report = import_notes(notes, out)
    path = report.decks[0].path
    text = path.read_text(encoding="utf-8").replace(f"source: {report.decks[0].source}", "source: notes.md")
    path.write_text(text, encoding="utf-8")
    again = import_notes(notes, out)
    assert again.new_cards == [] and [c.id for c in again.cards] == [c.id for c in report.cards]
    assert again.decks[0].source == "../notes.md"  # rewritten with the notes' path


def test_a_full_disk_during_an_import_changes_no_deck(tmp_path: Path, monkeypatch, capsys) -> None:
    import errno

    import tutor.deck_swap as swap

    notes, out = tmp_path / "notes.md", tmp_path / "decks"
    notes.write_text(NOTES + "# Attention\n\n" + NOTES.split("\n", 2)[2], encoding="utf-8")
    import_notes(notes, out)
    before = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    notes.write_text(NOTES.replace("A piece", "A small piece"), encoding="utf-8")
    written = []

    def full(path, text):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path)
        Path(path).write_text(text, encoding="utf-8")

    monkeypatch.setattr(swap, "_write_synced", full)
    assert main(["import", str(notes), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("tutor: ") and "cannot write the decks (No space left on device); nothing was" in err
    )
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == before


def test_a_notes_file_whose_name_is_not_utf8_gives_decks_that_load_and_reimport(tmp_path):
    import os

    from tutor.decks import load_decks
    from tutor.importer import import_notes

    name = os.fsdecode(b"notes-\xff.md")  # a byte that is not UTF-8: Python holds it as a lone surrogate
    notes = tmp_path / name
    notes.write_text("# Chapter 1\n\n<details><summary>What is a token?</summary>\n\nA piece.\n</details>\n")
    out = tmp_path / "decks"
    first = import_notes(notes, out)
    decks, problems = load_decks([out])
    assert problems == [] and [deck.source for deck in decks] == ["../notes-%FF.md"]
    again = import_notes(notes, out)  # the deck is known as these notes' own: the card keeps its id
    assert [card.id for card in again.cards] == [card.id for card in first.cards]
    assert load_decks([out])[1] == []


def test_a_bang_after_a_less_than_in_an_html_answer_is_text_not_a_crash(tmp_path: Path) -> None:
    """html.parser rejects a "<![" that opens no marked section it knows (an image written after "<");
    the import keeps it as text."""
    from tutor.importer import parse_notes

    notes = (
        "# Deck\n\n<details><summary>What is x?</summary>\n"
        "<p>see <![alt text](x.png) here, and <b>bold</b></p>\n</details>\n"
    )
    [deck], _problems = parse_notes(notes)
    [card] = deck.cards
    assert card.question == "What is x?"
    assert card.answer == "see <![alt text](x.png) here, and **bold**"


def test_a_bang_after_a_less_than_in_an_anki_field_is_text_not_a_crash() -> None:
    from tutor.anki.convert import to_markdown

    assert to_markdown("<p>see <![alt](x.png) <i>here</i></p>") == "see <![alt](x.png) *here*"
