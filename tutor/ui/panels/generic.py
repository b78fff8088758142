"""A demo without a panel of its own: its result as the JSON ``tutor demo NAME --json`` prints."""

from __future__ import annotations

import json

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.ui.panels.base import DemoPanel


class GenericPanel(DemoPanel):
    def __init__(self, name: str, args=None) -> None:
        self.demo_name = name
        super().__init__(args)

    def compose_output(self) -> ComposeResult:
        with VerticalScroll(classes="demo-output"):
            yield Static(id="result-json")

    def show_result(self, result) -> None:
        data = result.to_json() if hasattr(result, "to_json") else result
        text = json.dumps(data, indent=2, default=str)[:20000]
        self.query_one("#result-json", Static).update(Syntax(text, "json", word_wrap=True))
