"""Scale: a library of 50,000 cards in 100 deck files with 500,000 reviews, each figure against its target.

Builds the library in a scratch TUTOR_HOME (the learner's files are untouched), then times, each in a fresh
process as a learner starts them: `tutor decks`, `tutor due` and `tutor stats` (first run parses every deck
and writes the parsed-deck cache; later runs use it), start-up to an interactive Decks screen, the Browse
and Stats screens from their keys to their tables filled (the app headless), and grade -> next card in the
store. The machine's load is printed beside the figures: timings here are shared.

    python bench/scale.py [--decks 100] [--cards 500] [--reviews 500000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

STARTUP = """
from tutor.ui.app import TutorApp, _prepare_images

class Timed(TutorApp):
    def on_ready(self):
        assert type(self.screen).__name__ == "DecksScreen", self.screen
        self.call_after_refresh(self.exit)

app = Timed()
app.load()
_prepare_images(app)
app.run(headless=True, size=(100, 30))
assert app.decks, "no decks were loaded"
"""


# The app headless at 120x40, loaded as at start-up; each screen opened by its key from the Decks screen and
# timed until its table is filled and drawn. Prints "<screen> <seconds>" lines.
SCREENS = """
import asyncio, time
from tutor.ui.app import TutorApp

def filled(screen, selector):
    widget = screen.query_one(selector)
    return widget.row_count > 0 if selector == "#browse-table" else bool(str(widget.render()))

async def main():
    app = TutorApp()
    app.load()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key, name, selector in (("ctrl+b", "BrowseScreen", "#browse-table"),
                                    ("ctrl+s", "StatsScreen", "#stats-decks")):
            start = time.perf_counter()
            await pilot.press(key)
            while type(app.screen).__name__ != name or not filled(app.screen, selector):
                await pilot.pause()
            await pilot.pause()  # the frame with the table drawn
            print(name, time.perf_counter() - start, flush=True)
            await pilot.press("escape")
            await pilot.pause()

asyncio.run(main())
"""


def screens(env: dict, runs: int) -> dict[str, float]:
    """Median seconds from a screen's key to its table filled, each run in a fresh process."""
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", SCREENS], env=env, check=True, capture_output=True, text=True
        )
        for line in done.stdout.splitlines():
            name, seconds = line.split()
            times.setdefault(name, []).append(float(seconds))
    return {name: statistics.median(values) for name, values in times.items()}


def write_decks(folder: Path, decks: int, cards: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for d in range(decks):
        lines = [f"id: deck-{d:03d}", f"title: Deck {d}", "cards:"]
        for c in range(cards):
            card_id = f"card-{d:03d}-{c:04d}"
            ids.append(card_id)
            lines += [
                f"- id: {card_id}",
                f"  question: What does step {c} of topic {d} compute?",
                "  tags: [scale]",
                "  answer: |",
                f"    The **{c}th** step multiplies the query by the key, then scales by 1/sqrt(d_k) ({d}).",
            ]
            if c % 10 == 0:
                lines += ["  demos:", "  - tokenize: {text: unhappiness}"]
        (folder / f"deck-{d:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def fill_store(card_ids: list[str], reviews: int) -> None:
    """Every card synced; the reviews spread over the last two years, each card's schedule from its last."""
    from tutor.decks import load_decks
    from tutor.store import Store

    decks, _ = load_decks()
    store = Store.open(backup=False)
    store.sync_cards(card for deck in decks for card in deck.cards)
    db = store.db
    rng = random.Random(0)
    now = datetime.now(UTC)
    rows = []
    for n in range(reviews):
        moment = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        rows.append(
            (card_ids[n % len(card_ids)], rng.choice((1, 3, 3, 3, 4)), moment.isoformat(), 4000, 1, 2)
        )
    with db:
        db.executemany(
            "INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, kind, state_after)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "UPDATE cards SET state = 2, stability = ?, difficulty = 5.0, due = ?, reps = 10 WHERE id = ?",
            [
                (rng.uniform(1, 100), (now + timedelta(days=rng.uniform(-3, 60))).isoformat(), card_id)
                for card_id in card_ids
            ],
        )
    store.close()


def timed(command: list[str], env: dict, runs: int) -> tuple[float, float]:
    """(first run, median of the later runs) in seconds."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def grade_to_next(runs: int = 200) -> float:
    """p50 of one grade plus fetching the next card, in milliseconds."""
    from tutor.store import Store

    store = Store.open(backup=False)
    times = []
    for _ in range(runs):
        card = store.next_card()
        if card is None:
            break
        start = time.perf_counter()
        store.grade(card, 3, 3000)
        store.next_card()
        times.append((time.perf_counter() - start) * 1000)
    store.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decks", type=int, default=100)
    parser.add_argument("--cards", type=int, default=500, help="cards per deck")
    parser.add_argument("--reviews", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutor-scale-") as home:
        os.environ["TUTOR_HOME"] = home
        # Bytecode cached, as on any second start (some machines set PYTHONDONTWRITEBYTECODE: the tutor's
        # modules were compiled again in every timed process).
        env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(home, "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        start = time.perf_counter()
        ids = write_decks(Path(home) / "decks", options.decks, options.cards)
        fill_store(ids, options.reviews)
        (Path(home) / "deck-cache.json").unlink(missing_ok=True)  # the first timed run starts cold
        print(f"library: {len(ids):,} cards in {options.decks} files, {options.reviews:,} reviews "
              f"(built in {time.perf_counter() - start:.1f} s)")  # fmt: skip
        figures = []
        for name in ("decks", "due", "stats"):
            cold, warm = timed([sys.executable, "-m", "tutor", name], env, options.runs)
            figures.append((f"tutor {name} (first run, no deck cache: {cold:.2f} s)", warm, 1.0, "s"))
        cold, warm = timed([sys.executable, "-c", STARTUP], env, options.runs)
        figures.append((f"start-up to Decks (no deck cache: {cold:.2f} s)", warm, 1.5, "s"))
        shown = screens(env, options.runs)
        figures.append(("Browse screen, key to table filled", shown["BrowseScreen"], 1.0, "s"))
        figures.append(("Stats screen, key to table filled", shown["StatsScreen"], 1.0, "s"))
        figures.append(("grade -> next card, p50", grade_to_next(), 5.0, "ms"))
    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else ["?"]
    print(f"load average: {' '.join(load)} on {os.cpu_count()} cores")
    for what, value, target, unit in figures:
        verdict = "ok" if value <= target else "OVER"
        print(
            f"{what:<58} {value:7.2f} {unit}  target <= {target:g} {unit}  {value / target:5.2f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
