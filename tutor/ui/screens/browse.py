"""Browse: every card in a sortable table (due, interval, reviews, lapses, stability), searched and filtered.

Like Anki's browser: type to search questions and answers, filter by deck, flag and tag, sort by any column
(click its header, or ``o`` for the next column and ``O`` to reverse), open a card with its review history.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from tutor.scheduling import format_interval
from tutor.ui.screens.base import TutorModalScreen, TutorScreen
from tutor.ui.widgets.bars import short
from tutor.ui.widgets.footer import KeysFooter

FLAGS = [
    ("any flag", "any"),
    ("needs an answer", "needs_answer"),
    ("leech", "leech"),
    ("suspended", "suspended"),
]
FLAG_WORDS = {"needs_answer": "needs answer", "leech": "leech", "suspended": "suspended"}
ANY_TAG = "*any*"

# (key, header, width); the question takes what is left. Numbers never get cut: their columns are wide
# enough for what they hold, and at 80 columns the deck title goes first (the deck filter still says it).
COLUMNS = [
    ("deck", "Deck", 14),
    ("question", "Question", 0),
    ("flags", "Flags", 12),
    ("due", "Due", 10),
    ("interval", "Ivl", 5),
    ("reviews", "Revs", 4),
    ("lapses", "Laps", 4),
    ("stability", "Stab", 6),
]
SORTABLE = [key for key, _header, _width in COLUMNS]
# Rows are added to the table a page at a time, as the cursor or the scrolling nears the last one added:
# a table of 50,000 rows costs seconds to fill, a page of them a few milliseconds.
PAGE = 200


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


def is_suspended(card, state) -> bool:
    return card.suspended or (state is not None and state.suspended)


def interval_of(state):
    """The card's current interval: from its last review to when it is due (None for a new card)."""
    if state is None or state.due is None or state.last_review is None:
        return None
    return state.due - state.last_review


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


def sort_value(key: str, card, state, titles: dict[str, str]):
    """What a column sorts by; new cards (no due date, no interval) sort after the studied ones."""
    if key == "deck":
        return (titles.get(card.deck_id, card.deck_id).casefold(),)
    if key == "question":
        return (card.question.casefold(),)
    if key == "flags":
        return (" ".join(card_flags(card, state)) or "~",)
    if key == "due":
        due = state.due if state is not None and state.state != "new" else None
        return (due is None, due or datetime.max)
    if key == "interval":
        interval = interval_of(state)
        return (interval is None, interval.total_seconds() if interval else 0.0)
    if key == "stability":
        stability = state.stability if state is not None else None
        return (stability is None, stability or 0.0)
    return (getattr(state, "reps" if key == "reviews" else "lapses", 0) if state else 0,)


class BrowseScreen(TutorScreen[None]):
    """Every card in one table; typing in the search box filters as you type."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="browse.back"),
        Binding("slash", "focus_search", "Search", key_display="/", id="browse.search"),
        Binding("u", "unsuspend", "Unsuspend", id="browse.unsuspend"),
        Binding("enter", "open_card", "Open card", id="browse.open"),
        Binding("o", "sort_next", "Sort", id="browse.sort"),
        Binding("O", "sort_reverse", "Reverse", key_display="O", show=False, id="browse.sort_reverse"),
        Binding("down", "focus_table", "To the cards", show=False, id="browse.to_table"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_key = "due"
        self.sort_reverse = False
        self.drawn_width = 0
        self.shown: list[tuple] = []  # (card, state) of every row the filters keep, in order
        self.titles: dict[str, str] = {}
        self.widths: dict[str, int] = {}
        self.filled_for: tuple | None = None  # the filters, order and width the table was last filled for
        self.stale = False  # another screen was on top: the cards' progress may have changed

    def compose(self) -> ComposeResult:
        yield Header()
        decks = [(Text(deck.title), deck.id) for deck in self.app.decks.values()]
        tags = sorted({tag for card in self.app.cards.values() for tag in card.tags})
        with Horizontal(id="browse-filters"):
            yield Input(placeholder="search questions and answers", id="browse-search", compact=True)
            yield Select(
                [("every deck", "*"), *decks], value="*", allow_blank=False, id="browse-deck", compact=True
            )
            yield Select(FLAGS, value="any", allow_blank=False, id="browse-flag", compact=True)
            yield Select(
                [("any tag", ANY_TAG), *((Text(tag), tag) for tag in tags)],
                value=ANY_TAG,
                allow_blank=False,
                id="browse-tag",
                compact=True,
            )
        yield BrowseTable(id="browse-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="browse-count", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Browse"
        self.refill()
        table = self.query_one(DataTable)
        table.focus()
        self.watch(table, "scroll_y", self._scrolled, init=False)

    def on_screen_suspend(self) -> None:
        self.stale = True

    def on_screen_resume(self) -> None:
        if self.stale:  # back from a card or a dialog (the first showing was filled at mount)
            self.stale = False
            self.refill()

    def on_resize(self) -> None:
        if self.is_mounted and self.size.width != self.drawn_width:
            self.refill()  # the columns follow the width

    @on(Input.Changed, "#browse-search")
    @on(Select.Changed)
    def _filters_changed(self) -> None:
        # The selects say their first value once mounted too: only a change refills.
        if self.is_mounted and self.filters() != self.filled_for:
            self.refill(keep_cursor=False)

    def filters(self) -> tuple:
        """What the rows shown depend on besides the cards' progress: the filters, the order, the width."""
        return (
            self.query_one("#browse-search", Input).value.casefold().split(),
            self.query_one("#browse-deck", Select).value,
            self.query_one("#browse-flag", Select).value,
            self.query_one("#browse-tag", Select).value,
            self.sort_key,
            self.sort_reverse,
            self.size.width,
        )

    def columns(self) -> list[tuple[str, str, int]]:
        """The columns that fit: every number column always; the deck title only from 90 columns."""
        width = self.drawn_width = self.size.width or 100
        shown = [column for column in COLUMNS if column[0] != "deck" or width >= 90]
        fixed = sum(w + 2 for key, _h, w in shown if key != "question")  # +2: the cell padding
        question = max(16, width - fixed - 4)  # 4: the question's padding and the scrollbar
        return [(key, header, w or question) for key, header, w in shown]

    def refill(self, keep_cursor: bool = True) -> None:
        """Fill the table from the filters; the highlighted card stays highlighted where it is still shown."""
        app = self.app
        self.filled_for = self.filters()
        words, deck, flag, tag = self.filled_for[:4]
        states = app.library.states()
        table = self.query_one(DataTable)
        selected = self.selected() if keep_cursor else None
        row_before = table.cursor_row
        self.shown = []  # clearing scrolls the table home: no rows to add until it is filled again
        table.clear(columns=True)
        columns = self.columns()
        for key, header, width in columns:
            arrow = (" ↓" if self.sort_reverse else " ↑") if key == self.sort_key else ""
            numeric = key in ("interval", "reviews", "lapses", "stability")
            label = Text(header + arrow, justify="right" if numeric else "left")
            table.add_column(label, key=key, width=width + (2 if arrow and width < 8 else 0))
        titles = {deck.id: deck.title for deck in app.decks.values()}
        shown = []
        for card in app.cards.values():
            state = states.get(card.id)
            if deck != "*" and card.deck_id != deck:
                continue
            if flag != "any" and flag not in card_flags(card, state):
                continue
            if tag != ANY_TAG and tag not in card.tags:
                continue
            if words and not matches(card, words):
                continue
            shown.append((card, state))
        shown.sort(
            key=lambda pair: sort_value(self.sort_key, pair[0], pair[1], titles), reverse=self.sort_reverse
        )
        self.shown, self.titles = shown, titles
        self.widths = {key: width for key, _header, width in columns}
        place = {card.id: n for n, (card, _state) in enumerate(shown)}.get(selected) if selected else None
        row = place if place is not None else (min(row_before, len(shown) - 1) if keep_cursor else 0)
        self.add_rows(max(row, 0) + PAGE)
        if table.row_count:
            table.move_cursor(row=max(row, 0), animate=False)
        header = dict((key, header) for key, header, _w in COLUMNS)[self.sort_key]
        order = "descending" if self.sort_reverse else "ascending"
        self.query_one("#browse-count", Static).update(
            f"{len(shown)} of {len(app.cards)} cards · sorted by {header.lower()}, {order} · "
            "/ search · Enter opens · o sorts"
        )

    def add_rows(self, upto: int) -> None:
        """Add the rows shown up to row ``upto`` (not included) to the table, where not added yet."""
        table = self.query_one(DataTable)
        for card, state in self.shown[table.row_count : upto]:
            table.add_row(*self.cells(card, state, self.titles, self.widths), key=card.id)

    def more_rows(self, row: int) -> None:
        """Add the next page of rows when ``row`` is within half a page of the last one added."""
        table = self.query_one(DataTable)
        if row >= table.row_count - PAGE // 2 and table.row_count < len(self.shown):
            self.add_rows(table.row_count + PAGE)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.more_rows(event.cursor_row)

    def _scrolled(self, scroll_y: float) -> None:
        self.more_rows(int(scroll_y) + self.query_one(DataTable).size.height)

    def cells(self, card, state, titles: dict[str, str], widths: dict[str, int]) -> list[Text]:
        """One row; every cell is Text, never markup (questions hold brackets)."""
        studied = state is not None and state.state != "new"
        interval = interval_of(state)
        values = {
            "deck": Text(short(titles.get(card.deck_id, card.deck_id), widths.get("deck", 14))),
            "question": Text(short(card.question, widths["question"])),
            "flags": Text(
                short(" ".join(FLAG_WORDS[f] for f in card_flags(card, state)), widths["flags"]),
                style="italic",
            ),
            "due": Text(state.due.date().isoformat() if studied and state.due else "new"),
            "interval": Text(format_interval(interval) if interval else "", justify="right"),
            "reviews": Text(str(state.reps if state else 0), justify="right"),
            "lapses": Text(str(state.lapses if state else 0), justify="right"),
            "stability": Text(
                f"{state.stability:.1f}d" if state and state.stability is not None else "", justify="right"
            ),
        }
        return [values[key] for key in widths]

    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_card()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by it; a second click on the same header reverses the order."""
        key = event.column_key.value
        if key is None:
            return  # every column of ours has a key; a header without one sorts nothing
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self.refill()

    def action_sort_next(self) -> None:
        keys = [key for key, _header, _width in self.columns()]
        position = keys.index(self.sort_key) if self.sort_key in keys else -1
        self.sort_key, self.sort_reverse = keys[(position + 1) % len(keys)], False
        self.refill()

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.refill()

    def action_open_card(self) -> None:
        from tutor.ui.screens.card import CardScreen

        card_id = self.selected()
        if card_id:
            self.app.push_screen(CardScreen(card_id))

    def action_unsuspend(self) -> None:
        card_id = self.selected()
        if card_id:
            unsuspend(self, card_id)
            self.refill()  # the cursor stays on the card (or where it was, if the filter drops it)

    def action_focus_search(self) -> None:
        self.query_one("#browse-search", Input).focus()

    def action_focus_table(self) -> None:
        """↓ from the search box goes to the first card shown, as a list under a search box does."""
        table = self.query_one(DataTable)
        table.focus()
        if table.row_count:
            table.move_cursor(row=0, animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()


class BrowseTable(DataTable):
    """The cards' table: Ctrl+End goes to the last card shown, adding the rows not added yet first."""

    def action_scroll_bottom(self) -> None:
        screen = self.screen
        if isinstance(screen, BrowseScreen):
            screen.add_rows(len(screen.shown))
        super().action_scroll_bottom()


def unsuspend(screen: TutorScreen[None] | TutorModalScreen[None], card_id: str) -> bool:
    """Unsuspend the card and say what happened to it, by its question; True when something changed."""
    app = screen.app
    if app.store is None:
        screen.notify(
            "The progress store could not be opened, so nothing can be unsuspended.", severity="error"
        )
        return False
    saved, outcome = app.store_write(app.library.unsuspend, card_id)
    question = short(app.cards[card_id].question, 40)
    if outcome == "in the deck file":
        screen.notify(
            f"“{question}” is suspended in its deck file; remove `suspended: true` there (e to edit).",
            severity="warning",
        )
    elif outcome == "not suspended":
        screen.notify(f"“{question}” is not suspended: nothing to do.", timeout=4)
    elif outcome == "unsuspended":
        screen.notify(f"Unsuspended “{question}”: it is back in the queue.", timeout=4)
    return saved and outcome == "unsuspended"
