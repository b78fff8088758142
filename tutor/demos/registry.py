"""Checking and running demos: the arguments against the catalogue's schema, the function by its name.

A demo module declares its function with :func:`demo`; the decorator checks every call against the
catalogue's schema (so a bad argument gives the same sentence from the function, the CLI, the app and the
deck loader) and fills in the defaults. Nothing here imports a demo's code or torch.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

from tutor.demos.catalogue import DEMOS, Arg, Demo
from tutor.errors import TutorError

__all__ = [
    "DEMOS",
    "Arg",
    "Demo",
    "Result",
    "check_args",
    "check_value",
    "demo",
    "get_demo",
    "run_demo",
    "validate_link",
]


class Result:
    """Mixin for the plain dataclasses a demo returns."""

    def to_json(self) -> dict:
        """The result as JSON-ready dicts and lists (rows of numbers are shared, not copied)."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], int | float | str | type(None)):
            return value if isinstance(value, list) else list(value)  # a row of numbers or words
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


_TYPE_WORDS = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}


# Whole numbers the engine hands to torch (seeds, counts) must fit its 64-bit integers.
INT_MINIMUM, INT_MAXIMUM = -(2**63), 2**63 - 1


def _describe_range(arg: Arg) -> str:
    parts = []
    if arg.above is not None:
        parts.append(f"greater than {arg.above:g}")
    if arg.minimum is not None:
        parts.append(f"at least {arg.minimum:g}")
    if arg.maximum is not None:
        parts.append(f"at most {arg.maximum:g}")
    return " and ".join(parts)


def check_value(demo_name: str, arg_name: str, arg: Arg, value: Any) -> Any:
    """Return ``value`` as the argument's type, or raise ``TutorError`` with one sentence."""
    where = f"Demo '{demo_name}': argument '{arg_name}'"
    if value is None:
        if arg.default is None:
            return None
        raise TutorError(f"{where} needs a value ({_TYPE_WORDS[arg.type]}).")
    if arg.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, arg.type) or (arg.type is not bool and isinstance(value, bool)):
        raise TutorError(f"{where} must be {_TYPE_WORDS[arg.type]}, not {type(value).__name__} {value!r}.")
    if arg.type is float and not math.isfinite(value):
        raise TutorError(f"{where} must be a finite number, not {value!r}.")
    if arg.type is str:
        if arg.non_empty and not value.strip():
            raise TutorError(f"{where} is empty; give it some text.")
        if arg.choices is not None and value not in arg.choices:
            raise TutorError(f"{where} is {value!r}; choose one of: {', '.join(arg.choices)}.")
    if arg.type in (int, float):
        bad = (
            (arg.above is not None and not value > arg.above)
            or (arg.minimum is not None and value < arg.minimum)
            or (arg.maximum is not None and value > arg.maximum)
        )
        if bad:
            raise TutorError(f"{where} must be {_describe_range(arg)}, not {value!r}.")
        if arg.nonzero_minimum is not None and 0 < value < arg.nonzero_minimum:
            raise TutorError(f"{where} must be 0 or at least {arg.nonzero_minimum:g}, not {value!r}.")
        if arg.type is int and not INT_MINIMUM <= value <= INT_MAXIMUM:
            raise TutorError(f"{where} must be from {INT_MINIMUM:,} to {INT_MAXIMUM:,} (64-bit).")
    return value


def get_demo(name: str) -> Demo:
    """The catalogue's demo called ``name``; ``TutorError`` naming the known demos if there is none."""
    try:
        return DEMOS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(DEMOS))
        raise TutorError(f"There is no demo called {name!r}; the demos are: {known}.") from None


def check_args(demo: Demo, args: dict[str, Any]) -> dict[str, Any]:
    """Every argument checked and converted, defaults filled in."""
    unknown = [key for key in args if key not in demo.args]
    if unknown:
        known = ", ".join(demo.args) or "none"
        raise TutorError(f"Demo '{demo.name}' has no argument {unknown[0]!r}; its arguments are: {known}.")
    values = demo.defaults
    for key, value in args.items():
        values[key] = check_value(demo.name, key, demo.args[key], value)
    return values


def validate_link(name: str, args: dict[str, Any] | None) -> None:
    """Check a deck's demo link (name, argument names, types and ranges) without running anything."""
    demo = get_demo(name)
    if args is None:
        return
    if not isinstance(args, dict):
        raise TutorError(f"Demo '{name}': its arguments must be a mapping of name: value, not {args!r}.")
    check_args(demo, args)


def run_demo(name: str, *, progress: Callable[[Any], None] | None = None, cancel=None, **args: Any) -> Any:
    """Run a demo by name and return its result. ``progress``/``cancel`` reach the streaming demos only."""
    demo = get_demo(name)
    if demo.streams:
        return demo.run(progress=progress, cancel=cancel, **args)
    return demo.run(**args)


def demo(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a function as the catalogue's demo ``name``: calls are checked against its schema."""
    entry = DEMOS[name]
    order = list(entry.args)

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        # The function takes the catalogue's arguments, in its order: a schema and code that drift apart fail
        # on import, not when a learner opens the demo.
        takes = [p for p in inspect.signature(function).parameters if p not in ("progress", "cancel")]
        if takes != order:
            raise TypeError(f"demo {name!r} takes {takes}, but the catalogue lists {order}")

        @functools.wraps(function)
        def checked(*positional: Any, progress=None, cancel=None, **named: Any) -> Any:
            if len(positional) > len(order):
                raise TutorError(f"Demo '{name}' takes at most {len(order)} arguments.")
            for key, value in zip(order, positional, strict=False):
                if key in named:
                    raise TutorError(f"Demo '{name}': argument {key!r} is given twice.")
                named[key] = value
            values = check_args(entry, named)
            if entry.streams:
                return function(progress=progress, cancel=cancel, **values)
            return function(**values)

        return checked

    return register
