"""Review: Anki's loop. Question, answer, grade 1-4; suspend, bury, undo each, edit, open the card's demo."""

from __future__ import annotations

import random
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Header, Markdown, Rule, Static

from tutor.live_cards import LiveQuestion, draw
from tutor.scheduling import RATINGS, format_interval
from tutor.ui.editing import edit_card
from tutor.ui.screens.base import TutorScreen
from tutor.ui.widgets.answer import AnswerView
from tutor.ui.widgets.bars import short
from tutor.ui.widgets.footer import KeysFooter
from tutor.ui.widgets.type_in import TypedAnswer

if TYPE_CHECKING:
    from tutor.store import Store

HIDDEN = {"suspend": "suspended", "bury": "buried"}


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


class ReviewScreen(TutorScreen[None]):
    """One card at a time from the store's queue; a summary after the last one."""

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
        self.queue: list[str] = []
        self.current: str | None = None
        self.shown = False
        self.shown_at: datetime | None = None
        self.session_start: datetime | None = None
        # What the learner did, latest last: ("grade", card id, rating), ("suspend" | "bury", card id,
        # None). u takes these back in turn, then grades of earlier sessions from the store's log.
        self.done: list[tuple[str, str, int | None]] = []
        self.rng = random.Random()  # which variant of a live card comes up
        self.asked: LiveQuestion | None = None  # the live card as drawn now: question, demo call
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
        title = self.app.decks[self.deck_id].title if self.deck_id in self.app.decks else "All decks"
        self.sub_title = f"{title} · cram" if self.cram else title
        self.session_start = self.app.clock()
        self.set_interval(30, self._refresh_summary)
        if self.app.store is None:
            self.notify("The progress store could not be opened, so there is nothing to review.")
            self.show_summary()
            return
        if self.cram:
            self.queue = self._known(self.store.queue(self.deck_id, now=self.app.clock(), cram=True))
        self.next_card()

    @property
    def store(self) -> Store:
        """The progress store; on_mount goes straight to the summary when none could be opened."""
        assert self.app.store is not None
        return self.app.store

    @property
    def card_id(self) -> str:
        """The card on screen; the keys that act on it are off (check_action) while there is none."""
        assert self.current is not None
        return self.current

    def _known(self, card_ids: list[str]) -> list[str]:
        return [card_id for card_id in card_ids if card_id in self.app.cards]

    # Moving through the queue.

    def next_card(self) -> None:
        if not self.cram:
            self.queue = self._known(self.store.queue(self.deck_id, now=self.app.clock()))
        if not self.queue:
            self.current = None
            self.show_summary()
            return
        self.current = self.queue.pop(0) if self.cram else self.queue[0]
        self.show_card()

    def show_card(self) -> None:
        card = self.app.cards[self.card_id]
        self.shown = False
        self.shown_at = self.app.clock()
        self.remove_class("done")
        self.remove_class("answered")
        self.asked = draw(card.live, card.question, self.rng) if card.live is not None else None
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
        intervals = {} if self.cram else self.store.next_intervals(card.id, now=self.shown_at)
        for rating, name in RATINGS.items():
            label = f"{rating} {name}" + (f" · {format_interval(intervals[rating])}" if intervals else "")
            self.query_one(f"#grade-{rating}", Button).label = label
        flags = " · needs an answer" if card.needs_answer else ""
        if card.demos or self.asked:
            flags += " · d opens " + ", ".join(name for name, _args in self._demo_links(card))
        flags += " · n notes"
        if self.done and self.done[-1][0] in HIDDEN:
            flags += f" · {HIDDEN[self.done[-1][0]]} the last card: u undoes"
        self.query_one("#review-status", Static).update(
            f"{self.app.decks[card.deck_id].title if card.deck_id in self.app.decks else card.deck_id}"
            f" · {self.counts()} · {len(self.graded)} done{flags}"
        )
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def counts(self) -> str:
        """Anki's three counts of what is left today, new · learning · review (the cram: cards left)."""
        if self.cram:
            return f"{len(self.queue) + 1} left"
        counts = self.store.deck_counts(self.deck_id, now=self.shown_at)
        return f"{counts.new} new · {counts.learning} learning · {counts.review} review"

    @property
    def graded(self) -> list[tuple[str, int]]:
        """(card id, rating) of each answer given in this session and not undone."""
        return [
            (card_id, rating) for kind, card_id, rating in self.done if kind == "grade" and rating is not None
        ]

    def show_summary(self) -> None:
        self.add_class("done")
        graded = self.graded
        reviewed = len(graded)
        seconds = (self.app.clock() - self.session_start).total_seconds() if self.session_start else 0.0
        again = sum(1 for _, rating in graded if rating == 1)
        lines = ["## Session done", ""]
        if reviewed:
            counts = ", ".join(
                f"{sum(1 for _, r in graded if r == rating)} {name}" for rating, name in RATINGS.items()
            )
            lines += [
                f"- **{reviewed}** cards in **{format_duration(seconds)}**",
                f"- Again: **{again / reviewed:.0%}** ({counts})",
            ]
        else:
            lines.append(
                "- Nothing here can be studied now: cards that need an answer wait for one "
                "(**e** on the card in Browse)."
                if self.cram
                else "- Nothing was due here. Come back later, or cram the deck with **c** on Decks."
            )
        later = self.learning_later()
        if later:
            lines.append(later)
        lines += [
            "",
            "Press **Enter** or **Escape** to go back to the decks, "
            "**u** to undo the last grade, suspend or bury.",
        ]
        self.query_one("#summary", Markdown).update("\n".join(lines))
        self.refresh_bindings()

    def learning_later(self) -> str:
        """When the next card is ready (learn-ahead included), and how many are still in learning."""
        if self.app.store is None or self.cram:
            return ""
        now = self.app.clock()
        due = self.store.next_due(self.deck_id, now=now)
        if due is None:
            return ""
        learning = sum(
            1
            for state in self.store.card_states().values()
            if state.state in ("learning", "relearning")
            and not state.suspended
            and not state.orphaned
            and (self.deck_id is None or state.deck_id == self.deck_id)
        )
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
        now = self.app.clock()
        duration_ms = int((now - self.shown_at).total_seconds() * 1000) if self.shown_at else 0
        saved, graded = self.app.store_write(
            self.store.grade,
            self.current,
            rating,
            duration_ms,
            now=now,
            cram=self.cram,
            shown_at=self.shown_at,  # the outcome on the buttons, even if a day start passed since
        )
        if not saved:
            return  # not saved (the learner was told why); the card stays, answer shown, to try again
        self.done.append(("grade", self.card_id, rating))
        if graded is not None and graded.became_leech:
            self.notify(
                "This card is a leech now (forgotten again and again) and was suspended; "
                "rewrite it with e, then unsuspend it in Browse.",
                severity="warning",
                timeout=8,
            )
        self.next_card()

    def action_undo(self) -> None:
        if self.done and self.done[-1][0] in ("suspend", "bury"):
            self._undo_hiding(*self.done[-1][:2])
            return
        saved, card_id = self.app.store_write(self.store.undo) if self.app.store is not None else (True, None)
        if not saved:
            return
        if card_id is None:
            self.notify("Nothing to undo.", timeout=3)
            return
        if self.done and self.done[-1][:2] == ("grade", card_id):
            self.done.pop()
        if card_id not in self.app.cards:
            self.notify("Undid a grade of a card that is no longer in your decks.", timeout=4)
            return
        self._show_again(card_id)
        self.notify(f"Undid the last grade of “{short(self.app.cards[card_id].question, 40)}”.", timeout=3)

    def _undo_hiding(self, kind: str, card_id: str) -> None:
        """Put a card suspended or buried in this session back in front of the learner."""
        restore = self.store.unsuspend if kind == "suspend" else self.store.unbury
        if not self.app.store_write(restore, card_id)[0]:
            return
        self.done.pop()
        if card_id not in self.app.cards:
            return  # an edit in between removed it from its deck: nothing to show
        self._show_again(card_id)
        what = "suspension" if kind == "suspend" else "bury"
        self.notify(f"Undid the {what} of “{short(self.app.cards[card_id].question, 40)}”.", timeout=3)

    def _show_again(self, card_id: str) -> None:
        if self.cram:
            if self.current is not None:
                self.queue.insert(0, self.current)
        else:  # back in the queue (the "left" count says so), in front
            queue = self._known(self.store.queue(self.deck_id, now=self.app.clock()))
            self.queue = [card_id, *(other for other in queue if other != card_id)]
        self.current = card_id
        self.show_card()

    def action_suspend(self) -> None:
        if not self.app.store_write(self.store.suspend, self.card_id)[0]:
            return
        self.done.append(("suspend", self.card_id, None))
        self.notify(
            "Suspended: it stays out of reviews until you unsuspend it in Browse (u undoes).", timeout=6
        )
        self.next_card()

    def action_bury(self) -> None:
        if not self.app.store_write(self.store.bury, self.card_id, now=self.app.clock())[0]:
            return
        self.done.append(("bury", self.card_id, None))
        self.notify("Buried until tomorrow (u undoes).", timeout=6)
        self.next_card()

    def action_edit(self) -> None:
        """Edit the question and answer in the app; the change goes to the learner's edits file."""
        self.app.edit_in_app(self.card_id, self._after_edit)

    def action_edit_file(self) -> None:
        if edit_card(self.app, self.app.cards[self.card_id]):
            self.app.reload_decks()
            self._after_edit()

    def _after_edit(self) -> None:
        if self.current not in self.app.cards:
            self.notify("The card is gone from its deck after the edit.", timeout=4)
            self.next_card()
            return
        self.show_card()

    def action_demo(self) -> None:
        from tutor.ui.screens.demo import DemoScreen

        card = self.app.cards[self.card_id]
        links = self._demo_links(card)
        if not links:
            self.notify("This card links no demo; open one from the command palette (ctrl+p).", timeout=4)
            return
        self.app.push_screen(DemoScreen(links))

    def _demo_links(self, card) -> list[tuple[str, dict]]:
        """The card's demos; a live card's own demo first, with the arguments of the variant asked."""
        links = [(link.name, dict(link.args)) for link in card.demos]
        if self.asked is None:
            return links
        # The live demo opens on the variant asked, in place of the card's link to the same demo.
        others = [(name, args) for name, args in links if name != self.asked.demo]
        return [(self.asked.demo, dict(self.asked.args)), *others]

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
