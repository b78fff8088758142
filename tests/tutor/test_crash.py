"""kill -9 in the middle of answering: every answer the learner saw accepted is there, nothing half-written.

A child process answers cards (and now and then undoes) as fast as it can and prints an acknowledgement
after each commit, the moment the app would show the next card. The test kills it with SIGKILL at
random moments, more than fifty times, and after every kill compares the store with the acknowledgements.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from store_support import deck_cards, open_store

from tutor.store import SCHEDULE

KILLS = 55

CHILD = """
import random, sys
from tutor.store import Store
rng = random.Random(int(sys.argv[2]))
store = Store.open(sys.argv[1], timeout=10)
ids = [r[0] for r in store.db.execute("SELECT id FROM cards ORDER BY id")]
print("ready", flush=True)
while True:
    if rng.random() < 0.2:
        print("? undo", flush=True)
        print(f"= undo {store.undo()}", flush=True)
    else:
        card_id, rating = rng.choice(ids), rng.randint(1, 4)
        print(f"? grade {card_id} {rating}", flush=True)
        graded = store.grade(card_id, rating, rng.randint(500, 9000))
        print(f"= grade {graded.review_id} {card_id} {rating}", flush=True)
"""


def stored_answers(path) -> list[tuple[int, str, int]]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT id, card_id, rating FROM reviews ORDER BY id").fetchall()
    finally:
        db.close()


def replay(acks: list[str], answers: list[tuple[int, str, int]]) -> tuple[list, str | None]:
    """What the acknowledgements say the log holds now, and the operation in flight when killed."""
    answers = list(answers)
    in_flight = None
    for line in acks:
        if line.startswith("? "):
            in_flight = line[2:]
        elif line.startswith("= grade "):
            review_id, card_id, rating = line.split()[2:]
            answers.append((int(review_id), card_id, int(rating)))
            in_flight = None
        elif line.startswith("= undo "):
            undone = line.split()[2]
            if undone == "None":
                assert answers == []
            else:
                assert answers.pop()[1] == undone
            in_flight = None
    return answers, in_flight


def check_consistent(path) -> None:
    """Each card's schedule is the one its latest log row left; each row follows on from the one before."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        latest: dict[str, dict] = {}
        for review in db.execute("SELECT * FROM reviews ORDER BY id"):
            before = json.loads(review["card_before"])
            after = json.loads(review["card_after"])
            previous = latest.get(review["card_id"])
            if previous is None:
                assert before["state"] is None and before["reps"] == 0
            else:
                assert {k: before[k] for k in SCHEDULE} == {k: previous[k] for k in SCHEDULE}
            assert after["reps"] == before["reps"] + 1
            latest[review["card_id"]] = after
        for card in db.execute("SELECT * FROM cards"):
            expected = latest.get(card["id"])
            if expected is None:
                assert card["state"] is None and card["reps"] == 0
            else:
                assert {k: card[k] for k in SCHEDULE} == {k: expected[k] for k in SCHEDULE}
    finally:
        db.close()


def test_sigkill_during_bursts_of_answers_loses_nothing_and_half_writes_nothing(tmp_path):
    path = tmp_path / "progress.sqlite3"
    open_store(path, deck_cards("basics", 12)).close()
    rng = random.Random(2026)
    answers: list[tuple[int, str, int]] = []
    acknowledged = committed_unacknowledged = killed_mid_operation = 0
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for kill in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(kill)], stdout=subprocess.PIPE, text=True, env=env
        )
        if kill % 10 == 9:
            time.sleep(rng.uniform(0, 0.15))  # now and then, kill it while it is still opening the store
        else:
            assert child.stdout.readline() == "ready\n"
            time.sleep(rng.uniform(0.002, 0.06))
        child.send_signal(signal.SIGKILL)
        child.wait()
        acks = child.stdout.read().splitlines()
        child.stdout.close()
        expected, in_flight = replay(acks, answers)
        acknowledged += sum(line.startswith("= grade") for line in acks)
        killed_mid_operation += in_flight is not None
        stored = stored_answers(path)
        if stored != expected:
            # Only the operation in flight may have committed without its acknowledgement.
            assert in_flight is not None, f"kill {kill}: store differs with nothing in flight"
            if in_flight.startswith("grade"):
                _, card_id, rating = in_flight.split()
                assert stored[:-1] == expected and stored[-1][1:] == (card_id, int(rating))
            else:
                assert stored == expected[:-1]
            committed_unacknowledged += 1
        answers = stored
        if kill % 11 == 0:
            check_consistent(path)
    check_consistent(path)
    assert acknowledged > 100  # the kills really landed in bursts of answers
    assert killed_mid_operation >= KILLS // 2  # most kills hit an answer or an undo half-way
    assert 0 < committed_unacknowledged <= killed_mid_operation
