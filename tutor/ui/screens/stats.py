"""Stats: a calendar of reviews, retention, the due forecast, streaks and a table per deck."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Sparkline, Static

from tutor.ui.screens.base import TutorScreen
from tutor.ui.widgets.calendar import ReviewCalendar
from tutor.ui.widgets.footer import KeysFooter
from tutor.wording import plural


class StatsScreen(TutorScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="stats.back"),
        Binding("q", "back", "Back", show=False, id="stats.back_q"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        stats = self.stats = self.app.library.stats(now=self.app.clock())
        with VerticalScroll(id="stats"):
            if stats is None:
                yield Static("The progress store could not be opened, so there are no stats to show.")
            else:
                yield Static(self.headline(stats), id="stats-headline", markup=False)
                yield Static("Reviews", classes="stats-heading")
                yield ReviewCalendar(stats.reviews_per_day, stats.today, id="stats-calendar")
                yield Static("Due in the next 30 days", classes="stats-heading")
                yield Sparkline(stats.forecast, id="stats-forecast")
                yield Static(self.forecast_line(stats.forecast), id="stats-forecast-line")
                yield Static("Decks", classes="stats-heading")
                yield Static(id="stats-decks")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Stats"
        if self.stats is None:
            return
        # A Rich table wraps titles and headers to the width; a number column is never narrower than its
        # widest number or its header's longest word, so at 80 columns every count and word stays whole.
        rows = [
            [deck.new, deck.learning, deck.young, deck.mature, deck.suspended, deck.needs_answer]
            for deck in self.stats.decks
        ]
        table = Table(box=None, expand=True, header_style="bold", row_styles=["", "dim"])
        table.add_column("Deck", ratio=1)
        for index, name in enumerate(["New", "Learning", "Young", "Mature", "Suspended", "Needs answer"]):
            widest = max((len(str(row[index])) for row in rows), default=1)
            longest_word = max(len(word) for word in name.split())  # "Needs answer" may take two lines
            table.add_column(name, justify="right", min_width=max(widest, longest_word))
        titles = {deck.id: deck.title for deck in self.app.decks.values()}
        for deck, values in zip(self.stats.decks, rows, strict=True):
            table.add_row(Text(titles.get(deck.deck_id, deck.deck_id)), *(str(v) for v in values))
        self.query_one("#stats-decks", Static).update(table)

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
            f"True retention (30 study days): {stats.true_retention_text()}",
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
