"""Training speed: our GPTModel against Hugging Face transformers' GPT2LMHeadModel.

Both get the same small GPT-2 config (GPT-2's vocabulary and architecture: qkv bias, tied head) and the same
starting weights (transformers builds them with a fixed seed; ours are mapped from its state dict by
``engine.weights``), the same batches of "The Verdict" (the book's chapter-5 text) and the same loss
(cross-entropy of the logits against the next tokens) and AdamW settings. After a few warm-up steps each side
trains ``--steps`` steps ``--repeats`` times, interleaved; its best round counts (the machine is shared).
With ``--drop-rate 0`` the first losses must agree, which shows both do the same work. The ratio (ours /
theirs, higher is better) is printed last.

    python bench/train.py [--threads N] [--batch-size 4] [--context 128] [--drop-rate 0.1]
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import transformers

from engine import GPTModel, create_dataloader_v1, gpt_model_from_gpt2_tensors, make_fast

VERDICT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "the-verdict.txt"


def batches(batch_size: int, context: int):
    """Endless (inputs, targets) batches of the-verdict, or of a fixed random text if it is not there."""
    if VERDICT.is_file():
        text = VERDICT.read_text(encoding="utf-8")
    else:
        generator = torch.Generator().manual_seed(0)
        text = " ".join(f"w{int(i)}" for i in torch.randint(0, 500, (20_000,), generator=generator))
    loader = create_dataloader_v1(text, batch_size, context, context, shuffle=False, drop_last=True)
    return itertools.cycle(list(loader))


def train_steps(model, optimizer, data, steps: int) -> list[float]:
    losses = []
    for _ in range(steps):
        inputs, targets = next(data)
        optimizer.zero_grad()
        logits = model(inputs)
        logits = getattr(logits, "logits", logits)  # transformers wraps its logits in an output object
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--context", type=int, default=128)
    parser.add_argument("--emb-dim", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--drop-rate", type=float, default=0.1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()

    torch.manual_seed(123)
    hf_config = transformers.GPT2Config(
        n_layer=args.layers,
        n_head=args.heads,
        n_embd=args.emb_dim,
        n_positions=args.context,
        resid_pdrop=args.drop_rate,
        embd_pdrop=args.drop_rate,
        attn_pdrop=args.drop_rate,
    )
    theirs = transformers.GPT2LMHeadModel(hf_config).train()
    loaded, config = gpt_model_from_gpt2_tensors(theirs.state_dict(), n_heads=args.heads)
    config = {**config, "drop_rate": args.drop_rate}
    # the book's model with GPT-2's settings, on the fast path as the pretrain demo trains it
    ours = make_fast(GPTModel(config), layout=False)
    ours.load_state_dict(loaded.state_dict())
    ours.out_head.weight = ours.tok_emb.weight  # tied, like GPT-2, so both train the same parameters
    ours.train()
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())

    def adamw(model):
        return torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)

    sides = {
        "ours": (ours, adamw(ours), batches(args.batch_size, args.context)),
        "transformers": (theirs, adamw(theirs), batches(args.batch_size, args.context)),
    }
    first_losses = {name: train_steps(*side, args.warmup)[0] for name, side in sides.items()}
    best = {name: float("inf") for name in sides}
    best_cpu = dict(best)
    for round_index in range(args.repeats):
        order = list(sides.items())
        for name, side in order if round_index % 2 == 0 else order[::-1]:  # neither side always goes first
            start, start_cpu = time.perf_counter(), time.process_time()
            train_steps(*side, args.steps)
            best[name] = min(best[name], time.perf_counter() - start)
            best_cpu[name] = min(best_cpu[name], time.process_time() - start_cpu)

    tokens = args.steps * args.batch_size * args.context
    speed = {name: tokens / seconds for name, seconds in best.items()}
    cpu_speed = {name: tokens / seconds for name, seconds in best_cpu.items()}
    parameters = sum(p.numel() for p in ours.parameters())
    print(
        f"GPT-2 architecture, {args.layers} layers, {args.heads} heads, width {args.emb_dim}, context "
        f"{args.context} ({parameters / 1e6:.1f}M parameters, tied head), drop rate {args.drop_rate}, "
        f"batch {args.batch_size}, AdamW, {args.threads} threads, best of {args.repeats} x {args.steps} steps"
    )
    print(f"first loss: ours {first_losses['ours']:.4f}, transformers {first_losses['transformers']:.4f}")
    # Tokens per CPU-second as well: on a shared machine it moves less than the wall clock does.
    for name, label in (("ours", "ours (GPTModel)"), ("transformers", "transformers (GPT2LMHeadModel)")):
        print(f"{label:32s} {speed[name]:8.0f} tokens/s   ({cpu_speed[name]:.0f} per CPU-second)")
    print(f"ratio per CPU-second: {cpu_speed['ours'] / cpu_speed['transformers']:.2f}x")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (above the core count: noisy timings)")
    print(f"ratio ours/transformers: {speed['ours'] / speed['transformers']:.2f}x")


if __name__ == "__main__":
    main()
