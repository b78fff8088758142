"""Checkpoints: the models pretrain saved, newest first, with their step, validation loss and date."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tutor.ui.screens.base import TutorScreen
from tutor.ui.widgets.footer import KeysFooter


class CheckpointsScreen(TutorScreen[None]):
    """Reachable from the palette; enter opens generate on the highlighted checkpoint."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="checkpoints.back"),
        Binding("enter", "generate", "Generate from it", id="checkpoints.generate"),
        Binding("r", "refresh", "Refresh", id="checkpoints.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="checkpoints-summary", markup=False)
        yield DataTable(id="checkpoints", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Checkpoints"
        self.show_checkpoints()

    def show_checkpoints(self) -> None:
        from tutor.demos.checkpoints import RUNS_KEPT, list_checkpoints

        table = self.query_one(DataTable)
        table.clear(columns=True)
        for label, right in (("Checkpoint", False), ("Step", True), ("Val loss", True), ("Saved", False)):
            table.add_column(Text(label, justify="right" if right else "left"), key=label.lower())
        table.add_column(Text("Size", justify="right"), key="size")
        table.add_column("Note", key="note")
        found = list_checkpoints()
        for checkpoint in found:
            table.add_row(
                Text(checkpoint.name),
                Text("-" if checkpoint.steps is None else str(checkpoint.steps), justify="right"),
                Text("-" if checkpoint.val_loss is None else f"{checkpoint.val_loss:.3f}", justify="right"),
                Text(checkpoint.saved.strftime("%Y-%m-%d %H:%M")),
                Text(f"{checkpoint.size / 2**20:.1f} MB", justify="right"),
                Text(checkpoint.problem or ("the run's best" if checkpoint.name.endswith("-best") else "")),
                key=checkpoint.name,
            )
        summary = self.query_one("#checkpoints-summary", Static)
        if not found:
            summary.update("No checkpoints yet: the pretrain demo saves one as it trains.")
        else:
            count = "1 checkpoint" if len(found) == 1 else f"{len(found)} checkpoints"
            summary.update(
                f"{count}. Each run keeps its last model and its best one (lowest validation loss); the "
                f"newest {RUNS_KEPT} runs are kept. Enter generates text from the highlighted one."
            )

    def action_generate(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            self.notify("No checkpoint to generate from yet.")
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.app.open_demo("generate", {"weights": name})

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # The table has the focus, so enter reaches it first and arrives here as a selected row.
        self.app.open_demo("generate", {"weights": str(event.row_key.value)})

    def action_refresh(self) -> None:
        self.show_checkpoints()

    def action_back(self) -> None:
        self.app.pop_screen()
