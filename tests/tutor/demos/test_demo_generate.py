"""generate: greedy and seeded sampling match the engine, the stream can stop, and the weights are named."""

import copy
import threading

import pytest

from tutor.demos import generate, model, open_generation, run_demo
from tutor.errors import TutorError


def engine_ids(model_, prompt, **kwargs):
    import torch

    from engine import generate as engine_generate
    from engine import get_tokenizer

    idx = torch.tensor([get_tokenizer().encode(prompt)])
    return engine_generate(model_, idx, context_size=32, **kwargs)[0].tolist()


def test_greedy_generation_is_the_engines_argmax_and_names_its_weights(nano_checkpoint):
    path, nano, _ = nano_checkpoint
    result = generate("Every effort moves you", max_new_tokens=6, weights=str(path))
    assert result.token_ids == engine_ids(nano, "Every effort moves you", max_new_tokens=6)
    assert result.greedy and result.trained and "nano.safetensors" in result.weights
    assert result.text == result.prompt + result.generated_text
    from tutor.demos.threads import usable_cores

    assert 1 <= result.threads <= len(usable_cores())  # chosen for the idle cores
    for step in result.steps:
        probabilities = [c.probability for c in step.candidates]
        assert probabilities == sorted(probabilities, reverse=True) and len(probabilities) == 5
        assert step.token_id == step.candidates[0].token_id  # greedy: always the most likely
        assert step.probability == pytest.approx(probabilities[0])


def test_seeded_sampling_repeats_and_draws_what_the_books_manual_seed_draws(nano_checkpoint):
    import torch

    path, nano, _ = nano_checkpoint
    settings = dict(max_new_tokens=8, temperature=1.4, top_k=50, weights=str(path))
    first = generate("Every effort moves you", seed=123, **settings)
    again = generate("Every effort moves you", seed=123, **settings)
    other = generate("Every effort moves you", seed=7, **settings)
    assert first.token_ids == again.token_ids != other.token_ids
    torch.manual_seed(123)
    assert first.token_ids == engine_ids(
        nano, "Every effort moves you", max_new_tokens=8, temperature=1.4, top_k=50
    )
    top_1 = generate("Every effort moves you", max_new_tokens=8, temperature=2.0, top_k=1, weights=str(path))
    assert (
        top_1.token_ids == generate("Every effort moves you", max_new_tokens=8, weights=str(path)).token_ids
    )
    # top-p keeps the most likely tokens up to p, and always the first: a tiny p leaves only the argmax.
    nucleus = generate(
        "Every effort moves you", max_new_tokens=8, temperature=1.0, top_p=1e-9, weights=str(path)
    )
    assert nucleus.token_ids == top_1.token_ids
    assert all(step.candidates[1].probability == 0 for step in nucleus.steps)


def test_the_stream_shows_the_weights_first_and_can_be_cancelled(nano_checkpoint):
    path, _, _ = nano_checkpoint
    generation = open_generation(prompt="Attention is", max_new_tokens=10, weights=str(path))
    assert "nano.safetensors" in generation.weights and generation.prompt_ids == [8086, 1463, 318]
    steps = []
    for step in generation:
        steps.append(step)
        if len(steps) == 3:
            break
    assert [s.index for s in steps] == [0, 1, 2] and len(generation.result().steps) == 3
    assert generation.result().cancelled  # stopped before max_new_tokens

    cancel, seen = threading.Event(), []

    def progress(step):
        seen.append(step)
        if len(seen) == 4:
            cancel.set()

    result = run_demo(
        "generate",
        prompt="Attention is",
        max_new_tokens=10,
        weights=str(path),
        progress=progress,
        cancel=cancel,
    )
    assert result.cancelled and len(result.steps) == 4 == len(seen)
    with pytest.raises(TutorError, match="argument 'top_p' must be greater than 0"):
        open_generation(top_p=0.0)


def test_a_prompt_longer_than_the_context_is_cut_and_the_result_says_so(nano_checkpoint):
    path, _, _ = nano_checkpoint
    result = generate("one two three " * 20, max_new_tokens=2, weights=str(path))
    assert len(result.steps) == 2
    assert "each step sees only the last 32 tokens" in result.notes[0]


def test_unusable_weights_give_one_sentence_naming_them(tmp_path, tutor_home, nano_checkpoint):
    junk = tmp_path / "model.safetensors"
    junk.write_bytes(b"\x00" * 64)
    whole = nano_checkpoint[0].read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(whole[: len(whole) // 2])
    for weights, message in [
        (str(junk), f"{junk} is not a safetensors file"),
        (str(cut), f"{cut} is truncated"),
        ("gpt2-medium", "GPT-2 weights 'gpt2-medium' are not downloaded yet: run `tutor weights download"),
        ("last", "There is no pretrain checkpoint in"),
        ("nowhere", "No weights at 'nowhere': give a GPT-2 folder"),
    ]:
        with pytest.raises(TutorError) as caught:
            generate("Hello", weights=weights)
        assert message in str(caught.value) and "\n" not in str(caught.value)


def test_gpt2_weights_from_a_hugging_face_folder_and_the_config_default(tmp_path, tutor_home):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50257, n_positions=64, n_embd=32, n_layer=2, n_head=2)
    hf_model = GPT2LMHeadModel(config).eval()
    folder = tmp_path / "tiny-gpt2"
    hf_model.save_pretrained(folder, safe_serialization=True)
    (tutor_home / "config.toml").write_text(f'[demos]\nweights = "{folder}"\n', encoding="utf-8")

    result = generate("Hello, I am", max_new_tokens=5)  # no weights given: the config's
    assert result.weights.startswith(f"GPT-2 weights from {folder}") and "2 layers, 32 wide" in result.weights
    ids = torch.tensor([result.prompt_ids])
    expected = hf_model.generate(ids, max_new_tokens=5, do_sample=False, attention_mask=torch.ones_like(ids))
    assert result.token_ids == expected[0].tolist()
    assert not any("gibberish" in note for note in result.notes)


@pytest.mark.slow
def test_the_books_random_124m_model_writes_the_books_gibberish_and_attends_everywhere():
    from tutor.demos import attend

    result = generate(
        "Hello, I am", max_new_tokens=6, weights="random"
    )  # section 4.7, torch.manual_seed(123)
    assert result.token_ids == [15496, 11, 314, 716, 27018, 24086, 47843, 30961, 42348, 7267]
    assert result.text == "Hello, I am Featureiman Byeswickattribute argue"
    assert not result.trained and "random" in result.weights
    assert "gibberish until the model is trained" in result.notes[0]
    attention = attend(text="word" + " word" * 63, weights="random", layer=11, head=11)
    assert len(attention.tokens) == 64
    assert len(attention.all_weights) == 12 and all(len(layer) == 12 for layer in attention.all_weights)
    assert "attention patterns carry no meaning until the model is trained" in attention.notes[0]


def test_model_counts_the_books_parameters_and_memory():
    small = model()
    assert small.total_parameters == 163_009_536 and small.tied_parameters == 124_412_160
    assert round(small.memory_mb, 2) == 621.83
    parts = {part.name: part for part in small.components}
    assert parts["trf_blocks.*.att"].per_copy == 2_360_064 and parts["trf_blocks.*.att"].copies == 12
    assert parts["trf_blocks.*.ff"].per_copy == 4_722_432
    assert parts["out_head"].parameters == parts["tok_emb"].parameters == 38_597_376
    sizes = {name: model(name) for name in ("355M", "gpt2-large", "gpt2-xl (1558M)")}
    assert [r.total_parameters for r in sizes.values()] == [406_212_608, 838_220_800, 1_637_792_000]
    assert [round(r.memory_mb, 2) for r in sizes.values()] == [1549.58, 3197.56, 6247.68]
    assert sizes["gpt2-xl (1558M)"].config_name == "gpt2-xl (1558M)"


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_reduced_precision_writes_with_rounded_weights_and_says_so(nano_checkpoint, precision):
    import torch

    from engine import get_tokenizer
    from engine.precision import use_precision

    path, nano, _ = nano_checkpoint
    result = generate("Every effort moves you", max_new_tokens=6, weights=str(path), precision=precision)
    assert result.precision == precision and result.weights.endswith(f", {precision} weights")
    # The same greedy steps as the engine's own reduced model: the demo only chose the precision.
    reduced = use_precision(copy.deepcopy(nano), precision)
    assert result.token_ids == engine_ids(reduced, "Every effort moves you", max_new_tokens=6)
    fp32 = generate("Every effort moves you", max_new_tokens=6, weights=str(path))
    assert fp32.precision == "fp32" and "weights," not in fp32.weights
    # The first step's probabilities are those of fp32, a little off.
    ids = torch.tensor([get_tokenizer().encode("Every effort moves you")])
    with torch.no_grad():
        exact = nano(ids)[0, -1].softmax(-1)
    for candidate in result.steps[0].candidates:
        assert candidate.probability == pytest.approx(exact[candidate.token_id].item(), abs=0.01)


def test_precision_comes_from_the_config_and_a_bad_one_is_named(nano_checkpoint):
    from tutor import paths
    from tutor.config import load_config

    path, _, _ = nano_checkpoint
    paths.config_path().parent.mkdir(parents=True, exist_ok=True)
    paths.config_path().write_text('[demos]\nprecision = "int8"\n', encoding="utf-8")
    assert generate("Hi", max_new_tokens=2, weights=str(path)).precision == "int8"
    assert generate("Hi", max_new_tokens=2, weights=str(path), precision="fp32").precision == "fp32"
    paths.config_path().write_text('[demos]\nprecision = "fp16"\n', encoding="utf-8")
    # A wrong setting is reported with its line and the default is used: one typo stops nothing.
    [problem] = load_config().problems
    assert problem.endswith(
        'line 2: setting \'demos.precision\' must be one of "fp32", "bf16", "int8"; '
        "the default is used until you fix it."
    )
    assert generate("Hi", max_new_tokens=2, weights=str(path)).precision == "fp32"
    with pytest.raises(TutorError, match="argument 'precision' is 'fp16'; choose one of: fp32, bf16, int8"):
        generate("Hi", max_new_tokens=2, weights=str(path), precision="fp16")


def test_the_configs_precisions_are_the_engines():
    from engine.precision import PRECISIONS as ENGINE_PRECISIONS
    from tutor.config import PRECISIONS

    assert PRECISIONS == tuple(ENGINE_PRECISIONS)
