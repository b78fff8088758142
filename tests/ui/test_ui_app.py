"""The app as a whole: start-up without torch, bindings and Help, the palette, problems shown as sentences."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Select
from ui_support import NOW, screen_text, write_deck

from tutor.ui.app import make_app
from tutor.ui.screens.browse import BrowseScreen
from tutor.ui.screens.card import CardScreen
from tutor.ui.screens.decks import DecksScreen
from tutor.ui.screens.help import HelpScreen, binding_sections
from tutor.ui.screens.review import ReviewScreen
from tutor.ui.screens.stats import StatsScreen

pytestmark = pytest.mark.anyio


def test_torch_is_not_imported_before_a_demo_runs(deck_dir, tmp_path):
    script = textwrap.dedent(f"""
        import asyncio, sys
        from pathlib import Path
        from tutor.ui.app import make_app

        async def main():
            store = Path({str(tmp_path / "s.sqlite3")!r})
            app = make_app(deck_dirs=[Path({str(deck_dir)!r})], store_path=store)
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.press("ctrl+p", *"demo", "escape")  # the palette lists the demos
                await pilot.press("enter", "space", "question_mark", "escape", "escape")
                await pilot.press("ctrl+s", "escape", "ctrl+b", "escape")
                await pilot.pause()
                import tutor.ui.panels.attend, tutor.ui.panels.generate, tutor.ui.panels.pretrain  # noqa
                import tutor.ui.panels.tables, tutor.ui.panels.tokenize  # noqa
                before = "torch" in sys.modules
                app.open_demo("tokenize", {{"text": "hi"}})
                await pilot.pause()
                await app.workers.wait_for_complete()
                after_tokenize = "torch" in sys.modules
                app.open_demo("model", {{}})
                await pilot.pause()
                await app.workers.wait_for_complete()
                print(before, after_tokenize, "torch" in sys.modules)

        asyncio.run(main())
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    # Not at start-up, on any screen or for the tokenizer (engine loads lazily); yes once a model demo ran.
    assert run.stdout.split() == ["False", "False", "True"]


def test_every_binding_has_an_id_and_a_description():
    ids = []
    for _title, cls, bindings in binding_sections():
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding), f"{cls.__name__}: {binding!r} is not a Binding"
            assert binding.id and binding.description, (
                f"{cls.__name__}: {binding.key} needs an id and a description"
            )
            ids.append(binding.id)
        assert bindings
    assert len(ids) == len(set(ids))


async def test_help_lists_every_binding_with_the_current_screen_first(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = help_screen.help_text()
        assert text.startswith("Review\n  space  Reveal")
        for title, _cls, bindings in binding_sections():
            assert f"\n{title}\n" in f"\n{text}\n"
            for binding in bindings:
                key = binding.key_display or app.get_key_display(binding)
                assert f"  {key}  {binding.description}" in text
        assert "Reveal" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_the_palette_offers_screens_decks_demos_and_the_card_on_screen(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p", *"cram attention")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.cram and app.screen.deck_id == "attention"

        from tutor.ui.commands import TutorCommands

        titles = [title for title, _command, _help in TutorCommands(app.screen).commands()]
        assert {"Decks", "Stats", "Browse cards", "Help", "Study Attention", "Demo: tokenize"} <= set(titles)
        assert {"Demo: generate", "Demo: pretrain", "Edit this card", "Open this card's demos"} <= set(titles)
        await pilot.press("ctrl+p", *"demo: attend", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Your" in screen_text(app) and "journey" in screen_text(app)


async def test_a_bad_deck_file_is_one_sentence_and_the_other_decks_still_load(tmp_path, deck_dir):
    (deck_dir / "broken.yaml").write_text(
        "id: broken\ntitle: Broken\ncards:\n  - id: x\n    question: [unclosed\n"
    )
    app = make_app(deck_dirs=[deck_dir], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1
        assert messages[0].startswith(f"{deck_dir / 'broken.yaml'}, line 6: ")
        assert "this deck was not loaded" in messages[0]
        assert "Traceback" not in messages[0]
        assert set(app.decks) == {"basics", "attention"}
        assert "Problem" in screen_text(app) and "this deck was not loaded" in screen_text(app)


async def test_a_locked_store_is_one_sentence_and_the_decks_still_show(tmp_path, deck_dir):
    path = tmp_path / "s.sqlite3"
    from tutor.store import Store

    Store.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another tutor in the middle of writing
    try:
        app = make_app(deck_dirs=[deck_dir], store_path=path, clock=lambda: NOW)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert len(messages) == 1 and "is busy" in messages[0] and str(path) in messages[0]
            assert app.store is None
            assert "Tokens and embeddings" in screen_text(app)
            await pilot.press("enter")  # nothing to review, said plainly
            assert "nothing to review" in " ".join(n.message for n in app._notifications)
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_browse_searches_filters_opens_and_unsuspends(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.store.suspend("heads")
        await pilot.press("b")
        assert isinstance(app.screen, BrowseScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 5
        await pilot.press("slash", *"lookup table")  # words from an answer
        assert [row.key.value for row in table.rows.values()] == ["emb"]
        app.screen.query_one("#browse-search", Input).value = ""
        app.screen.query_one("#browse-flag", Select).value = "suspended"
        await pilot.pause()
        assert [row.key.value for row in table.rows.values()] == ["heads"]
        table.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, CardScreen)
        assert "Each head can attend to different things." in screen_text(app)
        assert "new: not studied yet" in screen_text(app)
        await pilot.press("u", "escape")
        assert not app.store.card_states(["heads"])["heads"].suspended
        assert table.row_count == 0  # no suspended card left
        await pilot.press("escape")
        assert isinstance(app.screen, DecksScreen)


async def test_stats_show_reviews_retention_forecast_and_decks(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        for card_id in ("bpe", "eot"):
            app.store.grade(card_id, 4, 4000, now=NOW)
        await pilot.press("s")
        assert isinstance(app.screen, StatsScreen)
        text = screen_text(app)
        assert "Retention (30 days): no review answers yet" in text
        assert "Streak: 1 day now, 1 at best · 2 answers in all · 4.0 s a card" in text
        assert "less · ░ ▒ ▓ █ more · busiest day 2 answers" in text
        app.screen.query_one("#stats").scroll_end(animate=False)
        await pilot.pause()
        basics = next(line for line in screen_text(app).splitlines() if "Tokens and embeddings" in line)
        assert basics.split()[3:] == ["1", "0", "2", "0", "0", "0"]


async def test_at_80x24_the_stats_deck_table_keeps_every_column(tutor_app):
    app = tutor_app
    async with app.run_test(size=(80, 24)) as pilot:
        app.store.grade("bpe", 4, 4000, now=NOW)
        await pilot.press("s")
        app.screen.query_one("#stats").scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        for header in ("New", "Learning", "Young", "Mature", "Suspended", "Needs"):
            assert header in text
        basics = next(line for line in text.splitlines() if "Tokens and" in line)
        assert [word for word in basics.split() if word.isdigit()] == ["2", "0", "1", "0", "0", "0"]


async def test_the_decks_screen_fits_80x24_and_respects_no_color(tutor_app, deck_dir):
    long_title = {"id": "more", "title": "A deck with a rather long title to fit in", "cards": [
        {"id": f"more-{n}", "question": f"Question {n}?", "answer": "An answer."} for n in range(12)
    ]}  # fmt: skip
    write_deck(deck_dir, long_title)
    app = tutor_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color  # NO_COLOR is set for every test; Textual then draws in monochrome
        text = screen_text(app)
        rows = [line for line in text.splitlines() if "%" in line]
        assert len(rows) == 3 and all(line.rstrip().endswith("0%") for line in rows)  # every bar fits
        lines = text.splitlines()
        at = next(i for i, line in enumerate(lines) if "A deck with a" in line)
        # A long title wraps over its rows, no word lost, and the numbers keep their place.
        assert (
            lines[at].split()[:5] + lines[at + 1].split()
            == "A deck with a rather long title to fit in".split()
        )
        assert lines[at].split()[5:9] == ["12", "0", "0", "now"]
        assert "⏎ Study" in text and "? Help" in text


async def test_a_card_from_browse_says_where_it_stands(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        graded = app.store.grade("mask", 4, 3000, now=NOW)  # Easy on a new card: straight to review
        await pilot.press("b")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("mask"))
        await pilot.press("enter")
        due = graded.due.date().isoformat()
        assert f"review · due {due} · 1 review, 0 lapses" in screen_text(app)


async def test_with_no_decks_the_home_screen_says_how_to_get_some(tmp_path):
    app = make_app(deck_dirs=[tmp_path / "none"], store_path=tmp_path / "s.sqlite3", clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "No decks yet. Import your notes with `tutor import NOTES.md`, then come back." in screen_text(
            app
        )
        await pilot.press("enter", "c")  # nothing to pick: nothing happens
        assert isinstance(app.screen, DecksScreen)


async def test_answers_dated_in_the_future_are_reported_at_start(tmp_path, deck_dir):
    from datetime import UTC, datetime, timedelta

    path = tmp_path / "s.sqlite3"
    app = make_app(deck_dirs=[deck_dir], store_path=path, clock=lambda: NOW)
    app.load()  # a session with the clock more than a year ahead
    ahead = datetime.now(UTC) + timedelta(days=400)
    for card_id in list(app.cards)[:2]:
        app.store.grade(card_id, 3, 1000, now=ahead)
    app.store.close()
    app = make_app(deck_dirs=[deck_dir], store_path=path, clock=lambda: NOW)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        (message,) = [n.message for n in app._notifications if "future" in n.message]
        assert message.startswith("2 answers are in") and "today's limits do not count them" in message


async def test_decks_says_the_daily_limits_are_shared_when_the_rows_add_up_to_more(tutor_app):
    from tutor import paths

    paths.config_path().parent.mkdir(parents=True, exist_ok=True)
    paths.config_path().write_text("[scheduler]\nnew_per_day = 2\n", encoding="utf-8")
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "all decks today: 2 new, 0 learning, 0 due" in text
        assert "(the daily limits are shared: each row is that deck alone)" in text


async def test_decks_says_nothing_of_sharing_when_the_rows_fit_the_limits(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "all decks today: 5 new" in text and "shared" not in text
