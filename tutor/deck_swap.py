"""All or nothing across deck files: an import writes every deck file aside, then swaps them in.

A card that moves to another chapter lives in two deck files at once during an import; if the import
stopped between them (kill -9, Ctrl-C, a full disk) the card could end up in neither, and the next import
would give it a new id, cutting it loose from its review history. So an import:

1. writes every deck file into ``.import-staging/`` inside the deck folder (same file system), synced;
2. writes the journal ``.import-swap.json`` (the files to put in place and to remove) atomically: from
   this moment the import has happened;
3. moves the staged files over the old ones, removes the decks no longer in the notes, then deletes the
   journal and the staging folder.

Whoever finds the folder next (the next ``tutor import``, or loading the decks) finishes a swap that has a
journal and throws away a staging folder that has none, so the folder always holds the decks of the
import before or of the one after, never a mix.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tutor.errors import TutorError

JOURNAL = ".import-swap.json"
STAGING = ".import-staging"


def step(name: str) -> None:
    """Called between the swap's steps; the crash test replaces it to kill the import at each one."""


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder cannot be opened on some systems (Windows): nothing to sync there
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def swap_in(folder: Path, files: dict[str, str], remove: list[str]) -> None:
    """Write ``files`` (file name -> text) into ``folder`` and remove the files named in ``remove``,
    all or nothing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        recover(folder)
        staging = folder / STAGING
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for name, text in files.items():
            _write_synced(staging / name, text)
            step(f"staged {name}")
        _sync_folder(staging)
        journal = {"put": list(files), "remove": [name for name in remove if name not in files]}
        _write_synced(folder / (JOURNAL + ".tmp"), json.dumps(journal))
        step("journal written")
        os.replace(folder / (JOURNAL + ".tmp"), folder / JOURNAL)
        _sync_folder(folder)
        step("journal in place")
    except OSError as exc:
        shutil.rmtree(folder / STAGING, ignore_errors=True)
        where = exc.filename or folder
        raise TutorError(
            f"{where}: cannot write the decks ({exc.strerror}); nothing was changed, free some space or "
            "check the folder's permissions and import again."
        ) from None
    try:
        _finish(folder, journal)
    except OSError as exc:
        raise TutorError(
            f"{exc.filename or folder}: the new decks are saved but could not all be put in place "
            f"({exc.strerror}); fix that and run tutor again, it finishes the import."
        ) from None


def _finish(folder: Path, journal: dict) -> None:
    staging = folder / STAGING
    for name in journal["put"]:
        if (staging / name).exists():  # else it was moved before the interruption
            os.replace(staging / name, folder / name)
            step(f"moved {name}")
    for name in journal["remove"]:
        (folder / name).unlink(missing_ok=True)
        step(f"removed {name}")
    _sync_folder(folder)
    (folder / JOURNAL).unlink()
    step("journal removed")
    shutil.rmtree(staging, ignore_errors=True)


def needs_recovery(folder: Path) -> bool:
    return (
        (folder / JOURNAL).exists() or (folder / STAGING).exists() or (folder / (JOURNAL + ".tmp")).exists()
    )


def recover(folder: Path) -> str | None:
    """Finish or undo an import that was interrupted in ``folder``; what was done, or None.

    Raises OSError when the folder cannot be changed (the caller says so)."""
    if not needs_recovery(folder):
        return None
    journal_path = folder / JOURNAL
    if journal_path.exists():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
            names = [*journal["put"], *journal["remove"]]
            if not all(isinstance(n, str) and n == Path(n).name and not n.startswith(".") for n in names):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            # Not a journal this code wrote (it is written whole or not at all): leave the decks as they are.
            journal_path.unlink()
            journal = None
        if journal is not None and not (folder / STAGING).is_dir():
            # The staging folder goes only after the journal: without it the journal is not ours to
            # finish, and removing decks on its word could lose cards.
            journal_path.unlink()
            journal = None
        if journal is not None:
            _finish(folder, journal)
            return "an interrupted import was finished"
    (folder / (JOURNAL + ".tmp")).unlink(missing_ok=True)
    shutil.rmtree(folder / STAGING, ignore_errors=True)
    return "an interrupted import was undone; the decks are as they were before it"
