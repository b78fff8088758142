"""Stats: a calendar of reviews, retention, the due forecast, streaks and a table per deck."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from tutor.ui.widgets.bars import short
from tutor.ui.widgets.calendar import ReviewCalendar
from tutor.wording import plural


class StatsScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="stats.back"),
        Binding("q", "back", "Back", show=False, id="stats.back_q"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        store = self.app.store
        with VerticalScroll(id="stats"):
            if store is None:
                yield Static("The progress store could not be opened, so there are no stats to show.")
            else:
                stats = store.stats(now=self.app.clock())
                yield Static(self.headline(stats), id="stats-headline", markup=False)
                yield Static("Reviews", classes="stats-heading")
                yield ReviewCalendar(stats.reviews_per_day, stats.today, id="stats-calendar")
                yield Static("Due in the next 30 days", classes="stats-heading")
                yield Sparkline(stats.forecast, id="stats-forecast")
                yield Static(self.forecast_line(stats.forecast), id="stats-forecast-line")
                yield Static("Decks", classes="stats-heading")
                yield DataTable(id="stats-decks", cursor_type="none", zebra_stripes=True)
                self.stats = stats
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Stats"
        if self.app.store is None:
            return
        table = self.query_one("#stats-decks", DataTable)
        columns = ["New", "Learning", "Young", "Mature", "Suspended", "Needs answer"]
        table.add_column("Deck")
        for name in columns:
            table.add_column(Text(name, justify="right"))
        titles = {deck.id: deck.title for deck in self.app.decks.values()}
        for deck in self.stats.decks:
            values = [deck.new, deck.learning, deck.young, deck.mature, deck.suspended, deck.needs_answer]
            title = short(
                titles.get(deck.deck_id, deck.deck_id), 36
            )  # the numbers stay on screen at 80 columns
            table.add_row(Text(title), *(Text(str(v), justify="right") for v in values))

    @staticmethod
    def headline(stats) -> str:
        retention = (
            f"{stats.retention_30d:.0%} over {stats.retention_reviews_30d} review answers"
            if stats.retention_30d is not None
            else "no review answers yet"
        )
        average = f"{stats.average_seconds:.1f} s a card" if stats.average_seconds is not None else "—"
        lines = [
            f"Retention (30 days): {retention}",
            f"Streak: {plural(stats.current_streak, 'day')} now, {stats.longest_streak} at best · "
            f"{plural(stats.total_reviews, 'answer')} in all · {average}",
        ]
        extra = []
        if stats.leeches:
            extra.append(f"{len(stats.leeches)} leeches (Browse, flag leech)")
        if stats.orphans:
            extra.append(f"{len(stats.orphans)} cards no longer in any deck (history kept)")
        if extra:
            lines.append(" · ".join(extra))
        return "\n".join(lines)

    @staticmethod
    def forecast_line(forecast: list[int]) -> str:
        week = sum(forecast[:7])
        month = sum(forecast)
        return f"today {forecast[0]} · tomorrow {forecast[1]} · next 7 days {week} · next 30 days {month}"

    def action_back(self) -> None:
        self.app.pop_screen()
