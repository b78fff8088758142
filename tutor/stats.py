"""Statistics from the review log and the cards' schedules: what ``tutor stats`` and the app's stats show.

Days are the learner's study days (local time, starting at ``day_start_hour``), computed by SQLite's
``localtime``, which follows the same time zone as Python's ``astimezone``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from tutor import schema
from tutor.config import SchedulerSettings
from tutor.scheduling import study_day

MATURE_DAYS = 21  # Anki's line between young and mature cards
FORECAST_DAYS = 30
RETENTION_DAYS = 30


@dataclass(frozen=True)
class DeckStats:
    deck_id: str
    new: int
    learning: int
    young: int
    mature: int
    suspended: int
    needs_answer: int


@dataclass(frozen=True)
class Stats:
    today: date
    reviews_per_day: dict[date, int]  # every study day with answers (cram included): the heatmap
    retention_30d: float | None  # share of review-card answers in the last 30 days that were not Again
    retention_reviews_30d: int  # how many answers that share is over
    forecast: list[int]  # cards due on each of the next 30 days; [0] is today, overdue included
    current_streak: int  # study days in a row up to today (or yesterday, if today has no answers yet)
    longest_streak: int
    decks: list[DeckStats]
    average_seconds: float | None  # per answer
    total_reviews: int
    # Anki's true retention: review answers of the last 30 study days (today's included), split by the
    # interval before the answer into young (< 21 days) and mature: (recalled, answered) for each.
    true_young: tuple[int, int] = (0, 0)
    true_mature: tuple[int, int] = (0, 0)
    orphans: list[str] = field(default_factory=list)  # cards gone from the decks, history kept
    leeches: list[str] = field(default_factory=list)

    def true_retention_text(self) -> str:
        """'young 91% of 120, mature 95% of 40, all 92% of 160' ('-' where there are no answers)."""
        parts = []
        both = (self.true_young[0] + self.true_mature[0], self.true_young[1] + self.true_mature[1])
        for name, (recalled, answered) in (
            ("young", self.true_young),
            ("mature", self.true_mature),
            ("all", both),
        ):
            parts.append(f"{name} {recalled / answered:.0%} of {answered}" if answered else f"{name} -")
        return ", ".join(parts)

    def to_json(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        data["true_young"], data["true_mature"] = list(self.true_young), list(self.true_mature)
        data["reviews_per_day"] = {day.isoformat(): n for day, n in self.reviews_per_day.items()}
        return data


def _local_day(column: str, settings: SchedulerSettings) -> str:
    return f"date({column}, 'localtime', '-{settings.day_start_hour} hours')"


def streaks(days: list[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days; ``days`` sorted ascending."""
    longest = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    studied = set(days)
    current = 0
    day = today if today in studied else today - timedelta(days=1)
    while day in studied:
        current += 1
        day -= timedelta(days=1)
    return current, longest


def deck_stats(db: sqlite3.Connection) -> list[DeckStats]:
    """Per deck: new, learning, young, mature, suspended and unanswered cards (orphans left out)."""
    return [
        DeckStats(*row)
        for row in db.execute(
            "SELECT deck_id, "
            "coalesce(sum(state IS NULL AND NOT needs_answer AND NOT suspended AND NOT deck_suspended), 0), "
            f"coalesce(sum(state IN ({schema.LEARNING}, {schema.RELEARNING}) "
            "AND NOT suspended AND NOT deck_suspended), 0), "
            f"coalesce(sum(state = {schema.REVIEW} AND NOT suspended AND NOT deck_suspended "
            f"AND julianday(due) - julianday(last_review) < {MATURE_DAYS}), 0), "
            f"coalesce(sum(state = {schema.REVIEW} AND NOT suspended AND NOT deck_suspended "
            f"AND julianday(due) - julianday(last_review) >= {MATURE_DAYS}), 0), "
            "coalesce(sum(suspended OR deck_suspended), 0), "
            "coalesce(sum(needs_answer AND state IS NULL AND NOT suspended AND NOT deck_suspended), 0) "
            "FROM cards WHERE NOT orphaned GROUP BY deck_id ORDER BY MIN(position)"
        )
    ]


def collect(db: sqlite3.Connection, settings: SchedulerSettings, now: datetime) -> Stats:
    today = study_day(now, settings.day_start_hour)
    per_day = {
        date.fromisoformat(day): n
        for day, n in db.execute(
            f"SELECT {_local_day('reviewed_at', settings)} AS day, count(*) FROM reviews "
            "GROUP BY day ORDER BY day"
        )
    }
    since = (now - timedelta(days=RETENTION_DAYS)).isoformat(timespec="microseconds")
    recalled, answered = db.execute(
        f"SELECT coalesce(sum(rating > 1), 0), count(*) FROM reviews WHERE kind = {schema.REVIEW} "
        "AND reviewed_at >= ?",
        (since,),
    ).fetchone()
    first_day = (today - timedelta(days=RETENTION_DAYS - 1)).isoformat()
    due_before = _local_day("json_extract(card_before, '$.due')", settings)
    last_before = _local_day("json_extract(card_before, '$.last_review')", settings)
    interval = f"julianday({due_before}) - julianday({last_before})"
    split = {
        mature: (recalled_n, answered_n)
        for mature, recalled_n, answered_n in db.execute(
            f"SELECT {interval} >= {MATURE_DAYS} AS mature, coalesce(sum(rating > 1), 0), count(*) "
            f"FROM reviews WHERE kind = {schema.REVIEW} AND card_before IS NOT NULL "
            f"AND {_local_day('reviewed_at', settings)} BETWEEN ? AND ? GROUP BY mature",
            (first_day, today.isoformat()),
        )
    }
    forecast = [0] * FORECAST_DAYS
    for offset, n in db.execute(
        f"SELECT CAST(julianday({_local_day('due', settings)}) - julianday(?) AS INTEGER) AS offset, "
        "count(*) "
        "FROM cards WHERE state IS NOT NULL AND NOT orphaned AND NOT suspended AND NOT deck_suspended "
        "AND NOT needs_answer GROUP BY offset",
        (today.isoformat(),),
    ):
        if offset < FORECAST_DAYS:
            forecast[max(0, offset)] += n
    decks = deck_stats(db)
    total, average_ms = db.execute("SELECT count(*), avg(duration_ms) FROM reviews").fetchone()
    current, longest = streaks(sorted(per_day), today)
    return Stats(
        today=today,
        reviews_per_day=per_day,
        retention_30d=recalled / answered if answered else None,
        retention_reviews_30d=answered,
        true_young=split.get(0, (0, 0)),
        true_mature=split.get(1, (0, 0)),
        forecast=forecast,
        current_streak=current,
        longest_streak=longest,
        decks=decks,
        average_seconds=average_ms / 1000 if average_ms is not None else None,
        total_reviews=total,
        orphans=[r[0] for r in db.execute("SELECT id FROM cards WHERE orphaned ORDER BY position")],
        leeches=[r[0] for r in db.execute("SELECT id FROM cards WHERE leech AND NOT orphaned ORDER BY id")],
    )
