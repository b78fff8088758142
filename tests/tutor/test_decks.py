"""Deck files: loading with checks (file and line in every message), replacing, writing back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor import paths
from tutor.deck_writing import deck_to_yaml, save_deck
from tutor.decks import Card, Deck, DemoLink, check_demo_link, load_deck, load_decks
from tutor.errors import TutorError

GOOD = """\
id: tokens
title: Tokens
notes: |
  Text outside the questions.
cards:
- id: what-is-bpe-1a2b
  question: What is BPE?
  tags: [chapter-2]
  demos:
  - tokenize: {text: unhappiness}
  - attend
  answer: |
    - merges frequent pairs\\
    - **GPT-2**: 50,257 tokens
- id: empty-3c4d
  question: Empty?
  needs_answer: true
  suspended: true
  answer: ''
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_deck_loads_with_lines_for_the_editor(tmp_path: Path) -> None:
    path = write(tmp_path, "tokens.yaml", GOOD)
    [deck], problems = load_decks([tmp_path])
    assert problems == []
    assert (deck.id, deck.title, deck.notes, deck.path) == (
        "tokens",
        "Tokens",
        "Text outside the questions.",
        path,
    )
    first, second = deck.cards
    assert first == Card(
        id="what-is-bpe-1a2b",
        deck_id="tokens",
        question="What is BPE?",
        answer="- merges frequent pairs\\\n- **GPT-2**: 50,257 tokens",
        order=0,
        tags=["chapter-2"],
        demos=[DemoLink("tokenize", {"text": "unhappiness"}), DemoLink("attend", {})],
        path=path,
        line=6,
    )
    assert (second.order, second.needs_answer, second.suspended, second.line, second.answer) == (
        1,
        True,
        True,
        15,
        "",
    )


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    card = Card("a-1", "d", "Why “curly” ⭐?", "line one\\\nline two\n\n```\ncode\n```", 0, tags=["x"])
    card.demos = [DemoLink("generate", {"prompt": "Every effort", "max_new_tokens": 5})]
    deck = Deck(
        "d", "Deck: one", "🎯 notes", [card], tmp_path / "d.yaml", source="n.md", source_line=3, order=2
    )
    save_deck(deck)
    text = (tmp_path / "d.yaml").read_text(encoding="utf-8")
    assert "answer: |-\n    line one\\\n    line two" in text and "⭐" in text
    loaded, problems = load_deck(tmp_path / "d.yaml")
    assert problems == []
    assert (loaded.title, loaded.notes, loaded.source, loaded.source_line, loaded.order) == (
        "Deck: one",
        "🎯 notes",
        "n.md",
        3,
        2,
    )
    assert [(c.question, c.answer, c.tags, c.demos) for c in loaded.cards] == [
        (card.question, card.answer, card.tags, card.demos)
    ]
    assert deck_to_yaml(loaded) == text


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("id: x\ntitle: X\ncards:\n- id: a\n  question: [unclosed\n", 6, "fix the YAML"),
        ("id: x\ncards: []\n", 1, "needs 'title'"),
        ("- just a list\n", 1, "is not a deck"),
        ("id: x\ntitle: X\ncards: []\ncolour: red\n", 1, "unknown key 'colour'"),
    ],
)
def test_a_bad_file_is_one_problem_and_the_other_decks_still_load(tmp_path: Path, text, line, words) -> None:
    write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", text)
    decks, problems = load_decks([tmp_path])
    assert [deck.id for deck in decks] == ["tokens"]
    [problem] = problems
    assert (problem.path, problem.line) == (bad, line)
    assert words in problem.message
    assert str(problem).startswith(f"{bad}, line {line}: ")
    assert "not loaded" in problem.message


@pytest.mark.parametrize(
    ("card", "words"),
    [
        ("- id: a\n  answer: no question\n", "card 'a' needs 'question'"),
        ("- id: a\n  question: Q?\n  suspend: true\n", "unknown key 'suspend'"),
        ("- id: a\n  question: Q?\n  suspended: maybe\n", "'suspended' that is not true or false"),
        ("- id: a\n  question: Q?\n  tags: chapter-2\n", "'tags' that is not a list"),
        ("- id: a\n  question: Q?\n  answer: [1, 2]\n", "'answer' that is not text"),
    ],
)
def test_a_bad_card_is_skipped_with_its_line(tmp_path: Path, card, words) -> None:
    path = write(tmp_path, "d.yaml", "id: d\ntitle: D\ncards:\n- id: ok\n  question: Fine?\n" + card)
    [deck], [problem] = load_decks([tmp_path])
    assert [c.id for c in deck.cards] == ["ok"]
    assert (problem.path, problem.line) == (path, 6)
    assert words in problem.message and "skipped" in problem.message


def test_duplicate_card_ids_in_a_file_and_across_decks(tmp_path: Path) -> None:
    write(
        tmp_path, "a.yaml", "id: a\ntitle: A\ncards:\n- {id: x, question: One?}\n- {id: x, question: Two?}\n"
    )
    write(
        tmp_path,
        "b.yaml",
        "id: b\ntitle: B\ncards:\n- {id: x, question: Three?}\n- {id: y, question: Four?}\n",
    )
    decks, problems = load_decks([tmp_path])
    assert [[c.question for c in d.cards] for d in decks] == [["One?"], ["Four?"]]
    assert [(p.path.name, p.line) for p in problems] == [("a.yaml", 5), ("b.yaml", 4)]
    assert "used twice (first on line 4)" in problems[0].message
    assert "already used in deck 'a'" in problems[1].message


def test_duplicate_deck_ids_in_one_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: same\ntitle: A\ncards: []\n")
    write(tmp_path, "b.yaml", "id: same\ntitle: B\ncards: []\n")
    decks, [problem] = load_decks([tmp_path])
    assert [d.title for d in decks] == ["A"]
    assert problem.path.name == "b.yaml" and "also used by a.yaml" in problem.message


def test_unknown_demo_names_and_bad_arguments_drop_the_link_not_the_card(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "d.yaml",
        "id: d\ntitle: D\ncards:\n- id: a\n  question: Q?\n  demos:\n  - tokenise: {text: hi}\n"
        "  - attend: {mode: sideways}\n  - tokenize: {text: fine}\n",
    )
    [deck], problems = load_decks([tmp_path])
    assert deck.cards[0].demos == [DemoLink("tokenize", {"text": "fine"})]
    assert [(p.path, p.line) for p in problems] == [(path, 4), (path, 4)]
    assert "tokenise" in problems[0].message and "tokenize" in problems[0].message
    assert "sideways" in problems[1].message or "mode" in problems[1].message
    assert all(p.message.endswith("the link was left out.") for p in problems)


def test_links_are_checked_against_the_demo_registry() -> None:
    check_demo_link("window", {"text": "a b c", "max_length": 4, "stride": 1, "batch_size": 1})
    with pytest.raises(TutorError):
        check_demo_link("window", {"max_len": 4})
    with pytest.raises(TutorError, match="tokenize"):
        check_demo_link("no-such-demo", {})


def test_user_decks_replace_bundled_ones_with_the_same_id(tmp_path: Path) -> None:
    bundled, mine = tmp_path / "bundled", tmp_path / "mine"
    write(bundled, "a.yaml", "id: a\ntitle: Bundled A\norder: 1\ncards: [{id: a1, question: A?}]\n")
    write(bundled, "b.yaml", "id: b\ntitle: Bundled B\norder: 2\ncards: [{id: b1, question: B?}]\n")
    write(mine, "a.yaml", "id: a\ntitle: My A\ncards: [{id: a1, question: 'A, reworded?'}]\n")
    write(mine, "c.yaml", "id: c\ntitle: My C\ncards: []\n")
    decks, problems = load_decks([bundled, mine])
    assert problems == []
    assert [d.title for d in decks] == ["My A", "Bundled B", "My C"]


def test_default_folders_are_the_bundled_decks_then_the_learners(tutor_home: Path) -> None:
    bundled, _ = load_decks([paths.bundled_decks_dir()])
    write(paths.user_decks_dir(), "mine.yaml", "id: mine\ntitle: Mine\ncards: [{id: m1, question: Mine?}]\n")
    decks, problems = load_decks()
    assert problems == []
    assert [d.id for d in decks] == [d.id for d in bundled] + ["mine"]
    assert paths.user_decks_dir().is_relative_to(tutor_home)


def test_a_missing_folder_is_no_problem(tmp_path: Path) -> None:
    assert load_decks([tmp_path / "nowhere"]) == ([], [])


def test_save_is_atomic_and_says_which_file_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    deck = Deck("d", "D", "", [], blocker / "d.yaml")
    with pytest.raises(TutorError, match="cannot write the deck"):
        save_deck(deck)
    save_deck(Deck("d", "D", "", [], tmp_path / "d.yaml"))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_readme_example_deck_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The deck file", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = write(tmp_path, "chapter-2-working-with-text-data.yaml", example)
    deck, problems = load_deck(path)
    assert problems == []
    [card] = deck.cards
    assert (card.needs_answer, card.suspended, card.tags) == (True, True, ["bpe", "chapter-2"])
    assert [link.name for link in card.demos] == ["tokenize", "window"]
    assert deck.retired == [{"id": "what-is-x-1a2b", "question": "What is X?"}]


def test_an_installed_package_finds_its_bundled_decks(tmp_path: Path) -> None:
    """Laid out as a wheel installs it: decks/ becomes tutor/bundled_decks, with no checkout around."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    site = tmp_path / "site-packages"
    shutil.copytree(root / "tutor", site / "tutor", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "tutor" / "bundled_decks").mkdir()
    for deck in (root / "decks").glob("*.yaml"):
        shutil.copy(deck, site / "tutor" / "bundled_decks" / deck.name)
    code = (
        "from tutor import paths; from tutor.decks import load_decks; decks, problems = load_decks(); "
        "print(paths.bundled_decks_dir(), len(decks), sum(len(d.cards) for d in decks), len(problems))"
    )
    env = {"PYTHONPATH": str(site), "TUTOR_HOME": str(tmp_path / "home"), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        str(site / "tutor" / "bundled_decks"),
        "7",
        "68",
        "0",
    ]  # 44 cards from the notes, 16 live, 4 reversed, 4 cloze
