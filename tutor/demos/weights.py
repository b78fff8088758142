"""Which model a demo runs on: the book's seeded random GPT-2, a checkpoint from ``pretrain``, or GPT-2.

``weights`` (a demo argument, or ``[demos] weights`` in the config) may be:
  ``random``                           the book's GPT-2 124M after ``torch.manual_seed(123)`` (untrained)
  ``gpt2`` / ``gpt2-medium`` / ...     a size fetched with ``tutor weights download``
  ``last``                             the newest checkpoint ``pretrain`` saved
  a path                               a Hugging Face GPT-2 folder, ``model.safetensors``, or a checkpoint
  a checkpoint's name                  a file in the checkpoints folder (with or without ``.safetensors``)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tutor import paths
from tutor.errors import TutorError

if TYPE_CHECKING:
    from engine.model import GPTModel

GPT2_DOWNLOADS = {
    "gpt2": "openai-community/gpt2",
    "gpt2-medium": "openai-community/gpt2-medium",
    "gpt2-large": "openai-community/gpt2-large",
    "gpt2-xl": "openai-community/gpt2-xl",
}
RANDOM = "random"
LAST = "last"
CHECKPOINT_SUFFIX = ".safetensors"
GIBBERISH = "These weights are random (untrained): the output is gibberish until the model is trained."


@dataclass(frozen=True)
class WeightsChoice:
    """Where a model's weights come from, decided without loading anything."""

    kind: str  # "random" | "gpt2" | "checkpoint"
    path: Path | None
    label: str  # what the learner reads: "GPT-2 124M, the book's seeded random weights"


@dataclass
class LoadedModel:
    model: GPTModel  # eval mode
    config: dict
    choice: WeightsChoice
    label: str  # the choice's label, plus what loading learned (size, steps trained), and the precision
    precision: str = "fp32"  # of the linear layers: fp32, bf16 or int8 (engine.precision)

    @property
    def trained(self) -> bool:
        return self.choice.kind != RANDOM


def weights_folder(size: str) -> Path:
    return paths.data_dir() / "weights" / size


def _newest_checkpoint() -> Path | None:
    folder = paths.checkpoints_dir()
    found = (
        sorted(folder.glob(f"*{CHECKPOINT_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        if folder.is_dir()
        else []
    )
    return found[-1] if found else None


def choose_weights(weights: str | None) -> WeightsChoice:
    """Decide which weights ``weights`` names (``None``: the config's default, else random)."""
    if not weights:
        from tutor.config import load_config

        weights = load_config().demos.weights or RANDOM
    if weights == RANDOM:
        return WeightsChoice(
            RANDOM, None, "GPT-2 124M with the book's seeded random weights (torch.manual_seed(123))"
        )
    if weights in GPT2_DOWNLOADS:
        folder = weights_folder(weights)
        if not (folder / "model.safetensors").is_file():
            raise TutorError(
                f"GPT-2 weights '{weights}' are not downloaded yet: run `tutor weights download {weights}` "
                "or pass the path of a GPT-2 folder."
            )
        return WeightsChoice("gpt2", folder, f"OpenAI GPT-2 '{weights}' ({folder})")
    if weights == LAST:
        newest = _newest_checkpoint()
        if newest is None:
            raise TutorError(
                f"There is no pretrain checkpoint in {paths.checkpoints_dir()} yet: "
                "run `tutor demo pretrain` first."
            )
        return WeightsChoice("checkpoint", newest, f"checkpoint {newest.name}")
    path = Path(os.path.expanduser(weights))
    if not path.exists():
        for candidate in (
            paths.checkpoints_dir() / weights,
            paths.checkpoints_dir() / f"{weights}{CHECKPOINT_SUFFIX}",
        ):
            if candidate.is_file():
                path = candidate
                break
        else:
            raise TutorError(
                f"No weights at {weights!r}: give a GPT-2 folder or model.safetensors file, "
                "a pretrain checkpoint, "
                f"'{LAST}', '{RANDOM}', or a downloaded size ({', '.join(GPT2_DOWNLOADS)})."
            )
    from engine.checkpoints import is_checkpoint

    if is_checkpoint(path):
        return WeightsChoice("checkpoint", path, f"checkpoint {path.name}")
    return WeightsChoice("gpt2", path, f"GPT-2 weights from {path}")


# One model stays loaded between runs: the app re-runs demos as the learner types, and building the
# 124M model takes seconds while a forward pass takes milliseconds.
_lock = threading.Lock()
_cached: tuple[tuple, LoadedModel] | None = None


def _cache_key(choice: WeightsChoice, precision: str) -> tuple:
    if choice.path is None:
        return (choice.kind, precision)
    stamp = choice.path.stat().st_mtime_ns if choice.path.exists() else 0
    return (choice.kind, str(choice.path.resolve()), stamp, precision)


def choose_precision(precision: str | None) -> str:
    """``precision``, or the config's ``[demos] precision`` when it is None, else fp32."""
    if precision:
        return precision
    from tutor.config import load_config

    return load_config().demos.precision or "fp32"


def load_model(weights: str | None, precision: str = "fp32") -> LoadedModel:
    """The model ``weights`` names, in eval mode, its linear layers in ``precision`` (fp32, bf16, int8);
    the last one loaded is kept for the next call."""
    global _cached
    choice = choose_weights(weights)
    key = _cache_key(choice, precision)
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        _cached = None  # let the old model go before the new one is built
        loaded = _load(choice)
        if precision != "fp32":
            from engine.precision import use_precision

            try:
                use_precision(loaded.model, precision)
            except ValueError as error:
                raise TutorError(str(error)) from None
            loaded.label += f", {precision} weights"
        loaded.precision = precision
        _cached = (key, loaded)
        return loaded


def _load(choice: WeightsChoice) -> LoadedModel:
    from engine import GPT_CONFIG_124M, GPTModel, make_fast
    from engine.checkpoints import load_checkpoint
    from engine.weights import WeightsError, load_gpt2_weights

    if choice.kind == RANDOM:
        from tutor.demos.seeding import book_seed

        with book_seed(123):
            model = GPTModel(GPT_CONFIG_124M)
        make_fast(model).eval()  # same weights, faster kernels, stored the way generation reads them
        return LoadedModel(model, dict(GPT_CONFIG_124M), choice, choice.label)
    if choice.path is None:
        raise TutorError(f"The weights '{choice.label}' name no file to load; pick random, last or a folder.")
    try:
        if choice.kind == "checkpoint":
            checkpoint = load_checkpoint(choice.path)
            make_fast(checkpoint.model)  # demos only generate; resumed training keeps the saved layout
            meta = checkpoint.meta
            trained = (
                f", trained {meta['steps']} steps on {meta.get('corpus', 'a corpus')}"
                if "steps" in meta
                else ""
            )
            return LoadedModel(checkpoint.model, checkpoint.config, choice, choice.label + trained)
        model, config = load_gpt2_weights(choice.path)
    except WeightsError as error:
        raise TutorError(str(error)) from None
    size = f"{config['n_layers']} layers, {config['emb_dim']} wide"
    return LoadedModel(model, config, choice, f"{choice.label}: {size}")


def forget_model() -> None:
    """Drop the cached model (tests, or to free memory)."""
    global _cached
    with _lock:
        _cached = None


def available_weights() -> list[tuple[str, str]]:
    """Names the ``weights`` argument accepts now, with where each lives."""
    found = [(RANDOM, "GPT-2 124M, the book's seeded random weights")]
    for size in GPT2_DOWNLOADS:
        folder = weights_folder(size)
        if (folder / "model.safetensors").is_file():
            found.append((size, str(folder)))
    folder = paths.checkpoints_dir()
    if folder.is_dir():
        for file in sorted(folder.glob(f"*{CHECKPOINT_SUFFIX}")):
            found.append((file.stem, str(file)))
    return found


def download_gpt2(size: str, report: Callable[[str], None] = lambda line: None) -> Path:
    """Fetch GPT-2 ``size`` (config.json + model.safetensors) from the Hugging Face Hub."""
    if size not in GPT2_DOWNLOADS:
        raise TutorError(f"There is no GPT-2 called {size!r}; choose one of: {', '.join(GPT2_DOWNLOADS)}.")
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise TutorError(
            "Downloading needs the huggingface_hub package: "
            "pip install 'llm-tutor[hub]' (or huggingface_hub)."
        ) from None
    folder = weights_folder(size)
    report(f"Downloading {GPT2_DOWNLOADS[size]} into {folder} …")
    try:
        snapshot_download(
            repo_id=GPT2_DOWNLOADS[size],
            local_dir=folder,
            allow_patterns=["config.json", "model.safetensors"],
        )
    except Exception as error:  # the hub raises many kinds (offline, HTTP, disk); each becomes one sentence
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        offline = type(error).__name__ == "LocalEntryNotFoundError" or "connect" in reason.lower()
        if offline:
            raise TutorError(
                f"Cannot reach the Hugging Face Hub to download {GPT2_DOWNLOADS[size]} (no network?); "
                "connect and try again, or pass --weights PATH to a GPT-2 folder you already have."
            ) from None
        raise TutorError(
            f"Could not download {GPT2_DOWNLOADS[size]} from the Hugging Face Hub ({reason}); "
            "try again, or pass --weights PATH to a GPT-2 folder you already have."
        ) from None
    return folder
