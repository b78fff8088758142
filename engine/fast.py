"""The fast path: a built ``GPTModel`` converted in place to compute the same thing faster on a CPU.

The chapters' classes (attention.py, model.py) stay as the book writes them; like the book's bonus code,
which keeps its faster attention variants apart, the speed lives here and is applied to a model::

    model = make_fast(GPTModel(cfg))              # generation: every change below
    model = make_fast(GPTModel(cfg), layout=False)  # training: the same kernels, the weights where they are

Parameters, their names and the state dict stay the same; outputs agree with the plain model's to float
rounding (tests/engine/test_fast.py). What changes:

- every ``nn.Linear`` multiplies with oneDNN's kernels (``engine.linear.Linear``);
- ``LayerNorm`` and ``GELU`` call torch's fused kernels for the book's formulas;
- ``MultiHeadAttention`` becomes ``FastMultiHeadAttention``: the fused ``scaled_dot_product_attention``
  when the weights are not asked for and dropout is off. With dropout active it keeps the book's explicit
  path, so a seeded training run draws the book's dropout masks and prints the book's losses;
- with ``layout`` (the default), the weights are stored the way one-token-at-a-time generation reads them:
  input-major, (d_in, d_out) in memory as GPT-2's Conv1D stores them, while ``nn.Linear`` still sees its
  (d_out, d_in) weight as a transposed view (a (1, d_in) row times a (d_in, d_out) matrix reads it ~15%
  faster with oneDNN) -- except a matrix whose input-major rows would lie a multiple of 4 KiB apart
  (``input_major``), which stays in ``nn.Linear``'s own order; each block's matrices in one buffer in the
  order it reads them, with W_query, W_key and W_value side by side so one matmul computes all three (~4%
  more). A head tied to the token embedding takes the embedding along; looking up a few rows in it costs
  next to nothing.

Call it after loading weights; ``engine.weights``' GPT-2 loader and the tutor's demos do.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engine.attention import MultiHeadAttention
from engine.kv_cache import LayerKVCache
from engine.linear import Linear, linear
from engine.model import GELU, GPTModel, LayerNorm, TransformerBlock


class FastLayerNorm(LayerNorm):
    """``LayerNorm``'s formula (biased variance, eps inside the root) in torch's one fused kernel."""

    def forward(self, x):
        return F.layer_norm(x, self.scale.shape, self.scale, self.shift, self.eps)


class FastGELU(GELU):
    """GPT-2's tanh approximation of GELU in one kernel."""

    def forward(self, x):
        return F.gelu(x, approximate="tanh")


class FastMultiHeadAttention(MultiHeadAttention):
    """``MultiHeadAttention`` with the fused attention kernel and, once packed, one matmul for q, k and v."""

    # Set by pack_qkv: (the (3 * d_out, d_in) weight, bias, where the three layers' tensors lived then).
    _qkv: tuple[torch.Tensor, torch.Tensor | None, tuple[int, ...]] | None = None

    def pack_qkv(self, memory: torch.Tensor | None = None) -> None:
        """Keep W_query, W_key and W_value side by side in one tensor (``memory``, 3 * d_in * d_out numbers,
        or a new one), in the order ``input_major`` picks; the three layers' weights (and biases) become
        views of it, with the same values, shapes, names.

        Without gradients, ``forward`` then computes queries, keys and values in one matmul that reads the
        three matrices in a single pass. Training updates the views in place, so the packed tensor stays
        current; a weight replaced by another tensor turns the shortcut off.
        """
        layers = (self.W_query, self.W_key, self.W_value)
        d_in = self.W_query.in_features
        with torch.no_grad():
            if memory is None:
                memory = self.W_query.weight.new_empty(3 * self.d_out * d_in)
            weight = weight_matrix(memory, 3 * self.d_out, d_in)  # (3 * d_out, d_in), as nn.Linear sees it
            bias = None
            if self.W_query.bias is not None:
                bias = torch.cat([layer.bias for layer in layers])  # (3 * d_out,)
            for index, layer in enumerate(layers):
                rows = slice(index * self.d_out, (index + 1) * self.d_out)
                weight[rows].copy_(layer.weight)
                layer.weight.data = weight[rows]
                if bias is not None:
                    layer.bias.data = bias[rows]
        self._qkv = (weight, bias, self._qkv_pointers())

    def _qkv_pointers(self) -> tuple[int, ...]:
        layers = (self.W_query, self.W_key, self.W_value)
        return tuple(p.data_ptr() for layer in layers for p in (layer.weight, layer.bias) if p is not None)

    def _projections(self, x):
        """Queries, keys and values (b, num_tokens, d_out): from the packed matrix where it can be used."""
        packed_layer = getattr(self, "qkv_linear", None)  # engine.precision's bf16/int8 layer for all three
        if packed_layer is not None:
            return packed_layer(x).split(self.d_out, dim=-1)
        if self._qkv is not None and not torch.is_grad_enabled():  # autograd must see the layers' parameters
            weight, bias, pointers = self._qkv
            if self._qkv_pointers() == pointers:  # else a weight was replaced: the layers are the truth
                return linear(x, weight, bias).split(self.d_out, dim=-1)
        return self.W_query(x), self.W_key(x), self.W_value(x)

    def forward(self, x, kv_cache: LayerKVCache | None = None, return_attention=False):
        if return_attention or (self.training and self.dropout.p > 0):
            return super().forward(x, kv_cache=kv_cache, return_attention=return_attention)
        b, num_tokens, _ = x.shape
        queries, keys, values = (
            t.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2) for t in self._projections(x)
        )
        start = 0
        if kv_cache is not None:
            start = kv_cache.length
            keys, values = kv_cache.append(keys, values)
        context_vec = self._attend(queries, keys, values, start)
        context_vec = context_vec.transpose(1, 2).contiguous().view(b, num_tokens, self.d_out)
        return self.out_proj(context_vec)

    def _attend(self, queries, keys, values, start):
        """softmax(QK^T / sqrt(d)) V with the causal mask, in the fused kernel."""
        num_tokens, num_keys = queries.shape[2], keys.shape[2]
        if start == 0:
            return F.scaled_dot_product_attention(queries, keys, values, is_causal=True)
        if num_tokens == 1:  # one new token sees every earlier one: nothing to mask
            return F.scaled_dot_product_attention(queries, keys, values)
        # New tokens after a cached prefix: the mask's rows for their positions (True = may attend).
        allowed = ~self.mask.bool()[start : start + num_tokens, :num_keys]
        return F.scaled_dot_product_attention(queries, keys, values, attn_mask=allowed)


_FAST_CLASSES = {
    nn.Linear: Linear,
    LayerNorm: FastLayerNorm,
    GELU: FastGELU,
    MultiHeadAttention: FastMultiHeadAttention,
}


def make_fast(model: GPTModel, *, layout: bool = True) -> GPTModel:
    """Convert ``model`` in place to the fast variants (see the module's notes) and return it.

    ``layout`` also moves the weights into generation's memory order; leave it off for a model about to
    be trained or saved often (training works either way, only the memory order differs). Converting
    twice changes nothing more.
    """
    for module in model.modules():
        fast_class = _FAST_CLASSES.get(type(module))
        if fast_class is not None:
            module.__class__ = fast_class  # the subclasses add no parameters: same names, same state dict
    if layout:
        with torch.no_grad():
            for block in model.trf_blocks:
                _block_layout(block)
            head = model.out_head.weight
            if head.stride(0) != 1 and input_major(*head.shape, head.element_size()):
                model.out_head.weight.data = head.data.T.contiguous().T
    return model


def _block_layout(block: TransformerBlock) -> None:
    """One buffer for the block's matrices, input-major, in the order ``forward`` reads them:
    W_query | W_key | W_value side by side, out_proj, then the feed forward's two layers."""
    att = block.att
    assert isinstance(att, FastMultiHeadAttention)
    later = [att.out_proj, block.ff.layers[0], block.ff.layers[2]]
    qkv_size = 3 * att.W_query.weight.numel()
    memory = att.W_query.weight.new_empty(qkv_size + sum(layer.weight.numel() for layer in later))
    att.pack_qkv(memory[:qkv_size])
    offset = qkv_size
    for layer in later:
        d_out, d_in = layer.weight.shape
        matrix = weight_matrix(memory[offset : offset + d_in * d_out], d_out, d_in)
        matrix.copy_(layer.weight)
        layer.weight.data = matrix  # nn.Linear still sees (d_out, d_in)
        offset += d_in * d_out


def input_major(d_out: int, d_in: int, element_size: int = 4) -> bool:
    """Whether a (d_out, d_in) weight is read faster for one token stored input-major, (d_in, d_out) in
    memory. It is, by ~15% (oneDNN's one-row product streams the rows of x's weights), unless those rows
    lie a multiple of 4 KiB apart: then each falls on the same few cache sets as the one before, and the
    product runs at half speed (on one core of an AMD EPYC: GPT-2 medium's (1024, 4096) feed forward at
    12 GB/s input-major, 24 GB/s in nn.Linear's order; 124M's (768, 3072) at 22 against 28 GB/s)."""
    return (d_out * element_size) % 4096 != 0


def weight_matrix(memory: torch.Tensor, d_out: int, d_in: int) -> torch.Tensor:
    """A (d_out, d_in) weight as nn.Linear sees it, in ``memory`` (d_out * d_in numbers) in the order
    ``input_major`` picks."""
    if input_major(d_out, d_in, memory.element_size()):
        return memory.view(d_in, d_out).T
    return memory.view(d_out, d_in)
