"""``embed``: token ids become vectors, plus one vector per position (chapter 2.7-2.8)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.demos.registry import Result, demo
from tutor.demos.seeding import book_seed

BOOK_IDS = [2, 3, 5, 1]  # section 2.7: four token ids in a vocabulary of six
BOOK_VOCAB_SIZE = 6
GPT2_VOCAB_SIZE = 50257
MAX_TOKENS = 1024  # GPT-2's context length: positions beyond it have no embedding


@dataclass
class EmbedResult(Result):
    source: str  # "book" (section 2.7's ids) or "text"
    text: str | None
    token_ids: list[int]
    tokens: list[str]  # each id's text ("" for the book's made-up vocabulary)
    vocab_size: int
    dimensions: int
    seed: int
    token_embeddings: list[list[float]]  # (num_tokens, dimensions): rows of the embedding matrix
    positional_embeddings: list[list[float]]  # (num_tokens, dimensions): one row per position 0..n-1
    input_embeddings: list[list[float]]  # token + positional, what the first transformer block sees
    shapes: dict[str, list[int]]
    weight_matrix: list[list[float]] | None = (
        None  # the whole embedding matrix when it is small (the book's 6x3)
    )
    notes: list[str] = field(default_factory=list)


def _rows(tensor) -> list[list[float]]:
    return tensor.detach().tolist()


@demo("embed")
def embed(text: str | None, dimensions: int | None) -> EmbedResult:
    import torch

    notes = []
    if text is None:
        source, ids, pieces, vocab_size = "book", list(BOOK_IDS), [""] * len(BOOK_IDS), BOOK_VOCAB_SIZE
        dimensions = dimensions or 3
        notes.append("The book's example (section 2.7): ids [2, 3, 5, 1] in a vocabulary of 6 tokens.")
    else:
        from engine import token_pieces

        pieces_found = token_pieces(text)
        if len(pieces_found) > MAX_TOKENS:
            notes.append(
                f"The text has {len(pieces_found):,} tokens; only the first {MAX_TOKENS:,} were embedded "
                "(GPT-2's context length: there are no positions beyond it)."
            )
            pieces_found = pieces_found[:MAX_TOKENS]
        source, vocab_size = "text", GPT2_VOCAB_SIZE
        ids, pieces = [p.id for p in pieces_found], [p.text for p in pieces_found]
        dimensions = dimensions or 256
    # Seeded as the book seeds it: the token layer is built first, the positional layer right after.
    with book_seed(123):
        token_layer = torch.nn.Embedding(vocab_size, dimensions)
        position_layer = torch.nn.Embedding(len(ids), dimensions)
    with torch.no_grad():
        token_embeddings = token_layer(torch.tensor(ids))  # (num_tokens, dimensions)
        positional_embeddings = position_layer(torch.arange(len(ids)))  # (num_tokens, dimensions)
        input_embeddings = token_embeddings + positional_embeddings
    n = len(ids)
    return EmbedResult(
        source=source,
        text=text,
        token_ids=ids,
        tokens=pieces,
        vocab_size=vocab_size,
        dimensions=dimensions,
        seed=123,
        token_embeddings=_rows(token_embeddings),
        positional_embeddings=_rows(positional_embeddings),
        input_embeddings=_rows(input_embeddings),
        shapes={
            "embedding_matrix": [vocab_size, dimensions],
            "token_embeddings": [n, dimensions],
            "positional_embeddings": [n, dimensions],
            "input_embeddings": [n, dimensions],
        },
        weight_matrix=_rows(token_layer.weight) if vocab_size <= 64 else None,
        notes=notes,
    )
