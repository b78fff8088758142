"""A real full disk while grading: the store lives on a small tmpfs that fills up between two answers.

The app runs in a child process inside a mount namespace of its own (``unshare``), so the tmpfs needs no
privileges and vanishes with the child. Where mounting is not allowed the test is skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys

from ui_support import write_deck

CHILD = r"""
import asyncio, errno, json, os, sqlite3, subprocess, sys
from datetime import UTC, datetime
from pathlib import Path

disk, decks = Path(sys.argv[1]), Path(sys.argv[2])
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], check=True)
os.environ["TUTOR_HOME"] = str(disk / "home")
from tutor.ui.app import make_app

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def fill(folder):
    filler = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(filler, b"x" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(filler)


async def main():
    store = disk / "progress.sqlite3"
    app = make_app(deck_dirs=[decks], store_path=store, clock=lambda: NOW)
    seen = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")  # study the first deck
        screen = app.screen
        graded = []
        for _ in range(2):
            graded.append(screen.current)
            await pilot.press("space", "3")
        fill(disk)
        waiting = screen.current
        await pilot.press("space", "3")
        seen["after_full"] = [n.message for n in app._notifications]
        seen["same_card"] = screen.current == waiting and screen.shown
        (disk / "filler").unlink()
        await pilot.press("3")  # the answer is still on screen: grade it again
        graded.append(waiting)
        graded.append(screen.current)
        await pilot.press("space", "4")
        seen["graded"] = graded
    db = sqlite3.connect(store)
    seen["stored"] = [r[0] for r in db.execute("SELECT card_id FROM reviews ORDER BY id")]
    db.close()
    print(json.dumps(seen))


asyncio.run(main())
"""

DECK = {
    "id": "basics",
    "title": "Basics",
    "cards": [{"id": f"card-{i}", "question": f"Question {i}?", "answer": f"Answer {i}."} for i in range(6)],
}


def test_a_disk_that_fills_up_while_grading_loses_no_answer_and_says_not_saved(tmp_path, tmpfs_folder):
    disk = tmpfs_folder
    decks = tmp_path / "decks"
    write_deck(decks, DECK)
    child = subprocess.run(
        ["unshare", "-rm", sys.executable, "-c", CHILD, str(disk), str(decks)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    [notice] = [m for m in seen["after_full"] if "saved" in m.lower()]
    assert notice == "Not saved: the disk is full; free some space and try again."
    assert seen["same_card"]  # the answer stayed on screen to grade again
    assert seen["stored"] == seen["graded"] and len(seen["stored"]) == 4
