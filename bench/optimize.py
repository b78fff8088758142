"""`tutor optimize`'s optimizer against py-fsrs's, on a learner simulated from known FSRS parameters.

The learner studies once a day at a random hour for 120 days (about 2,000 answers with the defaults),
through the tutor's own store and scheduler; whether they recall a card is drawn from FSRS with the
true parameters, whose first-answer stabilities differ from the defaults. Each optimizer then fits the
history in a process of its own; the script prints its time, its peak memory, and how close it came.

    python bench/optimize.py                     # 120 days, 3 new cards a day
    python bench/optimize.py --days 365 --new 12 # about a year of a busier learner

py-fsrs's optimizer needs its extra: pip install 'fsrs[optimizer]' (pandas, tqdm).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from copy import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from fsrs import Card, Rating, ReviewLog, Scheduler

from tutor.config import SchedulerSettings
from tutor.fitting import fit, training_items
from tutor.scheduling import elapsed_days, study_day
from tutor.store import Store

DEFAULTS = list(Scheduler().parameters)
TRUE = DEFAULTS.copy()
TRUE[0:4] = [0.6, 1.8, 4.5, 15.0]  # first-answer stabilities (Again, Hard, Good, Easy), in days
TRUE[8] = 1.8  # and a learner whose memory grows a little slower than the default's
START = datetime(2026, 1, 5, tzinfo=UTC)


def simulate(days: int, new_per_day: int, path: Path) -> list[ReviewLog]:
    rng = random.Random(7)
    truth = Scheduler(parameters=TRUE, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    memory: dict[str, Card] = {}
    cards = [
        SimpleNamespace(id=f"c{i}", deck_id="d", needs_answer=False, suspended=False)
        for i in range(days * new_per_day)
    ]
    settings = SchedulerSettings(new_per_day=new_per_day, day_start_hour=4)
    with Store.open(path, settings=settings, backup=False) as store:
        store.sync_cards(cards)
        for day in range(days):
            now = START + timedelta(days=day, hours=rng.randint(7, 22), minutes=rng.randint(0, 59))
            end = now + timedelta(hours=3)
            while now < end:
                card_id = store.next_card(now=now)
                if card_id is None:
                    later = store.next_due(now=now)
                    if later is None or later >= end or study_day(later, 4) != study_day(now, 4):
                        break
                    now = later
                    continue
                known = memory.get(card_id)
                if known is None:
                    rating = rng.choices((1, 2, 3, 4), (0.2, 0.15, 0.55, 0.1))[0]
                    known = Card(card_id=1, due=now)
                else:
                    seen = copy(known)
                    seen.last_review = now - timedelta(days=elapsed_days(known.last_review, now, 4))
                    recalled = rng.random() < truth.get_card_retrievability(seen, current_datetime=now)
                    rating = rng.choices((2, 3, 4), (0.15, 0.75, 0.1))[0] if recalled else 1
                    known = seen
                memory[card_id], _ = truth.review_card(known, Rating(rating), review_datetime=now)
                store.grade(card_id, rating, 8000, now=now)
                now += timedelta(seconds=rng.randint(5, 20))
        return store.review_logs()


def by_study_day(logs: list[ReviewLog]) -> list[ReviewLog]:
    """The logs with each answer moved to its study day's noon (in order), so that py-fsrs's optimizer,
    which counts whole 24-hour periods, sees the study days the tutor's optimizer is given."""
    moved = []
    for i, log in enumerate(sorted(logs, key=lambda log: log.review_datetime)):
        day = study_day(log.review_datetime, 4)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) + timedelta(microseconds=i)
        moved.append(ReviewLog(log.card_id, log.rating, noon, log.review_duration))
    return moved


def run_one(which: str, logs_file: Path) -> None:
    """In a process of its own: fit, then print the parameters, seconds and peak memory as JSON."""
    raw = json.loads(logs_file.read_text())
    logs = [ReviewLog(c, Rating(r), datetime.fromisoformat(t), d) for c, r, t, d in raw]
    started = time.perf_counter()
    if which == "fsrs-rs-python":
        parameters = fit(logs, 4).parameters
    else:
        from fsrs import Optimizer

        parameters = [float(p) for p in Optimizer(by_study_day(logs)).compute_optimal_parameters()]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"parameters": parameters, "seconds": seconds, "peak_mb": peak}))


def closeness(parameters: list[float]) -> str:
    first = ", ".join(f"{p:.2f}" for p in parameters[:4])
    error = sum(abs(math.log(p / t)) for p, t in zip(parameters[:4], TRUE[:4], strict=True)) / 4
    return (
        f"first stabilities {first} (mean |log ratio| to the true ones {error:.2f}), w8 {parameters[8]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--new", type=int, default=3, help="new cards a day")
    parser.add_argument("--one", nargs=2, metavar=("OPTIMIZER", "LOGS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], Path(args.one[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        logs = simulate(args.days, args.new, Path(folder) / "p.sqlite3")
        print(f"simulated {len(logs)} answers over {args.days} days in {time.perf_counter() - started:.1f} s")
        print(
            f"({len(training_items(logs, 4))} training items; load {open('/proc/loadavg').read().split()[0]})"
        )
        logs_file = Path(folder) / "logs.json"
        rows = [
            [log.card_id, int(log.rating), log.review_datetime.isoformat(), log.review_duration]
            for log in logs
        ]
        logs_file.write_text(json.dumps(rows))
        print(f"true      {closeness(TRUE)}")
        print(f"defaults  {closeness(DEFAULTS)}")
        seconds = {}
        for which in ("fsrs-rs-python", "py-fsrs"):
            out = subprocess.run(
                [sys.executable, __file__, "--one", which, str(logs_file)],
                capture_output=True,
                text=True,
            )
            if out.returncode:
                print(f"{which:<15} failed: {out.stderr.strip().splitlines()[-1]}")
                continue
            found = json.loads(out.stdout.strip().splitlines()[-1])
            seconds[which] = found["seconds"]
            print(
                f"{which:<15} {found['seconds']:7.2f} s, peak {found['peak_mb']:5.0f} MB: "
                f"{closeness(found['parameters'])}"
            )
        if len(seconds) == 2:
            ratio = seconds["py-fsrs"] / max(seconds["fsrs-rs-python"], 1e-6)
            print(f"ratio py-fsrs / fsrs-rs-python (time): {ratio:.0f}x")


if __name__ == "__main__":
    main()
