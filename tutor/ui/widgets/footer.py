"""The footer every screen shows: its keys. Below 100 columns it is drawn compact and leaves out the
palette's key (Help and the header's ⭘ still lead there), so that a screen's own keys all fit at 80.

It looks like Textual's Footer and works like it (a click on a key presses it; a key that does nothing
now is dim), but it is one widget that draws one line: Textual's composes a widget per key, and composes
them again each time the screen says its bindings changed, which a screen does several times as it
opens. Those widgets were half of the widgets on the Decks screen, and a fifth of the tutor's start-up."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class Shown(NamedTuple):
    key: str  # what a click presses
    display: str
    description: str
    enabled: bool


class KeysFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer--palette-border"}
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer--palette-border {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.compact = False
        self.spans: list[tuple[int, int, Shown]] = []  # where each key is drawn: (start, end, key)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < 100

    def shown(self) -> tuple[list[Shown], Shown | None]:
        """The screen's shown keys, one per action (its first key), and the command palette's."""
        by_action: defaultdict[str, list[Shown]] = defaultdict(list)
        active = self.screen.active_bindings
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show:
                shown = Shown(binding.key, self.app.get_key_display(binding), binding.description, enabled)
                by_action[binding.action].append(shown)
        palette = None
        found = active.get(self.app.COMMAND_PALETTE_BINDING)
        if found is not None and not self.compact and self.app.ENABLE_COMMAND_PALETTE:
            _node, binding, enabled, _tooltip = found
            palette = Shown(binding.key, self.app.get_key_display(binding), binding.description, enabled)
        return [keys[0] for keys in by_action.values()], palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        dim = Style(dim=True)
        keys, palette = self.shown()
        line = Text(no_wrap=True, overflow="crop")
        self.spans = []
        for shown in keys:
            start = line.cell_len
            extra = Style() if shown.enabled else dim
            if self.compact:  # key, space, description, one space between keys
                line.append(shown.display, key_style + extra)
                line.append(f" {shown.description}" if shown.description else "", description_style + extra)
                self.spans.append((start, line.cell_len, shown))
                line.append(" ")
            else:  # " key description " each
                line.append(f" {shown.display} ", key_style + extra)
                line.append(f"{shown.description} " if shown.description else "", description_style + extra)
                self.spans.append((start, line.cell_len, shown))
        if palette is not None:
            tail = Text.assemble(
                ("▏", self.get_component_rich_style("footer--palette-border")),
                (palette.display, key_style),  # drawn compact, as Textual's footer draws it
                (f" {palette.description}", description_style),
                " ",
            )
            gap = self.size.width - line.cell_len - tail.cell_len
            if gap >= 0:
                line.append(" " * gap)
                start = line.cell_len
                line.append_text(tail)
                self.spans.append((start + 1, line.cell_len, palette))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, shown in self.spans:
            if start <= event.x < end:
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:
                    self.app.bell()
                return
