"""Where the tutor keeps its files. ``TUTOR_HOME`` puts everything below one folder (tests, users)."""

from __future__ import annotations

import importlib
import os
from importlib.resources import files
from pathlib import Path

import platformdirs

APP_NAME = "tutor"


def _home() -> Path | None:
    home = os.environ.get("TUTOR_HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    home = _home()
    return home if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    home = _home()
    return home if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def user_decks_dir() -> Path:
    """The learner's own decks (``tutor import`` writes here by default)."""
    return data_dir() / "decks"


def store_path() -> Path:
    """The progress store (SQLite)."""
    return data_dir() / "progress.sqlite3"


def backups_dir() -> Path:
    return data_dir() / "backups"


def log_path() -> Path:
    """Where the tutor keeps the tracebacks of errors the learner saw as one sentence."""
    return data_dir() / "tutor.log"


def checkpoints_dir() -> Path:
    """Models trained by the ``pretrain`` demo."""
    return data_dir() / "checkpoints"


def bundled_decks_dir() -> Path:
    """The decks shipped with the tutor (``decks/`` in the repository, ``tutor/bundled_decks`` installed)."""
    checkout = Path(__file__).resolve().parent.parent / "decks"
    if checkout.is_dir():  # a source checkout, editable install or not
        return checkout
    # tutor.bundled_decks is a namespace package (no __init__.py): files() gives a MultiplexedPath,
    # whose str() is not a path, so take the folder from the package's __path__.
    bundled = importlib.import_module("tutor.bundled_decks")  # made by the install: no source to check

    return Path(next(iter(bundled.__path__), str(files("tutor") / "bundled_decks")))
