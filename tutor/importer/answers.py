"""An answer's markdown: HTML converted, indentation and line breaks tidied, and the notes' own tokens
reused where they still fit (parsing every answer again would double the import's time)."""

from __future__ import annotations

import bisect
import re
import textwrap
from dataclasses import dataclass

from markdown_it import MarkdownIt

from tutor.importer.cards import is_plain
from tutor.importer.fragments import convert_fragments
from tutor.importer.html import HtmlPlan, apply_plan, has_html, plan_html

_ONLY_BREAKS = re.compile(r"\s*(?:<br\s*/?>\s*)+", re.IGNORECASE)
_HARD_BREAK = re.compile(r"[ \t]{2,}$")
# Lines of nothing but plain tags (``<br><b></b>``): CommonMark reads each as HTML (a block, or inline in a
# paragraph; not code: at most 3 spaces in), so converting them leaves no text, and nothing is parsed.
_TAG_ONLY_LINE = (
    r"(?: {0,3}(?:(?:<[A-Za-z][A-Za-z0-9-]*[ \t]*/?>|</[A-Za-z][A-Za-z0-9-]*[ \t]*>)[ \t]*)+|[ \t]*)"
)
_ONLY_TAGS = re.compile(rf"{_TAG_ONLY_LINE}(?:\n{_TAG_ONLY_LINE})*")

# Tokens serve to find code, images and words; emphasis and entities change none of them.
MARKDOWN = MarkdownIt("commonmark").disable(
    ["emphasis", "balance_pairs", "fragments_join", "text_join", "entity"]
)


def clean_markdown(
    text: str, tokens: list | None = None, first_line: int = 0, shortcut: bool = True, words: bool = True
) -> tuple[str, list | None]:
    """Tidy an answer or notes: common indent removed, tabs expanded, trailing spaces dropped.

    Two trailing spaces are a markdown line break; they become a backslash break (the same thing in
    CommonMark) so the text can be written as a readable YAML block; in code they are just dropped.
    ``tokens`` are the notes' own tokens for this text when it starts on notes line ``first_line``
    (0-based) and tidying cannot change how it parses; otherwise the text is parsed here, unless
    (``shortcut``) no line is a break whose meaning depends on code and the text ``is_plain``: then no
    tokens are returned (None), and ``answer_facts`` counts the answer's words in its text. A deck's
    notes (``words`` False) need tokens only to find images: without a break line and without "![" they
    are not parsed either.
    """
    if tokens is not None and ("\t" in text or _indented(text)):
        tokens = None
    dedented = textwrap.dedent(text.expandtabs(4))
    text = dedented.strip("\n")
    if not text.strip():
        return "", []
    shift = 0
    lines = text.split("\n")
    if tokens is None:
        # Why it is fast: without a break line, where code is does not matter, and the tokens are
        # needed only for what the caller reads in them (words and images, or images alone).
        if (
            shortcut
            and (is_plain(text) or (not words and "![" not in text))
            and not any(_ONLY_BREAKS.fullmatch(x) or _HARD_BREAK.search(x) for x in lines)
        ):
            tidy = "\n".join(line.rstrip() for line in lines)
            return (re.sub(r"\n{3,}", "\n\n", tidy) if "\n\n\n" in tidy else tidy).strip("\n"), None
        tokens = MARKDOWN.parse(text)
    else:
        shift = first_line + len(dedented) - len(dedented.lstrip("\n"))
    code_lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(token.map[0] - shift, token.map[1] - shift))
    for number, line in enumerate(lines):
        if number not in code_lines and _ONLY_BREAKS.fullmatch(line):
            lines[number] = ""  # <br> spacers between sections; blank lines do that in markdown
        elif (
            number not in code_lines
            and _HARD_BREAK.search(line)
            and line.strip()
            and number + 1 < len(lines)
            and lines[number + 1].strip()  # a break at the end of a paragraph is no break
        ):
            lines[number] = line.rstrip() + "\\"
        else:
            lines[number] = line.rstrip()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n"), tokens


def _indented(text: str) -> bool:
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and all(line[0] == " " for line in lines)


def notes_tokens(text: str, starts: list[int], tops: list[tuple[int, int, int]], tokens: list, span):
    """The notes' tokens for an answer that fills whole lines between </summary> and </details>, or
    None when it does not (text on those lines, or content inside a raw HTML block).

    ``tops`` are (first line, end line, token index) of the notes' top-level blocks, in order."""
    start, end = span
    line_end = text.find("\n", start)
    if line_end == -1 or text[start:line_end].strip():
        return None
    first = bisect.bisect_right(starts, start)  # the line after </summary>
    last = bisect.bisect_right(starts, end) - 1  # the </details> line
    if text[starts[last] : end].strip() or first > last:
        return None
    i0, i1 = bisect.bisect_left(tops, (first,)), bisect.bisect_left(tops, (last,))
    if i0 >= len(tops):
        return None
    if (i0 > 0 and tops[i0 - 1][1] > first) or (i1 > i0 and tops[i1 - 1][1] > last):
        return None  # a block runs across the answer's edge
    return tokens[tops[i0][2] : tops[i1][2]] if i1 < len(tops) else tokens[tops[i0][2] :]


@dataclass
class HtmlAnswer:
    """An answer whose HTML is still to be converted: ``finish`` it with its fragments' markdown."""

    plan: HtmlPlan
    shortcut: bool

    @property
    def fragments(self) -> list[str]:
        return self.plan.fragments

    def finish(self, converted: list[str]) -> tuple[str, list | None]:
        return clean_markdown(apply_plan(self.plan, converted), shortcut=self.shortcut)


def prepare_answer(raw: str, shortcut: bool = True) -> tuple[str, list | None] | HtmlAnswer:
    """``answer_markdown`` of ``raw``, or, when it has HTML to convert, what is left to do."""
    if has_html(raw):
        raw = textwrap.dedent(raw.expandtabs(4))
        if shortcut and "<img" not in raw.lower() and _ONLY_TAGS.fullmatch(raw):
            return "", []
        plan = plan_html(raw, shortcut)
        if plan.fragments:
            return HtmlAnswer(plan, shortcut)
    return clean_markdown(raw, shortcut=shortcut)


def answer_markdown(raw: str, shortcut: bool = True) -> tuple[str, list | None]:
    """An answer as the learner wrote it (markdown, HTML, or both) as tidy markdown, and its tokens."""
    prepared = prepare_answer(raw, shortcut)
    if isinstance(prepared, HtmlAnswer):
        return prepared.finish(convert_fragments(prepared.fragments))
    return prepared
