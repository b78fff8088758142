"""Small decks written in the test, a store in tmp_path, a fixed clock: every run draws the same screens."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tutor.ui.app import TutorApp, make_app

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

BASICS = {
    "id": "basics",
    "title": "Tokens and embeddings",
    "cards": [
        {
            "id": "bpe",
            "question": "What does byte pair encoding do with a word it has never seen?",
            "answer": "It splits the word into **sub-word pieces** it knows, down to single bytes.",
            "demos": [{"tokenize": {"text": "unhappiness"}}],
        },
        {
            "id": "eot",
            "question": "What is `<|endoftext|>` for?",
            "answer": "It marks where one document ends and the next begins.\n\n![the token](missing.png)",
        },
        {
            "id": "emb",
            "question": "What is an embedding layer?",
            "answer": "A lookup table: row *i* is the vector of token id *i*.",
            "demos": [{"embed": {}}, {"tokenize": {"text": "row"}}],
        },
    ],
}

ATTENTION = {
    "id": "attention",
    "title": "Attention",
    "cards": [
        {
            "id": "mask",
            "question": "Why a causal mask?",
            "answer": "So a token never sees the tokens after it.",
        },
        {
            "id": "heads",
            "question": "Why several heads?",
            "answer": "Each head can attend to different things.",
        },
    ],
}


def write_deck(folder: Path, deck: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{deck['id']}.yaml"
    path.write_text(yaml.safe_dump(deck, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    write_deck(folder, BASICS)
    write_deck(folder, ATTENTION)
    return folder


@pytest.fixture
def tutor_app(tmp_path: Path, deck_dir: Path) -> TutorApp:
    return make_app(deck_dirs=[deck_dir], store_path=tmp_path / "progress.sqlite3", clock=lambda: NOW)
