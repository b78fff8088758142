"""GPT-2 weights into GPTModel (chapter 5.5), checked against transformers, and our own checkpoints."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from safetensors.torch import save_file

from engine import checkpoints as checkpoints_module
from engine.checkpoints import is_checkpoint, load_checkpoint, save_checkpoint
from engine.fast import make_fast
from engine.model import GPTModel
from engine.weights import WeightsError, gpt_model_from_gpt2_tensors, load_gpt2_weights

transformers = pytest.importorskip("transformers")

PROMPT = "Every effort moves you"
PROMPT_IDS = [6109, 3626, 6100, 345]  # the book's chapter-5 prompt in GPT-2's encoding


def tiny_gpt2(**overrides):
    """A small random GPT-2 made by transformers itself: 2 layers, 2 heads, width 64, GPT-2's vocabulary."""
    torch.manual_seed(123)
    settings = dict(n_layer=2, n_head=2, n_embd=64, vocab_size=50257, n_positions=128)
    settings.update(overrides)
    config = transformers.GPT2Config(**settings, bos_token_id=0, eos_token_id=0, pad_token_id=0)
    return transformers.GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module")
def hf_model():
    return tiny_gpt2()


@pytest.fixture(scope="module")
def hf_folder(hf_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gpt2-tiny")
    hf_model.save_pretrained(folder)
    return folder


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and "Traceback" not in message


# --- parity with transformers ---------------------------------------------------------------------------


def test_logits_match_transformers(hf_model, hf_folder):
    model, config = load_gpt2_weights(hf_folder)
    assert config == {
        "vocab_size": 50257,
        "context_length": 128,
        "emb_dim": 64,
        "n_heads": 2,
        "n_layers": 2,
        "drop_rate": 0.0,
        "qkv_bias": True,
    }
    assert not model.training
    assert model.out_head.weight is model.tok_emb.weight  # GPT-2's head is tied to wte
    torch.manual_seed(0)
    batch = torch.randint(0, 50257, (2, 40))
    with torch.no_grad():
        ours = model(batch)
        theirs = hf_model(batch).logits
    assert ours.shape == (2, 40, 50257)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)


def book_model(model, config):
    """The loaded weights in the book's classes, without engine.fast's conversion."""
    book = GPTModel(config).eval()
    book.load_state_dict(model.state_dict())
    book.out_head.weight = book.tok_emb.weight
    assert type(book.trf_blocks[0].att) is not type(model.trf_blocks[0].att)
    return book


def test_the_book_classes_match_transformers_too(hf_model, hf_folder):
    model, config = load_gpt2_weights(hf_folder)
    book = book_model(model, config)
    torch.manual_seed(0)
    batch = torch.randint(0, 50257, (2, 40))
    with torch.no_grad():
        torch.testing.assert_close(book(batch), hf_model(batch).logits, atol=1e-5, rtol=0)


@pytest.mark.parametrize("classes", ["fast", "book"])
def test_greedy_generation_gives_transformers_ids(hf_model, hf_folder, classes):
    from engine.generation import generate, generate_text_simple

    model, config = load_gpt2_weights(hf_folder)
    if classes == "book":
        model = book_model(model, config)
    prompt = torch.tensor([PROMPT_IDS])
    with torch.no_grad():
        theirs = hf_model.generate(
            prompt, max_new_tokens=24, do_sample=False, attention_mask=torch.ones_like(prompt)
        )
    simple = generate_text_simple(model, prompt, 24, config["context_length"])
    cached = generate(model, prompt, 24, config["context_length"], temperature=0.0)
    assert simple.tolist() == theirs.tolist()
    assert cached.tolist() == theirs.tolist()


def test_loaded_gpt2_can_be_trained_further(hf_folder):
    """The loader keeps GPT-2's (d_in, d_out) memory layout; training on it must still work."""
    model, _ = load_gpt2_weights(hf_folder)
    assert model.trf_blocks[0].ff.layers[0].weight.shape == (256, 64)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    inputs = torch.tensor([PROMPT_IDS[:-1]])
    targets = torch.tensor([PROMPT_IDS[1:]])
    model.train()
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(inputs).flatten(0, 1), targets.flatten())
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.5
    assert model.out_head.weight is model.tok_emb.weight


def test_state_dict_of_transformers_model_maps_directly(hf_model):
    model, config = gpt_model_from_gpt2_tensors(hf_model.state_dict(), n_heads=2)
    assert (config["n_layers"], config["n_heads"], config["context_length"]) == (2, 2, 128)
    batch = torch.tensor([PROMPT_IDS])
    with torch.no_grad():
        torch.testing.assert_close(model(batch), hf_model(batch).logits, atol=1e-5, rtol=0)


def test_bare_safetensors_with_hub_names_infers_the_config(tmp_path):
    """The Hub's own gpt2 file has no ``transformer.`` prefix, carries old mask buffers and no config.json."""
    hf = tiny_gpt2(n_layer=1, n_head=12, n_embd=768, vocab_size=300, n_positions=64)
    tensors = {
        name.removeprefix("transformer."): tensor.contiguous()
        for name, tensor in hf.state_dict().items()
        if name != "lm_head.weight"
    }
    tensors["h.0.attn.bias"] = torch.tril(torch.ones(1, 1, 64, 64))
    file = tmp_path / "model.safetensors"
    save_file(tensors, file)
    model, config = load_gpt2_weights(file)
    assert (config["n_layers"], config["emb_dim"], config["n_heads"]) == (1, 768, 12)
    assert (config["vocab_size"], config["context_length"]) == (300, 64)
    batch = torch.tensor([[1, 2, 3, 299, 5]])
    with torch.no_grad():
        torch.testing.assert_close(model(batch), hf(batch).logits, atol=1e-5, rtol=0)


@pytest.mark.parametrize("zip_format", [True, False])
def test_pytorch_model_bin_folder(hf_model, tmp_path, zip_format):
    torch.save(
        hf_model.state_dict(), tmp_path / "pytorch_model.bin", _use_new_zipfile_serialization=zip_format
    )
    (tmp_path / "config.json").write_text(hf_model.config.to_json_string())
    model, config = load_gpt2_weights(tmp_path)
    assert config["n_heads"] == 2
    batch = torch.tensor([PROMPT_IDS])
    with torch.no_grad():
        torch.testing.assert_close(model(batch), hf_model(batch).logits, atol=1e-5, rtol=0)


def test_sharded_folder(hf_model, tmp_path):
    hf_model.save_pretrained(tmp_path, max_shard_size="4MB")
    assert (tmp_path / "model.safetensors.index.json").is_file()
    model, _ = load_gpt2_weights(tmp_path)
    batch = torch.tensor([PROMPT_IDS])
    with torch.no_grad():
        torch.testing.assert_close(model(batch), hf_model(batch).logits, atol=1e-5, rtol=0)


# --- files we cannot use ---------------------------------------------------------------------------------


def error_for(path) -> str:
    with pytest.raises(WeightsError) as caught:
        load_gpt2_weights(path)
    message = str(caught.value)
    assert one_sentence(message), message
    assert isinstance(caught.value, ValueError)
    return message


def test_garbage_file(tmp_path):
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"<html>404 Not Found</html>" * 20)
    assert error_for(file) == f"{file} is not a safetensors file (its header cannot be read)."
    file.write_bytes(b"")
    assert "is not a safetensors file" in error_for(file)


def test_truncated_file(hf_folder, tmp_path):
    data = (hf_folder / "model.safetensors").read_bytes()
    file = tmp_path / "model.safetensors"
    for cut in (len(data) // 2, 100):  # inside the tensors, inside the header
        file.write_bytes(data[:cut])
        message = error_for(file)
        assert message.startswith(f"{file} is truncated"), message


def test_missing_tensor(hf_model, tmp_path):
    tensors = {k: v.contiguous() for k, v in hf_model.state_dict().items() if k != "lm_head.weight"}
    del tensors["transformer.h.1.mlp.c_fc.bias"]
    save_file(tensors, tmp_path / "model.safetensors")
    (tmp_path / "config.json").write_text(hf_model.config.to_json_string())
    assert error_for(tmp_path) == f"{tmp_path / 'model.safetensors'} is missing tensor h.1.mlp.c_fc.bias."


def test_shape_mismatch(hf_model, tmp_path):
    tensors = {k: v.contiguous() for k, v in hf_model.state_dict().items() if k != "lm_head.weight"}
    tensors["transformer.h.0.mlp.c_fc.weight"] = torch.zeros(64, 100)
    file = tmp_path / "model.safetensors"
    save_file(tensors, file)
    (tmp_path / "config.json").write_text(hf_model.config.to_json_string())
    assert error_for(file) == (
        f"{file} has a shape mismatch for h.0.mlp.c_fc.weight: expected [64, 256], found [64, 100]."
    )


def test_config_json_that_does_not_match_the_tensors(hf_folder, tmp_path):
    shutil.copy(hf_folder / "model.safetensors", tmp_path / "model.safetensors")
    config = json.loads((hf_folder / "config.json").read_text())
    config["n_layer"] = 12
    (tmp_path / "config.json").write_text(json.dumps(config))
    message = error_for(tmp_path)
    assert "n_layer=12" in message and "holds 2" in message


def test_not_a_gpt2_model_and_nothing_there(tmp_path):
    file = tmp_path / "model.safetensors"
    save_file({"encoder.weight": torch.zeros(3, 3)}, file)
    assert error_for(file) == f"{file} is not a GPT-2 model: tensor wte.weight or wpe.weight is missing."
    assert "No weights at" in error_for(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no model.safetensors or pytorch_model.bin" in error_for(empty)
    bad_bin = tmp_path / "bin" / "pytorch_model.bin"
    bad_bin.parent.mkdir()
    bad_bin.write_bytes(b"not a zip")
    assert "is not a readable PyTorch weights file" in error_for(bad_bin.parent)


# --- checkpoints of models the tutor trains ------------------------------------------------------------

TINY = {
    "vocab_size": 100,
    "context_length": 16,
    "emb_dim": 32,
    "n_heads": 2,
    "n_layers": 2,
    "drop_rate": 0.1,
    "qkv_bias": False,
}


def train_step(model, optimizer, seed):
    torch.manual_seed(seed)
    inputs, targets = torch.randint(0, 100, (2, 2, 16))
    model.train()
    optimizer.zero_grad()
    logits = model(inputs)
    torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten()).backward()
    optimizer.step()


def test_checkpoint_round_trip_resumes_training_exactly(tmp_path):
    torch.manual_seed(123)
    model = GPTModel(TINY)
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)
    train_step(model, optimizer, seed=1)
    file = save_checkpoint(
        tmp_path / "run" / "model.safetensors", model, TINY, optimizer, {"step": 1, "loss": 4.5}
    )
    assert is_checkpoint(file)

    saved = load_checkpoint(file)
    assert saved.config == TINY and saved.meta == {"step": 1, "loss": 4.5}
    assert not saved.model.training
    for (name, ours), (_, theirs) in zip(
        model.state_dict().items(), saved.model.state_dict().items(), strict=True
    ):
        assert torch.equal(ours, theirs), name

    resumed = torch.optim.AdamW(saved.model.parameters(), lr=4e-4, weight_decay=0.1)
    resumed.load_state_dict(saved.optimizer_state)
    train_step(model, optimizer, seed=2)
    train_step(saved.model, resumed, seed=2)
    for ours, theirs in zip(model.parameters(), saved.model.parameters(), strict=True):
        assert torch.equal(ours, theirs)


def test_checkpoint_keeps_a_tied_head_tied(hf_folder, tmp_path):
    model, config = load_gpt2_weights(hf_folder)
    saved = load_checkpoint(save_checkpoint(tmp_path / "gpt2.safetensors", model, config))
    assert saved.optimizer_state is None and saved.meta == {}
    assert saved.model.out_head.weight is saved.model.tok_emb.weight
    batch = torch.tensor([PROMPT_IDS])
    with torch.no_grad():
        book = saved.model(batch)  # a checkpoint loads as the book's model
        assert torch.equal(make_fast(saved.model)(batch), model(batch))  # the loader's fast path, bit for bit
        torch.testing.assert_close(book, model(batch), atol=1e-5, rtol=0)


def test_a_failed_save_keeps_the_last_complete_checkpoint(tmp_path, monkeypatch):
    torch.manual_seed(123)
    model = GPTModel(TINY)
    file = save_checkpoint(tmp_path / "model.safetensors", model, TINY, meta={"step": 10})

    def interrupted(tensors, filename, metadata=None):
        with open(filename, "wb") as handle:
            handle.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints_module, "save_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(file, GPTModel(TINY), TINY, meta={"step": 20})
    assert load_checkpoint(file).meta == {"step": 10}
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]


def test_bad_checkpoints(hf_folder, tmp_path):
    def message_for(path):
        with pytest.raises(WeightsError) as caught:
            load_checkpoint(path)
        assert one_sentence(str(caught.value)), caught.value
        return str(caught.value)

    gpt2_file = hf_folder / "model.safetensors"
    assert not is_checkpoint(gpt2_file)
    assert "is not a tutor checkpoint" in message_for(gpt2_file)
    assert "No checkpoint at" in message_for(tmp_path / "missing.safetensors")

    torch.manual_seed(123)
    file = save_checkpoint(tmp_path / "model.safetensors", GPTModel(TINY), TINY)
    assert error_for(file) == f"{file} is a tutor checkpoint, not GPT-2 weights: load it as a checkpoint."
    data = file.read_bytes()
    file.write_bytes(data[: len(data) - 1000])
    assert not is_checkpoint(file)
    assert message_for(file).startswith(f"{file} is truncated")
    file.write_bytes(b"garbage" * 100)
    assert message_for(file) == f"{file} is not a safetensors file (its header cannot be read)."
