"""Tokens drawn as the learner reads them: each piece in its own colour, whitespace visible, ids beneath."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from tutor.demos.tokens import visible

# Alternating token colours; odd tokens are also underlined so the cuts stay visible under NO_COLOR.
TOKEN_STYLES = [
    "black on #8fbcbb",
    "black on #ebcb8b",
    "black on #b48ead",
    "black on #a3be8c",
    "black on #d08770",
]


def token_style(index: int) -> str:
    return TOKEN_STYLES[index % len(TOKEN_STYLES)] + (" underline" if index % 2 else "")


class TokenStrip(Widget):
    """Tokens flowed into lines to fit the width: the piece above, its id below."""

    DEFAULT_CSS = "TokenStrip { height: auto; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tokens: list[tuple[str, int]] = []

    def show(self, tokens: list[tuple[str, int]]) -> None:
        self.tokens = tokens
        self.refresh(layout=True)

    def clear_shown(self) -> None:
        self.show([])

    def _lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        pieces, ids, used = Text(), Text(), 0
        for index, (piece, token_id) in enumerate(self.tokens):
            shown = visible(piece)
            cell = max(cell_len(shown), len(str(token_id)))
            if used and used + cell + 1 > width:
                lines += [pieces, ids, Text()]
                pieces, ids, used = Text(), Text(), 0
            pieces.append(shown, style=token_style(index))
            pieces.append(" " * (cell - cell_len(shown) + 1))
            ids.append(str(token_id).ljust(cell + 1), style="dim")
            used += cell + 1
        if used:
            lines += [pieces, ids]
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self._lines(max(width, 10))))

    def render(self) -> RenderableType:
        return Text("\n").join(self._lines(max(self.size.width, 10)))
