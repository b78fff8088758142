"""attend: attention weights as a heatmap, queries as rows and keys as columns, the causal mask visible."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from tutor.demos.tokens import visible
from tutor.ui.panels.base import DemoPanel

MASKED = "  ×  "


def heat_style(weight: float) -> str:
    """Darker text on a warmer background for a larger weight (0..1); the number stays for NO_COLOR."""
    weight = min(max(weight, 0.0), 1.0)
    low, high = (40, 44, 52), (235, 120, 60)
    r, g, b = (round(a + (c - a) * weight) for a, c in zip(low, high, strict=True))
    return f"{'black' if weight > 0.5 else 'white'} on rgb({r},{g},{b})"


def label(token: str, width: int = 8) -> str:
    shown = visible(token)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


class AttendPanel(DemoPanel):
    demo_name = "attend"

    def compose_output(self) -> ComposeResult:
        with VerticalScroll(classes="demo-output"):
            yield Static(id="attend-headline", classes="headline")
            yield DataTable(id="attend-heatmap", cursor_type="cell", classes="values")
            yield Static(id="attend-query")

    def chosen_head(self, result):
        if result.source == "model":
            return result.heads[0]
        return result.heads[min(self.values.get("head", 0), len(result.heads) - 1)]

    def show_result(self, result) -> None:
        head = self.chosen_head(result)
        where = (
            f"layer {result.layer} of {result.num_layers}, head {result.head} of {result.num_heads}"
            f" · {result.weights}"
            if result.source == "model"
            else f"{result.mode}, head {head.head} of {result.num_heads}"
        )
        masked = head.masked_scores is not None
        self.query_one("#attend-headline", Static).update(
            Text(
                f"{result.section} · {where} · rows are queries, columns keys; each row sums to 1"
                + (" · × marks the causal mask: a token never sees the ones after it" if masked else "")
            )
        )
        table = self.query_one("#attend-heatmap", DataTable)
        table.clear(columns=True)
        table.add_column("query ↓ key →", key="query")
        for index, token in enumerate(result.tokens):
            table.add_column(Text(label(token)), key=f"k{index}")
        weights = head.dropped_weights or head.weights
        for row, token in enumerate(result.tokens):
            cells = []
            for column, weight in enumerate(weights[row]):
                if masked and head.masked_scores[row][column] is None:
                    cells.append(Text(MASKED, style="dim"))
                else:
                    cells.append(Text(f" {weight:.2f}", style=heat_style(weight or 0.0)))
            table.add_row(Text(label(token, 14), style="bold"), *cells)
        query = result.query
        detail = Text()
        detail.append(f"Query {query} “{visible(result.tokens[query])}”: ", style="bold")
        detail.append(
            " · ".join(
                f"{visible(token)} {weight:.2f}"
                for token, weight in zip(result.tokens, result.query_weights, strict=False)
                if weight is not None
            )
        )
        if result.query_context is not None:
            detail.append("\ncontext vector: [" + ", ".join(f"{v:.4f}" for v in result.query_context) + "]")
        self.query_one("#attend-query", Static).update(detail)
