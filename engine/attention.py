"""Attention, built up the way chapter 3 builds it: from simple self-attention to multi-head causal attention.

Every class takes ``return_attention=True`` to hand back what the demos draw (scores, masked scores, weights
per head); when it is not asked for, nothing extra is computed. ``MultiHeadAttention`` also takes a
``KVCache`` layer so generation can feed one new token at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from engine.kv_cache import LayerKVCache
from engine.linear import Linear, linear


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

    When the weights are not asked for and dropout is off (eval mode, or a rate of 0) it calls
    ``scaled_dot_product_attention``, the fused kernel that computes the same softmax(QK^T/sqrt(d))V.
    With dropout active it keeps the book's explicit path, so a seeded training run draws the same dropout
    masks as the book's code and prints the book's losses.
    """

    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        assert d_out % num_heads == 0, "d_out must be divisible by num_heads"
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads
        self.W_query = Linear(d_in, d_out, bias=qkv_bias)  # nn.Linear, faster on a CPU (linear.py)
        self.W_key = Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))
        # Set by store_qkv_fused: (weight, bias, where the three layers' tensors lived then).
        self._qkv: tuple[torch.Tensor, torch.Tensor | None, tuple[int, ...]] | None = None

    def store_qkv_fused(self, weight: torch.Tensor | None = None) -> None:
        """Keep W_query, W_key and W_value side by side in one (d_in, 3 * d_out) tensor (``weight``, or a new
        one); the three layers' weights (and biases) become views of it, with the same values, shapes, names.

        Without gradients, ``forward`` then computes queries, keys and values in one matmul that reads the
        three matrices in a single pass: for one new token that is a few percent faster than three
        separate ones (``GPTModel.use_fast_layout``). Training updates the views in place, so the fused
        tensor stays current; a weight replaced by another tensor turns the shortcut off.
        """
        layers = (self.W_query, self.W_key, self.W_value)
        d_in = self.W_query.in_features
        with torch.no_grad():
            if weight is None:
                weight = self.W_query.weight.new_empty(d_in, 3 * self.d_out)
            bias = None
            if self.W_query.bias is not None:
                bias = torch.cat([layer.bias for layer in layers])  # (3 * d_out,)
            for index, layer in enumerate(layers):
                columns = slice(index * self.d_out, (index + 1) * self.d_out)
                weight[:, columns].copy_(layer.weight.T)
                layer.weight.data = weight[:, columns].T
                if bias is not None:
                    layer.bias.data = bias[columns]
        self._qkv = (weight, bias, self._qkv_pointers())

    def _qkv_pointers(self) -> tuple[int, ...]:
        layers = (self.W_query, self.W_key, self.W_value)
        return tuple(p.data_ptr() for layer in layers for p in (layer.weight, layer.bias) if p is not None)

    def _fused_projections(self, x):
        """Queries, keys and values (b, num_tokens, d_out) in one matmul, or None when it cannot be used."""
        if self._qkv is None or torch.is_grad_enabled():
            return None  # autograd must see the three layers' own parameters
        weight, bias, pointers = self._qkv
        if self._qkv_pointers() != pointers:
            return None  # a weight was replaced (a new Parameter, another device): the layers are the truth
        return linear(x, weight.T, bias).split(self.d_out, dim=-1)

    def forward(self, x, kv_cache: LayerKVCache | None = None, return_attention=False):
        b, num_tokens, d_in = x.shape
        fused = self._fused_projections(x)
        if fused is not None:
            queries, keys, values = fused
        else:
            keys = self.W_key(x)  # (b, num_tokens, d_out)
            queries = self.W_query(x)
            values = self.W_value(x)

        # Split d_out into heads: (b, num_tokens, d_out) -> (b, num_heads, num_tokens, head_dim)
        keys = keys.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        queries = queries.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        values = values.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)

        start = 0  # position of the first new token
        if kv_cache is not None:
            start = kv_cache.length
            keys, values = kv_cache.append(keys, values)  # (b, num_heads, start + num_tokens, head_dim)
        num_keys = keys.shape[2]

        dropout_active = self.training and self.dropout.p > 0
        if not return_attention and not dropout_active:
            context_vec = self._fused(queries, keys, values, start)
        else:
            attn_scores = queries @ keys.transpose(2, 3)  # (b, num_heads, num_tokens, num_keys)
            raw_scores = attn_scores.detach().clone() if return_attention else None
            mask_bool = self.mask.bool()[start : start + num_tokens, :num_keys]
            attn_scores.masked_fill_(mask_bool, -torch.inf)
            attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
            dropped = self.dropout(attn_weights)
            context_vec = dropped @ values  # (b, num_heads, num_tokens, head_dim)

        # Merge the heads back: (b, num_heads, num_tokens, head_dim) -> (b, num_tokens, d_out)
        context_vec = context_vec.transpose(1, 2).contiguous().view(b, num_tokens, self.d_out)
        context_vec = self.out_proj(context_vec)
        if return_attention:
            return context_vec, _masked_details(raw_scores, attn_scores, attn_weights, dropped, self.head_dim)
        return context_vec

    def _fused(self, queries, keys, values, start):
        num_tokens, num_keys = queries.shape[2], keys.shape[2]
        if start == 0:
            return F.scaled_dot_product_attention(queries, keys, values, is_causal=True)
        if num_tokens == 1:  # one new token sees every earlier one: nothing to mask
            return F.scaled_dot_product_attention(queries, keys, values)
        # New tokens after a cached prefix: the mask's rows for their positions (True = may attend).
        allowed = ~self.mask.bool()[start : start + num_tokens, :num_keys]
        return F.scaled_dot_product_attention(queries, keys, values, attn_mask=allowed)


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
