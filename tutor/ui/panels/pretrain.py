"""pretrain: a small GPT trains live: a progress bar, the train and validation loss, a sample per evaluation.

Training is the one demo that does not start by itself: ctrl+r starts it, ctrl+t stops it (the model as it
was then is saved), and changing an input stops a run whose settings are stale.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import ProgressBar, Static
from textual_plotext import PlotextPlot

from tutor.demos.pretraining import overfitting_note
from tutor.ui.panels.base import DemoPanel

SHOWN_EVALUATIONS = 6


def loss_trend(history: list) -> str:
    """What the losses say so far, in words that follow the numbers (as the CLI's result does)."""
    if len(history) < 2:
        return "before training: the untrained model's loss"
    first, last = history[0], history[-1]
    if overfitting_note(history):
        best = min(history, key=lambda entry: entry.val_loss)
        return (
            f"validation rising since its best {best.val_loss:.3f} at step {best.step} "
            "while training falls: overfitting"
        )
    train_falls, val_falls = last.train_loss < first.train_loss, last.val_loss < first.val_loss
    if train_falls and val_falls:
        return "both falling: learning"
    if train_falls:
        return "training falls, validation does not yet"
    return "not falling yet"


class PretrainPanel(DemoPanel):
    demo_name = "pretrain"
    autostart = False

    def __init__(self, args: dict[str, Any] | None = None, **kwargs) -> None:
        super().__init__(args, **kwargs)
        self.history: list = []

    def compose_output(self) -> ComposeResult:
        with Horizontal(id="pretrain-progress-row"):
            yield ProgressBar(total=1, id="pretrain-progress", show_eta=False)  # no bar bouncing until a run
            yield Static(id="pretrain-step")
        with VerticalScroll(classes="demo-output"):
            yield Static(id="pretrain-losses", classes="loss-label")
            # The sample sits above the plot: it is what the learner watches, so it stays above the fold.
            yield Static(id="pretrain-sample")
            yield PlotextPlot(id="pretrain-plot")
            yield Static(id="pretrain-table")

    def on_mount(self) -> None:
        super().on_mount()
        self.draw_plot([], [], [])
        self.set_status("ctrl+r starts training with these settings; ctrl+t stops it and keeps the model.")

    def input_changed(self) -> None:
        if self.running:
            self.stop()
            self.set_status(
                "The settings changed, so the run stopped (its model is saved); ctrl+r trains anew."
            )

    def running_text(self) -> str:
        return "Preparing the corpus and the model…"

    def before_run(self, values: dict[str, Any]) -> None:
        self.history = []
        self.query_one(ProgressBar).update(total=None, progress=0)
        for widget_id in ("#pretrain-step", "#pretrain-table", "#pretrain-sample", "#pretrain-losses"):
            self.query_one(widget_id, Static).update("")
        self.draw_plot([], [], [])

    def clear_output(self) -> None:
        super().clear_output()
        self.history = []
        self.draw_plot([], [], [])

    def show_step(self, progress) -> None:
        if self.history and self.history[-1].step == progress.step:
            self.history[-1] = progress  # the same evaluation again, now with its sample
        else:
            self.history.append(progress)
        self.query_one(ProgressBar).update(total=max(progress.total_steps, 1), progress=progress.step)
        self.query_one("#pretrain-step", Static).update(
            Text(
                f" step {progress.step}/{progress.total_steps} · epoch {progress.epoch} · "
                f"{progress.tokens_seen:,} tokens seen · {progress.elapsed_s:.0f} s"
            )
        )
        if self.running and not self.cancel_event.is_set():
            self.set_status("Training… ctrl+t stops and keeps the model as it is.")
        self.draw_losses()
        if progress.sample:
            sample = Text("Sample: ", style="bold")
            sample.append(progress.sample)
            self.query_one("#pretrain-sample", Static).update(sample)

    def draw_plot(self, steps: list[int], train: list[float], val: list[float]) -> None:
        """Training and validation loss against the step, as chapter 5's figure 5.12 plots them."""
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.title("loss")
        plt.xlabel("step")
        if steps:
            # Distinct markers, not only colours: under NO_COLOR the two lines must still differ.
            plt.plot(steps, train, label="training", marker="braille")
            plt.plot(steps, val, label="validation", marker="x")
        plot.refresh()

    def draw_losses(self) -> None:
        steps = [entry.step for entry in self.history]
        train = [entry.train_loss for entry in self.history]
        val = [entry.val_loss for entry in self.history]
        self.draw_plot(steps, train, val)
        self.query_one("#pretrain-losses", Static).update(
            Text(
                f"training loss {train[0]:.3f} → {train[-1]:.3f} · validation loss {val[0]:.3f} → "
                f"{val[-1]:.3f} ({loss_trend(self.history)})"
            )
        )
        table = Table(box=None, padding=(0, 2, 0, 0))
        for name in ("step", "tokens seen", "train loss", "val loss"):
            table.add_column(name, justify="right")
        for entry in self.history[-SHOWN_EVALUATIONS:]:
            table.add_row(
                str(entry.step), f"{entry.tokens_seen:,}", f"{entry.train_loss:.3f}", f"{entry.val_loss:.3f}"
            )
        self.query_one("#pretrain-table", Static).update(table)

    def done_text(self, result) -> str:
        saved = (
            f" Saved to {result.checkpoint}: use weights=last in generate or attend."
            if result.checkpoint
            else ""
        )
        head = (
            f"{result.config_name}, {result.parameters:,} parameters, {result.steps} steps on "
            f"{result.corpus} in {result.elapsed_s:.0f} s: validation loss {result.initial_val_loss:.2f} → "
            f"{result.final_val_loss:.2f}."
        )
        return " ".join([head + saved, *result.notes])

    def show_result(self, result) -> None:
        if result.history:
            self.history = list(result.history)
            self.draw_losses()
            last = result.history[-1]
            self.query_one(ProgressBar).update(total=max(last.total_steps, 1), progress=last.step)
        sample = Text("Sample: ", style="bold")
        sample.append(result.sample)
        self.query_one("#pretrain-sample", Static).update(sample)
