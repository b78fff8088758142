"""The linear layer, with a faster matrix product on a CPU.

``nn.Linear`` computes ``x @ W.T + b`` with ``F.linear``, which on a CPU goes to MKL's sgemm. On AMD CPUs
MKL takes a generic code path that multiplies at about half the speed of oneDNN's matrix kernels, which
``torch.compile`` picks for CPU linear layers. Generation feels it most: one new token is a single row
times every weight matrix of the model, so each matrix is read once from memory per token, and oneDNN
reads it ~1.6x faster (on 2 cores of an AMD EPYC: MKL ~23 GB/s, oneDNN ~36 GB/s). Training multiplies
whole batches, three products per layer (forward, and the gradients of the input and of the weight), and
gains ~1.25x (bench/train.py).

On Intel's own processors MKL takes its fast path, and there it beats oneDNN's kernel for these products
(on 2 cores of a Xeon with AMX, GPT-2 124M generating: MKL ~1.3x the tokens/s of oneDNN), so on an Intel
CPU the layer keeps ``F.linear``.

``Linear`` is ``nn.Linear`` with the same parameters, initialisation and state-dict names; only the
products go to oneDNN. Where oneDNN is missing (a torch built without it, or
``torch.backends.mkldnn.enabled = False``), on Intel processors, for other dtypes and devices, and for a
weight that is a view into a wider matrix (see ``_dense``), ``F.linear`` does the work.
"""

from __future__ import annotations

import functools
import platform

import torch
import torch.nn.functional as F
from torch import nn


def linear(x, weight, bias=None):
    """``F.linear(x, weight, bias)``: x (..., d_in), weight (d_out, d_in), bias (d_out,) -> (..., d_out)."""
    if not _onednn_can(x, weight):
        return F.linear(x, weight, bias)
    needs_grad = x.requires_grad or weight.requires_grad or (bias is not None and bias.requires_grad)
    if torch.is_grad_enabled() and needs_grad:
        return _OneDNNLinear.apply(x, weight, bias)
    return _onednn_linear(x, weight, bias)


def _onednn_can(x, weight) -> bool:
    return (
        x.dtype == weight.dtype == torch.float32
        and x.device.type == weight.device.type == "cpu"
        and x.numel() > 0  # oneDNN has no primitive for an empty product
        and torch.backends.mkldnn.enabled
        and _mkl_is_slow()
        and _onednn_works()
    )


def _onednn_linear(x, weight, bias=None):
    # oneDNN's inner product on the plain weight, in either order: no repacked copy of the weights
    if not _dense(weight):
        return F.linear(x, weight, bias)
    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")


def _dense(weight) -> bool:
    """Whether a 2-d weight's numbers lie side by side, rows after rows or columns after columns.

    oneDNN's product takes any strides, but for others (W_query, W_key and W_value as views of their
    packed, input-major matrix: each column 3 * d_out numbers from the next) it runs its reference
    kernel: 64 tokens through GPT-2's W_query took 430 ms there, against 0.5 ms for ``F.linear``."""
    rows, columns = weight.shape
    stride = weight.stride()
    return stride in ((columns, 1), (1, rows)) or weight.is_contiguous() or weight.T.is_contiguous()


class _OneDNNLinear(torch.autograd.Function):
    """``x @ weight.T + bias`` with its backward, every product by oneDNN (the op itself has no backward)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return _onednn_linear(x, weight, bias)

    @staticmethod
    def backward(ctx, grad):  # grad: (..., d_out)
        x, weight = ctx.saved_tensors
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_x = _onednn_linear(grad, weight.T)  # grad @ weight: (..., d_in)
        rows = grad.reshape(-1, grad.shape[-1])  # (n, d_out), n = every position of the batch
        if ctx.needs_input_grad[1]:
            grad_weight = _onednn_linear(rows.T, x.reshape(-1, x.shape[-1]).T)  # rows.T @ x: (d_out, d_in)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = rows.sum(0)
        return grad_x, grad_weight, grad_bias


@functools.cache
def _mkl_is_slow() -> bool:
    """MKL takes its generic, slower code path on every processor that is not Intel's."""
    return "intel" not in _cpu_vendor().lower()


def _cpu_vendor() -> str:
    """``GenuineIntel``, ``AuthenticAMD``, ... from /proc/cpuinfo; elsewhere what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("vendor_id"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor()  # "Intel64 Family 6 ..." on Windows; "arm", "i386" or "" elsewhere


def _onednn_works() -> bool:
    return onednn_problem() is None


@functools.cache
def onednn_problem() -> str | None:
    """Why oneDNN's linear op cannot be used on this torch, or None when it agrees with ``F.linear``.

    Checked once. ``torch.ops.mkldnn._linear_pointwise`` is torch's internal op, so a new torch may rename
    it or change its signature; tests/engine/test_linear.py fails then rather than letting the tutor fall
    back to the slower product unnoticed.
    """
    if not torch.backends.mkldnn.is_available():
        return f"torch {torch.__version__} was built without oneDNN"
    x = torch.linspace(-1, 1, 2 * 8).view(2, 8)
    weight, bias = torch.linspace(-2, 2, 3 * 8).view(3, 8), torch.tensor([0.5, -0.5, 1.0])
    try:
        with torch.no_grad():
            result = torch.ops.mkldnn._linear_pointwise(x, weight.T.contiguous().T, bias, "none", [], "")
    except (AttributeError, RuntimeError, TypeError) as error:  # no such op, or another signature
        return f"torch {torch.__version__}: mkldnn._linear_pointwise failed ({type(error).__name__}: {error})"
    expected = F.linear(x, weight, bias)
    if result.shape != expected.shape or not torch.allclose(result, expected, atol=1e-5):
        return f"torch {torch.__version__}: mkldnn._linear_pointwise gives other results than F.linear"
    return None


class Linear(nn.Linear):
    """``nn.Linear`` whose products go to oneDNN on a CPU (see ``linear``)."""

    def forward(self, x):
        return linear(x, self.weight, self.bias)
