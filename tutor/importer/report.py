"""What an import did, and what needs the learner's attention, grouped by kind so that notes with 1,900
blocks still give a report one can read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tutor.decks import Card, Deck
from tutor.importer.blocks import CARD, CHILD_CARD, IN_ANSWER, NOTES, Problem

# kind -> (what the group is, what to do), in the order the report shows them
GROUPS = {
    "needs-answer": ("cards that need an answer", "kept, but left out of review until the notes answer them"),
    "doubtful-question": ("summaries that do not read as questions", "made cards; reword them if they are"),
    "unclosed-block": ("blocks not closed with </details>", "read up to the next block or heading"),
    "no-summary": ("blocks without a <summary>", "their text is kept in the deck notes"),
    "no-question": ("answer labels with no question above them", "their text is kept in the deck notes"),
    "not-a-question": ("summaries that are section titles, not questions", "kept in the deck notes"),
    "placeholder": ("placeholder questions (fdfdfdf, TODO)", "no cards; write the question"),
    "text-before-summary": ("text before <summary>", "kept at the start of the answer"),
    "stray-tag": ("stray tags with no block to match", "ignored; delete them from the notes"),
    "mojibake": ("damaged characters that could not be repaired", "retype them"),
    "edit-replaced": (
        "cards edited both in the notes and in a deck file",
        "the notes won; see the .bak file",
    ),
    "notes-only-heading": ("headings without cards", "their text is kept in a neighbouring deck's notes"),
    "missing-images": ("missing images", "the cards show the image's alt text"),
    "removed": ("cards no longer in the notes", "their ids and review history are kept"),
    "recovered": ("an interrupted import", "finished or undone"),
}
LISTED = 12  # line numbers shown per group; the JSON report has them all


@dataclass
class ImportReport:
    notes: Path
    out: Path
    decks: list[Deck]
    problems: list[Problem]
    new_cards: list[str] = field(default_factory=list)  # ids
    removed: list[dict] = field(default_factory=list)  # {id, question, deck}
    kept_edits: list[str] = field(default_factory=list)  # ids of cards whose deck-file edits were kept
    written: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    blocks: list[tuple[int, str]] = field(default_factory=list)  # (line, what it became) of every block

    @property
    def cards(self) -> list[Card]:
        return [card for deck in self.decks for card in deck.cards]

    def summary(self) -> dict:
        """Per notes file: blocks found, cards made, cards that need an answer, what was left as notes."""
        outcome = [what for _line, what in self.blocks]
        return {
            "blocks": len(outcome),
            "cards": outcome.count(CARD) + outcome.count(CHILD_CARD),
            "child_cards": outcome.count(CHILD_CARD),
            "in_parent_answers": outcome.count(IN_ANSWER),
            "needs_answer": sum(card.needs_answer for card in self.cards),
            "left_as_notes": outcome.count(NOTES),
            "headings_without_cards": sum(p.kind == "notes-only-heading" for p in self.problems),
        }

    def groups(self) -> list[dict]:
        """The problems by kind (cards needing an answer also by reason): count, lines, and the message
        itself when there is only one."""
        grouped: dict[tuple[str, str], list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault((problem.kind, problem.detail), []).append(problem)
        order = list(GROUPS)
        rows = []
        for (kind, detail), problems in sorted(
            grouped.items(),
            key=lambda item: (order.index(item[0][0]) if item[0][0] in order else 99, item[0]),
        ):
            what, advice = GROUPS.get(kind, (kind, ""))
            rows.append(
                {
                    "kind": kind,
                    "what": f"{what} ({detail})" if detail else what,
                    "advice": advice,
                    "count": len(problems),
                    "lines": sorted(p.line for p in problems if p.line is not None),
                    "message": problems[0].message if len(problems) == 1 else None,
                    "messages": [p.message for p in problems],
                }
            )
        return rows

    def to_json(self) -> dict:
        return {
            "notes": str(self.notes),
            "out": str(self.out),
            "summary": self.summary(),
            "decks": [
                {"id": d.id, "title": d.title, "cards": len(d.cards), "path": str(d.path)} for d in self.decks
            ],
            "cards": len(self.cards),
            "new_cards": self.new_cards,
            "needs_answer": [
                {"id": c.id, "deck": c.deck_id, "question": c.question, "line": c.source_line}
                for c in self.cards
                if c.needs_answer
            ],
            "removed": self.removed,
            "kept_edits": self.kept_edits,
            "problems": [{"line": p.line, "kind": p.kind, "message": p.message} for p in self.problems],
            "groups": [{k: v for k, v in group.items() if k != "messages"} for group in self.groups()],
        }


def report_lines(report: ImportReport) -> list[str]:
    """The grouped report as the CLI prints it: one line a group (the message itself for a group of
    one), line numbers listed up to a limit."""
    lines = []
    for group in report.groups():
        if group["message"] is not None:
            lines.append(f"  {group['message']}")
            continue
        numbers = group["lines"]
        where = ""
        if numbers:
            shown = ", ".join(str(n) for n in numbers[:LISTED])
            more = f" and {len(numbers) - LISTED} more" if len(numbers) > LISTED else ""
            where = f": lines {shown}{more}"
        lines.append(f"  {group['count']} {group['what']}{where}; {group['advice']}.")
        if not numbers:
            lines.extend(f"    {message}" for message in group["messages"][:LISTED])
            if group["count"] > LISTED:
                lines.append(f"    ... and {group['count'] - LISTED} more (--json lists them all)")
    return lines
