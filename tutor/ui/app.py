"""The Textual app: a small App that holds the decks and the progress store and opens the screens.

The core does the work (``tutor.decks``, ``tutor.store``, ``tutor.demos``); screens only ask it and draw.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.app import App
from textual.binding import Binding

from tutor.errors import TutorError
from tutor.library import Library
from tutor.ui.commands import TutorCommands

if TYPE_CHECKING:
    from tutor.decks import Card, Deck
    from tutor.store import Store


T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


class TutorApp(App[None]):
    """Decks, review, demos, stats and browse over the learner's decks and progress."""

    TITLE = "tutor"
    CSS_PATH = Path(__file__).with_name("tutor.tcss")  # absolute: subclasses elsewhere keep the style
    COMMANDS = App.COMMANDS | {TutorCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("f1", "help", "Help (also while typing)", show=False, id="app.help_f1"),
        Binding("ctrl+s", "open_stats", "Stats", show=False, id="app.stats"),
        Binding("ctrl+b", "open_browse", "Browse", show=False, id="app.browse"),
    ]

    def __init__(
        self,
        *,
        deck_dirs: list[Path] | None = None,
        store_path: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.library = Library(deck_dirs, store_path, visible=True)  # empty until load()
        self.startup_errors: list[str] = []  # the store's notices and trouble, told once on the Decks screen
        self.problems_to_tell = False
        self.loaded = False

    # The data layer: the library (decks from their files, progress from the store) draws from the core.

    @property
    def decks(self) -> dict[str, Deck]:
        return self.library.decks

    @property
    def cards(self) -> dict[str, Card]:
        return self.library.cards

    @property
    def store(self) -> Store | None:
        return self.library.store

    @property
    def problems(self) -> list[str]:
        """The deck files' problems at the last load, "file, line N: what to do": the Problems view."""
        return [str(problem) for problem in self.library.problems]

    def load(self) -> None:
        """Load the decks and open the store; problems become notifications, never a traceback."""
        self.loaded = True
        self.library = Library.open(self.library.deck_dirs, self.library.store_path, visible=True)
        self.problems_to_tell = bool(self.library.problems)  # shown by on_mount, once Decks is up
        self.startup_errors = list(self.library.messages(problems=False))

    def store_write(self, write: Callable[..., T], *args, **kwargs) -> tuple[bool, T | None]:
        """A change to the store as (saved, what it returned); a busy store is one notification."""
        try:
            return True, write(*args, **kwargs)
        except TutorError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=10)
            return False, None

    def reload_decks(self, report: bool = True) -> None:
        """Read the deck files again (after an edit, or `r`) and sync the store; ``report`` shows problems."""
        self.store_write(self.library.load_decks)
        self.problems_to_tell = bool(self.library.problems)
        if report:
            self.show_errors()

    def edits_file(self) -> Path:
        """Where the app keeps the learner's edits to cards: their own deck folder (the last one)."""
        from tutor import paths
        from tutor.card_edits import edits_path

        return edits_path((self.library.deck_dirs or [paths.user_decks_dir()])[-1])

    def edit_in_app(self, card_id: str, then: Callable[[], object]) -> None:
        """Open the in-app editor on a card; once saved, reload the decks and call ``then``."""
        from tutor.ui.screens.edit import EditCardScreen

        def saved(changed: bool | None) -> None:
            if changed:
                self.reload_decks()
                self.notify(f"Saved your edit to {self.edits_file()}.", timeout=5)
                then()

        self.push_screen(EditCardScreen(card_id), saved)

    def notify(
        self, message: str, *, title: str = "", severity="information", timeout=None, markup=True
    ) -> None:
        """Notifications carry file names and YAML errors with brackets in them: never read them as markup,
        and show their control characters (a deck's question quoted in a toast) as text."""
        from tutor.terminal_text import visible

        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False
        )

    def show_errors(self) -> None:
        """Say what went wrong while loading: the store's trouble as it is, the deck files' in one line
        that points to the Problems view (a toast per problem would cover the decks at 80x24)."""
        for message in self.startup_errors:
            self.notify(message, title="Problem", severity="error", timeout=12)
        self.startup_errors.clear()
        if self.problems_to_tell:
            self.problems_to_tell = False
            if len(self.problems) == 1:
                message = f"{self.problems[0]} (p on Decks lists it.)"
            else:
                message = f"{len(self.problems)} problems in your deck files: p on Decks lists them."
            self.notify(message, title="Problem", severity="error", timeout=12)

    def action_open_problems(self) -> None:
        from tutor.ui.screens.problems import ProblemsScreen

        if not isinstance(self.screen, ProblemsScreen):
            self.push_screen(ProblemsScreen())

    def on_mount(self) -> None:
        from tutor.ui.screens.decks import DecksScreen

        if not self.loaded:
            self.load()
        self.push_screen(DecksScreen())
        self.call_after_refresh(self.show_errors)  # on the Decks screen, once it is up

    async def action_quit(self) -> None:
        """Stop running demos first: a training thread checks its cancel event between steps."""
        from tutor.ui.panels.base import DemoPanel

        for screen in self.screen_stack:
            for panel in screen.query(DemoPanel):
                panel.cancel_event.set()
        await super().action_quit()

    def on_unmount(self) -> None:
        self.library.close()

    # Screens any screen can open.

    def action_help(self) -> None:
        from tutor.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_open_checkpoints(self) -> None:
        from tutor.ui.screens.checkpoints import CheckpointsScreen

        if not isinstance(self.screen, CheckpointsScreen):
            self.push_screen(CheckpointsScreen())

    def action_open_stats(self) -> None:
        from tutor.ui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen())

    def action_open_browse(self) -> None:
        from tutor.ui.screens.browse import BrowseScreen

        if not isinstance(self.screen, BrowseScreen):
            self.push_screen(BrowseScreen())

    def study(self, deck_id: str | None = None, cram: bool = False) -> None:
        from tutor.ui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck_id=deck_id, cram=cram))

    def open_notes(self, deck_id: str, card_id: str | None = None) -> None:
        from tutor.ui.screens.notes import NotesScreen

        if deck_id in self.decks:
            self.push_screen(NotesScreen(deck_id, card_id))

    def open_demo(self, name: str, args: dict | None = None) -> None:
        from tutor.ui.screens.demo import DemoScreen

        # A demo opened over another demo replaces it: esc goes straight back to where the learner was.
        while isinstance(self.screen, DemoScreen) and len(self.screen_stack) > 1:
            self.screen.action_back()
        self.push_screen(DemoScreen([(name, dict(args or {}))]))


def make_app(
    *,
    deck_dirs: list[Path] | None = None,
    store_path: Path | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> TutorApp:
    """The app as the CLI and the tests build it (tests pass their own decks, store and a fixed clock)."""
    return TutorApp(deck_dirs=deck_dirs, store_path=store_path, clock=clock)


def _prepare_images(app: TutorApp) -> None:
    """textual-image asks the terminal what it can draw, which only works before Textual starts."""
    if not sys.stdout.isatty():
        return  # nothing to ask, and no pictures to draw but text ones
    cards = (card for card in app.cards.values() if "![" in card.answer)
    if any(image.exists for card in cards for image in card.images()):
        import textual_image.widget  # noqa: F401


def run_app(headless: bool = False) -> int:
    """Run the app; the exit status is Textual's (1 when the app crashed), so scripts can tell."""
    app = make_app()
    app.load()
    _prepare_images(app)
    app.run(headless=headless)
    return app.return_code or 0
