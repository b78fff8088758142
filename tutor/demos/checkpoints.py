"""The checkpoints ``pretrain`` leaves in the tutor's data folder: what each one is, which ones are kept.

A run writes ``pretrain-<config>-<date>-<time>.safetensors`` as it trains (the model as it is now) and, once
the validation loss has risen after its best evaluation, ``...-best.safetensors`` (the model as it was
then), so a run keeps its last and its best model and no more. Of the runs, the newest ``RUNS_KEPT`` are
kept; older runs' files are removed when a run ends. Files of other names in the folder are never touched.

Listing reads only each file's safetensors header (8 bytes of length, then JSON), not torch: it is fast and a
damaged file shows as damaged instead of failing the list.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tutor import paths

RUNS_KEPT = 5
SUFFIX = ".safetensors"
BEST = "-best"
_RUN_FILE = re.compile(rf"^(pretrain-.+-\d{{8}}-\d{{6}})({BEST})?{re.escape(SUFFIX)}$")
MAX_HEADER_BYTES = 100 * 1024 * 1024  # safetensors' own limit


@dataclass(frozen=True)
class CheckpointInfo:
    name: str  # what --weights accepts: the file name without .safetensors
    path: Path
    saved: datetime
    size: int  # bytes
    steps: int | None = None
    val_loss: float | None = None
    config_name: str | None = None
    problem: str | None = None  # why the file is not a usable checkpoint


def run_of(path: Path) -> str | None:
    """The run a checkpoint file belongs to (its name without ``-best``), or None for other files."""
    match = _RUN_FILE.match(path.name)
    return match.group(1) if match else None


def best_path(latest: Path) -> Path:
    return latest.with_name(latest.name.removesuffix(SUFFIX) + BEST + SUFFIX)


def _header_meta(path: Path) -> dict:
    """The ``meta`` a checkpoint carries in its safetensors header; ValueError if there is none."""
    with open(path, "rb") as file:
        length = int.from_bytes(file.read(8), "little")
        if not 0 < length <= MAX_HEADER_BYTES:
            raise ValueError("its header cannot be read")
        header = json.loads(file.read(length))
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(metadata, dict) or metadata.get("format") != "tutor-gpt-checkpoint":
        raise ValueError("it is not a tutor checkpoint")
    meta = json.loads(metadata.get("meta", "{}"))
    if not isinstance(meta, dict):
        raise ValueError("its meta is not a JSON object")
    return meta


def checkpoint_info(path: Path) -> CheckpointInfo:
    info = os.stat(path)
    saved, size = datetime.fromtimestamp(info.st_mtime), info.st_size
    try:
        meta = _header_meta(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return CheckpointInfo(path.stem, path, saved, size, problem=f"damaged: {exc}")
    steps, loss, config = meta.get("steps"), meta.get("val_loss"), meta.get("config_name")
    return CheckpointInfo(
        path.stem,
        path,
        saved,
        size,
        steps=steps if isinstance(steps, int) and not isinstance(steps, bool) else None,
        val_loss=float(loss) if isinstance(loss, int | float) and not isinstance(loss, bool) else None,
        config_name=config if isinstance(config, str) else None,
    )


def list_checkpoints(folder: Path | None = None) -> list[CheckpointInfo]:
    """Every ``.safetensors`` file in the checkpoints folder, newest first."""
    folder = folder or paths.checkpoints_dir()
    try:
        files = [folder / name for name in os.listdir(folder) if name.endswith(SUFFIX)]
    except FileNotFoundError:
        return []
    found = []
    for file in files:
        try:
            if file.is_file():
                found.append(checkpoint_info(file))
        except OSError:
            continue  # removed while we looked
    return sorted(found, key=lambda c: (c.saved, c.name), reverse=True)


def prune_runs(folder: Path | None = None, keep: int = RUNS_KEPT) -> list[Path]:
    """Remove the files of all but the newest ``keep`` runs; returns what was removed."""
    folder = folder or paths.checkpoints_dir()
    runs: dict[str, list[Path]] = {}
    for checkpoint in list_checkpoints(folder):
        run = run_of(checkpoint.path)
        if run is not None:
            runs.setdefault(run, []).append(checkpoint.path)
    removed = []
    for run in sorted(runs, key=lambda run: run[-15:], reverse=True)[keep:]:  # names end in the start time
        for file in runs[run]:
            try:
                file.unlink()
                removed.append(file)
            except FileNotFoundError:
                pass
    return removed


class RunCheckpoints:
    """Where one run saves: its latest model, and its best one while the latest is worse."""

    def __init__(self, latest: Path) -> None:
        self.latest = latest
        self.best = best_path(latest)
        self.latest_loss: float | None = None  # validation loss of the model in ``latest``
        self.best_loss: float | None = None  # ... in ``best``, while that file exists

    def before_saving(self, val_loss: float | None) -> None:
        """Call before ``latest`` is overwritten by a model with ``val_loss``: keeps the best model aside."""
        kept = self.latest_loss
        if kept is None or val_loss is None or not val_loss > kept:
            return
        if self.best_loss is None or kept < self.best_loss:
            os.replace(self.latest, self.best)  # the file in ``latest`` is the best model so far
            self.best_loss = kept

    def after_saving(self, val_loss: float | None) -> None:
        self.latest_loss = val_loss
        if self.best_loss is not None and val_loss is not None and val_loss <= self.best_loss:
            self.best.unlink(missing_ok=True)  # the latest is as good as the best: one file is enough
            self.best_loss = None
