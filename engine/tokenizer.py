"""GPT-2's byte-pair encoding through tiktoken, offline (chapter 2.5).

tiktoken's ``get_encoding("gpt2")`` downloads its files at run time; we build the same encoding from the
rank file shipped in ``engine/assets``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import accumulate

import tiktoken
from tiktoken.load import load_tiktoken_bpe
from tiktoken_ext.openai_public import r50k_pat_str

END_OF_TEXT = "<|endoftext|>"
END_OF_TEXT_ID = 50256


@cache
def get_tokenizer() -> tiktoken.Encoding:
    """The GPT-2 encoding: 50,257 tokens, ``<|endoftext|>`` = 50256."""
    ranks = load_tiktoken_bpe(str(files("engine") / "assets" / "gpt2.tiktoken"))
    return tiktoken.Encoding(
        name="gpt2",
        explicit_n_vocab=50257,
        pat_str=r50k_pat_str,
        mergeable_ranks=ranks,
        special_tokens={END_OF_TEXT: END_OF_TEXT_ID},
    )


@dataclass(frozen=True)
class TokenPiece:
    """One token of a text: its id, the text it stands for and where that text sits (``text[start:end]``)."""

    id: int
    text: str
    start: int
    end: int


_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))  # UTF-8 bytes that continue a character


def token_spans(text: str, allowed_special: set[str] | str = "all") -> tuple[list[int], list[int], list[int]]:
    """``(ids, starts, ends)``: token ``i`` stands for ``text[starts[i]:ends[i]]``.

    A token can hold part of a multi-byte character; such a token gets an empty span and the token that
    completes the character gets the whole character, so the spans always tile the text. Computed from
    whole-token byte lengths, so a megabyte takes a fraction of a second. Special tokens not in
    ``allowed_special`` are split as plain text rather than refused.
    """
    tokenizer = get_tokenizer()
    ids = tokenizer.encode(text, allowed_special=allowed_special, disallowed_special=())
    token_bytes = tokenizer.decode_tokens_bytes(ids)
    if text.isascii():
        ends = list(accumulate(map(len, token_bytes)))
    else:
        # Characters begun by each token (its lead bytes), and whether the next token starts a character.
        begun = accumulate(len(piece.translate(None, _CONTINUATION_BYTES)) for piece in token_bytes)
        whole = [not (0x80 <= piece[0] < 0xC0) for piece in token_bytes[1:]] + [True]
        ends = [count if boundary else count - 1 for count, boundary in zip(begun, whole, strict=True)]
    starts = [0, *ends[:-1]] if ids else []
    return ids, starts, ends


def token_pieces(text: str, allowed_special: set[str] | str = "all") -> list[TokenPiece]:
    """Split ``text`` into tokens with their character spans (see ``token_spans``)."""
    ids, starts, ends = token_spans(text, allowed_special)
    return [
        TokenPiece(token_id, text[start:end], start, end)
        for token_id, start, end in zip(ids, starts, ends, strict=True)
    ]
