"""Notes become decks: ``import_notes`` reads a learner's markdown notes and writes one deck file a chapter.

Every ``# `` heading is a deck, every ``<details><summary>🎯Q. …</summary> … </details>`` block a card, the
text around the blocks the deck's notes. Damaged text is repaired first (``mojibake``), blocks are found
with markdown-it (``blocks``), cards are judged and given demo links (``cards``) and matched to the cards
already in the deck files so ids, and with them review history, survive re-import (``identity``).
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import stat
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from tutor import paths
from tutor.deck_swap import recover, swap_in
from tutor.deck_writing import deck_to_yaml
from tutor.decks import Card, Deck, DemoLink, load_deck
from tutor.errors import TutorError
from tutor.importer.answers import clean_markdown
from tutor.importer.blocks import Problem, RawDeck, parse_blocks
from tutor.importer.cards import duplicate_key, needs_answer_reason, normalized, propose_demos, resolve_images
from tutor.importer.fragments import forget_fragments
from tutor.importer.identity import CardText, match_cards, new_card_id, text_hash
from tutor.importer.mojibake import find_mojibake, repair_text
from tutor.importer.report import ImportReport

__all__ = ["ImportReport", "Problem", "import_notes", "parse_notes", "read_notes"]


MAX_NOTES_BYTES = 64 * 1024 * 1024  # far above any notes file; a bigger "notes" file is a mistake


def read_notes(path: Path) -> str:
    """The notes' text; only a regular file of text is read (a FIFO would block, /dev/zero never ends)."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise TutorError(f"{path}: no such notes file; give the path to your markdown notes.") from None
    except OSError as exc:
        raise TutorError(f"{path}: cannot be read ({exc.strerror}).") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise TutorError(f"{path}: is a folder, not a notes file; give the path to your markdown notes.")
        raise TutorError(
            f"{path}: is not a regular file (a pipe, device or socket); save the notes to a file and "
            "import that."
        )
    with os.fdopen(descriptor, "rb") as file:
        try:
            data = file.read(MAX_NOTES_BYTES + 1)
        except OSError as exc:
            raise TutorError(f"{path}: cannot be read ({exc.strerror}).") from None
    if len(data) > MAX_NOTES_BYTES:
        raise TutorError(
            f"{path}: is over {MAX_NOTES_BYTES // (1024 * 1024)} MB, too big for notes; split it into "
            "smaller files and import each."
        )
    if b"\0" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TutorError(
            f"{path}: is not a text file (it holds binary data); give the path to your markdown notes."
        )
    try:
        text = (
            data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-8-sig")
        )
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # notes saved by an old Windows editor
    return text.replace("\r\n", "\n").replace("\r", "\n")


def deck_slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0]
    return slug or "deck"


def parse_notes(text: str, title: str = "notes") -> tuple[list[RawDeck], list[Problem]]:
    """Repair and parse notes text (no files): raw decks and the problems found."""
    forget_fragments()
    text = repair_text(text)
    try:
        decks, problems = parse_blocks(text, title)
    finally:
        forget_fragments()  # the converted HTML is not kept alive once the decks are made
    for line in find_mojibake(text):
        message = f"line {line}: damaged characters are left that could not be repaired; retype them."
        problems.append(Problem(line, "mojibake", message))
    return decks, problems


def notes_source(notes: Path, out: Path) -> str:
    """How a deck names the notes it came from: the notes' path from the deck folder, so two notes
    files with the same name in different folders never take each other's decks."""
    notes, out = notes.resolve(), out.resolve()
    try:
        return _writable(Path(os.path.relpath(notes, out)).as_posix())
    except ValueError:  # another drive on Windows
        return _writable(notes.as_posix())


def _writable(path: str) -> str:
    """The path as YAML can hold it: a byte of a file name that is not UTF-8 reaches Python as a lone
    surrogate, which no YAML file may contain, so it is written as %XX."""
    return "".join(f"%{ord(ch) - 0xDC00:02X}" if "\udc80" <= ch <= "\udcff" else ch for ch in path)


def _is_from(deck: Deck, notes: Path, out: Path) -> bool:
    if deck.source is None:
        return False
    if deck.source == notes_source(notes, out):
        return True
    if "/" not in deck.source:  # written before decks named their notes by path: the name alone
        return deck.source == notes.name
    return (out.resolve() / deck.source).resolve() == notes.resolve()


def _existing_decks(out: Path, notes: Path) -> tuple[list[Deck], set[str], set[str]]:
    """Decks of these notes already in ``out``, and the deck ids and card ids other files hold."""
    ours, other_decks = [], set()
    other_cards: set[str] = set()
    for path in sorted(out.glob("*.yaml")) if out.is_dir() else []:
        deck, problems = load_deck(path)
        if deck is None:
            problem = problems[0]
            where = f"{path}, line {problem.line}" if problem.line else str(path)
            raise TutorError(
                f"{where}: {problem.message.split('; ')[0]}; fix or move that file before importing, so its "
                "demos, tags and suspended flags are not lost."
            )
        if _is_from(deck, notes, out):
            ours.append(deck)
        else:
            other_decks.add(deck.id)
            other_cards.update(card.id for card in deck.cards)
    return ours, other_decks, other_cards


@contextmanager
def _without_gc_pauses():
    """An import allocates a token object per markdown element, all alive to the end; the cyclic garbage
    collector would scan them again and again, making big notes slower than linear. (Nothing here leaks
    cycles: the collector runs again as soon as the import returns.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_notes(notes: Path, out: Path | None = None, write: bool = True) -> ImportReport:
    """Import ``notes`` into deck files in ``out`` (the learner's deck folder by default), merging with
    the decks a previous import wrote there."""
    with _without_gc_pauses():
        return _import(Path(notes), Path(out) if out is not None else paths.user_decks_dir(), write)


def _import(notes: Path, out: Path, write: bool) -> ImportReport:
    raw_decks, problems = parse_notes(read_notes(notes), notes.stem)
    try:
        recovered = recover(out) if out.is_dir() else None  # the decks as one import left them
    except OSError as exc:
        raise TutorError(
            f"{out}: an interrupted import cannot be finished ({exc.strerror}); check the folder's "
            "permissions and import again."
        ) from None
    if recovered:
        problems.append(Problem(None, "recovered", f"{out}: {recovered}."))
    old_decks, other_deck_ids, taken = _existing_decks(out, notes)
    source = notes_source(notes, out)

    decks: list[Deck] = []
    deck_ids = set(other_deck_ids)
    next_suffix: dict[str, int] = {}  # slug -> the suffix to try next: allocation stays linear
    for order, raw in enumerate(raw_decks, 1):
        deck_id = base = deck_slug(raw.title)
        suffix = next_suffix.get(base, 2)
        while deck_id in deck_ids:
            deck_id = f"{base}-{suffix}"
            suffix += 1
        next_suffix[base] = suffix
        deck_ids.add(deck_id)
        notes_text, _missing = resolve_images(
            *clean_markdown("".join(raw.notes), words=False), notes.parent, out
        )
        deck = Deck(deck_id, raw.title, notes_text, [], out / f"{deck_id}.yaml", source, raw.line, order)
        decks.append(deck)

    # Answers are compared as they are written in the deck files: with image links already resolved.
    fresh = [
        (
            deck,
            raw_card,
            *resolve_images(
                raw_card.answer, None, notes.parent, out, raw_card.facts.images if raw_card.facts else None
            ),
        )
        for deck, raw in zip(decks, raw_decks, strict=True)
        for raw_card in raw.cards
    ]
    # Live cards are written in the deck file, not the notes: re-import keeps them as they are.
    live_cards = [(deck, card) for deck in old_decks for card in deck.cards if card.live is not None]
    old_cards = [(deck, card) for deck in old_decks for card in deck.cards if card.live is None]
    # A first import has no cards to match: the notes' cards are not made ready for matching at all.
    matched = (
        match_cards(
            [
                CardText(raw_card.question, answer, i, text_hash(raw_card.question, answer))
                for i, (_d, raw_card, answer, _missing) in enumerate(fresh)
            ],
            [
                CardText(
                    card.question, card.answer, j, card.notes_hash or text_hash(card.question, card.answer)
                )
                for j, (_d, card) in enumerate(old_cards)
            ],
        )
        if old_cards
        else {}
    )
    retired = {deck.id: list(deck.retired) for deck in old_decks}
    retired_by_question = {
        normalized(item["question"]): (deck_id, item)
        for deck_id, items in retired.items()
        for item in items
        if normalized(item["question"])  # a question without words is no question to come back to
    }
    taken |= {card.id for _d, card in old_cards + live_cards}
    taken |= {item["id"] for items in retired.values() for item in items}

    report = ImportReport(notes, out, decks, problems)
    report.blocks = sorted(block for raw in raw_decks for block in raw.blocks)
    salts: dict[str, int] = {}
    first_line: dict[tuple[str, str], int] = {}
    conflicts: dict[Path, list[Card]] = {}  # deck file -> cards edited there and in the notes
    for i, (deck, raw_card, answer, missing_images) in enumerate(fresh):
        card = Card(
            id="",
            deck_id=deck.id,
            question=raw_card.question,
            answer=answer,
            order=len(deck.cards),
            path=deck.path,
            source_line=raw_card.line,
            notes_hash=text_hash(raw_card.question, answer),
            missing_images=missing_images,
        )
        revived = (
            retired_by_question.pop(normalized(raw_card.question), None)
            if retired_by_question and i not in matched
            else None
        )
        reason = needs_answer_reason(raw_card.question, raw_card.answer, facts=raw_card.facts)
        if i in matched:
            old_deck, old = old_cards[matched[i]]
            card.id, card.suspended, card.tags, card.demos = old.id, old.suspended, old.tags, old.demos
            card.type_in, card.reverse, card.cloze = old.type_in, old.reverse, old.cloze
            if old.notes_hash and text_hash(old.question, old.answer) != old.notes_hash:
                if card.notes_hash == old.notes_hash:  # edited in the deck file only: the edit stays
                    card.question, card.answer, card.notes_hash = old.question, old.answer, old.notes_hash
                    reason = needs_answer_reason(card.question, card.answer)
                    report.kept_edits.append(card.id)
                else:
                    conflicts.setdefault(old_deck.path, []).append(card)
        elif revived is not None:
            deck_id, item = revived
            retired[deck_id].remove(item)
            card.id = item["id"]
            card.suspended = bool(item.get("suspended", False))
            card.tags = list(item.get("tags", []))
            card.demos = [
                DemoLink(name, dict(args)) for link in item.get("demos", []) for name, args in link.items()
            ]
        else:
            card.id = new_card_id(raw_card.question, deck.id, taken, salts)
            card.demos = propose_demos(raw_card.question, answer)
            report.new_cards.append(card.id)
        taken.add(card.id)
        key = duplicate_key(raw_card.question, raw_card.answer)
        if reason is None and key in first_line:
            reason = f"the same question and answer are already on line {first_line[key]}"
        first_line.setdefault(key, raw_card.line)
        if reason:
            card.needs_answer = True
            problems.append(
                Problem(
                    raw_card.line,
                    "needs-answer",
                    f"line {raw_card.line}: '{raw_card.question}': {reason}; the card is kept but left out "
                    "of review until its answer is written in the notes.",
                    detail=reason.split(" on line")[0].replace(" are already", ""),
                )
            )
        deck.cards.append(card)

    _keep_live_cards(decks, live_cards)
    kinds = {old.id: (old.reverse, old.cloze) for old in old_decks}  # the learner's, like live cards
    for deck in decks:
        deck.reverse, deck.cloze = kinds.get(deck.id, (None, None))
    _retire_removed(report, old_cards, set(matched.values()), retired)
    _report_missing_images(report)
    if write:
        _keep_replaced_edits(report, conflicts)
    problems.sort(key=lambda p: p.line or 0)
    if write:
        new_paths = {deck.path for deck in decks}
        gone = [old.path for old in old_decks if old.path not in new_paths and old.path.exists()]
        swap_in(out, {deck.path.name: deck_to_yaml(deck) for deck in decks}, [path.name for path in gone])
        report.written = [deck.path for deck in decks]
        report.deleted = gone
    return report


def _keep_live_cards(decks: list[Deck], live_cards: list[tuple[Deck, Card]]) -> None:
    """Each live card stays in its deck (the first deck when the notes no longer have its deck)."""
    by_id = {deck.id: deck for deck in decks}
    for old_deck, card in live_cards:
        home = by_id.get(old_deck.id) or (decks[0] if decks else None)
        if home is None:
            continue
        card.deck_id, card.path, card.order = home.id, home.path, len(home.cards)
        home.cards.append(card)


def _keep_replaced_edits(report: ImportReport, conflicts: dict[Path, list[Card]]) -> None:
    """Cards edited both in their deck file and in the notes take the notes' text; the deck file as it
    was is copied beside it first, so the learner's edit is never lost."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path, cards in conflicts.items():
        backup = path.with_name(f"{path.stem}.{stamp}.bak")
        shutil.copyfile(path, backup)
        for card in cards:
            message = (
                f"line {card.source_line}: '{card.question}' was edited both in the notes and in "
                f"{path.name}; the notes' version is used and your edit is saved in {backup.name}."
            )
            report.problems.append(Problem(card.source_line, "edit-replaced", message))


def _retire_removed(report: ImportReport, old_cards: list, used: set[int], retired: dict) -> None:
    """Cards no longer in the notes: reported, and their ids kept so they are never reused."""
    by_id = {deck.id: deck for deck in report.decks}
    for j, (old_deck, card) in enumerate(old_cards):
        if j in used:
            continue
        item = {"id": card.id, "question": card.question}
        if card.tags:
            item["tags"] = list(card.tags)
        if card.demos:
            item["demos"] = [{link.name: dict(link.args)} for link in card.demos]
        if card.suspended:
            item["suspended"] = True
        retired.setdefault(old_deck.id, []).append(item)
        report.removed.append({"id": card.id, "question": card.question, "deck": old_deck.id})
    for deck_id, items in retired.items():
        home = by_id.get(deck_id) or (report.decks[0] if report.decks else None)
        if home is not None:
            home.retired.extend(item for item in items if item not in home.retired)
    for item in report.removed:
        message = (
            f"card '{item['id']}' ('{item['question']}') is no longer in the notes; it left deck "
            f"'{item['deck']}' and its review history is kept."
        )
        report.problems.append(Problem(None, "removed", message))


def _report_missing_images(report: ImportReport) -> None:
    missing = [(card.source_line, name) for card in report.cards for name in card.missing_images]
    if missing:
        line, target = missing[0]
        message = (
            f"{len(missing)} image links point at files that are not next to the notes (first: {target}, "
            f"line {line}); cards show the image's alt text instead (listed as missing_images)."
        )
        report.problems.append(Problem(None, "missing-images", message))
