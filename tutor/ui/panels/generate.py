"""generate: the text streams in token by token, with each step's top candidates as probability bars."""

from __future__ import annotations

import threading
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tutor.demos.generation import format_probability
from tutor.demos.tokens import visible
from tutor.ui.panels.base import DemoPanel
from tutor.ui.widgets.bars import bar
from tutor.ui.widgets.tokens import token_style

HISTORY_LINES = 200


class GeneratePanel(DemoPanel):
    demo_name = "generate"

    class Loaded(Message):
        """The model is loaded: which weights write this text."""

        def __init__(self, run_id: int, weights: str, notes: list[str]) -> None:
            super().__init__()
            self.run_id, self.weights, self.notes = run_id, weights, notes

    def __init__(self, args: dict[str, Any] | None = None, **kwargs) -> None:
        super().__init__(args, **kwargs)
        self.steps: list = []
        self.weights_label = ""
        self.weights_asked: str | None = None
        self.draw_pending = False

    def compose_output(self) -> ComposeResult:
        yield Static(id="generate-weights", classes="headline")
        with VerticalScroll(classes="demo-output"):
            yield Static(id="generate-text")
            yield Static(id="generate-candidates")
            yield Static(id="generate-history")

    def running_text(self) -> str:
        return "Loading the model…" if not self.weights_label else "Generating… (ctrl+t stops)"

    def before_run(self, values: dict[str, Any]) -> None:
        self.steps = []
        if values.get("weights") != self.weights_asked:
            self.weights_asked, self.weights_label = values.get("weights"), ""
        loading = f"loading {values.get('weights') or 'the default'}…"
        self.query_one("#generate-weights", Static).update(Text(f"Weights: {self.weights_label or loading}"))
        self.draw_text()
        self.query_one("#generate-candidates", Static).update("")
        self.query_one("#generate-history", Static).update("")

    def compute(self, run_id: int, values: dict[str, Any], cancel: threading.Event, emit) -> Any:
        from tutor.demos.generation import open_generation

        generation = open_generation(**values)
        self.post_message(self.Loaded(run_id, generation.weights, list(generation.notes)))
        for step in generation:
            emit(step)
            if cancel.is_set():
                generation.cancelled = True
                break
        return generation.result()

    def clear_output(self) -> None:
        super().clear_output()
        self.steps = []
        self.weights_label, self.weights_asked = "", None
        self.query_one("#generate-weights", Static).update(Text("Weights: none loaded (see the error above)"))

    def on_generate_panel_loaded(self, message: Loaded) -> None:
        message.stop()
        if message.run_id != self.run_id:
            return
        self.weights_label = message.weights
        self.query_one("#generate-weights", Static).update(Text(f"Weights: {message.weights}"))
        self.set_status(" ".join(["Generating… ctrl+t stops.", *message.notes]))

    def show_step(self, step) -> None:
        """Keep every step; draw once per frame, so a small fast model's flood of steps collapses."""
        self.steps.append(step)
        if not self.draw_pending:
            self.draw_pending = True
            self.call_after_refresh(self.draw_latest)

    def draw_latest(self) -> None:
        self.draw_pending = False
        self.draw_text()
        if self.steps:
            self.draw_candidates(self.steps[-1])
            self.draw_history()

    def draw_text(self) -> None:
        text = Text(self.values.get("prompt", ""), style="bold")
        for index, step in enumerate(self.steps):
            if step.end_of_text:
                text.append(" <|endoftext|>", style="dim italic")
            else:
                text.append(step.text, style=token_style(index))
        if self.running:
            text.append("▌", style="blink")
        self.query_one("#generate-text", Static).update(text)

    def draw_candidates(self, step) -> None:
        table = Table(box=None, show_header=True, padding=(0, 1), title_justify="left")
        table.title = f"Step {step.index + 1}: the most likely next tokens"
        table.add_column("")
        table.add_column("token")
        table.add_column("id", justify="right")
        table.add_column("probability", min_width=24)
        table.add_column("", justify="right")
        for candidate in step.candidates:
            chosen = candidate.token_id == step.token_id
            table.add_row(
                "▶" if chosen else "",
                Text(visible(candidate.text), style="bold" if chosen else ""),
                str(candidate.token_id),
                bar(candidate.probability, 24),
                f"{format_probability(candidate.probability):>7}",
            )
        self.query_one("#generate-candidates", Static).update(table)

    def draw_history(self) -> None:
        """Every earlier step on a line: the token picked and the runners-up, newest first."""
        if len(self.steps) < 2:
            return
        lines = Text("Earlier steps (picked, then the runners-up):\n", style="bold")
        for step in reversed(self.steps[-HISTORY_LINES - 1 : -1]):
            lines.append(f"{step.index + 1:>4}  ", style="dim")
            lines.append(f"{visible(step.text)} {format_probability(step.probability)}", style="bold")
            others = [c for c in step.candidates if c.token_id != step.token_id][:3]
            lines.append(
                "   "
                + "  ".join(f"{visible(c.text)} {format_probability(c.probability)}" for c in others)
                + "\n"
            )
        self.query_one("#generate-history", Static).update(lines)

    def done_text(self, result) -> str:
        how = (
            "greedy (temperature 0)"
            if result.greedy
            else f"temperature {result.temperature:g}, seed {result.seed}"
        )
        ended = (
            "stopped" if result.cancelled else "<|endoftext|>" if result.stopped_at_end_of_text else "done"
        )
        notes = " ".join(result.notes)
        # no tokens a second here: it varies run to run (``tutor demo generate`` prints it)
        return f"{len(result.steps)} new tokens, {how} · {ended}." + (f" {notes}" if notes else "")

    def show_result(self, result) -> None:
        self.weights_label = result.weights
        self.query_one("#generate-weights", Static).update(Text(f"Weights: {result.weights}"))
        self.draw_text()
