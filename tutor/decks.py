"""Decks of cards: the YAML deck files and loading them with checks (``tutor.deck_writing`` writes them).

A deck file (``decks/<deck-id>.yaml``) holds one deck. ``question`` and ``answer`` come from the learner's
notes (``tutor import`` rewrites them); ``demos``, ``tags`` and ``suspended`` belong to the learner and
survive every re-import. The README section "Decks and your own notes" documents the format.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tutor import paths
from tutor.deck_files import KEY_LINES, LINE, MARKERS, DeckFileError, load_yaml, plain
from tutor.errors import TutorError
from tutor.live_cards import LiveError, LiveSpec, parse_live
from tutor.siblings import SEPARATOR

if TYPE_CHECKING:
    from tutor.deck_cache import DeckCache

DECK_KEYS = ("id", "title", "source", "source_line", "order", "notes", "reverse", "cloze", "cards", "retired")
CARD_KEYS = (
    "id",
    "question",
    "answer",
    "source_line",
    "notes_hash",
    "needs_answer",
    "missing_images",
    "suspended",
    "tags",
    "demos",
    "live",
    "type_in",
    "reverse",
    "cloze",
)


@cache
def _markdown():
    """The markdown parser, built on first use: loading the decks at start-up does not need it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


@dataclass
class DemoLink:
    name: str
    args: dict = field(default_factory=dict)


@dataclass
class CardImage:
    alt: str
    target: str  # as written in the answer
    path: Path | None  # resolved against the deck file; None for a web address
    exists: bool


@dataclass
class Card:
    id: str
    deck_id: str
    question: str
    answer: str  # markdown
    order: int = 0
    needs_answer: bool = False
    suspended: bool = False
    tags: list[str] = field(default_factory=list)
    demos: list[DemoLink] = field(default_factory=list)
    path: Path | None = None  # the deck YAML file
    line: int = 0  # the card's line in that file (for $EDITOR)
    source_line: int | None = None  # line in the notes
    notes_hash: str | None = None  # question and answer as last imported: tells edits in the deck file apart
    # Image files the answer links to that were not found when it was imported (the app says so).
    missing_images: list[str] = field(default_factory=list)
    notes_dir: Path | None = None  # the notes' folder, where the deck says which notes file it came from
    edited_in: Path | None = None  # the learner's edits file, when their own text replaced the deck's
    live: LiveSpec | None = None  # the engine computes the answer when the card is shown
    type_in: bool | None = None  # the learner types the answer; None: only live cards do
    reverse: bool | None = None  # a reversed sibling too; None: as the deck says
    cloze: bool | None = None  # cloze siblings from the answer's marks; None: as the deck says (on)
    # Sibling cards (tutor.siblings): "basic", "reversed" or "cloze"; the card written in the deck file that
    # this one is drawn from (None for that card itself), and the text a typed answer is checked against.
    kind: str = "basic"
    note: Card | None = field(default=None, repr=False, compare=False)
    expected: str | None = None

    @property
    def note_id(self) -> str:
        """The id of the card in the deck file this card comes from (its own id for that card)."""
        return self.note.id if self.note is not None else self.id

    @property
    def written(self) -> Card:
        """The card as its deck file has it: what editing and writing the deck work on."""
        return self.note if self.note is not None else self

    @property
    def types_answer(self) -> bool:
        """Whether the review asks for a typed answer: live cards do unless ``type_in: false``."""
        return self.type_in if self.type_in is not None else self.live is not None

    def picture_roots(self) -> list[Path]:
        """The folder trees the answer's pictures may come from: the deck file's and its notes'."""
        roots = [self.path.parent] if self.path is not None else []
        return roots + ([self.notes_dir] if self.notes_dir is not None else [])

    def images(self) -> list[CardImage]:
        """The answer's images; relative targets are resolved against the deck file's folder."""
        from urllib.parse import unquote

        found: list[CardImage] = []
        stack = list(_markdown().parse(self.answer))
        while stack:
            token = stack.pop(0)
            if token.children:
                stack[:0] = token.children
            if token.type != "image":
                continue
            target = str(token.attrs.get("src", ""))
            alt = token.content or "image"
            if "://" in target or target.startswith("data:"):
                found.append(CardImage(alt, target, None, False))
                continue
            path = Path(unquote(target)).expanduser()
            if not path.is_absolute() and self.path is not None:
                path = self.path.parent / path
            found.append(CardImage(alt, target, path, path.is_file()))
        return found


@dataclass
class Deck:
    id: str
    title: str
    notes: str  # markdown kept outside Q&A
    cards: list[Card]
    path: Path
    source: str | None = None  # the notes file's name, for decks written by ``tutor import``
    source_line: int | None = None
    order: int = 0
    retired: list[dict] = field(default_factory=list)  # [{id, question}] of cards removed from the notes
    reverse: bool | None = None  # every card gets a reversed sibling (a card's own ``reverse`` wins)
    cloze: bool | None = None  # cloze siblings from the answers' marks; None: on (a card's own wins)


@dataclass
class DeckProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


def check_demo_link(name: str, args: dict) -> None:
    """Raise TutorError when a card's demo link names no demo or a bad argument (the demo catalogue's
    schema only: no demo's code is imported)."""
    from tutor.demos.registry import validate_link

    validate_link(name, args)


def _demo_links(raw: object, where: object, problems: list[str]) -> list[DemoLink]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{where}: 'demos' must be a list like [{{tokenize: {{text: unhappiness}}}}]")
        return []
    links = []
    for item in raw:
        args: object
        if isinstance(item, str):
            name, args = item, {}
        elif isinstance(item, dict) and len([k for k in item if k not in MARKERS]) == 1:
            name = next(k for k in item if k not in MARKERS)
            args = item[name] if item[name] is not None else {}
        else:
            problems.append(f"{where}: each demo link is a demo name or one 'name: {{arguments}}' pair")
            continue
        if not isinstance(args, dict):
            problems.append(f"{where}: the arguments of demo '{name}' must be a mapping like {{text: hi}}")
            continue
        args = plain(args)
        try:
            check_demo_link(str(name), args)
        except TutorError as exc:
            problems.append(f"{where}: {str(exc).rstrip('.')}; the link was left out")
            continue
        links.append(DemoLink(str(name), args))
    return links


KNOWN_CARD_KEYS = frozenset(CARD_KEYS + MARKERS)


class _CardName:
    """``card 'its-id'`` (or its number), for messages about the card."""

    __slots__ = ("raw", "order")

    def __init__(self, raw: dict, order: int) -> None:
        self.raw, self.order = raw, order

    def __str__(self) -> str:
        return f"card '{self.raw.get('id', self.order + 1)}'"


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _card(raw: object, deck_id: str, order: int, path: Path, problems: list[DeckProblem]) -> Card | None:
    if not isinstance(raw, dict):
        problems.append(
            DeckProblem(path, None, f"card {order + 1} is not a mapping of keys; it was skipped.")
        )
        return None
    line = raw.get(LINE)
    # What a message calls the card; made only for a message (50,000 cards load without one).
    where = _CardName(raw, order)

    def skip(why: str) -> Card | None:
        problems.append(DeckProblem(path, line, f"{where} {why}; the card was skipped."))
        return None

    if not KNOWN_CARD_KEYS.issuperset(raw):
        unknown = [k for k in raw if k not in CARD_KEYS and k not in MARKERS]
        return skip(f"has an unknown key '{unknown[0]}' (known: {', '.join(CARD_KEYS)})")
    for key in ("id", "question"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            return skip(f"needs '{key}' as text")
    if not raw["id"].strip().isprintable():
        return skip("has control characters in its 'id'")
    if SEPARATOR in raw["id"]:
        return skip(
            f"has '{SEPARATOR}' in its 'id', which names the card's reversed and cloze cards; remove it"
        )
    answer = raw.get("answer", "")
    if not isinstance(answer, str):
        return skip("has an 'answer' that is not text (quote it or use a '|' block)")
    for key in ("needs_answer", "suspended"):
        if not isinstance(raw.get(key, False), bool):
            return skip(f"has '{key}' that is not true or false")
    tags = raw.get("tags") or []
    if tags and not _is_str_list(tags):
        return skip("has 'tags' that is not a list of words")
    missing_images = raw.get("missing_images") or []
    if missing_images and not _is_str_list(missing_images):
        return skip("has 'missing_images' that is not a list of file names")
    source_line = raw.get("source_line")
    if source_line is not None and (not isinstance(source_line, int) or isinstance(source_line, bool)):
        return skip("has a 'source_line' that is not a whole number")
    for key in ("type_in", "reverse", "cloze"):
        if not isinstance(raw.get(key, False), bool):
            return skip(f"has '{key}' that is not true or false")
    live = None
    if raw.get("live") is not None:
        try:
            live = parse_live(raw["live"], raw["question"])
        except LiveError as exc:
            live_line = exc.line or raw.get(KEY_LINES, {}).get("live", line)
            message = f"{where}: {str(exc).rstrip('.')}; the card was skipped."
            problems.append(DeckProblem(path, live_line, message))
            return None
    notes_hash = raw.get("notes_hash")
    link_problems: list[str] = []
    demos = _demo_links(raw.get("demos"), where, link_problems)
    problems.extend(DeckProblem(path, line, message + ".") for message in link_problems)
    return Card(
        id=raw["id"].strip(),
        deck_id=deck_id,
        question=raw["question"].strip(),
        answer=answer.strip("\n"),
        order=order,
        needs_answer=raw.get("needs_answer", False),
        suspended=raw.get("suspended", False),
        tags=list(tags),
        demos=demos,
        path=path,
        line=line or 0,
        source_line=source_line,
        notes_hash=str(notes_hash) if notes_hash is not None else None,
        missing_images=list(missing_images),
        live=live,
        type_in=raw.get("type_in"),
        reverse=raw.get("reverse"),
        cloze=raw.get("cloze"),
    )


def load_deck(
    path: Path, read: Callable[[Path], object] = load_yaml
) -> tuple[Deck | None, list[DeckProblem]]:
    """One deck file; a file that cannot be a deck gives ``None`` and says why (file and line).

    ``read`` parses the file's YAML (``DeckCache.load_yaml`` gives a cached parse when the file is unchanged).
    """
    problems: list[DeckProblem] = []
    try:
        raw = read(path)
    except DeckFileError as exc:
        return None, [DeckProblem(path, exc.line, f"{exc}; this deck was not loaded.")]
    if not isinstance(raw, dict):
        return None, [
            DeckProblem(
                path, 1, "is not a deck (expected keys id, title and cards); this deck was not loaded."
            )
        ]
    for key, kind in (("id", str), ("title", str), ("cards", list)):
        if not isinstance(raw.get(key), kind) or (kind is str and not raw[key].strip()):
            what = "a list of cards" if kind is list else "text"
            return None, [DeckProblem(path, raw[LINE], f"needs '{key}' ({what}); this deck was not loaded.")]
    unknown = [k for k in raw if k not in DECK_KEYS and k not in MARKERS]
    if unknown:
        known = ", ".join(DECK_KEYS)
        message = f"has an unknown key '{unknown[0]}' (known: {known}); this deck was not loaded."
        return None, [DeckProblem(path, raw[LINE], message)]
    deck_id = raw["id"].strip()
    if not deck_id.isprintable():
        return None, [
            DeckProblem(path, raw[LINE], "has control characters in its 'id'; this deck was not loaded.")
        ]
    cards: list[Card] = []
    seen: dict[str, int] = {}
    for order, raw_card in enumerate(raw["cards"]):
        card = _card(raw_card, deck_id, order, path, problems)
        if card is None:
            continue
        if card.id in seen:
            message = f"card id '{card.id}' is used twice (first on line {seen[card.id]}); give one a new id."
            problems.append(DeckProblem(path, card.line, message))
            continue
        seen[card.id] = card.line
        cards.append(card)
    optional = _optional_deck_keys(raw, path, problems)
    retired = _retired(raw.get("retired"), raw[KEY_LINES].get("retired", raw[LINE]), path, problems)
    deck = Deck(
        id=deck_id,
        title=raw["title"].strip(),
        notes=optional.get("notes", "").strip("\n"),
        cards=cards,
        path=path,
        source=optional.get("source"),
        source_line=optional.get("source_line"),
        order=optional.get("order", 0),
        retired=retired,
        reverse=optional.get("reverse"),
        cloze=optional.get("cloze"),
    )
    notes_dir = _notes_dir(path, deck.source)
    for card in cards:
        card.notes_dir = notes_dir
    return deck, problems


# A deck's optional keys and what each must be; a wrong one is reported and left out, the deck still loads.
OPTIONAL_DECK_KEYS = {
    "source": (str, "the notes file's name as text"),
    "source_line": (int, "a whole number"),
    "order": (int, "a whole number"),
    "notes": (str, "text"),
    "reverse": (bool, "true or false"),
    "cloze": (bool, "true or false"),
}


def _optional_deck_keys(raw: dict, path: Path, problems: list[DeckProblem]) -> dict:
    values = {}
    for key, (kind, what) in OPTIONAL_DECK_KEYS.items():
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            values[key] = value
            continue
        line = raw[KEY_LINES].get(key, raw[LINE])
        problems.append(DeckProblem(path, line, f"'{key}' must be {what}; it was ignored."))
    return values


def _retired(raw: object, line: int, path: Path, problems: list[DeckProblem]) -> list[dict]:
    """The deck's retired cards, each {id, question[, tags, demos, suspended]} with the right types;
    an item that cannot be one is reported and left out (its id is then no longer reserved)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(
            DeckProblem(path, line, "'retired' must be a list like [{id: what-is-x-1a2b}]; it was ignored.")
        )
        return []
    items = []
    for number, item in enumerate(raw, 1):
        where = item.get(LINE, line) if isinstance(item, dict) else line
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
            message = f"retired item {number} is not a mapping with an 'id' as text; it was ignored."
            problems.append(DeckProblem(path, where, message))
            continue
        kept = {"id": item["id"].strip(), "question": item.get("question", "")}
        wrong = [key for key in ("question",) if not isinstance(kept["question"], str)]
        if wrong:
            kept["question"] = "" if kept["question"] is None else str(kept["question"])
        if _is_str_list(item.get("tags")) and item["tags"]:
            kept["tags"] = list(item["tags"])
        elif item.get("tags") is not None and not _is_str_list(item["tags"]):
            wrong.append("tags")
        demos = item.get("demos")
        links = [
            {name: plain(args)}
            for link in (demos if isinstance(demos, list) else [])
            if isinstance(link, dict)
            for name, args in link.items()
            if isinstance(name, str) and name not in MARKERS and isinstance(args, dict)
        ]
        if links:
            kept["demos"] = links
        if demos is not None and (not isinstance(demos, list) or len(links) != len(demos)):
            wrong.append("demos")
        if item.get("suspended") is True:
            kept["suspended"] = True
        elif item.get("suspended") not in (None, False):
            wrong.append("suspended")
        if wrong:
            problems.append(
                DeckProblem(
                    path,
                    where,
                    f"retired card '{kept['id']}' has {', '.join(repr(k) for k in wrong)} of the wrong "
                    "type; the id stays reserved, the rest was ignored.",
                )
            )
        items.append(kept)
    return items


def _notes_dir(path: Path, source: str | None) -> Path | None:
    """The notes' folder when the deck's ``source`` says where the notes file is (not just its name)."""
    if not source or ("/" not in source and "\\" not in source):
        return None
    notes = Path(source).expanduser()
    return (notes if notes.is_absolute() else path.parent / notes).parent


def _deck_paths(folder: Path, problems: list[DeckProblem]) -> list[Path]:
    """The folder's deck files; a folder that is there but cannot be listed is a problem, not silence."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except FileNotFoundError:
        return []  # no decks of one's own yet
    except NotADirectoryError:
        problems.append(DeckProblem(folder, None, "is not a folder, so no decks were loaded from it."))
        return []
    except OSError as exc:
        message = f"cannot be read ({exc.strerror}), so none of its decks were loaded; check its permissions."
        problems.append(DeckProblem(folder, None, message))
        return []
    return [folder / name for name in names if name.endswith(".yaml") and not name.startswith(".")]


def _recover_import(folder: Path, problems: list[DeckProblem]) -> None:
    """A ``tutor import`` interrupted in ``folder`` is finished or undone before its decks are read."""
    from tutor import deck_swap

    if not deck_swap.needs_recovery(folder):
        return
    try:
        deck_swap.recover(folder)
    except OSError as exc:
        problems.append(
            DeckProblem(
                folder,
                None,
                f"an interrupted import cannot be finished here ({exc.strerror}); run 'tutor import' "
                "again where the folder can be written.",
            )
        )


def load_decks(dirs: list[Path] | None = None) -> tuple[list[Deck], list[DeckProblem]]:
    """The bundled decks, then the learner's (a deck with the same id replaces the bundled one).

    Never raises for a bad file: it becomes a problem and the other decks still load.
    """
    # A large library is hundreds of thousands of new objects and no garbage: the cyclic collector's
    # passes over them while they are built cost more than the parse itself (0.6 s of 1 s at 50,000 cards).
    # They then live as long as the command or the app that loaded them, so they are frozen out of its
    # later passes too (the store sync's, every screen's: 0.18 s of `tutor decks` at 50,000 cards). The
    # young garbage is collected first, so it is not frozen with them; a full pass would walk everything
    # Textual and the tutor have imported (30 ms of the app's start).
    collecting = gc.isenabled()
    if collecting:
        gc.collect(1)
    gc.disable()
    try:
        return _load_decks(dirs)
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def _load_decks(dirs: list[Path] | None) -> tuple[list[Deck], list[DeckProblem]]:
    if dirs is None:
        dirs = [paths.bundled_decks_dir(), paths.user_decks_dir()]
    if not dirs:
        return [], []
    from tutor.deck_cache import DeckCache

    cache = DeckCache()
    decks: dict[str, Deck] = {}
    problems: list[DeckProblem] = []
    for folder in dirs:
        found: list[Deck] = []
        _recover_import(Path(folder), problems)
        for path in _deck_paths(Path(folder), problems):
            deck, deck_problems = load_deck(path, cache.load_yaml)
            problems.extend(deck_problems)
            if deck is None:
                continue
            if any(other.id == deck.id for other in found):
                first = next(other for other in found if other.id == deck.id)
                message = f"deck id '{deck.id}' is also used by {first.path.name}; this deck was not loaded."
                problems.append(DeckProblem(path, 1, message))
                continue
            found.append(deck)
        for deck in sorted(found, key=lambda d: (d.order, d.title.lower())):
            decks[deck.id] = deck  # a later folder's deck replaces an earlier one in place
    owner: dict[str, Deck] = {}
    left_out: dict[str, list[str]] = {}  # by deck: its file's cards another deck's file already has
    for deck in decks.values():
        kept = []
        for card in deck.cards:
            if card.id in owner:
                message = (
                    f"card id '{card.id}' is already used in deck '{owner[card.id].id}' "
                    f"({owner[card.id].path.name}); give one of them a new id. The card was skipped."
                )
                problems.append(DeckProblem(deck.path, card.line, message))
                left_out.setdefault(deck.id, []).append(card.id)
                continue
            owner[card.id] = deck
            kept.append(card)
        deck.cards = kept
    from tutor.card_edits import apply_edits, edits_path, load_edits

    edits_file = edits_path(dirs[-1])  # the learner's own folder comes last
    edits, edit_problems = load_edits(edits_file)
    problems.extend(edit_problems)
    apply_edits((card for deck in decks.values() for card in deck.cards), edits, edits_file)
    for deck in decks.values():
        deck.cards = study_cards(deck, cache, left_out.get(deck.id, ()))
    cache.save()
    return list(decks.values()), problems


def study_cards(deck: Deck, cache: DeckCache | None = None, left_out: Iterable[str] = ()) -> list[Card]:
    """The deck's cards as they are studied: each card of the file followed by its reversed and cloze
    siblings (``load_decks`` gives decks in this form; ``load_deck`` gives the file's cards).

    ``cache`` keeps the siblings drawn from an unchanged deck file, so they are not drawn again next time;
    ``left_out`` are the ids of the file's cards not in the deck (another deck has them), drawn when they
    come back.
    """
    from tutor.siblings import build, draw

    kept = cache.siblings(deck.path) if cache is not None else None
    drawn: dict[str, list] = {}
    fresh: list[str] = list(left_out)
    cards: list[Card] = []
    for card in deck.cards:
        edited = card.edited_in is not None  # not the file's own text: drawn afresh
        if kept is not None and not edited and card.id not in kept[1]:
            found = kept[0].get(card.id)
        else:
            reverse = card.reverse if card.reverse is not None else bool(deck.reverse)
            cloze = card.cloze if card.cloze is not None else deck.cloze is not False
            found = draw(card, reverse, cloze)
            if edited:
                fresh.append(card.id)
            elif found is not None:
                drawn[card.id] = found
        if found is None:
            cards.append(card)
        else:
            cards.extend(build(card, found))
    if cache is not None and kept is None:
        cache.keep_siblings(deck.path, drawn, fresh)
    for order, card in enumerate(cards):
        card.order = order
    return cards
