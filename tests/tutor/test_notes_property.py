"""Random, truncated and shuffled notes never crash the importer, and no <details> block goes missing."""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tutor.importer import import_notes, parse_notes
from tutor.importer.mojibake import repair_text

NOTES = Path(__file__).resolve().parents[2].parent / "shared" / "notes" / "llm-book-notes.md"
REAL = (
    NOTES.read_text(encoding="utf-8")
    if NOTES.is_file()
    else "# Chapter\n<details>\n<summary>🎯Q. x?</summary>\n"
)

FRAGMENTS = [
    "<details>",
    "</details>",
    "<summary>",
    "</summary>",
    "<details><summary>🎯Q. ",
    "🎯Q. ",
    "ğŸ¯Q. ",
    "â",
    "â€",
    "â€œ",
    "Ã",
    "ï¸",
    "# ",
    "## ",
    "Title\n===\n",
    "\n",
    "\n\n",
    "```",
    "    code",
    "- ",
    "> ",
    "1. ",
    "![alt text](image-1.png)",
    "[link](http://x)",
    "<br>",
    "|a|b|\n|-|-|\n|1|2|\n",
    "  ",
    "\t",
    "?",
    "\r\n",
    # the styles other people write
    "</b></details>",
    "```</details>",
    "<summary>Answer</summary>",
    "<summary><b>What is X</b></summary>",
    "### Which one?\n\n",
    "   <details>",
    "  - <details><summary>",
    "<p>",
    "</p>",
    "<ul><li>a</li></ul>",
    "<pre><code>x\n</code></pre>",
    "<table><tr><td>1</td></tr></table>",
    "&lt;",
    "&#39;",
    "<!--",
    "-->",
    "`",
    "ðŸŽ¯",
    "â€™",
    "Explain ",
    "答案",
    "정답",
    "Hint",
]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_MARKDOWN = MarkdownIt("commonmark")
_OPEN = re.compile(r"<details\b[^>]*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
NOTES_KINDS = ("not-a-question", "no-summary", "no-question", "placeholder")


def opened_blocks(text: str) -> list[int]:
    """Lines of <details> tags that markdown-it hands over as top-level HTML: blocks for sure."""
    top = []
    for token in _MARKDOWN.parse(text):
        if token.type == "html_block" and token.map and token.level == 0:
            # A <details> inside an HTML comment is commented out, not a block.
            content = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), token.content)
            for match in _OPEN.finditer(content):
                top.append(token.map[0] + 1 + token.content.count("\n", 0, match.start()))
    return top


def check_every_block_is_a_card_or_a_problem(text: str) -> None:
    decks, problems = parse_notes(text)
    repaired = repair_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = repaired.split("\n")
    accounted = Counter(line for deck in decks for line, _outcome in deck.blocks)
    # Each block is counted once, on a line that holds a <details> tag, and markdown-it's sure ones are all
    # there: as a card, a child card, text in its parent's answer, or notes with a problem saying why.
    for line, count in accounted.items():
        assert len(_OPEN.findall(lines[line - 1])) >= count
    assert not Counter(opened_blocks(repaired)) - accounted
    outcomes = [(line, outcome) for deck in decks for line, outcome in deck.blocks]
    cards = [card.line for deck in decks for card in deck.cards]
    assert sorted(cards) == sorted(line for line, o in outcomes if o in ("card", "child card"))
    noted = {p.line for p in problems if p.kind in NOTES_KINDS}
    assert {line for line, o in outcomes if o == "notes"} <= noted
    for deck in decks:
        for card in deck.cards:
            assert isinstance(card.question, str) and isinstance(card.answer, str) and card.question
    for problem in problems:
        assert problem.message and problem.kind


notes_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60).map("".join)


@SETTINGS
@given(notes_like)
@example("<!--<details>")  # a commented-out block is no block
def test_random_notes_never_crash(text: str) -> None:
    check_every_block_is_a_card_or_a_problem(text.replace("\r\n", "\n").replace("\r", "\n"))


@SETTINGS
@given(st.integers(min_value=0, max_value=len(REAL)))
def test_truncated_notes_never_crash(cut: int) -> None:
    check_every_block_is_a_card_or_a_problem(REAL[:cut])


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_shuffled_notes_never_crash(random) -> None:
    lines = REAL.split("\n")
    random.shuffle(lines)
    check_every_block_is_a_card_or_a_problem("\n".join(lines))


@settings(max_examples=15, deadline=None)
@given(notes_like, st.integers(min_value=0, max_value=len(REAL)))
def test_the_whole_import_writes_loadable_decks(text: str, cut: int) -> None:
    from tutor.decks import load_decks

    text = text.replace("\r", "").replace("\0", "")  # a NUL makes it a binary file (tested elsewhere)
    with tempfile.TemporaryDirectory() as folder:
        notes = Path(folder) / "notes.md"
        notes.write_text(REAL[:cut] + "\n" + text, encoding="utf-8")
        report = import_notes(notes, Path(folder) / "decks")
        again = import_notes(notes, Path(folder) / "decks")
        assert [c.id for c in again.cards] == [c.id for c in report.cards]
        assert len({c.id for c in report.cards}) == len(report.cards)
        decks, problems = load_decks([Path(folder) / "decks"])
        assert problems == []
        # every imported card is studied, as itself or as the cloze and reversed cards it gives
        assert len({c.note_id for d in decks for c in d.cards}) == len(report.cards)


def facts(text: str) -> list[tuple]:
    from tutor.importer.cards import needs_answer_reason

    decks, _ = parse_notes(text)
    return [
        (
            card.line,
            card.question,
            card.answer,
            card.facts,
            needs_answer_reason(card.question, card.answer, facts=card.facts),
        )
        for deck in decks
        for card in deck.cards
    ]


@settings(max_examples=30, deadline=None)
@given(notes_like, st.integers(min_value=0, max_value=len(REAL)))
def test_reusing_the_notes_tokens_gives_what_parsing_each_answer_gives(text: str, cut: int) -> None:
    from tutor.importer import blocks

    notes = REAL[:cut] + "\n" + text.replace("\r", "")
    reused = facts(notes)
    try:
        blocks.REUSE_TOKENS = False
        parsed = facts(notes)
    finally:
        blocks.REUSE_TOKENS = True
    assert reused == parsed
