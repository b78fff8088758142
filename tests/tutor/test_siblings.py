"""Reversed and cloze cards: how a deck file asks for them, what each shows, and their burying for the day."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_support import NOW, log, open_store, row, zone  # noqa: F401 (zone is a fixture)

from tutor.deck_writing import deck_to_yaml
from tutor.decks import load_deck, load_decks
from tutor.siblings import marks, show_cloze

DECK = """\
id: terms
title: Terms
{deck_keys}cards:
- id: softmax
  question: What turns attention scores into weights that sum to 1?
  reverse: true
  answer: The softmax function.
- id: context
  question: "{{{{c1::Self-attention}}}} lets each token attend to {{{{c2::every other token::how many}}}}."
  answer: Section 3.3.
- id: dropout
  question: What does dropout do in training?
  answer: |-
    - During training it zeroes a random share of the **attention weights**, which keeps the
      model from leaning on a few tokens.
    - **Scaling**: the weights left are divided by (1 - p) so the sum keeps its size.
    ```python
    x = **not a mark**
    ```
- id: plain
  question: What is GPT-2's context length?
  cloze: false
  answer: It reads at most **1,024 tokens** at a time.
"""


def write(folder: Path, deck_keys: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "terms.yaml"
    path.write_text(DECK.format(deck_keys=deck_keys), encoding="utf-8")
    return path


def studied(folder: Path) -> dict:
    [deck], problems = load_decks([folder])
    assert problems == []
    return {card.id: card for card in deck.cards}


def test_each_kind_of_sibling_with_what_it_asks_and_shows(tmp_path: Path) -> None:
    write(tmp_path)
    cards = studied(tmp_path)
    assert list(cards) == [
        "softmax",
        "softmax~reverse",
        "context~c1",
        "context~c2",
        "dropout",
        "dropout~c-attention-weights",
        "plain",
    ]
    reverse = cards["softmax~reverse"]
    assert (reverse.kind, reverse.question, reverse.answer) == (
        "reversed",
        "The softmax function.",
        "What turns attention scores into weights that sum to 1?",
    )
    # Cloze in the question: the question is the text to fill in; the card itself is not studied.
    c1, c2 = cards["context~c1"], cards["context~c2"]
    assert c1.question == "**[...]** lets each token attend to every other token."
    assert (
        c1.answer == "**Self-attention** lets each token attend to every other token.\n\n---\n\nSection 3.3."
    )
    assert c2.question == "Self-attention lets each token attend to **[how many]**."
    assert (c1.expected, c2.expected) == ("Self-attention", "every other token")
    # A bold term inside a sentence; the label "**Scaling**:" and code give none.
    mark = cards["dropout~c-attention-weights"]
    assert mark.kind == "cloze" and mark.expected == "attention weights"
    assert mark.question == (
        "During training it zeroes a random share of the **[...]**, which keeps the\n\n"
        "> What does dropout do in training?"
    )
    assert mark.answer.startswith(
        "During training it zeroes a random share of the **attention weights**, which"
    )
    # Every sibling points at the card its deck file holds, and the order follows the file.
    assert {card.note_id for card in cards.values()} == {"softmax", "context", "dropout", "plain"}
    assert [card.order for card in cards.values()] == list(range(7))


def test_a_term_the_question_names_is_no_cloze() -> None:
    # The question names "attention weights", so it would give the deletion away: no cloze of it.
    from tutor.decks import Card
    from tutor.siblings import expand

    card = Card(
        "w", "d", "Why scale the attention weights?", "Scaled **attention weights** keep a softmax soft."
    )
    assert [c.id for c in expand(card, reverse=False, cloze=True)] == ["w"]


def test_deck_keys_turn_kinds_on_and_cards_turn_them_off(tmp_path: Path) -> None:
    write(tmp_path, "reverse: true\ncloze: false\n")
    cards = studied(tmp_path)
    assert [card_id for card_id in cards if "~" in card_id] == [
        "softmax~reverse",
        "context~c1",  # Anki's syntax is always read
        "context~c2",
        "dropout~reverse",
        "plain~reverse",
    ]


def test_the_deck_file_is_written_back_with_each_card_once_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "reverse: true\n")
    [deck], _ = load_decks([tmp_path])
    text = deck_to_yaml(deck)
    assert "~" not in text and "[...]" not in text
    assert "{{c1::Self-attention}}" in text
    written, problems = load_deck(path)
    assert problems == [] and written is not None
    assert deck_to_yaml(written) == text
    assert written.reverse is True and [c.reverse for c in written.cards] == [True, None, None, None]


@pytest.mark.parametrize(
    ("card", "line", "words"),
    [
        ("- id: a~b\n  question: Q?\n", 4, "has '~' in its 'id'"),
        ("- id: a\n  question: Q?\n  reverse: yes please\n", 4, "'reverse' that is not true or false"),
        ("- id: a\n  question: Q?\n  cloze: [softmax]\n", 4, "'cloze' that is not true or false"),
    ],
)
def test_bad_kind_keys_are_named_with_their_line(tmp_path: Path, card: str, line: int, words: str) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("id: d\ntitle: D\ncards:\n" + card, encoding="utf-8")
    [deck], [problem] = load_decks([tmp_path])
    assert deck.cards == []
    assert (problem.path, problem.line) == (path, line)
    assert words in problem.message and "skipped" in problem.message


def test_a_deck_key_of_the_wrong_type_is_ignored_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("id: d\ntitle: D\nreverse: always\ncards:\n- {id: a, question: Q?, answer: A}\n")
    [deck], [problem] = load_decks([tmp_path])
    assert [card.id for card in deck.cards] == ["a"]
    assert (problem.line, problem.message) == (3, "'reverse' must be true or false; it was ignored.")


def test_cloze_in_an_answer_keeps_the_card_and_shows_the_deletions_in_bold(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "id: d\ntitle: D\ncards:\n- id: gpt2\n  question: GPT-2 small?\n"
        "  answer: '{{c1::12}} layers of {{c2::768::width}} dimensions'\n"
    )
    cards = studied(tmp_path)
    assert list(cards) == ["gpt2", "gpt2~c1", "gpt2~c2"]
    assert cards["gpt2"].answer == "**12** layers of **768** dimensions"
    assert cards["gpt2"].written.answer == "{{c1::12}} layers of {{c2::768::width}} dimensions"
    assert cards["gpt2~c2"].question == "12 layers of **[width]** dimensions\n\n> GPT-2 small?"


def test_marks_skip_labels_headings_code_and_short_words() -> None:
    text = (
        "# The **heading** term\n"
        "**Label**: a label starts its line.\n"
        "Press **d** to open the demo.\n"
        "A sentence with a **long run of five bold words** is not a term.\n"
        "Keys and values come from the **input embeddings** after projection.\n"
        "⭐ The mask sets scores to `-inf` before the **softmax** step.\n"
    )
    assert [mark.term for mark in marks(text)] == ["input embeddings", "-inf", "softmax"]
    assert show_cloze("{{c1::a}} {{c2::b::hint}}", blank=2) == "a **[hint]**"


def graded_note(tmp_path: Path):
    write(tmp_path)
    [deck], _ = load_decks([tmp_path])
    return open_store(tmp_path / "p.sqlite3", deck.cards, fuzzing=False)


def test_answering_a_card_buries_its_siblings_until_the_next_study_day(tmp_path: Path, zone) -> None:  # noqa: F811
    store = graded_note(tmp_path)
    assert store.queue(now=NOW)[:4] == ["softmax", "softmax~reverse", "context~c1", "context~c2"]
    store.grade("context~c1", 3, 2000, now=NOW)
    queue = store.queue(now=NOW)
    assert "context~c2" not in queue and "softmax~reverse" in queue
    assert (
        row(store, "context~c2")["buried_until"] == "2026-03-03T04:00:00.000000+00:00"
    )  # the day starts at 4
    assert "context~c2" in store.queue(now=NOW + timedelta(days=1))
    # A sibling in learning keeps its steps: answering its sibling does not hide it.
    store.grade("softmax", 1, 2000, now=NOW)  # Again: in learning, due in a minute
    store.grade("softmax~reverse", 3, 2000, now=NOW + timedelta(minutes=1))
    assert row(store, "softmax")["buried_until"] is None
    assert "softmax" in store.queue(now=NOW + timedelta(minutes=2))


def test_undo_puts_the_buried_siblings_back(tmp_path: Path, zone) -> None:  # noqa: F811
    store = graded_note(tmp_path)
    store.bury("context~c2", now=NOW - timedelta(days=3))  # buried some days ago: long back in the queue
    before = row(store, "context~c2")["buried_until"]
    store.grade("context~c1", 4, 2000, now=NOW)
    assert row(store, "context~c2")["buried_until"] != before
    assert store.undo() == "context~c1"
    assert row(store, "context~c2")["buried_until"] == before
    assert log(store) == []
    assert store.queue(now=NOW)[:4] == ["softmax", "softmax~reverse", "context~c1", "context~c2"]


def test_cram_answers_bury_nothing(tmp_path: Path, zone) -> None:  # noqa: F811
    store = graded_note(tmp_path)
    store.grade("context~c1", 3, 2000, now=NOW, cram=True)
    assert row(store, "context~c2")["buried_until"] is None


def test_the_readme_example_gives_the_cards_it_says(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in readme.split("```yaml\n")[1:] if "gpt2-small" in b).split("```")[0]
    (tmp_path / "d.yaml").write_text("id: d\ntitle: D\n" + block, encoding="utf-8")
    assert list(studied(tmp_path)) == [
        "gpt2-small~c1",
        "gpt2-small~c2",
        "softmax",
        "softmax~reverse",
        "context-length",
        "context-length~reverse",
    ]
