"""Saving the models the tutor trains itself, and loading them back (chapter 5.4's ``torch.save``, safely).

A checkpoint is one safetensors file: the weights (and optionally the optimizer state) as tensors, the config
and a free-form ``meta`` dict as JSON in the file's metadata. It is written to a temporary file first and
moved into place, so a cancelled run keeps the last complete one. Loading checks the config and the tensors'
sizes before a model is built from them: a damaged or hostile file is a ``WeightsError``, never a crash.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from engine.model import GPTModel
from engine.weights import CHECKPOINT_FORMAT, WeightsError, _SafetensorsFiles

CHECKPOINT_VERSION = 1


@dataclass
class Checkpoint:
    """A model trained by the tutor, as ``load_checkpoint`` gives it back."""

    model: GPTModel
    config: dict
    meta: dict = field(default_factory=dict)
    # For ``optimizer.load_state_dict``; None when the checkpoint was saved without one.
    optimizer_state: dict | None = None


def _tied_parameters(model: torch.nn.Module) -> dict[str, str]:
    """Parameter names that share another's tensor (a tied head) -> the name that is saved."""
    first_name: dict[int, str] = {}
    tied = {}
    for name, parameter in model.named_parameters(remove_duplicate=False):
        key = id(parameter)
        if key in first_name:
            tied[name] = first_name[key]
        else:
            first_name[key] = name
    return tied


def save_checkpoint(
    path: str | os.PathLike,
    model: torch.nn.Module,
    config: dict,
    optimizer: torch.optim.Optimizer | None = None,
    meta: dict | None = None,
) -> Path:
    """Write ``model`` (and the optimizer's state, if given) to one safetensors file at ``path``, with
    ``config`` and ``meta`` (JSON-serialisable) in its metadata. Atomic: the old file stays until the new one
    is complete. Returns the path written."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    tied = _tied_parameters(model)
    tensors = {
        f"model.{name}": tensor.detach().to("cpu").contiguous()
        for name, tensor in model.state_dict().items()
        if name not in tied
    }
    optimizer_json = None
    if optimizer is not None:
        state = optimizer.state_dict()
        plain_state = {}
        for index, values in state["state"].items():
            plain_state[str(index)] = {}
            for key, value in values.items():
                if isinstance(value, torch.Tensor):
                    tensors[f"optimizer.{index}.{key}"] = value.detach().to("cpu").contiguous()
                else:
                    plain_state[str(index)][key] = value
        optimizer_json = json.dumps({"state": plain_state, "param_groups": state["param_groups"]})
    metadata = {
        "format": CHECKPOINT_FORMAT,
        "version": str(CHECKPOINT_VERSION),
        "config": json.dumps(config),
        "meta": json.dumps(meta or {}),
        "tied": json.dumps(tied),
    }
    if optimizer_json is not None:
        metadata["optimizer"] = optimizer_json
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        save_file(tensors, str(temporary), metadata=metadata)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _json_field(metadata: dict, key: str, file: Path):
    try:
        return json.loads(metadata[key])
    except (KeyError, ValueError):
        raise WeightsError(
            f"{file} is a damaged checkpoint: its '{key}' metadata is missing or not JSON."
        ) from None


# What a checkpoint's config may say. Checked before GPTModel is built: a file may claim a billion layers,
# and the causal mask alone is context_length^2 (GPT-2's is 1024).
CONFIG_LIMITS = {
    "vocab_size": (1, 1_000_000),
    "context_length": (1, 8192),
    "emb_dim": (1, 16_384),
    "n_heads": (1, 256),
    "n_layers": (1, 256),
}


def _damaged(file: Path, why: str) -> WeightsError:
    return WeightsError(f"{file} is a damaged checkpoint: {why}.")


def _json_object(metadata: dict, key: str, file: Path, what: str | None = None) -> dict:
    value = _json_field(metadata, key, file)
    if not isinstance(value, dict):
        raise _damaged(file, f"its {what or key} is not a JSON object")
    return value


def _check_config(config: dict, file: Path) -> None:
    for key, (low, high) in CONFIG_LIMITS.items():
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _damaged(file, f"config {key} is {value!r}, not a whole number from {low} to {high}")
    if config["emb_dim"] % config["n_heads"]:
        raise _damaged(
            file, f"config emb_dim {config['emb_dim']} does not split into {config['n_heads']} heads"
        )
    drop = config.get("drop_rate", 0.0)
    if isinstance(drop, bool) or not isinstance(drop, int | float) or not 0 <= drop < 1:
        raise _damaged(file, f"config drop_rate is {drop!r}, not a number from 0 to 1")
    if not isinstance(config.get("qkv_bias", False), bool):
        raise _damaged(file, "config qkv_bias is not true or false")


def _check_sizes(config: dict, shapes: Mapping[str, tuple[int, ...]], file: Path) -> None:
    """The embeddings and the number of blocks in the file must be the config's, so the model we build is
    no bigger than the file (a small file cannot make us allocate gigabytes)."""
    expected = {
        "model.tok_emb.weight": (config["vocab_size"], config["emb_dim"]),
        "model.pos_emb.weight": (config["context_length"], config["emb_dim"]),
    }
    blocks = {int(m.group(1)) for name in shapes if (m := re.match(r"model\.trf_blocks\.(\d+)\.", name))}
    if any(tuple(shapes.get(name, ())) != shape for name, shape in expected.items()) or blocks != set(
        range(config["n_layers"])
    ):
        raise _damaged(file, "its tensors do not match its config (embedding sizes or number of blocks)")


def is_checkpoint(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a checkpoint written by ``save_checkpoint`` (not GPT-2 weights, not junk)."""
    path = Path(path).expanduser()
    if not path.is_file():
        return False
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            return (handle.metadata() or {}).get("format") == CHECKPOINT_FORMAT
    except (SafetensorError, OSError):
        return False


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu") -> Checkpoint:
    """A model saved by ``save_checkpoint``: the model (eval mode), its config, meta and optimizer state."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise WeightsError(f"No checkpoint at {path}: train one first or give the path of one.")
    files = _SafetensorsFiles([path])
    metadata = files.metadata
    if metadata.get("format") != CHECKPOINT_FORMAT:
        raise WeightsError(f"{path} is not a tutor checkpoint (for GPT-2 weights use the weights loader).")
    config = _json_object(metadata, "config", path)
    meta = _json_object(metadata, "meta", path)
    tied = _json_object(metadata, "tied", path)
    _check_config(config, path)
    _check_sizes(config, files.shapes, path)
    try:
        model = GPTModel(config)
    except (AssertionError, KeyError, TypeError, ValueError) as error:
        raise WeightsError(
            f"{path} holds a model config GPTModel cannot build (problem: {error!r})."
        ) from None
    state = {name.removeprefix("model."): files[name] for name in files if name.startswith("model.")}
    for name, tensor in state.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise WeightsError(f"{path} holds NaN or infinite values in {name}; train the model again.")
    all_names = {name for name, _ in model.named_parameters(remove_duplicate=False)}
    for name, saved_as in tied.items():
        if name not in all_names or saved_as not in all_names:
            raise _damaged(
                path, f"it ties {name!r} to {saved_as!r}, which are not both parameters of the model"
            )
    expected = model.state_dict()
    for name, tensor in state.items():
        if name in expected and tuple(tensor.shape) != tuple(expected[name].shape):
            raise WeightsError(
                f"{path} has a shape mismatch for {name}: its config expects {list(expected[name].shape)}, "
                f"found {list(tensor.shape)}."
            )
    parameter_names = {name for name, _ in model.named_parameters()}
    missing = sorted(parameter_names - set(state) - set(tied))
    if missing:
        raise WeightsError(f"{path} is missing tensor {missing[0]}.")
    model.load_state_dict(state, strict=False)  # buffers (the causal mask) are rebuilt by GPTModel itself
    for name, saved_as in tied.items():
        owner, _, attribute = name.rpartition(".")
        setattr(model.get_submodule(owner), attribute, model.get_parameter(saved_as))
    optimizer_state = None
    if "optimizer" in metadata:
        plain = _json_field(metadata, "optimizer", path)
        try:
            state_by_index = {}
            for index, values in plain["state"].items():
                values = dict(values)
                prefix = f"optimizer.{index}."
                values.update({n.removeprefix(prefix): files[n] for n in files if n.startswith(prefix)})
                state_by_index[int(index)] = values
            optimizer_state = {"state": state_by_index, "param_groups": list(plain["param_groups"])}
        except (AttributeError, KeyError, TypeError, ValueError):
            raise _damaged(path, "its optimizer state is damaged") from None
    return Checkpoint(model.to(device).eval(), config, meta, optimizer_state)
