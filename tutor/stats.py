"""Statistics from the review log and the cards' schedules: what ``tutor stats`` and the app's stats show.

Days are the learner's study days (local time, starting at ``day_start_hour``), computed by SQLite's
``localtime``, which follows the same time zone as Python's ``astimezone``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from tutor import schema
from tutor.config import SchedulerSettings
from tutor.scheduling import day_start, study_day

MATURE_DAYS = 21  # Anki's line between young and mature cards
FORECAST_DAYS = 30
RETENTION_DAYS = 30
# No answer of a study day was given further than this before the day starts at in UTC: time zone
# offsets differ by at most 26 hours.
MARGIN = timedelta(days=2)
PER_DAY_SPAN = 20 * 366  # days of answers counted by study-day ranges; a longer log is dated answer by answer


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


def _second(moment: datetime) -> str:
    """A UTC second as text that every stored time in that second or later compares at least equal to."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _bound(moment: datetime | None, open_end: str) -> str:
    """``_second`` of a range's end; ``open_end`` ("" or "~") compares below or above every stored time."""
    return open_end if moment is None else _second(moment)


def reviews_per_day(db: sqlite3.Connection, settings: SchedulerSettings) -> dict[date, int]:
    """Answers per study day (cram included), oldest day first, each answer dated by SQLite's ``localtime``.

    Dating 500,000 answers one by one and grouping them costs a quarter of a second. Instead each study
    day's answers are counted between the instants the day starts and ends at: a range of the index on
    ``reviewed_at``. A range is trusted only where SQLite dates the second it starts at as the day and the
    second before as the day before (at both ends), and the time zone's offset is the same all through it;
    the answers of any other day (one with a change to or from daylight saving in it) are dated one by one,
    as are all of them when the log spans more than ``PER_DAY_SPAN`` days (a clock far off once).
    """
    first, last = db.execute(  # two lookups in the index: min() and max() in one SELECT scan the table
        "SELECT (SELECT min(reviewed_at) FROM reviews), (SELECT max(reviewed_at) FROM reviews)"
    ).fetchone()
    if first is None:
        return {}
    first_day, last_day = (
        date.fromisoformat(day)
        for day in db.execute(
            f"SELECT {_local_day('?', settings)}, {_local_day('?', settings)}", (first, last)
        ).fetchone()
    )
    span = (last_day - first_day).days
    if not 0 <= span <= PER_DAY_SPAN:
        return _dated_one_by_one(db, settings, None, None)
    days = [first_day + timedelta(days=n) for n in range(span + 1)]
    starts = [day_start(day, settings.day_start_hour) for day in days[1:]]
    if any(later <= earlier for earlier, later in zip(starts, starts[1:], strict=False)):
        return _dated_one_by_one(db, settings, None, None)
    second = timedelta(seconds=1)
    # How SQLite dates each start's second and the second before it: the day, and the day before.
    seen = iter(
        db.execute(
            f"SELECT {_local_day('value', settings)} FROM json_each(?)",
            (json.dumps([f"{_second(t - d)}+00:00" for t in starts for d in (timedelta(0), second)]),),
        ).fetchall()
    )
    clean = [
        start.microsecond == 0 and (next(seen)[0], next(seen)[0]) == (str(day), str(day - timedelta(days=1)))
        for start, day in zip(starts, days[1:], strict=True)
    ]
    # Day n runs from ends[n] (None: the first answer) to ends[n + 1] (None: the last).
    ends: list[datetime | None] = [None, *starts, None]
    edges = [datetime.fromisoformat(first), *starts, datetime.fromisoformat(last) + second]
    trusted = []
    for n in range(len(days)):
        low, high = edges[n], edges[n + 1]
        offsets = {moment.astimezone().utcoffset() for moment in (low, low + (high - low) / 2, high - second)}
        trusted.append((n == 0 or clean[n - 1]) and (n == len(days) - 1 or clean[n]) and len(offsets) == 1)
    ranges = [[n, _bound(ends[n], ""), _bound(ends[n + 1], "~")] for n in range(len(days)) if trusted[n]]
    counts: dict[date, int] = {}
    for n, count in db.execute(
        "SELECT json_extract(day.value, '$[0]'), (SELECT count(*) FROM reviews "
        "WHERE reviewed_at >= json_extract(day.value, '$[1]') "
        "AND reviewed_at < json_extract(day.value, '$[2]')) "
        "FROM json_each(?) AS day",
        (json.dumps(ranges),),
    ):
        if count:
            counts[days[n]] = count
    for n in range(len(days)):
        if not trusted[n]:
            for day, count in _dated_one_by_one(db, settings, ends[n], ends[n + 1]).items():
                counts[day] = counts.get(day, 0) + count
    return dict(sorted(counts.items()))


def _dated_one_by_one(
    db: sqlite3.Connection, settings: SchedulerSettings, low: datetime | None, high: datetime | None
) -> dict[date, int]:
    """Answers per study day of those from ``low`` up to ``high`` (None: no bound), each dated by SQLite."""
    return {
        date.fromisoformat(day): n
        for day, n in db.execute(
            f"SELECT {_local_day('reviewed_at', settings)} AS day, count(*) FROM reviews "
            "WHERE reviewed_at >= ? AND reviewed_at < ? GROUP BY day ORDER BY day",
            (_bound(low, ""), _bound(high, "~")),
        )
    }


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
    per_day = reviews_per_day(db, settings)
    since = (now - timedelta(days=RETENTION_DAYS)).isoformat(timespec="microseconds")
    recalled, answered = db.execute(
        f"SELECT coalesce(sum(rating > 1), 0), count(*) FROM reviews WHERE kind = {schema.REVIEW} "
        "AND reviewed_at >= ?",
        (since,),
    ).fetchone()
    first = today - timedelta(days=RETENTION_DAYS - 1)
    first_day = first.isoformat()
    due_before = _local_day("json_extract(card_before, '$.due')", settings)
    last_before = _local_day("json_extract(card_before, '$.last_review')", settings)
    interval = f"julianday({due_before}) - julianday({last_before})"
    split = {
        mature: (recalled_n, answered_n)
        for mature, recalled_n, answered_n in db.execute(
            f"SELECT {interval} >= {MATURE_DAYS} AS mature, coalesce(sum(rating > 1), 0), count(*) "
            f"FROM reviews WHERE kind = {schema.REVIEW} AND card_before IS NOT NULL "
            f"AND {_local_day('reviewed_at', settings)} BETWEEN ? AND ? "
            "AND reviewed_at >= ? GROUP BY mature",  # the index finds the last days' answers
            (first_day, today.isoformat(), _second(day_start(first, settings.day_start_hour) - MARGIN)),
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
