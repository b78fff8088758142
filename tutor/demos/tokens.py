"""``tokenize``: text becomes GPT-2 tokens (chapter 2.5, byte pair encoding)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from tutor.demos.registry import Result, demo

END_OF_TEXT = "<|endoftext|>"
END_OF_TEXT_ID = 50256
_WORD = re.compile(r"[^\W_]+")  # letters and digits: what a reader calls a word


@dataclass(slots=True)
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
    """The tokens are kept as parallel lists (a megabyte of text makes a quarter of a million tokens);
    ``tokens`` gives them as ``Token`` objects."""

    text: str
    ids: list[int]
    starts: list[int]  # token i stands for text[starts[i]:ends[i]]
    ends: list[int]
    split_words: list[SplitWord]
    word_count: int
    special_count: int  # <|endoftext|> markers, each one token (id 50256)
    vocab_size: int = 50257
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def tokens(self) -> list[Token]:
        text = self.text
        return [
            Token(i, text[s:e], s, e, i == END_OF_TEXT_ID)
            for i, s, e in zip(self.ids, self.starts, self.ends, strict=True)
        ]

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


def _split_words(text: str, ids: list[int], starts: list[int], ends: list[int]) -> list[SplitWord]:
    """Words with a token boundary inside them: a token starts between two letters or digits."""
    inside = [
        index
        for index, start in enumerate(starts)
        if 0 < start < ends[index] and text[start - 1].isalnum() and text[start].isalnum()
    ]
    split: list[SplitWord] = []
    word_end = -1
    for index in inside:
        if starts[index] < word_end:
            continue  # another cut in the word just recorded
        word_start = starts[index]
        while word_start > 0 and text[word_start - 1].isalnum():
            word_start -= 1
        word = _WORD.match(text, starts[index])
        word_end = word.end() if word else starts[index] + 1  # a cut at a symbol: the symbol alone
        first = bisect_right(ends, word_start)  # the token holding the word's first character
        covering = [i for i in range(first, bisect_left(starts, word_end)) if ends[i] > starts[i]]
        pieces = [text[max(starts[i], word_start) : min(ends[i], word_end)] for i in covering]
        split.append(SplitWord(text[word_start:word_end], word_start, pieces, [ids[i] for i in covering]))
    return split


def visible(piece: str) -> str:
    """A token's text with its whitespace made visible (GPT-2 pieces carry their leading space)."""
    return piece.replace(" ", "␣").replace("\n", "↵").replace("\t", "→") or "∅"


@demo("tokenize")
def tokenize(text: str) -> TokenizeResult:
    from engine import token_spans

    ids, starts, ends = token_spans(text)
    specials = ids.count(END_OF_TEXT_ID)
    notes = []
    if specials:
        notes.append(
            f"{END_OF_TEXT} marks where one document ends and the next begins; "
            f"it is one token (id 50256), found {specials} time{'s' if specials > 1 else ''}."
        )
    split = _split_words(text, ids, starts, ends)
    words = len(_WORD.findall(text))
    return TokenizeResult(text, ids, starts, ends, split, words, specials, notes=notes)
