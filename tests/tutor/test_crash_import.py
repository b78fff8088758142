"""kill -9 at every step of an import's deck swap: the deck folder always holds one import's decks whole,
and every card id stays in a deck file, live or retired, so its review history is never cut loose."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tutor.deck_swap import JOURNAL, STAGING
from tutor.decks import load_decks
from tutor.importer import import_notes

CHILD = """
import os, signal, sys
from pathlib import Path
import tutor.deck_swap as swap
target, count = int(sys.argv[3]), [0]
def step(name):
    if count[0] == target:
        print(name, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    count[0] += 1
swap.step = step
from tutor.importer import import_notes
import_notes(Path(sys.argv[1]), Path(sys.argv[2]))
print("done", flush=True)
"""


def card(question: str, answer: str) -> str:
    return f"<details>\n<summary>🎯Q. {question}</summary>\n\n{answer}\n</details>\n\n"


BEFORE = (
    "# Tokens\n\n"
    + card("What is a token?", "A piece of text.")
    + card("What is BPE?", "Merges pairs.")
    + "# Attention\n\n"
    + card("Why attend?", "Context from other tokens.")
    + "# Old chapter\n\n"
    + card("What is a bigram?", "Two tokens in a row.")
)
# BPE moves to Attention, the old chapter goes, a new one comes.
AFTER = (
    "# Tokens\n\n"
    + card("What is a token?", "A piece of text, often a word part.")
    + "# Attention\n\n"
    + card("Why attend?", "Context from other tokens.")
    + card("What is BPE?", "Merges pairs.")
    + "# Training\n\n"
    + card("What is a bigram?", "Two tokens in a row.")
    + card("What is a loss?", "A number.")
)


def snapshot(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.yaml"))}


def test_an_import_killed_at_every_step_of_the_swap_is_all_or_nothing(tmp_path: Path) -> None:
    notes, out, saved = tmp_path / "notes.md", tmp_path / "decks", tmp_path / "saved"
    notes.write_text(BEFORE, encoding="utf-8")
    first = import_notes(notes, out)
    ids = {c.id for c in first.cards}
    shutil.copytree(out, saved)
    before = snapshot(out)
    notes.write_text(AFTER, encoding="utf-8")
    shutil.copytree(saved, tmp_path / "clean")
    import_notes(notes, tmp_path / "clean")  # what the whole import writes, for comparison
    after = snapshot(tmp_path / "clean")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    kills, finished, undone = 0, 0, 0
    for target in range(100):
        shutil.rmtree(out)
        shutil.copytree(saved, out)
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(notes), str(out), str(target)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        if child.stdout.endswith("done\n"):
            break
        assert child.returncode == -9, child.stderr
        kills += 1
        # The next start recovers: every other time through loading the decks, else through the next import.
        if target % 2:
            decks, problems = load_decks([out])
            assert problems == []
        else:
            report = import_notes(notes, out, write=False)
            assert [p.kind for p in report.problems if p.kind == "recovered"] == ["recovered"]
            decks, _ = load_decks([out])
        assert not (out / JOURNAL).exists() and not (out / STAGING).exists()
        now = snapshot(out)
        assert now in (before, after), f"killed at {child.stdout.strip()}: a mix of two imports"
        finished += now != before
        undone += now == before
        kept = {c.id for d in decks for c in d.cards} | {i["id"] for d in decks for i in d.retired}
        assert ids <= kept, f"killed at {child.stdout.strip()}: cards lost their ids"
        again = import_notes(notes, out)  # and the import then completes with every id kept
        assert again.new_cards == [] or len(again.new_cards) == 1  # only "What is a loss?" may be new
        assert ids <= {c.id for c in again.cards}
    else:
        raise AssertionError("the import never finished")
    assert kills >= 10 and finished >= 4 and undone >= 4


def test_a_journal_without_its_staged_decks_removes_nothing(tmp_path: Path) -> None:
    notes, out = tmp_path / "notes.md", tmp_path / "decks"
    notes.write_text(BEFORE, encoding="utf-8")
    import_notes(notes, out)
    before = snapshot(out)
    (out / JOURNAL).write_text('{"put": ["tokens.yaml"], "remove": ["attention.yaml"]}', encoding="utf-8")
    decks, problems = load_decks([out])
    assert problems == [] and snapshot(out) == before and not (out / JOURNAL).exists()
    (out / JOURNAL).write_text('{"put": ["../../escape.yaml"], "remove": []}', encoding="utf-8")
    (out / STAGING).mkdir()
    load_decks([out])
    assert snapshot(out) == before and not (out / JOURNAL).exists() and not (out / STAGING).exists()
