"""Editing a card: in the app (its question and answer, kept in the learner's edits file), or in the
learner's own editor at the card's line in their own deck file.

A bundled deck is never opened in an editor: it lives in the installed package, and the next install
would overwrite the change. Its cards are edited in the app instead, which keeps the change in the
learner's deck folder (``tutor.card_edits``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from textual.app import App, SuspendNotSupported

FALLBACK_EDITORS = ("nano", "vim", "vi")  # nano first: a newcomer can leave it (ctrl+x)


def chosen_editor() -> tuple[str | None, str]:
    """The editor to run and where it came from: ``$VISUAL``, then ``$EDITOR``, then one installed."""
    for variable in ("VISUAL", "EDITOR"):
        if os.environ.get(variable, "").strip():
            return os.environ[variable], f"${variable}"
    for name in FALLBACK_EDITORS:
        if shutil.which(name):
            return name, "the default, as $VISUAL and $EDITOR are not set"
    return None, "none: $VISUAL and $EDITOR are not set and none of nano, vim, vi is installed"


def in_bundled_deck(card) -> bool:
    from tutor import paths

    if card.path is None:
        return False
    try:
        return Path(card.path).resolve().is_relative_to(paths.bundled_decks_dir().resolve())
    except OSError:
        return False


def edit_card(app: App, card) -> bool:
    """Hand the terminal to the editor at ``+line`` (vi, vim, nano, emacs, micro, helix all take it).

    Returns whether the editor ran; the caller reloads the decks. Problems are one notification.
    """
    if card.path is None:
        app.notify("This card has no deck file to edit.", severity="warning")
        return False
    if in_bundled_deck(card):
        app.notify(
            "This card is in a bundled deck, which the next install overwrites: press e to edit it in the "
            "app; your change is kept in your own deck folder.",
            severity="warning",
            timeout=8,
        )
        return False
    editor, source = chosen_editor()
    if editor is None:
        app.notify(
            f"No editor to open: {source}. Set $EDITOR, or press e to edit in the app.", severity="error"
        )
        return False
    try:
        command = [*shlex.split(editor), f"+{card.line}", str(card.path)]
        try:
            with app.suspend():
                subprocess.run(command, check=False)
        except SuspendNotSupported:  # headless (tests, web): no terminal to hand over, run it as it is
            subprocess.run(command, check=False)
    except (OSError, ValueError) as exc:
        app.notify(
            f"Cannot start the editor '{editor}' ({exc}); set $EDITOR to one you have.", severity="error"
        )
        return False
    app.notify(f"Edited {card.path.name} in {editor} ({source}).", timeout=5)
    return True
