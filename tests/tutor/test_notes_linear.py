"""The importer's work grows linearly with the notes, even in notes no one writes on purpose: one huge
block, thousands of tiny ones, very long lines, blocks nested deep. Work is counted, not timed (the
machine may be busy): Python function calls (markdown-it, BeautifulSoup and markdownify are Python too)
and the characters handed to the text tools, which do their work in C."""

from __future__ import annotations

import cProfile
import pstats
import textwrap

import pytest
from markdown_it import MarkdownIt
from markdownify import MarkdownConverter

from tutor.importer import parse_notes


def one_huge_block(n: int) -> str:
    body = "".join(f"Line {i} of the answer, with `code {i}` and <b>bold</b>.\n\n" for i in range(n))
    return f"# Chapter\n\n<details><summary>🎯Q. What is everything?</summary>\n\n{body}</details>\n"


def tiny_blocks(n: int) -> str:
    return "# Chapter\n" + "".join(f"<details><summary>Q{i}?</summary>A{i}</details>\n" for i in range(n))


def long_line(n: int) -> str:
    words = "".join(f"word{i} <i>x</i> ğŸ¯ " for i in range(n))
    block = f"<details><summary>Why {words}?</summary>\n\n{words}\n</details>\n"
    return f"# Chapter {words}\n\n{words}\n\n{block}"


def nested_questions(n: int) -> str:
    opening = "".join(f"<details><summary>What is level {i}?</summary>\n\nLevel {i}.\n\n" for i in range(n))
    return "# Chapter\n\n" + opening + "</details>\n" * n


def nested_hints(n: int) -> str:
    opening = "".join(f"<details><summary>Hint</summary>\n\nHint {i}.\n\n" for i in range(n))
    return "# Chapter\n\n<details><summary>What is it?</summary>\n\n" + opening + "</details>\n" * (n + 1)


def unclosed_blocks(n: int) -> str:
    blocks = "".join(f"<details><summary>What is {i}?</summary>\n\nText {i}.\n\n" for i in range(n))
    return "# Chapter\n\n" + blocks


def work(text: str, monkeypatch) -> tuple[int, int]:
    """Function calls and characters given to markdown-it, markdownify and textwrap for one parse."""
    chars = 0

    def counting(function, at: int = 0):
        def counted(*args, **kwargs):
            nonlocal chars
            chars += len(args[at])
            return function(*args, **kwargs)

        return counted

    with monkeypatch.context() as patch:
        patch.setattr(MarkdownIt, "parse", counting(MarkdownIt.parse, 1))
        patch.setattr(MarkdownConverter, "convert", counting(MarkdownConverter.convert, 1))
        patch.setattr(textwrap, "dedent", counting(textwrap.dedent))
        profile = cProfile.Profile()
        profile.runcall(parse_notes, text)
    return pstats.Stats(profile).total_calls, chars  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("notes", "n"),
    [
        (one_huge_block, 300),
        (tiny_blocks, 500),
        (long_line, 500),
        (nested_questions, 60),
        (nested_hints, 60),
        (unclosed_blocks, 200),
    ],
)
def test_four_times_the_notes_is_four_times_the_work(notes, n, monkeypatch) -> None:
    small_calls, small_chars = work(notes(n), monkeypatch)
    big_calls, big_chars = work(notes(4 * n), monkeypatch)
    size = len(notes(4 * n)) / len(notes(n))
    assert big_calls / small_calls < 1.15 * size
    assert big_chars / small_chars < 1.15 * size
