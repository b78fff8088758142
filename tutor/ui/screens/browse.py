"""Browse: search every card (question and answer), filter by deck and flag, open one, unsuspend."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Markdown, Rule, Select, Static

from tutor.ui.editing import edit_card
from tutor.ui.widgets.answer import AnswerView
from tutor.ui.widgets.bars import short

FLAGS = [
    ("any flag", "any"),
    ("needs an answer", "needs_answer"),
    ("leech", "leech"),
    ("suspended", "suspended"),
]


def card_flags(card, state) -> list[str]:
    """The flags Browse shows and filters on; the store knows leeches and suspensions, the deck the rest."""
    flags = []
    if card.needs_answer:
        flags.append("needs_answer")
    if state is not None and state.leech:
        flags.append("leech")
    if card.suspended or (state is not None and state.suspended):
        flags.append("suspended")
    return flags


def progress_line(state) -> str:
    """Where the card stands: ``review · due 2026-03-12 · 3 reviews, 1 lapse``."""
    if state is None or state.state == "new":
        return "new: not studied yet"
    due = f"due {state.due.date().isoformat()}" if state.due else "not scheduled"
    lapses = f"{state.lapses} lapse{'s' if state.lapses != 1 else ''}"
    return f"{state.state} · {due} · {state.reps} review{'s' if state.reps != 1 else ''}, {lapses}"


def matches(card, words: list[str]) -> bool:
    text = f"{card.question}\n{card.answer}".casefold()
    return all(word in text for word in words)


class BrowseScreen(Screen):
    """Every card in one table; typing in the search box filters as you type."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="browse.back"),
        Binding("slash", "focus_search", "Search", key_display="/", id="browse.search"),
        Binding("u", "unsuspend", "Unsuspend", id="browse.unsuspend"),
        Binding("enter", "open_card", "Open card", id="browse.open"),
        Binding("down", "focus_table", "To the cards", show=False, id="browse.to_table"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        decks = [(Text(deck.title), deck.id) for deck in self.app.decks.values()]
        with Horizontal(id="browse-filters"):
            yield Input(placeholder="search questions and answers", id="browse-search", compact=True)
            yield Select(
                [("every deck", "*"), *decks], value="*", allow_blank=False, id="browse-deck", compact=True
            )
            yield Select(FLAGS, value="any", allow_blank=False, id="browse-flag", compact=True)
        yield DataTable(id="browse-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="browse-count")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Deck", key="deck")
        table.add_column("Question", key="question")
        table.add_column("Flags", key="flags")
        table.add_column("Due", key="due")
        self.sub_title = "Browse"
        self.refill()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refill()

    @on(Input.Changed, "#browse-search")
    @on(Select.Changed)
    def _filters_changed(self) -> None:
        if self.is_mounted:
            self.refill()

    def refill(self) -> None:
        app = self.app
        words = self.query_one("#browse-search", Input).value.casefold().split()
        deck = self.query_one("#browse-deck", Select).value
        flag = self.query_one("#browse-flag", Select).value
        states = app.store.card_states() if app.store else {}
        table = self.query_one(DataTable)
        table.clear()
        width = max(20, (self.size.width or 100) - 50)
        titles = {deck.id: deck.title for deck in app.decks.values()}
        for card in app.cards.values():
            if deck != "*" and card.deck_id != deck:
                continue
            state = states.get(card.id)
            flags = card_flags(card, state)
            if flag != "any" and flag not in flags:
                continue
            if words and not matches(card, words):
                continue
            question = short(card.question, width)
            due = (
                "new"
                if state is None or state.state == "new" or state.due is None
                else state.due.date().isoformat()
            )
            table.add_row(
                Text(short(titles.get(card.deck_id, card.deck_id), 18)),  # Text: a str cell is markup
                Text(question),
                Text(" ".join(f.replace("_", " ") for f in flags), style="italic"),
                due,
                key=card.id,
            )
        self.query_one("#browse-count", Static).update(
            f"{table.row_count} of {len(app.cards)} cards · / search · Enter opens a card · u unsuspends"
        )

    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_card()

    def action_open_card(self) -> None:
        card_id = self.selected()
        if card_id:
            self.app.push_screen(CardScreen(card_id))

    def action_unsuspend(self) -> None:
        card_id = self.selected()
        if card_id and self.app.store:
            unsuspend(self, card_id)
            self.refill()

    def action_focus_search(self) -> None:
        self.query_one("#browse-search", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(DataTable).focus()

    def action_back(self) -> None:
        self.app.pop_screen()


def unsuspend(screen: Screen, card_id: str) -> None:
    card = screen.app.cards[card_id]
    if not screen.app.store_write(screen.app.store.unsuspend, card_id)[0]:
        return
    if card.suspended:
        screen.notify("This card is suspended in its deck file; remove `suspended: true` there (e to edit).")
    else:
        screen.notify("Unsuspended: it is back in the queue.", timeout=3)


class CardScreen(ModalScreen[None]):
    """One card, question and answer, with its flags; unsuspend it or open its demos from here."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="card.close"),
        Binding("u", "unsuspend", "Unsuspend", id="card.unsuspend"),
        Binding("e", "edit", "Edit", id="card.edit"),
        Binding("d", "demo", "Demo", id="card.demo"),
    ]

    def __init__(self, card_id: str) -> None:
        super().__init__()
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        card = self.app.cards[self.card_id]
        states = self.app.store.card_states([card.id]) if self.app.store else {}
        flags = ", ".join(f.replace("_", " ") for f in card_flags(card, states.get(card.id))) or "no flags"
        demos = ", ".join(link.name for link in card.demos) or "no demo"
        where = f"{card.path.name}:{card.line}" if card.path else card.deck_id
        with VerticalScroll(id="card-dialog"):
            yield Static(Text(f"{card.deck_id} · {where} · {flags} · {demos}", style="dim"))
            yield Static(Text(progress_line(states.get(card.id)), style="dim"), id="card-progress")
            yield Markdown(card.question)
            yield Rule()
            yield AnswerView(card)

    def action_unsuspend(self) -> None:
        if self.app.store:
            unsuspend(self, self.card_id)

    def action_edit(self) -> None:
        if edit_card(self.app, self.app.cards[self.card_id]):
            self.app.reload_decks()
            self.dismiss()  # Browse refills from the reloaded decks when it comes back

    def action_demo(self) -> None:
        from tutor.ui.screens.demo import DemoScreen

        card = self.app.cards[self.card_id]
        if not card.demos:
            self.notify("This card links no demo.", timeout=3)
            return
        self.app.push_screen(DemoScreen([(link.name, dict(link.args)) for link in card.demos]))
