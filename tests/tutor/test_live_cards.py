"""Live cards: the deck schema, variants, and every bundled live card against independent numbers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tutor.decks import load_deck, load_decks
from tutor.live_cards import compute, draw, field_of
from tutor.typed_answers import check

DECKS = Path(__file__).resolve().parents[2] / "decks"

LIVE = """\
id: live
title: Live
cards:
- id: count
  question: How many tokens is `{text}`?
  live:
    demo: tokenize
    answer: count
    variants:
    - {text: Akwirw ier}
    - {text: someunknownPlace}
  answer: Byte pair encoding.
"""


def deck_file(tmp_path: Path, cards: str) -> Path:
    path = tmp_path / "live.yaml"
    path.write_text("id: live\ntitle: Live\ncards:\n" + cards, encoding="utf-8")
    return path


def test_a_live_card_loads_and_its_variants_fill_the_question(tmp_path) -> None:
    path = tmp_path / "live.yaml"
    path.write_text(LIVE, encoding="utf-8")
    deck, problems = load_deck(path)
    assert problems == []
    card = deck.cards[0]
    assert card.live.demo == "tokenize" and card.types_answer
    asked = {draw(card.live, card.question, random.Random(seed)).question for seed in range(20)}
    assert asked == {"How many tokens is `Akwirw ier`?", "How many tokens is `someunknownPlace`?"}


@pytest.mark.parametrize(
    ("live", "line", "words"),
    [
        ("    demo: nothing\n    answer: count\n", 8, "There is no demo called 'nothing'"),
        ("    demo: tokenize\n", 7, "'live' needs 'answer'"),
        ("    demo: tokenize\n    answer: count\n    colour: red\n", 10, "unknown key 'colour'"),
        ("    demo: tokenize\n    answer: count\n    compare: fuzzy\n", 10, "compare 'fuzzy'"),
        ("    demo: tokenize\n    answer: count\n    tolerance: -1\n", 10, "'tolerance'"),
        ("    demo: tokenize\n    answer: count\n    variants: [{txt: a}]\n", 10, "variant 1 has 'txt'"),
        ("    demo: model\n    answer: total_parameters\n    variants: [{config: huge}]\n", 10, "'huge'"),
        ("    demo: attend\n    answer: query_weights.{position}\n", 7, "{position} is given no value"),
    ],
)
def test_a_bad_live_key_names_its_file_and_line_and_skips_the_card(tmp_path, live, line, words) -> None:
    path = deck_file(tmp_path, "- id: bad\n  question: What?\n  answer: x\n  live:\n" + live)
    deck, problems = load_deck(path)
    assert deck.cards == []
    assert len(problems) == 1 and problems[0].line == line, problems
    assert words in str(problems[0]) and str(problems[0]).startswith(f"{path}, line {line}: card 'bad'")


def test_type_in_must_be_true_or_false(tmp_path) -> None:
    path = deck_file(tmp_path, "- id: t\n  question: What?\n  answer: x\n  type_in: yes please\n")
    deck, problems = load_deck(path)
    assert deck.cards == [] and "'type_in' that is not true or false" in str(problems[0])
    path = deck_file(tmp_path, "- id: t\n  question: What?\n  answer: x\n  type_in: true\n")
    deck, problems = load_deck(path)
    assert problems == [] and deck.cards[0].types_answer and deck.cards[0].live is None


def test_a_missing_field_of_the_result_says_what_the_result_has() -> None:
    from tutor.demos import run_demo
    from tutor.errors import TutorError

    result = run_demo("tokenize", text="hi")
    assert field_of(result, "ids.0") == 5303
    with pytest.raises(TutorError, match="no field 'size'.*count"):
        field_of(result, "size")
    with pytest.raises(TutorError, match="no item '7'"):
        field_of(result, "ids.7")


# Independent values: the book's published token ids (2.5 and exercise 2.1), its attention numbers
# (3.3.1), parameter arithmetic from the GPT-2 configs, and the book's seeded model's continuation (4.7).
BOOK_IDS = {
    "Akwirw ier": [33901, 86, 343, 86, 220, 959],
    "Hello, do you like tea?": [15496, 11, 466, 345, 588, 8887, 30],
    "<|endoftext|>": [50256],
}
BOOK_WEIGHTS = [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581]
BOOK_SCORES = [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865]
BOOK_CONTEXT = [0.4419, 0.6515, 0.5683]
# Section 3.5.3: CausalAttention(3, 2, 6, 0.0) after torch.manual_seed(123), one row per token.
BOOK_CAUSAL_CONTEXT = [
    [-0.4519, 0.2216],
    [-0.5874, 0.0058],
    [-0.6300, -0.0632],
    [-0.5675, -0.0843],
    [-0.5526, -0.0981],
    [-0.5299, -0.1081],
]
SIZES = {  # emb_dim, n_layers
    "gpt2-small (124M)": (768, 12),
    "gpt2-medium (355M)": (1024, 24),
    "gpt2-large (774M)": (1280, 36),
    "gpt2-xl (1558M)": (1600, 48),
}
VOCAB, CONTEXT = 50257, 1024


def tiktoken_ids(text: str) -> list[int]:
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tiktoken_ext.openai_public import r50k_pat_str

    ranks = load_tiktoken_bpe(
        str(Path(__file__).resolve().parents[2] / "engine" / "assets" / "gpt2.tiktoken")
    )
    encoding = tiktoken.Encoding(
        "gpt2", pat_str=r50k_pat_str, mergeable_ranks=ranks, special_tokens={"<|endoftext|>": 50256}
    )
    return encoding.encode(text, allowed_special="all")


def tied(config: str) -> int:
    e, n = SIZES[config]
    attention, feed_forward, norms = 4 * e * e + e, 8 * e * e + 5 * e, 4 * e
    return VOCAB * e + CONTEXT * e + n * (attention + feed_forward + norms) + 2 * e


def seeded_next_token(prompt: str) -> tuple[int, str]:
    import torch

    from engine import GPT_CONFIGS, GPTModel, get_tokenizer

    torch.manual_seed(123)
    model = GPTModel(GPT_CONFIGS["gpt2-small (124M)"]).eval()
    tokenizer = get_tokenizer()
    with torch.no_grad():
        logits = model(torch.tensor([tokenizer.encode(prompt)]))
    token = int(logits[0, -1].argmax())
    return token, tokenizer.decode([token])


def expected(card_id: str, words: dict):
    text = words.get("text")
    config = words.get("config")
    position = int(words.get("position", 0))
    e = SIZES[config][0] if config else 0
    values = {
        "live-gpt2-token-count": lambda: len(BOOK_IDS.get(text) or tiktoken_ids(text)),
        "live-gpt2-token-ids": lambda: BOOK_IDS.get(text) or tiktoken_ids(text),
        "live-end-of-text-id": lambda: 50256,
        "live-first-bpe-piece": lambda: {"someunknownPlace": "some", "Akwirw ier": "Ak", "unhappiness": "un"}[
            text
        ],
        "live-attention-weight-journey": lambda: BOOK_WEIGHTS[position],
        "live-attention-score-journey": lambda: BOOK_SCORES[position],
        "live-context-vector-journey": lambda: BOOK_CONTEXT[position],
        "live-causal-context-vector": lambda: BOOK_CAUSAL_CONTEXT[position][int(words["component"])],
        "live-causal-weight-on-the-future": lambda: 0.0,
        "live-token-embedding-parameters": lambda: VOCAB * e,
        "live-positional-embedding-parameters": lambda: CONTEXT * e,
        "live-tied-parameter-count": lambda: tied(config),
        "live-feed-forward-parameters": lambda: 8 * e * e + 5 * e,
        "live-model-memory": lambda: (tied(config) + VOCAB * e) * 4 / 1024**2,
        "live-untrained-next-token": lambda: seeded_next_token(words["prompt"])[1],
        "live-untrained-next-token-id": lambda: seeded_next_token(words["prompt"])[0],
    }
    return values[card_id]()


def live_cards():
    decks, problems = load_decks([DECKS])
    assert problems == []
    return [card for deck in decks for card in deck.cards if card.live is not None]


def test_the_bundled_decks_carry_at_least_twelve_live_cards_in_their_chapters() -> None:
    cards = live_cards()
    assert len(cards) >= 12
    assert {card.deck_id.split("-")[1] for card in cards} == {"2", "3", "4", "5"}
    assert all(f"chapter-{card.deck_id.split('-')[1]}" in card.tags for card in cards)


@pytest.mark.parametrize("card", live_cards(), ids=lambda card: card.id)
def test_every_variant_of_every_bundled_live_card_matches_the_independent_value(card) -> None:
    for variant in card.live.variants or [{}]:
        spec = card.live
        one = type(spec)(spec.demo, spec.answer, spec.args, spec.compare, spec.tolerance, [variant])
        asked = draw(one, card.question)
        assert "{" not in asked.question, asked.question
        answer = compute(one, asked)
        want = expected(card.id, {**spec.args, **variant})
        if isinstance(want, float):
            assert answer.value == pytest.approx(want, abs=1e-4 if card.id != "live-model-memory" else 0.01)
            typed = f"{want:.2f}" if card.id == "live-model-memory" else f"{want:.4f}"
        else:
            assert answer.value == want, (card.id, variant)
            typed = ", ".join(map(str, want)) if isinstance(want, list) else str(want)
            typed = f"{want:,}" if isinstance(want, int) else typed  # 124,412,160 as a learner types it
        verdict = check(answer.text, typed.strip(), answer.compare, answer.tolerance)
        assert verdict.right, (card.id, variant, answer.text, typed)


def test_re_import_keeps_the_live_cards_written_in_a_deck_file(tmp_path) -> None:
    from tutor.importer import import_notes

    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Chapter 2\n\n<details><summary>What is BPE?</summary>\n\nByte pair encoding.\n\n</details>\n",
        encoding="utf-8",
    )
    out = tmp_path / "decks"
    (deck,) = import_notes(notes, out).decks
    text = deck.path.read_text(encoding="utf-8")
    live = "\n".join(LIVE.splitlines()[3:]) + "\n"
    deck.path.write_text(text + live, encoding="utf-8")
    report = import_notes(notes, out)
    assert report.removed == []
    again, problems = load_deck(deck.path)
    assert problems == []
    assert [card.id for card in again.cards] == [deck.cards[0].id, "count"]
    assert again.cards[1].live.variants == [{"text": "Akwirw ier"}, {"text": "someunknownPlace"}]
