"""GPT-2's byte-pair encoding through tiktoken, offline (chapter 2.5).

tiktoken's ``get_encoding("gpt2")`` downloads its files at run time; we build the same encoding from the
rank file shipped in ``engine/assets``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

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


def token_pieces(text: str, allowed_special: set[str] | str = "all") -> list[TokenPiece]:
    """Split ``text`` into tokens with their character spans.

    A token can hold part of a multi-byte character; such a token gets the whole character in the piece
    that completes it and an empty span in the ones before, so the spans always tile the text. Special
    tokens not in ``allowed_special`` are split as plain text rather than refused.
    """
    tokenizer = get_tokenizer()
    ids = tokenizer.encode(text, allowed_special=allowed_special, disallowed_special=())
    _, offsets = tokenizer.decode_with_offsets(ids)
    pieces = []
    for index, token_id in enumerate(ids):
        start = offsets[index]
        end = offsets[index + 1] if index + 1 < len(ids) else len(text)
        start = min(max(start, pieces[-1].end if pieces else 0), end)
        pieces.append(TokenPiece(token_id, text[start:end], start, end))
    return pieces
