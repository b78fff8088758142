"""The linear layer, with a faster matrix product on a CPU when no gradient is needed.

``nn.Linear`` computes ``x @ W.T + b`` with ``F.linear``, which on a CPU goes to MKL's sgemm. On AMD CPUs
(this project's test machines are AMD EPYC) MKL takes a generic code path that multiplies at about half
the speed of oneDNN's inner product, the CPU kernel ``torch.compile`` picks for linear layers. The gap is
largest where generation spends its time: one new token is a single row times every weight matrix of the
model, so each matrix is read once from memory per token, and oneDNN reads it ~1.6x faster (MKL ~23 GB/s,
oneDNN ~36 GB/s on 2 cores here; bench/generate.py).

``Linear`` is ``nn.Linear`` with the same parameters, initialisation and state-dict names; only its
forward without gradients (generation, evaluation, the attention demos) takes oneDNN's kernel. Training
keeps ``F.linear``: the oneDNN op has no backward. Where oneDNN is missing (a torch built without it, or
``torch.backends.mkldnn.enabled = False``), everything goes through ``F.linear`` as usual.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from torch import nn


def linear(x, weight, bias=None):
    """``F.linear(x, weight, bias)``: x (..., d_in), weight (d_out, d_in), bias (d_out,) -> (..., d_out)."""
    if (
        not torch.is_grad_enabled()
        and x.dtype == weight.dtype == torch.float32
        and x.device.type == weight.device.type == "cpu"
        and torch.backends.mkldnn.enabled
        and _onednn_works()
    ):
        # oneDNN's inner product on the plain weight (any strides): no repacked copy of the weights
        return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")
    return F.linear(x, weight, bias)


@functools.cache
def _onednn_works() -> bool:
    """Whether this torch has oneDNN's linear op and it agrees with ``F.linear`` (checked once)."""
    if not torch.backends.mkldnn.is_available():
        return False
    x = torch.linspace(-1, 1, 2 * 8).view(2, 8)
    weight, bias = torch.linspace(-2, 2, 3 * 8).view(3, 8), torch.tensor([0.5, -0.5, 1.0])
    try:
        with torch.no_grad():
            result = torch.ops.mkldnn._linear_pointwise(x, weight.T.contiguous().T, bias, "none", [], "")
    except (AttributeError, RuntimeError, TypeError):
        return False  # an older or newer torch without this op or with another signature
    return result.shape == (2, 3) and torch.allclose(result, F.linear(x, weight, bias), atol=1e-5)


class Linear(nn.Linear):
    """``nn.Linear`` whose forward without gradients uses ``linear`` (oneDNN on a CPU)."""

    def forward(self, x):
        return linear(x, self.weight, self.bias)
