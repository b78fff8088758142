"""Demo answer times: ``attend`` on 64 tokens of GPT-2 124M, and ``tokenize`` on 1 MB of text.

Targets: attend answers in under 300 ms (the model already loaded, as in the app), tokenize handles 1 MB in
under 1 s. Peers, in the same run and on the same threads:
  attend    transformers' GPT2Model with ``output_attentions=True`` on the same architecture and 64 tokens,
            its weights turned into plain lists as the demo hands them over
  tokenize  tiktoken itself: ``encode`` plus ``decode_with_offsets`` (ids and character offsets)
Each side runs ``--repeats`` times, in turns, and its best run counts (the machine is shared). Ratios are
peer time / our time (above 1: the demo is faster); the last line prints them.

    python bench/demos.py [--threads N] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

VERDICT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "the-verdict.txt"


def best_of(repeats: int, ours, theirs) -> tuple[float, float]:
    """Best times of the two, run in turns so both see the same moments of a shared machine."""
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    for _ in range(repeats):
        for name, run in (("ours", ours), ("theirs", theirs)):
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return min(times["ours"]), min(times["theirs"])


def bench_attend(repeats: int) -> float:
    import transformers

    from tutor.demos import attend
    from tutor.demos import weights as demo_weights

    transformers.logging.set_verbosity_error()
    text = "word" + " word" * 63  # 64 tokens
    started = time.perf_counter()
    result = attend(text=text, weights="random")
    print(f"attend: first call {time.perf_counter() - started:.2f} s (builds the seeded 124M model)")
    assert len(result.tokens) == 64 and len(result.all_weights) == 12

    # The same architecture with transformers' own random weights: the time does not depend on the values.
    torch.manual_seed(123)
    config = transformers.GPT2Config(attn_implementation="eager")  # weights out need the eager path
    theirs = transformers.GPT2Model(config).eval()
    ids = torch.tensor([result.token_ids])

    def run_theirs():  # the same answer as the demo's: every layer's and head's weights as plain lists
        with torch.inference_mode():
            return torch.stack(
                [layer[0] for layer in theirs(ids, output_attentions=True).attentions]
            ).tolist()

    ours, peer = best_of(repeats, lambda: attend(text=text, weights="random"), run_theirs)
    print(
        f"attend, 64 tokens, 12 layers x 12 heads: ours {ours * 1000:.0f} ms (target < 300 ms), "
        f"transformers {peer * 1000:.0f} ms"
    )
    demo_weights.forget_model()
    return peer / ours


def bench_tokenize(repeats: int) -> float:
    from engine import get_tokenizer
    from tutor.demos import tokenize

    text = VERDICT.read_text(encoding="utf-8")
    megabyte = (text * (1_000_000 // len(text) + 1))[:1_000_000]
    tokenizer = get_tokenizer()
    tokenize("warm up")

    def run_peer():
        ids = tokenizer.encode(megabyte, allowed_special="all")
        return tokenizer.decode_with_offsets(ids)

    ours, peer = best_of(repeats, lambda: tokenize(megabyte), run_peer)
    count = tokenize(megabyte).count
    print(
        f"tokenize, 1 MB ({count:,} tokens, pieces, spans and split words): ours {ours:.3f} s "
        f"(target < 1 s), tiktoken encode + decode_with_offsets {peer:.3f} s"
    )
    return peer / ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"threads: {args.threads}")
    tokenize_ratio = bench_tokenize(args.repeats)
    attend_ratio = bench_attend(args.repeats)
    print(f"ratio (peer time / ours): attend {attend_ratio:.2f}x, tokenize {tokenize_ratio:.2f}x")


if __name__ == "__main__":
    main()
