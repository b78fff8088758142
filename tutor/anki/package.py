"""Reading an Anki package (``.apkg`` or ``.colpkg``): its note types, decks, notes and cards.

A package is a zip holding a SQLite collection. Anki 2.1.50 and newer write ``collection.anki21b``
(zstd-compressed, note types and decks in tables of their own) beside a stub ``collection.anki2`` that
only says "please update Anki"; older versions, genanki and "Support older Anki versions" write
``collection.anki21`` or ``collection.anki2`` with note types and decks as JSON in the ``col`` row.
The newest collection in the package is the one read.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tutor.errors import TutorError

FIELD_SEPARATOR = "\x1f"
NEW_FORMAT = "collection.anki21b"
OLD_FORMATS = ("collection.anki21", "collection.anki2")
SUSPENDED = -1
HOW_TO_EXPORT = "export it from Anki with File > Export as an 'Anki Deck Package (*.apkg)'"


@dataclass
class NoteType:
    id: int
    name: str
    is_cloze: bool
    fields: list[str]
    templates: list[tuple[str, str]]  # (question format, answer format) by card ordinal


@dataclass
class AnkiCard:
    note_id: int
    guid: str
    note_type: NoteType
    fields: dict[str, str]  # field name -> HTML
    tags: list[str]
    ordinal: int  # template number, or cloze number - 1
    deck: str  # the deck's full name, "Parent::Child"
    suspended: bool


@dataclass
class Collection:
    cards: list[AnkiCard] = field(default_factory=list)
    deck_descriptions: dict[str, str] = field(default_factory=dict)  # deck name -> HTML


def read_package(path: Path) -> Collection:
    """The cards of an Anki package, in the order Anki created their notes."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise TutorError(f"{path} {what}; give the path of an Anki package (.apkg).")
    try:
        with zipfile.ZipFile(path) as package, tempfile.TemporaryDirectory(prefix="tutor-anki-") as folder:
            names = set(package.namelist())
            collection = Path(folder) / "collection.sqlite"
            if NEW_FORMAT in names:
                collection.write_bytes(_decompress(path, package.read(NEW_FORMAT)))
                return _read(path, collection, new_format=True)
            for name in OLD_FORMATS:
                if name in names:
                    collection.write_bytes(package.read(name))
                    return _read(path, collection, new_format=False)
    except zipfile.BadZipFile:
        raise TutorError(f"{path} is not an Anki package (it is not a zip file); {HOW_TO_EXPORT}.") from None
    except OSError as exc:
        raise TutorError(f"{path}: cannot be read ({exc.strerror or exc}); check the file.") from None
    raise TutorError(f"{path} is not an Anki package (it holds no Anki collection); {HOW_TO_EXPORT}.")


def _decompress(path: Path, data: bytes) -> bytes:
    import zstandard  # a dependency; imported here, as only packages from Anki 2.1.50 and newer need it

    try:
        return zstandard.ZstdDecompressor().decompress(data, max_output_size=1 << 31)
    except zstandard.ZstdError as exc:
        raise TutorError(f"{path}: its collection is damaged ({exc}); export it from Anki again.") from None


def _read(path: Path, collection: Path, new_format: bool) -> Collection:
    db = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
    try:
        note_types, decks, descriptions = _new_format(db) if new_format else _old_format(db)
        found = Collection(deck_descriptions=descriptions)
        rows = db.execute(
            "SELECT n.id, n.guid, n.mid, n.tags, n.flds, c.ord, c.did, c.odid, c.queue FROM cards c "
            "JOIN notes n ON n.id = c.nid ORDER BY n.id, c.ord"
        )
        for note_id, guid, type_id, tags, fields, ordinal, deck_id, home_deck, queue in rows:
            note_type = note_types.get(type_id)
            if note_type is None:
                continue
            values = fields.split(FIELD_SEPARATOR)
            deck = decks.get(home_deck or deck_id) or decks.get(deck_id) or "Default"
            found.cards.append(
                AnkiCard(
                    note_id=note_id,
                    guid=guid,
                    note_type=note_type,
                    fields=dict(zip(note_type.fields, values, strict=False)),
                    tags=tags.split(),
                    ordinal=ordinal,
                    deck=deck,
                    suspended=queue == SUSPENDED,
                )
            )
        return found
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
        raise TutorError(
            f"{path} is not an Anki package Anki wrote (its collection cannot be read: {exc}); "
            f"{HOW_TO_EXPORT}."
        ) from None
    finally:
        db.close()


def _old_format(db: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str], dict[str, str]]:
    models, decks = db.execute("SELECT models, decks FROM col").fetchone()
    note_types = {}
    for raw in json.loads(models).values():
        fields = [f["name"] for f in sorted(raw["flds"], key=lambda f: f["ord"])]
        templates = [(t["qfmt"], t["afmt"]) for t in sorted(raw["tmpls"], key=lambda t: t["ord"])]
        note_types[int(raw["id"])] = NoteType(
            int(raw["id"]), raw["name"], raw.get("type", 0) == 1, fields, templates
        )
    deck_rows = json.loads(decks).values()
    names = {int(d["id"]): d["name"] for d in deck_rows}
    descriptions = {d["name"]: d.get("desc", "") for d in deck_rows if d.get("desc")}
    return note_types, names, descriptions


# In the new format a note type's kind, a template's formats and a deck's description are protobuf
# messages; these are the few fields read (proto/anki/notetypes.proto: Notetype.Config.kind = 1,
# Template.Config q_format = 1, a_format = 2; decks.proto: KindContainer.normal = 1, Normal.description
# = 4). A small reader of that wire format saves a protobuf dependency.
def _new_format(db: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str], dict[str, str]]:
    fields: dict[int, list[str]] = {}
    for type_id, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(type_id, []).append(name)
    templates: dict[int, list[tuple[str, str]]] = {}
    for type_id, config in db.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        message = _protobuf(config)
        question, answer = (_text_field(message, number) for number in (1, 2))
        templates.setdefault(type_id, []).append((question, answer))
    note_types = {}
    for type_id, name, config in db.execute("SELECT id, name, config FROM notetypes"):
        is_cloze = _protobuf(config).get(1) == 1
        note_types[type_id] = NoteType(
            type_id, name, is_cloze, fields.get(type_id, []), templates.get(type_id, [])
        )
    # Deck names keep their parents apart with \x1f; Anki shows them as "Parent::Child".
    names, descriptions = {}, {}
    for deck_id, name, kind in db.execute("SELECT id, name, kind FROM decks"):
        names[deck_id] = name.replace("\x1f", "::")
        normal = _protobuf(kind or b"").get(1)  # Deck.KindContainer.normal: Deck.Normal
        if isinstance(normal, bytes):
            description = _protobuf(normal).get(4, b"")  # Deck.Normal.description
            if isinstance(description, bytes) and description:
                descriptions[names[deck_id]] = description.decode("utf-8", "replace")
    return note_types, names, descriptions


def _text_field(message: dict[int, int | bytes], number: int) -> str:
    """A protobuf string field; a number where text belongs (a damaged template) reads as no text."""
    value = message.get(number, b"")
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _protobuf(data: bytes) -> dict[int, int | bytes]:
    """The top-level fields of a protobuf message: field number -> integer or bytes (last one wins)."""
    values: dict[int, int | bytes] = {}
    position = 0

    def varint() -> int:
        nonlocal position
        result = shift = 0
        while True:
            byte = data[position]
            position += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    while position < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            values[number] = varint()
        elif wire == 2:
            length = varint()
            values[number] = data[position : position + length]
            position += length
        elif wire == 1:
            position += 8
        elif wire == 5:
            position += 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    return values


FIELD_REFERENCE = re.compile(r"\{\{([^#^/!{}][^{}]*)\}\}")
SPECIAL_FIELDS = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"}


def referenced_fields(template: str, skip_type_in: bool = False) -> list[str]:
    """The fields a card template shows, in order: ``{{Front}}``, ``{{text:Back}}``, ``{{cloze:Text}}``.

    Section markers (``{{#Field}}``) and Anki's own fields (``{{FrontSide}}``, ``{{Tags}}``) are not
    content; ``{{type:Back}}`` is the answer box, shown on the question side as an empty input.
    """
    found = []
    for reference in FIELD_REFERENCE.findall(template):
        parts = [part.strip() for part in reference.split(":")]
        name, filters = parts[-1], parts[:-1]
        if name in SPECIAL_FIELDS or (skip_type_in and "type" in filters) or name in found:
            continue
        found.append(name)
    return found
