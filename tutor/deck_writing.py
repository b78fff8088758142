"""Writing decks back to their YAML files: the order and style a learner reads them in (``|`` blocks for
answers, demo arguments and tags on one line), each written card once, atomically."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.decks import Card, Deck
from tutor.errors import TutorError

if TYPE_CHECKING:
    import yaml


class _Inline(dict):
    """Demo arguments, written on one line: ``- tokenize: {text: unhappiness}``."""


class _InlineList(list):
    """Tags, written on one line: ``tags: [bpe, chapter-2]``."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text or len(text) > 100 else None  # long lines stay unfolded
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


@cache
def deck_dumper() -> type[yaml.SafeDumper]:
    """The YAML dumper deck files are written with (built on first use: loading decks needs no yaml)."""
    import yaml

    class DeckDumper(yaml.SafeDumper):
        """Multi-line and long text as ``|`` blocks, so answers read like the notes they came from."""

    DeckDumper.add_representer(str, _represent_str)
    DeckDumper.add_representer(
        _Inline, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", dict(v), flow_style=True)
    )
    DeckDumper.add_representer(
        _InlineList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True)
    )
    return DeckDumper


def card_to_dict(card: Card) -> dict:
    raw: dict = {"id": card.id, "question": card.question}
    if card.source_line is not None:
        raw["source_line"] = card.source_line
    if card.notes_hash:
        raw["notes_hash"] = card.notes_hash
    if card.needs_answer:
        raw["needs_answer"] = True
    if card.missing_images:
        raw["missing_images"] = _InlineList(card.missing_images)
    if card.suspended:
        raw["suspended"] = True
    if card.tags:
        raw["tags"] = _InlineList(card.tags)
    if card.demos:
        raw["demos"] = [{link.name: _Inline(link.args)} for link in card.demos]
    if card.live is not None:
        live = card.live.to_dict()
        if "args" in live:
            live["args"] = _Inline(live["args"])
        if "variants" in live:
            live["variants"] = [_Inline(variant) for variant in live["variants"]]
        raw["live"] = live
    if card.type_in is not None:
        raw["type_in"] = card.type_in
    if card.reverse is not None:
        raw["reverse"] = card.reverse
    if card.cloze is not None:
        raw["cloze"] = card.cloze
    raw["answer"] = card.answer
    return raw


def deck_to_yaml(deck: Deck) -> str:
    raw: dict = {"id": deck.id, "title": deck.title}
    if deck.source:
        raw["source"] = deck.source
    if deck.source_line is not None:
        raw["source_line"] = deck.source_line
    raw["order"] = deck.order
    raw["notes"] = deck.notes
    if deck.reverse is not None:
        raw["reverse"] = deck.reverse
    if deck.cloze is not None:
        raw["cloze"] = deck.cloze
    # A studied deck holds sibling cards: the file gets each written card once, as it was written.
    written = {id(card.written): card.written for card in deck.cards}
    raw["cards"] = [card_to_dict(card) for card in written.values()]
    if deck.retired:
        raw["retired"] = deck.retired
    header = (
        "# A tutor deck. question, answer and notes come from the notes file (edit it, then run\n"
        "# `tutor import` again); demos, tags and suspended are yours and survive re-import.\n"
    )
    import yaml

    body = yaml.dump(raw, Dumper=deck_dumper(), allow_unicode=True, sort_keys=False, width=110)
    return header + body


def save_deck(deck: Deck, path: Path | None = None) -> Path:
    """Write a deck file (atomically: a crash never leaves half a deck)."""
    path = path or deck.path
    temporary = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(deck_to_yaml(deck), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise TutorError(
            f"{path}: cannot write the deck ({exc.strerror}); check the folder's permissions."
        ) from None
    return path
