"""Subcommands: ``due``, ``stats`` and ``optimize`` (the learner's progress, from the store)."""

from __future__ import annotations

import argparse
import json
import sys

from tutor.cli import open_library
from tutor.wording import plural


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    due = subparsers.add_parser("due", help="cards to study now, per deck", description=_due.__doc__)
    due.add_argument("--deck", metavar="ID", help="only this deck")
    due.add_argument("--json", action="store_true", help="print JSON instead of a table")
    due.set_defaults(func=_due)

    stats = subparsers.add_parser(
        "stats", help="reviews, retention, streaks, forecast", description=_stats.__doc__
    )
    stats.add_argument("--json", action="store_true", help="print JSON instead of text")
    stats.set_defaults(func=_stats)

    optimize = subparsers.add_parser(
        "optimize", help="fit FSRS to your own review history", description=_optimize.__doc__
    )
    optimize.add_argument("--reset", action="store_true", help="go back to FSRS's default parameters")
    optimize.set_defaults(func=_optimize)


def _due(args: argparse.Namespace) -> int:
    """Show how many new, learning and review cards each deck has for you now, within today's limits."""
    from tutor.errors import TutorError

    with open_library() as library:
        store = library.need_store()
        if args.deck is not None and args.deck not in library.decks:
            known = ", ".join(library.decks) or "none"
            raise TutorError(f"There is no deck '{args.deck}' (decks: {known}); check --deck.")
        rows = [
            (line.deck, line.counts or store.deck_counts(line.deck.id))
            for line in library.deck_rows(seen=False)
            if args.deck in (None, line.deck.id)
        ]
        total = store.deck_counts(args.deck)
    if args.json:
        print(
            json.dumps(
                {
                    "decks": [{"id": d.id, "title": d.title, **c.to_json()} for d, c in rows],
                    "total": total.to_json(),
                },
                indent=2,
            )
        )
        return 0
    if not rows:
        print("No decks yet: import your notes with 'tutor import NOTES.md'.")
        return 0
    width = max(len("Deck"), *(len(deck.title) for deck, _ in rows))
    print(f"{'Deck':<{width}}  {'New':>5}  {'Learning':>8}  {'Review':>6}")
    for deck, counts in rows:
        print(f"{deck.title:<{width}}  {counts.new:>5}  {counts.learning:>8}  {counts.review:>6}")
    if len(rows) > 1:
        label = "Today, within your daily limits"
        print(f"{label:<{width}}  {total.new:>5}  {total.learning:>8}  {total.review:>6}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    """Show reviews per day, true retention, streaks, the due forecast and every deck's cards."""
    with open_library() as library:
        stats = library.need_store().stats()
        titles = {deck.id: deck.title for deck in library.decks.values()}
    if args.json:
        print(json.dumps(stats.to_json(), indent=2))
        return 0
    today = stats.reviews_per_day.get(stats.today, 0)
    retention = (
        f"{stats.retention_30d:.0%} of {stats.retention_reviews_30d} review answers recalled"
        if stats.retention_30d is not None
        else "no review answers yet"
    )
    average = (
        f"{stats.average_seconds:.1f} s an answer" if stats.average_seconds is not None else "no answers yet"
    )
    streak, longest = plural(stats.current_streak, "day"), plural(stats.longest_streak, "day")
    print(f"Today ({stats.today.isoformat()}): {today} answers · streak {streak}")
    print(f"Longest streak: {longest} · {stats.total_reviews} answers in all · {average}")
    print(f"Retention, last 30 days: {retention}")
    print(f"True retention, last 30 study days: {stats.true_retention_text()}")
    week = ", ".join(str(n) for n in stats.forecast[:7])
    print(f"Due in the next 7 days: {week} (30 days: {sum(stats.forecast)})")
    if stats.decks:
        width = max(len("Deck"), *(len(titles.get(d.deck_id, d.deck_id)) for d in stats.decks))
        heads = ("New", "Learning", "Young", "Mature", "Suspended")
        print()
        print(f"{'Deck':<{width}}  " + "  ".join(f"{h:>9}" for h in heads))
        for d in stats.decks:
            values = (d.new, d.learning, d.young, d.mature, d.suspended)
            print(f"{titles.get(d.deck_id, d.deck_id):<{width}}  " + "  ".join(f"{v:>9}" for v in values))
    if stats.leeches:
        print(f"\nLeeches (suspended; rewrite them, then unsuspend): {', '.join(stats.leeches)}")
    if stats.orphans:
        print(f"\nNo longer in any deck (history kept, back if they return): {', '.join(stats.orphans)}")
    return 0


def _optimize(args: argparse.Namespace) -> int:
    """Fit FSRS's parameters to your own review history (needs a few hundred reviews) and keep them."""
    from tutor import fitting
    from tutor.store import Store

    with Store.open() as store:
        for notice in store.notices:
            print(f"tutor: {notice}", file=sys.stderr)
        if args.reset:
            store.set_parameters(None)
            print("FSRS's default parameters are back in use.")
            return 0
        logs = store.review_logs()
        hour = store.settings.day_start_hour
        usable = fitting.later_day_answers(logs, hour)
        if not usable:
            print(
                "None of your answers came on a later study day than the card's previous one yet; "
                "nothing was changed."
            )
            return 0
        estimate = fitting.estimate_seconds(len(logs))
        print(
            f"Fitting FSRS to {len(logs)} answers ({usable} on a later study day than the card's "
            f"previous answer); this takes about {estimate:.0f} s..."
        )
        shown = sys.stderr.isatty()

        def tick(seconds: float) -> None:
            if shown:
                print(f"\r  {seconds:.0f} s of about {max(estimate, seconds):.0f} s", end="", file=sys.stderr)

        fitted = fitting.fit(logs, hour, tick)
        if shown:
            print(file=sys.stderr)
        if fitted.fell_back:
            print(
                f"The optimizer kept FSRS's defaults: {usable} answers on a later study day are too few "
                "to learn from, so nothing was changed. Study on and try again in a few weeks."
            )
            return 0
        parameters = fitted.parameters
        store.set_parameters(parameters)
    print("Saved: your next answers are scheduled with parameters fitted to your history.")
    print("Parameters: " + ", ".join(f"{p:.4f}" for p in parameters))
    return 0
