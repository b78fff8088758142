"""``tutor import FILE.apkg``: an Anki package's basic and cloze notes become tutor deck files.

One deck file per Anki deck. A basic card's question is what its template shows on the front, its
answer what the back adds; HTML becomes markdown (markdownify). A cloze note becomes one card whose
question is its text with Anki's ``{{c1::...}}`` kept, and whose answer is its other fields (Back Extra):
the tutor makes its cloze cards ``~c1``, ``~c2``, ... from it, one per deletion, as Anki does. A note
whose deletions nest (which the tutor's cloze cards do not read) gives one card per deletion instead,
tagged ``cloze``: the text with that deletion blanked as ``[...]`` (or ``[hint]``), then in bold.

A card's id comes from its note's guid (and its template's number), so importing the same package again
gives the same ids (and keeps the review history). A package the tutor exported gives its cards back as
they were written (tutor.anki.notes): the same ids, the reversed card of a "Tutor basic and reversed" note
as ``reverse``, an answer's cloze note as the answer's ``{{c1::...}}``, and the cloze cards of its marks
made again from its bold. Media is not imported: pictures become links to files that are missing, and are
reported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tutor.anki.export import DECK_ID_MARK, DECK_SETTING_MARK
from tutor.anki.notes import ANSWER_CLOZE, GUID_PREFIX, MARKS, note_guid
from tutor.anki.package import AnkiCard, Collection, read_package, referenced_fields
from tutor.deck_writing import save_deck
from tutor.decks import Card, Deck, load_deck
from tutor.importer import deck_slug
from tutor.siblings import SEPARATOR, expand, note_id, show_cloze

CLOZE_TAG = "cloze"
# {{c1::text}} or {{c1::text::hint}}; the innermost deletions first, so nested ones work too.
CLOZE = re.compile(r"\{\{c(\d+)::((?:(?!\{\{|\}\}|::).)*)(?:::((?:(?!\{\{|\}\}).)*))?\}\}", re.DOTALL)
IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc=)(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
SOUND = re.compile(r"\[sound:([^\]]+)\]")
DECK_ID = re.compile(re.escape(DECK_ID_MARK).replace(r"\{\}", r"([a-z0-9][a-z0-9-]*)"))
DECK_SETTING = re.compile(
    re.escape(DECK_SETTING_MARK).replace(r"\{\}", r"(reverse|cloze)", 1).replace(r"\{\}", r"(true|false)")
)


@dataclass
class PackageReport:
    package: Path
    out: Path
    decks: list[Deck] = field(default_factory=list)
    cloze_count: int = 0  # cards with cloze deletions: a cloze note, or a deletion of a nested one
    problems: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def card_count(self) -> int:
        return sum(len(deck.cards) for deck in self.decks)

    def to_json(self) -> dict:
        return {
            "package": str(self.package),
            "out": str(self.out),
            "decks": [
                {"id": d.id, "title": d.title, "cards": len(d.cards), "path": str(d.path)} for d in self.decks
            ],
            "cards": self.card_count,
            "cloze": self.cloze_count,
            "problems": self.problems,
            "written": [str(p) for p in self.written],
        }


# Most fields are plain words: as markdown they are the same text, and parsing them as HTML would be
# most of an import's time.
PLAIN = re.compile(r"[A-Za-z0-9,.;:?!'\"()/%=+-]+(?: [A-Za-z0-9,.;:?!'\"()/%=+-]+)*")


def to_markdown(html: str) -> str:
    """An Anki field (HTML) as markdown; a picture's name is quoted so a space cannot break its link."""
    if PLAIN.fullmatch(html):
        return html
    from bs4.exceptions import ParserRejectedMarkup
    from markdownify import markdownify

    from tutor.importer.fragments import read_declarations

    html = IMAGE.sub(lambda m: f'{m[1]}"{quote(m[2] or m[3] or m[4] or "", safe="/:%")}"', html)
    options: dict[str, Any] = {
        "bs4_options": "lxml",  # as the notes importer reads HTML: tags left open closed as browsers do
        "heading_style": "ATX",
        "bullets": "-",
        "escape_underscores": False,
        "newline_style": "BACKSLASH",
    }
    html = read_declarations(html)
    try:
        text = markdownify(html, **options)
    except ParserRejectedMarkup:  # markup the parser refuses is text
        text = markdownify(escape(html, quote=False), **options)
    text = text.replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def cloze_numbers(text: str) -> set[int]:
    numbers: set[int] = set()
    while True:
        matches = list(CLOZE.finditer(text))
        if not matches:
            return numbers
        numbers.update(int(m[1]) for m in matches)
        text = CLOZE.sub(lambda m: m[2], text)


def cloze_side(text: str, number: int, answer: bool) -> str:
    """The text with deletion ``number`` blanked (question) or in bold (answer), the others shown."""

    def replace(match: re.Match) -> str:
        if int(match[1]) != number:
            return match[2]
        if answer:
            return f"<b>{match[2]}</b>"
        return f"[{match[3]}]" if match[3] else "[...]"

    while CLOZE.search(text):
        text = CLOZE.sub(replace, text)
    return text


def nested(text: str) -> bool:
    """Whether a deletion of ``text`` holds another one (``{{c1::Rome is {{c2::Italy}}'s capital}}``)."""
    return bool(CLOZE.search(CLOZE.sub(lambda m: m[2], text)))


def _cloze_fields(card: AnkiCard) -> tuple[str, list[str]]:
    """A cloze card's text (HTML, deletions in Anki's syntax) and the other fields its back shows."""
    note_type, values = card.note_type, card.fields
    templates = note_type.templates
    front, back = templates[0] if templates else ("", "")
    compact = front.replace(" ", "")
    cloze_fields = [name for name in referenced_fields(front) if f"cloze:{name}" in compact]
    text_field = cloze_fields[0] if cloze_fields else note_type.fields[0]
    extra = [values.get(name, "") for name in referenced_fields(back) if name != text_field]
    return values.get(text_field, ""), extra


def _sides(card: AnkiCard) -> tuple[list[str], list[str]] | None:
    """The HTML parts of one card's question and answer, from its note's fields and its template.

    None for a cloze card whose deletion is no longer in its note's text (Anki leaves such cards empty).
    """
    note_type, values = card.note_type, card.fields
    if note_type.is_cloze:
        text, extra = _cloze_fields(card)
        number = card.ordinal + 1
        if number not in cloze_numbers(text):
            return None
        return [cloze_side(text, number, False)], [cloze_side(text, number, True), *extra]
    templates = note_type.templates
    front, back = templates[min(card.ordinal, len(templates) - 1)] if templates else ("", "")
    question_fields = referenced_fields(front, skip_type_in=True) or note_type.fields[:1]
    answer_fields = [name for name in referenced_fields(back) if name not in question_fields]
    if not answer_fields:
        answer_fields = [name for name in note_type.fields if name not in question_fields][:1]
    return [values.get(name, "") for name in question_fields], [
        values.get(name, "") for name in answer_fields
    ]


def _markdown(parts: list[str]) -> str:
    return "\n\n".join(text for text in map(to_markdown, parts) if text)


def _digest(guid: str, ordinal: int) -> str:
    return hashlib.sha256(f"{guid}:{ordinal}".encode()).hexdigest()[:8]


def card_id(guid: str, ordinal: int, question: str, known: dict[str, str]) -> str:
    """Stable across imports: the tutor's own id, or an id this package's card got before, or a new one."""
    if guid.startswith(GUID_PREFIX) and ordinal == 0 and SEPARATOR not in guid:
        return guid[len(GUID_PREFIX) :]
    digest = _digest(guid, ordinal)
    if digest in known:
        return known[digest]
    plain = re.sub(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)", " ", show_cloze(question))  # pictures, link targets
    words = re.findall(r"[a-z0-9]+", plain.lower())
    slug = "-".join(words[:4])[:28].strip("-") or "card"
    return f"{slug}-{digest}"


def _earlier_decks(out: Path) -> dict[str, Deck]:
    decks = {}
    for path in sorted(out.glob("*.yaml")) if out.is_dir() else []:
        deck, _ = load_deck(path)
        if deck is not None:
            decks[deck.id] = deck
    return decks


@dataclass
class _Written:
    """What a card the tutor exported was written with, read from its notes in the package."""

    reversed: bool
    marks: bool


def import_package(package: Path, out: Path, write: bool = True) -> PackageReport:
    """Read ``package`` and write one deck file per Anki deck into ``out``."""
    collection: Collection = read_package(package)
    report = PackageReport(Path(package), Path(out))
    earlier = _earlier_decks(report.out)
    # Ids this package's cards were given by an earlier import keep being used, whatever the question.
    known = {
        c.id.rsplit("-", 1)[1]: c.id
        for deck in earlier.values()
        if deck.source == report.package.name
        for c in deck.cards
        if "-" in c.id
    }
    # Cards of the learner's other deck files (their notes, another package) keep their ids to themselves.
    elsewhere = {
        c.id: deck.path.name
        for deck in earlier.values()
        if deck.source != report.package.name
        for c in deck.cards
    }
    notes: dict[int, list[AnkiCard]] = {}
    for anki_card in collection.cards:
        notes.setdefault(anki_card.note_id, []).append(anki_card)
    by_guid = {cards[0].guid: cards for cards in notes.values()}
    # The reversed and cloze notes of each card the tutor exported: "reverse", "cloze", "marks", "c-...".
    sibling_notes: dict[str, set[str]] = {}
    for guid in by_guid:
        if guid.startswith(GUID_PREFIX) and SEPARATOR in guid:
            written_id, suffix = guid[len(GUID_PREFIX) :].split(SEPARATOR, 1)
            sibling_notes.setdefault(written_id, set()).add(suffix)
    decks: dict[str, Deck] = {}
    taken_ids: set[str] = set()
    written: dict[str, _Written] = {}

    def add(
        anki_card: AnkiCard,
        ordinal: int,
        sides: tuple[list[str], list[str]],
        where: str,
        suspended: bool,
        deletion: bool = False,  # one deletion of a nested cloze note, made a card of its own
    ) -> None:
        question_html, answer_html = sides
        question, answer = _markdown(question_html), _markdown(answer_html)
        if not question:
            report.problems.append(f"{where} shows nothing on its front; it was skipped.")
            return
        identity = card_id(anki_card.guid, ordinal, question, known)
        if identity in taken_ids or identity in elsewhere:
            home = f"deck file {elsewhere[identity]}" if identity in elsewhere else "this package"
            report.problems.append(f"{where}: card id '{identity}' is already in {home}; it was skipped.")
            return
        taken_ids.add(identity)
        where = f"{report.package.name}: card '{identity}'"
        for picture in IMAGE.finditer("".join(question_html + answer_html)):
            target = picture[2] or picture[3] or picture[4]
            if "://" not in target and not target.startswith("data:"):
                report.problems.append(
                    f"{where} shows the picture {target} from Anki's media, which the tutor does not import; "
                    "copy it next to the deck file."
                )
        for sound in SOUND.findall(question + answer):
            report.problems.append(f"{where} plays the sound {sound}, which the tutor does not import.")
        is_cloze = deletion or bool(cloze_numbers(question))
        if not answer and not is_cloze:
            report.problems.append(f"{where} has no answer; it is kept, out of review until you write one.")
        deck = decks.get(anki_card.deck)
        if deck is None:
            deck = decks[anki_card.deck] = _new_deck(anki_card.deck, collection, report, earlier, decks)
        report.cloze_count += is_cloze
        deck.cards.append(
            Card(
                id=identity,
                deck_id=deck.id,
                question=question,
                answer=answer,
                order=len(deck.cards),
                needs_answer=not answer and not is_cloze,
                suspended=suspended,
                path=deck.path,
                tags=[tag for tag in anki_card.tags if tag.lower() != CLOZE_TAG] + [CLOZE_TAG]
                if deletion
                else list(anki_card.tags),
                # the bold of a converted deletion is the deletion, not a mark for more cloze cards
                cloze=False if deletion else None,
            )
        )

    for cards in notes.values():
        first = cards[0]
        where = f"{report.package.name}: note {first.note_id} ({first.note_type.name}"
        exported = first.guid[len(GUID_PREFIX) :] if first.guid.startswith(GUID_PREFIX) else ""
        if SEPARATOR in exported and GUID_PREFIX + note_id(exported) in by_guid:
            continue  # a reversed or cloze note of a card in the package: it is made again from that card
        if first.note_type.is_cloze and not nested(_cloze_fields(first)[0]):
            text, extra = _cloze_fields(first)
            if not cloze_numbers(text):
                report.problems.append(f"{where}) has no cloze deletion; it was skipped.")
                continue
            add(first, 0, ([text], extra), where + ")", all(card.suspended for card in cards))
        elif exported and SEPARATOR not in exported:
            # A card the tutor exported: its first Anki card, as it was written.
            question, answer = _sides(first) or ([], [])
            answer_note = by_guid.get(note_guid(exported, ANSWER_CLOZE))
            if answer_note is not None:  # the answer as written, its deletions in Anki's syntax
                answer = [_cloze_fields(answer_note[0])[0]]
            siblings = sibling_notes.get(exported, set())
            written[exported] = _Written(
                reversed=any(card.ordinal == 1 for card in cards) or "reverse" in siblings,
                # cloze cards of the marks, as a note of their own (or one note each, from older exports)
                marks=MARKS in siblings or any(suffix.startswith("c-") for suffix in siblings),
            )
            add(first, 0, (question, answer), where + ")", first.suspended)
        else:
            for anki_card in cards:
                sides = _sides(anki_card)
                here = f"{where}, card {anki_card.ordinal + 1})"
                if sides is None:
                    report.problems.append(
                        f"{here} has no cloze deletion c{anki_card.ordinal + 1}; it was skipped."
                    )
                else:
                    deletion = anki_card.note_type.is_cloze
                    add(anki_card, anki_card.ordinal, sides, here, anki_card.suspended, deletion)
    for deck in decks.values():
        for card in deck.cards:
            if card.id in written:
                _settings(card, deck, written[card.id])
        _keep_learner_fields(deck, earlier.get(deck.id))
        report.decks.append(deck)
        if write:
            report.written.append(save_deck(deck))
    return report


def _settings(card: Card, deck: Deck, written: _Written) -> None:
    """``reverse`` and ``cloze`` on an exported card where they differ from its deck's: the ones that give
    the reversed and cloze cards it was exported with."""
    reverse, cloze = bool(deck.reverse), deck.cloze is not False
    kinds = {
        sibling.id.split(SEPARATOR, 1)[1] for sibling in expand(card, True, True) if SEPARATOR in sibling.id
    }
    if "reverse" in kinds and written.reversed != reverse:
        card.reverse = written.reversed
    if any(kind.startswith("c-") for kind in kinds) and written.marks != cloze:
        card.cloze = written.marks


def _new_deck(name: str, collection: Collection, report: PackageReport, earlier: dict, decks: dict) -> Deck:
    """The deck for an Anki deck; an unrelated deck of the same id in ``out`` is left alone."""
    description = collection.deck_descriptions.get(name, "")
    exported = DECK_ID.search(description)  # a deck the tutor exported keeps its id and settings
    settings = {key: value == "true" for key, value in DECK_SETTING.findall(description)}
    description = DECK_SETTING.sub("", DECK_ID.sub("", description))
    base = deck_id = exported[1] if exported else deck_slug(name)
    used = {deck.id for deck in decks.values()}
    suffix = 2
    while deck_id in used or (deck_id in earlier and earlier[deck_id].source != report.package.name):
        deck_id, suffix = f"{base}-{suffix}", suffix + 1
    # The deck file of an earlier import is written again where it is, even if the learner renamed it.
    path = earlier[deck_id].path if deck_id in earlier else report.out / f"{deck_id}.yaml"
    return Deck(
        id=deck_id,
        title=name,
        notes=to_markdown(description) if description else "",
        cards=[],
        path=path,
        source=report.package.name,
        order=len(decks),
        reverse=settings.get("reverse"),
        cloze=settings.get("cloze"),
    )


def _keep_learner_fields(deck: Deck, earlier: Deck | None) -> None:
    """Demo links and tags added in the deck file survive importing the package again."""
    if earlier is None:
        return
    deck.reverse = deck.reverse if deck.reverse is not None else earlier.reverse
    deck.cloze = deck.cloze if deck.cloze is not None else earlier.cloze
    before = {card.id: card for card in earlier.cards}
    for card in deck.cards:
        old = before.get(card.id)
        if old is None:
            continue
        card.demos = old.demos
        card.tags = [*card.tags, *(tag for tag in old.tags if tag not in card.tags)]
        card.suspended = card.suspended or old.suspended
        card.reverse = old.reverse if old.reverse is not None else card.reverse
        card.cloze = old.cloze if old.cloze is not None else card.cloze
    current = {card.id for card in deck.cards}
    retired = {item["id"]: item for item in earlier.retired}
    for card in earlier.cards:
        if card.id not in current:
            retired[card.id] = {"id": card.id, "question": card.question}
    deck.retired = [item for card_id, item in retired.items() if card_id not in current]
