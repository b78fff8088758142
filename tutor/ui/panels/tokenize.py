"""tokenize: the text cut into GPT-2 tokens (chapter 2.5)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.demos.tokens import visible
from tutor.ui.panels.base import DemoPanel
from tutor.ui.widgets.tokens import TokenStrip, token_style
from tutor.wording import plural


class TokenizePanel(DemoPanel):
    demo_name = "tokenize"

    def compose_output(self) -> ComposeResult:
        with VerticalScroll(classes="demo-output"):
            yield Static(id="token-count", classes="headline")
            yield Static(id="token-text")
            yield TokenStrip(id="token-strip")
            yield Static(id="token-splits", markup=False)

    def done_text(self, result) -> str:
        notes = " ".join(result.notes)
        return (
            f"{notes} Edit the text: the tokens follow as you type."
            if notes
            else "Edit the text: the tokens follow as you type."
        )

    def show_result(self, result) -> None:
        self.query_one("#token-count", Static).update(
            f"{plural(result.count, 'token')} for {plural(result.word_count, 'word')} and "
            f"{plural(len(result.text), 'character')}"
            f" · vocabulary {result.vocab_size:,}"
        )
        coloured = Text()
        for index, token in enumerate(result.tokens):
            coloured.append(visible(token.text), style=token_style(index))
        self.query_one("#token-text", Static).update(coloured)
        self.query_one(TokenStrip).show([(token.text, token.id) for token in result.tokens])
        if result.split_words:
            lines = ["Words cut into sub-word pieces:"]
            lines += [
                f"  {w.word} → {' | '.join(w.pieces)}  ({', '.join(map(str, w.ids))})"
                for w in result.split_words
            ]
        else:
            lines = ["Every word here is one token of GPT-2's vocabulary."]
        self.query_one("#token-splits", Static).update("\n".join(lines))
