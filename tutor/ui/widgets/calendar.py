"""A calendar heatmap of reviews: weeks as columns, weekdays as rows, darker for more answers."""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

# Shades that read without colour too (NO_COLOR): none, few, some, many, most.
SHADES = ["·", "░", "▒", "▓", "█"]
ROWS = ["Mon", "", "Wed", "", "Fri", "", "Sun"]


def shade(count: int, most: int) -> str:
    if count <= 0 or most <= 0:
        return SHADES[0]
    return SHADES[min(4, 1 + (count * 4 - 1) // most)]


class ReviewCalendar(Widget):
    """As many weeks as fit, ending with the week of ``today``."""

    DEFAULT_CSS = "ReviewCalendar { height: 9; }"

    def __init__(self, reviews_per_day: dict[date, int], today: date, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reviews_per_day = reviews_per_day
        self.today = today

    def render(self) -> RenderableType:
        weeks = max(4, min(53, (self.size.width - 5) // 2))
        last_monday = self.today - timedelta(days=self.today.weekday())
        first = last_monday - timedelta(weeks=weeks - 1)
        shown = [n for day, n in self.reviews_per_day.items() if first <= day <= self.today]
        most = max(shown, default=0)
        # Month names (3 letters) above the week a month starts in, when there is room after the last one.
        header = [" "] * (4 + 2 * weeks + 2)
        previous_month, free_from = None, 4
        for week in range(weeks):
            monday = first + timedelta(weeks=week)
            column = 4 + 2 * week
            if monday.month != previous_month and column >= free_from:
                header[column : column + 3] = monday.strftime("%b")
                free_from = column + 4
            previous_month = monday.month
        months = Text("".join(header).rstrip(), style="dim")
        lines = [months]
        for weekday in range(7):
            line = Text(f"{ROWS[weekday]:<4}", style="dim")
            for week in range(weeks):
                day = first + timedelta(weeks=week, days=weekday)
                if day > self.today:
                    line.append("  ")
                    continue
                count = self.reviews_per_day.get(day, 0)
                line.append(shade(count, most) + " ", style="green" if count else "dim")
            lines.append(line)
        legend = Text("    less ", style="dim")
        legend.append(" ".join(SHADES), style="green")
        legend.append(
            f" more · busiest day {most} answer{'s' if most != 1 else ''}"
            if most
            else " more · no answers yet",
            style="dim",
        )
        lines.append(legend)
        return Text("\n").join(lines)
