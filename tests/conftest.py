from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
NOTES = SHARED / "notes" / "llm-book-notes.md"
VERDICT = SHARED / "corpora" / "the-verdict.txt"


@pytest.fixture(autouse=True)
def tutor_home(tmp_path_factory, monkeypatch) -> Iterator[Path]:
    """Every test gets an empty data/config folder of its own; nothing touches the learner's files."""
    home = tmp_path_factory.mktemp("tutor-home")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    # Study days and the times on screen follow the local time zone: the same one on every machine.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield home
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def tmpfs_folder(tmp_path) -> Path:
    """An empty folder a child process can mount a small tmpfs on, in a user and mount namespace of its own
    (``unshare -rm``: no privileges, gone with the child). The test is skipped where that is not allowed."""
    folder = tmp_path / "disk"
    folder.mkdir()
    probe = ["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)]
    if not shutil.which("unshare") or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs in a user namespace is not allowed here")
    return folder
