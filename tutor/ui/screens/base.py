"""The screens' base classes: each screen reaches the TutorApp that holds the decks and the store.

Textual types ``Screen.app`` as a plain ``App``; these bases tell the type checker which app it is, so a
screen reads ``self.app.store`` without a cast. Only the type checker sees them: nothing changes at run
time, and a test may still show a screen in an app of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from textual import getters

    from tutor.ui.app import TutorApp

ResultType = TypeVar("ResultType")


class TutorScreen(Screen[ResultType]):
    """A full screen of the tutor."""

    if TYPE_CHECKING:
        app = getters.app(TutorApp)


class TutorModalScreen(ModalScreen[ResultType]):
    """A dialog of the tutor, drawn over the screen below it."""

    if TYPE_CHECKING:
        app = getters.app(TutorApp)
