"""Small decks written in the test, a store in tmp_path, a fixed clock: every run draws the same screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import ATTENTION, BASICS, NOW, write_deck

from tutor.ui.app import TutorApp, make_app


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    write_deck(folder, BASICS)
    write_deck(folder, ATTENTION)
    return folder


@pytest.fixture
def tutor_app(tmp_path: Path, deck_dir: Path) -> TutorApp:
    return make_app(deck_dirs=[deck_dir], store_path=tmp_path / "progress.sqlite3", clock=lambda: NOW)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio; the async tests run through anyio's pytest plugin
