import math

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from engine import (
    GELU,
    GPT_CONFIG_124M,
    GPT_CONFIGS,
    FeedForward,
    GPTModel,
    LayerNorm,
    TransformerBlock,
    get_tokenizer,
)
from tests.engine.conftest import TINY_CONFIG


def close(actual, expected):
    assert_close(actual, torch.tensor(expected), atol=1e-4, rtol=0)


def test_layer_norm_section_4_2():
    torch.manual_seed(123)
    batch_example = torch.randn(2, 5)
    layer = nn.Sequential(nn.Linear(5, 6), nn.ReLU())
    out = layer(batch_example)
    close(
        out,
        [[0.2260, 0.3470, 0.0000, 0.2216, 0.0000, 0.0000], [0.2133, 0.2394, 0.0000, 0.5198, 0.3297, 0.0000]],
    )

    ln = LayerNorm(emb_dim=5)
    out_ln = ln(batch_example)
    assert_close(out_ln.mean(dim=-1), torch.zeros(2), atol=1e-6, rtol=0)
    assert_close(out_ln.var(dim=-1, unbiased=False), torch.ones(2), atol=1e-4, rtol=0)
    # The book's formula, written out.
    mean = batch_example.mean(dim=-1, keepdim=True)
    var = batch_example.var(dim=-1, keepdim=True, unbiased=False)
    assert_close(out_ln, (batch_example - mean) / torch.sqrt(var + 1e-5), atol=1e-6, rtol=0)
    assert [name for name, _ in ln.named_parameters()] == ["scale", "shift"]


def test_gelu_is_the_tanh_approximation():
    x = torch.linspace(-3, 3, 100)
    formula = (
        0.5
        * x
        * (1 + torch.tanh(torch.sqrt(torch.tensor(2.0 / torch.pi)) * (x + 0.044715 * torch.pow(x, 3))))
    )
    assert_close(GELU()(x), formula, atol=1e-6, rtol=0)
    assert GELU()(torch.tensor(0.0)) == 0


def test_feed_forward_and_block_keep_the_shape():
    ffn = FeedForward(GPT_CONFIG_124M)
    assert ffn(torch.rand(2, 3, 768)).shape == (2, 3, 768)
    assert sum(p.numel() for p in ffn.parameters()) == 4_722_432
    torch.manual_seed(123)
    x = torch.rand(2, 4, 768)
    block = TransformerBlock(GPT_CONFIG_124M)
    assert block(x).shape == (2, 4, 768)
    assert sum(p.numel() for p in block.att.parameters()) == 2_360_064


def test_parameter_names_are_the_books():
    model = GPTModel(TINY_CONFIG)
    names = list(model.state_dict())
    assert names[:2] == ["tok_emb.weight", "pos_emb.weight"]
    block = [n.removeprefix("trf_blocks.0.") for n in names if n.startswith("trf_blocks.0.")]
    assert block == [
        "att.mask",
        "att.W_query.weight",
        "att.W_key.weight",
        "att.W_value.weight",
        "att.out_proj.weight",
        "att.out_proj.bias",
        "ff.layers.0.weight",
        "ff.layers.0.bias",
        "ff.layers.2.weight",
        "ff.layers.2.bias",
        "norm1.scale",
        "norm1.shift",
        "norm2.scale",
        "norm2.shift",
    ]
    assert names[-3:] == ["final_norm.scale", "final_norm.shift", "out_head.weight"]
    assert len([n for n in names if n.endswith("att.W_query.weight")]) == TINY_CONFIG["n_layers"]


def test_configs_of_the_gpt2_sizes():
    sizes = {name: (c["emb_dim"], c["n_layers"], c["n_heads"]) for name, c in GPT_CONFIGS.items()}
    assert sizes == {
        "gpt2-small (124M)": (768, 12, 12),
        "gpt2-medium (355M)": (1024, 24, 16),
        "gpt2-large (774M)": (1280, 36, 20),
        "gpt2-xl (1558M)": (1600, 48, 25),
    }
    for config in GPT_CONFIGS.values():
        assert config["vocab_size"] == 50257 and config["context_length"] == 1024


def test_gpt_124m_sizes_section_4_6(book_gpt_124m):
    model = book_gpt_124m.model
    total_params = sum(p.numel() for p in model.parameters())
    assert total_params == 163_009_536
    assert model.tok_emb.weight.shape == (50257, 768) == model.out_head.weight.shape
    assert total_params - sum(p.numel() for p in model.out_head.parameters()) == 124_412_160
    total_size_mb = total_params * 4 / (1024 * 1024)
    assert math.isclose(total_size_mb, 621.83, abs_tol=0.005)


def test_gpt_124m_output_section_4_6(book_gpt_124m):
    """The book runs the freshly built model in training mode, so dropout draws from the seeded generator."""
    tokenizer = get_tokenizer()
    batch = torch.tensor([tokenizer.encode("Every effort moves you"), tokenizer.encode("Every day holds a")])
    assert batch.tolist() == [[6109, 3626, 6100, 345], [6109, 1110, 6622, 257]]
    model = book_gpt_124m.model
    model.train()
    torch.set_rng_state(book_gpt_124m.rng_state_after_build)
    with torch.no_grad():
        out = model(batch)
    assert out.shape == (2, 4, 50257)
    first = [
        [0.3613, 0.4222, -0.0711],
        [-0.1792, -0.5660, -0.9485],
        [0.7120, 0.0332, 0.1085],
        [-1.0076, 0.3418, -0.1190],
    ]
    last = [
        [0.3483, 0.4661, -0.2838],
        [0.0477, 0.5181, -0.3168],
        [0.1018, -0.4327, -0.2553],
        [0.7195, 0.4023, 0.0532],
    ]
    close(out[0, :, :3], first)
    close(out[0, :, -3:], last)
    close(
        out[1, :, :3],
        [
            [-0.2564, 0.0900, 0.0335],
            [0.1230, 0.3653, -0.2074],
            [1.0558, 1.0318, -0.2800],
            [-0.1565, 0.3926, 0.3288],
        ],
    )
    close(
        out[1, :, -3:],
        [
            [0.2659, 0.4454, -0.6806],
            [0.7705, 0.2710, 0.2246],
            [0.6936, 0.3205, -0.3178],
            [1.2630, -0.1858, 0.0388],
        ],
    )
    model.eval()


def test_model_hands_back_every_layers_attention():
    torch.manual_seed(0)
    model = GPTModel(TINY_CONFIG).eval()
    idx = torch.randint(0, 50257, (2, 7))
    logits, attention = model(idx, return_attention=True)
    assert len(attention) == TINY_CONFIG["n_layers"]
    assert attention[0].weights.shape == (2, TINY_CONFIG["n_heads"], 7, 7)
    assert_close(logits, model(idx), atol=1e-5, rtol=1e-5)
    # The attend demo's path skips the output head and gives the same weights.
    weights_only = model.attention(idx)
    assert len(weights_only) == TINY_CONFIG["n_layers"]
    for full, light in zip(attention, weights_only, strict=True):
        assert_close(light.weights, full.weights)
        assert_close(light.scores, full.scores)


def test_text_longer_than_the_context_is_refused():
    model = GPTModel(TINY_CONFIG)
    with pytest.raises(ValueError, match="context holds 16"):
        model(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError, match="keep only the last 16 tokens"):
        model.attention(torch.zeros(1, 17, dtype=torch.long))


@pytest.mark.parametrize(
    ("name", "total", "tied", "megabytes"),
    [
        ("gpt2-small (124M)", 163_009_536, 124_412_160, 621.83),
        ("gpt2-medium (355M)", 406_212_608, 354_749_440, 1549.58),
        ("gpt2-large (774M)", 838_220_800, 773_891_840, 3197.56),
        ("gpt2-xl (1558M)", 1_637_792_000, 1_557_380_800, 6247.68),
    ],
)
def test_sizes_of_every_gpt2_config_exercise_4_2(name, total, tied, megabytes):
    with torch.device("meta"):  # shapes only: no memory, no time
        model = GPTModel(GPT_CONFIGS[name])
    total_params = sum(p.numel() for p in model.parameters())
    assert total_params == total
    assert total_params - model.out_head.weight.numel() == tied
    assert round(total_params * 4 / (1024 * 1024), 2) == megabytes
