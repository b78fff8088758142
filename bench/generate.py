"""Greedy generation speed: our GPTModel against Hugging Face transformers' GPT2LMHeadModel.

Both hold the same random GPT-2 124M weights (transformers builds them with a fixed seed; ours are mapped
from its state dict by ``engine.weights``, which applies ``engine.fast.make_fast`` as the loader
does for real GPT-2 files), run on the same number of threads, and continue the same
16-token prompt by 128 tokens, greedily. Each side runs ``--repeats`` times, interleaved, and its best run
counts (the machine is shared; the best run is the least disturbed one). The generated ids must be
identical. The ratio (ours / theirs, higher is better) is printed last.

    python bench/generate.py [--threads N] [--new-tokens 128] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import time

import torch
import transformers

from engine import generate, get_tokenizer, gpt_model_from_gpt2_tensors

PROMPT = (
    "Every effort moves you closer to the goal, and every token the model reads costs it time, so the cache"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--prompt-tokens", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()

    torch.manual_seed(123)
    config = transformers.GPT2Config()  # GPT-2 small: 12 layers, 12 heads, width 768, context 1024
    theirs = transformers.GPT2LMHeadModel(config).eval()
    ours, our_config = gpt_model_from_gpt2_tensors(theirs.state_dict())
    assert our_config["emb_dim"] == 768 and our_config["n_layers"] == 12

    prompt_ids = get_tokenizer().encode(PROMPT)[: args.prompt_tokens]
    assert len(prompt_ids) == args.prompt_tokens, "the prompt text is too short"
    prompt = torch.tensor([prompt_ids])

    def run_ours(new_tokens: int) -> torch.Tensor:
        return generate(ours, prompt, new_tokens, our_config["context_length"], temperature=0.0)

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

    run_ours(4)  # warm-up: first calls allocate and pick kernels
    run_theirs(4)
    best = {"ours": float("inf"), "transformers": float("inf")}
    best_cpu = dict(best)
    outputs = {}
    order = [("ours", run_ours), ("transformers", run_theirs)]
    for round_index in range(args.repeats):
        for name, run in order if round_index % 2 == 0 else order[::-1]:  # neither side always goes first
            start, start_cpu = time.perf_counter(), time.process_time()
            outputs[name] = run(args.new_tokens)
            best[name] = min(best[name], time.perf_counter() - start)
            best_cpu[name] = min(best_cpu[name], time.process_time() - start_cpu)

    speed = {name: args.new_tokens / seconds for name, seconds in best.items()}
    cpu_speed = {name: args.new_tokens / seconds for name, seconds in best_cpu.items()}
    same = outputs["ours"].tolist() == outputs["transformers"].tolist()
    print(
        f"GPT-2 124M (random weights, same for both), greedy, {args.prompt_tokens}-token prompt, "
        f"{args.new_tokens} new tokens, {args.threads} threads, best of {args.repeats}"
    )
    # Tokens per CPU-second as well: on a shared machine it moves less than the wall clock does.
    for name, label in (
        ("ours", "ours (GPTModel, KV cache)"),
        ("transformers", "transformers (GPT2LMHeadModel)"),
    ):
        print(f"{label:32s} {speed[name]:8.1f} tokens/s   ({cpu_speed[name]:.1f} per CPU-second)")
    print(f"generated ids identical: {'yes' if same else 'NO'}")
    print(f"ratio per CPU-second: {cpu_speed['ours'] / cpu_speed['transformers']:.2f}x")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (above the core count: noisy timings)")
    print(f"ratio ours/transformers: {speed['ours'] / speed['transformers']:.2f}x")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
