"""``tutor import FILE.apkg``: an Anki package's basic and cloze notes become tutor deck files.

One deck file per Anki deck. A basic card's question is what its template shows on the front, its
answer what the back adds; HTML becomes markdown (markdownify). The tutor has no cloze card of its own
yet, so each cloze deletion becomes one card tagged ``cloze``: the question is the text with that
deletion blanked as ``[...]`` (or ``[hint]``), the answer the whole text with the deletion in bold.

A card's id comes from its note's guid and its ordinal, so importing the same package again gives the
same ids (and keeps the review history); a card the tutor exported (guid ``tutor:<id>``) gets its own id
back. Media is not imported: pictures become links to files that are missing, and are reported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from tutor.anki.export import DECK_ID_MARK, GUID_PREFIX
from tutor.anki.package import AnkiCard, Collection, read_package, referenced_fields
from tutor.decks import Card, Deck, load_deck, save_deck
from tutor.importer import deck_slug
from tutor.siblings import SEPARATOR, note_id

CLOZE_TAG = "cloze"
# {{c1::text}} or {{c1::text::hint}}; the innermost deletions first, so nested ones work too.
CLOZE = re.compile(r"\{\{c(\d+)::((?:(?!\{\{|\}\}|::).)*)(?:::((?:(?!\{\{|\}\}).)*))?\}\}", re.DOTALL)
IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc=)(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
SOUND = re.compile(r"\[sound:([^\]]+)\]")
DECK_ID = re.compile(re.escape(DECK_ID_MARK).replace(r"\{\}", r"([a-z0-9][a-z0-9-]*)"))


@dataclass
class PackageReport:
    package: Path
    out: Path
    decks: list[Deck] = field(default_factory=list)
    cloze_count: int = 0
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
    from markdownify import markdownify

    html = IMAGE.sub(lambda m: f'{m[1]}"{quote(m[2] or m[3] or m[4] or "", safe="/:%")}"', html)
    text = markdownify(
        html, heading_style="ATX", bullets="-", escape_underscores=False, newline_style="BACKSLASH"
    )
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


def _sides(card: AnkiCard) -> tuple[list[str], list[str]] | None:
    """The HTML parts of one card's question and answer, from its note's fields and its template.

    None for a cloze card whose deletion is no longer in its note's text (Anki leaves such cards empty).
    """
    note_type, values = card.note_type, card.fields
    templates = note_type.templates
    front, back = templates[min(card.ordinal, len(templates) - 1)] if templates else ("", "")
    if note_type.is_cloze:
        compact = front.replace(" ", "")
        cloze_fields = [name for name in referenced_fields(front) if f"cloze:{name}" in compact]
        text_field = cloze_fields[0] if cloze_fields else note_type.fields[0]
        text = values.get(text_field, "")
        number = card.ordinal + 1
        if number not in cloze_numbers(text):
            return None
        extra = [values.get(name, "") for name in referenced_fields(back) if name != text_field]
        return [cloze_side(text, number, False)], [cloze_side(text, number, True), *extra]
    question_fields = referenced_fields(front, skip_type_in=True) or note_type.fields[:1]
    answer_fields = [name for name in referenced_fields(back) if name not in question_fields]
    if not answer_fields:
        answer_fields = [name for name in note_type.fields if name not in question_fields][:1]
    return [values.get(name, "") for name in question_fields], [
        values.get(name, "") for name in answer_fields
    ]


def _markdown(parts: list[str]) -> str:
    return "\n\n".join(text for text in map(to_markdown, parts) if text)


def _digest(card: AnkiCard) -> str:
    return hashlib.sha256(f"{card.guid}:{card.ordinal}".encode()).hexdigest()[:8]


def card_id(card: AnkiCard, question: str, known: dict[str, str]) -> str:
    """Stable across imports: the tutor's own id, or an id this package's card got before, or a new one."""
    if card.guid.startswith(GUID_PREFIX) and card.ordinal == 0 and SEPARATOR not in card.guid:
        return card.guid[len(GUID_PREFIX) :]
    digest = _digest(card)
    if digest in known:
        return known[digest]
    plain = re.sub(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)", " ", question)  # pictures and link targets
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
    decks: dict[str, Deck] = {}
    taken_ids: set[str] = set()
    # The tutor exports each reversed and cloze card as a note of its own (guid ``tutor:<card>~<kind>``);
    # when the card it comes from is in the package too, the sibling is made again from that card (a
    # reversed one by ``reverse: true``), so its id and history come back as they were.
    exported = {card.guid for card in collection.cards}
    reversed_: set[str] = set()
    for card in collection.cards:
        sibling = card.guid[len(GUID_PREFIX) :] if card.guid.startswith(GUID_PREFIX) else ""
        if SEPARATOR in sibling and GUID_PREFIX + note_id(sibling) in exported:
            if sibling.endswith(SEPARATOR + "reverse"):
                reversed_.add(note_id(sibling))
            continue
        sides = _sides(card)
        where = f"{report.package.name}: note {card.note_id} ({card.note_type.name}, card {card.ordinal + 1})"
        if sides is None:
            report.problems.append(f"{where} has no cloze deletion c{card.ordinal + 1}; it was skipped.")
            continue
        question, answer = _markdown(sides[0]), _markdown(sides[1])
        if not question:
            report.problems.append(f"{where} shows nothing on its front; it was skipped.")
            continue
        identity = card_id(card, question, known)
        if identity in taken_ids or identity in elsewhere:
            home = f"deck file {elsewhere[identity]}" if identity in elsewhere else "this package"
            report.problems.append(f"{where}: card id '{identity}' is already in {home}; it was skipped.")
            continue
        taken_ids.add(identity)
        where = f"{report.package.name}: card '{identity}'"
        for picture in IMAGE.finditer("".join(sides[0] + sides[1])):
            target = picture[2] or picture[3] or picture[4]
            if "://" not in target and not target.startswith("data:"):
                report.problems.append(
                    f"{where} shows the picture {target} from Anki's media, which the tutor does not import; "
                    "copy it next to the deck file."
                )
        for sound in SOUND.findall(question + answer):
            report.problems.append(f"{where} plays the sound {sound}, which the tutor does not import.")
        if not answer:
            report.problems.append(f"{where} has no answer; it is kept, out of review until you write one.")
        deck = decks.get(card.deck)
        if deck is None:
            deck = _new_deck(card.deck, collection, report, earlier, decks)
            decks[card.deck] = deck
        tags = [tag for tag in card.tags if tag.lower() != CLOZE_TAG]
        if card.note_type.is_cloze:
            tags.append(CLOZE_TAG)
            report.cloze_count += 1
        deck.cards.append(
            Card(
                id=identity,
                deck_id=deck.id,
                question=question,
                answer=answer,
                order=len(deck.cards),
                needs_answer=not answer,
                suspended=card.suspended,
                tags=tags,
                path=deck.path,
                # the bold of a converted deletion is the deletion, not a mark for more cloze cards
                cloze=False if card.note_type.is_cloze else None,
            )
        )
    for deck in decks.values():
        for written in deck.cards:
            if written.id in reversed_:
                written.reverse = True
        _keep_learner_fields(deck, earlier.get(deck.id))
        report.decks.append(deck)
        if write:
            report.written.append(save_deck(deck))
    return report


def _new_deck(name: str, collection: Collection, report: PackageReport, earlier: dict, decks: dict) -> Deck:
    """The deck for an Anki deck; an unrelated deck of the same id in ``out`` is left alone."""
    description = collection.deck_descriptions.get(name, "")
    exported = DECK_ID.search(description)  # a deck the tutor exported keeps its id
    description = DECK_ID.sub("", description)
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
    )


def _keep_learner_fields(deck: Deck, earlier: Deck | None) -> None:
    """Demo links and tags added in the deck file survive importing the package again."""
    if earlier is None:
        return
    before = {card.id: card for card in earlier.cards}
    for card in deck.cards:
        old = before.get(card.id)
        if old is None:
            continue
        card.demos = old.demos
        card.tags = [*card.tags, *(tag for tag in old.tags if tag not in card.tags)]
        card.suspended = card.suspended or old.suspended
        card.reverse = card.reverse or old.reverse
        card.cloze = old.cloze if old.cloze is not None else card.cloze
    current = {card.id for card in deck.cards}
    retired = {item["id"]: item for item in earlier.retired}
    for card in earlier.cards:
        if card.id not in current:
            retired[card.id] = {"id": card.id, "question": card.question}
    deck.retired = [item for card_id, item in retired.items() if card_id not in current]
