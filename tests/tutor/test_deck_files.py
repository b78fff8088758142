"""Hostile and broken deck files: each is one problem with its file and line; the other decks still load."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest

from tutor.deck_files import MAX_DECK_BYTES
from tutor.decks import load_decks

GOOD = "id: good\ntitle: Good\ncards:\n- id: g\n  question: Fine?\n"

# 681 bytes of YAML that expand to 10^9 strings when followed: the "billion laughs".
LAUGHS = "\n".join(
    [
        "id: laughs",
        "title: Laughs",
        "cards:",
        "- id: a",
        "  question: Q?",
        "  demos:",
        "  - tokenize:",
        '      text: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"      t{n}: &{chr(97 + n)} [{', '.join(['*' + chr(96 + n)] * 10)}]" for n in range(1, 9)),
    ]
)


def load_with(tmp_path: Path, name: str, text: str | bytes):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    decks, problems = load_decks([tmp_path])
    assert [deck.id for deck in decks] == ["good"]
    return decks, problems, bad


@pytest.fixture
def little_memory():
    """A cap on this process's memory: a file that expands without bound fails the test, not the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    status = Path("/proc/self/status").read_text()
    used = int(next(line for line in status.splitlines() if line.startswith("VmSize:")).split()[1]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (used + 2**30, hard))  # 1 GB more than now
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_yaml_aliases_are_refused_with_their_line(tmp_path, little_memory):
    decks, [problem], bad = load_with(tmp_path, "laughs.yaml", LAUGHS)
    assert [deck.id for deck in decks] == ["good"]
    assert (problem.path, problem.line) == (bad, 8)
    assert "anchor or alias" in problem.message and problem.message.endswith("this deck was not loaded.")


def test_an_alias_in_a_retired_list_is_refused(tmp_path):
    text = GOOD.replace("good", "other") + "retired:\n- &r {id: x}\n- *r\n"
    _, [problem], _ = load_with(tmp_path, "other.yaml", text)
    assert problem.line == 7 and "anchor or alias" in problem.message


def test_a_number_with_five_thousand_digits_is_one_problem(tmp_path):
    _, [problem], bad = load_with(
        tmp_path, "big.yaml", GOOD.replace("good", "big") + f"order: {'9' * 5000}\n"
    )
    assert (problem.path, problem.line) == (bad, 6)
    assert "a number with 5000 digits" in problem.message


@pytest.mark.parametrize(
    ("extra", "line", "words"),
    [
        ("retired: 5\n", 6, "'retired' must be a list"),
        ("retired:\n- 5\n- {question: no id}\n", 6, "retired item 1 is not a mapping"),
        ("order: first\n", 6, "'order' must be a whole number; it was ignored."),
        ("source: [a, b]\n", 6, "'source' must be the notes file's name as text"),
        ("notes: 42\n", 6, "'notes' must be text"),
        ("source_line: yes\n", 6, "'source_line' must be a whole number"),
    ],
)
def test_wrong_types_for_optional_deck_keys_are_reported_and_the_deck_loads(tmp_path, extra, line, words):
    path = tmp_path / "d.yaml"
    path.write_text(GOOD.replace("good", "d") + extra, encoding="utf-8")
    [deck], problems = load_decks([tmp_path])
    assert deck.id == "d" and [c.id for c in deck.cards] == ["g"]
    assert (problems[0].path, problems[0].line) == (path, line)
    assert words in problems[0].message


def test_a_deck_symlinked_to_dev_zero_or_a_fifo_is_not_read(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it for reading would wait for a writer forever
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    decks, problems = load_decks([tmp_path])
    assert [deck.id for deck in decks] == ["good"]
    assert sorted((p.path.name, p.message) for p in problems) == [
        ("pipe.yaml", "is not a regular file (a pipe, a device or a folder); this deck was not loaded."),
        ("zero.yaml", "is not a regular file (a pipe, a device or a folder); this deck was not loaded."),
    ]


def test_a_huge_deck_file_is_not_read(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    with open(tmp_path / "huge.yaml", "wb") as huge:
        huge.truncate(MAX_DECK_BYTES + 1)  # sparse: no disk used
    decks, [problem] = load_decks([tmp_path])
    assert [deck.id for deck in decks] == ["good"]
    assert (
        problem.path.name == "huge.yaml"
        and "more than the tutor reads from one file (8 MB)" in problem.message
    )


def test_a_deck_file_that_is_not_utf8_names_its_line(tmp_path):
    _, [problem], _ = load_with(tmp_path, "latin.yaml", b"id: l\ntitle: Caf\xe9\ncards: []\n")
    assert problem.line == 2 and "is not UTF-8 text" in problem.message


def test_deeply_nested_yaml_is_one_problem(tmp_path):
    _, [problem], _ = load_with(
        tmp_path, "deep.yaml", "id: d\ntitle: D\ncards: " + "[" * 100_000 + "]" * 100_000
    )
    assert "this deck was not loaded" in problem.message


def test_a_decks_folder_that_cannot_be_read_is_reported(tmp_path, monkeypatch):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    real_scandir = os.scandir

    def refuse(path):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    decks, [problem] = load_decks([folder])
    assert decks == [] and problem.path == folder
    assert str(problem) == (
        f"{folder}: cannot be read (Permission denied), so none of its decks were loaded; "
        "check its permissions."
    )


def test_a_file_where_the_decks_folder_should_be_is_reported(tmp_path):
    folder = tmp_path / "decks"
    folder.write_text("not a folder")
    decks, [problem] = load_decks([folder])
    assert decks == [] and "is not a folder" in problem.message
