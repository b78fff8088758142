import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

import engine.linear
from engine.linear import Linear, linear

onednn = pytest.mark.skipif(not engine.linear._onednn_works(), reason="this torch has no oneDNN linear op")


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
        wide = torch.randn(*shape[:-1], 96)
        assert_close(linear(wide[..., ::2], layer.weight), F.linear(wide[..., ::2], layer.weight))


@onednn
def test_without_gradients_it_uses_onednn_and_with_them_f_linear(monkeypatch):
    layer, x = Linear(16, 8), torch.randn(3, 16)
    calls, f_linear = [], F.linear

    def counted(*args):
        calls.append(args)
        return f_linear(*args)

    monkeypatch.setattr(engine.linear.F, "linear", counted)
    with torch.inference_mode():
        layer(x)
    assert calls == []  # oneDNN's kernel did the work
    with torch.backends.mkldnn.flags(enabled=False), torch.no_grad():
        layer(x)
    assert len(calls) == 1  # oneDNN switched off: F.linear as usual

    loss = layer(x).square().sum()  # training: F.linear, with its backward
    loss.backward()
    assert len(calls) == 2 and layer.weight.grad is not None
