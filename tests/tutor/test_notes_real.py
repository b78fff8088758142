"""The learner's real notes (../shared/notes) and the bundled decks made from them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tutor.deck_writing import deck_to_yaml
from tutor.decks import check_demo_link, load_decks
from tutor.importer import import_notes
from tutor.importer.mojibake import MOJIBAKE

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT.parent / "shared" / "notes" / "llm-book-notes.md"
DECKS = ROOT / "decks"
MARKERS = ("â", "Ã", "Â", "ğŸ", "â€", "ï¸", "\ufffd")

# The book's title heading holds no card: its text opens chapter 1's notes. The three placeholder blocks
# (fdfdfdfdf) are no cards.
EXPECTED = {
    "chapter-1-understanding-the-large-language-models": 7,
    "chapter-2-working-with-text-data": 9,
    "chapter-3-coding-attention-mechanisms": 10,
    "chapter-4-implementing-a-gpt-model-from-scratch-to-generate": 3,
    "chapter-5-pretraining-on-unlabeled-text-data": 6,
    "maths-concepts-for-ai-ml-and-dl": 4,
    "ai-engineering-by-chip-huyen-book-key-takeaways": 5,
}

pytestmark = pytest.mark.skipif(not NOTES.is_file(), reason="the shared notes are not next to the checkout")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return import_notes(NOTES, tmp_path_factory.mktemp("decks"))


def all_text(report) -> list[str]:
    texts = []
    for deck in report.decks:
        texts += [deck.title, deck.notes]
        for card in deck.cards:
            texts += [card.question, card.answer]
    return texts


def test_decks_and_card_counts(report) -> None:
    assert {deck.id: len(deck.cards) for deck in report.decks} == EXPECTED
    assert len(report.cards) == 44
    assert report.decks[0].cards[0].question == "LLMs vs Earlier NLP"
    assert report.decks[0].notes.startswith("## Build-a-Large-Language-Model-From-Scratch")
    assert report.decks[-1].cards[-1].source_line == 664


def test_every_details_block_is_a_card_or_a_problem(report) -> None:
    blocks = len(re.findall(r"(?m)^<details>", NOTES.read_text(encoding="utf-8")))
    assert blocks == 48
    kinds = [p.kind for p in report.problems]
    assert len(report.cards) + kinds.count("not-a-question") + kinds.count("placeholder") == blocks
    assert kinds.count("placeholder") == 3


def test_no_mojibake_in_any_card_title_or_notes(report) -> None:
    for text in all_text(report):
        for marker in MARKERS:
            assert marker not in text, (marker, text[:200])
        assert not MOJIBAKE.search(text)
    assert "mojibake" not in [p.kind for p in report.problems]


def test_no_mojibake_in_the_bundled_deck_files() -> None:
    for path in DECKS.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not any(marker in text for marker in MARKERS), path


def test_repaired_characters_read_as_the_learner_wrote_them(report) -> None:
    cards = {card.question: card for card in report.cards}
    assert cards["What is an LLM"].answer.startswith("- An LLM is a ⭐neural network⭐ designed")
    assert (
        "The “large” in “large language model” refers to both the model’s size"
        in cards["What is an LLM"].answer
    )
    backprop = cards["what is backprapogation ?"].answer
    assert "### 1. Token IDs → 2. Vectors → 3. Backpropagation" in backprop
    assert '0 [0.12, -0.45, 0.30] ← "I"' in backprop
    assert "Embedding lookup ≈ one-hot vector × weight matrix" in backprop
    legend = report.decks[-1].notes
    assert "⭐ - For important points" in legend and "⚠️ - For warnings" in legend
    assert "🎯 - For exam targets" in legend and "🚫 - For indicating" in legend
    chapter_5 = next(d for d in report.decks if d.id == "chapter-5-pretraining-on-unlabeled-text-data")
    assert "⭐⭐⭐ GENERAL NOTES ⭐⭐⭐" in chapter_5.notes


def test_the_flagged_cards(report) -> None:
    flagged = {(card.source_line, card.question) for card in report.cards if card.needs_answer}
    assert flagged == {
        (306, "Is backprapogation and linear regression same or different ?"),
        (398, "what does trainable weight mean actually ?"),
        (408, "Difference between Weight parameters vs. attention weights ?"),
        (417, "why self-attention also referred as a scaled-dot product ?"),
        (423, "Why query, key, and value in attention mechanisms ?"),
        (434, "What is casual attention and why its needed and how its done?"),
        (495, "Summary of the chap 4 ?"),
        (512, "what is weight parameter ?"),
        (548, "Does attention mechanism and positional encoding complement each other ? how?"),
        (
            569,
            "how does training looks before foundation model and after foundation model ? "
            "good high level diagram",
        ),
        (
            620,
            "Why positional encoding is needed even after token IDs encodings into vectors? "
            "chp 2 section 2.8",
        ),
        (638, "masked language model vs autoregressive language model"),
        (658, "what is multimodal model ?"),
    }
    listed = {p.line for p in report.problems if p.kind == "needs-answer"}
    assert listed == {line for line, _ in flagged}


def test_every_quirk_of_the_real_notes_is_reported(report) -> None:
    found = {(p.kind, p.line) for p in report.problems}
    assert {
        ("text-before-summary", 44),  # a quote placed before <summary>
        ("stray-tag", 581),  # </details> right after the Maths heading
        ("not-a-question", 692),  # Emojis used
        ("stray-tag", 701),  # the legend ends with </summary>
    } <= found
    assert any(p.kind == "missing-images" and p.message.startswith("52 image links") for p in report.problems)
    # <summary> followed by content with no blank line: one raw HTML block for markdown-it
    question = "Does attention mechanism and positional encoding complement each other ? how?"
    answer = next(card.answer for card in report.cards if card.question == question)
    assert answer.startswith("- ![alt text](") and answer.endswith("](image-10.png)")


def test_bundled_decks_are_up_to_date_with_the_importer() -> None:
    """Re-importing the notes over decks/ must change nothing (regenerate: tutor import NOTES --out decks)."""
    again = import_notes(NOTES, DECKS, write=False)
    assert again.new_cards == [] and again.removed == []
    for deck in again.decks:
        assert deck.path.is_file(), f"{deck.path.name} is missing from decks/"
        assert deck_to_yaml(deck) == deck.path.read_text(encoding="utf-8"), f"{deck.path.name} is out of date"
    assert {p.name for p in DECKS.glob("*.yaml")} == {deck.path.name for deck in again.decks}


def test_bundled_decks_load_with_fitting_demo_links() -> None:
    decks, problems = load_decks([DECKS])
    assert problems == []
    # The notes' 44 cards, the live cards written in the deck files, and the reversed and cloze cards.
    cards = [card for deck in decks for card in deck.cards]
    assert sum(1 for card in cards if card.live is None and card.kind == "basic") == 44
    reversed_ = {card.id for card in cards if card.kind == "reversed"}
    assert reversed_ == {
        "what-is-neural-network-c0d7~reverse",
        "what-is-multi-head-341a~reverse",
        "what-is-parameter-in-7b4c~reverse",
        "what-is-the-concept-e5bd~reverse",
    }
    # The terms the notes bold inside a sentence; a label ("**Key Difference**:") or a term the question
    # names ("positional encodings" on "what is positional encoding?") gives none.
    assert {card.id: card.expected for card in cards if card.kind == "cloze"} == {
        "how-tools-like-tiktokenizer-bacf~c-subword-tokenization": "subword tokenization",
        "what-is-backprapogation-971b~c-embedding-matrix": "embedding matrix",
        "what-is-backprapogation-971b~c-loss": "loss",
        "what-is-tensor-ef5c~c-data-containers": "data containers",
    }
    linked = [card for deck in decks for card in deck.cards if card.demos]
    assert len(linked) >= 15
    names = {link.name for card in linked for link in card.demos}
    assert names == {"tokenize", "embed", "window", "attend", "generate", "model", "pretrain"}
    for card in linked:
        for link in card.demos:
            check_demo_link(link.name, link.args)
    by_question = {card.question: card for card in linked}
    tokenize = by_question["how tools like tiktokenizer able to tokenize the unknown words? very intresting"]
    assert [(link.name, link.args) for link in tokenize.demos] == [("tokenize", {"text": "unhappiness"})]
    causal = by_question["What is casual attention and why its needed and how its done?"]
    assert causal.demos[0].args["mode"] == "causal"
    multi = by_question["What is multi-head attention and why its needed?"]
    assert multi.demos[0].args["mode"] == "multi-head"


def test_bundled_image_links_that_were_never_shared_are_listed_as_missing() -> None:
    decks, _ = load_decks([DECKS])
    card = next(c for d in decks for c in d.cards if c.question == "what is weight parameter ?")
    [image] = card.images()
    assert image.target == "image-19.png"  # as the notes wrote it, not a path into the repository
    assert card.missing_images == ["image-19.png"]
    assert image.exists is False  # the learner's images were not shared: the app shows the alt text
    for deck in decks:
        for card in deck.cards:
            assert "shared/" not in card.answer and "../" not in card.answer
            assert [image.target for image in card.images()] == card.missing_images


def test_loading_decks_imports_neither_torch_nor_textual() -> None:
    import subprocess

    code = (
        "import sys; from tutor.decks import load_decks; decks, problems = load_decks(); "
        "assert len(decks) >= 7 and not problems, problems; "
        "print('torch' in sys.modules, 'textual' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.split() == ["False", "False"]
