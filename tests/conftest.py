from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
NOTES = SHARED / "notes" / "llm-book-notes.md"
VERDICT = SHARED / "corpora" / "the-verdict.txt"


@pytest.fixture(autouse=True)
def tutor_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets an empty data/config folder of its own; nothing touches the learner's files."""
    home = tmp_path_factory.mktemp("tutor-home")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    return home
