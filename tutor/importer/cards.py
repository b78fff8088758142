"""What the importer decides about each card: does it need an answer, where do its images live, which
demo fits it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt

from tutor.decks import DemoLink

_MARKDOWN = MarkdownIt("commonmark")
_WORD = re.compile(r"[^\W_]+")
_PLACEHOLDERS = set("todo tbd tba xxx question test asdf placeholder".split()) | {"no question written"}


def normalized(text: str) -> str:
    """Lower-case words only: how two questions or answers are compared."""
    return " ".join(_WORD.findall(text.lower()))


def duplicate_key(question: str, answer: str) -> tuple[str, str]:
    """Two cards are duplicates when both question and answer are the same. Case, spacing and a final
    question mark do not count; every other character does, so code (``x[::3]`` and ``x[:3]``) is
    compared exactly."""
    return (re.sub(r"[\s?？!.]+$", "", " ".join(question.lower().split())), " ".join(answer.split()))


def _is_mash(word: str) -> bool:
    """A word typed to fill a gap (fdfdfdfdf, asdfasdf): long, made of two or three letters repeated."""
    return len(word) >= 5 and len(set(word)) <= min(3, len(word) // 2)


def is_placeholder(question: str) -> bool:
    words = _WORD.findall(question.lower())
    return not words or " ".join(words) in _PLACEHOLDERS or all(_is_mash(w) for w in words)


# Why an answer's words can be counted without parsing it: markdown-it keeps every word of a text in its
# tokens (text, code, HTML) except the ones written in link and image targets, fence info strings and
# ordered list numbers, and those after a backslash; an answer with none of those ("[" starts every
# link, image and reference) has the words its text has. Parsing 8,000 small answers a MB doubled the
# import's time; a test compares these counts with markdown-it's on random notes.
_NOT_PLAIN = re.compile(r"[\[\\]|```|~~~|\d[.)](?:\s|$)", re.MULTILINE)  # any "2. " or "2)" may be a list


def is_plain(text: str) -> bool:
    """Whether ``text``'s words and images can be counted without markdown-it (see ``answer_facts``)."""
    return not _NOT_PLAIN.search(text)


def image_spans(answer: str, tokens: list | None = None) -> list[tuple[int, int, str]]:
    """(start, end, target) of each inline image link, found by markdown-it (code is not searched).

    ``tokens`` are markdown-it's tokens of the answer, or of the answer before it was tidied."""
    if tokens is None and "![" not in answer:
        return []  # no image without "![": nothing to parse for
    spans = []
    for token in _MARKDOWN.parse(answer) if tokens is None else tokens:
        for child in token.children or []:
            if child.type == "image":
                spans.append(str(child.attrs.get("src", "")))
    found, position = [], 0
    for normalized_target in spans:
        # markdown-it percent-encodes targets (spaces, accents); find the one written in the answer
        for target in (normalized_target, unquote(normalized_target)):
            at = answer.find("](" + target, position)
            if at == -1:
                at = answer.find("](<" + target + ">", position)
                at = at + 1 if at != -1 else -1
            if at != -1:
                found.append((at + 2, at + 2 + len(target), target))
                position = at + 2 + len(target)
                break
    return found


@dataclass(frozen=True)
class AnswerFacts:
    """What the importer needs from an answer's tokens, so the tokens need not be kept (big notes would
    hold hundreds of MB of them)."""

    images: list[tuple[int, int, str]]  # image_spans
    words: int
    image_count: int


def answer_facts(answer: str, tokens: list | None = None) -> AnswerFacts:
    """``tokens`` None: the answer ``is_plain``, its words are counted in its text."""
    if tokens is None and is_plain(answer):
        return AnswerFacts([], len(_WORD.findall(answer)), 0)
    words, count = _words_and_images(answer, tokens)
    return AnswerFacts(image_spans(answer, tokens), words, count)


def _words_and_images(answer: str, tokens: list | None) -> tuple[int, int]:
    """How many words of text (code included, image alt text not) and how many images an answer has."""
    words = images = 0
    for token in _MARKDOWN.parse(answer) if tokens is None else tokens:
        if token.type in ("fence", "code_block", "html_block"):
            words += len(_WORD.findall(token.content))
        for child in token.children or []:
            if child.type == "image":
                images += 1
            elif child.type in ("text", "code_inline", "html_inline"):
                words += len(_WORD.findall(child.content))
    return words, images


def needs_answer_reason(
    question: str, answer: str, tokens: list | None = None, facts: AnswerFacts | None = None
) -> str | None:
    """Why a card cannot be studied as it is, or None. (Duplicates are found across the whole import.)"""
    if is_placeholder(question):
        return "the question is a placeholder"
    words, images = (facts.words, facts.image_count) if facts else _words_and_images(answer, tokens)
    if images and words < 2:  # "- summary ![](chart.png)" still has no answer in words
        return "the answer is only images"
    if not words:
        return "the answer is empty"
    return None


@lru_cache(maxsize=64)
def _resolved(folder: Path) -> str:
    return str(folder.resolve())


def resolve_images(
    answer: str, tokens: list | None, notes_dir: Path, deck_dir: Path, spans: list | None = None
) -> tuple[str, list[str]]:
    """Rewrite relative image targets so they point from the deck file to the image beside the notes,
    and list the images that do not exist: their links stay as the notes wrote them (a path into the
    notes' folder would mean nothing once the deck is installed elsewhere)."""
    pieces, position, missing = [], 0, []
    notes_root, deck_root = _resolved(notes_dir), _resolved(deck_dir)
    for start, end, target in image_spans(answer, tokens) if spans is None else spans:
        if "://" in target or target.startswith(("data:", "#")):
            continue
        written = unquote(target)
        image = os.path.normpath(os.path.join(notes_root, os.path.expanduser(written)))
        if not os.path.isfile(image):
            if written not in missing:
                missing.append(written)
            continue
        if target.startswith(("/", "~")):
            continue
        try:
            relative = os.path.relpath(image, deck_root)
        except ValueError:  # another drive on Windows
            relative = image
        pieces.append(answer[position:start])
        pieces.append(Path(relative).as_posix())
        position = end
    pieces.append(answer[position:])
    return "".join(pieces), missing


# Topic -> demo links, first match wins, read from the question. Arguments use the demo registry's names
# (tutor/demos); the texts are the book's own examples.
_BOOK = "Your journey starts with one step"
_CAT = "The cat sat on the mat."
_SIMPLE = DemoLink("attend", {"mode": "simple"})
_CAUSAL = DemoLink("attend", {"mode": "causal"})
_DROPOUT = DemoLink("attend", {"mode": "causal", "dropout": 0.5})
_MULTI_HEAD = DemoLink("attend", {"mode": "multi-head", "heads": 2})
_TRAINABLE = DemoLink("attend", {"mode": "trainable"})
_EMBED = DemoLink("embed", {"text": _BOOK, "dimensions": 3})
_POSITIONS = DemoLink("embed", {"text": _BOOK, "dimensions": 4})
_TOKENIZE = DemoLink("tokenize", {"text": "unhappiness"})
_SLIDE = DemoLink("window", {"text": _CAT, "max_length": 4, "stride": 1, "batch_size": 1})
_BATCHES = DemoLink("window", {"text": _BOOK, "max_length": 4, "stride": 4, "batch_size": 2})
_PRETRAIN = DemoLink("pretrain", {"steps": 20, "seed": 123})
_MODEL = DemoLink("model", {"config": "gpt2-small (124M)"})
_GENERATE = DemoLink("generate", {"prompt": "Every effort moves you", "max_new_tokens": 10, "seed": 123})
_RULES: list[tuple[str, list[DemoLink]]] = [
    (r"\bca(us|su)al (attention|mask)|attention mask|\bmask(ing)? (the )?future", [_CAUSAL]),
    (r"\bdropout\b", [_DROPOUT]),
    (r"multi-?head", [_MULTI_HEAD]),
    (r"query, key|\bqkv\b|scaled.dot|trainable weight|attention weights", [_TRAINABLE]),
    (r"positional (encoding|embedding)", [_POSITIONS, _SIMPLE]),
    (r"attention", [_SIMPLE]),
    (r"tokeni[sz]|subword|byte pair", [_TOKENIZE]),
    (r"sliding window", [_SLIDE]),
    (r"dataset and dataloader|dataloader|self.supervised", [_BATCHES]),
    (
        r"data preparation",
        [DemoLink("tokenize", {"text": _CAT}), DemoLink("embed", {"text": _CAT, "dimensions": 3})],
    ),
    (r"embedding|one.hot", [_EMBED]),
    (r"back.?pr[oa]p|pretrain|loss|foundation model", [_PRETRAIN]),
    (r"gpt architecture", [_MODEL, _GENERATE]),
    (r"transformer block|transformer architecture|parameter|summary of the chap 4|weight", [_MODEL]),
    (r"autoregressive|what is an llm|next word", [_GENERATE]),
]


_COMPILED_RULES = [(re.compile(pattern, re.IGNORECASE), links) for pattern, links in _RULES]
# Why it is fast: a search that ignores case cannot skip ahead to a pattern's first letters, and fifteen
# of them cost more than the rest of a card's import. The patterns are lower-case ASCII, so in an ASCII
# question they find what they find in the question lower-cased, matching case; other questions (where
# ignoring case also matches "ſ" to "s", "K" to "k") keep the case-blind search.
_LOWER_RULES = [(re.compile(pattern), links) for pattern, links in _RULES]
# Most questions fit no topic: one search for any of the patterns tells, before fifteen find which. Without
# their word boundaries the patterns match more, never less, and the search skips ahead to the letters
# they start with.
_ANY_RULE = "|".join(f"(?:{pattern.replace(chr(92) + 'b', '')})" for pattern, _links in _RULES)
_ANY_LOWER, _ANY_COMPILED = re.compile(_ANY_RULE), re.compile(_ANY_RULE, re.IGNORECASE)


def propose_demos(question: str, answer: str) -> list[DemoLink]:
    """Demo links that fit the card's topic (fresh copies), or none."""
    if question.isascii():
        text, rules, any_rule = question.lower(), _LOWER_RULES, _ANY_LOWER
    else:
        text, rules, any_rule = question, _COMPILED_RULES, _ANY_COMPILED
    if not any_rule.search(text):
        return []
    for pattern, links in rules:
        if pattern.search(text):
            return [DemoLink(link.name, dict(link.args)) for link in links]
    return []
