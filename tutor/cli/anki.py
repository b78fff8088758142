"""Subcommands for Anki: ``export --anki FILE.apkg``, and ``import FILE.apkg`` (through ``import``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tutor import paths
from tutor.cli import open_library
from tutor.errors import TutorError
from tutor.wording import counted

ANKI_SUFFIXES = (".apkg", ".colpkg")


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export",
        help="write the decks as an Anki package",
        description=(
            "Write the decks as an Anki package (.apkg): one Anki deck per deck, one note per card, its "
            "reversed and cloze cards as the cards of a reversed or cloze note type. Exporting again "
            "updates the same notes in Anki rather than adding new ones. With "
            "--with-progress the package also carries each card's schedule, its FSRS memory state and "
            "your review history, so you can go on in Anki where you left off."
        ),
    )
    export.add_argument("--anki", type=Path, required=True, metavar="FILE.apkg", help="the package to write")
    export.add_argument(
        "--with-progress", action="store_true", help="include schedules, FSRS state and the review history"
    )
    export.add_argument(
        "--deck", action="append", metavar="ID", help="only this deck (give it again for more)"
    )
    export.add_argument("--json", action="store_true", help="print the report as JSON")
    export.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from tutor.anki.export import export_decks

    out: Path = args.anki
    if out.suffix.lower() != ".apkg":
        raise TutorError(f"{out}: an Anki package ends in .apkg; give --anki a name like decks.apkg.")
    if out.is_dir():
        raise TutorError(f"{out} is a folder; give --anki a file name like {out / 'tutor.apkg'}.")
    if not out.parent.is_dir():
        raise TutorError(f"{out}: the folder {out.parent} does not exist; create it or choose another path.")
    with open_library(store=args.with_progress, sync=False, backup=False) as library:
        decks = list(library.decks.values())
        if args.deck:
            unknown = [name for name in args.deck if name not in library.decks]
            if unknown:
                known = ", ".join(library.decks) or "none"
                raise TutorError(f"There is no deck '{unknown[0]}' (decks: {known}); check --deck.")
            decks = [deck for deck in decks if deck.id in args.deck]
        # Only read: a card the store has not seen yet goes to Anki as a new card.
        report = export_decks(decks, out, library.need_store() if args.with_progress else None)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    line = f"Wrote {out}: {counted(report.decks, 'deck')}, {counted(report.notes, 'note')}"
    line += f" ({counted(report.cards, 'card')})"
    if report.media:
        line += f", {counted(report.media, 'picture')}"
    if report.with_progress:
        line += (
            f"; progress of {counted(report.cards_with_progress, 'card')} and "
            f"{counted(report.reviews, 'review')}"
        )
    print(line + ".")
    attention = []
    if report.needs_answer:
        ids = ", ".join(report.needs_answer)
        attention.append(f"left out {counted(len(report.needs_answer), 'card')} still to be answered: {ids}")
    for missing in report.missing_images:
        card_id, target = missing.split(": ", 1)
        attention.append(f"card '{card_id}': the picture {target} was not found; in Anki it shows as missing")
    if attention:
        print(f"\nNeeds attention ({len(attention)}):")
        for item in attention:
            print(f"  {item}")
    if report.with_progress:
        print(
            "\nIn Anki: File > Import, tick 'Import any learning progress', and turn on FSRS in the deck "
            "options so Anki goes on from the memory state."
        )
        if report.parameters:
            weights = ", ".join(f"{w:.4f}" for w in report.parameters)
            print(f"Your FSRS parameters (from tutor optimize), to paste into Anki's FSRS box: {weights}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """``tutor import FILE.apkg``: an Anki package's basic and cloze notes become deck files."""
    from tutor.anki.convert import import_package

    out = args.out or paths.user_decks_dir()
    report = import_package(args.notes, out)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(
        f"Imported {report.package.name} into {out}: {counted(len(report.decks), 'deck')}, "
        f"{counted(report.card_count, 'card')} ({report.cloze_count} with cloze deletions)."
    )
    width = max((len(deck.id) for deck in report.decks), default=0)
    for deck in report.decks:
        print(f"  {deck.id:<{width}}  {counted(len(deck.cards), 'card', 3)}")
    if report.problems:
        print(f"\nNeeds attention ({len(report.problems)}):")
        for problem in report.problems:
            print(f"  {problem}")
    return 0
