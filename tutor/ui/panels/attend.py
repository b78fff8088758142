"""attend: chapter 3 step by step: the inputs, the weights as a heatmap, and one query row worked through
(raw scores, scaled scores, weights, context vector). Rows are numbered from 1, as the book's x^(1)...x^(6)
and ``tutor demo attend`` number them; the learner picks the query row and, with several, the head.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from tutor.demos.tokens import visible
from tutor.ui.panels.base import DemoPanel

MASKED = "  ×  "
MAX_INPUT_DIMENSIONS = 8  # input vectors shown entry by entry (the book's are 3-d)


def heat_style(weight: float) -> str:
    """Darker text on a warmer background for a larger weight (0..1); the number stays for NO_COLOR."""
    weight = min(max(weight, 0.0), 1.0)
    low, high = (40, 44, 52), (235, 120, 60)
    r, g, b = (round(a + (c - a) * weight) for a, c in zip(low, high, strict=True))
    return f"{'black' if weight > 0.5 else 'white'} on rgb({r},{g},{b})"


def label(token: str, width: int = 8) -> str:
    shown = visible(token)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def row_name(index: int, token: str, width: int = 12) -> str:
    """``2 journey``: rows count from 1, as the book's x^(2) and the CLI's "Query 2"."""
    return f"{index + 1} {label(token, width)}"


class Picker(Horizontal):
    """A labelled choice that is not a demo argument: changing it redraws, it does not run the demo again."""

    class Picked(Message):
        def __init__(self, picker: Picker, value: Any) -> None:
            super().__init__()
            self.picker, self.value = picker, value

    def __init__(self, title: str, **kwargs) -> None:
        super().__init__(classes="demo-field", **kwargs)
        self.title = title

    def compose(self) -> ComposeResult:
        yield Label(f"{self.title} ")
        yield Select([], allow_blank=True, prompt="—", compact=True)

    def offer(self, options: list[tuple[str, int]], value: int) -> None:
        select = self.query_one(Select)
        with self.prevent(Select.Changed):
            select.set_options([(Text(text), number) for text, number in options])
            select.value = value

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()  # not an input of the demo: the panel must not run it again
        if event.value is not Select.NULL:
            self.post_message(self.Picked(self, event.value))


class AttendPanel(DemoPanel):
    demo_name = "attend"

    def __init__(self, args: dict[str, Any] | None = None, **kwargs) -> None:
        super().__init__(args, **kwargs)
        self.query_row: int | None = None  # None: the row the demo follows (the book's x^(2))
        self.head_index = int(self.values.get("head") or 0)  # a card may link attend(head=1)

    def compose_output(self) -> ComposeResult:
        with Horizontal(id="attend-pickers"):
            yield Picker("query row", id="attend-query-row")
            yield Picker("head", id="attend-head")
        with VerticalScroll(classes="demo-output"):
            yield Static(id="attend-headline", classes="headline")
            yield Static(id="attend-inputs")
            yield DataTable(id="attend-heatmap", cursor_type="cell", classes="values")
            yield Static(id="attend-query")

    def on_mount(self) -> None:
        super().on_mount()
        self.show_controls()

    def input_changed(self) -> None:
        self.show_controls()
        super().input_changed()

    def show_controls(self) -> None:
        """Only the inputs the chosen mechanism uses: 3.3 and 3.4 have one head and no dropout."""
        try:
            mode = self.query_one("#arg-mode", Select).value
            weights = self.query_one("#arg-weights", Input).value.strip()
        except Exception:  # the inputs are not mounted yet
            return
        model = bool(weights)
        shown = {
            "mode": not model,
            "heads": not model and mode == "multi-head",
            "dropout": not model and mode in ("causal", "multi-head"),
            "layer": model,
            "head": False,  # the head picker above the output chooses it, for every mechanism
        }
        for name, visible_now in shown.items():
            row = self.query_one(f"#arg-{name}").parent
            if row is not None:
                row.display = visible_now

    # Drawing.

    def on_picker_picked(self, message: Picker.Picked) -> None:
        message.stop()
        if message.picker.id == "attend-query-row":
            self.query_row = message.value
        elif self.values.get("weights"):
            self.query_one("#arg-head", Input).value = str(message.value)  # a model's head: run that head
            return
        else:
            self.head_index = message.value
        if self.last_result is not None:
            self.draw(self.last_result)

    def chosen_head(self, result):
        if result.source == "model":
            return result.heads[0]
        return result.heads[min(self.head_index, len(result.heads) - 1)]

    def show_result(self, result) -> None:
        if self.query_row is None or self.query_row >= len(result.tokens):
            self.query_row = result.query
        rows = [(row_name(i, token, 14), i) for i, token in enumerate(result.tokens)]
        self.query_one("#attend-query-row", Picker).offer(rows, self.query_row)
        heads = result.num_heads
        head_picker = self.query_one("#attend-head", Picker)
        head_picker.display = heads > 1
        current = result.head if result.source == "model" else min(self.head_index, heads - 1)
        head_picker.offer([(f"{h} of {heads}", h) for h in range(heads)], current)
        self.draw(result)

    def draw(self, result) -> None:
        head = self.chosen_head(result)
        where = (
            f"layer {result.layer} of {result.num_layers}, head {result.head} of {result.num_heads}"
            f" · {result.weights}"
            if result.source == "model"
            else result.mode + (f", head {head.head} of {result.num_heads}" if result.num_heads > 1 else "")
        )
        masked = head.masked_scores is not None
        self.query_one("#attend-headline", Static).update(
            Text(
                f"{result.section} · {where} · rows are queries, columns keys; each row sums to 1"
                + (" · × marks the causal mask: a token never sees the ones after it" if masked else "")
            )
        )
        self.draw_inputs(result)
        self.draw_heatmap(result, head)
        self.draw_query(result, head)

    def draw_inputs(self, result) -> None:
        widget = self.query_one("#attend-inputs", Static)
        if result.inputs is None:
            widget.update("")
            return
        table = Table(title="Inputs: one vector per token", title_justify="left", box=None, padding=(0, 1))
        width = min(len(result.inputs[0]), MAX_INPUT_DIMENSIONS)
        table.add_column("token")
        for index in range(width):
            table.add_column(f"[{index}]", justify="right")
        for index, (token, vector) in enumerate(zip(result.tokens, result.inputs, strict=True)):
            table.add_row(Text(row_name(index, token)), *(f"{value:.4f}" for value in vector[:width]))
        widget.update(table)

    def draw_heatmap(self, result, head) -> None:
        table = self.query_one("#attend-heatmap", DataTable)
        table.clear(columns=True)
        table.add_column("query ↓ key →", key="query")
        for index, token in enumerate(result.tokens):
            table.add_column(Text(label(token)), key=f"k{index}")
        weights = head.dropped_weights or head.weights
        masked = head.masked_scores is not None
        for row, token in enumerate(result.tokens):
            cells = []
            for column, weight in enumerate(weights[row]):
                if masked and head.masked_scores[row][column] is None:
                    cells.append(Text(MASKED, style="dim"))
                else:
                    cells.append(Text(f" {weight:.2f}", style=heat_style(weight or 0.0)))
            style = "bold reverse" if row == self.query_row else "bold"
            table.add_row(Text(row_name(row, token, 14), style=style), *cells)

    def draw_query(self, result, head) -> None:
        """The picked query row worked through: raw score, scaled score, weight, key by key."""
        query = self.query_row if self.query_row is not None else result.query  # draw() picks it first
        scores = (head.masked_scores or head.scores)[query]
        scaling = (
            "3.3 does not scale its scores"
            if result.scale == 1.0 and result.mode == "simple"
            else f"scaled = score / √d_k = score / {result.scale:.4f}"
        )
        title = Text(f"Query {query + 1} “{visible(result.tokens[query])}”", style="bold")
        title.append(f": {scaling}; weights = softmax(scaled)", style="")
        table = Table(box=None, padding=(0, 1))
        for name in ("key", "score", "scaled", "weight"):
            table.add_column(name, justify="left" if name == "key" else "right")
        for index, (token, score, weight) in enumerate(
            zip(result.tokens, scores, head.weights[query], strict=True)
        ):
            if score is None:
                table.add_row(Text(row_name(index, token)), "-inf", "-inf", Text("0 (masked)", style="dim"))
                continue
            table.add_row(
                Text(row_name(index, token)), f"{score:.4f}", f"{score / result.scale:.4f}", f"{weight:.4f}"
            )
        parts: list = [title, table]
        if result.query_context is not None and result.context_vectors is not None:
            context = result.context_vectors[query]
            parts.append(
                Text(f"context vector {query + 1}: [" + ", ".join(f"{v:.4f}" for v in context) + "]")
            )
        self.query_one("#attend-query", Static).update(Group(*parts))
