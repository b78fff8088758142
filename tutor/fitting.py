"""``tutor optimize``: FSRS's parameters fitted to the learner's own answers, with the optimizer Anki uses.

The optimizer is the Rust ``fsrs`` crate (the ``fsrs-rs-python`` package). It is given each card's
answers with the study days between them (day starts passed, as the scheduler counts them), and it fits
the first-answer stabilities from the data as well. bench/optimize.py compares it with py-fsrs's own
optimizer on a simulated learner: it is far faster and comes closer to the true parameters.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from fsrs import ReviewLog

from tutor.errors import TutorError
from tutor.scheduling import study_day

# Seconds per answer, measured by bench/optimize.py (39,000 answers in 0.43 s on a shared 2-core
# machine); the estimate shown is twice this, so that it is rarely short.
SECONDS_PER_ANSWER = 0.000011


@dataclass(frozen=True)
class Fitted:
    parameters: list[float]
    answers: int  # answers given to the optimizer
    later_day: int  # of those, answers on a later study day than the card's previous answer
    fell_back: bool  # the optimizer returned its defaults: nothing was learned


def histories(logs: Sequence[ReviewLog], day_start_hour: int) -> dict[int, list[tuple[date, int]]]:
    """Each card's answers in time order, as (study day, rating)."""
    by_card: dict[int, list[tuple]] = defaultdict(list)
    for log in logs:
        by_card[log.card_id].append((log.review_datetime, int(log.rating)))
    return {
        card_id: [(study_day(moment, day_start_hour), rating) for moment, rating in sorted(answers)]
        for card_id, answers in by_card.items()
    }


def later_day_answers(logs: Sequence[ReviewLog], day_start_hour: int) -> int:
    """Answers a study day or more after the card's previous answer: the ones the optimizer learns from."""
    return sum(
        1
        for answers in histories(logs, day_start_hour).values()
        for (before, _), (after, _) in zip(answers, answers[1:], strict=False)
        if after > before
    )


def training_histories(logs: Sequence[ReviewLog], day_start_hour: int) -> list[list[tuple[int, int]]]:
    """The optimizer's input, built as Anki builds it: for every answer on a later study day than the
    card's first, the card's history up to that answer as (rating, study days since the answer before).
    The optimizer refuses a history with no later-day answer: it has nothing to learn from it."""
    found = []
    for answers in histories(logs, day_start_hour).values():
        steps = [
            (rating, (day - answers[i - 1][0]).days if i else 0) for i, (day, rating) in enumerate(answers)
        ]
        found += [steps[: i + 1] for i in range(1, len(steps)) if answers[i][0] > answers[0][0]]
    return found


def training_items(logs: Sequence[ReviewLog], day_start_hour: int) -> list:
    from fsrs_rs_python import FSRSItem, FSRSReview

    return [
        FSRSItem([FSRSReview(rating, days) for rating, days in history])
        for history in training_histories(logs, day_start_hour)
    ]


def estimate_seconds(answers: int) -> float:
    return max(1.0, 2 * SECONDS_PER_ANSWER * answers)


def fit(
    logs: Sequence[ReviewLog], day_start_hour: int, tick: Callable[[float], None] | None = None
) -> Fitted:
    """Fit FSRS to ``logs``; ``tick(seconds so far)`` is called about every half second meanwhile."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    items = training_items(logs, day_start_hour)
    result: dict = {}

    def work() -> None:
        try:
            result["parameters"] = list(FSRS(DEFAULT_PARAMETERS).compute_parameters(items))
        except BaseException as exc:  # the optimizer's error (a Rust panic is a BaseException), said below
            result["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        worker.join(0.5)
        if tick is not None:
            tick(time.monotonic() - started)
    if "error" in result:
        raise TutorError(
            f"The optimizer could not fit your history ({result['error']}); nothing was changed."
        )
    parameters = [float(p) for p in result["parameters"]]
    defaults = [float(p) for p in DEFAULT_PARAMETERS]
    return Fitted(
        parameters=parameters,
        answers=len(logs),
        later_day=later_day_answers(logs, day_start_hour),
        fell_back=all(abs(a - b) < 1e-6 for a, b in zip(parameters, defaults, strict=True)),
    )
