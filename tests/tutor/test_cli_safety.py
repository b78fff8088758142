"""The tutor command with odd input: arguments that pass the checks then crashed, file names that are
not UTF-8 under a strict locale, no terminal, an empty demo name. Each is one sentence and a non-zero exit.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tutor.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["demo", "generate", "--seed", str(2**64)],
            "argument 'seed' must be from -9,223,372,036,854,775,808 to 9,223,372,036,854,775,807 (64-bit).",
        ),
        (["demo", "generate", "--temperature", "1e-40"], "argument 'temperature' must be 0 or at least 0.01"),
        (["demo", "pretrain", "--seed", str(2**70)], "argument 'seed' must be from"),
        (["demo", ""], "There is no demo called ''; the demos are: attend,"),
    ],
)
def test_demo_arguments_that_used_to_crash_are_one_sentence(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_app_without_a_terminal_says_so_instead_of_waiting_forever(capsys):
    assert main([]) == 2  # pytest's stdin and stdout are not a terminal, as with `tutor > file < /dev/null`
    assert "The app needs a terminal" in capsys.readouterr().err


def test_names_that_are_not_utf8_under_a_strict_locale_give_no_traceback(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="ascii", LC_ALL="C", PYTHONUTF8="0")
    name = os.fsdecode(b"caf\xe9-notes.md")  # a Latin-1 file name: not UTF-8
    (tmp_path / name).write_bytes(b"# Chapter 1: Caf\xc3\xa9\n")
    runs = [
        ["demo", "tokenize", os.fsdecode(b"a\xffb")],
        ["import", str(tmp_path / os.fsdecode(b"gone\xff.md"))],
        ["decks"],
    ]
    for argv in runs:
        run = subprocess.run(
            [sys.executable, "-m", "tutor", *argv], env=env, capture_output=True, timeout=120
        )
        assert b"Traceback" not in run.stderr, (argv, run.stderr[-2000:])
    assert run.returncode == 0


def test_a_corpus_that_never_ends_or_blocks_is_refused(tmp_path, capsys):
    fifo = tmp_path / "corpus.txt"
    os.mkfifo(fifo)  # reading it would wait for a writer forever
    for corpus in ("/dev/zero", str(fifo)):
        assert main(["demo", "pretrain", "--corpus", corpus, "--steps", "1"]) == 2
        err = capsys.readouterr().err
        assert f"Corpus file {corpus} is not a regular file (a pipe, a device or a folder)" in err
