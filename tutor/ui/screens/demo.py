"""A demo screen: one demo's panel, or one tab per demo when a card links several."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Header, TabbedContent, TabPane

from tutor.errors import TutorError
from tutor.ui.panels import panel_class
from tutor.ui.screens.base import TutorScreen
from tutor.ui.widgets.bars import short
from tutor.ui.widgets.footer import KeysFooter


def tab_title(name: str, args: dict[str, Any]) -> Content:
    """``tokenize: unhappiness``: the demo and its first argument, so two links to one demo differ."""
    if not args:
        return Content(name)
    return Content(f"{name}: {short(str(next(iter(args.values()))), 18)}")  # plain: a value is not markup


class DemoScreen(TutorScreen[None]):
    """Inputs are live: every change cancels the stale run and starts a new one."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="demo.back"),
        Binding("ctrl+r", "rerun", "Run again", id="demo.rerun"),
        Binding("ctrl+t", "stop", "Stop", id="demo.stop"),
        # Tabs switch from any input: plain ←/→ belong to the text being edited.
        Binding(
            "alt+right,ctrl+pagedown",
            "next_tab(1)",
            "Next demo",
            key_display="alt+→",
            priority=True,
            id="demo.next_tab",
        ),
        Binding(
            "alt+left,ctrl+pageup",
            "next_tab(-1)",
            "Previous demo",
            key_display="alt+←",
            priority=True,
            id="demo.previous_tab",
        ),
    ]

    def __init__(self, links: list[tuple[str, dict[str, Any]]]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        yield Header()
        panels = []
        for name, args in self.links:
            try:
                panels.append((tab_title(name, args), panel_class(name)(args)))
            except TutorError as exc:
                self.notify(str(exc), severity="error")
        if len(panels) == 1:
            yield panels[0][1]
        elif panels:
            with TabbedContent():
                for title, panel in panels:
                    with TabPane(title):
                        yield panel
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = " · ".join(name for name, _ in self.links)
        if not self.query("DemoPanel"):
            self.app.pop_screen()
            return
        self.call_after_refresh(self.focus_first_input)

    def on_tabbed_content_tab_activated(self) -> None:
        self.call_after_refresh(self.focus_first_input)

    def focus_first_input(self) -> None:
        """Typing goes straight into the demo's first input (its text or prompt), tabs or not."""
        panel = self._active_panel()
        if panel is None:
            return
        inputs = panel.query("Input, Select")
        if inputs:
            inputs.first().focus()

    def _active_panel(self):
        from tutor.ui.panels.base import DemoPanel

        panels = [panel for panel in self.query(DemoPanel) if panel.display and panel.region.area]
        return panels[0] if panels else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_tab":
            return len(self.query(TabPane)) > 1  # one demo: no tab keys in the footer
        return True

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        panes = [pane.id for pane in self.query(TabPane) if pane.id is not None]
        position = panes.index(tabs.active) if tabs.active in panes else 0
        tabs.active = panes[(position + step) % len(panes)]

    def action_back(self) -> None:
        from tutor.ui.panels.base import DemoPanel

        for panel in self.query(DemoPanel):
            panel.stop()
        self.app.pop_screen()

    def action_rerun(self) -> None:
        panel = self._active_panel()
        if panel is not None:
            panel.start()

    def action_stop(self) -> None:
        panel = self._active_panel()
        if panel is not None:
            panel.stop()
