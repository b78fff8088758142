"""Browse as an Anki user expects it: actions hit the highlighted card, columns sort, tags filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Select
from ui_support import ATTENTION, BASICS, NOW, screen_text, write_deck

from tutor.ui.app import make_app
from tutor.ui.screens.browse import BrowseScreen
from tutor.ui.screens.card import CardScreen

pytestmark = pytest.mark.anyio


def order(table: DataTable) -> list[str]:
    return [row.key.value for row in table.ordered_rows]


def notices(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_unsuspend_acts_on_the_highlighted_card_says_what_it_did_and_keeps_the_cursor(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.store.suspend("emb")
        await pilot.press("b", "slash", "down")  # from the search box, ↓ lands on the first card
        table = app.screen.query_one(DataTable)
        assert app.focused is table and table.cursor_row == 0
        first = order(table)[0]
        await pilot.press("u")  # the first card is not suspended: say so, change nothing
        assert notices(app)[-1].endswith("is not suspended: nothing to do.")
        table.move_cursor(row=order(table).index("emb"))
        row = table.cursor_row
        await pilot.press("u")
        assert notices(app)[-1] == "Unsuspended “What is an embedding layer?”: it is back in the queue."
        assert not app.store.card_states(["emb"])["emb"].suspended
        assert table.cursor_row == row and order(table)[row] == "emb"  # the cursor stayed on the card
        assert first == order(table)[0]


async def test_columns_show_the_schedule_and_sort_both_ways(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.store.grade("mask", 1, 4000, now=NOW)  # Again: a learning card with a lapse-free review
        app.store.grade("heads", 4, 4000, now=NOW)  # Easy: due in days
        app.store.grade("heads", 3, 4000, now=NOW + timedelta(days=10))
        await pilot.press("b")
        table = app.screen.query_one(DataTable)
        heads = app.store.card_states(["heads"])["heads"]
        text = screen_text(app)
        for header in ("Question", "Due", "Ivl", "Revs", "Laps", "Stab"):
            assert header in text
        row = table.get_row("heads")
        assert str(row[3]) == heads.due.date().isoformat()
        assert str(row[5]) == "2" and str(row[6]) == "0"
        assert str(row[7]) == f"{heads.stability:.1f}d"
        assert order(table)[:2] == ["mask", "heads"]  # by due date: the studied cards first, soonest first
        app.screen.sort_key = "reviews"
        app.screen.refill()
        await pilot.press("O")  # reversed: most reviews first
        assert order(table)[0] == "heads"
        assert "sorted by revs, descending" in screen_text(app)
        await pilot.click("#browse-table", offset=(3, 0))  # a click on the Deck header sorts by deck
        assert app.screen.sort_key == "deck"
        assert order(table)[:2] == ["mask", "heads"]  # "Attention" before "Tokens and embeddings"


async def test_the_tag_filter_and_a_cards_history(tmp_path):
    deck = {**BASICS, "cards": [dict(BASICS["cards"][0], tags=["bpe"]), *BASICS["cards"][1:]]}
    folder = tmp_path / "decks"
    write_deck(folder, deck)
    write_deck(folder, ATTENTION)
    app = make_app(deck_dirs=[folder], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        app.store.grade("bpe", 3, 6500, now=NOW)
        app.store.grade("bpe", 1, 2000, now=NOW + timedelta(days=1))
        await pilot.press("b")
        app.screen.query_one("#browse-tag", Select).value = "bpe"
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert order(table) == ["bpe"]
        await pilot.press("enter")
        assert isinstance(app.screen, CardScreen)
        text = screen_text(app)
        first = NOW.astimezone().strftime("%Y-%m-%d %H:%M")
        assert "Review history" in text
        assert f"{first}  3 Good   new" in text and "6.5 s" in text
        assert "1 Again" in text and "2.0 s" in text
        assert "tags bpe" in text
        assert "esc Close" in text and "Open card" not in text  # the card's own keys, not Browse's
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)


async def test_an_open_drop_down_stands_out_from_the_table(tutor_app):
    app = tutor_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.click("#browse-flag")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        top = next(i for i, line in enumerate(lines) if "╭" in line)
        assert "│any flag" in lines[top + 1] and "╰" in "".join(lines[top + 2 :])  # framed, over the rows


async def test_a_large_deck_is_browsed_a_page_of_rows_at_a_time(tmp_path):
    from tutor.ui.screens.browse import PAGE

    count = PAGE * 4 + 50
    deck = {
        "id": "many",
        "title": "Many",
        "cards": [
            {"id": f"c{n:04d}", "question": f"Question {n:04d}?", "answer": "A."} for n in range(count)
        ],
    }
    folder = tmp_path / "decks"
    write_deck(folder, deck)
    app = make_app(deck_dirs=[folder], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        app.store.suspend("c0300")
        await pilot.press("b")
        table = app.screen.query_one(DataTable)
        assert table.row_count == PAGE  # the rest is added as it comes near
        assert f"{count} of {count} cards" in screen_text(app)
        assert order(table)[:3] == ["c0000", "c0001", "c0002"]  # all new: in the decks' order
        table.move_cursor(row=PAGE - PAGE // 2)  # half a page before the last row added
        await pilot.pause()
        assert table.row_count == 2 * PAGE and order(table)[PAGE] == f"c{PAGE:04d}"
        table.scroll_end(animate=False)  # scrolling to the last row added adds the next page too
        await pilot.pause()
        assert table.row_count == 3 * PAGE
        table.move_cursor(row=300)
        await pilot.press("u")  # a refill keeps the card beyond the first page highlighted
        assert notices(app)[-1].startswith("Unsuspended “Question 0300?”")
        assert order(table)[table.cursor_row] == "c0300"
        await pilot.press("ctrl+end")  # the last card shown, every row added first
        assert table.row_count == count and order(table)[table.cursor_row] == f"c{count - 1:04d}"
        await pilot.press("slash", *"0849")  # a search shows what it finds, whatever was added before
        await pilot.pause()
        assert order(table) == ["c0849"] and f"1 of {count} cards" in screen_text(app)
