"""Loading OpenAI's GPT-2 weights into ``GPTModel`` (chapter 5.5) and saving the models we train ourselves.

GPT-2 comes from a Hugging Face-format folder (``config.json`` + ``model.safetensors``, or
``pytorch_model.bin``) or from a bare ``model.safetensors`` whose tensor shapes give the config. The mapping
is the book's ``load_weights_into_gpt``: GPT-2 stores its linear layers as ``Conv1D`` with weights of shape
(d_in, d_out), so each is transposed for ``nn.Linear``, and its fused ``c_attn`` is split into
``W_query``/``W_key``/``W_value``.

The models the tutor trains itself are saved and loaded by ``engine.checkpoints``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open

from engine.fast import make_fast
from engine.model import GPTModel

CHECKPOINT_FORMAT = "tutor-gpt-checkpoint"  # our own checkpoints' mark (engine.checkpoints)

# GPT-2's published sizes: embedding width -> attention heads (a bare safetensors file does not say).
GPT2_HEADS_BY_EMB_DIM = {768: 12, 1024: 16, 1280: 20, 1600: 25}


class WeightsError(ValueError):
    """A weights or checkpoint file we cannot use; the message is one sentence naming the file."""


# --- reading files -------------------------------------------------------------------------------------


class _SafetensorsFiles(Mapping):
    """The tensors of one or more safetensors files, read one at a time (a 1558M model never sits twice in
    memory). ``shapes`` comes from the headers alone."""

    def __init__(self, files: list[Path]):
        self.shapes: dict[str, tuple[int, ...]] = {}
        self._where: dict[str, Path] = {}
        self.metadata: dict[str, str] = {}
        for file in files:
            with _open_safetensors(file) as handle:
                self.metadata.update(handle.metadata() or {})
                for name in handle.keys():
                    self.shapes[name] = tuple(handle.get_slice(name).get_shape())
                    self._where[name] = file

    def __getitem__(self, name: str) -> torch.Tensor:
        file = self._where[name]
        with _open_safetensors(file) as handle:
            return handle.get_tensor(name)

    def __iter__(self):
        return iter(self.shapes)

    def __len__(self) -> int:
        return len(self.shapes)


def _open_safetensors(file: Path):
    """``safe_open`` with its header errors turned into one sentence about ``file``."""
    try:
        return safe_open(str(file), framework="pt", device="cpu")
    except SafetensorError as error:
        raise WeightsError(_describe_bad_safetensors(file, error)) from None
    except OSError as error:
        raise WeightsError(f"Cannot read {file}: {error.strerror or error}.") from None


def _describe_bad_safetensors(file: Path, error: Exception) -> str:
    # A safetensors file starts with an 8-byte header length and then the JSON header ("{"). When it does,
    # the header or the data behind it was cut short; otherwise it is some other kind of file.
    with open(file, "rb") as handle:
        start = handle.read(9)
    cut_short = "incomplete metadata" in str(error) or "invalid header length" in str(error)
    if len(start) == 9 and start[8:9] == b"{" and cut_short:
        return f"{file} is truncated (the file ends before the tensors its header lists): download it again."
    return f"{file} is not a safetensors file (its header cannot be read)."


def _read_pytorch_bin(file: Path) -> dict[str, torch.Tensor]:
    try:
        try:  # memory-mapped, so the tensors are not held twice while they are copied into the model
            state = torch.load(file, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as error:
            if "mmap" not in str(error):
                raise
            state = torch.load(file, map_location="cpu", weights_only=True)  # the pre-zip format
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError ... for damaged files
        if "Unsupported global" in str(error):
            raise WeightsError(
                f"{file} holds Python objects besides tensors, which we do not load."
            ) from None
        raise WeightsError(f"{file} is not a readable PyTorch weights file (truncated or damaged).") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{file} does not hold a dictionary of named tensors.")
    return state


def _weights_files(path: Path) -> tuple[list[Path], Path | None]:
    """The weights file(s) and the config.json (if any) for a folder or a file."""
    if not path.exists():
        raise WeightsError(f"No weights at {path}: give a GPT-2 folder or a model.safetensors file.")
    folder = path if path.is_dir() else path.parent
    config = folder / "config.json"
    config_file = config if config.is_file() else None
    if path.is_file():
        return [path], config_file
    if (path / "model.safetensors").is_file():
        return [path / "model.safetensors"], config_file
    index = path / "model.safetensors.index.json"  # large models come in shards
    if index.is_file():
        try:
            shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise WeightsError(f"{index} is not a valid safetensors index (no weight_map).") from None
        return [path / shard for shard in shards], config_file
    if (path / "pytorch_model.bin").is_file():
        return [path / "pytorch_model.bin"], config_file
    raise WeightsError(
        f"{path} holds no model.safetensors or pytorch_model.bin, so it is not a GPT-2 model folder."
    )


def _read_hf_config(file: Path | None) -> dict:
    if file is None:
        return {}
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise WeightsError(f"{file} is not valid JSON.") from None
    except OSError as error:
        raise WeightsError(f"Cannot read {file}: {error.strerror or error}.") from None
    if not isinstance(config, dict):
        raise WeightsError(f"{file} does not hold a JSON object.")
    return config


# --- GPT-2 -> GPTModel ----------------------------------------------------------------------------------


def gpt2_config_from_shapes(shapes: Mapping[str, tuple[int, ...]], n_heads: int | None, source: str) -> dict:
    """The book's config for GPT-2 tensors with these (prefix-free) names and shapes."""
    if "wte.weight" not in shapes or "wpe.weight" not in shapes:
        raise WeightsError(f"{source} is not a GPT-2 model: tensor wte.weight or wpe.weight is missing.")
    vocab_size, emb_dim = shapes["wte.weight"]
    context_length = shapes["wpe.weight"][0]
    blocks = {int(match.group(1)) for name in shapes if (match := re.match(r"h\.(\d+)\.", name))}
    n_layers = max(blocks) + 1 if blocks else 0
    if n_layers == 0:
        raise WeightsError(f"{source} is not a GPT-2 model: it holds no transformer blocks (h.0...).")
    if n_heads is None:
        n_heads = GPT2_HEADS_BY_EMB_DIM.get(emb_dim)
        if n_heads is None:
            raise WeightsError(
                f"{source} has embedding width {emb_dim}, not a GPT-2 size: "
                "put its config.json (with n_head) beside it."
            )
    if emb_dim % n_heads:
        raise WeightsError(f"{source}: embedding width {emb_dim} does not split into {n_heads} heads.")
    return {
        "vocab_size": vocab_size,
        "context_length": context_length,
        "emb_dim": emb_dim,
        "n_heads": n_heads,
        "n_layers": n_layers,
        "drop_rate": 0.0,
        "qkv_bias": True,
    }


def _expected_shapes(config: dict) -> dict[str, tuple[int, ...]]:
    e, v, n = config["emb_dim"], config["vocab_size"], config["context_length"]
    shapes = {"wte.weight": (v, e), "wpe.weight": (n, e), "ln_f.weight": (e,), "ln_f.bias": (e,)}
    for i in range(config["n_layers"]):
        block = {
            "ln_1.weight": (e,), "ln_1.bias": (e,), "ln_2.weight": (e,), "ln_2.bias": (e,),
            "attn.c_attn.weight": (e, 3 * e), "attn.c_attn.bias": (3 * e,),
            "attn.c_proj.weight": (e, e), "attn.c_proj.bias": (e,),
            "mlp.c_fc.weight": (e, 4 * e), "mlp.c_fc.bias": (4 * e,),
            "mlp.c_proj.weight": (4 * e, e), "mlp.c_proj.bias": (e,),
        }  # fmt: skip
        shapes.update({f"h.{i}.{name}": shape for name, shape in block.items()})
    return shapes


def _gpt_model_sources(config: dict) -> dict[str, Callable[[Callable], torch.Tensor]]:
    """For each ``GPTModel`` parameter, how to make it from GPT-2 tensors (``get(name)``)."""

    def same(name):
        return lambda get: get(name)

    def transposed(name):  # Conv1D (d_in, d_out) -> nn.Linear (d_out, d_in)
        return lambda get: get(name).T

    def qkv(name, part, is_weight):  # c_attn packs query, key, value along its last dimension
        return lambda get: get(name).chunk(3, dim=-1)[part].T if is_weight else get(name).chunk(3)[part]

    sources = {
        "tok_emb.weight": same("wte.weight"),
        "pos_emb.weight": same("wpe.weight"),
        "final_norm.scale": same("ln_f.weight"),
        "final_norm.shift": same("ln_f.bias"),
    }
    for i in range(config["n_layers"]):
        ours, theirs = f"trf_blocks.{i}", f"h.{i}"
        for part, w in enumerate(("W_query", "W_key", "W_value")):
            sources[f"{ours}.att.{w}.weight"] = qkv(f"{theirs}.attn.c_attn.weight", part, True)
            sources[f"{ours}.att.{w}.bias"] = qkv(f"{theirs}.attn.c_attn.bias", part, False)
        pairs = {"att.out_proj": "attn.c_proj", "ff.layers.0": "mlp.c_fc", "ff.layers.2": "mlp.c_proj"}
        for our_name, their_name in pairs.items():
            sources[f"{ours}.{our_name}.weight"] = transposed(f"{theirs}.{their_name}.weight")
            sources[f"{ours}.{our_name}.bias"] = same(f"{theirs}.{their_name}.bias")
        for norm, ln in (("norm1", "ln_1"), ("norm2", "ln_2")):
            sources[f"{ours}.{norm}.scale"] = same(f"{theirs}.{ln}.weight")
            sources[f"{ours}.{norm}.shift"] = same(f"{theirs}.{ln}.bias")
    return sources


def _strip_prefix(names: Iterable[str]) -> dict[str, str]:
    """Our (prefix-free) name -> the name in the file: GPT2LMHeadModel saves ``transformer.h.0...``."""
    return {name.removeprefix("transformer."): name for name in names}


def gpt_model_from_gpt2_tensors(
    tensors: Mapping[str, torch.Tensor],
    n_heads: int | None = None,
    device: str | torch.device = "cpu",
    source: str = "the GPT-2 tensors",
    shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> tuple[GPTModel, dict]:
    """A ``GPTModel`` holding GPT-2's weights, from tensors named as Hugging Face names them (with or without
    the ``transformer.`` prefix; e.g. ``GPT2LMHeadModel(...).state_dict()``). Returns the model (eval mode,
    head tied to the token embedding, converted by ``engine.fast.make_fast``) and its config."""
    names = _strip_prefix(tensors.keys())
    if shapes is None:
        shapes = {name: tuple(tensors[file_name].shape) for name, file_name in names.items()}
    else:
        shapes = {name.removeprefix("transformer."): shape for name, shape in shapes.items()}
    config = gpt2_config_from_shapes(shapes, n_heads, source)
    for name, expected in _expected_shapes(config).items():
        if name not in shapes:
            raise WeightsError(f"{source} is missing tensor {name}.")
        if tuple(shapes[name]) != expected:
            raise WeightsError(
                f"{source} has a shape mismatch for {name}: "
                f"expected {list(expected)}, found {list(shapes[name])}."
            )

    def get(name: str) -> torch.Tensor:
        return tensors[names[name]]

    model = GPTModel(config)
    parameters = dict(model.named_parameters())
    sources = _gpt_model_sources(config)
    with torch.no_grad():
        for name, make in sources.items():
            parameters[name].copy_(make(get).to(torch.float32))
        head = get("lm_head.weight") if "lm_head.weight" in names else None
        if (
            head is not None
            and tuple(head.shape) == shapes["wte.weight"]
            and not torch.equal(head, get("wte.weight"))
        ):
            parameters["out_head.weight"].copy_(head.to(torch.float32))  # a variant with its own head
        else:
            model.out_head.weight = model.tok_emb.weight  # GPT-2 ties its output head to wte
    unfilled = set(parameters) - set(sources) - {"out_head.weight"}
    if unfilled:  # the engine grew a parameter this mapping does not know: a bug, not the learner's doing
        raise RuntimeError(f"GPT-2 mapping leaves GPTModel parameters unfilled: {sorted(unfilled)}")
    # Loaded GPT-2 weights are for generating: the fast path, with generation's memory order.
    return make_fast(model.to(device)).eval(), config


def load_gpt2_weights(path: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[GPTModel, dict]:
    """GPT-2 (124M to 1558M) from a local Hugging Face-format folder or a ``model.safetensors`` /
    ``pytorch_model.bin`` file, as a ``GPTModel`` with qkv_bias on and a tied head. Returns (model, config).
    Raises ``WeightsError`` (a ``ValueError``) with one sentence naming the file for anything unusable."""
    path = Path(path).expanduser()
    files, config_file = _weights_files(path)
    hf_config = _read_hf_config(config_file)
    n_heads = hf_config.get("n_head")
    if n_heads is not None and (isinstance(n_heads, bool) or not isinstance(n_heads, int) or n_heads < 1):
        raise WeightsError(f"{config_file} says n_head={n_heads!r}, which is not a number of heads.")
    source = str(files[0]) if len(files) == 1 else str(path)
    if files[0].suffix in (".bin", ".pt", ".pth"):  # PyTorch's own format
        tensors: Mapping[str, torch.Tensor] = _read_pytorch_bin(files[0])
        shapes = None
    else:
        tensors = _SafetensorsFiles(files)
        shapes = tensors.shapes
        if tensors.metadata.get("format") == CHECKPOINT_FORMAT:
            raise WeightsError(f"{source} is a tutor checkpoint, not GPT-2 weights: load it as a checkpoint.")
    model, config = gpt_model_from_gpt2_tensors(tensors, n_heads, device, source, shapes)
    for key, ours in (("n_layer", "n_layers"), ("n_embd", "emb_dim"), ("vocab_size", "vocab_size")):
        if key in hf_config and hf_config[key] != config[ours]:
            raise WeightsError(
                f"{config_file} says {key}={hf_config[key]} but {source} holds {config[ours]}: "
                "they do not match."
            )
    return model, config
