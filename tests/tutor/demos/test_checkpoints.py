"""pretrain's checkpoints: a run keeps its last and its best model, the newest runs are kept, and
`tutor weights list` / `remove` show and remove them."""

from __future__ import annotations

import json
import os

from tutor import paths
from tutor.cli import main
from tutor.demos.checkpoints import RUNS_KEPT, RunCheckpoints, list_checkpoints, prune_runs


def fake_checkpoint(path, steps=10, val_loss=5.25, when=None, config="nano"):
    """A safetensors file with no tensors and a checkpoint's metadata (all the listing reads)."""
    meta = {"steps": steps, "val_loss": val_loss, "config_name": config}
    header = {"__metadata__": {"format": "tutor-gpt-checkpoint", "meta": json.dumps(meta)}}
    data = json.dumps(header).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(len(data).to_bytes(8, "little") + data)
    if when is not None:
        os.utime(path, (when, when))
    return path


def test_a_run_keeps_its_last_model_and_its_best_one(tmp_path):
    latest = tmp_path / "pretrain-nano-20260302-120000.safetensors"
    run = RunCheckpoints(latest)
    states = {}
    for loss in (5.0, 4.0, 4.5, 4.8, 4.2):
        run.before_saving(loss)
        latest.write_text(str(loss))  # what save_checkpoint would write: the model now
        run.after_saving(loss)
        states[loss] = (latest.read_text(), run.best.read_text() if run.best.exists() else None)
    assert states[5.0] == ("5.0", None) and states[4.0] == ("4.0", None)
    assert states[4.5] == ("4.5", "4.0")  # the loss rose: the model at 4.0 is kept aside
    assert states[4.8] == ("4.8", "4.0") and states[4.2] == ("4.2", "4.0")
    run.before_saving(3.9)
    latest.write_text("3.9")
    run.after_saving(3.9)
    assert not run.best.exists()  # the latest is the best again: one file


def test_only_the_newest_runs_are_kept_and_other_files_are_never_touched(tmp_path):
    folder = tmp_path / "checkpoints"
    for day in range(1, 8):
        latest = fake_checkpoint(folder / f"pretrain-nano-2026030{day}-120000.safetensors")
        if day % 2:
            fake_checkpoint(folder / f"pretrain-nano-2026030{day}-120000-best.safetensors")
    mine = fake_checkpoint(folder / "my-own-model.safetensors")
    removed = prune_runs(folder)
    assert sorted(p.name for p in removed) == [
        "pretrain-nano-20260301-120000-best.safetensors",
        "pretrain-nano-20260301-120000.safetensors",
        "pretrain-nano-20260302-120000.safetensors",
    ]
    runs = {c.name.removesuffix("-best") for c in list_checkpoints(folder)} - {"my-own-model"}
    assert len(runs) == RUNS_KEPT and mine.exists() and latest.exists()


def test_weights_list_shows_step_validation_loss_and_date_aligned(capsys):
    folder = paths.checkpoints_dir()
    fake_checkpoint(folder / "pretrain-nano-20260301-090000.safetensors", 8, 7.125, when=1772355600)
    fake_checkpoint(folder / "pretrain-tiny-20260302-100000.safetensors", 1200, 4.0, when=1772445600)
    (folder / "broken.safetensors").write_bytes(b"\xff" * 16)
    os.utime(folder / "broken.safetensors", (1772000000, 1772000000))
    assert main(["weights", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("random  GPT-2 124M")
    table = lines[lines.index("") + 1 :]
    assert table[0].split() == ["checkpoint", "step", "val", "loss", "saved", "size"]
    rows = {line.split()[0]: line for line in table[1:]}
    tiny, nano = rows["pretrain-tiny-20260302-100000"], rows["pretrain-nano-20260301-090000"]
    assert tiny.split()[1:3] == ["1200", "4.000"] and nano.split()[1:3] == ["8", "7.125"]
    assert "2026-03-02" in tiny and "2026-03-01" in nano
    assert table[1].startswith("pretrain-tiny")  # newest first
    assert "damaged: its header cannot be read" in rows["broken"]
    end = table[0].index("val loss") + len("val loss")  # numbers are right-aligned under their heading
    assert [line[:end].split()[-1] for line in table[1:]] == ["4.000", "7.125", "-"]


def test_weights_remove_removes_by_name_and_refuses_unknown_names(capsys):
    folder = paths.checkpoints_dir()
    keep = fake_checkpoint(folder / "pretrain-nano-20260301-090000.safetensors")
    gone = fake_checkpoint(folder / "pretrain-nano-20260302-090000.safetensors")
    assert main(["weights", "remove", "pretrain-nano-20260302-090000"]) == 0
    assert not gone.exists() and keep.exists()
    assert "Removed pretrain-nano-20260302-090000" in capsys.readouterr().out
    assert main(["weights", "remove", "../progress", "pretrain-nano-20260301-090000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "tutor: There are no weights called '../progress' to remove (there are: pretrain-nano"
    )
    assert keep.exists()  # nothing is removed when one name is wrong
