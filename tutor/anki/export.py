"""``tutor export --anki FILE.apkg``: the decks as an Anki package, and if asked the learner's progress.

genanki writes the notes, cards, decks and note types; tutor.anki.notes says which notes a card and its
reversed and cloze cards become, and which Anki card studies which tutor card. Each note's guid comes
from the card's id (``tutor:<card id>``): the same card exported again updates its note in Anki instead of
adding a second one, and ``tutor import`` of the package gives the card its id back. genanki knows no
scheduling, so the progress (card states, FSRS memory state, review log) is written into its collection
before the package is zipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import genanki

from tutor.anki import progress
from tutor.anki.notes import AnkiNote, anki_notes, stable_id, with_deletions
from tutor.decks import Card, Deck
from tutor.errors import TutorError
from tutor.scheduling import as_utc

# The deck's id and its reverse and cloze settings ride in its Anki description, unseen, so importing the
# package gives them back.
DECK_ID_MARK = "<!-- tutor deck id: {} -->"
DECK_SETTING_MARK = "<!-- tutor deck {}: {} -->"


@dataclass
class ExportReport:
    path: Path
    decks: int = 0
    notes: int = 0
    cards: int = 0  # Anki cards: a note of a reversed or cloze card has more than one
    needs_answer: list[str] = field(default_factory=list)  # card ids left out: they have no answer yet
    media: int = 0  # pictures from the answers packed with the notes
    missing_images: list[str] = field(default_factory=list)  # "card id: target" of pictures not found
    with_progress: bool = False
    cards_with_progress: int = 0
    reviews: int = 0
    parameters: list[float] | None = None  # the learner's fitted FSRS parameters, to paste into Anki

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "decks": self.decks,
            "notes": self.notes,
            "cards": self.cards,
            "needs_answer": self.needs_answer,
            "media": self.media,
            "missing_images": self.missing_images,
            "with_progress": self.with_progress,
            "cards_with_progress": self.cards_with_progress,
            "reviews": self.reviews,
            "fsrs_parameters": self.parameters,
        }


@cache
def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    default_image = md.renderer.rules.get("image")

    def image(renderer, tokens, idx, options, env):
        # Pictures packed into the package are referred to by their media name, as Anki expects.
        token = tokens[idx]
        src = str(token.attrs.get("src", ""))
        if src in env.get("media", {}):
            token.attrs["src"] = env["media"][src]
        return default_image(tokens, idx, options, env)

    md.add_render_rule("image", image)
    return md


def _media_name(path: Path) -> str:
    """A unique name in Anki's flat media folder: two pictures called chart.png stay apart."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    return f"tutor-{digest}-{path.name}"


def _media(card: Card, media: dict[str, Path], report: ExportReport) -> dict[str, str]:
    """The media names of the answer's pictures (a picture's target -> its name in the package)."""
    names = {}
    for image in card.images():
        if image.path is None:
            continue  # a web address: Anki shows it as it is
        if not image.exists:
            report.missing_images.append(f"{card.id}: {image.target}")
            continue
        names[image.target] = _media_name(image.path)
        media[names[image.target]] = image.path
    return names


def _note(note: AnkiNote, card: Card, names: dict[str, str]) -> genanki.Note:
    md = _markdown()
    fields = [
        with_deletions(
            md.renderInline(part.markdown) if part.inline else md.render(part.markdown, {"media": names})
        ).strip()
        for part in note.fields
    ]
    tags = [tag.strip().replace(" ", "_") for tag in card.tags if tag.strip()]
    return genanki.Note(model=note.model, fields=fields, guid=note.guid, tags=tags)


def anki_deck_id(deck: Deck) -> int:
    return stable_id(f"tutor deck {deck.id}")


def _description(deck: Deck) -> str:
    marks = [DECK_ID_MARK.format(deck.id)]
    for name, value in (("reverse", deck.reverse), ("cloze", deck.cloze)):
        if value is not None:
            marks.append(DECK_SETTING_MARK.format(name, str(value).lower()))
    return _markdown().render(deck.notes) + "".join(marks)


def export_decks(decks: list[Deck], out: Path, store=None, now: datetime | None = None) -> ExportReport:
    """Write ``out`` (an .apkg); with ``store`` (an open ``tutor.store.Store``) the progress goes too.

    ``decks`` are as ``load_decks`` gives them: each card of a deck file followed by its sibling cards.
    """
    now = as_utc(now)
    out = Path(out)
    report = ExportReport(path=out, with_progress=store is not None)
    media: dict[str, Path] = {}
    anki_decks: list = []
    studies: dict[tuple[str, int], tuple[int, Card]] = {}  # (guid, ordinal) -> (position, tutor card)
    position = itertools.count()
    for deck in decks:
        anki_deck = genanki.Deck(anki_deck_id(deck), deck.title, _description(deck))
        for written, studied in _by_written_card(deck.cards):
            if written.needs_answer:
                report.needs_answer.append(written.id)
                continue
            names = _media(written, media, report)
            for note in anki_notes(written, studied):
                if not note.cards:
                    continue  # none of its Anki cards is a card the tutor studies
                anki_deck.add_note(_note(note, written, names))
                for ordinal, card in note.cards.items():
                    studies[note.guid, ordinal] = (next(position), card)
        if anki_deck.notes:
            anki_decks.append(anki_deck)
    report.decks, report.media = len(anki_decks), len(media)
    report.notes = sum(len(deck.notes) for deck in anki_decks)
    with tempfile.TemporaryDirectory(prefix="tutor-export-") as folder:
        collection = Path(folder) / "collection.anki2"
        db = sqlite3.connect(collection)
        try:
            cursor = db.cursor()
            genanki.Package(anki_decks).write_to_db(
                cursor, now.timestamp(), itertools.count(int(now.timestamp() * 1000))
            )
            # Which tutor card each Anki card studies; genanki makes one Anki card per template or deletion,
            # and every one of them is a tutor card (a deletion the tutor does not study is left out).
            numbers: dict[int, tuple[int, Card]] = {}
            unstudied = []
            for number, guid, ordinal in cursor.execute(
                "SELECT c.id, n.guid, c.ord FROM cards c JOIN notes n ON n.id = c.nid"
            ).fetchall():
                if (guid, ordinal) in studies:
                    numbers[number] = studies[guid, ordinal]
                else:
                    unstudied.append((number,))
            cursor.executemany("DELETE FROM cards WHERE id = ?", unstudied)
            report.cards = len(numbers)
            # New cards come up in Anki in the order of the decks; a card suspended in its deck file
            # is suspended in Anki too.
            cursor.executemany(
                "UPDATE cards SET due = ?, queue = ? WHERE id = ?",
                (
                    (place, progress.QUEUE_SUSPENDED if card.suspended else progress.QUEUE_NEW, number)
                    for number, (place, card) in numbers.items()
                ),
            )
            # genanki's collection names no scheduler, and Anki takes that for its first one (v1), whose
            # learning answers had three buttons: it would turn every Good in the review log into Easy.
            conf = json.loads(cursor.execute("SELECT conf FROM col").fetchone()[0])
            conf |= {"schedVer": 2, "nextPos": len(studies)}
            if store is not None:
                conf["rollover"] = store.settings.day_start_hour  # the hour a study day begins
                _write_progress(cursor, store, numbers, now, report)
            cursor.execute("UPDATE col SET conf = ?", (json.dumps(conf),))
            db.commit()
        finally:
            db.close()
        _zip(out, collection, media)
    return report


def _by_written_card(cards: list[Card]) -> list[tuple[Card, list[Card]]]:
    """A deck's study cards (as ``load_decks`` gives them) by the card of the deck file they come from."""
    found: dict[str, tuple[Card, list[Card]]] = {}
    for card in cards:
        found.setdefault(card.note_id, (card.written, []))[1].append(card)
    return list(found.values())


def _write_progress(cursor, store, numbers: dict[int, tuple[int, Card]], now: datetime, report) -> None:
    settings = store.settings
    report.parameters = store.parameters
    weights = list(store.scheduler.parameters)
    decay = weights[20] if len(weights) > 20 else None  # FSRS-6's forgetting-curve decay
    store_db = store.db
    # One read transaction: a review given meanwhile in the app is in both the cards and the log, or in
    # neither.
    store_db.execute("BEGIN")
    try:
        calendar = progress.calendar_for(store_db, settings, now)
        rows = {row["id"]: row for row in store_db.execute("SELECT * FROM cards")}
        reviews = store_db.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    finally:
        store_db.execute("COMMIT")
    for number, (position, card) in numbers.items():
        row = rows.get(card.id)
        if row is None:
            continue
        columns = progress.card_columns(row, position, calendar, settings, now, decay)
        if card.suspended:
            columns["queue"] = progress.QUEUE_SUSPENDED
        if row["state"] is not None:
            report.cards_with_progress += 1
        if row["leech"]:  # Anki marks a leech with this tag
            cursor.execute(
                "UPDATE notes SET tags = tags || 'leech ' "
                "WHERE id = (SELECT nid FROM cards WHERE id = ?) AND instr(tags, ' leech ') = 0",
                (number,),
            )
        assignments = ", ".join(f"{name} = ?" for name in columns)
        cursor.execute(f"UPDATE cards SET {assignments} WHERE id = ?", (*columns.values(), number))
    by_card = {card.id: number for number, (_, card) in numbers.items()}
    revlog = [
        progress.revlog_row(review, by_card[review["card_id"]])
        for review in reviews
        if review["card_id"] in by_card
    ]
    cursor.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", progress.unique_ids(revlog))
    report.reviews = len(revlog)
    cursor.execute("UPDATE col SET crt = ?", (calendar.crt,))


def _zip(out: Path, collection: Path, media: dict[str, Path]) -> None:
    """The package as Anki reads it: the collection, a ``media`` map of numbered files, the files."""
    temporary = out.with_name(out.name + ".tmp")
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(collection, "collection.anki2")
            numbered = dict(enumerate(media.items()))
            package.writestr("media", json.dumps({str(i): name for i, (name, _) in numbered.items()}))
            for i, (_, path) in numbered.items():
                package.write(path, str(i))
        temporary.replace(out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise TutorError(
            f"{out}: cannot write the Anki package ({exc.strerror or exc}); choose a folder you can write to."
        ) from None
