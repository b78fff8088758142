"""`tutor demo NAME [--arg value ...] [--json]`, `tutor demo --list` and `tutor weights`, as typed."""

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import VERDICT
from tutor.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, "demo", *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_list_names_every_demo_with_its_chapter_and_arguments(capsys):
    code, out, _ = run(capsys, "demo", "--list")
    assert code == 0
    for name in ("tokenize", "embed", "window", "attend", "generate", "model", "pretrain"):
        assert f"\n{name} " in f"\n{out}"
    assert "arguments: prompt, max_new_tokens, temperature, top_k, top_p, seed, weights" in out
    assert "[book: 3.3-3.6 Attention mechanisms]" in out
    # generate spans two chapters: the sections say which, never "ch. 5, 4.7"
    assert "[book: 4.7 Generating text; 5.3 Decoding strategies" in out
    assert "[ch." not in out


def test_embed_labels_keep_whole_tokens_or_say_they_are_cut(capsys):
    code, out, _ = run(capsys, "demo", "embed", "--text", "Hello world, unhappiness")
    assert code == 0
    assert "15496:Hello " in out  # the whole token, not "15496:Hell"
    assert "42661:appiness " in out


def test_tokenize_counts_are_in_proper_plurals(capsys):
    code, out, _ = run(capsys, "demo", "tokenize", "unhappiness")
    assert code == 0
    assert out.startswith("3 tokens for 11 characters (1 word)")


def test_list_as_json_gives_each_demos_argument_schema(capsys):
    code, out, _ = run(capsys, "demo", "--list", "--json")
    demos = {demo["name"]: demo for demo in json.loads(out)}
    assert code == 0 and len(demos) == 7
    top_p = demos["generate"]["args"]["top_p"]
    assert (top_p["type"], top_p["above"], top_p["maximum"], top_p["default"]) == ("float", 0.0, 1.0, None)
    assert demos["attend"]["args"]["mode"]["choices"] == ["simple", "trainable", "causal", "multi-head"]
    assert demos["pretrain"]["streams"] and not demos["model"]["streams"]


def test_the_text_demos_as_json(capsys):
    tokens = run_json(capsys, "tokenize", "--text", "unhappiness")
    assert tokens["ids"] == [403, 71, 42661] and tokens["split_words"][0]["pieces"] == ["un", "h", "appiness"]
    embedded = run_json(capsys, "embed")
    assert embedded["token_ids"] == [2, 3, 5, 1]
    assert embedded["token_embeddings"][0] == pytest.approx([1.2753, -0.2010, -0.1606], abs=1e-4)
    windows = run_json(
        capsys,
        "window",
        "--text",
        VERDICT.read_text(),
        "--max-length",
        "4",
        "--stride",
        "4",
        "--batch_size",
        "8",
    )
    assert windows["batches"][0][1]["inputs"] == [1807, 3619, 402, 271]


def test_attend_and_model_as_json(capsys, nano_checkpoint):
    book = run_json(capsys, "attend", "--mode", "multi-head", "--heads", "2")
    assert book["context_vectors"][0] == pytest.approx([0.3190, 0.4858], abs=1e-4)
    causal = run_json(capsys, "attend", "--mode", "causal")
    assert causal["heads"][0]["masked_scores"][0][1] is None  # -inf becomes null in JSON
    path, _, _ = nano_checkpoint
    real = run_json(
        capsys, "attend", "--text", "Every effort moves you", "--weights", str(path), "--head", "1"
    )
    assert real["source"] == "model" and len(real["all_weights"][0]) == 2 and real["head"] == 1
    sizes = run_json(capsys, "model", "--config", "124M")
    assert (sizes["total_parameters"], sizes["tied_parameters"]) == (163_009_536, 124_412_160)


def test_generate_and_pretrain_as_json(capsys, nano_checkpoint, tmp_path):
    path, _, _ = nano_checkpoint
    text = run_json(capsys, "generate", "--prompt", "Hello", "--max-new-tokens", "3", "--weights", str(path))
    assert len(text["steps"]) == 3 and len(text["steps"][0]["candidates"]) == 5
    assert text["token_ids"][0] == 15496 and "nano.safetensors" in text["weights"]
    trained = run_json(capsys, "pretrain", "--corpus", str(VERDICT), "--config", "nano", "--steps", "2")
    assert trained["steps"] == 2 and [h["step"] for h in trained["history"]] == [0, 1, 2]
    assert trained["checkpoint"].endswith(".safetensors")


def test_readable_output_shows_the_numbers_a_learner_looks_for(capsys, nano_checkpoint, tmp_path):
    _, out, _ = run(capsys, "demo", "model")
    assert "163,009,536" in out and "124,412,160" in out and "621.83 MB" in out
    _, out, _ = run(capsys, "demo", "attend")
    assert "Query 2 ('journey'):" in out
    assert "scores  0.9544 1.4950 1.4754 0.8434 0.7070 1.0865" in out
    _, out, _ = run(capsys, "demo", "tokenize", "--text", "unhappiness")
    assert "unhappiness -> un | h | appiness  (403, 71, 42661)" in out
    path, _, _ = nano_checkpoint
    _, out, _ = run(capsys, "demo", "generate", "--weights", str(path), "--max-new-tokens", "2")
    assert out.startswith(f"Weights: checkpoint {path.name}") and "Every effort moves you→" in out
    code, out, _ = run(
        capsys, "demo", "pretrain", "--corpus", str(VERDICT), "--config", "nano", "--steps", "1"
    )
    assert code == 0 and out.splitlines()[0].startswith("step     0  tokens         0  train 1")
    assert "Checkpoint: " in out and "Validation loss 1" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["tokenize", "--text", ""],
            "tutor: Demo 'tokenize': argument 'text' is empty; give it some text.\n",
        ),
        (["tokenise"], "tutor: There is no demo called 'tokenise'; the demos are: attend, embed, generate"),
        (["model", "--config", "gpt5"], "tutor: Demo 'model': argument 'config' is 'gpt5'; choose one of:"),
        (["generate", "--temperature", "-1"], "argument 'temperature' must be at least 0 and at most 100"),
        (
            ["generate", "--top-k", "0"],
            "tutor: Demo 'generate': argument 'top_k' must be at least 1, not 0.\n",
        ),
        (["generate", "--top-p", "1.5"], "argument 'top_p' must be greater than 0 and at most 1, not 1.5.\n"),
        (
            ["window", "--text", "too short", "--max-length", "8"],
            "The text has 2 tokens; a window of max_length 8",
        ),
        (
            ["attend", "--heads", "two"],
            "tutor: tutor demo attend: argument --heads: invalid int value: 'two'",
        ),
        (["embed", "--txt", "hello"], "tutor: tutor demo embed: unrecognized arguments: --txt;"),
        (["tokenize", "Hi", "--text", "Ho"], "give the text once, either first or with --text;"),
        (["tokenize", "Hi", "there"], "tutor: tutor demo tokenize: unrecognized arguments: there;"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(capsys, argv, message):
    code, out, err = run(capsys, "demo", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_main_argument_may_come_first_without_its_flag(capsys):
    assert run_json(capsys, "tokenize", "Hi there") == run_json(capsys, "tokenize", "--text", "Hi there")
    assert run_json(capsys, "model", "medium") == run_json(capsys, "model", "--config", "gpt2-medium (355M)")
    code, out, _ = run(capsys, "demo", "window", "one two three four five six", "--max-length", "2")
    assert code == 0 and "one two" in out


def test_a_corpus_too_short_for_one_window(capsys, tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("A tiny corpus. " * 10, encoding="utf-8")
    code, _, err = run(capsys, "demo", "pretrain", "--corpus", str(short), "--config", "nano")
    assert code == 2 and "is too short for one window" in err and err.count("\n") == 1


def test_text_longer_than_the_context_is_truncated_and_the_output_says_so(capsys):
    code, out, _ = run(capsys, "demo", "embed", "--text", "word " * 1100, "--dimensions", "2")
    assert code == 0 and "Note: The text has 1,101 tokens; only the first 1,024 were embedded" in out


def test_weights_download_without_network_or_package_says_so_in_one_sentence(capsys, monkeypatch, tutor_home):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _, err = run(capsys, "weights", "download", "gpt2")
    assert code == 2 and "Cannot reach the Hugging Face Hub to download openai-community/gpt2" in err
    assert "Traceback" not in err and not (tutor_home / "weights" / "gpt2").exists()
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    code, _, err = run(capsys, "weights", "download", "gpt2-xl")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(
        "tutor: Downloading needs the huggingface_hub package: pip install 'llm-tutor[hub]'"
    )


def test_an_unknown_gpt2_size_is_one_sentence(capsys):
    code, _, err = run(capsys, "weights", "download", "gpt3")
    assert code == 2
    assert (
        err
        == "tutor: There is no GPT-2 called 'gpt3'; choose one of: gpt2, gpt2-medium, gpt2-large, gpt2-xl.\n"
    )


def test_weights_list_shows_random_downloaded_sizes_and_checkpoints(capsys, tutor_home):
    (tutor_home / "weights" / "gpt2").mkdir(parents=True)
    (tutor_home / "weights" / "gpt2" / "model.safetensors").write_bytes(b"")
    (tutor_home / "checkpoints").mkdir()
    (tutor_home / "checkpoints" / "pretrain-tiny-1.safetensors").write_bytes(b"")
    code, out, _ = run(capsys, "weights", "list")
    names = [line.split()[0] for line in out.splitlines() if line]  # the checkpoints come as a table
    assert code == 0 and names == ["random", "gpt2", "checkpoint", "pretrain-tiny-1"]


def test_the_real_command_in_a_subprocess():
    ok = subprocess.run(
        [sys.executable, "-m", "tutor", "demo", "tokenize", "--text", "Akwirw ier", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["ids"] == [33901, 86, 343, 86, 220, 959]
    bad = subprocess.run(
        [sys.executable, "-m", "tutor", "demo", "generate", "--top-p", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert (
        bad.stderr.strip()
        == "tutor: Demo 'generate': argument 'top_p' must be greater than 0 and at most 1, not 0.0."
    )


@pytest.mark.slow
def test_ctrl_c_stops_pretraining_and_keeps_the_checkpoint(tutor_home):
    import os
    import signal

    command = [
        sys.executable,
        "-m",
        "tutor",
        "demo",
        "pretrain",
        "--corpus",
        str(VERDICT),
        "--config",
        "nano",
        "--steps",
        "100000",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TUTOR_HOME": str(tutor_home)},
    )
    try:
        for line in process.stdout:
            if line.startswith("step     1 "):  # the first evaluation after a training step
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Stopping…" in err and "Traceback" not in err
    assert re.search(r"Note: Stopped after \d+ of 18000 steps; the model as it was then is saved\.", out)
    saved = list((tutor_home / "checkpoints").glob("pretrain-nano-*.safetensors"))
    assert len(saved) == 1 and f"Checkpoint: {saved[0]}" in out


def test_a_downloaded_gpt2_is_found_by_its_name(capsys, monkeypatch, tutor_home):
    """`tutor weights download gpt2` with the Hub replaced by a tiny GPT-2 written on the spot."""
    import types

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    asked = {}

    def snapshot_download(repo_id, local_dir, allow_patterns):
        asked.update(repo_id=repo_id, allow_patterns=allow_patterns)
        torch.manual_seed(0)
        tiny = GPT2LMHeadModel(GPT2Config(n_positions=64, n_embd=32, n_layer=1, n_head=2))
        tiny.save_pretrained(local_dir, safe_serialization=True)
        return str(local_dir)

    monkeypatch.setitem(
        sys.modules, "huggingface_hub", types.SimpleNamespace(snapshot_download=snapshot_download)
    )
    code, out, err = run(capsys, "weights", "download", "gpt2")
    folder = tutor_home / "weights" / "gpt2"
    assert code == 0 and asked == {
        "repo_id": "openai-community/gpt2",
        "allow_patterns": ["config.json", "model.safetensors"],
    }
    assert f"GPT-2 'gpt2' is in {folder}" in out and "Downloading openai-community/gpt2" in err
    text = run_json(capsys, "generate", "--weights", "gpt2", "--max-new-tokens", "2")
    assert text["weights"] == f"OpenAI GPT-2 'gpt2' ({folder}): 1 layers, 32 wide" and len(text["steps"]) == 2
    _, out, _ = run(capsys, "weights", "list")
    assert "gpt2 " in out and str(folder) in out


def test_the_tutor_command_asks_torch_for_huge_pages_unless_the_learner_said_otherwise(capsys, monkeypatch):
    monkeypatch.delenv("THP_MEM_ALLOC_ENABLE", raising=False)
    assert run(capsys, "demo", "--list")[0] == 0
    assert os.environ["THP_MEM_ALLOC_ENABLE"] == "1"
    monkeypatch.setenv("THP_MEM_ALLOC_ENABLE", "0")
    assert run(capsys, "demo", "--list")[0] == 0
    assert os.environ["THP_MEM_ALLOC_ENABLE"] == "0"
