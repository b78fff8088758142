"""The learner's own edits to cards, kept apart from the deck files so upgrades and re-imports keep them.

``decks/edits/cards.yaml`` in the learner's deck folder maps a card id to the question and/or answer the
learner wrote in the app (a bundled deck is never written to: the next install would overwrite it). An
edit wins over the deck file's text until the learner removes it; a card id that is not in any deck right
now keeps its edit for when the card comes back. The README section "Your edits" documents the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tutor.deck_files import DeckFileError, load_yaml, plain
from tutor.deck_writing import deck_dumper
from tutor.decks import DeckProblem
from tutor.errors import TutorError

EDITS_FOLDER = "edits"  # a subfolder: deck loading and ``tutor import`` only read the deck folder itself
EDITS_FILE = "cards.yaml"
EDIT_KEYS = ("question", "answer", "edited")
HEADER = (
    "# Your edits to cards, by card id (written by the tutor's Edit answer dialog). They win over the\n"
    "# deck files and survive upgrades and re-imports; delete an entry to go back to the deck's text.\n"
)


@dataclass
class CardEdit:
    question: str | None
    answer: str | None
    edited: str | None  # when, as ISO 8601 text


def edits_path(deck_folder: Path) -> Path:
    return Path(deck_folder) / EDITS_FOLDER / EDITS_FILE


def load_edits(path: Path) -> tuple[dict[str, CardEdit], list[DeckProblem]]:
    """The edits by card id, and problems naming the file and line (a bad entry is skipped)."""
    if not path.is_file():
        return {}, []
    try:  # the deck files' own reader: a regular file of a sane size, no aliases, no endless nesting
        raw = plain(load_yaml(path)) or {}
    except DeckFileError as exc:
        return {}, [DeckProblem(path, exc.line, f"{exc}, your card edits were not applied.")]
    if not isinstance(raw, dict):
        why = "is not a mapping of card ids to edits; your card edits were not applied."
        return {}, [DeckProblem(path, 1, why)]
    edits: dict[str, CardEdit] = {}
    problems: list[DeckProblem] = []
    for card_id, entry in raw.items():
        if not isinstance(entry, dict) or any(key not in EDIT_KEYS for key in entry):
            why = f"the edit of card '{card_id}' may hold only {', '.join(EDIT_KEYS)}; it was skipped."
            problems.append(DeckProblem(path, None, why))
            continue
        texts = [entry.get(key) for key in ("question", "answer")]
        if any(text is not None and not isinstance(text, str) for text in texts):
            problems.append(
                DeckProblem(path, None, f"the edit of card '{card_id}' is not text; it was skipped.")
            )
            continue
        edits[str(card_id)] = CardEdit(texts[0], texts[1], str(entry.get("edited") or "") or None)
    return edits, problems


def apply_edits(cards, edits: dict[str, CardEdit], path: Path) -> None:
    """Put the learner's text on the cards it was written for; a written answer means it needs none."""
    for card in cards:
        edit = edits.get(card.id)
        if edit is None:
            continue
        if edit.question and edit.question.strip():
            card.question = edit.question.strip()
        if edit.answer is not None:
            card.answer = edit.answer.strip("\n")
            card.needs_answer = not card.answer.strip()
        card.edited_in = path


def save_edit(path: Path, card_id: str, question: str, answer: str, now: datetime) -> None:
    """Write one card's edit (atomically: a crash leaves the old file whole); other entries stay."""
    edits, problems = load_edits(path)
    if problems and not edits and path.is_file():
        raise TutorError(f"{problems[0]} Fix it first, so that no edit is lost.")  # never overwrite them
    raw = {
        key: {
            name: value
            for name, value in (("question", e.question), ("answer", e.answer), ("edited", e.edited))
            if value is not None
        }
        for key, e in edits.items()
    }
    raw[card_id] = {"question": question, "answer": answer, "edited": now.isoformat(timespec="seconds")}
    import yaml

    body = yaml.dump(raw, Dumper=deck_dumper(), allow_unicode=True, sort_keys=True, width=110)
    temporary = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(HEADER + body, encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise TutorError(
            f"{path}: cannot save your edit ({exc.strerror}); check the folder's permissions."
        ) from None
