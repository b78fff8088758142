"""What the importer decides about each card: does it need an answer, where do its images live, which
demo fits it."""

from __future__ import annotations

import os
import re
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


def _is_mash(word: str) -> bool:
    """A word typed to fill a gap (fdfdfdfdf, asdfasdf): long, made of two or three letters repeated."""
    return len(word) >= 5 and len(set(word)) <= min(3, len(word) // 2)


def is_placeholder(question: str) -> bool:
    words = _WORD.findall(question.lower())
    return not words or " ".join(words) in _PLACEHOLDERS or all(_is_mash(w) for w in words)


def image_spans(answer: str, tokens: list | None = None) -> list[tuple[int, int, str]]:
    """(start, end, target) of each inline image link, found by markdown-it (code is not searched).

    ``tokens`` are markdown-it's tokens of the answer, or of the answer before it was tidied."""
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


def needs_answer_reason(question: str, answer: str, tokens: list | None = None) -> str | None:
    """Why a card cannot be studied as it is, or None. (Duplicates are found across the whole import.)"""
    if is_placeholder(question):
        return "the question is a placeholder"
    words, images = _words_and_images(answer, tokens)
    if images and words < 2:  # "- summary ![](chart.png)" still has no answer in words
        return "the answer is only images"
    if not words:
        return "the answer is empty"
    return None


@lru_cache(maxsize=64)
def _resolved(folder: Path) -> str:
    return str(folder.resolve())


def resolve_images(answer: str, tokens: list | None, notes_dir: Path, deck_dir: Path) -> str:
    """Rewrite relative image targets so they point from the deck file to the image beside the notes."""
    pieces, position = [], 0
    notes_dir, deck_dir = _resolved(notes_dir), _resolved(deck_dir)
    for start, end, target in image_spans(answer, tokens):
        if "://" in target or target.startswith(("data:", "/", "#", "~")):
            continue
        image = os.path.normpath(os.path.join(notes_dir, target))
        try:
            relative = os.path.relpath(image, deck_dir)
        except ValueError:  # another drive on Windows
            relative = image
        pieces.append(answer[position:start])
        pieces.append(Path(relative).as_posix())
        position = end
    pieces.append(answer[position:])
    return "".join(pieces)


# Topic -> demo link, first match wins. The patterns read the question (and the answer for a few topics
# that questions name loosely); arguments use the demo registry's names (see tutor/demos).
_BOOK_SENTENCE = "Your journey starts with one step"
_RULES: list[tuple[str, list[DemoLink]]] = [
    (
        r"\bca(u?sa|su)al (attention|mask)|attention mask|\bmask(ing)? (the )?future",
        [DemoLink("attend", {"mode": "causal"})],
    ),
    (r"\bdropout\b", [DemoLink("attend", {"mode": "causal", "dropout": 0.5})]),
    (r"multi-?head", [DemoLink("attend", {"mode": "multi-head", "heads": 2})]),
    (
        r"query, key|\bqkv\b|scaled.dot|trainable weight|attention weights",
        [DemoLink("attend", {"mode": "trainable"})],
    ),
    (
        r"positional (encoding|embedding)",
        [
            DemoLink("embed", {"text": _BOOK_SENTENCE, "dimensions": 4}),
            DemoLink("attend", {"mode": "simple"}),
        ],
    ),
    (r"attention", [DemoLink("attend", {"mode": "simple"})]),
    (r"tokeni[sz]|subword|byte pair", [DemoLink("tokenize", {"text": "unhappiness"})]),
    (
        r"sliding window",
        [
            DemoLink(
                "window", {"text": "The cat sat on the mat.", "max_length": 4, "stride": 1, "batch_size": 1}
            )
        ],
    ),
    (
        r"dataset and dataloader|dataloader|self.supervised",
        [DemoLink("window", {"text": _BOOK_SENTENCE, "max_length": 4, "stride": 4, "batch_size": 2})],
    ),
    (
        r"data preparation",
        [
            DemoLink("tokenize", {"text": "The cat sat on the mat."}),
            DemoLink("embed", {"text": "The cat sat on the mat.", "dimensions": 3}),
        ],
    ),
    (r"embedding|one.hot", [DemoLink("embed", {"text": _BOOK_SENTENCE, "dimensions": 3})]),
    (r"back.?pr[oa]p|pretrain|loss|foundation model", [DemoLink("pretrain", {"steps": 20, "seed": 123})]),
    (
        r"transformer block|parameter|summary of the chap 4|weight",
        [DemoLink("model", {"config": "gpt2-small (124M)"})],
    ),
    (
        r"gpt architecture|autoregressive|what is an llm|next word|transformer architecture",
        [DemoLink("generate", {"prompt": "Every effort moves you", "max_new_tokens": 10, "seed": 123})],
    ),
]


def propose_demos(question: str, answer: str) -> list[DemoLink]:
    """Demo links that fit the card's topic (fresh copies), or none."""
    for pattern, links in _RULES:
        if re.search(pattern, question, re.IGNORECASE):
            return [DemoLink(link.name, dict(link.args)) for link in links]
    return []
