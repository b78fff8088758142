"""Subcommands: ``import`` (notes become decks) and ``decks`` (what there is to study)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import wcwidth

from tutor import paths
from tutor.cli import open_library
from tutor.wording import counted


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    importer = subparsers.add_parser(
        "import",
        help="turn markdown notes into decks",
        description=(
            "Turn markdown notes into decks: every '# ' heading becomes a deck and every "
            "<details><summary>question</summary> answer </details> block a card (HTML answers, a question "
            "above an 'Answer' label and nested blocks included). Importing again keeps each card's id "
            "(and review history), and your demo links, tags and suspended flags. An Anki package (.apkg) "
            "works too: its basic and cloze notes become deck files."
        ),
    )
    importer.add_argument(
        "notes", type=Path, metavar="NOTES.md", help="the notes file, or an Anki package (.apkg)"
    )
    importer.add_argument(
        "--out", type=Path, metavar="DIR", help=f"deck folder (default: {paths.user_decks_dir()})"
    )
    importer.add_argument("--json", action="store_true", help="print the report as JSON")
    importer.set_defaults(func=run_import)

    decks = subparsers.add_parser("decks", help="list the decks and their card counts")
    decks.add_argument("--json", action="store_true", help="print the list as JSON")
    decks.set_defaults(func=run_decks)


def run_import(args: argparse.Namespace) -> int:
    from tutor.cli import anki
    from tutor.importer import import_notes
    from tutor.importer.report import report_lines

    if args.notes.suffix.lower() in anki.ANKI_SUFFIXES:
        return anki.run_import(args)

    report = import_notes(args.notes, args.out)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    cards = report.cards
    kept = len(cards) - len(report.new_cards)
    changes = f"{len(report.new_cards)} new, {kept} kept, {len(report.removed)} removed"
    print(
        f"Imported {report.notes.name} into {report.out}: {counted(len(report.decks), 'deck')}, "
        f"{counted(len(cards), 'card')} ({changes})."
    )
    summary = report.summary()
    found = [f"{counted(summary['blocks'], 'block')} found", f"{counted(summary['cards'], 'card')} made"]
    if summary["child_cards"]:
        found[-1] += f" ({summary['child_cards']} from blocks inside answers)"
    if summary["needs_answer"]:
        found.append(
            f"{summary['needs_answer']} {'needs' if summary['needs_answer'] == 1 else 'need'} an answer"
        )
    if summary["in_parent_answers"]:
        found.append(f"{summary['in_parent_answers']} kept inside their parent's answer")
    notes = [counted(summary["left_as_notes"], "block")] if summary["left_as_notes"] else []
    if summary["headings_without_cards"]:
        notes.append(counted(summary["headings_without_cards"], "heading") + " without cards")
    if notes:
        found.append(" and ".join(notes) + " left as notes")
    print(f"  {', '.join(found)}.")
    width = max((cell_width(deck.id) for deck in report.decks), default=0)
    for deck in report.decks:
        flagged = sum(card.needs_answer for card in deck.cards)
        extra = f", {flagged} {'needs' if flagged == 1 else 'need'} an answer" if flagged else ""
        print(f"  {pad(deck.id, width)}  {counted(len(deck.cards), 'card', 3)}{extra}")
    if report.problems:
        print(f"\nNeeds attention ({len(report.problems)}):")
        for line in report_lines(report):
            print(line)
    return 0


def cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters and most emoji take two."""
    width = wcwidth.wcswidth(text)
    if width < 0:  # a control character: count the others
        width = sum(max(wcwidth.wcwidth(ch), 0) for ch in text)
    return width


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns."""
    fill = " " * max(width - cell_width(text), 0)
    return fill + text if right else text + fill


def run_decks(args: argparse.Namespace) -> int:
    # A locked or damaged store leaves the counts out: the decks are still worth listing.
    with open_library() as library:
        counts = {line.deck.id: line.counts for line in library.deck_rows(seen=False)}
        has_counts = library.store is not None
    problems, store_trouble = library.problems, library.trouble
    rows: list[dict[str, Any]] = []  # as `--json` prints them
    for deck in library.decks.values():
        row: dict[str, Any] = {
            "id": deck.id,
            "title": deck.title,
            "cards": len(deck.cards),
            "needs_answer": sum(card.needs_answer for card in deck.cards),
            "suspended": sum(card.suspended for card in deck.cards),
            "live": sum(card.live is not None for card in deck.cards),
            "typed": sum(card.types_answer for card in deck.cards),
            "reversed": sum(card.kind == "reversed" for card in deck.cards),
            "cloze": sum(card.kind == "cloze" for card in deck.cards),
            "path": str(deck.path),
        }
        if has_counts:
            found = counts.get(deck.id)
            row.update({key: getattr(found, key) if found else 0 for key in ("new", "learning", "review")})
        rows.append(row)
    if args.json:
        listed = [{"path": str(p.path), "line": p.line, "message": p.message} for p in problems]
        if store_trouble:
            listed.append({"path": None, "line": None, "message": store_trouble})
        print(json.dumps({"decks": rows, "problems": listed}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(
            "No decks yet: import your notes with 'tutor import NOTES.md' "
            f"(they go to {paths.user_decks_dir()})."
        )
    width = max((cell_width(row["title"]) for row in rows), default=5)
    header = f"{pad('deck', width)}  cards  live  typed  reversed  cloze  need answer"
    if has_counts:
        header += "    new  learning  review"
    if rows:
        print(header)
    for row in rows:
        line = f"{pad(row['title'], width)}  {row['cards']:>5}  {row['live']:>4}  {row['typed']:>5}"
        line += f"  {row['reversed']:>8}  {row['cloze']:>5}"
        line += f"  {row['needs_answer']:>11}"
        if has_counts:
            line += f"  {row['new']:>5}  {row['learning']:>8}  {row['review']:>6}"
        print(line)
    if store_trouble:
        print(f"tutor: {store_trouble}", file=sys.stderr)
    return 0
