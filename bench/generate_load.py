"""Generation under load: a busy core must not collapse the generate demo.

GPT-2 124M (the book's seeded random weights, as the demo loads them) continues a 16-token prompt
greedily. First on a quiet machine with 1 and with every usable thread; then with a background process
spinning on one core, with those fixed counts and with the demo's own choice (``tutor demo generate``'s
path: tutor/demos/threads.py counts the idle cores before it starts). The ratio printed last is the demo
under load against the quiet 1-thread rate (the target is at least 0.8x).

    python bench/generate_load.py [--new-tokens 64] [--repeats 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import torch

from engine import generate, get_tokenizer
from tutor.demos import run_demo
from tutor.demos.threads import torch_threads, usable_cores
from tutor.demos.weights import load_model

PROMPT = "Every effort moves you closer to the goal, and every token the model reads costs it time, so"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    cores = len(usable_cores())
    loaded = load_model("random")
    prompt_ids = get_tokenizer().encode(PROMPT)[:16]
    prompt = torch.tensor([prompt_ids])

    text = get_tokenizer().decode(prompt_ids)

    def fixed(threads: int):
        def run() -> tuple[float, int]:
            with torch_threads(threads):
                start = time.perf_counter()
                generate(loaded.model, prompt, args.new_tokens, 1024)
                return args.new_tokens / (time.perf_counter() - start), threads

        return run

    def demo() -> tuple[float, int]:
        result = run_demo("generate", prompt=text, max_new_tokens=args.new_tokens)
        return result.tokens_per_second, result.threads

    runners = {"1 thread fixed": fixed(1)}
    if cores > 1:
        runners[f"{cores} threads fixed"] = fixed(cores)
    runners["the demo's choice"] = demo

    def measure() -> dict[str, tuple[float, int]]:
        """Best tokens/s of each runner (and the threads of that run), interleaved round by round."""
        best: dict[str, tuple[float, int]] = {name: (0.0, 0) for name in runners}
        with torch_threads(1):  # warm-up
            generate(loaded.model, prompt, 4, 1024)
        for round_index in range(args.repeats):
            names = list(runners) if round_index % 2 == 0 else list(runners)[::-1]
            for name in names:
                best[name] = max(best[name], runners[name]())
        return best

    print(
        f"GPT-2 124M (random), greedy, 16-token prompt, {args.new_tokens} new tokens, "
        f"best of {args.repeats} runs, interleaved"
    )
    print(f"machine: {os.cpu_count()} cores ({cores} usable), load average {os.getloadavg()[0]:.1f} at start")
    quiet = measure()
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])  # one core taken
    try:
        time.sleep(1.0)  # let it settle on its core
        under_load = measure()
    finally:
        busy.kill()
        busy.wait()
    clean = quiet["1 thread fixed"][0]
    for label, rates in (("quiet", quiet), ("1 core busy", under_load)):
        for name, (rate, threads) in rates.items():
            chosen = f" ({threads})" if name == "the demo's choice" else ""
            print(f"{label + ', ' + name + chosen:36s} {rate:7.1f} tokens/s   ({rate / clean:.2f}x quiet)")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (the busy process adds 1)")
    demo_loaded = under_load["the demo's choice"][0]
    print(f"ratio demo under load / quiet 1 thread: {demo_loaded / clean:.2f}x")


if __name__ == "__main__":
    main()
