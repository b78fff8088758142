"""Demos opened from cards and from the palette: real results, live inputs, stale runs cancelled."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, TabbedContent
from ui_support import screen_text

from tests.conftest import VERDICT
from tutor.demos.generation import format_probability
from tutor.demos.tokens import visible
from tutor.ui.panels.attend import AttendPanel
from tutor.ui.panels.generate import GeneratePanel
from tutor.ui.panels.pretrain import PretrainPanel
from tutor.ui.panels.tables import EmbedPanel
from tutor.ui.panels.tokenize import TokenizePanel
from tutor.ui.screens.demo import DemoScreen

pytestmark = pytest.mark.anyio


async def settle(pilot) -> None:
    """Let the workers finish and their messages be handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_d_on_a_card_opens_its_demo_prefilled_with_the_real_result(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("basics"))
        await pilot.press("enter", "d")
        await settle(pilot)
        assert isinstance(app.screen, DemoScreen)
        panel = app.screen.query_one(TokenizePanel)
        assert panel.query_one("#arg-text", Input).value == "unhappiness"
        text = screen_text(app)
        assert "3 tokens for 1 word and 11 characters" in text
        assert "unhappiness → un | h | appiness  (403, 71, 42661)" in text
        await pilot.press("escape")
        assert app.screen.current == "bpe"  # back on the card we came from


async def test_editing_the_tokenize_text_shows_the_new_count(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("tokenize", {"text": "Hello"})
        await settle(pilot)
        panel = app.screen.query_one(TokenizePanel)
        assert panel.last_result.count == 1
        field = panel.query_one("#arg-text", Input)
        field.focus()
        await pilot.press("end", *", world. unhappiness")  # every key starts a run and cancels the last
        await settle(pilot)
        assert field.value == "Hello, world. unhappiness"
        assert panel.last_result.text == "Hello, world. unhappiness"  # no stale run drew last
        assert panel.last_result.count == 6  # Hello , ␣world . ␣unh appiness
        assert "6 tokens for 3 words" in screen_text(app)
        assert panel.run_id >= len(", world. unhappiness")
        await pilot.press("question_mark")  # typed into the text, as a learner typing expects
        assert field.value.endswith("?")
        await pilot.press("f1")  # Help while typing
        assert type(app.screen).__name__ == "HelpScreen"


async def test_a_bad_input_says_what_is_wrong_in_one_sentence(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("attend", {})
        await settle(pilot)
        panel = app.screen.query_one(AttendPanel)
        assert panel.last_result.tokens == ["Your", "journey", "starts", "with", "one", "step"]
        field = panel.query_one("#arg-dropout", Input)
        field.value = "2"
        await settle(pilot)
        status = str(panel.query_one(".demo-status").render())
        assert status == "Demo 'attend': argument 'dropout' must be at least 0 and at most 0.95, not 2.0."
        assert "Traceback" not in screen_text(app)


async def test_a_card_with_several_demos_shows_them_all(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("basics"))
        await pilot.press("enter", "space", "4", "space", "4", "d")  # the third card, "emb", links two
        await settle(pilot)
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.tab_count == 2
        assert [str(tab.label) for tab in tabs.query("Tab")] == ["embed", "tokenize: row"]
        embed = app.screen.query_one(EmbedPanel)
        assert embed.last_result.shapes["embedding_matrix"] == [6, 3]  # the book's 6x3 example
        tokenize = app.screen.query_one(TokenizePanel)
        assert tokenize.last_result.ids == [808]  # "row"
        assert "4 tokens → vectors of 3" in screen_text(app)


async def test_generate_streams_tokens_with_candidates_and_shows_the_weights(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo(
            "generate", {"prompt": "Every effort moves you", "max_new_tokens": 3, "weights": "random"}
        )
        await settle(pilot)
        panel = app.screen.query_one(GeneratePanel)
        result = panel.last_result
        assert len(panel.steps) == 3 == len(result.steps)  # every step reached the screen as it came
        assert [s.token_id for s in panel.steps] == result.token_ids[-3:]
        text = screen_text(app)
        assert "Weights: GPT-2 124M with the book's seeded random weights" in text
        assert "Every effort moves you" + result.generated_text in text
        assert "Step 3: the most likely next tokens" in text
        chosen = panel.steps[-1]
        assert f"▶  {visible(chosen.text)}" in text
        first = panel.steps[0]
        assert f"   1  {visible(first.text)} {format_probability(first.probability)}" in text  # earlier steps


async def test_a_pretrain_can_be_cancelled_while_keys_keep_working(tutor_app, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(VERDICT.read_text(encoding="utf-8")[:6000], encoding="utf-8")
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("pretrain", {"corpus": str(corpus), "config": "nano", "steps": 100000})
        await pilot.pause()
        panel = app.screen.query_one(PretrainPanel)
        assert not panel.running  # training waits for ctrl+r
        await pilot.press("ctrl+r")
        for _ in range(1200):  # the loss before training arrives first (torch loads, the corpus splits)
            if panel.history:
                break
            await pilot.pause(0.05)
        await pilot.press("tab")  # the app still answers keys while the model trains
        assert app.focused is not None and app.focused.id == "arg-config"
        assert panel.running
        await pilot.press("ctrl+t")
        await settle(pilot)
        result = panel.last_result
        assert result.cancelled
        assert 0 < result.steps < 100000
        assert Path(result.checkpoint).is_file()  # cancel keeps the model as it was
        assert "Stopped after" in str(panel.query_one(".demo-status").render())
        first, last = result.history[0], result.history[-1]
        assert f"training loss {first.train_loss:.3f} → {last.train_loss:.3f}" in screen_text(app)


async def test_changing_an_input_cancels_the_stale_generation(tutor_app):
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("generate", {"max_new_tokens": 500, "weights": "random"})
        await pilot.pause()
        panel = app.screen.query_one(GeneratePanel)
        for _ in range(1200):  # until the long run has produced its first token
            if panel.steps:
                break
            await pilot.pause(0.05)
        stale = panel.cancel_event
        panel.query_one("#arg-max_new_tokens", Input).value = "2"
        await pilot.pause()
        assert stale.is_set()  # the long run stops at its next step
        await settle(pilot)
        assert len(panel.last_result.steps) == 2 and not panel.last_result.cancelled
        assert len(panel.steps) == 2  # nothing of the stale run was drawn after the change


async def test_a_demo_without_a_panel_of_its_own_shows_its_result_as_json(tutor_app, monkeypatch):
    import sys
    import types
    from dataclasses import dataclass

    from tutor.demos import DEMOS, Arg, Demo, Result

    @dataclass
    class Echo(Result):
        text: str
        length: int

    # A new demo: its catalogue entry, and a module whose function the entry names.
    module = types.ModuleType("echo_demo")
    module.echo = lambda text: Echo(text, len(text))
    monkeypatch.setitem(sys.modules, "echo_demo", module)
    demo = Demo(
        "echo", "Say it back.", 1, "1.1 Echo", {"text": Arg(str, "hi", "what to say")}, "echo_demo:echo"
    )
    monkeypatch.setitem(DEMOS, "echo", demo)
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("echo", {"text": "hello"})
        await settle(pilot)
        text = screen_text(app)
        assert '"text": "hello"' in text and '"length": 5' in text


async def test_a_demo_bug_is_one_sentence_on_screen_and_its_traceback_is_kept_in_tutor_log(
    tutor_app, monkeypatch, tutor_home
):
    import tutor.demos

    def count_pieces(text: str) -> int:
        return len(text) // 0  # the bug, three frames down from the worker

    def broken_run_demo(name: str, **values):
        return count_pieces(values["text"])

    monkeypatch.setattr(tutor.demos, "run_demo", broken_run_demo)
    app = tutor_app
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_demo("tokenize", {"text": "unhappiness"})
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        log = tutor_home / "tutor.log"
        assert "The demo stopped with an error: ZeroDivisionError: integer division or modulo by zero" in text
        assert "Traceback" not in text
    entry = log.read_text(encoding="utf-8")
    runs = entry.count("demo tokenize with {'text': 'unhappiness'")
    assert runs >= 1 and entry.count("Traceback (most recent call last)") == runs  # one whole entry a run
    assert "in count_pieces" in entry and "len(text) // 0" in entry
    assert entry.rstrip().endswith("ZeroDivisionError: integer division or modulo by zero")
