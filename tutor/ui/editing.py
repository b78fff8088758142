"""Editing a card where it lives: the learner's $VISUAL or $EDITOR, opened at the card's line in its deck."""

from __future__ import annotations

import os
import shlex
import subprocess

from textual.app import App, SuspendNotSupported


def edit_card(app: App, card) -> bool:
    """Hand the terminal to the editor at ``+line`` (vi, vim, nano, emacs, micro, helix all take it).

    Returns whether the editor ran; the caller reloads the decks. Problems are one notification.
    """
    if card.path is None:
        app.notify("This card has no deck file to edit.", severity="warning")
        return False
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
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
    return True
