"""Subcommand ``demo``: run any live demo from the shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from typing import Any, NoReturn

from tutor.errors import TutorError

POSITIONAL = "first_argument"  # where argparse puts a demo's main argument given without its flag


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run a live demo on the engine (tutor demo --list)",
        description=(
            "Run a live demo on the GPT engine: tutor demo NAME [--ARG VALUE ...] [--json]. "
            "`tutor demo --list` lists the demos, `tutor demo NAME --help` their arguments."
        ),
        add_help=True,
    )
    demo.add_argument("name", nargs="?", metavar="NAME", help="the demo to run")
    demo.add_argument("--list", action="store_true", help="list the demos and their arguments")
    demo.add_argument("--json", action="store_true", help="print the result as JSON")
    demo.add_argument("demo_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    demo.set_defaults(func=run_demo_command)


class _DemoArgParser(argparse.ArgumentParser):
    """Per-demo options; a mistake becomes one sentence (TutorError), not usage plus a traceback."""

    def error(self, message: str) -> NoReturn:
        raise TutorError(f"tutor demo {self.prog.split()[-1]}: {message}; see `{self.prog} --help`.")


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def demo_parser(name: str) -> argparse.ArgumentParser:
    from tutor.demos import get_demo

    demo = get_demo(name)
    parser = _DemoArgParser(
        prog=f"tutor demo {name}",
        description=f"{demo.description} (chapter {demo.chapter}, {demo.section})",
    )
    for arg_name, arg in demo.args.items():
        flags = [f"--{arg_name.replace('_', '-')}"]
        if "_" in arg_name:
            flags.append(f"--{arg_name}")
        default = "" if arg.default is None else f" (default: {arg.default})"
        parser.add_argument(
            *flags,
            dest=arg_name,
            type=_bool if arg.type is bool else arg.type,
            default=argparse.SUPPRESS,
            help=arg.help + default + (f"; one of: {', '.join(arg.choices)}" if arg.choices else ""),
        )
    first, first_arg = next(iter(demo.args.items()))
    parser.add_argument(  # the main argument may come first without its flag: tutor demo tokenize "Hi there"
        POSITIONAL,
        nargs="?",
        metavar=first.upper(),
        type=_bool if first_arg.type is bool else first_arg.type,
        default=argparse.SUPPRESS,
        help=f"the same as --{first.replace('_', '-')}",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _demo_values(parser: argparse.ArgumentParser, options: argparse.Namespace, first: str) -> dict:
    values = {key: value for key, value in vars(options).items() if key != "json"}
    if POSITIONAL in values:
        if first in values:
            parser.error(f"give the {first} once, either first or with --{first.replace('_', '-')}")
        values[first] = values.pop(POSITIONAL)
    return values


def list_demos() -> str:
    from tutor.demos import DEMOS

    lines = []
    width = max(len(name) for name in DEMOS)
    for demo in DEMOS.values():
        lines.append(f"{demo.name:<{width}}  {demo.description}  [book: {demo.section}]")
        args = ", ".join(demo.args)
        lines.append(f"{'':<{width}}  arguments: {args}")
    return "\n".join(lines)


def demos_json() -> list[dict]:
    """The registry as data: each demo with its argument schema (what deck links may say)."""
    from tutor.demos import DEMOS

    return [
        {
            "name": demo.name,
            "description": demo.description,
            "chapter": demo.chapter,
            "section": demo.section,
            "streams": demo.streams,
            "args": {
                name: {
                    "type": arg.type.__name__,
                    "default": arg.default,
                    "help": arg.help,
                    "choices": list(arg.choices) if arg.choices else None,
                    "minimum": arg.minimum,
                    "maximum": arg.maximum,
                    "above": arg.above,
                }
                for name, arg in demo.args.items()
            },
        }
        for demo in DEMOS.values()
    ]


def run_demo_command(args: argparse.Namespace) -> int:
    if args.list or args.name is None:
        print(json.dumps(demos_json(), ensure_ascii=False) if args.json else list_demos())
        return 0
    from tutor.config import load_config

    for problem in load_config().problems:  # [demos] weights is read there; a typo must not pass silently
        print(f"tutor: {problem}", file=sys.stderr)
    parser = demo_parser(args.name)
    options = parser.parse_args(args.demo_args)
    as_json = args.json or options.json
    from tutor.cli.demo_text import ProgressPrinter, render
    from tutor.demos import get_demo

    demo = get_demo(args.name)
    values = _demo_values(parser, options, next(iter(demo.args)))
    if demo.streams:
        # Training progress always shows; generated text streams only to a terminal (the result repeats it).
        live = not as_json and (demo.name != "generate" or sys.stderr.isatty())
        result = _run_cancellable(demo, values, ProgressPrinter() if live else None)
        if live and demo.name == "generate":
            print("\n", file=sys.stderr)
    else:
        result = demo.run(**values)
    try:
        if as_json:
            json.dump(result.to_json(), sys.stdout, ensure_ascii=False)
            print()
        else:
            print(render(result))
    except BrokenPipeError:  # `tutor demo ... | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush stays quiet
    return 0


def _run_cancellable(demo, values: dict[str, Any], progress) -> Any:
    """Run a streaming demo in a thread so Ctrl-C can cancel it cleanly (pretrain keeps its checkpoint)."""
    cancel, finished = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = demo.run(progress=progress, cancel=cancel, **values)
        except BaseException as exc:  # handed to the main thread, which reports it
            outcome["error"] = exc
        finally:
            finished.set()

    # Waiting on an Event, not Thread.join: a join interrupted by Ctrl-C can wrongly report the thread done.
    threading.Thread(target=work, name=f"demo-{demo.name}", daemon=True).start()
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        print("\nStopping…", file=sys.stderr)
        cancel.set()
        finished.wait()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
