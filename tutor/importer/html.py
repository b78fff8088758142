"""HTML in notes becomes markdown: summaries become plain question text, HTML answers become markdown the
app can draw (markdownify does the converting: code, lists, tables, links and images are kept).

How fragments become markdown is in ``fragments``.

Markdown that merely holds a few tags (``<b>``, ``<br>``) keeps its markdown: only the blocks and
paragraphs where markdown-it finds HTML are converted, line by line in place, so lists and code around
them stay as the learner wrote them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.html_blocks import block_names

from tutor.importer.fragments import ANY_TAG, convert_fragments

_MARKDOWN = (
    MarkdownIt("commonmark")
    .enable("table")
    .disable(["emphasis", "balance_pairs", "fragments_join", "text_join"])
)
_CODE = re.compile(r"<(code|kbd|tt|samp)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# CommonMark's HTML block of type 6 (a block-level tag at a line's start): it runs to the next blank line.
_BLOCK_TAG = re.compile(r"^</?(?a:(" + "|".join(block_names) + r"))(?=(\s|/?>|$))", re.IGNORECASE)


def summary_text(summary: str) -> str:
    """A summary's text as a question: tags dropped (``<code>`` kept as backticks), entities decoded,
    whitespace collapsed. Bold or not, the same question: so a style change keeps the card's id."""
    if "<" in summary:
        summary = _CODE.sub(lambda m: "`" + html.unescape(ANY_TAG.sub("", m.group(2))) + "`", summary)
        summary = _BREAK.sub(" ", summary)
        summary = ANY_TAG.sub("", summary)
    if "&" in summary:
        summary = html.unescape(summary)
    return " ".join(summary.split())


def has_html(text: str) -> bool:
    return "<" in text and bool(ANY_TAG.search(text))


@dataclass
class HtmlPlan:
    """A text's lines, the spans of them that hold HTML, and the fragment each span converts: the
    converting can wait, so that the fragments of many answers are converted together."""

    lines: list[str]
    spans: list[tuple[str, int, int, str]]  # (kind, first line, end line, what starts its first line)
    fragments: list[str]


def plan_html(text: str, shortcut: bool = True) -> HtmlPlan:
    lines = text.split("\n")
    spans: list[tuple[str, int, int, str]] = []
    fragments: list[str] = []
    for kind, first, last in _html_spans(text, lines, shortcut):
        chunk = lines[first:last]
        indent = min((len(x) - len(x.lstrip()) for x in chunk if x.strip()), default=0)
        if kind == "inline":
            # A list item's paragraph starts after its marker: convert from where the text starts.
            marker = re.match(r"\s*(?:[-*+]|\d+[.)])\s+", chunk[0]) if chunk else None
            head = marker.group(0) if marker else chunk[0][:indent]
            fragments.append("\n".join([chunk[0][len(head) :], *(x[indent:] for x in chunk[1:])]))
        else:
            head = " " * indent
            fragments.append("\n".join(x[indent:] for x in chunk))
        spans.append((kind, first, last, head))
    return HtmlPlan(lines, spans, fragments)


def apply_plan(plan: HtmlPlan, converted: list[str]) -> str:
    """The plan's text with each span replaced by its fragment's markdown (``converted``, in order)."""
    lines = list(plan.lines)
    replaced: list[tuple[int, int, str]] = []
    for (kind, first, last, head), markdown in zip(plan.spans, converted, strict=True):
        pieces = markdown.split("\n")
        if kind == "inline":
            new = [head + pieces[0]] + [" " * len(head) + x if x else x for x in pieces[1:]]
        else:
            new = [head + x if x else x for x in pieces]
        replaced.append((first, last, "\n".join(new)))
    for first, last, markdown in reversed(replaced):
        lines[first:last] = [markdown] if markdown.strip() else [""]
    return "\n".join(lines)


def html_to_markdown(text: str, shortcut: bool = True) -> str:
    """``text`` (markdown, maybe with HTML in it) with its HTML blocks and HTML-holding paragraphs turned
    into markdown. Code is never touched; neither are table cells (their ``<br>`` is how a table breaks
    a line)."""
    if not has_html(text):
        return text
    plan = plan_html(text, shortcut)
    return apply_plan(plan, convert_fragments(plan.fragments))


def _html_spans(text: str, lines: list[str], shortcut: bool) -> list[tuple[str, int, int]]:
    """(``html_block`` or ``inline``, first line, end line) of each HTML block and HTML-holding paragraph
    outside tables, as markdown-it finds them.

    Why it is fast: most HTML answers are one paragraph of a single line starting with a letter, or one
    run of lines starting with a block tag (``<p>``, ``<table>``); CommonMark reads those as a paragraph
    (only its inline part needs parsing) and as one HTML block, so the whole answer is not parsed."""
    filled = [number for number, line in enumerate(lines) if line.strip(" \t")] if shortcut else []
    if len(filled) == 1 and lines[filled[0]][:1].isalpha():
        first = filled[0]
        children = _MARKDOWN.parseInline(lines[first].strip())[0].children or []
        return [("inline", first, first + 1)] if any(c.type == "html_inline" for c in children) else []
    if (
        filled
        and filled[-1] - filled[0] + 1 == len(filled)
        and "|" not in text  # no table can start on a later line
        and _BLOCK_TAG.match(lines[filled[0]])
    ):
        return [("html_block", filled[0], filled[-1] + 1)]
    spans: list[tuple[str, int, int]] = []
    in_table = 0
    for token in _MARKDOWN.parse(text):
        if token.type == "table_open":
            in_table += 1
        elif token.type == "table_close":
            in_table -= 1
        if token.map is None or in_table:
            continue
        if token.type == "html_block" or (
            token.type == "inline" and any(c.type == "html_inline" for c in token.children or [])
        ):
            spans.append((token.type, token.map[0], token.map[1]))
    return spans
