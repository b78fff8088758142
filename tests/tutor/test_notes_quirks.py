"""Each quirk of real notes, in a small notes file of its own."""

from __future__ import annotations

from pathlib import Path

from tutor.decks import load_decks
from tutor.importer import import_notes


def run(tmp_path: Path, notes: str, name: str = "notes.md"):
    path = tmp_path / name
    path.write_text(notes, encoding="utf-8")
    return import_notes(path, tmp_path / "decks")


def kinds(report) -> list[str]:
    return [problem.kind for problem in report.problems]


def test_headings_are_decks_and_blocks_are_cards_in_notes_order(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Chapter 1: Tokens\n\n<details>\n<summary>🎯Q. What is a token?</summary>\n\n- A piece of text.\n"
        "</details>\n\n<details>\n<summary>🎯Q.What is BPE ?</summary>\n\n1. merges\n2. **pairs**\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1  \n```\n</details>\n\n"
        "# Chapter 2: Attention\n\n<details><summary>🎯Q. Why attend?</summary>\n\nContext.\n\n</details>\n",
    )
    assert [(d.id, d.title) for d in report.decks] == [
        ("chapter-1-tokens", "Chapter 1: Tokens"),
        ("chapter-2-attention", "Chapter 2: Attention"),
    ]
    first, second = report.decks[0].cards
    assert (first.question, first.answer, first.source_line, first.order) == (
        "What is a token?",
        "- A piece of text.",
        3,
        0,
    )
    assert second.question == "What is BPE ?"
    assert (
        second.answer == "1. merges\n2. **pairs**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```"
    )
    assert report.decks[1].cards[0].answer == "Context."
    assert report.problems == []
    assert (tmp_path / "decks" / "chapter-1-tokens.yaml").is_file()


def test_a_details_tag_inside_code_is_not_a_card(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Deck\n\n<details>\n<summary>🎯Q. How do I fold an answer?</summary>\n\nLike this:\n\n"
        "```html\n<details>\n<summary>Q</summary>\n</details>\n```\n</details>\n",
    )
    [card] = report.cards
    assert card.answer.startswith("Like this:\n\n```html\n<details>")
    assert report.problems == []


def test_content_before_the_summary_starts_the_answer(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Deck\n<details>\n\n- A quote before the summary.\n\n<summary>🎯Q. Stages?</summary>\n\n"
        "- pretraining\n- fine-tuning\n</details>\n",
    )
    [card] = report.cards
    assert card.answer == "- A quote before the summary.\n\n- pretraining\n- fine-tuning"
    assert kinds(report) == ["text-before-summary"]
    assert report.problems[0].line == 2


def test_summary_and_content_without_a_blank_line(tmp_path: Path) -> None:
    # markdown-it sees all four lines as one raw HTML block
    report = run(
        tmp_path, "# Deck\n<details>\n<summary>🎯Q. Complement?</summary>\n- text answer here\n</details>\n"
    )
    [card] = report.cards
    assert (card.question, card.answer) == ("Complement?", "- text answer here")
    assert report.problems == []


def test_a_block_closed_by_summary_instead_of_details(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Deck\n<details>\n<summary>🎯Q. First?</summary>\n\nOne answer.\n</summary>\n\n"
        "<details>\n<summary>🎯Q. Second?</summary>\n\nTwo.\n</details>\n",
    )
    assert [(c.question, c.answer) for c in report.cards] == [("First?", "One answer."), ("Second?", "Two.")]
    assert kinds(report) == ["unclosed-block", "stray-tag"]
    assert "line 2" in report.problems[0].message and "</details>" in report.problems[0].message
    assert report.problems[1].line == 6


def test_a_stray_closing_details(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Maths\n\n</details>\n\n<details>\n<summary>🎯Q. Tensor?</summary>\n\nArray.\n</details>\n",
    )
    assert len(report.cards) == 1
    assert [(p.kind, p.line) for p in report.problems] == [("stray-tag", 3)]
    assert "</details>" not in report.decks[0].notes


def test_a_summary_that_is_not_a_question_becomes_notes(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Legend\n\n<details>\n<summary>Emojis used</summary>\nâ - For important points\n"
        "ğŸ”¥ - super important\n</summary>\n</details>\n",
    )
    assert report.cards == []
    assert report.decks[0].notes == "**Emojis used**\n\n⭐ - For important points\n🔥 - super important"
    assert kinds(report) == ["not-a-question", "stray-tag"]


def test_a_summary_without_marker_but_with_a_question_mark_is_a_card(tmp_path: Path) -> None:
    report = run(
        tmp_path, "# D\n<details><summary>Why scale by sqrt(d)?</summary>\n\nStable softmax.\n</details>\n"
    )
    assert [c.question for c in report.cards] == ["Why scale by sqrt(d)?"]


def test_flagged_cards_are_kept_and_reported(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# D\n\n<details>\n<summary>🎯Q. Empty one?</summary>\n\n- \n</details>\n\n"
        "<details>\n<summary>🎯Q. fdfdfdfdf ? </summary>\n\n- something\n</details>\n\n"
        "<details>\n<summary>🎯Q. Only a picture?</summary>\n\n- ![alt text](image-9.png)\n</details>\n\n"
        "<details>\n<summary>🎯Q. Real?</summary>\n\nYes, a real answer.\n</details>\n\n"
        "<details>\n<summary>🎯Q. Real ?</summary>\n\nYes, a real answer.\n</details>\n\n"
        "<details>\n<summary>🎯Q. Real?</summary>\n\nAnother answer to the same question.\n</details>\n",
    )
    flagged = {(card.source_line, card.question): card.needs_answer for card in report.cards}
    assert flagged == {
        (3, "Empty one?"): True,
        (15, "Only a picture?"): True,
        (21, "Real?"): False,
        (27, "Real ?"): True,  # the same question and the same answer: a duplicate
        (33, "Real?"): False,  # the same question, another answer: a card of its own
    }
    messages = [p.message for p in report.problems if p.kind == "needs-answer"]
    assert len(messages) == 3
    assert "the answer is empty" in messages[0]
    assert "only images" in messages[1]
    assert "the same question and answer are already on line 21" in messages[2]
    # a placeholder question is no card: its answer is kept in the deck notes
    assert [p.line for p in report.problems if p.kind == "placeholder"] == [9]
    assert "**fdfdfdfdf ?**\n\n- something" in report.decks[0].notes
    assert report.to_json()["needs_answer"][0]["question"] == "Empty one?"
    decks, problems = load_decks([tmp_path / "decks"])
    assert problems == []
    assert [c.needs_answer for c in decks[0].cards] == [True, True, False, True, False]


def test_text_outside_blocks_is_the_decks_notes(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "Intro before any heading.\n\n# Chapter 5\n\n- covers evaluation\n\n<br>\n<br>\n\n"
        "<details>\n<summary>🎯Q. Loss?</summary>\n\nCross-entropy.\n</details>\n\nGENERAL NOTES\n\n- more\n",
        name="my-notes.md",
    )
    # text before the first heading holds no card: it opens the first chapter's notes
    assert [d.title for d in report.decks] == ["Chapter 5"]
    assert (
        report.decks[0].notes == "Intro before any heading.\n\n- covers evaluation\n\nGENERAL NOTES\n\n- more"
    )


def test_images_resolve_relative_to_the_notes(tmp_path: Path) -> None:
    notes_dir = tmp_path / "notes"
    notes_dir.mkdir()
    (notes_dir / "here.png").write_bytes(b"\x89PNG")
    (notes_dir / "my chart.png").write_bytes(b"\x89PNG")
    report = run(
        notes_dir,
        "# D\n<details>\n<summary>🎯Q. Pictures?</summary>\n\nSee ![a chart](here.png) and "
        "![gone](missing.png) and ![web](https://example.com/x.png) and ![spaced](<my chart.png>).\n"
        "</details>\n",
    )
    [card] = report.cards
    # a missing image keeps its link as written and is listed, so an installed deck never points into
    # the folder the notes happened to be in
    assert "](../here.png)" in card.answer and "![gone](missing.png)" in card.answer
    assert "](<../my chart.png>)" in card.answer
    assert card.missing_images == ["missing.png"]
    decks, _ = load_decks([notes_dir / "decks"])
    assert decks[0].cards[0].missing_images == ["missing.png"]
    assert "missing_images: [missing.png]" in (notes_dir / "decks" / "d.yaml").read_text(encoding="utf-8")
    images = decks[0].cards[0].images()
    assert [(i.alt, i.exists) for i in images] == [
        ("a chart", True),
        ("gone", False),
        ("web", False),
        ("spaced", True),
    ]
    assert images[0].path.resolve() == (notes_dir / "here.png").resolve()
    assert images[2].path is None
    assert [p.kind for p in report.problems] == ["missing-images"]
    assert "missing.png" in report.problems[0].message


def test_an_unclosed_block_at_the_end_and_a_block_without_summary(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# D\n<details>\n\nJust text.\n</details>\n\n<details>\n<summary>🎯Q. Last?</summary>\n\nEnd",
    )
    assert [c.answer for c in report.cards] == ["End"]
    assert kinds(report) == ["no-summary", "unclosed-block"]
    assert report.decks[0].notes == "Just text."


def test_notes_in_an_old_windows_code_page_still_import(tmp_path: Path) -> None:
    path = tmp_path / "old.md"
    path.write_bytes(
        "# Caf\xe9\n<details><summary>🎯Q. Où?</summary>\n\nIci.\n</details>\n".encode("cp1252", "replace")
    )
    report = import_notes(path, tmp_path / "decks")
    assert report.decks[0].title == "Café"


def test_an_empty_question_and_an_empty_heading_still_make_loadable_decks(tmp_path: Path) -> None:
    report = run(
        tmp_path, "#\n<details><summary>🎯Q. </summary>\n\nAn answer without a question.\n</details>\n"
    )
    assert report.decks[0].title == "Untitled (line 1)"
    assert report.cards == [] and kinds(report) == ["no-question"]
    assert report.decks[0].notes == "An answer without a question."  # a notes-only deck: nothing is lost
    decks, problems = load_decks([tmp_path / "decks"])
    assert problems == [] and decks[0].notes == "An answer without a question."


def test_markdown_line_breaks_survive_as_backslash_breaks(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# D\n<details>\n<summary>🎯Q. Breaks?</summary>\n\n- **Task**:  \nGiven a word.\t\n\n"
        "    indented code  \n\n<br>\n</details>\n",
    )
    assert report.cards[0].answer == "- **Task**:\\\nGiven a word.\n\n    indented code"
    text = (tmp_path / "decks" / "d.yaml").read_text(encoding="utf-8")
    assert "  answer: |-\n    - **Task**:\\\n    Given a word." in text
