"""Keys a learner finds on screen: the Decks footer, demo tabs from the keyboard, one demo at a time."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, TabbedContent
from ui_support import screen_text

from tutor.ui.screens.decks import DecksScreen
from tutor.ui.screens.demo import DemoScreen
from tutor.ui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_decks_footer_shows_reload(tutor_app):
    async with tutor_app.run_test(size=(100, 30)):
        assert "r Reload" in screen_text(tutor_app)


async def test_demo_tabs_switch_from_the_keyboard_and_say_how(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("basics"))
        await pilot.press("enter", "space", "4", "space", "4", "d")  # "emb" links embed and tokenize
        await settle(pilot)
        tabs = app.screen.query_one(TabbedContent)
        first = tabs.active
        assert "alt+→ Next demo" in screen_text(app)
        await pilot.press("alt+right")  # even while the first input has the focus
        assert tabs.active != first
        await settle(pilot)
        assert "tokenize" in str(tabs.active_pane.query_one(".demo-title").render())
        await pilot.press("alt+left")
        assert tabs.active == first


async def test_demos_from_the_palette_replace_each_other(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")  # a review
        for name in ("tokenize", "embed", "model", "window"):
            app.open_demo(name, {})
            await settle(pilot)
        assert sum(isinstance(screen, DemoScreen) for screen in app.screen_stack) == 1
        assert "alt+→" not in screen_text(app)  # one demo: no tab keys
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, DecksScreen)


async def test_the_footer_is_one_widget_whose_keys_can_be_clicked(tutor_app):
    from tutor.ui.widgets.footer import KeysFooter

    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        assert not footer.children  # one line, drawn by one widget
        text = screen_text(app)
        assert "r Reload" in text and "^p palette" in text
        [(start, _end, _reload)] = [span for span in footer.spans if span[2].description == "Reload"]
        assert await pilot.click(KeysFooter, offset=(start + 1, 0))
        await pilot.pause()
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Reloaded 2 decks."]  # the click pressed r
        await pilot.resize_terminal(80, 30)  # compact, without the palette's key
        await pilot.pause()
        text = screen_text(app)
        assert "r Reload" in text and "^p palette" not in text
        await pilot.press("b")
        assert "/ Search" in screen_text(app)  # Browse's own footer, with Browse's keys
