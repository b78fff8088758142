"""FSRS-6 scheduling through the ``fsrs`` package, the learner's study day, and intervals for the buttons.

The store keeps times in UTC. "Today" is the learner's local day, which starts at ``day_start_hour``
(4 am by default, as in Anki) so a late-night session still counts for the evening it began in.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from tutor.config import SchedulerSettings
from tutor.errors import TutorError

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


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


# Anki's fuzz: the share of an interval a review may move by, growing slower for longer intervals.
FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, float("inf"), 0.05))


@dataclass(frozen=True)
class Outcome:
    """What one rating does to a card: FSRS's new memory state and when the card comes back.

    A review interval and a (re)learning step that crosses the next day start are whole study days
    (the card is then due for all of that day, as in Anki); a shorter step is a delay from the answer.
    """

    card: FsrsCard  # state, step, stability and difficulty after the answer (``due`` is not used)
    days: int | None = None
    delay: timedelta | None = None

    @property
    def interval(self) -> timedelta:
        return self._delay() if self.days is None else timedelta(days=self.days)

    def _delay(self) -> timedelta:
        if self.delay is None:
            raise ValueError("an outcome is whole days or a delay, and this one has neither")
        return self.delay

    def due(self, answered: datetime, day_start_hour: int) -> datetime:
        """When the card is due if the answer is given at ``answered``: a study day's start, or a time."""
        if self.days is None:
            return answered + self._delay()
        return day_start(study_day(answered, day_start_hour) + timedelta(days=self.days), day_start_hour)


def elapsed_days(last_review: datetime | None, now: datetime, day_start_hour: int) -> int:
    """Study days from the last answer to ``now``: day starts passed, as Anki counts them."""
    if last_review is None:
        return 0
    return max(0, (study_day(now, day_start_hour) - study_day(last_review, day_start_hour)).days)


def _by_study_days(card: FsrsCard, now: datetime, day_start_hour: int) -> FsrsCard:
    """The card with its last answer moved so that fsrs, which counts whole 24-hour periods, sees
    the study days elapsed instead (an answer last night and one this morning are a day apart)."""
    if card.last_review is None:
        return card
    seen = copy(card)
    seen.last_review = now - timedelta(days=elapsed_days(card.last_review, now, day_start_hour))
    return seen


def _round(value: float) -> int:
    return math.floor(value + 0.5)  # Rust's f32::round (half away from zero) on positive numbers


def fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """Anki's fuzz range for ``interval`` days, kept within ``minimum``..``maximum``."""
    minimum = min(minimum, maximum)
    interval = min(max(interval, minimum), maximum)
    delta = 0.0
    if interval >= 2.5:
        delta = 1.0 + sum(factor * max(min(interval, end) - begin, 0.0) for begin, end, factor in FUZZ_RANGES)
    lower = min(max(_round(interval - delta), minimum), maximum)
    upper = min(max(_round(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def with_fuzz(fuzz: float | None, interval: float, minimum: int, maximum: int) -> int:
    """Whole days: a draw inside the fuzz range (every day in it equally likely), or just rounded."""
    if fuzz is None:
        return min(max(_round(interval), minimum), maximum)
    lower, upper = fuzz_bounds(interval, minimum, maximum)
    return math.floor(lower + fuzz * (1 + upper - lower))


def _not_below_last(interval: float, previous: int, maximum: int) -> int:
    """Anki's floor for a passed review: past the last interval when FSRS grows it, never cut by fuzz."""
    if _round(interval) > previous:
        return previous + 1
    if previous <= fuzz_bounds(interval, 1, maximum)[1]:
        return previous
    return 0


def _stability(card: FsrsCard) -> float:
    if card.stability is None:  # FSRS sets it on every review
        raise ValueError(f"FSRS left card {card.card_id} without a stability after a review")
    return card.stability


def raw_interval(scheduler: Scheduler, stability: float) -> float:
    """Days until recall falls to the desired retention (fsrs's formula, before rounding)."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return stability / factor * (scheduler.desired_retention ** (1 / decay) - 1)


def outcomes(
    scheduler: Scheduler,
    card: FsrsCard,
    now: datetime,
    day_start_hour: int,
    seed: str,
    previous_interval: int = 0,
) -> dict[int, Outcome]:
    """For each rating 1..4, what answering ``card`` at ``now`` does.

    Memory states are fsrs's own, given the study days elapsed. Intervals follow Anki's rules: Hard,
    Good and Easy on a review are at least a day apart, a review's interval does not shrink below the
    last one by fuzz alone, and the fuzz is drawn once per card and repetition (``seed``) inside its
    range, so the interval on a button is the interval the grade gives.
    """
    plain = copy(scheduler)
    plain.enable_fuzzing = False
    seen = _by_study_days(card, now, day_start_hour)
    until_tomorrow = day_start(study_day(now, day_start_hour) + timedelta(days=1), day_start_hour) - now
    fuzz = random.Random(seed).random() if scheduler.enable_fuzzing else None
    maximum = scheduler.maximum_interval
    after = {rating: plain.review_card(seen, Rating(rating), review_datetime=now)[0] for rating in RATINGS}
    raw = {rating: raw_interval(plain, _stability(after[rating])) for rating in RATINGS}
    days: dict[int, int] = {}
    if card.state == State.Review:
        floor = {r: _not_below_last(raw[r], previous_interval, maximum) for r in RATINGS}
        days[2] = with_fuzz(fuzz, raw[2], max(floor[2], 1), maximum)
        days[3] = with_fuzz(fuzz, raw[3], max(floor[3], days[2] + 1), maximum)
        days[4] = with_fuzz(fuzz, raw[4], max(floor[4], days[3] + 1), maximum)
        days[1] = with_fuzz(fuzz, raw[1], 1, maximum)  # no relearning steps: a lapse goes straight on
    else:
        good = with_fuzz(fuzz, raw[3], 1, maximum)
        days = {r: with_fuzz(fuzz, max(_round(raw[r]), 1), 1, maximum) for r in (1, 2, 3)}
        days[4] = with_fuzz(fuzz, max(_round(raw[4]), 1), good + 1, maximum)
    result = {}
    for rating, state in after.items():
        if state.state == State.Review:
            result[rating] = Outcome(state, days=days[rating])
            continue
        delay = state.due - now
        if delay >= until_tomorrow:  # an interday step: due for the whole study day it lands on
            result[rating] = Outcome(state, days=(delay - until_tomorrow) // timedelta(days=1) + 1)
        else:
            result[rating] = Outcome(state, delay=delay)
    return result


def retrievability(scheduler: Scheduler, card: FsrsCard, now: datetime, day_start_hour: int) -> float:
    """Chance of recall now, with the study days elapsed since the last answer."""
    return scheduler.get_card_retrievability(_by_study_days(card, now, day_start_hour), current_datetime=now)


def is_lapse(state_before: State | None, rating: int) -> bool:
    """Forgetting a card that had graduated to review: what leech detection counts."""
    return state_before == State.Review and rating == Rating.Again


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
