"""The typed answer on a review card: an input, then the expected answer, a character diff and a grade.

For a live card the expected answer comes from the engine, computed in a thread worker when the answer is
shown (torch loads then, as in the demo panels); the widget reports its verdict with ``Checked`` so the
review can propose the grade.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tutor.errors import TutorError
from tutor.live_cards import LiveAnswer, LiveQuestion, compute
from tutor.typed_answers import Verdict, check, plain_answer

STYLES = {"same": "", "missing": "bold green underline", "extra": "bold red strike"}


def diff_text(verdict: Verdict) -> Text:
    text = Text()
    for piece in verdict.diff:
        text.append(piece.text, style=STYLES[piece.kind])
    return text


class TypedAnswer(Vertical):
    """The learner types; Enter shows how the typed answer compares with the card's (or the engine's)."""

    DEFAULT_CSS = """
    TypedAnswer { height: auto; margin: 1 0 0 0; }
    TypedAnswer #typed-result { height: auto; }
    """

    class Submitted(Message):
        """Enter in the input: the review shows the answer."""

    class Checked(Message):
        def __init__(self, verdict: Verdict | None) -> None:
            super().__init__()
            self.verdict = verdict  # None: the engine could not compute the answer

    def __init__(self, card, asked: LiveQuestion | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.card = card
        self.asked = asked
        self.verdict: Verdict | None = None
        self.revealed = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type your answer, then Enter", id="typed")
        yield Static(id="typed-result")

    @property
    def typed(self) -> str:
        return self.query_one("#typed", Input).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted())

    def reveal(self) -> None:
        """Stop the typing and compare: at once for a written answer, after the engine for a live one."""
        if self.revealed:
            return
        self.revealed = True
        field = self.query_one("#typed", Input)
        field.disabled = True  # the review's keys (1-4, space, Enter) are the learner's again
        if self.asked is None:
            # A cloze card is answered with its deletion, not the text around it.
            self._show(self.card.expected or plain_answer(self.card.answer), "words", 0.0, None)
            return
        self.query_one("#typed-result", Static).update(Text("The engine is computing the answer…"))
        self._compute(self.card.live, self.asked)

    @work(thread=True, exclusive=True, group="live-answer")
    def _compute(self, spec, asked: LiveQuestion) -> None:
        try:
            answer = compute(spec, asked)
        except TutorError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show_live, answer)

    def _show_live(self, answer: LiveAnswer) -> None:
        demo = self.asked.demo if self.asked is not None else "its demo"
        source = f"The engine's answer ({demo})"
        self._show(answer.text, answer.compare, answer.tolerance, source, answer.shown)

    def _failed(self, why: str) -> None:
        message = f"The engine could not compute this card's answer: {why.rstrip('.')}. Grade it yourself."
        self.query_one("#typed-result", Static).update(Text(message, style="bold red"))
        self.post_message(self.Checked(None))

    def _show(
        self, expected: str, compare: str, tolerance: float, source: str | None, shown: str | None = None
    ) -> None:
        if not self.is_attached:
            return  # the learner moved on before the engine answered
        self.verdict = verdict = check(expected, self.typed, compare, tolerance)
        text = Text()
        text.append(f"{source or 'The answer'}: ", style="bold")
        text.append((shown or expected) + "\n")
        text.append("You typed: ", style="bold")
        text.append(self.typed.strip() or "(nothing)")
        text.append("\n")
        if self.typed.strip() and not verdict.right:
            text.append("Difference: ", style="bold")
            text.append_text(diff_text(verdict))
            text.append("  (green: missing, red: not in the answer)\n")
        grade = "Good" if verdict.right else "Again"
        style = "bold green" if verdict.right else "bold red"
        text.append(f"{verdict.why} Proposed grade: {grade}", style=style)
        text.append(" (Enter or space to accept, 1-4 to grade otherwise)")
        self.query_one("#typed-result", Static).update(text)
        self.post_message(self.Checked(verdict))
