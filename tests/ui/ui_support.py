"""What the app tests share: small decks written in the test, a fixed clock, and the screen as text."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import yaml
from rich.console import Console

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
            "cloze": False,  # the app's tests count three cards; test_ui_siblings reviews cloze cards
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


def screen_text(app) -> str:
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()
