"""Find decks (``# `` headings) and question blocks (``<details><summary>…</summary>…</details>``) in notes.

markdown-it tells us where headings and raw HTML blocks are, so a ``<details>`` inside a fenced code block or
a heading inside a code sample is never mistaken for structure. Inside the HTML blocks it hands us we look
for the four tags only; everything between them is kept as the learner wrote it (markdown source), sliced
from the notes by offset, so line numbers always point into the notes file.
"""

from __future__ import annotations

import bisect
import re
import textwrap
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

_TAG = re.compile(r"<(/?)(details|summary)\b[^>]*>", re.IGNORECASE)
_OPEN = re.compile(r"<details\b[^>]*>", re.IGNORECASE)
_ONLY_BREAKS = re.compile(r"\s*(?:<br\s*/?>\s*)+", re.IGNORECASE)
EMPTY_QUESTION = "(no question written)"  # a card needs a question; the importer flags this one
_MARKER = re.compile(r"^\s*🎯\s*Q\s*[.:)-]?\s*", re.IGNORECASE)
_HARD_BREAK = re.compile(r"[ \t]{2,}$")
REUSE_TOKENS = True  # answers reuse the notes' tokens where they can (tests compare with parsing anew)

# Tokens serve to find structure, code, images and words; emphasis and entities change none of them.
_MARKDOWN = MarkdownIt("commonmark").disable(
    ["emphasis", "balance_pairs", "fragments_join", "text_join", "entity"]
)


@dataclass
class Problem:
    line: int | None
    kind: str
    message: str


@dataclass
class RawCard:
    question: str
    answer: str
    line: int  # the <details> line in the notes
    tokens: list = field(default_factory=list, repr=False)  # markdown-it's tokens of the answer


@dataclass
class RawDeck:
    title: str
    line: int
    notes: list[str] = field(default_factory=list)
    cards: list[RawCard] = field(default_factory=list)


@dataclass
class _Event:
    start: int
    end: int
    kind: str  # h1, details, /details, summary, /summary, drop
    line: int
    title: str = ""


@dataclass
class _Block:
    line: int
    state: str = "before-summary"  # -> summary -> answer
    before: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    answer_spans: list[tuple[int, int]] = field(default_factory=list)  # offsets of the answer's pieces


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _events(text: str, starts: list[int], tokens: list, problems: list[Problem]) -> list[_Event]:
    events: list[_Event] = []

    def offset(line: int) -> int:
        return starts[line] if line < len(starts) else len(text)

    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        first, last = token.map
        if token.type == "heading_open" and token.tag == "h1" and token.level == 0:
            title = tokens[index + 1].content.strip() or f"Untitled (line {first + 1})"
            events.append(_Event(offset(first), offset(last), "h1", first + 1, title))
        elif token.type == "html_block" and token.level == 0:
            base, chunk = offset(first), text[offset(first) : offset(last)]
            if _ONLY_BREAKS.fullmatch(chunk):
                events.append(_Event(base, base + len(chunk), "drop", first + 1))
                continue
            line, counted = first + 1, 0
            for match in _TAG.finditer(chunk):
                line += chunk.count("\n", counted, match.start())
                counted = match.start()
                kind = match.group(1) + match.group(2).lower()
                events.append(_Event(base + match.start(), base + match.end(), kind, line))
        elif token.type == "html_block" and _OPEN.search(token.content):
            problems.append(
                Problem(
                    first + 1,
                    "nested-block",
                    f"line {first + 1}: a <details> block inside a list or quote is read as text, not as a "
                    "card; start it at the beginning of a line to make it a card.",
                )
            )
    return events


def clean_markdown(text: str, tokens: list | None = None, first_line: int = 0) -> tuple[str, list]:
    """Tidy an answer or notes: common indent removed, tabs expanded, trailing spaces dropped.

    Two trailing spaces are a markdown line break; they become a backslash break (the same thing in
    CommonMark) so the text can be written as a readable YAML block; in code they are just dropped.
    ``tokens`` are the notes' own tokens for this text when it starts on notes line ``first_line``
    (0-based) and tidying cannot change how it parses; otherwise the text is parsed here.
    """
    if tokens is not None and ("\t" in text or _indented(text)):
        tokens = None
    dedented = textwrap.dedent(text.expandtabs(4))
    text = dedented.strip("\n")
    if not text.strip():
        return "", []
    shift = 0
    if tokens is None:
        tokens = _MARKDOWN.parse(text)
    else:
        shift = first_line + len(dedented) - len(dedented.lstrip("\n"))
    code_lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(token.map[0] - shift, token.map[1] - shift))
    lines = text.split("\n")
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


def _answer_tokens(text: str, starts: list[int], tops: list[tuple[int, int, int]], tokens: list, span):
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
    if (i0 > 0 and tops[i0 - 1][1] > first) or (i1 > i0 and tops[i1 - 1][1] > last):
        return None  # a block runs across the answer's edge
    return tokens[tops[i0][2] : tops[i1][2]] if i1 < len(tops) else tokens[tops[i0][2] :]


def question_text(summary: str) -> tuple[str, bool]:
    """The question without its 🎯Q. marker, and whether the summary is a question at all."""
    text = " ".join(summary.split())
    marked = bool(_MARKER.match(text))
    question = _MARKER.sub("", text).strip()
    return question or EMPTY_QUESTION, marked or question.endswith("?")


def parse_blocks(text: str, fallback_title: str) -> tuple[list[RawDeck], list[Problem]]:
    """Decks with their raw cards and notes, and every block that needed attention, in notes order."""
    problems: list[Problem] = []
    decks: list[RawDeck] = [RawDeck(fallback_title, 1)]
    block: _Block | None = None
    starts = _line_starts(text)
    tokens = _MARKDOWN.parse(text)
    tops = [(t.map[0], t.map[1], i) for i, t in enumerate(tokens) if t.level == 0 and t.map is not None]

    def close(end_line: int, why: str | None) -> None:
        nonlocal block
        assert block is not None
        deck, opened, block = decks[-1], block, None
        if why:
            problems.append(
                Problem(
                    opened.line,
                    "unclosed-block",
                    f"line {opened.line}: this <details> block is not closed with </details> ({why}, "
                    f"line {end_line}); it was read up to there, add </details> where it ends.",
                )
            )
        if opened.state == "before-summary":
            problems.append(
                Problem(
                    opened.line,
                    "no-summary",
                    f"line {opened.line}: a <details> block without a <summary> question; "
                    "its text is kept in the deck notes.",
                )
            )
            deck.notes.extend(opened.before)
            return
        question, is_question = question_text("".join(opened.summary))
        reuse = None
        if REUSE_TOKENS and not why and not "".join(opened.before).strip() and len(opened.answer_spans) == 1:
            reuse = _answer_tokens(text, starts, tops, tokens, opened.answer_spans[0])
        if reuse is not None:
            first_line = bisect.bisect_right(starts, opened.answer_spans[0][0]) - 1
            answer, card_tokens = clean_markdown("".join(opened.answer), reuse, first_line)
        else:
            answer, card_tokens = clean_markdown("".join(opened.before) + "\n\n" + "".join(opened.answer))
        if not is_question:
            problems.append(
                Problem(
                    opened.line,
                    "not-a-question",
                    f"line {opened.line}: '{question}' is not a question (no 🎯Q. marker, no question "
                    "mark); its text is kept in the deck notes.",
                )
            )
            deck.notes.append(f"\n\n**{question}**\n\n{answer}\n\n")
            return
        if "".join(opened.before).strip():
            problems.append(
                Problem(
                    opened.line,
                    "text-before-summary",
                    f"line {opened.line}: text before <summary> in '{question}' is kept at the start "
                    "of its answer; move it below the summary or out of the block.",
                )
            )
        deck.cards.append(RawCard(question, answer, opened.line, card_tokens))

    position = 0
    for event in _events(text, starts, tokens, problems):
        content = text[position : event.start]
        target = decks[-1].notes
        if block is not None:
            target = {"before-summary": block.before, "summary": block.summary, "answer": block.answer}[
                block.state
            ]
            if block.state == "answer":
                block.answer_spans.append((position, event.start))
        target.append(content)
        position = event.end

        if event.kind == "h1":
            if block is not None:
                close(event.line, "a heading follows")
            decks.append(RawDeck(event.title, event.line))
        elif event.kind == "details":
            if block is not None:
                close(event.line, "another <details> follows")
            block = _Block(event.line)
        elif event.kind == "summary" and block is not None and block.state == "before-summary":
            block.state = "summary"
        elif event.kind == "/summary" and block is not None and block.state == "summary":
            block.state = "answer"
        elif event.kind == "/details" and block is not None:
            if block.state == "summary":
                block.state = "answer"
            close(event.line, None)
        elif event.kind != "drop":
            tag = "<" + event.kind + ">"
            problems.append(
                Problem(
                    event.line,
                    "stray-tag",
                    f"line {event.line}: a stray {tag} with no block to match; it was ignored, "
                    "delete it from the notes.",
                )
            )
    tail = text[position:]
    if block is not None:
        {"before-summary": block.before, "summary": block.summary, "answer": block.answer}[
            block.state
        ].append(tail)
        close(text.count("\n") + 1, "the notes end")
    else:
        decks[-1].notes.append(tail)

    if not decks[0].cards and not "".join(decks[0].notes).strip():
        decks.pop(0)  # nothing before the first heading
    return decks, problems
