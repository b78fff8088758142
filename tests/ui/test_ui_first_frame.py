"""At the app's first frame nothing it does not need there is loaded: torch, the tokenizer's ranks,
fsrs's optimizer, and no deck's markdown has been parsed."""

from __future__ import annotations

import subprocess
import sys

FIRST_FRAME = """
import sys
from tutor.ui.app import TutorApp, _prepare_images

class FirstFrame(TutorApp):
    def on_ready(self):
        assert type(self.screen).__name__ == "DecksScreen", self.screen
        loaded = [
            name
            for name in ("torch", "tiktoken", "tiktoken_ext", "engine.tokenizer", "fsrs.optimizer",
                         "fsrs_rs_python", "tutor.fitting", "tutor.demos.tokens", "tutor.demos.generation")
            if name in sys.modules
        ]
        from tutor.decks import _markdown
        parsed = _markdown.cache_info().currsize
        print("LOADED", loaded, "MARKDOWN", parsed)
        self.exit()

app = FirstFrame()
app.load()
_prepare_images(app)
app.run(headless=True, size=(100, 30))
assert app.decks, "the bundled decks were loaded"
"""


def test_the_first_frame_loads_no_torch_no_ranks_no_optimizer_and_parses_no_markdown(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "LOADED [] MARKDOWN 0" in result.stdout, result.stdout


WARM_FRAME = """
import sys
from tutor.ui.app import TutorApp

class FirstFrame(TutorApp):
    def on_ready(self):
        print("LOADED", [name for name in ("yaml", "tomllib") if name in sys.modules])
        self.exit()

app = FirstFrame()
app.load()
app.run(headless=True, size=(100, 30))
assert app.decks, "the bundled decks were loaded"
"""


def test_a_start_with_every_deck_in_the_deck_cache_reads_no_yaml_and_no_config(tmp_path) -> None:
    first = subprocess.run([sys.executable, "-c", WARM_FRAME], capture_output=True, text=True, timeout=120)
    assert "LOADED ['yaml']" in first.stdout, first.stderr  # the first start parses the decks, once
    second = subprocess.run([sys.executable, "-c", WARM_FRAME], capture_output=True, text=True, timeout=120)
    assert "LOADED []" in second.stdout, second.stderr
