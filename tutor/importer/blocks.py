"""Find decks (``# `` headings) and question blocks (``<details><summary>…</summary>…</details>``) in notes.

The four tags are found wherever they are written (alone on a line, after text, in a list item, nested in
an answer) except in code: markdown-it tells us where code blocks are, and where headings are, so a
``<details>`` in a code sample is never mistaken for structure. Everything between the tags is kept as
the learner wrote it, sliced from the notes by offset, so line numbers always point into the notes file;
HTML in it becomes markdown (``html``), and whether a summary is a question is decided in ``questions``.

A ``<details>`` inside an answer is a child block: a question of its own becomes its own card in the same
deck; a hint, an example or an answer label stays in its parent's answer.
"""

from __future__ import annotations

import bisect
import re
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

from tutor.importer.answers import MARKDOWN, HtmlAnswer, clean_markdown, notes_tokens, prepare_answer
from tutor.importer.cards import AnswerFacts, answer_facts, is_placeholder, is_plain
from tutor.importer.fragments import convert_fragments
from tutor.importer.html import has_html, summary_text
from tutor.importer.questions import is_aside, judge, question_above, strip_marker

_TAG = re.compile(r"<(/?)(details|summary)\b[^>]*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# "```</details>" closes the code and then the block; CommonMark would read the rest of the notes as code.
_FENCE_THEN_TAG = re.compile(r"(?m)^([ \t]*(?:`{3,}|~{3,}))([ \t]*</details\s*>)")
_LEADING_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})")
EMPTY_QUESTION = "(no question written)"  # a card needs a question; the importer flags this one
# Answers reuse the notes' tokens, and plain ones are not parsed at all, where they can (tests compare
# with parsing every answer anew).
REUSE_TOKENS = True

# The whole notes are parsed for their blocks only; the inline parts (words, code spans, images) are
# parsed later for the answers that reuse the notes' tokens, and never for the rest.
_BLOCKS = MarkdownIt("commonmark").disable(
    ["emphasis", "balance_pairs", "fragments_join", "text_join", "entity", "inline"]
)

# Why it is fast: markdown-it tries every block rule at every block and at every line that may end a
# paragraph, though most notes hold no setext underline, no thematic break, no reference, no quote, no
# indented code and often no fenced code (a fifth of the parse). A rule is left out when no line could
# match it; the tests below are cheap (substrings) and hold for every such line, and more (in lists and
# quotes too), so the tokens are the same (a test compares them with every rule's).
_ENDS_IN_SPACE = re.compile(r"[ \t]\n")
_UNDERLINE_END = re.compile(r"[=-][ \t]+\n")
_BREAK_END = re.compile(r"[-*_][ \t]+\n")


def _rules_left_out(text: str) -> frozenset[str]:
    text = "\n" + text + "\n"
    spaced = bool(_ENDS_IN_SPACE.search(text))  # lines may end in spaces after their marks
    needed = {
        # "===" or "---" alone on a line: its last mark ends the line
        "lheading": "=\n" in text or "-\n" in text or (spaced and bool(_UNDERLINE_END.search(text))),
        # "***", "- - -" or "___": likewise
        "hr": "-\n" in text or "*\n" in text or "_\n" in text or (spaced and bool(_BREAK_END.search(text))),
        "reference": "]:" in text,  # "[label]: target"
        # ">" starts a line, or follows indent or a list marker's space
        "blockquote": "\n>" in text or " >" in text or "\t>" in text,
        "code": "    " in text or "\t" in text,  # four columns of indent, however deep
        "fence": "```" in text or "~~~" in text,
    }
    return frozenset(name for name, need in needed.items() if not need)


@lru_cache(maxsize=32)
def _block_parser(left_out: frozenset[str]) -> MarkdownIt:
    return MarkdownIt("commonmark").disable(
        ["emphasis", "balance_pairs", "fragments_join", "text_join", "entity", "inline", *sorted(left_out)]
    )


def parse_notes_blocks(text: str, env: dict) -> list:
    """The notes' block tokens, as ``_BLOCKS`` gives them, with the rules no line can match left out."""
    return _block_parser(_rules_left_out(text)).parse(text, env)


# What became of each <details> block (RawDeck.blocks): every block ends as one of these.
CARD, CHILD_CARD, IN_ANSWER, NOTES = "card", "child card", "in its parent's answer", "notes"


@dataclass
class Problem:
    line: int | None
    kind: str
    message: str
    detail: str = ""  # a finer group within the kind (why a card needs an answer)


@dataclass
class RawCard:
    question: str
    answer: str
    line: int  # the <details> line in the notes
    facts: AnswerFacts | None = field(default=None, repr=False)  # its images and words, from its tokens
    parent_line: int | None = None  # a child card: the line of the block it sits in


@dataclass
class RawDeck:
    title: str
    line: int
    notes: list[str] = field(default_factory=list)
    cards: list[RawCard] = field(default_factory=list)
    blocks: list[tuple[int, str]] = field(default_factory=list)  # (line, what it became) of each block
    heading: bool = True  # False for the text before the first heading


@dataclass
class _Event:
    start: int
    end: int
    kind: str  # h1, details, /details, summary, /summary
    line: int
    title: str = ""


@dataclass
class _Nested:
    """A hint's text in its parent's answer, kept as the pieces it is made of: joined (and dedented) at
    every level, a hint nested n deep would copy the text below it n times over, n² work. Its text is
    ``prefix``, the ``pieces`` (tidied: they start and end with text, which starts a line at column 0),
    then ``suffix``."""

    prefix: str
    pieces: list[str | _Nested]
    suffix: str


def _text(pieces: list[str | _Nested]) -> str:
    """The pieces' text, joined once (without recursion: nesting may be deeper than Python's stack)."""
    out: list[str] = []
    stack: list[str | _Nested] = pieces[::-1]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            stack.append(item.suffix)
            stack.extend(item.pieces[::-1])
            stack.append(item.prefix)
    return "".join(out)


_WHITESPACE_LINE = re.compile(r"^[ \t]+$", re.MULTILINE)


def _tidy(pieces: list[str | _Nested]) -> list[str | _Nested]:
    """``textwrap.dedent(text.expandtabs(4)).strip()`` of the pieces' text, as pieces.

    A nested piece holds a line at column 0, so no indent is common to every line and dedenting only
    empties the whitespace-only lines; those lie in the text between nested pieces, which start and
    end lines (tabs expand there alone too)."""
    if not any(isinstance(piece, _Nested) for piece in pieces):
        text = textwrap.dedent("".join(pieces).expandtabs(4)).strip()  # type: ignore[arg-type]
        return [text] if text else []
    tidy: list[str | _Nested] = []
    run: list[str] = []
    for piece in [*pieces, None]:
        if isinstance(piece, str):
            run.append(piece)
            continue
        if run:
            tidy.append(_WHITESPACE_LINE.sub("", "".join(run).expandtabs(4)))
            run = []
        if piece is not None:
            tidy.append(piece)
    while isinstance(tidy[0], str) and not tidy[0].strip():
        del tidy[0]
    while isinstance(tidy[-1], str) and not tidy[-1].strip():
        del tidy[-1]
    first, last = tidy[0], tidy[-1]
    tidy[0] = (
        first.lstrip()
        if isinstance(first, str)
        else _Nested(first.prefix.lstrip(), first.pieces, first.suffix)
    )
    last = tidy[-1]
    tidy[-1] = (
        last.rstrip() if isinstance(last, str) else _Nested(last.prefix, last.pieces, last.suffix.rstrip())
    )
    return tidy


@dataclass
class _Block:
    line: int
    parent: _Block | None = None
    state: str = "before-summary"  # -> summary -> answer
    before: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    answer: list[str | _Nested] = field(default_factory=list)  # hints in it are _Nested
    answer_spans: list[tuple[int, int]] = field(default_factory=list)  # offsets of the answer's pieces
    gap_index: int = -1  # a top-level block: its deck's notes piece just above it
    children: list[RawCard] = field(default_factory=list)  # child blocks that became cards
    nested: bool = False  # child blocks were cut out of the answer (its pieces are no longer the notes')

    def part(self) -> list[str] | list[str | _Nested]:
        if self.state == "answer":
            return self.answer
        return self.before if self.state == "before-summary" else self.summary


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _structure(tokens: list, text: str, starts: list[int]) -> tuple[set[int], set[int], list[int]]:
    """0-based lines of code (fenced code without its fence lines, indented code) and of raw HTML
    blocks, and the index of each top-level ``# `` heading's token, in one pass over the tokens."""
    code: set[int] = set()
    raw_html: set[int] = set()
    headings: list[int] = []
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in _PLAIN_TOKENS or token.map is None:
            continue
        first, last = token.map
        if kind == "html_block":
            raw_html.update(range(first, last))
        elif kind == "code_block":
            code.update(range(first, last))
        elif kind == "fence":
            end = starts[last] if last < len(starts) else len(text)
            closing = text[starts[last - 1] : end].strip()
            closed = last - 1 > first and closing.startswith(token.markup)
            code.update(range(first + 1, last - 1 if closed else last))
        elif kind == "heading_open" and token.tag == "h1" and token.level == 0:
            headings.append(index)
    return code, raw_html, headings


# The tokens most notes are made of, which hold no code, raw HTML or heading
_PLAIN_TOKENS = frozenset(
    "inline paragraph_open paragraph_close list_item_open list_item_close bullet_list_open "
    "bullet_list_close ordered_list_open ordered_list_close heading_close".split()
)


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether offset ``at`` falls in one of ``spans`` (sorted, not overlapping)."""
    index = bisect.bisect_right(spans, (at, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= at < spans[index][1]


def _events(text: str, starts: list[int], tokens: list) -> list[_Event]:
    events: list[_Event] = []

    def offset(line: int) -> int:
        return starts[line] if line < len(starts) else len(text)

    # Lines whose tags are no structure: code, and headings (a heading spans whole lines).
    skipped, raw_html, headings = _structure(tokens, text, starts)
    for index in headings:
        first, last = tokens[index].map
        title = tokens[index + 1].content.strip() or f"Untitled (line {first + 1})"
        events.append(_Event(offset(first), offset(last), "h1", first + 1, title))
        skipped.update(range(first, last))
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(text)] if "<!--" in text else []
    for match in _TAG.finditer(text):
        at = match.start()
        line = bisect.bisect_right(starts, at) - 1
        if line in skipped or (comments and _inside(comments, at)):
            continue
        before = "" if line in raw_html else text[starts[line] : at]
        if "`" in before and _LEADING_FENCE.sub("", before).count("`") % 2:
            continue  # inside `inline code` (raw HTML has no code spans)
        events.append(_Event(at, match.end(), match.group(1) + match.group(2).lower(), line + 1))
    events.sort(key=lambda e: e.start)
    return events


def _stray(event: _Event) -> Problem:
    message = (
        f"line {event.line}: a stray <{event.kind}> with no block to match; it was ignored, delete it from "
        "the notes."
    )
    return Problem(event.line, "stray-tag", message)


class _Parser:
    """One pass over the notes' events, with a stack of the blocks open (a child inside an answer)."""

    def __init__(self, text: str, fallback_title: str) -> None:
        self.text = text
        self.problems: list[Problem] = []
        self.decks: list[RawDeck] = [RawDeck(fallback_title, 1, heading=False)]
        self.stack: list[_Block] = []
        self.starts = _line_starts(text)
        # "```</details>" is read as a closing fence and then the tag (same length: offsets stay true)
        masked = _FENCE_THEN_TAG.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
        self.env: dict = {}
        # Cards whose answers' HTML is converted once the notes are read, all together.
        self.waiting: list[tuple[RawCard, HtmlAnswer]] = []
        self.tokens = parse_notes_blocks(masked, self.env)
        self.tops = [
            (t.map[0], t.map[1], i) for i, t in enumerate(self.tokens) if t.level == 0 and t.map is not None
        ]

    def run(self) -> tuple[list[RawDeck], list[Problem]]:
        text, position = self.text, 0
        for event in _events(text, self.starts, self.tokens):
            self._add(position, event.start)
            position = event.end
            block = self.stack[-1] if self.stack else None
            if event.kind == "h1":
                self._close_all(event.line, "a heading follows")
                self.decks.append(RawDeck(event.title, event.line))
            elif event.kind == "details":
                if block is not None and block.state != "answer":
                    self.stack.pop()
                    self._close(block, event.line, "another <details> follows")
                    block = self.stack[-1] if self.stack else None
                child = _Block(event.line, parent=block)
                if block is None:
                    child.gap_index = len(self.decks[-1].notes) - 1
                self.stack.append(child)
            elif event.kind == "summary" and block is not None and block.state == "before-summary":
                block.state = "summary"
            elif event.kind == "/summary" and block is not None and block.state == "summary":
                block.state = "answer"
            elif event.kind == "/details" and block is not None:
                if block.state == "summary":
                    block.state = "answer"
                self.stack.pop()
                self._close(block, event.line, None)
            else:
                self.problems.append(_stray(event))
        self._add(position, len(text))
        self._close_all(text.count("\n") + 1, "the notes end")
        self._finish_answers()
        return _fold_empty_decks(self.decks, self.problems), self.problems

    def _finish_answers(self) -> None:
        converted = iter(convert_fragments([f for _card, wait in self.waiting for f in wait.fragments]))
        for card, wait in self.waiting:
            card.answer, tokens = wait.finish([next(converted) for _ in wait.fragments])
            card.facts = answer_facts(card.answer, tokens)
        self.waiting = []

    def _card(self, question: str, answer, line: int, parent_line: int | None = None) -> RawCard:
        """A card with its answer, or with its answer to come (``_finish_answers``)."""
        if isinstance(answer, HtmlAnswer):
            card = RawCard(question, "", line, None, parent_line)
            self.waiting.append((card, answer))
            return card
        text, tokens = answer
        return RawCard(question, text, line, answer_facts(text, tokens), parent_line)

    @staticmethod
    def _now(answer) -> str:
        """The answer's text at once (it goes into the deck's notes, which later blocks read)."""
        if isinstance(answer, HtmlAnswer):
            return answer.finish(convert_fragments(answer.fragments))[0]
        return answer[0]

    def _add(self, start: int, end: int) -> None:
        content = self.text[start:end]
        if not self.stack:
            self.decks[-1].notes.append(content)
            return
        block = self.stack[-1]
        if block.state == "answer":
            block.answer_spans.append((start, end))
        block.part().append(content)

    def _close_all(self, line: int, why: str) -> None:
        while self.stack:
            self._close(self.stack.pop(), line, why)

    def _close(self, block: _Block, end_line: int, why: str | None) -> None:
        deck, parent = self.decks[-1], block.parent
        if why:
            self.problems.append(
                Problem(
                    block.line,
                    "unclosed-block",
                    f"line {block.line}: this <details> block is not closed with </details> ({why}, "
                    f"line {end_line}); it was read up to there, add </details> where it ends.",
                )
            )
        if block.state == "before-summary":
            if parent is None:
                self.problems.append(
                    Problem(
                        block.line,
                        "no-summary",
                        f"line {block.line}: a <details> block without a <summary> question; "
                        "its text is kept in the deck notes.",
                    )
                )
                deck.notes.extend(block.before)
                deck.blocks.append((block.line, NOTES))
            else:
                self._into_parent(block, parent, list(block.before), None)
            return
        question, marked = strip_marker(summary_text("".join(block.summary)))
        before = "".join(block.before)
        pieces = [before, "\n\n", *block.answer] if before.strip() else block.answer
        verdict = judge(question, marked) if question else "label"
        if parent is not None and not (
            verdict == "question" and not is_aside(question) and not is_placeholder(question)
        ):
            self._into_parent(block, parent, pieces, None if verdict == "label" else question)
            return
        raw_answer = _text(pieces)
        if parent is not None:  # a question of its own: a card beside its parent
            card = self._card(question, prepare_answer(raw_answer, REUSE_TOKENS), block.line, parent.line)
            parent.children.extend([card, *block.children])
            parent.nested = True
            deck.blocks.append((block.line, CHILD_CARD))
            return
        answer = self._answer(block, raw_answer, before, closed=why is None)
        if verdict == "label":
            above = question_above(deck.notes[block.gap_index]) if block.gap_index >= 0 else None
            if above is None:
                self._to_notes(
                    block,
                    f"line {block.line}: the block's summary '{question or '(empty)'}' "
                    "only labels an answer and no question is written above it",
                    "no-question",
                    question,
                    answer,
                )
                return
            question, cut = above
            deck.notes[block.gap_index] = deck.notes[block.gap_index][:cut]
        elif verdict == "section":
            self._to_notes(
                block,
                f"line {block.line}: '{question}' is not a question (a section title)",
                "not-a-question",
                question,
                answer,
            )
            return
        elif is_placeholder(question):
            self._to_notes(
                block,
                f"line {block.line}: '{question}' is a placeholder, not a question",
                "placeholder",
                question,
                answer,
            )
            return
        elif verdict == "doubtful":
            self.problems.append(
                Problem(
                    block.line,
                    "doubtful-question",
                    f"line {block.line}: '{question}' does not read as a question (no question mark, no "
                    "asking word); it is a card, reword it or make it a heading if it is not one.",
                )
            )
        if before.strip():
            self.problems.append(
                Problem(
                    block.line,
                    "text-before-summary",
                    f"line {block.line}: text before <summary> in '{question}' is kept at the start "
                    "of its answer; move it below the summary or out of the block.",
                )
            )
        deck.cards.append(self._card(question, answer, block.line))
        deck.cards.extend(block.children)
        deck.blocks.append((block.line, CARD))

    def _answer(
        self, block: _Block, raw: str, before: str, closed: bool
    ) -> tuple[str, list | None] | HtmlAnswer:
        if (
            REUSE_TOKENS
            and closed
            and not before.strip()
            and not block.nested
            and len(block.answer_spans) == 1
            and not has_html(raw)
        ):
            reuse = notes_tokens(self.text, self.starts, self.tops, self.tokens, block.answer_spans[0])
            if reuse is not None:
                first_line = bisect.bisect_right(self.starts, block.answer_spans[0][0]) - 1
                if is_plain(raw):  # the words are counted in the text: no inline parsing
                    return clean_markdown(raw, reuse, first_line)[0], None
                for token in reuse:
                    if token.type == "inline" and not token.children:
                        token.children = []
                        MARKDOWN.inline.parse(token.content, MARKDOWN, self.env, token.children)
                return clean_markdown(raw, reuse, first_line)
        return prepare_answer(raw, REUSE_TOKENS)

    def _into_parent(
        self, block: _Block, parent: _Block, raw: list[str | _Nested], title: str | None
    ) -> None:
        """A hint, an example or an answer label: its text stays where it is in the parent's answer."""
        heading = f"**{title}**\n\n" if title else ""
        body = _tidy(raw)
        parent.answer.append(_Nested(f"\n\n{heading}", body, "\n\n") if body else f"\n\n{heading}\n\n")
        parent.children.extend(block.children)
        parent.nested = True
        self.decks[-1].blocks.append((block.line, IN_ANSWER))

    def _to_notes(self, block: _Block, why: str, kind: str, question: str, prepared) -> None:
        deck, answer = self.decks[-1], self._now(prepared)
        if kind == "placeholder" and not re.search(r"[^\W_]", answer):
            # a gap-filler with nothing under it: there is no text to keep
            self.problems.append(
                Problem(block.line, kind, f"{why}, and its answer is empty; it was left out.")
            )
        else:
            self.problems.append(Problem(block.line, kind, f"{why}; its text is kept in the deck notes."))
            deck.notes.append(f"\n\n**{question}**\n\n{answer}\n\n" if question else f"\n\n{answer}\n\n")
        deck.cards.extend(block.children)
        deck.blocks.append((block.line, NOTES))


def _fold_empty_decks(decks: list[RawDeck], problems: list[Problem]) -> list[RawDeck]:
    """A heading that holds no card is no deck: its text joins the notes of the chapter it belongs to
    (the one before it; for headings before the first chapter, the first one after). Notes without a
    single card stay one deck of notes, which the app can still show."""
    first = decks[0] if decks else None
    if (
        first
        and not first.heading
        and not first.cards
        and not first.blocks
        and not "".join(first.notes).strip()
    ):
        decks = decks[1:]  # nothing before the first heading
    kept: list[RawDeck] = []
    waiting: list[RawDeck] = []
    for index, deck in enumerate(decks):
        if deck.cards or (index == 0 and not any(d.cards for d in decks)):
            for early in waiting:
                deck.notes[:0] = _folded(early)
                deck.blocks[:0] = early.blocks
            waiting = []
            kept.append(deck)
            continue
        if kept:
            kept[-1].notes.extend(_folded(deck))
            kept[-1].blocks.extend(deck.blocks)
        else:
            waiting.insert(0, deck)  # each prepended in turn: the first heading ends up first
        where = f"deck '{kept[-1].title}'" if kept else "the first deck after it"
        if deck.heading:
            message = (
                f"line {deck.line}: the heading '{deck.title}' holds no cards; its text is kept in {where}."
            )
            problems.append(Problem(deck.line, "notes-only-heading", message))
    return kept


def _folded(deck: RawDeck) -> list[str]:
    body = "".join(deck.notes).strip("\n")
    title = f"## {deck.title}\n\n" if deck.heading else ""
    return [f"\n\n{title}{body}\n\n"]


def parse_blocks(text: str, fallback_title: str) -> tuple[list[RawDeck], list[Problem]]:
    """Decks with their raw cards and notes, and every block that needed attention, in notes order."""
    return _Parser(text, fallback_title).run()
