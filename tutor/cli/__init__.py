"""The ``tutor`` command: parses arguments, then calls the core or starts the app.

Each group of subcommands lives in a module of its own here (``notes``, ``anki``, ``progress``, ``demo``) and
offers ``add_parsers(subparsers)``; a subcommand's parser sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import os
import sys

from tutor import __version__
from tutor.errors import TutorError


def build_parser() -> argparse.ArgumentParser:
    from tutor.cli import anki, demo, notes, progress

    parser = argparse.ArgumentParser(
        prog="tutor",
        description=(
            "Study how large language models work: review flashcard decks with spaced repetition "
            "and open live demos on a GPT built from scratch. Run without a command to start the app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tutor {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in (notes, anki, progress, demo):
        module.add_parsers(subparsers)
    return parser


# Tensors of 2 MB and more on huge pages (Linux; torch reads this at its first such tensor). Training a
# small GPT allocates ~100 MB of logits a step, and in 4 KB pages each new one costs ~25,000 page faults:
# the pretrain demo runs ~1.7x faster with it. THP_MEM_ALLOC_ENABLE=0 in the environment turns it off.
HUGE_PAGES = ("THP_MEM_ALLOC_ENABLE", "1")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault(*HUGE_PAGES)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not hasattr(args, "func"):
            from tutor.ui.app import run_app

            return run_app()
        return args.func(args)
    except TutorError as exc:
        print(f"tutor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`tutor decks | head`): stop quietly, as other shell tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
