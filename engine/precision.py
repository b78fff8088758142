"""Reduced-precision weights for generation: the same model with its linear layers in bf16 or int8.

One new token multiplies a single row by every weight matrix, so generation on a CPU is bound by how fast
the weights come from memory: fp32 reads 4 bytes a weight, bf16 2, int8 1. ``use_precision(model, name)``
replaces every linear layer (the attention projections, the feed forward, the output head) in place:

- ``fp32``: unchanged;
- ``bf16``: weights rounded to bfloat16 (8 bits of mantissa instead of 23), multiplied by oneDNN in a
  layout it packs once (AMX or AVX-512 BF16 where the CPU has them); the inputs are rounded to bf16 for
  the product, the result goes back to fp32;
- ``int8``: each output's weights scaled to whole numbers from -127 to 127 (one scale per output row),
  multiplied by fbgemm's dynamic-quantized kernel, which rounds each input row to 8 bits on the fly
  (what ``torch.ao``'s dynamic quantization does for ``nn.Linear``).

Everything else stays fp32: embeddings, layer norms, attention over the KV cache, the residual stream. The
logits change a little, so greedy text can part from fp32's once two candidates are nearly tied; the
generate demo and bench/generate.py show how much. The result is for generating only: no gradients, and
its state dict no longer holds the linear weights.
"""

from __future__ import annotations

import functools
import warnings

import torch
from torch import nn

PRECISIONS = {
    "fp32": "32-bit floats, as trained",
    "bf16": "16-bit bfloat16 weights: half the bytes to read",
    "int8": "8-bit integer weights with a scale per row: a quarter of the bytes",
}


def use_precision(model: nn.Module, precision: str) -> nn.Module:
    """Replace ``model``'s linear layers by ``precision``'s (see the module's notes); returns the model."""
    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}.")
    if precision == "fp32":
        return model
    make = BF16Linear if precision == "bf16" else Int8Linear
    for parent in list(model.modules()):
        if getattr(parent, "_qkv", None) is not None:
            # engine.fast packed queries, keys and values: one reduced layer computes all three at once
            weight, bias, _ = parent._qkv  # weight (3 * d_out, d_in)
            packed = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
            with torch.no_grad():
                packed.weight.copy_(weight)
                if bias is not None:
                    packed.bias.copy_(bias)
            parent.qkv_linear = make(packed)
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Linear):
                try:
                    setattr(parent, name, make(child))
                except RuntimeError as error:  # e.g. a torch or CPU without the quantized kernels
                    reason = str(error).splitlines()[0]
                    raise ValueError(
                        f"{precision} weights do not work with this torch ({reason}); use fp32."
                    ) from None
        if hasattr(parent, "_qkv"):
            parent._qkv = None  # the fp32 packed matrix is not read any more
    return model


class _ReducedLinear(nn.Module):
    """A linear layer for generating only: ``x @ W.T + b`` with W stored in fewer bits."""

    def __init__(self, linear: nn.Linear):
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class BF16Linear(_ReducedLinear):
    def __init__(self, linear: nn.Linear):
        super().__init__(linear)
        weight = linear.weight.detach().to(torch.bfloat16).contiguous()
        self.bias_bf16 = None if linear.bias is None else linear.bias.detach().to(torch.bfloat16)
        self.packed = _onednn_bf16_works() and weight.device.type == "cpu"
        # Packed once for one row at a time (generation); oneDNN takes any number of rows with it.
        self.weight_bf16 = torch.ops.mkldnn._reorder_linear_weight(weight, 1) if self.packed else weight

    def forward(self, x):
        rows = x.to(torch.bfloat16)
        if self.packed:
            out = torch.ops.mkldnn._linear_pointwise(rows, self.weight_bf16, self.bias_bf16, "none", [], "")
        else:
            out = nn.functional.linear(rows, self.weight_bf16, self.bias_bf16)
        return out.to(x.dtype)


class Int8Linear(_ReducedLinear):
    def __init__(self, linear: nn.Linear):
        super().__init__(linear)
        weight = linear.weight.detach().to("cpu", torch.float32).contiguous()
        scales = weight.abs().amax(dim=1).clamp(min=1e-12) / 127  # the largest weight of a row -> 127
        zero_points = torch.zeros(weight.shape[0], dtype=torch.long)
        bias = None if linear.bias is None else linear.bias.detach().to("cpu", torch.float32)
        with warnings.catch_warnings():
            # torch 2.13 marks quantized tensors deprecated; tests/engine/test_precision.py fails the day
            # this torch drops them, rather than the tutor falling back unnoticed.
            warnings.simplefilter("ignore", UserWarning)
            qweight = torch.quantize_per_channel(weight, scales.double(), zero_points, 0, torch.qint8)
            self.packed_weight = torch.ops.quantized.linear_prepack(qweight, bias)

    def forward(self, x):
        # reduce_range: 7-bit inputs, as torch.ao does, so CPUs without VNNI cannot overflow their sums
        return torch.ops.quantized.linear_dynamic(x.to(torch.float32), self.packed_weight, True)


@functools.cache
def _onednn_bf16_works() -> bool:
    """Whether oneDNN multiplies bf16 on this CPU with a packed weight (checked once)."""
    try:
        if not torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return False
        weight = torch.linspace(-1, 1, 24).view(3, 8).to(torch.bfloat16)
        packed = torch.ops.mkldnn._reorder_linear_weight(weight, 1)
        x = torch.linspace(-2, 2, 16).view(2, 8).to(torch.bfloat16)
        result = torch.ops.mkldnn._linear_pointwise(x, packed, None, "none", [], "")
    except (AttributeError, RuntimeError, TypeError):
        return False
    expected = nn.functional.linear(x.float(), weight.float())
    return result.shape == expected.shape and torch.allclose(result.float(), expected, atol=0.05)
