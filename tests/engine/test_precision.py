"""engine.precision: linear layers in bf16 and int8 compute x @ W.T + b with the weights rounded."""

import copy

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from engine import GPTModel, generate, make_fast
from engine.precision import PRECISIONS, BF16Linear, Int8Linear, use_precision
from tests.engine.conftest import TINY_CONFIG


@pytest.fixture
def layer():
    torch.manual_seed(0)
    return nn.Linear(64, 48)


def test_bf16_multiplies_the_rounded_weights_and_inputs(layer):
    x = torch.randn(2, 5, 64)
    reduced = BF16Linear(layer)
    expected = nn.functional.linear(
        x.bfloat16().float(), layer.weight.bfloat16().float(), layer.bias.bfloat16().float()
    )
    out = reduced(x)
    assert out.dtype == torch.float32 and out.shape == (2, 5, 48)
    assert_close(out, expected, atol=0.02, rtol=0.01)  # the product itself is rounded to bf16
    assert_close(out, layer(x), atol=0.05, rtol=0.02)
    assert reduced(x[:, :1]).shape == (2, 1, 48)  # one row at a time, as generation calls it


def test_int8_uses_a_scale_per_row_and_whole_numbers_up_to_127(layer):
    x = torch.randn(3, 64)
    reduced = Int8Linear(layer)
    weight = layer.weight.detach()
    scales = weight.abs().amax(dim=1, keepdim=True) / 127
    dequantized = torch.round(weight / scales).clamp(-127, 127) * scales
    out = reduced(x)
    # What remains is the rounding of the inputs to 7 bits: at most half a step of the input range per
    # element, times the row's weights.
    step = (x.max() - x.min()) / 127
    bound = (0.5 * step * dequantized.abs().sum(dim=1)).max()
    assert (out - nn.functional.linear(x, dequantized, layer.bias)).abs().max() <= bound
    assert_close(out, layer(x), atol=0.1, rtol=0.05)
    assert reduced(torch.randn(1, 1, 64)).shape == (1, 1, 48)


def test_fp32_leaves_the_model_and_unknown_names_are_refused():
    model = GPTModel(TINY_CONFIG)
    assert use_precision(model, "fp32") is model
    assert isinstance(model.out_head, nn.Linear)
    with pytest.raises(ValueError, match="Unknown precision 'fp16'; choose one of: fp32, bf16, int8"):
        use_precision(model, "fp16")
    assert list(PRECISIONS) == ["fp32", "bf16", "int8"]


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_a_reduced_model_replaces_every_linear_layer_and_predicts_like_fp32(precision):
    torch.manual_seed(3)
    plain = make_fast(GPTModel(TINY_CONFIG)).eval()
    reduced = use_precision(copy.deepcopy(plain), precision)
    assert not any(isinstance(m, nn.Linear) for m in reduced.modules())
    kind = BF16Linear if precision == "bf16" else Int8Linear
    # queries, keys, values, the three packed in one (engine.fast's layout), out_proj and the feed
    # forward's two; then the output head
    per_block = 7
    assert sum(isinstance(m, kind) for m in reduced.modules()) == per_block * TINY_CONFIG["n_layers"] + 1
    assert isinstance(reduced.trf_blocks[0].att.qkv_linear, kind)
    idx = torch.randint(0, 50257, (2, 12))
    with torch.no_grad():
        ours, theirs = reduced(idx), plain(idx)
    # Close in value, and the probabilities of the tokens differ by little.
    assert_close(ours.softmax(-1), theirs.softmax(-1), atol=2e-4, rtol=0)
    cache_run = generate(reduced, idx[:1, :4], max_new_tokens=6, context_size=16)  # the KV cache path
    assert cache_run.shape == (1, 10)
