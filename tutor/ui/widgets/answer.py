"""A card's answer: markdown, plus the pictures it links to drawn in the terminal when the files exist."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static


def answer_images(card) -> list[tuple[str, Path | None]]:
    """Each image of the answer as (alt text, file) where the file exists, else (alt text, None)."""
    if "![" not in card.answer:
        return []
    return [(image.alt, image.path if image.exists else None) for image in card.images()]


def _image_widget(file: Path, alt: str):
    """textual-image's widget, or None where it cannot ask the terminal any more (it must before start-up)."""
    if "textual_image.widget" not in sys.modules and sys.__stdout__ and sys.__stdout__.isatty():
        return None
    try:
        from textual_image.widget import Image
    except ImportError:
        return None
    image = Image(file, classes="answer-image")
    image.tooltip = alt
    return image


class AnswerView(Vertical):
    """The answer as markdown; an image whose file exists is drawn below it, a missing one keeps its alt."""

    DEFAULT_CSS = "AnswerView { height: auto; }"

    def __init__(self, card, **kwargs) -> None:
        super().__init__(**kwargs)
        self.card = card

    def compose(self) -> ComposeResult:
        yield Markdown(self.card.answer or "*No answer yet: press e to write one.*", classes="answer-text")
        for alt, file in answer_images(self.card):
            if file is None:
                continue
            widget = _image_widget(file, alt)
            yield (
                widget
                if widget is not None
                else Static(f"🖼  {alt} ({file.name})", classes="image-alt", markup=False)
            )
