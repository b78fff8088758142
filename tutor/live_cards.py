"""Live cards: questions whose answer the engine computes when the card is shown.

A deck card declares, under ``live``, a demo with its arguments, the field of the demo's result that is
the answer (a dotted path such as ``count`` or ``query_weights.2``) and how a typed answer is compared.
``variants`` lists argument sets drawn at random each time the card comes up, so the learner learns the
method rather than one number; a variant may also fill ``{placeholders}`` of the question and the field.
Nothing here imports torch: only :func:`compute` runs the demo.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

from tutor.deck_files import KEY_LINES, LINE, MARKERS, plain
from tutor.errors import TutorError

LIVE_KEYS = ("demo", "args", "answer", "compare", "tolerance", "variants")
COMPARES = ("exact", "words", "number")
DEFAULT_TOLERANCE = 0.005  # two decimals: 0.24 is right for the book's 0.2379


@dataclass
class LiveSpec:
    demo: str
    answer: str  # the result's field, dotted; may hold {placeholders}
    args: dict = field(default_factory=dict)
    # None: from the answer's type (whole numbers exact, floats number, text words).
    compare: str | None = None
    tolerance: float = DEFAULT_TOLERANCE
    variants: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        raw: dict = {"demo": self.demo}
        if self.args:
            raw["args"] = dict(self.args)
        raw["answer"] = self.answer
        if self.compare:
            raw["compare"] = self.compare
        if self.tolerance != DEFAULT_TOLERANCE:
            raw["tolerance"] = self.tolerance
        if self.variants:
            raw["variants"] = [dict(variant) for variant in self.variants]
        return raw


@dataclass
class LiveQuestion:
    """One drawing of a live card: the question as asked and the demo call that answers it."""

    question: str
    demo: str
    args: dict
    field: str


@dataclass
class LiveAnswer:
    value: Any
    text: str  # what a typed answer is compared with
    shown: str  # as the answer side shows it: 80,411,200 rather than 80411200
    compare: str
    tolerance: float


class LiveError(TutorError):
    """A mistake in a card's ``live`` mapping, with the line of the key at fault when the file has it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _placeholders(template: str) -> set[str]:
    """The ``{names}`` in a template; ``{{`` stays a brace."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise TutorError(
            f"has a '{{' or '}}' that is not a placeholder ({exc}); double it to show it"
        ) from None


def parse_live(raw: object, question: str) -> LiveSpec:
    """The ``live`` mapping checked against the demo registry; ``LiveError`` says what is wrong, and where."""
    try:
        return _parse_live(raw, question)
    except LiveError:
        raise
    except TutorError as exc:  # the demo registry's sentence about a bad argument of a variant
        raise LiveError(
            str(exc).rstrip("."), _line(raw, "variants" if _has(raw, "variants") else "args")
        ) from None


def _has(raw: object, key: str) -> bool:
    return isinstance(raw, dict) and raw.get(key) is not None


def _line(raw: object, key: str, item: int | None = None) -> int | None:
    """The deck file's line of ``raw[key]`` (or of its item), as the YAML loader marked it."""
    if not isinstance(raw, dict):
        return None
    value = raw.get(key)
    if item is not None and isinstance(value, list) and item < len(value) and isinstance(value[item], dict):
        return value[item].get(LINE)
    return raw.get(KEY_LINES, {}).get(key)


def _parse_live(raw: object, question: str) -> LiveSpec:
    if not isinstance(raw, dict):
        raise TutorError("'live' must be a mapping like {demo: tokenize, args: {text: hi}, answer: count}")
    unknown = [key for key in raw if key not in LIVE_KEYS and key not in MARKERS]
    if unknown:
        raise LiveError(
            f"'live' has an unknown key '{unknown[0]}' (known: {', '.join(LIVE_KEYS)})",
            _line(raw, unknown[0]),
        )
    from tutor.demos import get_demo, validate_link

    if not isinstance(raw.get("demo"), str):
        raise TutorError("'live' needs 'demo', the name of a demo such as tokenize")
    try:
        demo = get_demo(raw["demo"])
    except TutorError as exc:
        raise LiveError(str(exc).rstrip("."), _line(raw, "demo")) from None
    if not isinstance(raw.get("answer"), str) or not raw["answer"].strip():
        raise LiveError(
            "'live' needs 'answer', the result's field such as count or query_weights.2", _line(raw, "answer")
        )
    args = plain(raw.get("args") or {})
    if not isinstance(args, dict):
        raise LiveError("'live' has 'args' that is not a mapping like {text: hi}", _line(raw, "args"))
    compare = raw.get("compare")
    if compare is not None and compare not in COMPARES:
        raise LiveError(
            f"'live' has compare {compare!r}; choose one of: {', '.join(COMPARES)}", _line(raw, "compare")
        )
    tolerance = raw.get("tolerance", DEFAULT_TOLERANCE)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
        raise LiveError("'live' has a 'tolerance' that is not a number of 0 or more", _line(raw, "tolerance"))
    variants = plain(raw.get("variants") or [])
    if not isinstance(variants, list) or not all(isinstance(v, dict) and v for v in variants):
        raise TutorError(
            "'live' has 'variants' that is not a list of mappings like [{text: cat}, {text: dog}]"
        )
    try:
        wanted = _placeholders(question) | _placeholders(raw["answer"])
    except TutorError as exc:
        raise TutorError(f"the question or the live answer {exc}") from None
    for number, variant in enumerate(variants or [{}], 1):
        extra = [key for key in variant if key not in demo.args and key not in wanted]
        if extra:
            raise LiveError(
                f"'live' variant {number} has '{extra[0]}', neither an argument of demo '{demo.name}' "
                f"({', '.join(demo.args)}) nor a {{placeholder}} of the question",
                _line(raw, "variants", number - 1),
            )
        chosen = {**args, **variant}
        try:
            validate_link(demo.name, {key: value for key, value in chosen.items() if key in demo.args})
        except TutorError as exc:
            where = _line(raw, "variants", number - 1) if variants else _line(raw, "args")
            raise LiveError(str(exc).rstrip("."), where) from None
        missing = [name for name in wanted if name not in chosen and name not in demo.args]
        if missing:
            raise TutorError(f"the placeholder {{{missing[0]}}} is given no value by 'args' or 'variants'")
    return LiveSpec(demo.name, raw["answer"].strip(), args, compare, float(tolerance), variants)


def draw(spec: LiveSpec, question: str, rng: random.Random | None = None) -> LiveQuestion:
    """One variant, drawn at random (the card's fixed arguments when it has none)."""
    from tutor.demos import get_demo

    variant = (rng or random).choice(spec.variants) if spec.variants else {}
    chosen = {**spec.args, **variant}
    demo = get_demo(spec.demo)
    values = {**demo.defaults, **chosen}
    words = {key: _shown(value) for key, value in values.items()}
    args = {key: value for key, value in chosen.items() if key in demo.args}
    return LiveQuestion(_fill(question, words), spec.demo, args, _fill(spec.answer, words))


def _fill(template: str, words: dict) -> str:
    return string.Formatter().vformat(template, (), words) if "{" in template else template


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def field_of(result: Any, path: str) -> Any:
    """The value at a dotted path of the result's JSON (list items by number, from 0; -1 is the last)."""
    value: Any = result.to_json() if hasattr(result, "to_json") else result
    for part in path.split("."):
        if isinstance(value, list):
            try:
                value = value[int(part)]
            except (ValueError, IndexError):
                raise TutorError(
                    f"the result has no item {part!r} in '{path}' (it has {len(value)})"
                ) from None
        elif isinstance(value, dict) and part in value:
            value = value[part]
        elif hasattr(value, part):
            value = getattr(value, part)
        else:
            known = ", ".join(value) if isinstance(value, dict) else type(value).__name__
            raise TutorError(f"the result has no field {part!r} in '{path}' (it has: {known})")
    return value


def compare_kind(spec: LiveSpec, value: Any) -> str:
    if spec.compare:
        return spec.compare
    if isinstance(value, float):
        return "number"
    if isinstance(value, int) or (isinstance(value, list) and all(isinstance(v, int) for v in value)):
        return "exact"
    return "words"


def format_value(value: Any, kind: str) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list):
        return ", ".join(format_value(item, kind) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return str(value)


def compute(spec: LiveSpec, asked: LiveQuestion) -> LiveAnswer:
    """Run the demo (torch loads here) and take the answer from its result."""
    from tutor.demos import run_demo

    result = run_demo(asked.demo, **asked.args)
    value = field_of(result, asked.field)
    kind = compare_kind(spec, value)
    text = format_value(value, kind)
    shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else text
    return LiveAnswer(value, text, shown, kind, spec.tolerance)
