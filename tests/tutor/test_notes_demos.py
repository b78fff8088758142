"""Demo links proposed for a card's question: the same whether the search ignores case or the question is
lower-cased first."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tutor.decks import DemoLink
from tutor.importer import cards

WORDS = [
    "What is ",
    "CAUSAL ",
    "causal attention",
    "Casual Mask",
    "masking the future",
    "Dropout",
    "Multi-Head",
    "Query, Key",
    "QKV",
    "scaled dot",
    "Positional Encoding",
    "attention",
    "Tokenizer",
    "byte pair",
    "Sliding Window",
    "DataLoader",
    "self-supervised",
    "embedding",
    "one-hot",
    "Backprop",
    "loss",
    "GPT architecture",
    "Transformer Block",
    "autoregressive",
    "next word",
    "ſelf-ſupervised",
    "\u212aV cache",
    "İ",
    "?",
    " ",
    "é",
]
questions = st.lists(st.sampled_from(WORDS), max_size=6).map("".join)


def case_blind(question: str) -> list[DemoLink]:
    for pattern, links in cards._COMPILED_RULES:
        if pattern.search(question):
            return links
    return []


def test_the_topic_patterns_are_lower_case_ascii() -> None:
    for pattern, _links in cards._RULES:
        assert pattern.isascii() and pattern == pattern.lower()


@settings(max_examples=300, deadline=None)
@given(questions)
@example("What is ſelf-ſupervised learning?")  # not ASCII: "ſ" is an "s" to a case-blind search
def test_demos_are_the_ones_a_case_blind_search_finds(question: str) -> None:
    assert cards.propose_demos(question, "") == case_blind(question)


def test_a_question_in_capitals_gets_its_demo() -> None:
    dropout = [DemoLink("attend", {"mode": "causal", "dropout": 0.5})]
    assert cards.propose_demos("WHY USE DROPOUT?", "") == dropout
    assert cards.propose_demos("How do you bake bread?", "") == []


def test_causal_attention_spelled_right_or_as_the_notes_misspell_it_links_the_causal_demo() -> None:
    for question in ("What is causal attention?", "What is casual attention?", "Why a Causal Mask?"):
        assert cards.propose_demos(question, "") == [DemoLink("attend", {"mode": "causal"})], question
    assert cards.propose_demos("What is a causaal attention?", "")[0].args == {"mode": "simple"}
