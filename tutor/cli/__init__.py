"""The ``tutor`` command: parses arguments, then calls the core or starts the app.

Each group of subcommands lives in a module of its own here (``notes``, ``anki``, ``progress``, ``demo``) and
offers ``add_parsers(subparsers)``; a subcommand's parser sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import TYPE_CHECKING

from tutor import __version__
from tutor.errors import TutorError
from tutor.terminal_text import VisibleStream

if TYPE_CHECKING:
    from tutor.library import Library


def build_parser() -> argparse.ArgumentParser:
    from tutor.cli import anki, demo, notes, progress, weights

    parser = argparse.ArgumentParser(
        prog="tutor",
        description=(
            "Study how large language models work: review flashcard decks with spaced repetition "
            "and open live demos on a GPT built from scratch. Run without a command to start the app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tutor {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in (notes, anki, progress, demo, weights):
        module.add_parsers(subparsers)
    return parser


@contextmanager
def keys_held() -> Iterator[None]:
    """While the app starts (the imports, the decks), keys the learner types stay in the terminal's
    input as typed and unechoed: line mode would print them over the screen and turn Enter into a
    newline. The app reads them once it is up; the terminal's settings come back at the end."""
    try:
        import termios
    except ImportError:  # not a POSIX terminal
        yield
        return
    try:
        if not sys.stdin.isatty():
            raise termios.error("not a terminal")
        before = termios.tcgetattr(sys.stdin)
        held = termios.tcgetattr(sys.stdin)
        held[0] &= ~termios.ICRNL  # input flags: Enter stays a carriage return
        held[3] &= ~(termios.ICANON | termios.ECHO)  # local flags: no line mode, no echo
        termios.tcsetattr(sys.stdin, termios.TCSANOW, held)
    except (termios.error, OSError, ValueError):  # not a terminal (redirected, closed): nothing to hold
        yield
        return
    try:
        yield
    finally:  # Textual puts back the settings it found (the held ones); these are the learner's
        with suppress(termios.error):
            termios.tcsetattr(sys.stdin, termios.TCSADRAIN, before)


def open_library(*, store: bool = True, sync: bool = True, backup: bool = True) -> Library:
    """The learner's decks and store, as every command that needs them opens them: the deck files'
    problems and what the store said go to stderr, once; why there is no store is the library's
    ``trouble`` (a command that needs it raises it with ``need_store()``)."""
    from tutor.library import Library

    library = Library.open(store=store, sync=sync, backup=backup)
    for message in library.messages(trouble=False):
        print(f"tutor: {message}", file=sys.stderr)
    return library


# Tensors of 2 MB and more on huge pages (Linux; torch reads this at its first such tensor). Training a
# small GPT allocates ~100 MB of logits a step, and in 4 KB pages each new one costs ~25,000 page faults:
# the pretrain demo runs ~1.7x faster with it. THP_MEM_ALLOC_ENABLE=0 in the environment turns it off.
HUGE_PAGES = ("THP_MEM_ALLOC_ENABLE", "1")


def _forgiving_output() -> None:
    """Under a strict locale (ASCII, Latin-1) a deck title or a file name that is not UTF-8 would end
    the command in a UnicodeEncodeError; write such characters as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault(*HUGE_PAGES)
    _forgiving_output()
    streams = sys.stdout, sys.stderr
    # Deck titles, questions and generated text are printed as they are: a shared deck's escape sequences
    # (clipboard, window title) must reach the terminal as visible text, not as commands.
    sys.stdout, sys.stderr = VisibleStream(sys.stdout), VisibleStream(sys.stderr)
    starts_app = not (sys.argv[1:] if argv is None else argv)
    try:
        with keys_held() if starts_app else nullcontext():
            return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not hasattr(args, "func"):
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                raise TutorError(
                    "The app needs a terminal, and its input or output is redirected; start it in a "
                    "terminal, or use a command such as `tutor decks` or `tutor due` (tutor --help)."
                )
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
