"""The footer every screen shows: its keys. Below 100 columns it is drawn compact and leaves out the
palette's key (Help and the header's ⭘ still lead there), so that a screen's own keys all fit at 80.

Textual's footer composes a widget per key again each time the screen says its bindings changed, and a
screen says so several times as it opens (pushed, focused, its first frame): this one composes again only
when what it shows would change, once for any number of such signals."""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shown_keys: tuple | None = None  # what the keys composed last show
        self.recompose_pending = False

    def keys(self) -> tuple:
        """What the composed keys are made from: each shown binding as it is drawn, and the palette's."""
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (
                    binding.key,
                    binding.key_display,
                    binding.description,
                    binding.action,
                    binding.group,
                    enabled,
                    tooltip,
                )  # fmt: skip
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show or binding.action == self.app.COMMAND_PALETTE_BINDING
            ),
        )

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self.recompose_pending:
            self.recompose_pending = True
            self.call_after_refresh(self.recompose_if_changed)

    async def recompose_if_changed(self) -> None:
        self.recompose_pending = False
        if not self.is_attached:
            return
        keys = self.keys()
        if keys != self.shown_keys:
            self.shown_keys = keys
            await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < 100
        if narrow == self.compact:
            return
        self.compact = narrow
        self.show_command_palette = not narrow
        self.shown_keys = None
        self.refresh(recompose=True)  # the palette's key is composed once; a resize must redo it
