"""Learner text on its way to a terminal, with its control characters made visible.

A deck file shared by someone else can carry escape sequences in a title or an answer: OSC 52 sets the
clipboard, OSC 0 the window title, CSI sequences move the cursor or hide text. Every control character but
newline and tab is shown as its Unicode picture (ESC as ␛), so the learner sees what is there and the
terminal obeys none of it.
"""

from __future__ import annotations

import re
from dataclasses import replace

_C0 = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"}  # ␀ .. ␟
# C1 controls are the 8-bit forms of ESC + a letter (CSI 0x9b is ESC [, OSC 0x9d is ESC ]): shown that way.
# No backslashes, so JSON output stays valid.
_C1 = {code: "␛" + chr(code - 0x40) for code in range(0x80, 0xA0)}
# A file name that is not UTF-8 arrives with its bytes as lone surrogates, which no terminal can be sent.
_BYTES = {code: "\ufffd" for code in range(0xDC80, 0xDD00)}  # shown as �, as a UTF-8 decoder would
_VISIBLE = _C0 | {0x7F: "␡"} | _C1 | _BYTES
_CONTROL = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_VISIBLE)) + "]")


def visible(text: str) -> str:
    """``text`` with every control character except newline and tab (and every undecodable byte of a file
    name) replaced by a visible stand-in."""
    if _CONTROL.search(text) is None:
        return text  # nearly all text: one C-speed scan, not translate's lookup of every character
    return text.translate(_VISIBLE)


def visible_decks(decks: list) -> list:
    """The decks with their text safe to draw (the deck files themselves stay as they are). Only a deck or
    card that holds a control character is copied: a library of clean decks costs no copy at start-up."""
    return [_visible_deck(deck) for deck in decks]


def _visible_deck(deck):
    cards = [_visible_card(card) for card in deck.cards]
    title, notes = visible(deck.title), visible(deck.notes)
    if (
        title == deck.title
        and notes == deck.notes
        and all(a is b for a, b in zip(cards, deck.cards, strict=True))
    ):
        return deck
    return replace(deck, title=title, notes=notes, cards=cards)


def _visible_card(card):
    texts = [card.question, card.answer, *card.tags]
    texts += [v for link in card.demos for v in link.args.values() if isinstance(v, str)]
    if all(visible(text) == text for text in texts):
        return card
    return replace(
        card,
        question=visible(card.question),
        answer=visible(card.answer),
        tags=[visible(tag) for tag in card.tags],
        demos=[
            replace(
                link,
                args={k: visible(v) if isinstance(v, str) else v for k, v in link.args.items()},
            )
            for link in card.demos
        ],
    )


class VisibleStream:
    """A text stream (stdout, stderr) that makes control characters visible in all that is written."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(visible(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
