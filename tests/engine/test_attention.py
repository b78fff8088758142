import pytest
import torch
from torch.testing import assert_close

from engine import (
    CausalAttention,
    KVCache,
    MultiHeadAttention,
    MultiHeadAttentionWrapper,
    SelfAttention_v1,
    SelfAttention_v2,
    simplified_self_attention,
)

# Chapter 3's "Your journey starts with one step", one 3-d embedding a word.
INPUTS = torch.tensor(
    [
        [0.43, 0.15, 0.89],  # Your
        [0.55, 0.87, 0.66],  # journey
        [0.57, 0.85, 0.64],  # starts
        [0.22, 0.58, 0.33],  # with
        [0.77, 0.25, 0.10],  # one
        [0.05, 0.80, 0.55],  # step
    ]
)
BATCH = torch.stack((INPUTS, INPUTS))  # (2, 6, 3)


def close(actual, expected):
    assert_close(actual, torch.tensor(expected), atol=1e-4, rtol=0)


def test_simplified_attention_section_3_3():
    context, attention = simplified_self_attention(INPUTS, return_attention=True)
    close(attention.scores[1], [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865])
    close(attention.weights[1], [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581])
    close(context[1], [0.4419, 0.6515, 0.5683])
    close(
        attention.scores,
        [
            [0.9995, 0.9544, 0.9422, 0.4753, 0.4576, 0.6310],
            [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865],
            [0.9422, 1.4754, 1.4570, 0.8296, 0.7154, 1.0605],
            [0.4753, 0.8434, 0.8296, 0.4937, 0.3474, 0.6565],
            [0.4576, 0.7070, 0.7154, 0.3474, 0.6654, 0.2935],
            [0.6310, 1.0865, 1.0605, 0.6565, 0.2935, 0.9450],
        ],
    )
    close(
        attention.weights,
        [
            [0.2098, 0.2006, 0.1981, 0.1242, 0.1220, 0.1452],
            [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581],
            [0.1390, 0.2369, 0.2326, 0.1242, 0.1108, 0.1565],
            [0.1435, 0.2074, 0.2046, 0.1462, 0.1263, 0.1720],
            [0.1526, 0.1958, 0.1975, 0.1367, 0.1879, 0.1295],
            [0.1385, 0.2184, 0.2128, 0.1420, 0.0988, 0.1896],
        ],
    )
    close(
        context,
        [
            [0.4421, 0.5931, 0.5790],
            [0.4419, 0.6515, 0.5683],
            [0.4431, 0.6496, 0.5671],
            [0.4304, 0.6298, 0.5510],
            [0.4671, 0.5910, 0.5266],
            [0.4177, 0.6503, 0.5645],
        ],
    )
    assert torch.equal(simplified_self_attention(INPUTS), context)


def test_trainable_weights_step_by_step_section_3_4_1():
    """The book's manual computation for query 2 equals SelfAttention_v1's second row (seed 123)."""
    torch.manual_seed(123)
    W_query, W_key, W_value = (torch.rand(3, 2) for _ in range(3))
    query_2 = INPUTS[1] @ W_query
    close(query_2, [0.4306, 1.4551])
    keys = INPUTS @ W_key
    attn_scores_2 = query_2 @ keys.T
    close(attn_scores_2[1], 1.8524)
    close(attn_scores_2, [1.2705, 1.8524, 1.8111, 1.0795, 0.5577, 1.5440])

    torch.manual_seed(123)
    context, attention = SelfAttention_v1(3, 2)(INPUTS, return_attention=True)
    close(attention.scores[1], [1.2705, 1.8524, 1.8111, 1.0795, 0.5577, 1.5440])
    close(attention.weights[1], [0.1500, 0.2264, 0.2199, 0.1311, 0.0906, 0.1820])
    close(
        context,
        [
            [0.2996, 0.8053],
            [0.3061, 0.8210],
            [0.3058, 0.8203],
            [0.2948, 0.7939],
            [0.2927, 0.7891],
            [0.2990, 0.8040],
        ],
    )


V2_WEIGHTS = [
    [0.1921, 0.1646, 0.1652, 0.1550, 0.1721, 0.1510],
    [0.2041, 0.1659, 0.1662, 0.1496, 0.1665, 0.1477],
    [0.2036, 0.1659, 0.1662, 0.1498, 0.1664, 0.1480],
    [0.1869, 0.1667, 0.1668, 0.1571, 0.1661, 0.1564],
    [0.1830, 0.1669, 0.1670, 0.1588, 0.1658, 0.1585],
    [0.1935, 0.1663, 0.1666, 0.1542, 0.1666, 0.1529],
]


def test_self_attention_v2_seed_789():
    torch.manual_seed(789)
    sa_v2 = SelfAttention_v2(3, 2)
    context, attention = sa_v2(INPUTS, return_attention=True)
    close(
        context,
        [
            [-0.0739, 0.0713],
            [-0.0748, 0.0703],
            [-0.0749, 0.0702],
            [-0.0760, 0.0685],
            [-0.0763, 0.0679],
            [-0.0754, 0.0693],
        ],
    )
    close(attention.weights, V2_WEIGHTS)
    assert torch.equal(sa_v2(INPUTS), context)


def test_causal_mask_section_3_5():
    """Seed 789 gives CausalAttention the same projections as sa_v2; masking renormalises each row."""
    torch.manual_seed(789)
    causal = CausalAttention(3, 2, context_length=6, dropout=0.0)
    _, attention = causal(BATCH, return_attention=True)
    close(attention.unmasked_weights[0], V2_WEIGHTS)
    close(
        attention.weights[0],
        [
            [1.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
            [0.5517, 0.4483, 0.0000, 0.0000, 0.0000, 0.0000],
            [0.3800, 0.3097, 0.3103, 0.0000, 0.0000, 0.0000],
            [0.2758, 0.2460, 0.2462, 0.2319, 0.0000, 0.0000],
            [0.2175, 0.1983, 0.1984, 0.1888, 0.1971, 0.0000],
            [0.1935, 0.1663, 0.1666, 0.1542, 0.1666, 0.1529],
        ],
    )
    above = torch.triu(torch.ones(6, 6, dtype=torch.bool), diagonal=1)
    assert torch.isinf(attention.masked_scores[0][above]).all()
    assert torch.equal(attention.masked_scores[0][~above], attention.scores[0][~above])


CAUSAL_HEAD_123 = [
    [-0.4519, 0.2216],
    [-0.5874, 0.0058],
    [-0.6300, -0.0632],
    [-0.5675, -0.0843],
    [-0.5526, -0.0981],
    [-0.5299, -0.1081],
]


def test_causal_attention_seed_123():
    torch.manual_seed(123)
    context = CausalAttention(3, 2, context_length=6, dropout=0.0)(BATCH)
    assert context.shape == (2, 6, 2)
    close(context[0], CAUSAL_HEAD_123)
    close(context[1], CAUSAL_HEAD_123)


def test_multi_head_wrapper_section_3_6_1():
    torch.manual_seed(123)
    wrapper = MultiHeadAttentionWrapper(3, 2, context_length=6, dropout=0.0, num_heads=2)
    context, attention = wrapper(BATCH, return_attention=True)
    assert context.shape == (2, 6, 4)
    close(
        context[0],
        [
            [-0.4519, 0.2216, 0.4772, 0.1063],
            [-0.5874, 0.0058, 0.5891, 0.3257],
            [-0.6300, -0.0632, 0.6202, 0.3860],
            [-0.5675, -0.0843, 0.5478, 0.3589],
            [-0.5526, -0.0981, 0.5321, 0.3428],
            [-0.5299, -0.1081, 0.5077, 0.3493],
        ],
    )
    assert attention.weights.shape == (2, 2, 6, 6)  # (b, num_heads, num_tokens, num_tokens)
    assert torch.equal(wrapper(BATCH), context)


MHA_123 = [
    [0.3190, 0.4858],
    [0.2943, 0.3897],
    [0.2856, 0.3593],
    [0.2693, 0.3873],
    [0.2639, 0.3928],
    [0.2575, 0.4028],
]


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_multi_head_attention_section_3_6_2(mode):
    """The book's numbers in train mode (explicit path) and in eval mode (fused kernel)."""
    torch.manual_seed(123)
    mha = MultiHeadAttention(3, 2, context_length=6, dropout=0.0, num_heads=2)
    mha.train(mode == "train")
    context = mha(BATCH)
    assert context.shape == (2, 6, 2)
    close(context[0], MHA_123)
    close(context[1], MHA_123)
    with_weights, attention = mha(BATCH, return_attention=True)
    assert_close(with_weights, context, atol=1e-6, rtol=0)
    assert attention.weights.shape == (2, 2, 6, 6)
    assert_close(attention.weights.sum(-1), torch.ones(2, 2, 6))
    assert (attention.weights.triu(diagonal=1) == 0).all()


def test_dropout_changes_only_what_multiplies_the_values():
    torch.manual_seed(123)
    mha = MultiHeadAttention(3, 2, context_length=6, dropout=0.5, num_heads=2)
    _, attention = mha(BATCH, return_attention=True)
    kept = attention.dropped_weights != 0
    assert_close(attention.dropped_weights[kept], attention.weights[kept] * 2)
    assert not kept.all()


def test_kv_cache_gives_the_full_run_outputs():
    """Feeding tokens in pieces through a cache equals one causal pass over all of them."""
    torch.manual_seed(1)
    mha = MultiHeadAttention(16, 16, context_length=10, dropout=0.0, num_heads=4).eval()
    x = torch.randn(2, 9, 16)
    full, full_attention = mha(x, return_attention=True)
    cache = KVCache(n_layers=1, max_length=10)
    pieces = [mha(x[:, :4], kv_cache=cache.layers[0])]  # a prompt of 4
    pieces.append(mha(x[:, 4:6], kv_cache=cache.layers[0]))  # two more at once (masked)
    for position in range(6, 9):  # then one at a time
        pieces.append(mha(x[:, position : position + 1], kv_cache=cache.layers[0]))
    assert cache.length == 9
    assert_close(torch.cat(pieces, dim=1), full, atol=1e-6, rtol=1e-5)

    cache.reset()
    mha(x[:, :8], kv_cache=cache.layers[0])
    _, last = mha(x[:, 8:], kv_cache=cache.layers[0], return_attention=True)
    assert last.weights.shape == (2, 4, 1, 9)  # one new query against all nine keys
    assert_close(last.weights[:, :, 0], full_attention.weights[:, :, 8], atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError, match="KV cache holds 10 tokens"):
        mha(x[:, :2], kv_cache=cache.layers[0])


def test_dropout_on_the_masked_weights_section_3_5_2():
    torch.manual_seed(789)
    causal = CausalAttention(3, 2, context_length=6, dropout=0.5)  # sa_v2's projections, dropout 50%
    torch.manual_seed(123)
    _, attention = causal(INPUTS.unsqueeze(0), return_attention=True)
    close(
        attention.dropped_weights[0],
        [
            [2.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
            [0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
            [0.7599, 0.6194, 0.6206, 0.0000, 0.0000, 0.0000],
            [0.0000, 0.4921, 0.4925, 0.0000, 0.0000, 0.0000],
            [0.0000, 0.3966, 0.0000, 0.3775, 0.0000, 0.0000],
            [0.0000, 0.3327, 0.3331, 0.3084, 0.3331, 0.0000],
        ],
    )
