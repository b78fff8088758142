"""Sibling cards: the reversed and cloze cards that one card of a deck file gives, as a note does in Anki.

- ``reverse: true`` (on the card, or on its deck for every card) adds a reversed card: it asks the answer and
  shows the question. Live cards and cards still waiting for an answer are not reversed.
- Anki's cloze syntax, ``{{c1::text}}`` or ``{{c1::text::hint}}``, gives one card per number. In the question
  the cloze cards replace the card (the question is the text to fill in, the answer its extra); in the
  answer the card stays and shows the deletions in bold, and each number adds a cloze card of the answer.
- The marks the notes put on what matters give cloze cards too, one per mark: a **bold** term inside a
  sentence (not a label at the start of a line, not a heading), and on a ⭐ or 🔥 line its `code` as well.
  ``cloze: false`` on a card (or its deck) turns these off; Anki's syntax is always read.

A sibling's id is its card's id and ``~reverse``, ``~c<N>`` or ``~c-<the mark's words>``: the card's id is
the note's, and the store buries the other cards of a note for the day once one is answered. Ids written in
deck files never hold ``~``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.decks import Card

SEPARATOR = "~"
BASIC, REVERSED, CLOZE = "basic", "reversed", "cloze"
KINDS = (BASIC, REVERSED, CLOZE)
MAX_MARKS = 3  # cloze cards drawn from one card's marks: the few terms that matter, not every bold word

ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^{}]*?))?\}\}", re.DOTALL)
BOLD = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")
CODE = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^\s*(```|~~~)")
LABEL_START = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s*")  # a list item's or quote's marker
WORD = re.compile(r"[^\W\d_][\w'’-]*")
STARRED = ("⭐", "🔥")
MARKUP = re.compile(r"[*_\[\]()<>{}]")


def note_id(card_id: str) -> str:
    """The id of the card in the deck file that a card comes from (itself for a card written there)."""
    return card_id.split(SEPARATOR, 1)[0]


def id_range(note: str) -> tuple[str, str]:
    """Bounds ``low <= id < high`` of every sibling id of ``note`` (ids compare as text)."""
    return note + SEPARATOR, note + chr(ord(SEPARATOR) + 1)


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers in Anki's syntax in ``text``, in order, once each."""
    return sorted({int(match.group(1)) for match in ANKI_CLOZE.finditer(text)})


def show_cloze(text: str, blank: int | None = None, bold: int | None = None) -> str:
    """``text`` with its cloze markup resolved: number ``blank`` as ``[...]`` (or ``[hint]``), number ``bold``
    (or every number, when ``bold`` is 0) in bold, the others as their plain text."""

    def resolve(match: re.Match) -> str:
        number, content, hint = int(match.group(1)), match.group(2), match.group(3)
        if number == blank:
            return f"**[{hint.strip() if hint and hint.strip() else '...'}]**"
        if bold == 0 or number == bold:
            return f"**{content}**"
        return content

    return ANKI_CLOZE.sub(resolve, text)


@dataclass(frozen=True)
class Mark:
    """A term the notes mark as mattering, and the line it is on."""

    term: str
    line: str
    start: int  # the mark's span in ``line``, markup included
    end: int


def marks(text: str) -> list[Mark]:
    """The marked terms of ``text`` that make good cloze deletions, first ones first, each term once."""
    starred = any(star in text for star in STARRED)
    if "**" not in text and not starred:
        return []  # most answers: no marks, and no line-by-line look
    fenced = "```" in text or "~~~" in text
    if not fenced and not starred:
        return _bold_marks(text)
    found: list[tuple[int, int, Mark]] = []
    seen: set[str] = set()
    in_fence = False
    for number, line in enumerate(text.splitlines()):
        if fenced and FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or not _prose(line):
            continue
        patterns = (BOLD, CODE) if any(star in line for star in STARRED) else (BOLD,)
        for pattern in patterns:
            for match in pattern.finditer(line):
                term = match.group(1).strip()
                if term.lower() in seen or not _good_term(term, line, match.start(), match.end()):
                    continue
                seen.add(term.lower())
                found.append((number, match.start(), Mark(term, line, match.start(), match.end())))
    return [mark for _, _, mark in sorted(found, key=lambda item: item[:2])]


def _prose(line: str) -> bool:
    """Whether a line can hold a mark: not a heading, a table row, or a line with Anki's cloze syntax."""
    return not line.lstrip().startswith(("#", "|")) and "{{c" not in line


def _bold_marks(text: str) -> list[Mark]:
    """``marks`` of a text with no code blocks and no starred lines: its bold spans found in one pass over
    the whole text, each judged on its own line (what start-up does for every answer with bold in it)."""
    found: list[Mark] = []
    seen: set[str] = set()
    for match in BOLD.finditer(text):
        term = match.group(1).strip()
        if term.lower() in seen:
            continue
        first = text.rfind("\n", 0, match.start()) + 1
        last = text.find("\n", match.end())
        line = text[first : last if last >= 0 else len(text)]
        start, end = match.start() - first, match.end() - first
        if not _prose(line) or not _good_term(term, line, start, end):
            continue
        seen.add(term.lower())
        found.append(Mark(term, line, start, end))
    return found


def _good_term(term: str, line: str, start: int, end: int) -> bool:
    """A term inside a sentence: a few words (not a label that starts its line or ends in a colon), with
    letters, and at least two words of the sentence before it."""
    words = term.split()
    if not 1 <= len(words) <= 4 or len(term) < 3 or not WORD.search(term) or term.endswith(":"):
        return False
    if MARKUP.search(term):
        return False
    before = LABEL_START.sub("", line[:start])
    if len(WORD.findall(before)) < 2:
        return False
    return not line[end:].lstrip().startswith(":")


def _slug(term: str) -> str:
    return re.sub(r"[\W_]+", "-", term.lower()).strip("-")[:40] or "mark"


def _context_line(line: str) -> str:
    """A line of an answer as a question's context: without its list marker and hard break."""
    return LABEL_START.sub("", line).rstrip().removesuffix("\\").rstrip()


# One card ``expand`` gives, as plain values the deck cache can keep: its id's suffix ("" for the card
# itself), its kind, question and answer (None: the card's own), and what a typed answer is checked against.
Drawn = tuple[str, str, str | None, str | None, str | None]


def expand(card: Card, reverse: bool, cloze: bool) -> list[Card]:
    """The cards ``card`` is studied as, in order: itself (as shown), its reversed card, its cloze cards.

    ``reverse`` and ``cloze`` are the card's settings with its deck's filled in.
    """
    found = draw(card, reverse, cloze)
    return [card] if found is None else build(card, found)


def draw(card: Card, reverse: bool, cloze: bool) -> list[Drawn] | None:
    """What ``expand`` makes of ``card``, as plain values; None when the card is studied as it is written
    (most cards). It reads only the card's id, question, answer, ``live`` and ``needs_answer``."""
    if card.live is not None or SEPARATOR in card.id:
        return None
    if not reverse and "{{c" not in card.question and "{{c" not in card.answer:
        if not cloze or ("**" not in card.answer and not any(star in card.answer for star in STARRED)):
            return None  # most cards, at 50,000 of them: three substring looks, no parsing
    found: list[Drawn] = []
    question_numbers = cloze_numbers(card.question)
    answer_numbers = cloze_numbers(card.answer)
    shown_answer = show_cloze(card.answer, bold=0)  # every deletion of the answer in bold
    if not question_numbers:
        # the card stays, its answer's deletions shown in bold
        found.append(("", BASIC, None, shown_answer if answer_numbers else None, None))
    if reverse and not card.needs_answer and card.answer.strip() and not question_numbers:
        found.append(("reverse", REVERSED, shown_answer, show_cloze(card.question), None))
    for number in question_numbers:
        extra = shown_answer.strip()
        answer = show_cloze(card.question, bold=number) + (f"\n\n---\n\n{extra}" if extra else "")
        question = show_cloze(card.question, blank=number)
        found.append((f"c{number}", CLOZE, question, answer, _cloze_text(card, number)))
    # The card's question under the text to fill in, quoted: where the text comes from (Browse lists the
    # text's first line).
    context = "\n\n" + "\n".join(f"> {line}" for line in show_cloze(card.question).splitlines())
    for number in answer_numbers:
        question = show_cloze(card.answer, blank=number) + context
        answer = show_cloze(card.answer, bold=number) + context
        found.append((f"c{number}", CLOZE, question, answer, _cloze_text(card, number)))
    if cloze and not card.needs_answer and not question_numbers and not answer_numbers:
        slugs: set[str] = set()
        asked = card.question.lower()
        for mark in marks(card.answer):
            if mark.term.lower().rstrip("s") in asked:  # the question itself would give the term away
                continue
            if len(slugs) == MAX_MARKS:
                break
            slug = base = _slug(mark.term)
            suffix = 2
            while slug in slugs:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            slugs.add(slug)
            # the term said again on its line is blanked too
            blanked = "**[...]**".join(
                part.replace(mark.term, "[...]") for part in (mark.line[: mark.start], mark.line[mark.end :])
            )
            question, answer = _context_line(blanked) + context, _context_line(mark.line) + context
            found.append((f"c-{slug}", CLOZE, question, answer, mark.term))
    if found == [("", BASIC, None, None, None)]:
        return None
    return found


def _cloze_text(card: Card, number: int) -> str:
    """The text of the card's cloze number ``number``, which a typed answer to its cloze card must give."""
    return " ".join(
        m.group(2)
        for m in ANKI_CLOZE.finditer(card.question + "\n" + card.answer)
        if int(m.group(1)) == number
    )


def build(card: Card, drawn: list[Drawn]) -> list[Card]:
    """The cards ``draw`` described, made from ``card``."""
    cards: list[Card] = []
    for suffix, kind, question, answer, expected in drawn:
        if not suffix:
            cards.append(card if answer is None else replace(card, answer=answer, note=card))
            continue
        question = card.question if question is None else question
        answer = card.answer if answer is None else answer
        cards.append(
            replace(
                card,
                id=f"{card.id}{SEPARATOR}{suffix}",
                question=question,
                answer=answer,
                kind=kind,
                note=card,
                expected=expected,
                demos=list(card.demos),
                tags=list(card.tags),
                missing_images=[name for name in card.missing_images if name in answer],
            )
        )
    return cards
