"""``generate``: a GPT writes one token at a time, and shows the candidates it weighed (chapters 4-5).

The streaming form for the app::

    generation = open_generation(prompt="Every effort moves you", temperature=0.8, seed=7)
    generation.weights          # which model, before the first token
    for step in generation:     # GenerateStep objects; stop early whenever you like
        ...
    result = generation.result()
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from threading import Event

from tutor.demos.registry import Result, check_args, demo, get_demo

TOP_CANDIDATES = 5


def format_probability(probability: float) -> str:
    """A percentage that stays readable for an untrained model's tiny odds: 12.3%, 0.022%."""
    return f"{probability:.1%}" if probability >= 0.001 else f"{probability:.3%}"


@dataclass
class Candidate:
    token_id: int
    text: str
    probability: float  # in the distribution the token was drawn from (after top-k, temperature, top-p)


@dataclass
class GenerateStep:
    index: int  # 0 for the first new token
    token_id: int
    text: str
    probability: float
    candidates: list[Candidate]
    end_of_text: bool  # the model chose <|endoftext|>: generation stops and the token is not kept


@dataclass
class GenerateResult(Result):
    prompt: str
    prompt_ids: list[int]
    weights: str  # which model wrote this
    precision: str  # of its linear layers: fp32, bf16 or int8
    trained: bool  # False for the book's random weights: the text is gibberish
    temperature: float
    top_k: int | None
    top_p: float | None
    seed: int
    greedy: bool  # temperature 0: always the most likely token
    steps: list[GenerateStep]
    token_ids: list[int]  # prompt and new tokens
    generated_text: str
    text: str  # prompt + generated_text
    cancelled: bool
    stopped_at_end_of_text: bool
    elapsed_s: float
    tokens_per_second: float
    threads: int  # torch threads at the end (fewer when a busy core was found)
    notes: list[str] = field(default_factory=list)


class Generation:
    """A generation in progress: the model is loaded and the prompt checked; iterate to get the steps."""

    def __init__(self, prompt, max_new_tokens, temperature, top_k, top_p, seed, weights, precision=None):
        import torch

        from engine import END_OF_TEXT_ID, get_tokenizer
        from tutor.demos.weights import GIBBERISH, choose_precision, load_model

        self.loaded = load_model(weights, choose_precision(precision))
        self.precision = self.loaded.precision
        self.weights = self.loaded.label
        self.trained = self.loaded.trained
        self.settings = dict(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
        self.max_new_tokens = max_new_tokens
        self.tokenizer = get_tokenizer()
        self.prompt = prompt
        self.prompt_ids = self.tokenizer.encode(prompt, allowed_special="all")
        self.notes: list[str] = []
        if not self.trained:
            self.notes.append(GIBBERISH)
        context = self.loaded.config["context_length"]
        if len(self.prompt_ids) + max_new_tokens > context:
            self.notes.append(
                f"The prompt has {len(self.prompt_ids):,} tokens and the model's context holds {context:,}: "
                f"each step sees only the last {context:,} tokens."
            )
        self.steps: list[GenerateStep] = []
        self.cancelled = False
        self._eos = END_OF_TEXT_ID
        self._generator = torch.Generator().manual_seed(seed)  # the book's torch.manual_seed(seed) draws
        self._started = time.perf_counter()
        self._elapsed = 0.0
        self.threads = 0  # torch threads, chosen when generation starts (tutor/demos/threads.py)

    def __iter__(self) -> Iterator[GenerateStep]:
        import torch

        from engine import generate_stream
        from tutor.demos.threads import ThreadGuard, choose_threads, torch_threads

        idx = torch.tensor([self.prompt_ids])  # (1, num_tokens)
        self.threads = choose_threads()  # as many as there are idle cores: a busy one would stall the rest
        guard = ThreadGuard(self.threads)
        self._started = time.perf_counter()
        with torch_threads(self.threads):
            stream = generate_stream(
                self.loaded.model,
                idx,
                max_new_tokens=self.max_new_tokens,
                context_size=self.loaded.config["context_length"],
                temperature=self.settings["temperature"],
                top_k=self.settings["top_k"],
                top_p=self.settings["top_p"],
                eos_id=self._eos,
                top_n=TOP_CANDIDATES,
                generator=self._generator,
                tokenizer=self.tokenizer,
            )
            while True:
                began = time.perf_counter()  # time the model's step only, not what the caller does
                raw = next(stream, None)
                if raw is None:
                    break
                if guard.after_step(time.perf_counter() - began) != self.threads:
                    self.threads = guard.threads  # a core got busy mid-run: one thread from here on
                    torch.set_num_threads(self.threads)
                step = GenerateStep(
                    raw.index,
                    raw.token_id,
                    raw.text,
                    raw.probability,
                    [Candidate(c.token_id, c.text, c.probability) for c in raw.candidates],
                    raw.end_of_text,
                )
                self.steps.append(step)
                self._elapsed = time.perf_counter() - self._started
                yield step

    def result(self) -> GenerateResult:
        """What has been generated so far (the whole text once the iteration has run to its end)."""
        kept = [step for step in self.steps if not step.end_of_text]
        ended = bool(self.steps) and self.steps[-1].end_of_text
        stopped_early = len(self.steps) < self.max_new_tokens and not ended
        generated = self.tokenizer.decode([step.token_id for step in kept])
        return GenerateResult(
            prompt=self.prompt,
            prompt_ids=list(self.prompt_ids),
            weights=self.weights,
            precision=self.precision,
            trained=self.trained,
            temperature=self.settings["temperature"],
            top_k=self.settings["top_k"],
            top_p=self.settings["top_p"],
            seed=self.settings["seed"],
            greedy=self.settings["temperature"] == 0,
            steps=list(self.steps),
            token_ids=list(self.prompt_ids) + [step.token_id for step in kept],
            generated_text=generated,
            text=self.prompt + generated,
            cancelled=self.cancelled or stopped_early,
            stopped_at_end_of_text=ended,
            elapsed_s=self._elapsed,
            tokens_per_second=len(self.steps) / self._elapsed if self._elapsed > 0 else 0.0,
            threads=self.threads,
            notes=list(self.notes),
        )


def open_generation(**args) -> Generation:
    """Check the arguments (as ``generate`` does), load the model, and return the steps to iterate."""
    values = check_args(get_demo("generate"), args)
    return Generation(**values)


@demo("generate")
def generate(
    prompt: str,
    max_new_tokens: int,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    seed: int,
    weights: str | None,
    precision: str | None,
    progress: Callable[[GenerateStep], None] | None = None,
    cancel: Event | None = None,
) -> GenerateResult:
    generation = Generation(prompt, max_new_tokens, temperature, top_k, top_p, seed, weights, precision)
    for step in generation:
        if progress is not None:
            progress(step)
        if cancel is not None and cancel.is_set():
            generation.cancelled = True
            break
    return generation.result()
