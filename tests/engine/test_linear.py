import platform

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

import engine.linear
from engine.linear import Linear, linear

X86 = platform.machine().lower() in {"x86_64", "amd64", "i386", "i686"}
onednn = pytest.mark.skipif(not engine.linear._onednn_works(), reason="this torch has no oneDNN linear op")


@pytest.fixture
def f_linear_calls(monkeypatch) -> list[tuple]:
    """The calls that reach ``F.linear`` (the arguments of each), which still does the work."""
    calls: list[tuple] = []
    f_linear = F.linear

    def counted(*args):
        calls.append(args)
        return f_linear(*args)

    monkeypatch.setattr(engine.linear.F, "linear", counted)
    return calls


def test_the_onednn_probe_passes_on_this_torch():
    """The fast path must not fall back to the slower product unnoticed when torch is upgraded.

    The rule: wherever torch was built with oneDNN the probe must pass, and on x86-64 torch must have
    oneDNN (every official x86-64 wheel has it). Only a torch for another processor built without oneDNN
    (some ARM builds) skips: there the fallback to ``F.linear`` is the build's own choice.
    """
    if not X86 and not torch.backends.mkldnn.is_available():
        pytest.skip(f"this torch for {platform.machine()} is built without oneDNN")
    problem = engine.linear.onednn_problem()
    assert problem is None, f"{problem}: fix engine/linear.py for this torch, or pin the tested torch"


def test_linear_is_nn_linear_with_the_same_initialisation_and_names():
    torch.manual_seed(123)
    ours = Linear(6, 4)
    torch.manual_seed(123)
    theirs = nn.Linear(6, 4)
    assert isinstance(ours, nn.Linear)
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    for name, tensor in ours.state_dict().items():
        assert torch.equal(tensor, theirs.state_dict()[name])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 48), (2, 7, 48), (5, 48)])
def test_without_gradients_it_computes_what_f_linear_does(shape, bias):
    torch.manual_seed(0)
    layer = Linear(48, 80, bias=bias)
    x = torch.randn(shape)
    with torch.no_grad():
        expected = F.linear(x, layer.weight, layer.bias)
        assert_close(layer(x), expected, atol=1e-5, rtol=1e-5)
        # an input-major weight (the transposed view of a (d_in, d_out) tensor) and a strided input
        assert_close(linear(x, layer.weight.T.contiguous().T, layer.bias), expected, atol=1e-5, rtol=1e-5)
        assert linear(x[..., :0, :], layer.weight, layer.bias).shape == (*shape[:-2], 0, 80)  # no rows
        wide = torch.randn(*shape[:-1], 96)
        assert_close(linear(wide[..., ::2], layer.weight), F.linear(wide[..., ::2], layer.weight))


@pytest.mark.parametrize("bias", [True, False])
def test_with_gradients_it_gives_f_linears_output_and_gradients(bias):
    torch.manual_seed(0)
    layer = Linear(48, 80, bias=bias)
    x = torch.randn(2, 7, 48, requires_grad=True)
    upstream = torch.randn(2, 7, 80)
    layer(x).backward(upstream)
    ours = [x.grad] + [p.grad for p in layer.parameters()]
    x.grad = None
    layer.zero_grad(set_to_none=True)
    F.linear(x, layer.weight, layer.bias).backward(upstream)
    expected = [x.grad] + [p.grad for p in layer.parameters()]
    assert len(ours) == len(expected) == (3 if bias else 2)
    for got, want in zip(ours, expected, strict=True):
        assert_close(got, want, atol=1e-5, rtol=1e-5)

    frozen = Linear(48, 80)  # gradients for the input only, as for a frozen layer
    frozen.requires_grad_(False)
    x.grad = None
    frozen(x).backward(upstream)
    assert_close(x.grad, upstream @ frozen.weight, atol=1e-5, rtol=1e-5)


@onednn
@pytest.mark.filterwarnings("ignore:TF32 acceleration")  # torch's note when mkldnn.flags() is entered
def test_it_uses_onednn_and_falls_back_to_f_linear_when_switched_off(monkeypatch, f_linear_calls):
    calls = f_linear_calls
    monkeypatch.setattr(engine.linear, "_mkl_is_slow", lambda: True)  # as on an AMD processor
    layer, x = Linear(16, 8), torch.randn(3, 16)
    with torch.inference_mode():
        layer(x)
    layer(x).square().sum().backward()
    assert calls == []  # oneDNN's kernels did the work, with and without gradients
    with torch.backends.mkldnn.flags(enabled=False):
        layer(x).square().sum().backward()
    layer.double()(x.double())  # float64: oneDNN's kernel is for float32
    assert len(calls) == 2


@onednn
def test_a_weight_viewed_in_a_wider_matrix_goes_to_f_linear(monkeypatch, f_linear_calls):
    """W_query as a view of the packed, input-major q/k/v matrix: oneDNN's reference kernel would take
    hundreds of times longer on it, so ``F.linear`` multiplies; a dense weight, either order, stays."""
    calls = f_linear_calls
    monkeypatch.setattr(engine.linear, "_mkl_is_slow", lambda: True)
    torch.manual_seed(0)
    packed = torch.randn(48, 3 * 80)  # (d_in, 3 * d_out), input-major
    query = packed[:, 80:160].T  # (d_out, d_in), each column 240 numbers from the next
    x = torch.randn(2, 7, 48)
    with torch.no_grad():
        got = linear(x, query)
        assert len(calls) == 1
        assert_close(got, x @ query.T, atol=1e-5, rtol=1e-5)
        # row-major, input-major, and rows of a matrix packed row-major (nn.Linear's order)
        for dense in (query.contiguous(), query.T.contiguous().T, packed.T.contiguous()[80:160]):
            assert_close(linear(x, dense), got, atol=1e-5, rtol=1e-5)
    assert len(calls) == 1
    assert engine.linear._dense(query[:, :1])  # one column of d_out numbers side by side


def test_on_intel_processors_the_layer_keeps_mkls_f_linear(monkeypatch, f_linear_calls):
    calls = f_linear_calls
    monkeypatch.setattr(engine.linear, "_mkl_is_slow", lambda: False)
    with torch.inference_mode():
        Linear(16, 8)(torch.randn(3, 16))
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("vendor", "slow"),
    [("GenuineIntel", False), ("AuthenticAMD", True), ("Intel64 Family 6", False), ("", True)],
)
def test_mkl_counts_as_slow_off_intel(monkeypatch, vendor, slow):
    monkeypatch.setattr(engine.linear, "_cpu_vendor", lambda: vendor)
    engine.linear._mkl_is_slow.cache_clear()
    try:
        assert engine.linear._mkl_is_slow() is slow
    finally:
        engine.linear._mkl_is_slow.cache_clear()
