"""Small decks and Anki packages made in the tests, and a look inside a package's collection."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

DECK = """\
id: tokens
title: Tokens and embeddings
notes: |
  How text becomes numbers.
cards:
- id: what-is-bpe-1a2b
  question: What is `BPE`?
  tags: [bpe, chapter 2]
  answer: |
    - **Byte pair encoding** merges frequent pairs.
    - ![the merges](merges.png)
- id: gpt2-vocabulary-3c4d
  question: How many tokens are in GPT-2's vocabulary?
  suspended: true
  answer: 50,257 (50,256 merges and `<|endoftext|>`).
- id: unanswered-5e6f
  question: What is a token id?
  needs_answer: true
  answer: ''
"""

OTHER_DECK = """\
id: attention
title: 'Chapter 3: attention'
cards:
- id: why-scale-7a8b
  question: Why divide the scores by the square root of d_k?
  answer: |
    | d_k | variance |
    |---|---|
    | 64 | 64 |

    Dividing keeps the softmax from saturating.
"""

# A card of each kind of sibling (tutor.siblings), and a deck whose settings its cards inherit or override.
SIBLINGS_DECK = """\
id: siblings
title: Reversed and cloze cards
cards:
- id: plain
  question: What is a token?
  answer: A piece of text.
- id: softmax
  question: softmax
  reverse: true
  answer: turns scores into probabilities
- id: gpt2-small
  question: GPT-2 small has {{c1::12}} layers and {{c2::768::width}} dimensions.
  answer: Table 4.1 of the book.
- id: dropout
  question: What does dropout do?
  answer: It zeroes {{c1::a random share}} of the {{c2::activations}} while training.
- id: layer-norm
  question: What does layer norm do?
  answer: |
    It scales each row to **zero mean** and **unit variance** before the next layer.

    ⭐ In C++ the same is `std::transform` over the row.
- id: logit
  question: What is a logit?
  cloze: false
  answer: The score before the **softmax function** is applied.
"""

SETTINGS_DECK = """\
id: deck-settings
title: Deck settings
reverse: true
cloze: false
cards:
- id: both-ways
  question: logit
  answer: a score before the **softmax** turns it into a probability
- id: one-way
  question: How many tokens has GPT-2?
  reverse: false
  answer: 50,257
- id: marked
  question: What is a token id?
  cloze: true
  answer: The row of the **embedding matrix** that holds the token.
"""


def write_sibling_decks(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "siblings.yaml").write_text(SIBLINGS_DECK, encoding="utf-8")
    (folder / "settings.yaml").write_text(SETTINGS_DECK, encoding="utf-8")
    return folder


def write_decks(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokens.yaml").write_text(DECK, encoding="utf-8")
    (folder / "attention.yaml").write_text(OTHER_DECK, encoding="utf-8")
    (folder / "merges.png").write_bytes(b"\x89PNG\r\n\x1a\n fake picture")
    return folder


def anki_cards(db: sqlite3.Connection) -> dict[tuple[str, int], dict]:
    """A collection's cards by (note guid, card ordinal), with their note type's name as ``model``."""
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    names = {int(model_id): model["name"] for model_id, model in models.items()}
    rows = db.execute("SELECT n.guid, n.mid, n.flds, c.* FROM cards c JOIN notes n ON n.id = c.nid")
    return {(row["guid"], row["ord"]): {**dict(row), "model": names[row["mid"]]} for row in rows}


def open_collection(package: Path, tmp_path: Path) -> sqlite3.Connection:
    """The package's collection.anki2, unzipped, opened with sqlite3."""
    with zipfile.ZipFile(package) as archive:
        target = tmp_path / f"{package.stem}-collection.anki2"
        target.write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(target)
    db.row_factory = sqlite3.Row
    return db


def make_anki_package(path: Path) -> Path:
    """A package as Anki users have them: basic, reversed, type-in and cloze notes, HTML fields."""
    import genanki

    europe = genanki.Deck(2059400110, "Geography::Europe", "<p>Capitals and <b>rivers</b>.</p>")
    notes = [
        (genanki.BASIC_MODEL, ["What is the capital of <i>France</i>?", "<b>Paris</b><br>on the Seine"]),
        (genanki.BASIC_AND_REVERSED_CARD_MODEL, ["Berlin", "capital of Germany"]),
        (genanki.BASIC_TYPE_IN_THE_ANSWER_MODEL, ["Longest river in Europe?", "Volga"]),
        (
            genanki.CLOZE_MODEL,
            ["The {{c1::Danube}} flows into the {{c2::Black Sea::a sea}}.", "Source: <i>Atlas</i>"],
        ),
        (genanki.CLOZE_MODEL, ["{{c1::Rome}} is the capital of {{c2::Italy}}", ""]),
        (genanki.BASIC_MODEL, ['Where is this? <img src="alps map.png">', "The Alps [sound:alps.mp3]"]),
    ]
    for number, (model, fields) in enumerate(notes):
        europe.add_note(genanki.Note(model=model, fields=fields, guid=f"geo{number}", tags=["europe"]))
    other = genanki.Deck(2059400111, "Maths")
    other.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["2 * 3 = ?", "6"], guid="maths0"))
    genanki.Package([europe, other]).write_to_file(path, timestamp=1_700_000_000)
    return path


def _protobuf_string(number: int, text: str) -> bytes:
    data = text.encode()
    return bytes([number << 3 | 2, len(data)]) + data


def make_new_format_package(path: Path) -> Path:
    """A package as Anki 2.1.50+ writes it: a zstd-compressed collection.anki21b in the newer schema
    (note types, fields, templates and decks in tables, protobuf configs) beside a stub collection.anki2."""
    import zstandard

    collection = path.with_suffix(".anki21b.sqlite")
    db = sqlite3.connect(collection)
    db.executescript(
        """
        CREATE TABLE notetypes (id INTEGER PRIMARY KEY, name TEXT, mtime_secs INTEGER, usn INTEGER,
                                config BLOB);
        CREATE TABLE fields (ntid INTEGER, ord INTEGER, name TEXT, config BLOB);
        CREATE TABLE templates (ntid INTEGER, ord INTEGER, name TEXT, mtime_secs INTEGER, usn INTEGER,
                                config BLOB);
        CREATE TABLE decks (id INTEGER PRIMARY KEY, name TEXT, mtime_secs INTEGER, usn INTEGER,
                            common BLOB, kind BLOB);
        CREATE TABLE notes (id INTEGER PRIMARY KEY, guid TEXT, mid INTEGER, mod INTEGER, usn INTEGER,
                            tags TEXT, flds TEXT, sfld TEXT, csum INTEGER, flags INTEGER, data TEXT);
        CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER, did INTEGER, ord INTEGER, mod INTEGER,
                            usn INTEGER, type INTEGER, queue INTEGER, due INTEGER, ivl INTEGER,
                            factor INTEGER, reps INTEGER, lapses INTEGER, left INTEGER, odue INTEGER,
                            odid INTEGER, flags INTEGER, data TEXT);
        """
    )
    db.execute("INSERT INTO notetypes VALUES (1, 'Basic', 0, 0, ?)", (b"",))
    db.execute("INSERT INTO notetypes VALUES (2, 'Cloze', 0, 0, ?)", (bytes([1 << 3 | 0, 1]),))
    db.executemany(
        "INSERT INTO fields VALUES (?, ?, ?, ?)",
        [(1, 0, "Front", b""), (1, 1, "Back", b""), (2, 0, "Text", b""), (2, 1, "Back Extra", b"")],
    )
    basic = _protobuf_string(1, "{{Front}}") + _protobuf_string(2, "{{FrontSide}}<hr id=answer>{{Back}}")
    cloze = _protobuf_string(1, "{{cloze:Text}}") + _protobuf_string(2, "{{cloze:Text}}<br>{{Back Extra}}")
    db.execute("INSERT INTO templates VALUES (1, 0, 'Card 1', 0, 0, ?)", (basic,))
    db.execute("INSERT INTO templates VALUES (2, 0, 'Cloze', 0, 0, ?)", (cloze,))
    db.execute("INSERT INTO decks VALUES (7, 'Languages\x1fFrench', 0, 0, x'', x'')")
    db.execute(
        "INSERT INTO notes VALUES (10, 'fr-basic', 1, 0, 0, ' french ', 'chat\x1fcat', 'chat', 0, 0, '')"
    )
    db.execute(
        "INSERT INTO notes VALUES (11, 'fr-cloze', 2, 0, 0, '', 'un {{c1::chien}}\x1f', 'un', 0, 0, '')"
    )
    db.execute("INSERT INTO cards VALUES (100, 10, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')")
    db.execute("INSERT INTO cards VALUES (101, 11, 7, 0, 0, 0, 0, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, '')")
    db.commit()
    db.close()
    stub = path.with_suffix(".stub.apkg")
    make_stub(stub)
    with zipfile.ZipFile(path, "w") as archive, zipfile.ZipFile(stub) as old:
        archive.writestr("collection.anki2", old.read("collection.anki2"))
        archive.writestr("collection.anki21b", zstandard.ZstdCompressor().compress(collection.read_bytes()))
        archive.writestr("media", b"")
    return path


def make_stub(path: Path) -> Path:
    """The collection.anki2 new Anki versions add for old ones: one note asking to update."""
    import genanki

    deck = genanki.Deck(1, "Default")
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["Please update to the latest Anki.", ""]))
    genanki.Package(deck).write_to_file(path)
    return path
