"""``window``: a sliding window turns a text into input/target pairs for next-token prediction (2.6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from tutor.demos.registry import Result, demo
from tutor.demos.seeding import generator_untouched
from tutor.errors import TutorError

MAX_PAIRS_SHOWN = 64
MAX_TOKENS = 20_000


@dataclass
class WindowPair:
    inputs: list[int]
    targets: list[int]  # the inputs shifted one token to the right
    input_pieces: list[str]
    target_pieces: list[str]


@dataclass
class NextTokenStep:
    """Section 2.6's "context ----> desired": the first window read one token at a time."""

    context: list[int]
    target: int
    context_text: str
    target_text: str


@dataclass
class WindowResult(Result):
    text: str
    token_count: int
    max_length: int
    stride: int
    batch_size: int
    window_count: int  # all windows in the text
    batch_count: int  # full batches (the last, partial one is dropped, as the book's loader does)
    batches: list[list[WindowPair]]  # the first batches, up to MAX_PAIRS_SHOWN pairs
    first_window_steps: list[NextTokenStep]
    shapes: dict[str, list[int]]
    notes: list[str] = field(default_factory=list)


@demo("window")
def window(text: str, max_length: int, stride: int, batch_size: int) -> WindowResult:
    from engine import create_dataloader_v1, get_tokenizer

    tokenizer = get_tokenizer()
    notes = []
    ids = tokenizer.encode(text, allowed_special="all")
    if len(ids) > MAX_TOKENS:  # every window is a tensor of its own: a book's worth at stride 1 is slow
        notes.append(f"The text has {len(ids):,} tokens; windows are cut from the first {MAX_TOKENS:,}.")
        ids = ids[:MAX_TOKENS]
        text = tokenizer.decode(ids)
    token_count = len(ids)
    if token_count < max_length + 1:
        raise TutorError(
            f"The text has {token_count} token{'s' if token_count != 1 else ''}; a window of max_length "
            f"{max_length} needs at least {max_length + 1} "
            "(the inputs plus one more token as the last target): "
            "give a longer text or a smaller max_length."
        )
    loader = create_dataloader_v1(
        text, batch_size=batch_size, max_length=max_length, stride=stride, shuffle=False, drop_last=True
    )
    dataset = loader.dataset
    if len(loader) == 0:
        notes.append(
            f"The text gives {len(dataset)} window{'s' if len(dataset) != 1 else ''}, "
            "fewer than one batch of "
            f"{batch_size}; the book's loader drops an incomplete batch, so training would see none."
        )
    batches, shown = [], 0
    with generator_untouched():  # iterating a DataLoader draws a seed from torch's global generator
        first_batches = list(islice(loader, MAX_PAIRS_SHOWN))
    for inputs, targets in first_batches:  # each (batch_size, max_length)
        if shown >= MAX_PAIRS_SHOWN:
            break
        batch = []
        for row_in, row_out in zip(inputs.tolist(), targets.tolist(), strict=True):
            batch.append(
                WindowPair(
                    row_in,
                    row_out,
                    [tokenizer.decode([i]) for i in row_in],
                    [tokenizer.decode([i]) for i in row_out],
                )
            )
        batches.append(batch)
        shown += len(batch)
    if len(loader) * batch_size > shown:
        notes.append(f"Showing the first {shown} of {len(loader) * batch_size} windows in full batches.")
    first = dataset.input_ids[0].tolist() + [dataset.target_ids[0].tolist()[-1]]
    steps = [
        NextTokenStep(first[:i], first[i], tokenizer.decode(first[:i]), tokenizer.decode([first[i]]))
        for i in range(1, max_length + 1)
    ]
    if stride < max_length:
        notes.append(
            f"The stride ({stride}) is shorter than the window ({max_length}): windows overlap, "
            "which can make a model overfit; the book uses stride = max_length for training."
        )
    return WindowResult(
        text=text,
        token_count=token_count,
        max_length=max_length,
        stride=stride,
        batch_size=batch_size,
        window_count=len(dataset),
        batch_count=len(loader),
        batches=batches,
        first_window_steps=steps,
        shapes={"inputs": [batch_size, max_length], "targets": [batch_size, max_length]},
        notes=notes,
    )
