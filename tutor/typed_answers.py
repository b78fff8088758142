"""Type-in answers: compare what the learner typed with the answer, show the difference, propose a grade.

``exact`` is for whole numbers and token ids (``1,024`` and ``1024`` are the same number; ids may be
separated by commas or spaces), ``number`` accepts a float within a tolerance, ``words`` ignores case,
spacing, quotes and final punctuation. A right answer proposes Good, a wrong one Again; the learner may
grade otherwise before the grade is saved.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass

AGAIN, GOOD = 1, 3


@dataclass
class Piece:
    """A run of characters of the diff: ``same``, ``missing`` (in the answer, not typed) or ``extra``."""

    kind: str
    text: str


@dataclass
class Verdict:
    right: bool
    proposed: int  # the grade the tutor proposes: Good when right, Again when wrong
    diff: list[Piece]
    why: str  # one sentence for the learner


def _numbers(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;\[\]()]+", text.strip()) if part]


def normalise_words(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[`\"'“”‘’]", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(".!?;:").strip()


def _exact(expected: str, typed: str) -> bool:
    want = _numbers(expected)
    if len(want) == 1:  # one number: 124,412,160 and 124 412 160 are the same number, not three
        typed = re.sub(r"(?<=\d)[,_ ](?=\d{3}\b)", "", typed)
    got = _numbers(typed)
    return bool(got) and [_int_or_text(p) for p in want] == [_int_or_text(p) for p in got]


def _int_or_text(part: str) -> object:
    try:
        return int(part)
    except ValueError:
        return normalise_words(part)


def _close(expected: str, typed: str, tolerance: float) -> bool:
    try:
        want, got = float(expected.replace(",", "")), float(typed.strip().replace(",", ""))
    except (ValueError, IndexError):
        return False
    return math.isfinite(got) and abs(want - got) <= tolerance + 1e-12


def diff(expected: str, typed: str) -> list[Piece]:
    """Character by character: what matched, what is missing from the typed text, what it adds."""
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, typed, expected, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", expected[b1:b2]))
            continue
        if a2 > a1:
            pieces.append(Piece("extra", typed[a1:a2]))
        if b2 > b1:
            pieces.append(Piece("missing", expected[b1:b2]))
    return pieces


def check(expected: str, typed: str, compare: str = "words", tolerance: float = 0.005) -> Verdict:
    """The learner's typed answer against the expected one."""
    if compare == "exact":
        right = _exact(expected, typed)
    elif compare == "number":
        right = _close(expected, typed, tolerance)
    else:
        right = bool(typed.strip()) and normalise_words(expected) == normalise_words(typed)
    if not typed.strip():
        why = "Nothing was typed."
    elif right:
        why = "Right." if compare != "number" else f"Right (within {tolerance:g})."
    else:
        why = "Not the answer."
    if compare == "words":  # the diff shows what the comparison counted: not case, spacing or quotes
        pieces = diff(normalise_words(expected), normalise_words(typed))
    else:
        pieces = diff(expected, typed.strip())
    return Verdict(right, GOOD if right else AGAIN, pieces, why)


def plain_answer(markdown: str) -> str:
    """A markdown answer as the words a learner would type: no emphasis marks, backticks or list bullets."""
    from markdown_it import MarkdownIt

    words = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type in ("paragraph_close", "heading_close"):
            words.append(" ")
    return " ".join("".join(words).split())
