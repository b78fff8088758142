"""Review: Anki's loop. Question, answer, grade 1-4; suspend, bury, undo each, edit, open the card's demo."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Header, Markdown, Rule, Static

from tutor.live_cards import LiveQuestion
from tutor.scheduling import RATINGS, format_interval
from tutor.session import StudySession
from tutor.ui.editing import edit_card
from tutor.ui.screens.base import TutorScreen
from tutor.ui.widgets.answer import AnswerView
from tutor.ui.widgets.bars import short
from tutor.ui.widgets.footer import KeysFooter
from tutor.ui.widgets.type_in import TypedAnswer


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


class ReviewScreen(TutorScreen[None]):
    """The study session's card, one at a time; a summary after the last one. The session does the work."""

    # 1-4 stay off the footer: the grade buttons show them, with their intervals.
    BINDINGS = [
        Binding("space", "show_answer", "Reveal", id="review.show"),
        Binding("enter", "show_answer", "Show answer", show=False, id="review.show_enter"),
        # As in Anki: once the answer shows, space and Enter grade Good.
        # A typed answer proposes its grade (Again when wrong), and then space and Enter take that one.
        Binding("space", "accept", "Good", show=False, id="review.good_space"),
        Binding("enter", "accept", "Good", show=False, id="review.good_enter"),
        Binding("1", "grade(1)", "Again", show=False, id="review.again"),
        Binding("2", "grade(2)", "Hard", show=False, id="review.hard"),
        Binding("3", "grade(3)", "Good", show=False, id="review.good"),
        Binding("4", "grade(4)", "Easy", show=False, id="review.easy"),
        Binding("u", "undo", "Undo", id="review.undo"),
        # Anki's keys, away from Decks' s (Stats) and b (Browse), so a slip cannot hide a card.
        Binding("at", "suspend", "Suspend", key_display="@", id="review.suspend"),
        Binding("minus", "bury", "Bury", key_display="-", id="review.bury"),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("E", "edit_file", "Edit the deck file", key_display="E", show=False, id="review.edit_file"),
        Binding("d", "demo", "Demo", id="review.demo"),
        Binding("n", "notes", "Deck notes", show=False, id="review.notes"),
        Binding("enter", "finish", "Back to decks", id="review.finish"),
        Binding("escape", "back", "Decks", id="review.back"),
    ]

    def __init__(self, deck_id: str | None = None, cram: bool = False) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.cram = cram
        self.session: StudySession | None = None  # built on mount, from the app's library
        self.shown = False  # the answer is showing
        self.proposed: int | None = None  # the typed answer's proposed grade

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-status", markup=False)  # deck titles are the learner's text
        with VerticalScroll(id="card"):
            yield Markdown(id="question")
            yield Rule(id="answer-rule")
            yield Vertical(id="answer")
        yield Markdown(id="summary")
        with Horizontal(id="grades"):
            yield Button("Show answer  space", id="show", variant="primary")
            for rating, name in RATINGS.items():
                yield Button(f"{rating} {name}", id=f"grade-{rating}", classes="grade")
        yield KeysFooter()

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # keys, not focus, drive the review: space and Enter stay ours
        title = self.app.library.title(self.deck_id)
        self.sub_title = f"{title} · cram" if self.cram else title
        self.set_interval(30, self._refresh_summary)
        self.session = StudySession(self.app.library, self.deck_id, self.cram, clock=self.app.clock)
        if self.app.store is None:
            self.notify("The progress store could not be opened, so there is nothing to review.")
        self.session.start()
        self.show()

    @property
    def study(self) -> StudySession:
        assert self.session is not None  # built on mount, before any key reaches the screen
        return self.session

    @property
    def current(self) -> str | None:
        """The id of the card on screen (None on the summary)."""
        card = self.study.current if self.session else None
        return card.id if card else None

    @property
    def card_id(self) -> str:
        """The card on screen; the keys that act on it are off (check_action) while there is none."""
        assert self.current is not None
        return self.current

    @property
    def asked(self) -> LiveQuestion | None:
        return self.study.asked

    @property
    def graded(self) -> list[tuple[str, int]]:
        """(card id, rating) of each answer given in this session and not undone."""
        return self.study.graded

    def show(self) -> None:
        """Draw the session's current card, or the summary when there is none."""
        if self.study.current is None:
            self.show_summary()
        else:
            self.show_card()

    def show_card(self) -> None:
        card = self.study.current
        assert card is not None
        self.shown = False
        self.remove_class("done")
        self.remove_class("answered")
        self.proposed = None
        self._show_proposed()
        self.query_one("#question", Markdown).update(self.asked.question if self.asked else card.question)
        for old in self.query(TypedAnswer):
            old.remove()
        if card.types_answer:
            typed = TypedAnswer(card, self.asked)
            self.query_one("#card", VerticalScroll).mount(typed, after="#question")
            self.call_after_refresh(lambda: typed.query_one("#typed").focus())
        answer = self.query_one("#answer", Vertical)
        answer.remove_children()
        answer.mount(AnswerView(card))
        # Cram leaves the schedule as it is: the buttons show no interval they would not apply.
        intervals = self.study.intervals
        for rating, name in RATINGS.items():
            label = f"{rating} {name}" + (f" · {format_interval(intervals[rating])}" if intervals else "")
            self.query_one(f"#grade-{rating}", Button).label = label
        flags = {"reversed": " · reversed card", "cloze": " · cloze: fill the blank"}.get(card.kind, "")
        flags += " · needs an answer" if card.needs_answer else ""
        if card.demos or self.asked:
            flags += " · d opens " + ", ".join(name for name, _args in self.study.demo_links())
        flags += " · n notes"
        if self.study.last_hidden:
            flags += f" · {self.study.last_hidden} the last card: u undoes"
        self.query_one("#review-status", Static).update(
            f"{self.app.library.title(card.deck_id)} · {self.counts()} · {len(self.graded)} done{flags}"
        )
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def counts(self) -> str:
        """Anki's three counts of what is left today, new · learning · review (the cram: cards left)."""
        counts = self.study.counts
        if counts is None:
            return f"{self.study.left} left"
        return f"{counts.new} new · {counts.learning} learning · {counts.review} review"

    def show_summary(self) -> None:
        self.add_class("done")
        summary = self.study.summary()
        lines = ["## Session done", ""]
        if summary.reviewed:
            counts = ", ".join(f"{summary.by_rating[rating]} {name}" for rating, name in RATINGS.items())
            lines += [
                f"- **{summary.reviewed}** cards in **{format_duration(summary.seconds)}**",
                f"- Again: **{summary.again_share:.0%}** ({counts})",
            ]
        else:
            lines.append(
                "- Nothing here can be studied now: cards that need an answer wait for one "
                "(**e** on the card in Browse)."
                if self.cram
                else "- Nothing was due here. Come back later, or cram the deck with **c** on Decks."
            )
        later = self.learning_later(summary.next_due, summary.learning)
        if later:
            lines.append(later)
        lines += [
            "",
            "Press **Enter** or **Escape** to go back to the decks, "
            "**u** to undo the last grade, suspend or bury.",
        ]
        self.query_one("#summary", Markdown).update("\n".join(lines))
        self.refresh_bindings()

    def learning_later(self, due: datetime | None, learning: int) -> str:
        """When the next card is ready (learn-ahead included), and how many are still in learning."""
        if due is None:
            return ""
        now = self.app.clock()
        still = f"{learning} still in learning; the" if learning else "The"
        if due <= now:
            return f"- {still} next card is ready **now**: Enter, then study the deck again."
        local = due.astimezone()
        at = f"{local:%H:%M}" if local.date() == now.astimezone().date() else f"{local:%a %d %b %H:%M}"
        return f"- {still} next card is ready in **{format_interval(due - now)}** ({at})."

    def _refresh_summary(self) -> None:
        """The wait on the summary counts down by itself."""
        if self.current is None and self.is_current:
            self.show_summary()

    # What the keys do.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that do nothing right now leave the footer (space before the answer, 1-4 after it)."""
        if action == "show_answer":
            return bool(self.current and not self.shown)
        if action == "finish":
            return self.current is None  # the summary: Enter goes back to the decks
        if action in ("grade", "accept"):
            return bool(self.current and self.shown)
        if action in ("suspend", "bury", "edit", "edit_file", "demo", "notes"):
            return self.current is not None
        return True

    def action_finish(self) -> None:
        self.app.pop_screen()

    def action_show_answer(self) -> None:
        if self.current is not None and not self.shown:
            for typed in self.query(TypedAnswer):
                typed.reveal()
            self.shown = True
            self.add_class("answered")
            self.refresh_bindings()

    def action_accept(self) -> None:
        """Space or Enter on the answer: the typed answer's proposed grade, else Good."""
        self.action_grade(self.proposed or 3)

    def on_typed_answer_submitted(self, event: TypedAnswer.Submitted) -> None:
        self.action_show_answer()

    def on_typed_answer_checked(self, event: TypedAnswer.Checked) -> None:
        self.proposed = event.verdict.proposed if event.verdict is not None else None
        self._show_proposed()

    def _show_proposed(self) -> None:
        """The proposed grade's button stands out; the learner can still press another."""
        for rating in RATINGS:
            button = self.query_one(f"#grade-{rating}", Button)
            button.variant = "primary" if rating == self.proposed else "default"

    def action_grade(self, rating: int) -> None:
        if self.current is None or not self.shown:
            return
        saved, graded = self.app.store_write(self.study.grade, rating)
        if not saved:
            return  # not saved (the learner was told why); the card stays, answer shown, to try again
        if graded is not None and graded.became_leech:
            self.notify(
                "This card is a leech now (forgotten again and again) and was suspended; "
                "rewrite it with e, then unsuspend it in Browse.",
                severity="warning",
                timeout=8,
            )
        self.show()

    def action_undo(self) -> None:
        saved, undone = self.app.store_write(self.study.undo)
        if not saved:
            return
        if undone is None:
            self.notify("Nothing to undo.", timeout=3)
            return
        what = {"grade": "the last grade", "suspend": "the suspension", "bury": "the bury"}[undone.kind]
        if undone.card is None:
            self.notify(f"Undid {what} of a card that is no longer in your decks.", timeout=4)
            return
        self.show()
        self.notify(f"Undid {what} of “{short(undone.card.question, 40)}”.", timeout=3)

    def action_suspend(self) -> None:
        if not self.app.store_write(self.study.suspend)[0]:
            return
        self.notify(
            "Suspended: it stays out of reviews until you unsuspend it in Browse (u undoes).", timeout=6
        )
        self.show()

    def action_bury(self) -> None:
        if not self.app.store_write(self.study.bury)[0]:
            return
        self.notify("Buried until tomorrow (u undoes).", timeout=6)
        self.show()

    def action_edit(self) -> None:
        """Edit the question and answer in the app; the change goes to the learner's edits file."""
        self.app.edit_in_app(self.card_id, self._after_edit)

    def action_edit_file(self) -> None:
        if edit_card(self.app, self.app.cards[self.card_id]):
            self.app.reload_decks()
            self._after_edit()

    def _after_edit(self) -> None:
        saved, kept = self.app.store_write(self.study.refresh)
        if saved and not kept:
            self.notify("The card is gone from its deck after the edit.", timeout=4)
        self.show()

    def action_demo(self) -> None:
        from tutor.ui.screens.demo import DemoScreen

        links = self.study.demo_links()
        if not links:
            self.notify("This card links no demo; open one from the command palette (ctrl+p).", timeout=4)
            return
        self.app.push_screen(DemoScreen(links))

    def action_notes(self) -> None:
        """The deck's notes, and the card's line in the learner's notes."""
        card = self.app.cards[self.card_id]
        self.app.open_notes(card.deck_id, card.id)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "show":
            self.action_show_answer()
        elif event.button.id and event.button.id.startswith("grade-"):
            self.action_grade(int(event.button.id.removeprefix("grade-")))

    def palette_commands(self):
        if self.current is not None:
            yield "Edit this card", self.action_edit, "Its question and answer, in the app"
            yield "Edit this card's deck file", self.action_edit_file, "In your editor, at the card's line"
            yield "Open this card's demos", self.action_demo, "The demos the card links, prefilled"
