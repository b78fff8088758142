"""The store's study loop: queue order and limits, undo, bury, suspend, leeches, cram, orphans."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_support import NOW, card, deck_cards, log, open_store, row, zone  # noqa: F401 (zone is a fixture)

from tutor.errors import TutorError
from tutor.schema import CRAM, NEW, REVIEW
from tutor.store import LEECH_LAPSES


@pytest.fixture
def store(tmp_path, zone):  # noqa: F811
    with open_store(tmp_path / "p.sqlite3", deck_cards("basics", 6), fuzzing=False) as opened:
        yield opened


def graduate(store, card_id: str, when: datetime) -> datetime:
    """Answer Easy once: a new card goes straight to review. Returns its due time."""
    return store.grade(card_id, 4, 2000, now=when).due


def test_new_cards_come_in_notes_order_and_skip_unanswered_and_deck_suspended(tmp_path, zone):  # noqa: F811
    cards = [  # in the order the decks list them
        card("c"),
        card("a"),
        card("b", needs_answer=True),
        card("d", suspended=True),
        card("e"),
    ]
    store = open_store(tmp_path / "p.sqlite3", cards)
    assert store.queue(now=NOW) == ["c", "a", "e"]
    counts = store.deck_counts(now=NOW)
    assert (counts.new, counts.learning, counts.review) == (3, 0, 0)


def test_queue_order_learning_then_reviews_by_retrievability_then_new_then_learn_ahead(store):
    # Two review cards with the same stability: "basics-1", answered longer ago, is the likelier to
    # be forgotten; "basics-0" is due today too but fresher.
    past = NOW - timedelta(days=30)
    graduate(store, "basics-1", past)  # Easy: due in ~8 days, so overdue by ~22
    graduate(store, "basics-0", NOW - timedelta(days=20))  # overdue by ~12
    store.grade("basics-2", 1, 1000, now=NOW - timedelta(minutes=5))  # learning, due 1 minute later
    store.grade("basics-3", 3, 1000, now=NOW - timedelta(minutes=2))  # learning, due in 8 minutes
    retrievability = {
        cid: store.scheduler.get_card_retrievability(store.fsrs_card(cid), NOW)
        for cid in ("basics-0", "basics-1")
    }
    assert retrievability["basics-1"] < retrievability["basics-0"]
    # New cards are spread evenly among the reviews (Anki's default mix).
    assert store.queue(now=NOW) == ["basics-2", "basics-1", "basics-4", "basics-0", "basics-5", "basics-3"]
    assert store.next_card(now=NOW) == "basics-2"
    counts = store.deck_counts(now=NOW)
    assert (counts.new, counts.learning, counts.review) == (2, 2, 2)
    # Past the learn-ahead window the step-1 learning card is not offered.
    store.grade("basics-3", 3, 1000, now=NOW)  # graduates: due in days
    store.grade("basics-2", 1, 1000, now=NOW)  # back to step 0: due in 1 minute, within learn-ahead
    assert store.queue(now=NOW)[-1] == "basics-2"


def test_daily_limits_count_the_whole_study_day(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", deck_cards("basics", 8), new_per_day=3, reviews_per_day=4)
    assert store.queue(now=NOW) == ["basics-0", "basics-1", "basics-2"]
    store.grade("basics-0", 4, 1000, now=NOW)
    store.grade("basics-1", 4, 1000, now=NOW)
    assert store.queue(now=NOW) == ["basics-2"]  # two of today's three new cards are used
    store.grade("basics-2", 4, 1000, now=NOW)
    assert store.queue(now=NOW) == []
    # Far in the future all three are due for review; four answers a day leave one new card.
    later = NOW + timedelta(days=60)
    queue = store.queue(now=later)
    assert sorted(queue[:2] + queue[3:]) == ["basics-0", "basics-1", "basics-2"] and queue[2] == "basics-3"
    # The day starts at 4 am: at 03:59 tomorrow the limit is still today's.
    for card_id in queue:
        store.grade(card_id, 3, 1000, now=later)
    assert store.deck_counts(now=later).review == 0 and store.deck_counts(now=later).new == 0
    tomorrow = later.replace(hour=4) + timedelta(days=1)
    assert store.deck_counts(now=tomorrow - timedelta(minutes=1)).new == 0
    assert store.deck_counts(now=tomorrow).new == 3


def test_when_the_queue_is_done_it_says_when_learning_cards_come_back(tmp_path, zone):  # noqa: F811
    store = open_store(
        tmp_path / "p.sqlite3", [card("a"), card("b", "other")], learning_steps=[60], new_per_day=1
    )
    assert store.next_due(now=NOW) == NOW  # a new card is waiting
    store.grade("a", 1, 1000, now=NOW)  # back in an hour: beyond the 20-minute learn-ahead
    assert store.queue(now=NOW) == []
    # Ready 20 minutes before it is due (the learn-ahead); b waits for tomorrow's new-card limit.
    assert store.next_due(now=NOW) == NOW + timedelta(minutes=40)
    assert store.next_due("other", now=NOW) == datetime(2026, 3, 3, 4, tzinfo=UTC)
    assert store.queue(now=NOW + timedelta(minutes=45)) == ["a"]  # within learn-ahead now
    store.suspend("b")
    assert store.next_due("other", now=NOW) is None  # nothing scheduled there


def test_one_deck_or_all(tmp_path, zone):  # noqa: F811
    store = open_store(tmp_path / "p.sqlite3", deck_cards("basics", 2) + deck_cards("attention", 2))
    assert store.queue("attention", now=NOW) == ["attention-0", "attention-1"]
    # All decks: in the order the decks were given (as the Decks screen lists them), not by id.
    assert store.queue(now=NOW) == ["basics-0", "basics-1", "attention-0", "attention-1"]
    assert store.deck_counts("basics", now=NOW).new == 2
    assert {deck: c.new for deck, c in store.due_by_deck(now=NOW).items()} == {"attention": 2, "basics": 2}


def test_undo_again_and_again_restores_each_earlier_state_and_removes_the_log_rows(store):
    snapshots = [row(store, "basics-0")]
    moment = NOW
    for rating in (3, 3, 3, 1, 3):
        moment = store.grade("basics-0", rating, 1500, now=moment).due + timedelta(hours=1)
        snapshots.append(row(store, "basics-0"))
    store.grade("basics-1", 2, 900, now=moment)
    assert len(log(store)) == 6
    assert store.undo() == "basics-1"
    assert row(store, "basics-1")["state"] is None  # new again
    for expected in reversed(snapshots[:-1]):
        assert store.undo() == "basics-0"
        assert row(store, "basics-0") == expected  # every column, exactly
    assert log(store) == []
    assert store.undo() is None
    assert store.queue(now=NOW)[0] == "basics-0"


def test_undo_keeps_a_suspension_made_after_the_grade(store):
    store.grade("basics-0", 3, 1000, now=NOW)
    store.suspend("basics-0")
    assert store.undo() == "basics-0"
    assert row(store, "basics-0")["suspended"] == 1 and row(store, "basics-0")["state"] is None


def test_bury_hides_a_card_until_the_next_study_day(store):
    store.bury("basics-0", now=NOW)
    assert "basics-0" not in store.queue(now=NOW)
    next_day = NOW.replace(hour=4) + timedelta(days=1)  # TZ is UTC, the day starts at 4 am
    assert "basics-0" not in store.queue(now=next_day - timedelta(seconds=1))
    assert store.queue(now=next_day)[0] == "basics-0"


def test_unbury_puts_a_card_back_in_todays_queue_where_it_was(store):
    before = store.queue(now=NOW)
    store.bury("basics-0", now=NOW)
    store.unbury("basics-0")
    assert store.queue(now=NOW) == before
    assert store.card_states(["basics-0"])["basics-0"].buried_until is None


def test_suspend_and_unsuspend(store):
    store.suspend("basics-1")
    assert "basics-1" not in store.queue(now=NOW)
    assert store.card_states(["basics-1"])["basics-1"].suspended
    assert store.stats(now=NOW).decks[0].suspended == 1
    store.unsuspend("basics-1")
    assert store.queue(now=NOW)[:2] == ["basics-0", "basics-1"]
    with pytest.raises(TutorError, match="'nope' is not in the progress store"):
        store.suspend("nope")


def test_eight_lapses_make_a_leech_that_is_suspended_and_reported(store):
    moment = graduate(store, "basics-0", NOW)
    results = []
    for _ in range(LEECH_LAPSES):
        graded = store.grade("basics-0", 1, 1000, now=moment)  # forgotten: a lapse
        results.append(graded.became_leech)
        moment = store.grade("basics-0", 3, 1000, now=graded.due).due  # relearned, back to review
    assert results == [False] * (LEECH_LAPSES - 1) + [True]
    state = store.card_states(["basics-0"])["basics-0"]
    assert state.leech and state.suspended and state.lapses == LEECH_LAPSES
    assert "basics-0" not in store.queue(now=moment)
    assert store.stats(now=moment).leeches == ["basics-0"]
    # Undo the relearning answer, then the lapse that made the leech: it is no leech, not suspended.
    store.undo()
    store.undo()
    state = store.card_states(["basics-0"])["basics-0"]
    assert not state.leech and not state.suspended and state.lapses == LEECH_LAPSES - 1


def test_cram_studies_any_deck_now_without_changing_its_schedule(store):
    due = graduate(store, "basics-0", NOW)
    before = row(store, "basics-0")
    assert "basics-0" not in store.queue(now=NOW)
    assert store.queue(now=NOW, cram=True) == [f"basics-{i}" for i in range(6)]
    graded = store.grade("basics-0", 1, 1200, now=NOW + timedelta(minutes=1), cram=True)
    assert graded.due is None
    assert row(store, "basics-0") == before and store.fsrs_card("basics-0").due == due
    assert [r["kind"] for r in log(store)] == [NEW, CRAM]
    assert store.undo() == "basics-0"
    assert [r["kind"] for r in log(store)] == [NEW]


def test_cards_gone_from_the_decks_become_orphans_and_get_their_history_back(store):
    store.grade("basics-0", 4, 1000, now=NOW)
    kept = deck_cards("basics", 6)[1:]
    result = store.sync_cards(kept)
    assert result.orphaned == ["basics-0"] and result.added == [] and result.returned == []
    assert store.stats(now=NOW).orphans == ["basics-0"]
    assert "basics-0" not in store.queue(now=NOW + timedelta(days=60))
    assert len(log(store)) == 1  # its history is kept
    result = store.sync_cards(deck_cards("basics", 6) + [card("basics-new")])
    assert result.returned == ["basics-0"] and result.added == ["basics-new"] and result.orphaned == []
    assert store.card_states(["basics-0"])["basics-0"].reps == 1
    assert store.stats(now=NOW).orphans == []
    assert "basics-0" in store.queue(now=NOW + timedelta(days=60))


def test_card_states_for_browse(store):
    store.grade("basics-2", 3, 1000, now=NOW)
    states = store.card_states()
    assert set(states) == {f"basics-{i}" for i in range(6)}
    assert states["basics-2"].state == "learning" and states["basics-2"].due == NOW + timedelta(minutes=10)
    assert states["basics-0"].state == "new" and states["basics-0"].due is None
    assert [r["kind"] for r in log(store)] == [NEW]
    store.grade("basics-2", 4, 1000, now=NOW + timedelta(minutes=10))
    store.grade("basics-2", 3, 1000, now=NOW + timedelta(days=30))
    assert store.card_states(["basics-2"])["basics-2"].state == "review"
    assert log(store)[-1]["kind"] == REVIEW


def test_grade_refuses_a_rating_outside_one_to_four(store):
    with pytest.raises(ValueError, match="1..4"):
        store.grade("basics-0", 5, 1000, now=NOW)
    assert log(store) == []


@settings(max_examples=25, deadline=None)
@given(
    steps=st.lists(
        st.one_of(st.tuples(st.integers(0, 2), st.integers(1, 4), st.integers(0, 72 * 60)), st.just("undo")),
        max_size=25,
    )
)
def test_any_mix_of_answers_and_undos_unwinds_to_exactly_where_it_started(steps):
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "p.sqlite3", deck_cards("basics", 3), backup=False)
        start = {f"basics-{i}": row(store, f"basics-{i}") for i in range(3)}
        history, moment = [], NOW
        for step in steps:
            if step == "undo":
                undone = store.undo()
                if history:
                    card_id, before = history.pop()
                    assert undone == card_id and row(store, card_id) == before
                else:
                    assert undone is None
                continue
            index, rating, minutes = step
            card_id = f"basics-{index}"
            moment += timedelta(minutes=minutes)
            history.append((card_id, row(store, card_id)))
            store.grade(card_id, rating, 1000, now=moment)
        while store.undo() is not None:
            pass
        assert {card_id: row(store, card_id) for card_id in start} == start and log(store) == []
        store.close()


def test_every_decks_counts_and_next_due_at_once_match_each_deck_asked_alone(tmp_path):
    """Decks in every situation: cards due now, learning soon, reviews later, new cards held back by the
    day's limit, suspended, buried and orphaned cards; the grouped query gives what the per-deck ones do."""
    cards = [card(f"{deck}-{i}", deck) for deck in ("a", "b", "c", "d", "e", "f") for i in range(4)]
    store = open_store(tmp_path / "progress.sqlite3", cards, new_per_day=3)
    store.grade("a-0", 1, 1000, now=NOW)  # learning, back within minutes
    store.grade("b-0", 4, 1000, now=NOW)  # a review days away
    for i in range(4):
        store.grade(f"c-{i}", 4, 1000, now=NOW)  # nothing due today: next due on a later day
    store.suspend("d-0")
    store.bury("d-1", now=NOW)
    store.db.execute("UPDATE cards SET suspended = 1 WHERE deck_id = 'e'")  # nothing scheduled at all
    store.sync_cards([c for c in cards if c.deck_id != "f"])  # deck f's cards become orphans
    for later in (NOW, NOW + timedelta(minutes=15), NOW + timedelta(days=3), NOW + timedelta(days=40)):
        together = store.by_deck(now=later)
        assert sorted(together) == ["a", "b", "c", "d", "e"]
        for deck, (counts, due) in together.items():
            assert counts == store.deck_counts(deck, now=later)
            assert due == store.next_due(deck, now=later)
        assert store.due_by_deck(now=later) == {deck: counts for deck, (counts, _) in together.items()}
    assert store.by_deck(now=NOW)["e"][1] is None
    assert store.by_deck(now=NOW)["c"][1] > NOW
