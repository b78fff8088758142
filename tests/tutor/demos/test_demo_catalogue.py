"""The demo catalogue is data: links are checked, and demos listed, without importing any demo's code."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from tutor.demos.catalogue import DEMOS

IMPLEMENTATIONS = sorted({demo.target.partition(":")[0] for demo in DEMOS.values()})


def test_checking_deck_links_imports_no_demo_code_and_no_torch(tmp_path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text(
        "id: d\ntitle: D\ncards:\n- id: c\n  question: Q?\n  demos:\n"
        "  - tokenize: {text: unhappiness}\n  - generate: {temperature: -1}\n",
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from tutor.decks import load_decks\n"
        f"[deck], problems = load_decks([{str(tmp_path)!r}])\n"
        "assert [link.name for link in deck.cards[0].demos] == ['tokenize'], deck.cards[0].demos\n"
        "assert 'temperature' in str(problems[0]), problems\n"
        f"loaded = [m for m in {IMPLEMENTATIONS!r} + ['torch', 'engine', 'tiktoken'] if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", list(DEMOS))
def test_each_entry_names_a_checked_function_taking_its_arguments(name: str) -> None:
    demo = DEMOS[name]
    function = demo.run
    assert function.__name__ == demo.target.partition(":")[2]
    params = [
        p for p in inspect.signature(function.__wrapped__).parameters if p not in ("progress", "cancel")
    ]
    assert params == list(demo.args)
    streams = "progress" in inspect.signature(function.__wrapped__).parameters
    assert streams == demo.streams


def test_a_function_that_drifts_from_its_schema_fails_on_import() -> None:
    from tutor.demos.registry import demo

    with pytest.raises(TypeError, match="catalogue lists"):

        @demo("tokenize")
        def tokenize(words: str) -> None: ...
