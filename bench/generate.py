"""Greedy generation speed: our GPTModel against Hugging Face transformers' GPT2LMHeadModel.

Both hold the same random GPT-2 124M weights (transformers builds them with a fixed seed; ours are mapped
from its state dict by ``engine.weights``, which applies ``engine.fast.make_fast`` as the loader does for
real GPT-2 files), run on the same number of threads, and continue the same 16-token prompt by 128
tokens, greedily. Each side runs ``--repeats`` times, interleaved, and its best run counts (the machine is
shared; the best run is the least disturbed one). The generated ids must be identical.

In the same run:

- the memory bandwidth (``torch.sum`` over 1 GiB) and the share of the fp32 bound it sets: one new token
  reads every weight matrix once, so tokens/s cannot pass bandwidth / bytes of weights;
- our bf16 and int8 weights (``engine.precision``) side by side with fp32, and how many of their greedy
  choices agree with fp32's: along fp32's own text (the next token each picks after the same prefix,
  out of N) and how many tokens the two greedy texts share before they part;
- CTranslate2 with int8 and fp32 weights, when it is installed (``pip install ctranslate2``; bench only,
  not a dependency of the tutor): the same random model saved with ``save_pretrained`` and converted
  offline by its ``TransformersConverter``, run in a process of its own (see ``ctranslate2_runners``).

The ratio (ours / transformers, fp32, higher is better) is printed last.

    python bench/generate.py [--threads N] [--new-tokens 128] [--repeats 5] [--no-ctranslate2]
"""

from __future__ import annotations

import argparse
import atexit
import copy
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

import torch
import transformers

from engine import generate, get_tokenizer, gpt_model_from_gpt2_tensors, use_precision

PROMPT = (
    "Every effort moves you closer to the goal, and every token the model reads costs it time, so the cache"
)


def memory_bandwidth(repeats: int = 5) -> float:
    """Bytes per second ``torch.sum`` reads from a 1 GiB tensor on every core (best of ``repeats``): the
    machine's bound, which one thread's sum does not reach."""
    data = torch.ones(2**30 // 4)
    threads = torch.get_num_threads()
    torch.set_num_threads(
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    )
    try:
        data.sum()
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            data.sum()
            best = min(best, time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    return data.numel() * 4 / best


def weight_bytes_per_token(model: torch.nn.Module) -> int:
    """The fp32 bytes of every linear layer's weights: what one new token reads (embeddings: a row)."""
    return sum(module.weight.numel() * 4 for module in model.modules() if isinstance(module, torch.nn.Linear))


def agreement(model, reference: torch.Tensor, prompt_length: int) -> tuple[int, int]:
    """How many next tokens ``model`` picks as the reference text continues, out of how many."""
    with torch.inference_mode():
        picks = model(reference[:, :-1])[0, prompt_length - 1 :].argmax(-1)
    expected = reference[0, prompt_length:]
    return int((picks == expected).sum()), len(expected)


def shared_prefix(ids: list[int], reference: list[int]) -> int:
    for index, (mine, theirs) in enumerate(zip(ids, reference, strict=True)):
        if mine != theirs:
            return index
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--prompt-tokens", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-ctranslate2", action="store_true", help="leave CTranslate2 out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()
    load_at_start = os.getloadavg()[0]

    torch.manual_seed(123)
    config = transformers.GPT2Config()  # GPT-2 small: 12 layers, 12 heads, width 768, context 1024
    theirs = transformers.GPT2LMHeadModel(config).eval()
    ours, our_config = gpt_model_from_gpt2_tensors(theirs.state_dict())
    assert our_config["emb_dim"] == 768 and our_config["n_layers"] == 12
    bytes_per_token = weight_bytes_per_token(ours)
    reduced = {name: use_precision(copy.deepcopy(ours), name) for name in ("bf16", "int8")}

    prompt_ids = get_tokenizer().encode(PROMPT)[: args.prompt_tokens]
    assert len(prompt_ids) == args.prompt_tokens, "the prompt text is too short"
    prompt = torch.tensor([prompt_ids])

    def run_engine(model):
        return lambda new_tokens: generate(model, prompt, new_tokens, our_config["context_length"])

    def run_theirs(new_tokens: int) -> torch.Tensor:
        with torch.inference_mode():
            return theirs.generate(
                prompt,
                attention_mask=torch.ones_like(prompt),
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                do_sample=False,
                eos_token_id=None,
                pad_token_id=config.eos_token_id,
            )

    runners = {"ours": run_engine(ours), "transformers": run_theirs}
    runners.update({f"ours {name}": run_engine(model) for name, model in reduced.items()})
    if not args.no_ctranslate2:
        runners.update(ctranslate2_runners(theirs, prompt_ids, args.threads))

    bandwidth_at_start = memory_bandwidth()
    for run in runners.values():
        run(4)  # warm-up: first calls allocate and pick kernels
    best = {name: float("inf") for name in runners}
    best_cpu = dict(best)
    outputs = {}
    for round_index in range(args.repeats):
        order = list(runners) if round_index % 2 == 0 else list(runners)[::-1]  # no side always first
        for name in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            output = runners[name](args.new_tokens)
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if isinstance(output, Timed):
                output, wall, cpu = output.ids, output.wall, output.cpu
            outputs[name] = output
            best[name] = min(best[name], wall)
            best_cpu[name] = min(best_cpu[name], cpu)
    bandwidth = max(bandwidth_at_start, memory_bandwidth())  # the machine is shared: its best moment

    speed = {name: args.new_tokens / seconds for name, seconds in best.items()}
    cpu_speed = {name: args.new_tokens / seconds for name, seconds in best_cpu.items()}
    same = outputs["ours"].tolist() == outputs["transformers"].tolist()
    reference = outputs["ours"]
    fp32_new = reference[0, args.prompt_tokens :].tolist()
    bound = bandwidth / bytes_per_token
    print(
        f"GPT-2 124M (random weights, same for all), greedy, {args.prompt_tokens}-token prompt, "
        f"{args.new_tokens} new tokens, {args.threads} threads, best of {args.repeats}"
    )
    print(
        f"memory bandwidth {bandwidth / 1e9:.1f} GB/s (torch.sum over 1 GiB, every core); "
        f"{bytes_per_token / 1e6:.0f} MB "
        f"of fp32 weights a token: the fp32 bound is {bound:.1f} tokens/s"
    )
    # Tokens per CPU-second as well: on a shared machine it moves less than the wall clock does.
    labels = {
        "ours": "ours (GPTModel, KV cache)",
        "transformers": "transformers (GPT2LMHeadModel)",
        "ours bf16": "ours, bf16 weights",
        "ours int8": "ours, int8 weights",
        "ctranslate2 fp32": "CTranslate2, fp32",
        "ctranslate2 int8": "CTranslate2, int8",
    }
    for name in runners:
        line = f"{labels[name]:32s} {speed[name]:8.1f} tokens/s   ({cpu_speed[name]:.1f} per CPU-second)"
        line += f"  {speed[name] / bound:4.0%} of the fp32 bound"
        if name.startswith("ours "):
            matches, total = agreement(reduced[name.removeprefix("ours ")], reference, args.prompt_tokens)
            new_ids = outputs[name][0, args.prompt_tokens :].tolist()
            line += (
                f"   agrees with fp32 on {matches}/{total} next tokens, "
                f"same text for {shared_prefix(new_ids, fp32_new)}"
            )
        elif name.startswith("ctranslate2"):
            new_ids = outputs[name][0, args.prompt_tokens :].tolist()
            line += f"   same text as our fp32 for {shared_prefix(new_ids, fp32_new)}"
        print(line)
    print(f"generated ids identical (ours, transformers): {'yes' if same else 'NO'}")
    for name in ("ours bf16", "ours int8"):
        for peer in ("ctranslate2 int8", "transformers"):
            if peer in speed:
                print(f"ratio {name} / {labels[peer]}: {speed[name] / speed[peer]:.2f}x")
    if "ctranslate2 fp32" in speed:  # the fastest fp32 engine measured here: ours must not fall behind it
        fp32_peer = "ctranslate2 fp32"
        print(
            f"ratio ours / {labels[fp32_peer]}: {speed['ours'] / speed[fp32_peer]:.2f}x "
            f"({cpu_speed['ours'] / cpu_speed[fp32_peer]:.2f}x per CPU-second)"
        )
    print(f"ratio per CPU-second: {cpu_speed['ours'] / cpu_speed['transformers']:.2f}x")
    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} cores, load average {load_at_start:.1f} at the start, "
        f"{load:.1f} at the end (above the core count: noisy timings)"
    )
    print(f"ratio ours/transformers: {speed['ours'] / speed['transformers']:.2f}x")
    if not same:
        raise SystemExit(1)


def ctranslate2_runners(theirs, prompt_ids: list[int], threads: int) -> dict:
    """CTranslate2 generators for the same weights (int8 and fp32), or none when it is not installed."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        print("CTranslate2 is not installed (pip install ctranslate2): left out")
        return {}
    import tempfile

    folder = tempfile.mkdtemp(prefix="bench-ct2-")
    theirs.save_pretrained(f"{folder}/hf")
    _write_placeholder_tokenizer(f"{folder}/hf", theirs.config.vocab_size)
    TransformersConverter(f"{folder}/hf").convert(f"{folder}/ct2", force=True)
    tokens = [f"t{token_id}" for token_id in prompt_ids]  # the placeholder vocabulary's names for the ids

    # CTranslate2 runs in a process of its own: in this one, once it had generated, the other engines ran
    # 30-45% slower (fp32 77 -> 55 tokens/s, bf16 137 -> 77) until its generators were deleted. The child
    # times each call itself, so its wall and CPU seconds are CTranslate2's alone.
    child = subprocess.Popen(
        [sys.executable, "-c", _CT2_CHILD, f"{folder}/ct2", str(threads), json.dumps(tokens)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    atexit.register(child.kill)

    def runner(compute_type: str):
        def run(new_tokens: int) -> Timed:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(f"{compute_type} {new_tokens}\n")
            child.stdin.flush()
            answer = json.loads(child.stdout.readline())
            return Timed(torch.tensor([prompt_ids + answer["ids"]]), answer["wall"], answer["cpu"])

        return run

    return {"ctranslate2 int8": runner("int8"), "ctranslate2 fp32": runner("float32")}


_CT2_CHILD = """
import json, sys, time
import ctranslate2
folder, threads, tokens = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
generators = {
    kind: ctranslate2.Generator(folder, device="cpu", compute_type=kind, intra_threads=threads)
    for kind in ("int8", "float32")
}
for line in sys.stdin:
    kind, new_tokens = line.split()
    wall, cpu = time.perf_counter(), time.process_time()
    result = generators[kind].generate_batch(
        [tokens], max_length=int(new_tokens), min_length=int(new_tokens), sampling_topk=1,
        include_prompt_in_result=False,
    )[0]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"ids": result.sequences_ids[0], "wall": wall, "cpu": cpu}), flush=True)
"""


@dataclass
class Timed:
    """What a runner in another process gives back: the ids, and its own wall and CPU seconds."""

    ids: torch.Tensor
    wall: float
    cpu: float


def _write_placeholder_tokenizer(folder: str, vocab_size: int) -> None:
    """A GPT-2 tokenizer whose tokens are named t0, t1, ...: the converter needs a vocabulary, the
    benchmark only ids (GPT-2's own tokenizer files would be a download)."""
    with open(f"{folder}/vocab.json", "w", encoding="utf-8") as file:
        json.dump({f"t{index}": index for index in range(vocab_size)}, file)
    with open(f"{folder}/merges.txt", "w", encoding="utf-8") as file:
        file.write("#version: 0.2\n")
    with open(f"{folder}/tokenizer_config.json", "w", encoding="utf-8") as file:
        last = f"t{vocab_size - 1}"  # GPT-2's <|endoftext|>
        json.dump(
            {"tokenizer_class": "GPT2Tokenizer", "unk_token": last, "bos_token": last, "eos_token": last},
            file,
        )


if __name__ == "__main__":
    main()
