"""The command palette (ctrl+p): the screens, every deck and demo, plus what the screen on top offers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp


class TutorCommands(Provider):
    """Commands that depend on what is on screen: a review offers its card's demos and editing it."""

    def commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        # The palette opens over the tutor's own app; Textual types a provider's app as a plain App.
        app = cast("TutorApp", self.app)
        yield "Decks", self._to_decks, "Go back to the list of decks"
        yield "Study everything due", partial(app.study, None), "Review the due cards of every deck"
        yield "Stats", app.action_open_stats, "Reviews, retention, forecast and streaks"
        yield "Browse cards", app.action_open_browse, "Search every card, filter, unsuspend"
        yield "Help", app.action_help, "Every key binding"
        yield "Checkpoints", app.action_open_checkpoints, "The models pretrain saved: step, loss and date"
        problems = getattr(app, "problems", [])
        if problems:
            yield (
                f"Problems ({len(problems)})",
                app.action_open_problems,
                "Deck-file problems, with file and line",
            )
        for deck in getattr(app, "decks", {}).values():
            yield f"Study {deck.title}", partial(app.study, deck.id), f"Review the due cards of {deck.id}"
            yield f"Cram {deck.title}", partial(app.study, deck.id, True), f"Go through all of {deck.id}"
            yield f"Notes of {deck.title}", partial(app.open_notes, deck.id), "The deck's notes"
        from tutor.demos import DEMOS

        for name, demo in DEMOS.items():
            yield f"Demo: {name}", partial(app.open_demo, name, {}), demo.description
        screen_commands = getattr(self.screen, "palette_commands", None)
        if screen_commands is not None:
            yield from screen_commands()

    def _to_decks(self) -> None:
        from tutor.ui.screens.decks import DecksScreen

        while len(self.app.screen_stack) > 1 and not isinstance(self.app.screen, DecksScreen):
            self.app.pop_screen()

    async def discover(self) -> Hits:
        for title, command, help_text in self.commands():
            yield DiscoveryHit(Text(title), command, text=title, help=help_text)  # titles are not markup

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help_text in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
