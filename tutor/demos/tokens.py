"""``tokenize``: text becomes GPT-2 tokens (chapter 2.5, byte pair encoding)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.demos.registry import Arg, Result, demo

END_OF_TEXT = "<|endoftext|>"
_WORD = re.compile(r"[^\W_]+")  # letters and digits: what a reader calls a word


@dataclass
class Token:
    id: int
    text: str
    start: int  # the token stands for text[start:end]
    end: int
    special: bool = False


@dataclass
class SplitWord:
    """A word the tokenizer cut into sub-word pieces (``unhappiness`` -> ``un`` ``h`` ``appiness``)."""

    word: str
    start: int
    pieces: list[str]
    ids: list[int]


@dataclass
class TokenizeResult(Result):
    text: str
    tokens: list[Token]
    split_words: list[SplitWord]
    word_count: int
    special_count: int  # <|endoftext|> markers, each one token (id 50256)
    vocab_size: int = 50257
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.tokens)

    @property
    def ids(self) -> list[int]:
        return [token.id for token in self.tokens]

    def to_json(self) -> dict:
        # Written out by hand: dataclasses.asdict is slow on a megabyte of tokens.
        return {
            "text": self.text,
            "count": self.count,
            "ids": self.ids,
            "tokens": [[t.id, t.text, t.start, t.end, t.special] for t in self.tokens],
            "token_fields": ["id", "text", "start", "end", "special"],
            "split_words": [
                {"word": w.word, "start": w.start, "pieces": w.pieces, "ids": w.ids} for w in self.split_words
            ],
            "word_count": self.word_count,
            "special_count": self.special_count,
            "vocab_size": self.vocab_size,
            "notes": self.notes,
        }


def _split_words(text: str, tokens: list[Token]) -> tuple[list[SplitWord], int]:
    split, words, index = [], 0, 0
    for match in _WORD.finditer(text):
        words += 1
        start, end = match.span()
        while index < len(tokens) and tokens[index].end <= start:
            index += 1
        inside = index
        while inside < len(tokens) and tokens[inside].start < end:
            inside += 1
        covering = [t for t in tokens[index:inside] if t.end > t.start]
        if len(covering) > 1:
            pieces = [text[max(t.start, start) : min(t.end, end)] for t in covering]
            split.append(SplitWord(match.group(), start, pieces, [t.id for t in covering]))
    return split, words


@demo(
    "tokenize",
    "Split text into GPT-2 tokens: pieces, ids, and the words cut into sub-words.",
    chapter=2,
    section="2.5 Byte pair encoding",
    args={
        "text": Arg(
            str,
            "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace.",
            "the text to tokenize; <|endoftext|> counts as one special token",
            non_empty=True,
        ),
    },
)
def tokenize(text: str) -> TokenizeResult:
    from engine import token_pieces

    tokens = [Token(p.id, p.text, p.start, p.end, p.id == 50256) for p in token_pieces(text, "all")]
    split, words = _split_words(text, tokens)
    specials = sum(token.special for token in tokens)
    notes = []
    if specials:
        notes.append(
            f"{END_OF_TEXT} marks where one document ends and the next begins; "
            f"it is one token (id 50256), found {specials} time{'s' if specials > 1 else ''}."
        )
    return TokenizeResult(text, tokens, split, words, specials, notes=notes)
