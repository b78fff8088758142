"""The footer every screen shows: its keys; below 100 columns drawn compact so they all fit at 80."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer


class KeysFooter(Footer):
    def on_resize(self, event: events.Resize) -> None:
        compact = event.size.width < 100
        if compact != self.compact:
            self.compact = compact
