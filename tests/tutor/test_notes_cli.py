"""`tutor import` and `tutor decks` as a learner runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tutor import paths
from tutor.cli import main

NOTES = """\
# Chapter 2: Working with text

<details>
<summary>ğŸ¯Q. What is BPE?</summary>

- Byte pair encoding merges frequent pairs: â€œunâ€ + â€œhappinessâ€.
</details>

<details>
<summary>🎯Q. What is a merge rule? </summary>

- 
</details>
"""


def write_notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    return path


def test_import_prints_a_short_report(tmp_path: Path, capsys) -> None:
    assert main(["import", str(write_notes(tmp_path)), "--out", str(tmp_path / "decks")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Imported notes.md into {tmp_path / 'decks'}: 1 deck, 2 cards (2 new, 0 kept, 0 removed)."
    )
    assert out.splitlines()[1] == "  2 blocks found, 2 cards made, 1 needs an answer."
    assert "chapter-2-working-with-text    2 cards, 1 needs an answer" in out
    assert "Needs attention (1):\n  line 9: 'What is a merge rule?': the answer is empty" in out
    assert (tmp_path / "decks" / "chapter-2-working-with-text.yaml").is_file()


def test_import_json_report(tmp_path: Path, capsys) -> None:
    main(["import", str(write_notes(tmp_path)), "--out", str(tmp_path / "decks"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["decks"][0] | {"path": None} == {
        "id": "chapter-2-working-with-text",
        "title": "Chapter 2: Working with text",
        "cards": 2,
        "path": None,
    }
    assert report["cards"] == 2
    assert report["problems"] == [
        {
            "line": 9,
            "kind": "needs-answer",
            "message": "line 9: 'What is a merge rule?': the answer is empty; the card is kept but left out "
            "of review until its answer is written in the notes.",
        }
    ]
    assert report["needs_answer"][0]["question"] == "What is a merge rule?"
    assert report["summary"] == {
        "blocks": 2,
        "cards": 2,
        "child_cards": 0,
        "in_parent_answers": 0,
        "needs_answer": 1,
        "left_as_notes": 0,
        "headings_without_cards": 0,
    }
    main(["import", str(tmp_path / "notes.md"), "--out", str(tmp_path / "decks"), "--json"])
    again = json.loads(capsys.readouterr().out)
    assert again["new_cards"] == [] and again["removed"] == []


def test_import_goes_to_the_learners_deck_folder_by_default(tmp_path: Path, capsys) -> None:
    main(["import", str(write_notes(tmp_path))])
    assert (paths.user_decks_dir() / "chapter-2-working-with-text.yaml").is_file()


def test_a_big_file_gives_a_grouped_report(tmp_path: Path, capsys) -> None:
    blocks = "".join(
        f"<details><summary>🎯Q. Question {n}?</summary>\n\n{'' if n % 2 else 'An answer.'}\n</details>\n\n"
        for n in range(1900)
    )
    notes = tmp_path / "big.md"
    notes.write_text("# Big\n\n" + blocks + "</summary>\n\n<details><summary>TODO</summary>\n</details>\n")
    assert main(["import", str(notes), "--out", str(tmp_path / "decks")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 12
    assert out[1] == "  1901 blocks found, 1900 cards made, 950 need an answer, 1 block left as notes."
    lines = ", ".join(str(3 + 5 * n) for n in range(1, 24, 2))
    assert out[4] == "Needs attention (952):"
    assert out[5] == (
        f"  950 cards that need an answer (the answer is empty): lines {lines} and 938 more; kept, but left "
        "out of review until the notes answer them."
    )
    assert (
        out[6]
        == "  line 9505: 'TODO' is a placeholder, not a question, and its answer is empty; it was left out."
    )
    assert out[7] == (
        "  line 9503: a stray </summary> with no block to match; it was ignored, delete it from the notes."
    )


def test_a_missing_notes_file_is_one_sentence(tmp_path: Path, capsys) -> None:
    assert main(["import", str(tmp_path / "nope.md")]) == 2
    err = capsys.readouterr().err
    assert (
        err == f"tutor: {tmp_path / 'nope.md'}: no such notes file; give the path to your markdown notes.\n"
    )


def test_decks_lists_bundled_and_own_decks_with_counts(tmp_path: Path, capsys) -> None:
    main(["import", str(write_notes(tmp_path))])
    capsys.readouterr()
    assert main(["decks"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split()[:8] == ["deck", "cards", "live", "typed", "reversed", "cloze", "need", "answer"]
    assert any(row.startswith("Chapter 1: understanding the large language models") for row in rows)
    mine = next(row for row in rows if row.startswith("Chapter 2: Working with text"))
    # cards, live, typed, reversed, cloze, need an answer, new, learning, review
    assert mine.split()[-9:] == ["2", "0", "0", "0", "0", "1", "1", "0", "0"]
    bundled = next(row for row in rows if row.startswith("Chapter 4: Implementing a GPT"))
    assert bundled.split()[-9:-3] == ["8", "5", "5", "0", "0", "1"]  # its five live cards answer by typing
    chapter_2 = next(row for row in rows if row.startswith("Chapter 2: working with text data"))
    assert chapter_2.split()[-9:-3] == ["16", "4", "4", "0", "3", "1"]  # three cloze cards from bold terms


def test_decks_aligns_wide_titles_by_terminal_cells(tmp_path: Path, capsys) -> None:
    notes = tmp_path / "wide.md"
    question = "<details><summary>🎯Q. 什么是注意力？</summary>\n\n加权平均。\n</details>\n"
    notes.write_text(
        f"# 第三章 注意力机制\n\n{question}\n# 🎯 Emoji 章节\n\n{question}\n# Plain\n\n{question}"
    )
    main(["import", str(notes)])
    capsys.readouterr()
    assert main(["decks"]) == 0
    import wcwidth

    rows = [
        row
        for row in capsys.readouterr().out.splitlines()
        if "注意力" in row or "Emoji" in row or "Plain" in row
    ]
    assert len(rows) == 3
    # the numbers are right-aligned: every row ends at the same terminal column, whatever the title's
    # characters (the rows have different lengths in characters)
    assert len({wcwidth.wcswidth(row) for row in rows}) == 1
    assert len({len(row) for row in rows}) == 3


def test_decks_json_and_problems(tmp_path: Path, capsys) -> None:
    folder = paths.user_decks_dir()
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text("id: x\ntitle: [\n", encoding="utf-8")
    assert main(["decks", "--json"]) == 0
    captured = capsys.readouterr()
    listing = json.loads(captured.out)
    chapter_3 = next(d for d in listing["decks"] if d["id"] == "chapter-3-coding-attention-mechanisms")
    assert (chapter_3["cards"], chapter_3["needs_answer"], chapter_3["live"]) == (17, 5, 5)
    assert (chapter_3["reversed"], chapter_3["cloze"]) == (2, 0)  # two definitions studied both ways
    # the progress store's counts for today: cards that need an answer are never new; its live cards are
    assert (chapter_3["new"], chapter_3["learning"], chapter_3["review"]) == (12, 0, 0)
    [problem] = listing["problems"]
    assert problem["path"].endswith("broken.yaml") and problem["line"] == 3


def test_decks_still_lists_when_the_store_is_busy(capsys, monkeypatch) -> None:
    from tutor.errors import TutorError
    from tutor.store import Store

    def busy(*args, **kwargs):
        raise TutorError(f"{paths.store_path()}: another tutor is writing to it; close it and try again.")

    monkeypatch.setattr(Store, "open", busy)
    assert main(["decks"]) == 0
    captured = capsys.readouterr()
    assert "Chapter 3: coding attention mechanisms." in captured.out
    assert captured.out.splitlines()[0].split()[:6] == ["deck", "cards", "live", "typed", "reversed", "cloze"]
    assert (
        captured.err
        == f"tutor: {paths.store_path()}: another tutor is writing to it; close it and try again.\n"
    )
