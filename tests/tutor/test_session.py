"""The study loop without a screen: a library opened once, and sessions that grade, hide and undo."""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from store_support import NOW

from tutor import schema
from tutor.errors import TutorError
from tutor.library import Library
from tutor.session import StudySession

BASICS = {
    "id": "basics",
    "title": "Basics",
    "cards": [
        {"id": "bpe", "question": "What is BPE?", "answer": "Byte pair encoding."},
        {"id": "eot", "question": "Which token ends a text?", "answer": "<|endoftext|>"},
        {"id": "emb", "question": "What is an embedding?", "answer": "A learned vector per token."},
    ],
}
ATTENTION = {
    "id": "attention",
    "title": "Attention",
    "cards": [
        {"id": "mask", "question": "Why mask?", "answer": "So a token sees no later token."},
        {"id": "soft", "question": "What does softmax give?", "answer": "Weights.", "reverse": True},
        {"id": "todo", "question": "What is a head?", "needs_answer": True},  # never studied
    ],
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    for deck in (BASICS, ATTENTION):
        (folder / f"{deck['id']}.yaml").write_text(yaml.safe_dump(deck, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture
def library(decks: Path, tmp_path: Path):
    with Library.open([decks], tmp_path / "progress.sqlite3", backup=False) as opened:
        yield opened


def reviews(library: Library) -> list[tuple[str, int, str]]:
    assert library.store is not None
    query = "SELECT card_id, rating, kind FROM reviews ORDER BY id"
    return [tuple(row) for row in library.store.db.execute(query)]


def test_a_library_holds_the_decks_and_a_store_that_knows_their_cards(library: Library) -> None:
    assert list(library.decks) == ["attention", "basics"]
    assert list(library.cards) == ["mask", "soft", "soft~reverse", "todo", "bpe", "eot", "emb"]
    assert library.problems == [] and library.trouble is None
    rows = library.deck_rows(NOW)
    assert [(row.deck.id, row.counts.new, row.seen) for row in rows if row.counts] == [
        ("attention", 3, 0),  # the card that waits for an answer is not new
        ("basics", 3, 0),
    ]
    assert all(row.next_due == NOW for row in rows)
    assert library.title("basics") == "Basics" and library.title(None) == "All decks"
    assert library.title("gone") == "gone"


def test_a_library_keeps_deck_file_problems_and_a_locked_store_as_one_sentence_each(
    decks: Path, tmp_path: Path
) -> None:
    (decks / "broken.yaml").write_text("id: broken\ncards: [", encoding="utf-8")
    path = tmp_path / "progress.sqlite3"
    holder = sqlite3.connect(path)
    Library.open([decks], path, backup=False).close()  # the store exists
    holder.execute("BEGIN EXCLUSIVE")
    try:
        library = Library.open([decks], path, backup=False)
    finally:
        holder.rollback()
        holder.close()
    with library:
        assert list(library.decks) == ["attention", "basics"]  # the decks still load
        [problem] = library.problems
        assert problem.path == decks / "broken.yaml" and problem.line is not None
        assert library.store is None and library.trouble is not None
        assert str(path) in library.trouble and library.trouble.count(".") >= 1
        messages = list(library.messages())
        assert messages == [str(problem), library.trouble]
        with pytest.raises(TutorError, match="progress"):
            library.need_store()
        session = StudySession(library, "basics", clock=Clock())
        session.start()
        assert session.current is None and session.undo() is None
        assert session.summary().reviewed == 0


def test_a_session_grades_in_one_call_and_moves_on_with_todays_counts(library: Library) -> None:
    clock = Clock()
    session = StudySession(library, "basics", clock=clock)
    session.start()
    assert session.current is not None and session.current.id == "bpe"
    assert session.counts is not None and (session.counts.new, session.counts.learning) == (3, 0)
    assert set(session.intervals) == {1, 2, 3, 4}
    assert session.intervals[1] < session.intervals[3] <= session.intervals[4]
    clock.now += timedelta(seconds=7)
    graded = session.grade(3)
    assert graded.card_id == "bpe" and not graded.became_leech
    assert session.current.id == "eot"
    assert (session.counts.new, session.counts.learning) == (2, 1)  # bpe is learning now
    row = library.store.db.execute("SELECT state, reps FROM cards WHERE id = 'bpe'").fetchone()
    assert tuple(row) == (1, 1)  # learning, one answer
    assert library.store.db.execute("SELECT duration_ms FROM reviews").fetchone()[0] == 7000
    session.grade(1)
    session.grade(4)
    assert session.graded == [("bpe", 3), ("eot", 1), ("emb", 4)]
    # bpe and eot are learning cards within the learn-ahead: they come back in this session
    assert session.current is not None and session.current.id in ("bpe", "eot")


def test_suspend_bury_and_grades_undo_one_at_a_time_latest_first(library: Library) -> None:
    session = StudySession(library, "basics", clock=Clock())
    session.start()
    session.grade(3)  # bpe
    session.suspend()  # eot
    assert session.last_hidden == "suspended"
    session.bury()  # emb
    assert session.last_hidden == "buried"
    states = library.store.card_states()
    assert states["eot"].suspended and states["emb"].buried_until is not None
    undone = session.undo()
    assert (undone.kind, undone.card_id) == ("bury", "emb") and session.current.id == "emb"
    assert library.store.card_states()["emb"].buried_until is None
    undone = session.undo()
    assert (undone.kind, undone.card_id) == ("suspend", "eot") and session.current.id == "eot"
    assert not library.store.card_states()["eot"].suspended
    undone = session.undo()
    assert (undone.kind, undone.card_id) == ("grade", "bpe") and session.current.id == "bpe"
    assert session.graded == [] and reviews(library) == []
    assert session.counts.new == 3
    assert session.undo() is None  # nothing left in this session or the store's log


def test_undo_reaches_grades_of_an_earlier_session(library: Library) -> None:
    first = StudySession(library, "basics", clock=Clock())
    first.start()
    first.grade(3)
    later = StudySession(library, None, clock=Clock())
    later.start()
    undone = later.undo()
    assert (undone.kind, undone.card_id) == ("grade", "bpe") and later.current.id == "bpe"
    assert reviews(library) == []


def test_a_grade_buries_the_reversed_sibling_for_the_day(library: Library) -> None:
    session = StudySession(library, "attention", clock=Clock())
    session.start()
    seen = []
    while session.current is not None and len(seen) < 3:
        seen.append(session.current.id)
        session.grade(4)  # Easy: each goes to review, days away
    assert seen == ["mask", "soft"]  # the reversed card waits for tomorrow, the other for an answer
    assert library.store.card_states()["soft~reverse"].buried_until is not None


def test_a_cram_shows_every_studiable_card_once_and_leaves_schedules_alone(library: Library) -> None:
    session = StudySession(library, "basics", cram=True, clock=Clock())
    session.start()
    assert session.counts is None and session.intervals == {} and session.left == 3
    order = []
    while session.current is not None:
        order.append(session.current.id)
        session.grade(1)
    assert order == ["bpe", "eot", "emb"]
    assert reviews(library) == [(card_id, 1, schema.CRAM) for card_id in order]
    assert all(state.state == "new" for state in library.store.card_states().values())
    assert session.summary().next_due is None  # a cram schedules nothing


def test_the_summary_counts_grades_time_and_the_cards_still_learning(library: Library) -> None:
    clock = Clock()
    session = StudySession(library, "basics", clock=clock)
    session.start()
    for rating in (1, 3, 4):
        session.grade(rating)
    clock.now += timedelta(minutes=2)
    summary = session.summary()
    assert summary.reviewed == 3 and summary.by_rating == {1: 1, 2: 0, 3: 1, 4: 1}
    assert summary.again_share == pytest.approx(1 / 3)
    assert summary.seconds == 120
    assert summary.learning == 2  # bpe (Good) and eot (Again) are on learning steps; emb went to review
    assert summary.next_due is not None and summary.next_due <= clock.now


def test_a_live_card_draws_a_variant_and_opens_its_demo_on_it(tmp_path: Path) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    deck = {
        "id": "live",
        "title": "Live",
        "cards": [
            {
                "id": "count",
                "question": "How many GPT-2 tokens is `{text}`?",
                "live": {
                    "demo": "tokenize",
                    "answer": "count",
                    "variants": [{"text": "unhappiness"}, {"text": "someunknownPlace"}],
                },
                "demos": [{"tokenize": {"text": "hello"}}],
            }
        ],
    }
    (folder / "live.yaml").write_text(yaml.safe_dump(deck), encoding="utf-8")
    with Library.open([folder], tmp_path / "p.sqlite3", backup=False) as library:
        assert library.problems == [], library.problems
        asked = set()
        for seed in range(20):
            session = StudySession(library, "live", clock=Clock(), rng=random.Random(seed))
            session.start()
            assert session.asked is not None
            text = session.asked.args["text"]
            asked.add(text)
            assert session.asked.question == f"How many GPT-2 tokens is `{text}`?"
            assert session.demo_links() == [("tokenize", {"text": text})]  # the variant, not the link's
        assert asked == {"unhappiness", "someunknownPlace"}


def test_an_edit_that_removes_the_current_card_moves_the_session_on(library: Library, decks: Path) -> None:
    session = StudySession(library, "basics", clock=Clock())
    session.start()
    assert session.current.id == "bpe"
    changed = dict(BASICS, cards=BASICS["cards"][1:])
    (decks / "basics.yaml").write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    library.load_decks()
    assert session.refresh() is False and session.current.id == "eot"
    assert session.refresh() is True and session.current.id == "eot"


def test_a_refused_write_leaves_the_session_on_the_same_card(library: Library, tmp_path: Path) -> None:
    session = StudySession(library, "basics", clock=Clock())
    session.start()
    holder = sqlite3.connect(library.store.path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(TutorError):
            session.grade(3)
    finally:
        holder.rollback()
        holder.close()
    assert session.current.id == "bpe" and session.graded == [] and reviews(library) == []
    session.grade(3)
    assert session.graded == [("bpe", 3)]


def test_unsuspending_says_what_it_did_and_leaves_a_deck_file_suspension(
    library: Library, decks: Path
) -> None:
    session = StudySession(library, "basics", clock=Clock())
    session.start()
    session.suspend()  # bpe
    assert library.unsuspend("bpe") == "unsuspended" and not library.states(["bpe"])["bpe"].suspended
    assert library.unsuspend("bpe") == "not suspended"
    changed = dict(BASICS, cards=[dict(BASICS["cards"][0], suspended=True), *BASICS["cards"][1:]])
    (decks / "basics.yaml").write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    library.load_decks()
    assert library.unsuspend("bpe") == "in the deck file"
    assert [when for when, *_ in library.history("eot")] == []
