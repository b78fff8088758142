"""The Textual app (grown by the app issue)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class TutorApp(App):
    TITLE = "tutor"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Decks will appear here.")
        yield Footer()


def make_app() -> TutorApp:
    return TutorApp()


def run_app() -> int:
    make_app().run()
    return 0
