"""Weights and checkpoints that parse but are wrong: each is one WeightsError naming the file, quickly,
never a traceback, a hang or a model built from a config that would not fit in memory."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from engine.checkpoints import load_checkpoint, save_checkpoint
from engine.model import GPTModel
from engine.weights import WeightsError, load_gpt2_weights

TINY = {
    "vocab_size": 100,
    "context_length": 16,
    "emb_dim": 32,
    "n_heads": 2,
    "n_layers": 2,
    "drop_rate": 0.0,
    "qkv_bias": False,
}


@pytest.fixture
def checkpoint(tmp_path):
    torch.manual_seed(123)
    return save_checkpoint(tmp_path / "good.safetensors", GPTModel(TINY), TINY, meta={"steps": 3})


def rewrite(file, out, metadata=None, tensors=None):
    """The checkpoint's tensors and metadata, changed, written to ``out``."""
    with safe_open(str(file), framework="pt") as handle:
        found = {name: handle.get_tensor(name) for name in handle.keys()}
        meta = dict(handle.metadata())
    meta.update(metadata or {})
    found.update(tensors or {})
    save_file({k: v for k, v in found.items() if v is not None}, str(out), metadata=meta)
    return out


def error_for(path) -> str:
    with pytest.raises(WeightsError) as caught:
        load_checkpoint(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and message.endswith(".") and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"config": json.dumps({**TINY, "n_layers": 10**9})}, "config n_layers is 1000000000"),
        ({"config": json.dumps({**TINY, "context_length": 10**6})}, "config context_length is 1000000"),
        ({"config": json.dumps({**TINY, "emb_dim": "32"})}, "config emb_dim is '32'"),
        ({"config": json.dumps({**TINY, "n_heads": 0})}, "config n_heads is 0"),
        ({"config": json.dumps({**TINY, "n_heads": 3})}, "emb_dim 32 does not split into 3 heads"),
        ({"config": json.dumps({**TINY, "drop_rate": 7})}, "config drop_rate is 7"),
        ({"config": json.dumps({**TINY, "vocab_size": 200})}, "its tensors do not match its config"),
        ({"config": json.dumps({**TINY, "n_layers": 3})}, "its tensors do not match its config"),
        ({"config": json.dumps([1, 2])}, "its config is not a JSON object"),
        ({"meta": json.dumps([1, 2])}, "its meta is not a JSON object"),
        ({"tied": json.dumps({"out_head.weight": "no.such.parameter"})}, "ties"),
        ({"tied": json.dumps(["x"])}, "its tied is not a JSON object"),
        ({"optimizer": json.dumps({"state": 5})}, "its optimizer state is damaged"),
    ],
)
def test_a_malformed_checkpoint_is_one_sentence(checkpoint, tmp_path, change, words):
    bad = rewrite(checkpoint, tmp_path / "bad.safetensors", metadata=change)
    assert words in error_for(bad)


def test_weights_that_are_not_numbers_are_refused(checkpoint, tmp_path):
    weight = torch.full((100, 32), float("nan"))
    bad = rewrite(checkpoint, tmp_path / "nan.safetensors", tensors={"model.tok_emb.weight": weight})
    assert "holds NaN or infinite values in tok_emb.weight" in error_for(bad)


def test_a_gpt2_config_json_with_impossible_heads_is_one_sentence(tmp_path, checkpoint):
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = tmp_path / "gpt2"
    torch.manual_seed(0)
    GPT2LMHeadModel(
        GPT2Config(n_layer=1, n_embd=32, n_head=2, n_positions=16, vocab_size=100)
    ).save_pretrained(folder)
    config = json.loads((folder / "config.json").read_text())
    for heads in (0, "two", -2, 3):
        (folder / "config.json").write_text(json.dumps({**config, "n_head": heads}))
        with pytest.raises(WeightsError, match=r"(n_head|heads)"):
            load_gpt2_weights(folder)


def test_weights_that_never_end_or_block_are_refused(tmp_path):
    import os

    folder = tmp_path / "gpt2"
    folder.mkdir()
    os.mkfifo(folder / "model.safetensors")  # reading it would wait for a writer forever
    (tmp_path / "zero.safetensors").symlink_to("/dev/zero")
    for path in (folder, folder / "model.safetensors", tmp_path / "zero.safetensors", "/dev/zero"):
        with pytest.raises(WeightsError):
            load_gpt2_weights(path)
    for path in (folder / "model.safetensors", tmp_path / "zero.safetensors"):
        with pytest.raises(WeightsError, match="No checkpoint at"):
            load_checkpoint(path)
