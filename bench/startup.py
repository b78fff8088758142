"""Start-up: time until `tutor` shows an interactive Decks screen, against a bare Textual app's first screen.

Both run the same way in one go: a fresh Python process that starts the app headless and exits as soon as
the first screen has been drawn (Textual's Ready event, then one more refresh). The tutor loads the real
bundled decks and opens a progress store (in a scratch TUTOR_HOME, so the learner's files are untouched),
exactly as `tutor` does before its first frame. The median of several runs each; the ratio is printed last.

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Hello")

    def on_ready(self):
        self.call_after_refresh(self.exit)

Bare().run(headless=True, size=(100, 30))
"""

TUTOR = """
from tutor.ui.app import TutorApp, _prepare_images

class Timed(TutorApp):
    def on_ready(self):
        assert type(self.screen).__name__ == "DecksScreen", self.screen
        self.call_after_refresh(self.exit)

app = Timed()
app.load()  # what run_app() does before the first frame
_prepare_images(app)
app.run(headless=True, size=(100, 30))
assert app.decks, "no decks were loaded"
"""


def time_run(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # Both with their bytecode cached, as on any second start: pip compiled Textual's when it installed
        # it, and Python writes the tutor's on the first run (into a scratch folder here), unless the
        # environment says not to (PYTHONDONTWRITEBYTECODE, set on some machines).
        env = dict(os.environ, TUTOR_HOME=home, PYTHONPYCACHEPREFIX=os.path.join(home, "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        time_run(TUTOR, env)  # first run creates the store and warms the disk cache, as on any second start
        time_run(BARE, env)
        bare, tutor = [], []
        for _ in range(args.runs):  # interleaved, so a busy moment hits both
            bare.append(time_run(BARE, env))
            tutor.append(time_run(TUTOR, env))
    bare_s, tutor_s = statistics.median(bare), statistics.median(tutor)
    print(f"bare Textual app, first screen:  {bare_s * 1000:6.0f} ms (median of {args.runs})")
    print(f"tutor, interactive Decks screen: {tutor_s * 1000:6.0f} ms (median of {args.runs})")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"ratio tutor / bare: {tutor_s / bare_s:.2f}x (target: at most 1.25x)")


if __name__ == "__main__":
    main()
