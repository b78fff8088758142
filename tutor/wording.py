"""Counts in words the learner reads: ``1 word``, ``3 words``, ``1 day``; the CLI and the app share them."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``plural(1, "word")`` is ``1 word``; ``plural(3, "word")`` is ``3 words`` (``many`` for odd ones)."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {many or word + 's'}"


def counted(number: int, noun: str, width: int = 0) -> str:
    """``3 cards`` with the number right-aligned in ``width`` columns, for the CLI's reports."""
    return f"{number:>{width}} {noun}{'' if number == 1 else 's'}"


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, so a cut never looks like a whole word."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
