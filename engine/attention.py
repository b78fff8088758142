"""Attention, built up the way chapter 3 builds it: from simple self-attention to multi-head causal attention.

Every class takes ``return_attention=True`` to hand back what the demos draw (scores, masked scores, weights
per head); when it is not asked for, nothing extra is computed. ``MultiHeadAttention`` also takes a
``KVCache`` layer so generation can feed one new token at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine.kv_cache import LayerKVCache


@dataclass
class AttentionWeights:
    """What one attention layer computed, per head, for the demos.

    Shapes: ``(num_tokens, num_tokens)`` for the single-input classes of section 3.4, ``(b, num_tokens,
    num_tokens)`` for ``CausalAttention`` and ``(b, num_heads, num_queries, num_keys)`` for the multi-head
    classes (with a KV cache the queries are the new tokens, the keys every token so far). Section 3.3's
    simplified attention has no trainable weights and does not scale its scores by sqrt(d_k).
    """

    scores: torch.Tensor  # queries @ keys.T, before scaling and masking
    unmasked_weights: torch.Tensor  # softmax(scores / sqrt(d_k)): what section 3.5.1 masks afterwards
    masked_scores: torch.Tensor | None  # scores with -inf above the diagonal (None: no causal mask)
    weights: torch.Tensor  # softmax(masked_scores / sqrt(d_k)): each row sums to 1
    dropped_weights: torch.Tensor  # the weights after dropout: what multiplies the values


def simplified_self_attention(inputs, return_attention=False):
    """Section 3.3: attention without trainable weights; the inputs are queries, keys and values at once.

    ``inputs`` is (num_tokens, d_in); the context vectors are (num_tokens, d_in). As in the book, the
    scores are not scaled before the softmax.
    """
    attn_scores = inputs @ inputs.T  # (num_tokens, num_tokens): every token's dot product with every other
    attn_weights = torch.softmax(attn_scores, dim=-1)
    all_context_vecs = attn_weights @ inputs
    if return_attention:
        return all_context_vecs, _unmasked_details(attn_scores, attn_weights)
    return all_context_vecs


class SelfAttention_v1(nn.Module):
    """Section 3.4.1: self-attention with trainable weight matrices as plain parameters."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.W_query = nn.Parameter(torch.rand(d_in, d_out))
        self.W_key = nn.Parameter(torch.rand(d_in, d_out))
        self.W_value = nn.Parameter(torch.rand(d_in, d_out))

    def forward(self, x, return_attention=False):
        keys = x @ self.W_key  # (num_tokens, d_out)
        queries = x @ self.W_query
        values = x @ self.W_value
        attn_scores = queries @ keys.T  # omega: (num_tokens, num_tokens)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        context_vec = attn_weights @ values  # (num_tokens, d_out)
        if return_attention:
            return context_vec, _unmasked_details(attn_scores, attn_weights)
        return context_vec


class SelfAttention_v2(nn.Module):
    """Section 3.4.2: the same with ``nn.Linear`` layers (better initialisation, optional bias)."""

    def __init__(self, d_in, d_out, qkv_bias=False):
        super().__init__()
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)

    def forward(self, x, return_attention=False):
        keys = self.W_key(x)  # (num_tokens, d_out)
        queries = self.W_query(x)
        values = self.W_value(x)
        attn_scores = queries @ keys.T  # (num_tokens, num_tokens)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        context_vec = attn_weights @ values
        if return_attention:
            return context_vec, _unmasked_details(attn_scores, attn_weights)
        return context_vec


class CausalAttention(nn.Module):
    """Section 3.5.3: one head of causal (masked) self-attention with dropout, for batches."""

    def __init__(self, d_in, d_out, context_length, dropout, qkv_bias=False):
        super().__init__()
        self.d_out = d_out
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x, return_attention=False):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x)  # (b, num_tokens, d_out)
        queries = self.W_query(x)
        values = self.W_value(x)
        attn_scores = queries @ keys.transpose(1, 2)  # (b, num_tokens, num_tokens)
        raw_scores = attn_scores.detach().clone() if return_attention else None
        attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        dropped = self.dropout(attn_weights)
        context_vec = dropped @ values  # (b, num_tokens, d_out)
        if return_attention:
            return context_vec, _masked_details(
                raw_scores, attn_scores, attn_weights, dropped, keys.shape[-1]
            )
        return context_vec


class MultiHeadAttentionWrapper(nn.Module):
    """Section 3.6.1: several ``CausalAttention`` heads side by side, outputs concatenated."""

    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        self.heads = nn.ModuleList(
            [CausalAttention(d_in, d_out, context_length, dropout, qkv_bias) for _ in range(num_heads)]
        )

    def forward(self, x, return_attention=False):
        if not return_attention:
            return torch.cat([head(x) for head in self.heads], dim=-1)  # (b, num_tokens, num_heads * d_out)
        outputs, details = zip(*(head(x, return_attention=True) for head in self.heads), strict=True)
        # Stack the heads on dim 1 so the shapes match MultiHeadAttention's: (b, num_heads, T, T).
        stacked = {
            field: torch.stack([getattr(d, field) for d in details], dim=1)
            for field in ("scores", "unmasked_weights", "masked_scores", "weights", "dropped_weights")
        }
        return torch.cat(outputs, dim=-1), AttentionWeights(**stacked)


class MultiHeadAttention(nn.Module):
    """Section 3.6.2: multi-head causal attention with the heads split out of one set of projections.

    As the book writes it, plus two things the tutor needs: ``kv_cache`` (generation feeds only the new
    tokens; the cache hands back every key and value so far) and ``return_attention``. ``engine.fast``
    turns it into a faster variant for generation (packed projections, a fused attention kernel).
    """

    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        assert d_out % num_heads == 0, "d_out must be divisible by num_heads"
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads  # reduce the projection dim to match the desired output dim
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)  # combines the heads' outputs
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x, kv_cache: LayerKVCache | None = None, return_attention=False):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x)  # (b, num_tokens, d_out)
        queries = self.W_query(x)
        values = self.W_value(x)

        # Split d_out into heads: (b, num_tokens, d_out) -> (b, num_heads, num_tokens, head_dim)
        keys = keys.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        queries = queries.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        values = values.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)

        start = 0  # position of the first new token: its row of the mask
        if kv_cache is not None:
            start = kv_cache.length
            keys, values = kv_cache.append(keys, values)  # (b, num_heads, start + num_tokens, head_dim)

        attn_scores = queries @ keys.transpose(2, 3)  # (b, num_heads, num_tokens, num_keys)
        raw_scores = attn_scores.detach().clone() if return_attention else None
        mask_bool = self.mask.bool()[start : start + num_tokens, : keys.shape[2]]
        attn_scores.masked_fill_(mask_bool, -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        dropped = self.dropout(attn_weights)

        # (b, num_heads, num_tokens, head_dim) -> merge the heads back: (b, num_tokens, d_out)
        context_vec = (dropped @ values).transpose(1, 2)
        context_vec = context_vec.contiguous().view(b, num_tokens, self.d_out)
        context_vec = self.out_proj(context_vec)
        if return_attention:
            return context_vec, _masked_details(raw_scores, attn_scores, attn_weights, dropped, self.head_dim)
        return context_vec


def _unmasked_details(attn_scores, attn_weights) -> AttentionWeights:
    weights = attn_weights.detach()
    return AttentionWeights(
        scores=attn_scores.detach(),
        unmasked_weights=weights,
        masked_scores=None,
        weights=weights,
        dropped_weights=weights,
    )


def _masked_details(raw_scores, masked_scores, weights, dropped, head_dim) -> AttentionWeights:
    return AttentionWeights(
        scores=raw_scores,
        unmasked_weights=torch.softmax(raw_scores / head_dim**0.5, dim=-1),
        masked_scores=masked_scores.detach(),
        weights=weights.detach(),
        dropped_weights=dropped.detach(),
    )
