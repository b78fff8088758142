"""A card of a deck file and its sibling cards (tutor.siblings) as Anki notes of Anki's own kinds.

- A card is a note of "Tutor basic" (guid ``tutor:<id>``); a card with a reversed sibling is a note of
  "Tutor basic and reversed", whose Card 2 (answer to question) is the reversed card.
- A card whose question holds Anki's cloze syntax is a note of "Tutor cloze" (guid ``tutor:<id>``): its
  Anki card ``cN`` is the sibling ``<id>~cN``, the card's answer is the note's Back Extra.
- A card whose answer holds it keeps its basic note (the deletions in bold, as the tutor shows it), and the
  answer is a second, cloze note (guid ``tutor:<id>~cloze``) with the question quoted under the text.
- A card with cloze siblings from its marks (bold terms, code on starred lines) keeps its basic note too,
  and the answer is a cloze note (guid ``tutor:<id>~marks``) whose deletion ``cK`` is the K-th marked term.

Each note says which tutor card each of its Anki cards studies (by the card's ordinal: a template's number,
or a deletion's number less one), so the progress of every sibling goes to the right Anki card.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import genanki

from tutor.decks import Card
from tutor.siblings import SEPARATOR, cloze_numbers, marks, show_cloze

GUID_PREFIX = "tutor:"
ANSWER_CLOZE, MARKS = "cloze", "marks"  # the guid suffixes of the cloze notes of an answer
ANSWER_RULE = '<hr id="answer">'
CSS = """\
.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background: white; }
pre, code { font-family: monospace; background: #f2f2f2; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 2px 6px; }
.cloze { font-weight: bold; color: blue; }
"""


def note_guid(card_id: str, suffix: str = "") -> str:
    return GUID_PREFIX + card_id + (SEPARATOR + suffix if suffix else "")


def stable_id(text: str) -> int:
    """An Anki model or deck id (any positive 63-bit number) that is the same on every export."""
    return (1 << 30) + int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big") % (1 << 40)


BASIC_MODEL = genanki.Model(
    model_id=stable_id("tutor basic"),
    name="Tutor basic",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{FrontSide}}\n" + ANSWER_RULE + "\n{{Answer}}"}
    ],
    css=CSS,
)
REVERSED_MODEL = genanki.Model(
    model_id=stable_id("tutor basic and reversed"),
    name="Tutor basic and reversed",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{FrontSide}}\n" + ANSWER_RULE + "\n{{Answer}}"},
        {"name": "Card 2", "qfmt": "{{Answer}}", "afmt": "{{FrontSide}}\n" + ANSWER_RULE + "\n{{Question}}"},
    ],
    css=CSS,
)
# The card's question, quoted under the text to fill in, as the tutor shows a cloze card of an answer.
_QUOTED_QUESTION = "{{#Question}}\n<blockquote>{{Question}}</blockquote>\n{{/Question}}"
CLOZE_MODEL = genanki.Model(
    model_id=stable_id("tutor cloze"),
    name="Tutor cloze",
    fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Question"}],
    templates=[
        {
            "name": "Cloze",
            "qfmt": "{{cloze:Text}}\n" + _QUOTED_QUESTION,
            "afmt": "{{cloze:Text}}\n"
            + _QUOTED_QUESTION
            + "\n{{#Back Extra}}\n"
            + ANSWER_RULE
            + "\n{{Back Extra}}\n{{/Back Extra}}",
        }
    ],
    css=CSS,
    model_type=genanki.Model.CLOZE,
)
MODELS = (BASIC_MODEL, REVERSED_MODEL, CLOZE_MODEL)

# A marked term becomes a deletion after the answer is turned into HTML: these private-use characters
# stand for Anki's ``{{cN::`` and ``}}`` until then, as the markdown renderer leaves them alone.
_OPEN, _NUMBER_END, _CLOSE = "\ue000", "\ue001", "\ue002"
_DELETION = re.compile(f"{_OPEN}(\\d+){_NUMBER_END}(.*?){_CLOSE}", re.DOTALL)


@dataclass(frozen=True)
class Field:
    markdown: str
    inline: bool  # a question: one paragraph, rendered without a <p>


@dataclass
class AnkiNote:
    guid: str
    model: genanki.Model
    fields: list[Field]
    cards: dict[int, Card] = field(default_factory=dict)  # Anki card ordinal -> the tutor card it studies


def anki_notes(written: Card, studied: list[Card]) -> list[AnkiNote]:
    """The Anki notes of ``written`` (a card of a deck file), whose study cards are ``studied``."""
    by_id: dict[str, Card] = {}
    for card in studied:
        by_id.setdefault(card.id, card)
    question_numbers = cloze_numbers(written.question)
    if question_numbers:
        note = AnkiNote(
            note_guid(written.id),
            CLOZE_MODEL,
            [
                Field(written.question, True),
                Field(show_cloze(written.answer, bold=0), False),
                Field("", True),
            ],
        )
        note.cards = _numbered(written.id, question_numbers, by_id)
        return [note]
    notes = []
    forward = by_id.get(written.id, written)
    reversed_ = by_id.get(f"{written.id}{SEPARATOR}reverse")
    basic = AnkiNote(
        note_guid(written.id),
        REVERSED_MODEL if reversed_ is not None else BASIC_MODEL,
        [Field(forward.question, True), Field(forward.answer, False)],
        {0: forward},
    )
    if reversed_ is not None:
        basic.cards[1] = reversed_
    notes.append(basic)
    question = Field(show_cloze(written.question), True)
    answer_numbers = cloze_numbers(written.answer)
    if answer_numbers:
        cloze = AnkiNote(
            note_guid(written.id, ANSWER_CLOZE),
            CLOZE_MODEL,
            [Field(written.answer, False), Field("", False), question],
        )
        cloze.cards = _numbered(written.id, answer_numbers, by_id)
        if cloze.cards:
            notes.append(cloze)
        return notes
    marked = [card for card in studied if card.id.startswith(f"{written.id}{SEPARATOR}c-")]
    if not marked:
        return notes
    text, placed = marked_answer(written.answer, [card.expected or "" for card in marked])
    if placed:
        cards = {number - 1: card for number, card in enumerate(marked, start=1) if number in placed}
        notes.append(
            AnkiNote(
                note_guid(written.id, MARKS),
                CLOZE_MODEL,
                [Field(text, False), Field("", False), question],
                cards,
            )
        )
    return notes


def _numbered(card_id: str, numbers: list[int], by_id: dict[str, Card]) -> dict[int, Card]:
    found = {}
    for number in numbers:
        sibling = by_id.get(f"{card_id}{SEPARATOR}c{number}")
        if sibling is not None:
            found[number - 1] = sibling
    return found


def marked_answer(answer: str, terms: list[str]) -> tuple[str, set[int]]:
    """``answer`` with each of ``terms`` (marked terms, in order) standing for deletion c1, c2, ..., and the
    numbers placed.

    The marks are found as tutor.siblings finds them, so the deletion is the marked span itself (inside
    its ``**`` or backticks), not the same word somewhere else.
    """
    lines = answer.split("\n")
    wanted = {term: number for number, term in enumerate(terms, start=1)}
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for mark in marks(answer):
        number = wanted.pop(mark.term, None)
        index = next((i for i, line in enumerate(lines) if line == mark.line), None)
        if number is not None and index is not None:
            spans.setdefault(index, []).append((mark.start, mark.end, number))
    for index, found in spans.items():
        line = lines[index]
        for start, end, number in sorted(found, reverse=True):
            span = line[start:end]
            width = 2 if span.startswith("**") else 1  # the ** of bold, or the backtick of code
            line = (
                f"{line[:start]}{span[:width]}{_OPEN}{number}{_NUMBER_END}{span[width:-width]}{_CLOSE}"
                f"{span[-width:]}{line[end:]}"
            )
        lines[index] = line
    return "\n".join(lines), {number for found in spans.values() for _, _, number in found}


def with_deletions(html: str) -> str:
    """Rendered HTML with the placeholders of ``marked_answer`` as Anki's ``{{cN::...}}``; a ``::`` in a
    term is written ``:&#58;``, which shows the same and is not read as the start of a hint."""
    return _DELETION.sub(lambda m: f"{{{{c{m[1]}::{m[2].replace('::', ':&#58;')}}}}}", html)
