"""embed, window and model: tables of shapes and values (chapters 2.6-2.8 and 4.6)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from tutor.demos.tokens import visible
from tutor.ui.panels.base import DemoPanel

MAX_COLUMNS = 6  # vector entries shown per row; the shape line says how many there are


def fill_table(table: DataTable, headers: list[str], rows: list[list[object]]) -> None:
    """Replace the table's contents; numbers are right-aligned with four decimals."""
    table.clear(columns=True)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*(_cell(value) for value in row))


def _cell(value: object) -> Text:
    if isinstance(value, float):
        return Text(f"{value:.4f}", justify="right")
    if isinstance(value, int):
        return Text(f"{value:,}", justify="right")
    return Text(str(value))  # never markup: token pieces like "[" are shown as they are


def shape(dims: list[int]) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"


class TablesPanel(DemoPanel):
    """A headline, then one titled table per part of the result."""

    table_ids: tuple[str, ...] = ()

    def compose_output(self) -> ComposeResult:
        with VerticalScroll(classes="demo-output"):
            yield Static(id="headline", classes="headline")
            for table_id in self.table_ids:
                yield Static(id=f"{table_id}-title", classes="table-title")
                yield DataTable(id=table_id, cursor_type="none", classes="values")

    def table(self, table_id: str, title: str, headers: list[str], rows: list[list[object]]) -> None:
        self.query_one(f"#{table_id}-title", Static).update(Text(title, style="bold"))
        fill_table(self.query_one(f"#{table_id}", DataTable), headers, rows)

    def headline(self, text: str) -> None:
        self.query_one("#headline", Static).update(Text(text))


class EmbedPanel(TablesPanel):
    demo_name = "embed"
    table_ids = ("token-embeddings", "positional-embeddings", "input-embeddings")

    def show_result(self, result) -> None:
        shapes = " · ".join(f"{name.replace('_', ' ')} {shape(dims)}" for name, dims in result.shapes.items())
        self.headline(f"{len(result.token_ids)} tokens → vectors of {result.dimensions} · {shapes}")
        width = min(result.dimensions, MAX_COLUMNS)
        more = " …" if result.dimensions > width else ""
        headers = ["pos", "token", "id", *(f"[{i}]" for i in range(width))]
        labels = [visible(piece) if piece else "" for piece in result.tokens]

        def rows(vectors: list[list[float]]) -> list[list[object]]:
            return [
                [position, labels[position], str(token_id), *vectors[position][:width]]
                for position, token_id in enumerate(result.token_ids)
            ]

        self.table(
            "token-embeddings",
            f"Token embeddings: rows of the embedding matrix{more}",
            headers,
            rows(result.token_embeddings),
        )
        self.table(
            "positional-embeddings",
            f"Positional embeddings: one row per position{more}",
            headers,
            rows(result.positional_embeddings),
        )
        self.table(
            "input-embeddings",
            f"Input embeddings = token + positional{more}",
            headers,
            rows(result.input_embeddings),
        )


class WindowPanel(TablesPanel):
    demo_name = "window"
    table_ids = ("next-token", "batch")

    def show_result(self, result) -> None:
        self.headline(
            f"{result.token_count} tokens → {result.window_count} windows of {result.max_length} "
            f"(stride {result.stride}) → {result.batch_count} batches of {result.batch_size} · "
            f"inputs {shape(result.shapes['inputs'])}, targets {shape(result.shapes['targets'])}"
        )
        self.table(
            "next-token",
            "The first window as next-token prediction: context → target",
            ["context", "target"],
            [[visible(step.context_text), visible(step.target_text)] for step in result.first_window_steps],
        )
        rows = []
        for number, batch in enumerate(result.batches[:4]):
            for pair in batch:
                rows.append(
                    [
                        number,
                        " ".join(map(visible, pair.input_pieces)),
                        " ".join(map(visible, pair.target_pieces)),
                    ]
                )
        self.table(
            "batch",
            "The first batches: each target is its input shifted one token",
            ["batch", "inputs", "targets"],
            rows,
        )


class ModelPanel(TablesPanel):
    """The parameter table is a Rich table that wraps its words: a cut number would be a wrong number."""

    demo_name = "model"

    def compose_output(self) -> ComposeResult:
        with VerticalScroll(classes="demo-output"):
            yield Static(id="headline", classes="headline")
            yield Static(id="components", classes="values")

    def show_result(self, result) -> None:
        config = result.config
        self.headline(
            f"{result.config_name}: {result.total_parameters:,} parameters ({result.memory_mb:,.0f} MB at "
            f"{result.bytes_per_parameter} bytes each); with the output head tied to the token embedding as "
            f"GPT-2 does, {result.tied_parameters:,} ({result.tied_memory_mb:,.0f} MB) · "
            f"{config['n_layers']} layers, {config['n_heads']} heads, emb_dim {config['emb_dim']}, "
            f"context {config['context_length']}"
        )
        table = Table(
            title="Where the parameters are", title_justify="left", title_style="bold", box=None, expand=True
        )
        table.add_column("part", overflow="fold", ratio=2)
        table.add_column("shape", overflow="fold", ratio=2)
        for name in ("parameters", "copies", "per copy"):
            table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
        table.add_column("what it is", ratio=3)
        for c in result.components:
            table.add_row(
                c.name, c.shape, f"{c.parameters:,}", f"{c.copies:,}", f"{c.per_copy:,}", c.description
            )
        self.query_one("#components", Static).update(table)
