"""Card identity across re-imports: the review history hangs on a card's id, so edits must not change it.

A new card's id is a short slug of its question plus four hex digits of a hash of its deck and question:
readable in a deck file, the same on every fresh import of the same notes, and never one already taken
(live or retired: a removed card's id stays in its deck's ``retired`` list, never handed to another card).

On re-import, each card of the notes is matched to a card already in the deck files of the same notes:
1. same question and answer (as last imported, if the learner edited the card in its deck file);
2. same question (the answer was edited); 3. a largely equal answer (the question was reworded), best
pairs first; 4. a near-equal question with a somewhat equal answer; 5. a retired card with the same
question comes back with its old id. Matching ignores chapters, so a card moved to another chapter keeps
its id. The rest are new cards; old cards left over were removed.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from difflib import SequenceMatcher

from tutor.importer.cards import normalized

ANSWER_MATCH = 0.6  # Jaccard similarity of the answers' words for a reworded question
QUESTION_MATCH = 0.8  # similarity of the questions when the answer was edited too
ANSWER_SOME = 0.3


@dataclass
class CardText:
    """A card as identity sees it: its question and answer, and where it came from."""

    question: str
    answer: str
    key: object  # the caller's handle on the card
    fingerprint: str | None = None  # text_hash of the card as the notes gave it

    def __post_init__(self) -> None:
        self.question_key = normalized(self.question)
        self.answer_key = normalized(self.answer)
        self.answer_words = set(self.answer.lower().split())


def text_hash(question: str, answer: str) -> str:
    """A card's question and answer as imported, so an edit made in the deck file can be told apart."""
    return hashlib.sha1(f"{question}\n\0{answer}".encode()).hexdigest()[:10]


def new_card_id(question: str, deck_id: str, taken: set[str], salts: dict[str, int] | None = None) -> str:
    """The deck takes part in the hash so the same question in two notes files' decks gets two ids.

    ``salts`` (shared across one import) remembers where each question's search stopped, so many cards
    with the same question cost linear, not quadratic, time."""
    words = normalized(question)
    slug = "-".join(words.split()[:4])[:28].strip("-") or "card"
    key = f"{deck_id}/{words}"
    start = salts.get(key, 0) if salts is not None else 0
    for salt in itertools.count(start):
        digest = hashlib.sha1(f"{key}#{salt}".encode() if salt else key.encode()).hexdigest()
        digest = digest[: 4 if salt < 1024 else 12]  # 4 hex digits run out after 65,536 same questions
        card_id = f"{slug}-{digest}"
        if card_id not in taken:
            if salts is not None:
                salts[key] = salt + 1
            return card_id
    raise AssertionError("unreachable")


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _worth_comparing(new: list[CardText], old: list[CardText], left_new: list[int], left_old: list[int]):
    """Pairs of unmatched cards to compare: all of them when there are few; when there are many (a big
    rewrite of big notes), only pairs sharing a rare word, so re-import stays fast."""
    if len(left_new) * len(left_old) <= 40_000:
        return [(i, j) for i in left_new for j in left_old]
    postings: dict[str, list[int]] = {}
    for j in left_old:
        for word in old[j].answer_words:
            postings.setdefault(word, []).append(j)
    pairs: set[tuple[int, int]] = set()
    for i in left_new:
        for word in new[i].answer_words:
            found = postings.get(word, ())
            if len(found) <= 20:
                pairs.update((i, j) for j in found)
    return sorted(pairs)


def match_cards(new: list[CardText], old: list[CardText]) -> dict[int, int]:
    """Index of each matched new candidate -> index of the old one it continues."""
    matched: dict[int, int] = {}
    used: set[int] = set()

    def exact(key) -> None:
        by_key: dict[object, list[int]] = {}
        for j, card in enumerate(old):
            if j not in used:
                by_key.setdefault(key(card), []).append(j)
        for i, card in enumerate(new):
            if i in matched:
                continue
            waiting = by_key.get(key(card))
            if waiting:
                j = waiting.pop(0)
                matched[i] = j
                used.add(j)

    exact(lambda c: c.fingerprint or (c.question_key, c.answer_key))
    exact(lambda c: c.question_key)

    left_new = [i for i in range(len(new)) if i not in matched]
    left_old = [j for j in range(len(old)) if j not in used]
    pairs = []
    for i, j in _worth_comparing(new, old, left_new, left_old):
        answer = _jaccard(new[i].answer_words, old[j].answer_words)
        if answer >= ANSWER_MATCH:
            pairs.append((answer, i, j))
        elif answer >= ANSWER_SOME:
            question = SequenceMatcher(None, new[i].question_key, old[j].question_key).ratio()
            if question >= QUESTION_MATCH:
                pairs.append((answer * question, i, j))
    for _score, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    return matched
