"""Decks (home): every deck with its new / learning / due counts and how much of it has been seen."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tutor.ui.screens.base import TutorScreen
from tutor.ui.widgets.bars import share_bar
from tutor.ui.widgets.footer import KeysFooter


def next_due_label(due: datetime | None, now: datetime) -> str:
    """'now', a time today ('14:20'), or how many days away ('in 3d'); '-' when nothing is scheduled."""
    if due is None:
        return "-"
    if due <= now:
        return "now"
    local = due.astimezone()
    if local.date() == now.astimezone().date():
        return f"{local:%H:%M}"
    return f"in {max(1, (local.date() - now.astimezone().date()).days)}d"


class DeckTable(DataTable):
    """The decks. Enter is the table's own key: it opens the deck under the cursor after the keys typed
    before it have moved the cursor (a quick "down down enter" opens the third deck; a screen key with
    priority would run ahead of them)."""

    BINDINGS = [Binding("enter", "select_cursor", "Study", id="decks.study")]


class DecksScreen(TutorScreen[None]):
    """The home screen: pick a deck to study, cram, or study everything due."""

    BINDINGS = [
        Binding("enter", "study", "Study", show=False, id="decks.study_screen"),  # the table's, unfocused
        Binding("a", "study_all", "All due", id="decks.study_all"),
        Binding("c", "cram", "Cram", id="decks.cram"),
        Binding("n", "notes", "Notes", id="decks.notes"),
        Binding("s", "app.open_stats", "Stats", id="decks.stats"),
        Binding("b", "app.open_browse", "Browse", id="decks.browse"),
        Binding("r", "reload", "Reload", id="decks.reload"),
        Binding("p", "problems", "Problems", show=False, id="decks.problems"),  # the summary says it
        Binding("q", "app.quit", "Quit", id="decks.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DeckTable(id="decks", cursor_type="row", zebra_stripes=True)
        yield Static(id="decks-summary", markup=False)
        yield KeysFooter()

    drawn_width = 0

    def on_screen_resume(self) -> None:
        self.refresh_counts()  # also the first time the screen shows

    def on_resize(self) -> None:
        if self.size.width != self.drawn_width:
            self.refresh_counts()  # titles are cut to the width, so the bars stay on screen

    def refresh_counts(self) -> None:
        """Ask the store for today's counts; cheap, so it runs every time the screen comes back."""
        app = self.app
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)  # columns too: their widths follow the screen's
        width = self.drawn_width = self.size.width or 80
        bar_width = 12 if width < 90 else 20
        title_width = max(16, width - bar_width - 47)  # the counts and the bar always stay on screen
        longest = max((len(deck.title) for deck in app.decks.values()), default=4)
        table.add_column("Deck", key="deck", width=max(4, min(title_width, longest)))
        table.add_column(Text("New", justify="right"), key="new", width=5)
        table.add_column(Text("Learning", justify="right"), key="learning", width=8)
        table.add_column(Text("Due", justify="right"), key="due", width=5)
        table.add_column("Next due", key="next", width=8)
        table.add_column("Seen", key="seen", width=bar_width + 5)
        now = app.clock()
        row_new = row_review = 0
        for line in app.library.deck_rows(now):  # one query for all decks' counts
            counts, deck = line.counts, line.deck
            cells = [counts.new, counts.learning, counts.review] if counts else [0, 0, 0]
            row_new, row_review = row_new + cells[0], row_review + cells[2]
            table.add_row(
                Text(deck.title),  # Text, not str: a DataTable reads a str as markup; long ones wrap
                *(Text(str(n), justify="right", style="bold" if n else "dim") for n in cells),
                Text(next_due_label(line.next_due, now)),
                share_bar(line.seen, len(deck.cards), bar_width),
                key=deck.id,
                height=None if len(deck.title) > title_width else 1,
            )
        summary = self.query_one("#decks-summary", Static)
        if not app.decks:
            summary.update("No decks yet. Import your notes with `tutor import NOTES.md`, then come back.")
            return
        table.move_cursor(row=min(row, len(app.decks) - 1))
        # Today's limits span every deck, so the total is the store's, not the sum of the rows.
        total = app.library.today(None, now=now)
        today = (
            f"all decks today: {total.new} new, {total.learning} learning, {total.review} due"
            if total
            else "no store"
        )
        if total and (row_new > total.new or row_review > total.review):
            # Each row is what that deck would give studied alone; the day's limits are one for all decks.
            today += " (the daily limits are shared: each row is that deck alone)"
        count = len(app.problems)
        problems = f" · {count} deck-file problem{'s' if count > 1 else ''}: p" if count else ""
        summary.update(f"{len(app.decks)} decks, {len(app.cards)} cards · {today}{problems}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "problems":
            return bool(self.app.problems)
        return True

    def _selected_deck(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.app.decks or table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_study()

    def action_study(self) -> None:
        deck_id = self._selected_deck()
        if deck_id and not self.app.decks[deck_id].cards:
            self.app.open_notes(deck_id)  # a deck of notes only: its notes are what there is to read
        elif deck_id:
            self.app.study(deck_id)

    def action_notes(self) -> None:
        deck_id = self._selected_deck()
        if deck_id:
            self.app.open_notes(deck_id)

    def action_study_all(self) -> None:
        self.app.study(None)

    def action_cram(self) -> None:
        deck_id = self._selected_deck()
        if deck_id and not self.app.decks[deck_id].cards:
            self.app.open_notes(deck_id)
        elif deck_id:
            self.app.study(deck_id, cram=True)

    def action_problems(self) -> None:
        self.app.action_open_problems()

    def action_reload(self) -> None:
        self.app.reload_decks()
        self.refresh_counts()
        self.refresh_bindings()
        self.notify(f"Reloaded {len(self.app.decks)} decks.", timeout=3)
