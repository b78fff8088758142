"""The demo catalogue: every demo's name, book section, argument schema and where its code lives.

It is data, read without importing any demo's code (nor torch): checking a card's demo link, listing the
demos and drawing a demo's form need only this. ``Demo.run`` imports the implementation on first use. A new
demo is one entry here, one module with its ``@demo(name)`` function, and optionally a panel in the app.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.config import PRECISIONS
from tutor.demos.configs import CONFIG_NAMES


@dataclass(frozen=True)
class Arg:
    """One argument of a demo: its type, default and the values it accepts.

    ``minimum``/``maximum`` are inclusive, ``above`` is an exclusive lower bound (top_p > 0).
    ``choices`` may list aliases; ``non_empty`` rejects an empty string.
    """

    type: type[Any]
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    non_empty: bool = False
    # A value other than 0 must be at least this: temperature 0 is greedy, 1e-40 would overflow the logits.
    nonzero_minimum: float | None = None


@dataclass(frozen=True)
class Demo:
    name: str
    description: str
    chapter: int
    section: str
    args: dict[str, Arg]
    target: str  # "module:function", imported only when the demo runs
    streams: bool = False  # accepts progress= and cancel= (generate, pretrain)

    @property
    def defaults(self) -> dict[str, Any]:
        return {name: arg.default for name, arg in self.args.items()}

    @property
    def run(self) -> Callable[..., Any]:
        """The demo's function (its arguments checked against ``args``), imported on first use."""
        module, _, function = self.target.partition(":")
        return getattr(importlib.import_module(module), function)


MODES = ("simple", "trainable", "causal", "multi-head")  # chapter 3's attention mechanisms, in order
NOTES = "notes"  # pretrain's corpus: the decks' own text
PRESETS = ("book",)
# The opening of "The Verdict" (Edith Wharton, 1908), the text chapter 2 slides its window over.
VERDICT_OPENING = (
    "I HAD always thought Jack Gisburn rather a cheap genius--though a good fellow enough--so it was "
    "no great surprise to me to hear that, in the height of his glory, he had dropped his painting, "
    "married a rich widow, and established himself in a villa on the Riviera."
)

_CATALOGUE = (
    Demo(
        "attend",
        "Compute attention scores, the causal mask, weights per head and context vectors.",
        chapter=3,
        section="3.3-3.6 Attention mechanisms",
        args={
            "text": Arg(
                str,
                None,
                "text to attend over; leave it out for the book's 'Your journey starts with one step'",
                non_empty=True,
            ),
            "mode": Arg(
                str, "simple", "which mechanism (chapter 3 sections); ignored with weights", choices=MODES
            ),
            "heads": Arg(int, 2, "attention heads for multi-head mode", minimum=1, maximum=16),
            "dropout": Arg(
                float,
                0.0,
                "dropout rate on the attention weights (causal and multi-head)",
                minimum=0.0,
                maximum=0.95,
            ),
            "weights": Arg(
                str,
                None,
                "run a GPT instead: random, last, gpt2, a checkpoint or a GPT-2 folder",
                non_empty=True,
            ),
            "layer": Arg(int, 0, "which transformer block to show in detail (from 0)", minimum=0),
            "head": Arg(int, 0, "which head of that block to show in detail (from 0)", minimum=0),
        },
        target="tutor.demos.attention:attend",
    ),
    Demo(
        "embed",
        "Look token ids up in a seeded embedding matrix and add positional embeddings.",
        chapter=2,
        section="2.7 Creating token embeddings; 2.8 Encoding word positions",
        args={
            "text": Arg(
                str,
                None,
                "text to embed; leave it out for the book's ids [2, 3, 5, 1] in a vocabulary of 6",
                non_empty=True,
            ),
            "dimensions": Arg(
                int,
                None,
                "size of each vector (3 for the book's example, 256 for text as in 2.8)",
                minimum=1,
                maximum=4096,
            ),
        },
        target="tutor.demos.embeddings:embed",
    ),
    Demo(
        "generate",
        "Generate text token by token, with the top candidates and their probabilities at each step.",
        chapter=5,
        section="4.7 Generating text; 5.3 Decoding strategies (temperature, top-k)",
        args={
            "prompt": Arg(str, "Every effort moves you", "the text to continue", non_empty=True),
            "max_new_tokens": Arg(int, 20, "how many tokens to add", minimum=1, maximum=1024),
            "temperature": Arg(
                float,
                0.0,
                "0 picks the most likely token (greedy); higher is more random",
                minimum=0.0,
                maximum=100.0,
                nonzero_minimum=0.01,
            ),
            "top_k": Arg(int, None, "sample only among the k most likely tokens", minimum=1),
            "top_p": Arg(
                float,
                None,
                "sample only among the most likely tokens covering this probability",
                above=0.0,
                maximum=1.0,
            ),
            "seed": Arg(int, 123, "random seed for sampling (as torch.manual_seed)", minimum=0),
            "weights": Arg(
                str,
                None,
                "random, last, gpt2, a checkpoint or a GPT-2 folder (default: the config's)",
                non_empty=True,
            ),
            "precision": Arg(
                str,
                None,
                "the weights in fp32, bf16 (~2x faster) or int8 (~4x faster, odds a little off) "
                "(default: the config's, else fp32)",
                choices=PRECISIONS,
            ),
        },
        streams=True,
        target="tutor.demos.generation:generate",
    ),
    Demo(
        "model",
        "Count a GPT's parameters per component, with and without weight tying, and its memory.",
        chapter=4,
        section="4.6 Coding the GPT model",
        args={"config": Arg(str, "gpt2-small (124M)", "the model size", choices=CONFIG_NAMES)},
        target="tutor.demos.model_size:model",
    ),
    Demo(
        "pretrain",
        (
            "Train a small GPT live: step, tokens seen, training and validation loss, "
            "and a sample per evaluation."
        ),
        chapter=5,
        section="5.2 Training an LLM",
        args={
            "corpus": Arg(
                str, NOTES, "'notes' (the decks' own text) or the path of a UTF-8 text file", non_empty=True
            ),
            "config": Arg(
                str, None, "model size (default tiny; the book preset uses 124M)", choices=CONFIG_NAMES
            ),
            "steps": Arg(
                int,
                None,
                "stop after this many optimizer steps (default 200 for the small configs)",
                minimum=0,
                maximum=1_000_000,
            ),
            "epochs": Arg(int, None, "passes over the corpus (the book preset: 10)", minimum=1, maximum=1000),
            "seed": Arg(int, 123, "torch.manual_seed for the data order and the initial weights", minimum=0),
            "preset": Arg(
                str,
                None,
                "'book': chapter 5's setup (124M, context 256, AdamW 4e-4, 10 epochs)",
                choices=PRESETS,
            ),
        },
        streams=True,
        target="tutor.demos.pretraining:pretrain",
    ),
    Demo(
        "tokenize",
        "Split text into GPT-2 tokens: pieces, ids, and the words cut into sub-words.",
        chapter=2,
        section="2.5 Byte pair encoding",
        args={
            "text": Arg(
                str,
                "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace.",
                "the text to tokenize; <|endoftext|> counts as one special token",
                non_empty=True,
            ),
        },
        target="tutor.demos.tokens:tokenize",
    ),
    Demo(
        "window",
        "Slide a window over the tokens to make input/target pairs, batched like the book's data loader.",
        chapter=2,
        section="2.6 Data sampling with a sliding window",
        args={
            "text": Arg(
                str,
                VERDICT_OPENING,
                "the text to cut into windows (default: the opening of The Verdict)",
                non_empty=True,
            ),
            "max_length": Arg(
                int, 4, "tokens in each input window (the context size)", minimum=1, maximum=1024
            ),
            "stride": Arg(int, 1, "how many tokens the window moves each time", minimum=1, maximum=1024),
            "batch_size": Arg(int, 1, "windows in each batch", minimum=1, maximum=256),
        },
        target="tutor.demos.windows:window",
    ),
)
DEMOS: dict[str, Demo] = {demo.name: demo for demo in _CATALOGUE}
