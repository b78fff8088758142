"""A card's answer: markdown, plus the pictures it links to drawn in the terminal when they can be.

A picture that cannot be drawn (missing, outside the deck's folders, too large, damaged, not a picture)
is a line with its file, the reason and its alt text; ``tutor.pictures`` decides, before decoding.
"""

from __future__ import annotations

import sys

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from tutor.pictures import Picture, load_picture


def answer_pictures(card) -> list[Picture]:
    """Each picture the answer links to a file (web addresses are left to the markdown's alt text)."""
    if "![" not in card.answer:
        return []
    roots = card.picture_roots()
    return [load_picture(image.alt, image.path, roots) for image in card.images() if image.path is not None]


def _image_widget(picture: Picture):
    """textual-image's widget, or None where it cannot ask the terminal any more (it must before start-up)."""
    if "textual_image.widget" not in sys.modules and sys.__stdout__ and sys.__stdout__.isatty():
        return None
    from textual_image.widget import Image

    image = Image(picture.image, classes="answer-image")
    image.tooltip = picture.alt
    return image


class AnswerView(Vertical):
    """The answer as markdown; each picture drawn below it, or a line saying why it is not."""

    DEFAULT_CSS = "AnswerView { height: auto; }"

    def __init__(self, card, **kwargs) -> None:
        super().__init__(**kwargs)
        self.card = card

    def compose(self) -> ComposeResult:
        yield Markdown(self.card.answer or "*No answer yet: press e to write one.*", classes="answer-text")
        for picture in answer_pictures(self.card):
            widget = _image_widget(picture) if picture.problem is None else None
            if widget is not None:
                yield widget
            elif picture.problem is not None:
                yield Static(picture.describe(), classes="image-alt", markup=False)
            else:
                yield Static(f"🖼  {picture.alt} ({picture.name})", classes="image-alt", markup=False)
