"""Small horizontal bars drawn as text, for table cells and lists (deck progress, token probabilities)."""

from __future__ import annotations

from rich.text import Text

FULL, PARTS = "█", " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int, style: str = "") -> Text:
    """A bar ``width`` cells wide filled to ``fraction`` (0..1), in eighths of a cell."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    whole, part = divmod(eighths, 8)
    filled = FULL * whole + (PARTS[part] if part else "")
    return Text.assemble((filled, style or "bold"), ("·" * (width - len(filled)), "dim"))


def share_bar(done: int, total: int, width: int) -> Text:
    """``done`` of ``total`` as a bar and a percentage: ``██████···· 60%``."""
    if not total:
        return Text("no cards".ljust(width + 5), style="dim")
    fraction = done / total
    text = bar(fraction, width)
    text.append(f" {fraction:4.0%}")
    return text


def short(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
