"""engine.fast: a built GPTModel converted to the fast path computes what the book's classes compute."""

import copy

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from engine import GPTModel, generate, generate_text_simple, get_tokenizer, make_fast, text_to_token_ids
from engine.attention import MultiHeadAttention
from engine.fast import FastGELU, FastLayerNorm, FastMultiHeadAttention
from engine.linear import Linear
from engine.model import GELU, LayerNorm
from tests.engine.conftest import TINY_CONFIG


def _tiny_pair(qkv_bias=True, layout=True):
    """The same tiny model twice: as the book builds it, and converted by ``make_fast``."""
    torch.manual_seed(0)
    plain = GPTModel({**TINY_CONFIG, "qkv_bias": qkv_bias}).eval()
    fast = copy.deepcopy(plain)
    assert make_fast(fast, layout=layout) is fast
    return plain, fast


def assert_same_logits(fast, plain, idx, cached: int) -> None:
    """The fast model's logits are the plain one's for ``idx``: at once, and for the tokens after the
    first ``cached`` ones fed through a KV cache."""
    with torch.inference_mode():
        expected = plain(idx)
        assert_close(fast(idx), expected, atol=1e-5, rtol=0)
        cache = fast.new_kv_cache()
        fast(idx[:, :cached], kv_cache=cache)
        assert_close(fast(idx[:, cached:], kv_cache=cache), expected[:, cached:], atol=1e-5, rtol=0)


def test_the_book_model_has_no_fast_parts_and_make_fast_converts_every_one():
    plain, fast = _tiny_pair()
    plain_types = {type(m) for m in plain.modules()}
    assert {nn.Linear, LayerNorm, GELU, MultiHeadAttention} <= plain_types
    assert not plain_types & {Linear, FastLayerNorm, FastGELU, FastMultiHeadAttention}
    fast_types = {type(m) for m in fast.modules()}
    assert not fast_types & {nn.Linear, LayerNorm, GELU, MultiHeadAttention}
    assert {Linear, FastLayerNorm, FastGELU, FastMultiHeadAttention} <= fast_types
    assert len(list(fast.modules())) == len(list(plain.modules()))
    make_fast(fast)  # a second time changes nothing
    assert_close(fast(torch.tensor([[1, 2, 3]])), plain(torch.tensor([[1, 2, 3]])), atol=1e-6, rtol=0)


@pytest.mark.parametrize("qkv_bias", [False, True])
def test_fast_layout_keeps_names_values_and_logits(qkv_bias):
    plain, fast = _tiny_pair(qkv_bias)
    expected = plain.state_dict()
    assert list(fast.state_dict()) == list(expected)
    for name, tensor in fast.state_dict().items():
        assert torch.equal(tensor, expected[name]), name
    att = fast.trf_blocks[0].att
    assert att.W_query.weight.shape == (32, 32) and att.W_query.weight.stride() == (1, 96)  # input-major
    assert fast.trf_blocks[0].ff.layers[0].weight.stride(0) == 1
    # Queries, keys and values lie side by side, in one buffer with the block's other matrices.
    block = fast.trf_blocks[0]
    storage = att.W_query.weight.untyped_storage().data_ptr()
    for layer in (att.W_key, att.W_value, att.out_proj, block.ff.layers[0], block.ff.layers[2]):
        assert layer.weight.untyped_storage().data_ptr() == storage
    assert att.W_key.weight.data_ptr() == att.W_query.weight.data_ptr() + 32 * 4  # the next 32 columns
    assert fast.trf_blocks[1].att.W_query.weight.untyped_storage().data_ptr() != storage
    idx = torch.randint(0, 50257, (2, 9))
    assert_same_logits(fast, plain, idx, cached=5)
    assert_same_logits(fast, plain, idx[:, :8], cached=7)  # one token after a prompt: the generation case


def test_a_matrix_whose_input_major_rows_would_lie_4_kib_apart_keeps_its_own_order():
    """emb_dim 256: the feed forward's (1024, 256) weight input-major would put its rows 4 KiB apart (the
    same cache sets each), so it stays row by row; every other matrix is input-major. Same logits."""
    torch.manual_seed(0)
    plain = GPTModel({**TINY_CONFIG, "emb_dim": 256, "n_heads": 4}).eval()
    fast = make_fast(copy.deepcopy(plain))
    block = fast.trf_blocks[0]
    assert block.ff.layers[0].weight.shape == (1024, 256) and block.ff.layers[0].weight.is_contiguous()
    assert block.ff.layers[2].weight.stride() == (1, 256)  # (256, 1024): rows of 1 KiB, input-major
    assert block.att.W_query.weight.stride() == (1, 768) and block.att.out_proj.weight.stride(0) == 1
    storage = block.att.W_query.weight.untyped_storage().data_ptr()
    assert block.ff.layers[0].weight.untyped_storage().data_ptr() == storage  # still the block's one buffer
    assert_same_logits(fast, plain, torch.randint(0, 50257, (1, 6)), cached=5)


def test_packed_queries_keys_and_values_in_their_own_order_compute_the_same():
    """emb_dim 1024: 3 * 1024 outputs input-major would be rows of 12 KiB, so W_query | W_key | W_value are
    packed row after row, one (3072, 1024) matrix; the fp32 and bf16 products read it."""
    from engine import use_precision

    torch.manual_seed(0)
    plain = GPTModel({**TINY_CONFIG, "vocab_size": 64, "emb_dim": 1024, "n_layers": 1}).eval()
    fast = make_fast(copy.deepcopy(plain))
    att = fast.trf_blocks[0].att
    assert att.W_query.weight.is_contiguous() and att.W_key.weight.is_contiguous()
    assert att.W_key.weight.data_ptr() == att.W_query.weight.data_ptr() + 1024 * 1024 * 4  # the next rows
    assert att._qkv is not None and att._qkv[0].shape == (3072, 1024)
    idx = torch.randint(0, 64, (1, 5))
    with torch.inference_mode():
        expected = plain(idx)
        assert_close(fast(idx), expected, atol=1e-4, rtol=0)
        reduced = use_precision(copy.deepcopy(fast), "bf16")(idx)
        assert (reduced.argmax(-1) == expected.argmax(-1)).float().mean() >= 0.8
        assert_close(reduced, expected, atol=0.1, rtol=0.05)


def test_without_layout_the_weights_stay_where_they_are():
    plain, fast = _tiny_pair(layout=False)
    for (name, mine), (_, theirs) in zip(fast.named_parameters(), plain.named_parameters(), strict=True):
        assert mine.stride() == theirs.stride() and torch.equal(mine, theirs), name
    idx = torch.randint(0, 50257, (2, 9))
    with torch.no_grad():
        assert_close(fast(idx), plain(idx), atol=1e-5, rtol=0)


def test_fast_layout_follows_training_and_replaced_weights():
    """Training updates the packed views in place; a weight replaced by a new tensor is used from then on."""
    plain, fast = _tiny_pair()
    optimizer = torch.optim.AdamW(fast.parameters(), lr=1e-2)
    idx = torch.randint(0, 50257, (2, 8))
    fast.train()
    loss = torch.nn.functional.cross_entropy(fast(idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten())
    loss.backward()
    optimizer.step()
    fast.eval()
    trained = GPTModel(TINY_CONFIG | {"qkv_bias": True}).eval()
    trained.load_state_dict(fast.state_dict())  # a book-model copy of the trained weights
    with torch.no_grad():
        assert not torch.equal(trained(idx), plain(idx))
        assert_close(fast(idx), trained(idx), atol=1e-5, rtol=0)
        for model in (fast, trained):
            model.trf_blocks[1].att.W_key.weight = nn.Parameter(torch.zeros(32, 32))
        assert_close(fast(idx), trained(idx), atol=1e-5, rtol=0)


def test_gradients_match_the_book_models():
    plain, fast = _tiny_pair(layout=False)
    idx = torch.randint(0, 50257, (2, 8))
    for model in (plain, fast):
        model.train()  # TINY_CONFIG has no dropout: the fused attention kernel runs with gradients
        loss = torch.nn.functional.cross_entropy(model(idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten())
        loss.backward()
    for (name, mine), (_, theirs) in zip(fast.named_parameters(), plain.named_parameters(), strict=True):
        assert_close(mine.grad, theirs.grad, atol=1e-5, rtol=1e-4, msg=name)


def test_fused_attention_equals_the_books_explicit_one():
    torch.manual_seed(0)
    mha = FastMultiHeadAttention(16, 16, context_length=12, dropout=0.1, num_heads=4, qkv_bias=True).eval()
    book = MultiHeadAttention(16, 16, context_length=12, dropout=0.1, num_heads=4, qkv_bias=True).eval()
    book.load_state_dict(mha.state_dict())
    x = torch.randn(3, 12, 16)
    fused = mha(x)
    assert_close(fused, book(x), atol=1e-6, rtol=1e-5)
    explicit, weights = mha(x, return_attention=True)  # the weights come from the book's path
    assert_close(fused, explicit, atol=1e-6, rtol=1e-5)
    assert weights.weights.shape == (3, 4, 12, 12)


def test_last_only_gives_the_last_positions_logits():
    _, fast = _tiny_pair()
    idx = torch.randint(0, 50257, (2, 6))
    with torch.inference_mode():
        last = fast(idx, last_only=True)
        assert last.shape == (2, 1, 50257)
        assert_close(last, fast(idx)[:, -1:], atol=1e-6, rtol=0)


@pytest.mark.slow  # copies the 124M model
def test_the_fast_124m_writes_the_books_text_section_4_7(book_gpt_124m):
    model = make_fast(copy.deepcopy(book_gpt_124m.model)).eval()
    encoded = text_to_token_ids("Hello, I am", get_tokenizer())
    expected = [[15496, 11, 314, 716, 27018, 24086, 47843, 30961, 42348, 7267]]
    assert generate_text_simple(model, encoded, max_new_tokens=6, context_size=1024).tolist() == expected
    assert generate(model, encoded, max_new_tokens=6, context_size=1024).tolist() == expected
