import pytest
import torch
from torch.testing import assert_close

from engine import (
    GPTModel,
    filter_logits,
    generate,
    generate_stream,
    generate_text_simple,
    get_tokenizer,
    next_token,
    text_to_token_ids,
    token_ids_to_text,
)
from tests.engine.conftest import TINY_CONFIG

# Section 5.3's toy vocabulary and next-token logits.
VOCAB = ["closer", "every", "effort", "forward", "inches", "moves", "pizza", "toward", "you"]
NEXT_TOKEN_LOGITS = torch.tensor([[4.51, 0.89, -1.90, 6.75, 1.63, -1.62, -1.89, 6.28, 1.79]])


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(7)
    return GPTModel(TINY_CONFIG).eval()


def test_generate_text_simple_section_4_7(book_gpt_124m):
    tokenizer = get_tokenizer()
    model = book_gpt_124m.model.eval()
    encoded = text_to_token_ids("Hello, I am", tokenizer)
    assert encoded.tolist() == [[15496, 11, 314, 716]]
    out = generate_text_simple(model, encoded, max_new_tokens=6, context_size=1024)
    assert out.tolist() == [[15496, 11, 314, 716, 27018, 24086, 47843, 30961, 42348, 7267]]
    assert token_ids_to_text(out, tokenizer) == "Hello, I am Featureiman Byeswickattribute argue"
    # The cached generator picks the same tokens.
    assert torch.equal(generate(model, encoded, max_new_tokens=6, context_size=1024), out)


def test_untrained_model_text_section_5_1(book_gpt_124m_256):
    tokenizer = get_tokenizer()
    model = book_gpt_124m_256.model.eval()
    idx = text_to_token_ids("Every effort moves you", tokenizer)
    out = generate_text_simple(model, idx, max_new_tokens=10, context_size=256)
    assert (
        token_ids_to_text(out, tokenizer)
        == "Every effort moves you rentingetic wasnم refres RexMeCHicular stren"
    )
    assert not out.is_inference()  # usable afterwards, e.g. as training data


def test_temperature_sampling_section_5_3_1():
    """1,000 seeded draws at temperature 1 land where the book's do."""
    probas = filter_logits(NEXT_TOKEN_LOGITS, temperature=1.0)
    torch.manual_seed(123)
    counts = torch.bincount(
        torch.cat([next_token(probas, temperature=1.0) for _ in range(1000)]).flatten(), minlength=9
    )
    assert dict(zip(VOCAB, counts.tolist(), strict=True)) == {
        "closer": 73,
        "every": 0,
        "effort": 0,
        "forward": 582,
        "inches": 2,
        "moves": 0,
        "pizza": 0,
        "toward": 343,
        "you": 0,
    }
    assert VOCAB[next_token(probas).item()] == "forward"  # greedy


def test_top_k_section_5_3_2():
    probas = filter_logits(NEXT_TOKEN_LOGITS, top_k=3)
    assert_close(
        probas[0], torch.tensor([0.0615, 0.0, 0.0, 0.5775, 0.0, 0.0, 0.0, 0.3610, 0.0]), atol=1e-4, rtol=0
    )


def test_top_p_keeps_the_smallest_likely_set():
    probas = filter_logits(NEXT_TOKEN_LOGITS, temperature=1.0)  # forward .57, toward .36, closer .06, ...
    kept = (filter_logits(NEXT_TOKEN_LOGITS, temperature=1.0, top_p=0.9)[0] > 0).nonzero().flatten()
    assert [VOCAB[i] for i in kept] == ["forward", "toward"]  # 0.57 + 0.36 already reach 0.9
    nucleus = filter_logits(NEXT_TOKEN_LOGITS, temperature=1.0, top_p=0.95)
    kept = (nucleus[0] > 0).nonzero().flatten().tolist()
    assert [VOCAB[i] for i in kept] == ["closer", "forward", "toward"]
    assert_close(nucleus.sum(), torch.tensor(1.0))
    assert_close(nucleus[0, 3] / nucleus[0, 7], probas[0, 3] / probas[0, 7])
    only_best = filter_logits(NEXT_TOKEN_LOGITS, temperature=1.0, top_p=0.5)
    assert (only_best[0] > 0).nonzero().flatten().tolist() == [3]
    assert torch.equal(filter_logits(NEXT_TOKEN_LOGITS, temperature=1.0, top_p=1.0), probas)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": -0.5}, "temperature must be 0"),
        ({"top_k": 0}, "top_k must be a whole number of at least 1"),
        ({"top_p": 0.0}, "top_p must be above 0 and at most 1"),
        ({"top_p": 1.5}, "top_p must be above 0 and at most 1"),
    ],
)
def test_bad_settings_raise_one_clear_sentence(tiny_model, kwargs, message):
    idx = torch.tensor([[1, 2, 3]])
    with pytest.raises(ValueError, match=message):
        generate(tiny_model, idx, 3, 16, **kwargs)
    with pytest.raises(ValueError, match=message):
        next(generate_stream(tiny_model, idx, 3, 16, **kwargs))


def test_an_empty_prompt_is_refused(tiny_model):
    empty = torch.zeros(1, 0, dtype=torch.long)
    with pytest.raises(ValueError, match="The prompt has no tokens"):
        generate(tiny_model, empty, 3, 16)
    with pytest.raises(ValueError, match="The prompt has no tokens"):
        next(generate_stream(tiny_model, empty, 3, 16))


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"temperature": 1.0},
        {"temperature": 1.4, "top_k": 25},
        {"temperature": 0.8, "top_p": 0.9},
    ],
)
def test_cached_and_uncached_give_identical_tokens(tiny_model, settings):
    """30 new tokens on a 16-token context: the cache fills, then slides with the text."""
    idx = torch.tensor([[464, 3290, 318, 257, 922]])
    runs = []
    for use_cache in (True, False):
        torch.manual_seed(5)
        runs.append(generate(tiny_model, idx, 30, context_size=16, use_cache=use_cache, **settings))
    assert runs[0].shape == (1, 35)
    assert torch.equal(runs[0], runs[1])
    if not settings:
        assert torch.equal(runs[0], generate_text_simple(tiny_model, idx, 30, context_size=16))


def test_cached_generation_in_a_batch(tiny_model):
    idx = torch.tensor([[464, 3290, 318], [40, 1107, 588]])
    assert torch.equal(generate(tiny_model, idx, 8, 16), generate(tiny_model, idx, 8, 16, use_cache=False))


def test_stream_yields_the_tokens_generate_picks(tiny_model):
    idx = torch.tensor([[464, 3290, 318]])
    generator = torch.Generator().manual_seed(3)
    steps = list(
        generate_stream(tiny_model, idx, 12, 16, temperature=1.0, top_k=50, top_n=4, generator=generator)
    )
    expected = generate(
        tiny_model, idx, 12, 16, temperature=1.0, top_k=50, generator=torch.Generator().manual_seed(3)
    )
    assert [s.token_id for s in steps] == expected[0, 3:].tolist()
    tokenizer = get_tokenizer()
    assert steps[-1].generated_text == tokenizer.decode(expected[0, 3:].tolist())
    for index, step in enumerate(steps):
        assert step.index == index and not step.end_of_text
        assert step.text == tokenizer.decode([step.token_id])
        assert len(step.candidates) == 4
        probabilities = [c.probability for c in step.candidates]
        assert probabilities == sorted(probabilities, reverse=True)
        assert 0 < step.probability <= probabilities[0]
        assert all(c.text == tokenizer.decode([c.token_id]) for c in step.candidates)


def test_greedy_stream_picks_the_top_candidate(tiny_model):
    steps = list(generate_stream(tiny_model, torch.tensor([464, 3290]), 5, 16))
    for step in steps:
        assert step.token_id == step.candidates[0].token_id
        assert step.probability == step.candidates[0].probability


def test_end_of_text_stops_generation(tiny_model):
    idx = torch.tensor([[464, 3290, 318]])
    first = generate(tiny_model, idx, 1, 16)[0, -1].item()
    assert torch.equal(generate(tiny_model, idx, 10, 16, eos_id=first), idx)
    steps = list(generate_stream(tiny_model, idx, 10, 16, eos_id=first))
    assert len(steps) == 1 and steps[0].end_of_text and steps[0].token_id == first
    assert steps[0].generated_text == ""  # the end-of-text token is not part of the text


class ScriptedModel(torch.nn.Module):
    """Always predicts the next id of a fixed script: lets a test choose what generation produces."""

    def __init__(self, script):
        super().__init__()
        self.script = script
        self.pos_emb = torch.nn.Embedding(64, 1)
        self.calls = 0

    def new_kv_cache(self, max_length=None):
        from engine import KVCache

        return KVCache(1, max_length or 64)

    def forward(self, in_idx, kv_cache=None, last_only=False):
        logits = torch.full((in_idx.shape[0], 1 if last_only else in_idx.shape[1], 50257), -10.0)
        logits[:, -1, self.script[self.calls]] = 10.0
        self.calls += 1
        if kv_cache is not None:
            kv_cache.layers[0].length += in_idx.shape[1]
        return logits


def test_stream_text_keeps_characters_split_over_tokens_whole():
    tokenizer = get_tokenizer()
    script = tokenizer.encode(" 🎯 done")
    assert len(script) > 3  # the emoji alone takes more than one token
    steps = list(generate_stream(ScriptedModel(script), torch.tensor([[40]]), len(script), 64))
    assert [s.token_id for s in steps] == script
    assert steps[-1].generated_text == " 🎯 done"
    assert "\ufffd" in "".join(s.text for s in steps)  # the pieces alone cannot show the emoji
