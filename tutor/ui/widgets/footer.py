"""The footer every screen shows: its keys. Below 100 columns it is drawn compact and leaves out the
palette's key (Help and the header's ⭘ still lead there), so that a screen's own keys all fit at 80."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer


class KeysFooter(Footer):
    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < 100
        if narrow == self.compact:
            return
        self.compact = narrow
        self.show_command_palette = not narrow
        self.refresh(recompose=True)  # the palette's key is composed once; a resize must redo it
