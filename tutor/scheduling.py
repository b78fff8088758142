"""FSRS-6 scheduling through the ``fsrs`` package, the learner's study day, and intervals for the buttons.

The store keeps times in UTC. "Today" is the learner's local day, which starts at ``day_start_hour``
(4 am by default, as in Anki) so a late-night session still counts for the evening it began in.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from fsrs import Card, Rating, ReviewLog, Scheduler, State

from tutor.config import SchedulerSettings
from tutor.errors import TutorError

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
# fsrs.Optimizer fits nothing (it returns the defaults) below one mini-batch of later-day answers.
MIN_ANSWERS_FOR_FITTING = 512


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC (now when None); a naive datetime is refused, since its zone is a guess."""
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        raise ValueError("times given to the store must be timezone-aware")
    return moment.astimezone(UTC)


def make_scheduler(settings: SchedulerSettings, parameters: Sequence[float] | None = None) -> Scheduler:
    """The ``fsrs.Scheduler`` for the learner's settings and the parameters ``tutor optimize`` fitted."""
    kwargs = {}
    if parameters is not None:
        kwargs["parameters"] = tuple(parameters)
    try:
        return Scheduler(
            desired_retention=settings.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps),
            relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps),
            maximum_interval=settings.maximum_interval,
            enable_fuzzing=settings.fuzzing,
            **kwargs,
        )
    except ValueError as exc:
        first = str(exc).splitlines()[-1]
        raise TutorError(
            f"The stored FSRS parameters are not valid ({first}); run 'tutor optimize --reset'."
        ) from None


@contextmanager
def _fuzz_seed(seed: str) -> Iterator[None]:
    """Seed the fuzz ``fsrs`` draws from the global ``random``, then put the global state back.

    Seeding by card and repetition (as Anki does) makes the interval on a button the interval the
    grade gives, and keeps other users of ``random`` unaffected.
    """
    saved = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved)


def review(
    scheduler: Scheduler, card: Card, rating: int, now: datetime, seed: str, duration_ms: int | None = None
) -> tuple[Card, ReviewLog]:
    with _fuzz_seed(seed):
        return scheduler.review_card(card, Rating(rating), review_datetime=now, review_duration=duration_ms)


def next_intervals(scheduler: Scheduler, card: Card, now: datetime, seed: str) -> dict[int, timedelta]:
    """For each rating 1..4, how long until the card comes back if the learner picks it now."""
    result = {}
    for rating in RATINGS:
        after, _ = review(scheduler, card, rating, now, seed)
        result[rating] = after.due - now
    return result


def retrievability(scheduler: Scheduler, card: Card, now: datetime) -> float:
    return scheduler.get_card_retrievability(card, current_datetime=now)


def is_lapse(state_before: State | None, rating: int) -> bool:
    """Forgetting a card that had graduated to review: what leech detection counts."""
    return state_before == State.Review and rating == Rating.Again


def answers_for_fitting(logs: Sequence[ReviewLog]) -> int:
    """Answers a day or more after the card's previous answer: the ones ``fsrs.Optimizer`` learns from."""
    last: dict[int, datetime] = {}
    usable = 0
    for log in sorted(logs, key=lambda log: log.review_datetime):
        previous = last.get(log.card_id)
        usable += previous is not None and (log.review_datetime - previous).days > 0
        last[log.card_id] = log.review_datetime
    return usable


def fit_parameters(logs: Sequence[ReviewLog]) -> list[float]:
    """FSRS parameters fitted to the learner's answers with ``fsrs.Optimizer`` (imports torch)."""
    from fsrs import Optimizer

    try:
        return [float(p) for p in Optimizer(list(logs)).compute_optimal_parameters()]
    except ImportError as exc:
        raise TutorError(
            f"Fitting needs the optimizer's packages ({exc}); run: pip install 'fsrs[optimizer]'."
        ) from None


def study_day(now: datetime, day_start_hour: int) -> date:
    """The learner's local study day ``now`` (UTC) falls in."""
    local = now.astimezone()
    if local.hour < day_start_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def day_start(day: date, day_start_hour: int) -> datetime:
    """When study day ``day`` begins, in UTC (a naive local time, so daylight saving is handled)."""
    return datetime(day.year, day.month, day.day, day_start_hour).astimezone().astimezone(UTC)


def today_bounds(now: datetime, day_start_hour: int) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the study day ``now`` falls in."""
    today = study_day(now, day_start_hour)
    return day_start(today, day_start_hour), day_start(today + timedelta(days=1), day_start_hour)


def format_interval(interval: timedelta) -> str:
    """Short label for a grade button: '<1m', '10m', '3h', '4d', '2.5mo', '1.2y'."""
    seconds = interval.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
