"""Re-importing edited notes: ids (and with them review history), flags and links behave."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tutor.deck_writing import save_deck
from tutor.decks import DemoLink, load_deck, load_decks
from tutor.errors import TutorError
from tutor.importer import import_notes
from tutor.importer.identity import new_card_id

BPE = (
    "What is byte pair encoding?",
    "- BPE merges the most frequent pair of symbols again and again.\n- GPT-2 has 50,257 tokens.",
)
WINDOW = (
    "What is the sliding window?",
    "- Input-target pairs come from a window moved over the token ids.\n- The stride sets the overlap.",
)
CAUSAL = (
    "Why mask future tokens?",
    "- A causal mask hides the tokens after the current one.\n- So the model cannot peek at the answer.",
)
DROPOUT = (
    "What does dropout do to attention?",
    "- Random attention weights are zeroed during training.\n- The rest are scaled up by 1/(1-p).",
)


def notes_text(chapters: dict[str, list[tuple[str, str]]]) -> str:
    parts = []
    for title, cards in chapters.items():
        parts.append(f"# {title}\n")
        for question, answer in cards:
            parts.append(f"<details>\n<summary>🎯Q. {question}</summary>\n\n{answer}\n</details>\n")
    return "\n".join(parts)


@pytest.fixture
def notebook(tmp_path: Path):
    notes, out = tmp_path / "notes.md", tmp_path / "decks"

    def write_and_import(chapters: dict[str, list[tuple[str, str]]]):
        notes.write_text(notes_text(chapters), encoding="utf-8")
        return import_notes(notes, out)

    write_and_import.out = out
    return write_and_import


def ids(report) -> dict[str, str]:
    return {card.question: card.id for card in report.cards}


def test_unchanged_notes_keep_every_id_and_file(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW], "Chapter 3": [CAUSAL, DROPOUT]})
    files = {p.name: p.read_text(encoding="utf-8") for p in notebook.out.glob("*.yaml")}
    again = notebook({"Chapter 2": [BPE, WINDOW], "Chapter 3": [CAUSAL, DROPOUT]})
    assert ids(again) == ids(first)
    assert len(first.new_cards) == 4 and again.new_cards == [] and again.removed == []
    assert {p.name: p.read_text(encoding="utf-8") for p in notebook.out.glob("*.yaml")} == files


def test_ids_are_short_readable_and_the_same_on_a_fresh_import(notebook, tmp_path: Path) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    assert ids(first)["What is byte pair encoding?"].startswith("what-is-byte-pair-")
    assert all(len(card_id) <= 33 for card_id in ids(first).values())
    fresh = import_notes(tmp_path / "notes.md", tmp_path / "elsewhere")
    assert ids(fresh) == ids(first)


def test_an_edited_answer_keeps_the_id(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    edited = (BPE[0], "Completely rewritten: merges of frequent pairs.")
    again = notebook({"Chapter 2": [edited, WINDOW]})
    assert ids(again)[BPE[0]] == ids(first)[BPE[0]]
    assert again.cards[0].answer == edited[1]


def test_a_reworded_question_with_the_same_answer_keeps_the_id(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    reworded = ("How does BPE build its vocabulary?", BPE[1] + "\n- It starts from bytes.")
    again = notebook({"Chapter 2": [reworded, WINDOW]})
    assert again.cards[0].id == ids(first)[BPE[0]]
    assert again.cards[0].question == reworded[0]
    assert again.new_cards == [] and again.removed == []


def test_a_slightly_reworded_question_with_an_edited_answer_keeps_the_id(notebook) -> None:
    first = notebook({"Chapter 3": [CAUSAL]})
    edited = (
        "Why mask the future tokens?",
        "- A causal mask hides later tokens.\n- So the model cannot peek.",
    )
    again = notebook({"Chapter 3": [edited]})
    assert again.cards[0].id == ids(first)[CAUSAL[0]]


def test_a_card_moved_to_another_chapter_keeps_its_id_and_hand_edits(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW], "Chapter 3": [CAUSAL]})
    deck = load_deck(notebook.out / "chapter-2.yaml")[0]
    deck.cards[1].tags = ["data"]
    deck.cards[1].suspended = True
    deck.cards[1].demos = [DemoLink("window", {"text": "hello world", "max_length": 2, "stride": 1})]
    save_deck(deck)
    again = notebook({"Chapter 2": [BPE], "Chapter 3": [CAUSAL, WINDOW]})
    moved = next(card for card in again.cards if card.question == WINDOW[0])
    assert (moved.id, moved.deck_id, moved.order) == (ids(first)[WINDOW[0]], "chapter-3", 1)
    reloaded = {card.id: card for deck in load_decks([notebook.out])[0] for card in deck.cards}[moved.id]
    assert reloaded.deck_id == "chapter-3"
    assert (reloaded.tags, reloaded.suspended) == (["data"], True)
    assert reloaded.demos == [DemoLink("window", {"text": "hello world", "max_length": 2, "stride": 1})]


def test_hand_edits_survive_reimport_and_proposals_are_not_forced_back(notebook) -> None:
    notebook({"Chapter 3": [CAUSAL, DROPOUT]})
    path = notebook.out / "chapter-3.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["cards"][0]["demos"] == [{"attend": {"mode": "causal"}}]  # proposed on first import
    raw["cards"][0]["demos"] = []  # the learner removed the link
    raw["cards"][1]["tags"] = ["regularisation"]
    raw["cards"][1]["suspended"] = True
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    again = notebook({"Chapter 3": [CAUSAL, (DROPOUT[0], DROPOUT[1] + "\n- Only in training.")]})
    first, second = again.cards
    assert first.demos == []
    assert (second.tags, second.suspended) == (["regularisation"], True)


def test_removed_cards_are_reported_retired_and_their_ids_never_reused(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    old_id = ids(first)[WINDOW[0]]
    again = notebook({"Chapter 2": [BPE]})
    assert again.removed == [{"id": old_id, "question": WINDOW[0], "deck": "chapter-2"}]
    assert any(p.kind == "removed" and old_id in p.message for p in again.problems)
    raw = yaml.safe_load((notebook.out / "chapter-2.yaml").read_text(encoding="utf-8"))
    assert [(item["id"], item["question"]) for item in raw["retired"]] == [(old_id, WINDOW[0])]
    assert raw["retired"][0]["demos"] == [
        {"window": {"text": "The cat sat on the mat.", "max_length": 4, "stride": 1, "batch_size": 1}}
    ]


def test_a_retired_id_is_never_given_to_a_different_card(notebook) -> None:
    notebook({"Chapter 2": [BPE]})
    fresh_id = new_card_id(WINDOW[0], "chapter-2", set())
    path = notebook.out / "chapter-2.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["retired"] = [{"id": fresh_id, "question": "An unrelated card removed long ago"}]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    again = notebook({"Chapter 2": [BPE, WINDOW]})
    assert ids(again)[WINDOW[0]] != fresh_id
    assert ids(again)[WINDOW[0]].startswith("what-is-the-sliding-")
    assert load_deck(path)[0].retired == [{"id": fresh_id, "question": "An unrelated card removed long ago"}]


def test_a_removed_card_that_comes_back_gets_its_id_and_edits_back(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    deck = load_deck(notebook.out / "chapter-2.yaml")[0]
    deck.cards[1].tags = ["keep-me"]
    save_deck(deck)
    notebook({"Chapter 2": [BPE]})
    back = notebook({"Chapter 2": [BPE, (WINDOW[0], "Rewritten from scratch later.")]})
    card = back.cards[1]
    assert (card.id, card.tags) == (ids(first)[WINDOW[0]], ["keep-me"])
    assert back.new_cards == []
    assert "retired" not in yaml.safe_load((notebook.out / "chapter-2.yaml").read_text(encoding="utf-8"))


def test_new_cards_get_new_ids(notebook) -> None:
    first = notebook({"Chapter 2": [BPE]})
    again = notebook({"Chapter 2": [BPE, WINDOW]})
    assert again.new_cards == [ids(again)[WINDOW[0]]]
    assert ids(again)[WINDOW[0]] not in ids(first).values()


def test_duplicate_questions_get_distinct_ids(notebook) -> None:
    report = notebook({"D": [("What is a token?", "- "), ("What is a token?", "- ")]})
    assert len(set(ids(report).values()) | {c.id for c in report.cards}) == 2


def test_a_renamed_chapter_moves_its_cards_and_its_old_file_goes(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    again = notebook({"Chapter 2: text data": [BPE, WINDOW]})
    assert ids(again) == ids(first)
    assert sorted(p.name for p in notebook.out.glob("*.yaml")) == ["chapter-2-text-data.yaml"]
    assert again.deleted == [notebook.out / "chapter-2.yaml"]


def test_decks_from_other_notes_are_left_alone(notebook, tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text(notes_text({"Chapter 2": [CAUSAL]}), encoding="utf-8")
    theirs = import_notes(other, notebook.out)
    mine = notebook({"Chapter 2": [CAUSAL, BPE]})
    assert mine.decks[0].id == "chapter-2-2"  # the id is taken by the other notes' deck
    assert mine.cards[0].id != theirs.cards[0].id
    assert mine.removed == []
    assert load_deck(notebook.out / "chapter-2.yaml")[0].cards[0].id == theirs.cards[0].id


def test_a_broken_deck_file_stops_the_import_before_anything_is_lost(notebook) -> None:
    notebook({"Chapter 2": [BPE]})
    path = notebook.out / "chapter-2.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  bad: [\n", encoding="utf-8")
    broken = path.read_text(encoding="utf-8")
    with pytest.raises(TutorError, match=r"chapter-2\.yaml, line \d+: .*fix or move that file"):
        notebook({"Chapter 2": [BPE, WINDOW]})
    assert path.read_text(encoding="utf-8") == broken


def edit_in_deck_file(path: Path, index: int, **changes) -> None:
    """What a learner does with the app's Edit key: change the card in its deck file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["cards"][index].update(changes)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_an_edit_made_in_the_deck_file_survives_reimport_of_unchanged_notes(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    path = notebook.out / "chapter-2.yaml"
    edit_in_deck_file(path, 0, question="What is byte-pair encoding (BPE)?", answer="Fixed a typo here.")
    again = notebook({"Chapter 2": [BPE, WINDOW, CAUSAL]})
    card = again.cards[0]
    assert (card.id, card.question, card.answer) == (
        ids(first)[BPE[0]],
        "What is byte-pair encoding (BPE)?",
        "Fixed a typo here.",
    )
    assert again.kept_edits == [card.id]
    assert [p.kind for p in again.problems] == []
    reloaded = load_deck(path)[0].cards[0]
    assert reloaded.answer == "Fixed a typo here."


def test_an_answer_written_in_the_deck_file_lifts_the_needs_answer_flag(notebook) -> None:
    notebook({"Chapter 2": [("What is BPE?", "- ![alt text](image-1.png)")]})
    path = notebook.out / "chapter-2.yaml"
    assert load_deck(path)[0].cards[0].needs_answer
    edit_in_deck_file(path, 0, answer="Merges of frequent pairs.")
    again = notebook({"Chapter 2": [("What is BPE?", "- ![alt text](image-1.png)")]})
    assert again.cards[0].needs_answer is False


def test_an_edit_in_both_places_takes_the_notes_and_saves_the_old_deck_file(notebook) -> None:
    first = notebook({"Chapter 2": [BPE, WINDOW]})
    path = notebook.out / "chapter-2.yaml"
    edit_in_deck_file(path, 1, answer="My edit in the deck file.")
    edited = path.read_text(encoding="utf-8")
    again = notebook({"Chapter 2": [BPE, (WINDOW[0], "The notes say something new.")]})
    card = again.cards[1]
    assert (card.id, card.answer) == (ids(first)[WINDOW[0]], "The notes say something new.")
    [problem] = [p for p in again.problems if p.kind == "edit-replaced"]
    [backup] = list(notebook.out.glob("chapter-2.*.bak"))
    assert backup.read_text(encoding="utf-8") == edited
    assert problem.line == card.source_line and backup.name in problem.message
    assert [d.id for d in load_decks([notebook.out])[0]] == ["chapter-2"]  # the backup is not a deck


def test_many_reworded_questions_in_big_notes_keep_their_ids(notebook) -> None:
    """Hundreds of unmatched cards take the fast path (pairs sharing a rare word), with the same result."""
    cards = [
        (
            f"Question number {n}?",
            f"- Answer {n} talks about topic{n} and detail{n * 7}.\n- Shared words here.",
        )
        for n in range(300)
    ]
    first = notebook({"Big": cards})
    reworded = [(f"Reworded question {n}, now longer?", answer) for n, (_q, answer) in enumerate(cards)]
    again = notebook({"Big": reworded})
    assert [card.id for card in again.cards] == [card.id for card in first.cards]
    assert again.new_cards == [] and again.removed == []
