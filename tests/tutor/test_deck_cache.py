"""The parsed-deck cache: an unchanged deck file is not parsed again, a changed or damaged one is."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tutor import deck_cache
from tutor.deck_cache import DeckCache, cache_path
from tutor.decks import load_decks

DECK = """\
id: tokens
title: Tokens
cards:
- id: what-is-bpe-1a2b
  question: What is BPE?
  demos:
  - tokenize: {text: unhappiness}
  - nosuchdemo
  answer: merges pairs
- id: no-question
  answer: skipped
"""


def old_file(folder: Path, name: str, text: str) -> Path:
    """A deck file last changed a minute ago, as a deck is between two starts."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


@pytest.fixture
def parses(monkeypatch) -> list[Path]:
    """The deck files really parsed (not taken from the cache), in order."""
    parsed: list[Path] = []
    real = deck_cache.load_yaml

    def counting(path: Path) -> object:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(deck_cache, "load_yaml", counting)
    return parsed


def test_an_unchanged_deck_comes_from_the_cache_with_the_same_cards_and_problems(tmp_path, parses) -> None:
    old_file(tmp_path, "tokens.yaml", DECK)
    first = load_decks([tmp_path])
    assert parses == [tmp_path / "tokens.yaml"] and cache_path().is_file()
    second = load_decks([tmp_path])
    assert parses == [tmp_path / "tokens.yaml"]  # not parsed again
    assert second == first
    [deck], problems = second
    assert [card.id for card in deck.cards] == ["what-is-bpe-1a2b"]
    assert [link.name for link in deck.cards[0].demos] == ["tokenize"]
    assert len(problems) == 2  # the unknown demo and the card without a question, both times


def test_a_changed_deck_is_parsed_again(tmp_path, parses) -> None:
    path = old_file(tmp_path, "tokens.yaml", DECK)
    load_decks([tmp_path])
    old_file(tmp_path, "tokens.yaml", DECK.replace("Tokens", "Tokens and BPE"))
    [deck], _ = load_decks([tmp_path])
    assert parses == [path, path]
    assert deck.title == "Tokens and BPE"


def test_a_deck_changed_just_now_is_not_cached(tmp_path, parses) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(DECK, encoding="utf-8")  # its clock tick may not be over: the next read parses it too
    load_decks([tmp_path])
    load_decks([tmp_path])
    assert parses == [path, path]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data.replace(b"What is BPE?", b"What is XYZ?"),  # the checksum no longer fits
        lambda data: b"\xff\xfe garbage\n{}",
        lambda data: data.replace(b"tutor-deck-cache 1", b"tutor-deck-cache 99"),
    ],
    ids=["empty", "truncated", "edited", "garbage", "other-version"],
)
def test_a_damaged_cache_is_ignored_and_written_again(tmp_path, parses, damage) -> None:
    path = old_file(tmp_path, "tokens.yaml", DECK)
    first = load_decks([tmp_path])
    cache_path().write_bytes(damage(cache_path().read_bytes()))
    assert load_decks([tmp_path]) == first
    assert parses == [path, path]
    assert load_decks([tmp_path]) == first
    assert parses == [path, path]  # the rebuilt cache is used


def test_a_cache_of_the_wrong_shape_with_a_right_checksum_is_ignored(tmp_path, parses) -> None:
    import hashlib

    path = old_file(tmp_path, "tokens.yaml", DECK)
    body = b'{"%s": {"key": "x", "yaml": []}}' % str(path).encode()
    cache_path().write_bytes(b"tutor-deck-cache 1 %s\n%s" % (hashlib.sha256(body).hexdigest().encode(), body))
    [deck], _ = load_decks([tmp_path])
    assert deck.title == "Tokens" and parses == [path]


def test_yaml_that_json_cannot_keep_exactly_is_parsed_each_time(tmp_path, parses) -> None:
    # a date and a number as a key: JSON would give back text, so the deck is not cached
    path = old_file(tmp_path, "dated.yaml", DECK + "x: 2024-01-01\n1: one\n")
    cache = DeckCache()
    assert cache.load_yaml(path)["x"].year == 2024
    cache.save()
    assert DeckCache().load_yaml(path)["x"].year == 2024
    assert parses == [path, path]


def test_a_cache_that_cannot_be_written_only_costs_the_parse(tmp_path, parses, monkeypatch) -> None:
    old_file(tmp_path, "tokens.yaml", DECK)
    cache_path().mkdir(parents=True)  # a folder where the cache file should be
    [deck], _ = load_decks([tmp_path])
    assert deck.title == "Tokens"
    assert list(cache_path().parent.glob(".deck-cache*")) == []  # no temporary file left behind


SIBLINGS = """\
id: terms
title: Terms
cards:
- id: softmax
  question: What turns attention scores into weights?
  reverse: true
  answer: The softmax function.
- id: dropout
  question: What does dropout do in training?
  answer: During training it zeroes a random share of the **attention weights** at each step.
- id: plain
  question: What is GPT-2's context length?
  answer: 1,024 tokens.
"""


@pytest.fixture
def draws(monkeypatch) -> list[str]:
    """The ids of the cards whose siblings were really drawn (not taken from the cache), in order."""
    from tutor import siblings

    drawn: list[str] = []
    real = siblings.draw

    def counting(card, reverse: bool, cloze: bool):
        drawn.append(card.id)
        return real(card, reverse, cloze)

    monkeypatch.setattr(siblings, "draw", counting)
    return drawn


def studied(folder: Path) -> dict[str, tuple[str, str, str]]:
    [deck], problems = load_decks([folder])
    assert problems == []
    return {card.id: (card.kind, card.question, card.answer) for card in deck.cards}


def test_the_siblings_of_an_unchanged_deck_come_from_the_cache(tmp_path, parses, draws) -> None:
    old_file(tmp_path, "terms.yaml", SIBLINGS)
    first = load_decks([tmp_path])
    assert draws == ["softmax", "dropout", "plain"]
    second = load_decks([tmp_path])
    assert draws == ["softmax", "dropout", "plain"]  # not drawn again
    assert second == first
    [deck], _ = second
    assert [(card.id, card.kind, card.order) for card in deck.cards] == [
        ("softmax", "basic", 0),
        ("softmax~reverse", "reversed", 1),
        ("dropout", "basic", 2),
        ("dropout~c-attention-weights", "cloze", 3),
        ("plain", "basic", 4),
    ]
    reverse, cloze = deck.cards[1], deck.cards[3]
    assert (reverse.question, reverse.answer) == ("The softmax function.", deck.cards[0].question)
    assert reverse.note is deck.cards[0] and cloze.note is deck.cards[2]
    assert cloze.question.startswith("During training it zeroes a random share of the **[...]** at each")
    assert cloze.expected == "attention weights"


def test_an_edited_card_draws_its_siblings_from_the_edit_each_time(tmp_path, parses, draws) -> None:
    from tutor.card_edits import edits_path

    old_file(tmp_path, "terms.yaml", SIBLINGS)
    edits = edits_path(tmp_path)
    edits.parent.mkdir()
    edits.write_text("softmax:\n  answer: The **softmax function** of the attention scores.\n")
    for _ in range(2):
        cards = studied(tmp_path)
        assert cards["softmax~reverse"][1] == "The **softmax function** of the attention scores."
    assert draws == ["softmax", "dropout", "plain", "softmax"]  # only the edited card, the second time
    edits.unlink()  # back to the deck's text: the siblings its file gives
    for _ in range(2):
        assert studied(tmp_path)["softmax~reverse"][1] == "The softmax function."
    assert draws == ["softmax", "dropout", "plain", "softmax", "softmax", "softmax"]


def test_siblings_drawn_by_other_rules_are_drawn_again(tmp_path, parses, draws, monkeypatch) -> None:
    old_file(tmp_path, "terms.yaml", SIBLINGS)
    first = studied(tmp_path)
    monkeypatch.setattr(deck_cache, "_rules", lambda: "other rules")
    assert studied(tmp_path) == first
    assert draws == ["softmax", "dropout", "plain"] * 2
    assert parses == [tmp_path / "terms.yaml"]  # the parse itself still came from the cache
    assert studied(tmp_path) == first
    assert draws == ["softmax", "dropout", "plain"] * 2


def test_kept_siblings_of_the_wrong_shape_are_drawn_again(tmp_path, parses, draws) -> None:
    import hashlib
    import json

    path = old_file(tmp_path, "terms.yaml", SIBLINGS)
    first = studied(tmp_path)
    body = json.loads(cache_path().read_bytes().partition(b"\n")[2])
    body[str(path)]["siblings"]["drawn"]["softmax"] = [["reverse", "reversed", 7, None, None]]
    data = json.dumps(body).encode()
    cache_path().write_bytes(b"tutor-deck-cache 1 %s\n%s" % (hashlib.sha256(data).hexdigest().encode(), data))
    assert studied(tmp_path) == first
    assert draws == ["softmax", "dropout", "plain"] * 2 and parses == [path, path]


def test_a_card_another_deck_had_gets_its_siblings_when_it_comes_back(tmp_path, parses, draws) -> None:
    other = "id: other\ntitle: Other\ncards:\n- id: softmax\n  question: Why softmax?\n  answer: Weights.\n"
    old_file(tmp_path, "a-other.yaml", other)  # read first: its 'softmax' wins, the second is skipped
    old_file(tmp_path, "terms.yaml", SIBLINGS)
    [_, terms], problems = load_decks([tmp_path])
    assert "softmax~reverse" not in [card.id for card in terms.cards] and len(problems) == 1
    old_file(tmp_path, "a-other.yaml", other.replace("id: softmax", "id: why-softmax"))
    [_, terms], problems = load_decks([tmp_path])
    assert problems == [] and parses.count(tmp_path / "terms.yaml") == 1  # its parse came from the cache
    assert [card.id for card in terms.cards][:2] == ["softmax", "softmax~reverse"]
