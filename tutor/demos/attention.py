"""``attend``: attention scores, the causal mask, attention weights and context vectors (chapter 3).

Without weights it runs the book's section on the book's example ("Your journey starts with one step" as six
3-d vectors) or on seeded random embeddings of a text; with weights it runs a real GPT and hands back every
layer's and head's weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tutor.demos.registry import Result, demo
from tutor.demos.seeding import book_seed
from tutor.errors import TutorError

BOOK_WORDS = ["Your", "journey", "starts", "with", "one", "step"]
BOOK_INPUTS = [
    [0.43, 0.15, 0.89],  # Your     (x^1)
    [0.55, 0.87, 0.66],  # journey  (x^2)
    [0.57, 0.85, 0.64],  # starts   (x^3)
    [0.22, 0.58, 0.33],  # with     (x^4)
    [0.77, 0.25, 0.10],  # one      (x^5)
    [0.05, 0.80, 0.55],  # step     (x^6)
]
BOOK_QUERY = 1  # the book follows x^(2), "journey", through chapter 3
MAX_TOKENS = 128  # weights for every layer and head grow with tokens squared
SECTIONS = {
    "simple": "3.3 A simple self-attention mechanism without trainable weights",
    "trainable": "3.4 Self-attention with trainable weights (SelfAttention_v1, seed 123)",
    "causal": "3.5 Causal attention (CausalAttention, seed 123)",
    "multi-head": "3.6 Multi-head attention (MultiHeadAttention, seed 123)",
}

Matrix = list[list[float | None]]  # None where the causal mask put -inf


@dataclass
class HeadAttention:
    layer: int | None  # None for the chapter-3 modules, which are not part of a model
    head: int
    scores: Matrix  # queries @ keys.T, (num_tokens, num_tokens)
    masked_scores: Matrix | None  # the scores with the causal mask applied (None where masked)
    weights: Matrix  # softmax of the (masked, scaled) scores: each row sums to 1
    dropped_weights: Matrix | None  # after dropout (None when dropout is off)


@dataclass
class AttendResult(Result):
    source: str  # "book", "text" (seeded random embeddings) or "model"
    mode: str
    section: str
    tokens: list[str]
    token_ids: list[int] | None
    inputs: Matrix | None  # the input vectors (book/text), (num_tokens, d_in)
    heads: list[HeadAttention]  # every head (chapter 3) or the chosen layer and head (model)
    context_vectors: Matrix | None  # the module's output for the first batch item, (num_tokens, d_out)
    query: int  # the query row the book follows (x^(2): index 1); the chosen row for text
    query_scores: list[float | None]  # None where the causal mask hides the key
    query_weights: list[float | None]
    query_context: list[float | None] | None
    num_heads: int
    dropout: float
    weights: str | None  # which model weights, when a model ran
    num_layers: int | None = None
    layer: int | None = None
    head: int | None = None
    all_weights: list[list[Matrix]] | None = None  # model: (n_layers, n_heads, num_tokens, num_tokens)
    scale: float = 1.0  # sqrt(d_k): the scores are divided by it before the softmax (3.3 does not scale)
    notes: list[str] = field(default_factory=list)


def _matrix(tensor) -> Matrix:
    rows = tensor.detach().float().tolist()
    return [[None if value == float("-inf") else value for value in row] for row in rows]


@demo("attend")
def attend(
    text: str | None, mode: str, heads: int, dropout: float, weights: str | None, layer: int, head: int
) -> AttendResult:
    if weights is not None:
        return _attend_model(text or " ".join(BOOK_WORDS), weights, layer, head)
    import torch

    notes: list[str] = []
    if text is None:
        source, tokens, ids = "book", list(BOOK_WORDS), None
        inputs = torch.tensor(BOOK_INPUTS)  # (6, 3)
    else:
        from engine import token_pieces

        pieces = _cap(token_pieces(text), MAX_TOKENS, notes)
        source, tokens, ids = "text", [p.text for p in pieces], [p.id for p in pieces]
        with book_seed(123):
            inputs = torch.nn.Embedding(50257, 3)(torch.tensor(ids)).detach()  # (num_tokens, 3)
        notes.append(
            "The vectors are seeded random 3-d embeddings: the weights show the mechanics, not meaning."
        )
    query = BOOK_QUERY if len(tokens) > BOOK_QUERY else 0
    with torch.no_grad(), book_seed(123):  # the modules' weights, and dropout's draws
        context, details, num_heads = _run_mode(mode, inputs, heads, dropout, notes)

    def pick(t, index):  # one head's (num_tokens, num_tokens) matrix, from modes with and without heads
        return t[0, index] if t.dim() == 4 else t.reshape(t.shape[-2:])

    head_list = []
    for index in range(num_heads):
        masked = details.masked_scores
        head_list.append(
            HeadAttention(
                layer=None,
                head=index,
                scores=_matrix(pick(details.scores, index)),
                masked_scores=_matrix(pick(masked, index)) if masked is not None else None,
                weights=_matrix(pick(details.weights, index)),
                dropped_weights=_matrix(pick(details.dropped_weights, index)) if dropout > 0 else None,
            )
        )
    first = head_list[0]
    context_rows = _matrix(context.reshape(-1, context.shape[-2], context.shape[-1])[0])
    return AttendResult(
        source=source,
        mode=mode,
        section=SECTIONS[mode],
        tokens=tokens,
        token_ids=ids,
        inputs=_matrix(inputs),
        heads=head_list,
        context_vectors=context_rows,
        query=query,
        query_scores=first.scores[query],
        query_weights=first.weights[query],
        query_context=context_rows[query],
        num_heads=num_heads,
        dropout=dropout,
        weights=None,
        notes=notes,
        scale=math.sqrt(_key_dim(mode, heads)) if mode != "simple" else 1.0,
    )


def _key_dim(mode: str, heads: int) -> int:
    """d_k, the width of one head's keys, as ``_run_mode`` builds the modules (the book's d_out=2)."""
    if mode != "multi-head":
        return 2
    d_out = 2 if heads <= 2 else heads
    return d_out // heads


def _run_mode(mode, inputs, heads, dropout, notes):
    """(context vectors, AttentionWeights, number of heads) for one chapter-3 mechanism."""
    import torch

    from engine import AttentionWeights, CausalAttention, MultiHeadAttention, SelfAttention_v1

    d_in, num_tokens = inputs.shape[1], inputs.shape[0]
    if mode == "simple":
        # Section 3.3: the inputs are their own queries, keys and values; no scaling, no mask.
        scores = inputs @ inputs.T  # (num_tokens, num_tokens)
        weights = torch.softmax(scores, dim=-1)
        if heads != 2 or dropout:
            notes.append("Simple self-attention has one head and no dropout; those arguments are not used.")
        return weights @ inputs, AttentionWeights(scores, weights, None, weights, weights), 1
    if mode == "trainable":
        module = SelfAttention_v1(d_in, 2)
        if heads != 2 or dropout:
            notes.append("SelfAttention_v1 has one head and no dropout; those arguments are not used.")
        context, details = module(inputs, return_attention=True)
        return context, details, 1
    batch = inputs.unsqueeze(0)  # (1, num_tokens, d_in): the modules of 3.5 on take batches
    if mode == "causal":
        module = CausalAttention(d_in, 2, num_tokens, dropout)
        num_heads = 1
    else:
        d_out = 2 if heads <= 2 else heads  # the book's d_out=2; wider when more heads need a dimension each
        module = MultiHeadAttention(d_in, d_out, num_tokens, dropout, num_heads=heads)
        num_heads = heads
    module.train(dropout > 0)  # dropout only acts in training mode, as in section 3.5.2
    context, details = module(batch, return_attention=True)
    return context, details, num_heads


def _cap(pieces: list, limit: int, notes: list[str]) -> list:
    if len(pieces) > limit:
        notes.append(f"The text has {len(pieces):,} tokens; attention is shown for the first {limit}.")
        return pieces[:limit]
    return pieces


def _attend_model(text: str, weights: str, layer: int, head: int) -> AttendResult:
    import torch

    from engine import token_pieces
    from tutor.demos.weights import load_model

    loaded = load_model(weights)
    config = loaded.config
    notes: list[str] = []
    if layer >= config["n_layers"] or head >= config["n_heads"]:
        raise TutorError(
            f"Demo 'attend': this model has {config['n_layers']} layers and {config['n_heads']} heads "
            f"(numbered from 0); layer {layer}, head {head} does not exist."
        )
    pieces = _cap(token_pieces(text), min(MAX_TOKENS, config["context_length"]), notes)
    ids = torch.tensor([[p.id for p in pieces]])  # (1, num_tokens)
    attention = loaded.model.attention(ids)  # every block's weights; no output head
    everything = torch.stack([block.weights[0] for block in attention])  # (n_layers, n_heads, T, T)
    chosen = attention[layer]
    detail = HeadAttention(
        layer=layer,
        head=head,
        scores=_matrix(chosen.scores[0, head]),
        masked_scores=_matrix(chosen.masked_scores[0, head]) if chosen.masked_scores is not None else None,
        weights=_matrix(chosen.weights[0, head]),
        dropped_weights=None,
    )
    if not loaded.trained:
        notes.append(
            "These weights are random (untrained): the attention patterns carry no meaning until the model "
            "is trained."
        )
    query = len(pieces) - 1  # the last token: the one whose next token the model predicts
    return AttendResult(
        source="model",
        mode="multi-head",
        section="3.6 Multi-head attention, inside every block of a GPT (chapter 4)",
        tokens=[p.text for p in pieces],
        token_ids=[p.id for p in pieces],
        inputs=None,
        heads=[detail],
        context_vectors=None,
        query=query,
        query_scores=detail.scores[query],
        query_weights=detail.weights[query],
        query_context=None,
        num_heads=config["n_heads"],
        dropout=0.0,
        weights=loaded.label,
        num_layers=config["n_layers"],
        layer=layer,
        head=head,
        all_weights=everything.tolist(),
        notes=notes,
        scale=math.sqrt(config["emb_dim"] // config["n_heads"]),
    )
