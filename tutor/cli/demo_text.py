"""Readable text for demo results at the shell (``tutor demo NAME``); ``--json`` prints the result instead."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from tutor.demos.generation import format_probability
from tutor.demos.tokens import visible
from tutor.wording import clip, plural

MAX_ROWS = 24  # rows of a matrix or a table printed before "…"
MAX_COLUMNS = 8


def _number(value: float | None) -> str:
    return "-inf" if value is None else f"{value:.4f}"


def matrix_text(
    rows: Sequence[Sequence[float | None]],
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
) -> str:
    shown_rows = list(rows[:MAX_ROWS])
    width = len(rows[0]) if rows else 0
    columns = min(width, MAX_COLUMNS)
    labels = [clip(label, 16) for label in (row_labels or [""] * len(shown_rows))]
    pad = max((len(label) for label in labels), default=0)
    lines = []
    if column_labels:
        head = [f"{clip(visible(label), 8):>8}" for label in column_labels[:columns]]
        lines.append(" " * (pad + 2) + " ".join(head) + (" …" if width > columns else ""))
    for label, row in zip(labels, shown_rows, strict=False):
        cells = " ".join(f"{_number(v):>8}" for v in row[:columns])
        lines.append(f"{label:<{pad}}  {cells}" + (" …" if width > columns else ""))
    if len(rows) > MAX_ROWS:
        lines.append(f"… {len(rows) - MAX_ROWS} more rows")
    return "\n".join(lines)


def _notes(result) -> list[str]:
    return [f"Note: {note}" for note in getattr(result, "notes", [])]


def render_tokenize(result) -> str:
    lines = [
        f"{plural(result.count, 'token')} for {plural(len(result.text), 'character')} "
        f"({plural(result.word_count, 'word')})",
        "",
    ]
    shown = result.tokens[:200]
    width = max(len(visible(t.text)) for t in shown)
    for token in shown:
        mark = "  (special)" if token.special else ""
        lines.append(f"  {visible(token.text):<{width}}  {token.id:>6}  [{token.start}:{token.end}]{mark}")
    if result.count > len(shown):
        lines.append(f"  … {result.count - len(shown):,} more tokens")
    if result.split_words:
        lines += ["", "Words split into sub-words:"]
        for word in result.split_words[:40]:
            lines.append(f"  {word.word} -> {' | '.join(word.pieces)}  ({', '.join(map(str, word.ids))})")
        if len(result.split_words) > 40:
            lines.append(f"  … {len(result.split_words) - 40} more")
    return "\n".join(lines + _notes(result))


def render_embed(result) -> str:
    labels = [
        f"{i}:{visible(t)}" if t else str(i) for i, t in zip(result.token_ids, result.tokens, strict=True)
    ]
    lines = [
        f"Embedding matrix {result.shapes['embedding_matrix']} (vocabulary x dimensions), "
        f"torch.manual_seed({result.seed})",
    ]
    if result.weight_matrix is not None:
        lines.append(matrix_text(result.weight_matrix, [str(i) for i in range(result.vocab_size)]))
    lines.append("")
    for title, key in (
        ("Token embeddings", "token_embeddings"),
        ("Positional embeddings", "positional_embeddings"),
        ("Input embeddings = token + positional", "input_embeddings"),
    ):
        rows = getattr(result, key)
        label = labels if key != "positional_embeddings" else [f"pos {i}" for i in range(len(rows))]
        lines += [f"{title} {result.shapes[key]}", matrix_text(rows, label), ""]
    return "\n".join(lines + _notes(result))


def render_window(result) -> str:
    lines = [
        f"{result.token_count:,} tokens -> {result.window_count:,} windows of {result.max_length} "
        f"(stride {result.stride}) -> {result.batch_count:,} batches of {result.batch_size}; "
        f"inputs and targets are each {result.shapes['inputs']}",
        "",
        "Next-token prediction inside the first window:",
    ]
    for step in result.first_window_steps:
        lines.append(
            f"  {step.context_text!r} ----> {step.target_text!r}    {step.context} ----> {step.target}"
        )
    for number, batch in enumerate(result.batches[:4], start=1):
        lines += ["", f"Batch {number}:"]
        for pair in batch:
            lines.append(f"  inputs  {pair.inputs}  {''.join(pair.input_pieces)!r}")
            lines.append(f"  targets {pair.targets}  {''.join(pair.target_pieces)!r}")
    if len(result.batches) > 4:
        lines.append(f"… {len(result.batches) - 4} more batches in --json")
    return "\n".join(lines + [""] + _notes(result))


def render_attend(result) -> str:
    lines = [f"{result.section}"]
    if result.weights:
        lines.append(f"Weights: {result.weights}")
        lines.append(
            f"{result.num_layers} layers x {result.num_heads} heads (every one in --json); "
            f"showing layer {result.layer}, head {result.head}"
        )
    tokens = [visible(token) for token in result.tokens]
    if result.inputs is not None:
        lines += ["", "Inputs", matrix_text(result.inputs, tokens)]
    for head in result.heads:
        name = f"head {head.head}" if result.num_heads > 1 or head.layer is not None else "attention"
        lines += ["", f"Scores ({name})", matrix_text(head.scores, tokens, tokens)]
        if head.masked_scores is not None:
            lines += [
                "",
                f"Masked scores ({name}): -inf above the diagonal",
                matrix_text(head.masked_scores, tokens, tokens),
            ]
        lines += [
            "",
            f"Attention weights ({name}): each row sums to 1",
            matrix_text(head.weights, tokens, tokens),
        ]
        if head.dropped_weights is not None:
            lines += [
                "",
                f"After dropout {result.dropout:g} (kept weights scaled by 1/(1-p))",
                matrix_text(head.dropped_weights, tokens, tokens),
            ]
    if result.context_vectors is not None:
        lines += ["", "Context vectors", matrix_text(result.context_vectors, tokens)]
    query = tokens[result.query]
    lines += [
        "",
        f"Query {result.query + 1} ({query!r}):",
        "  scores  " + " ".join(_number(v) for v in result.query_scores),
        "  weights " + " ".join(_number(v) for v in result.query_weights),
    ]
    if result.query_context is not None:
        lines.append("  context " + " ".join(_number(v) for v in result.query_context))
    return "\n".join(lines + [""] + _notes(result))


def render_model(result) -> str:
    lines = [f"{result.config_name}: " + ", ".join(f"{k}={v}" for k, v in result.config.items()), ""]
    width = max(len(c.description) for c in result.components)
    for part in result.components:
        copies = f" ({part.per_copy:,} x {part.copies})" if part.copies > 1 else ""
        lines.append(f"  {part.description:<{width}}  {part.parameters:>14,}{copies}")
    lines += [
        "",
        f"  {'total (token embedding and output head separate)':<{width}}  {result.total_parameters:>14,}",
        f"  {'total with the output head tied (as GPT-2)':<{width}}  {result.tied_parameters:>14,}",
        f"  {'memory, float32':<{width}}  {result.memory_mb:>11,.2f} MB"
        f"  (tied: {result.tied_memory_mb:,.2f} MB)",
        "",
    ]
    return "\n".join(lines + _notes(result))


def render_generate(result) -> str:
    lines = [f"Weights: {result.weights}", ""]
    lines.append(result.prompt + "\u2192" + result.generated_text)
    how = (
        "greedy (temperature 0)"
        if result.greedy
        else f"temperature {result.temperature:g}, seed {result.seed}"
    )
    if result.top_k is not None:
        how += f", top-k {result.top_k}"
    if result.top_p is not None:
        how += f", top-p {result.top_p:g}"
    lines += ["", f"Each step ({how}): the chosen token and the top candidates"]
    for step in result.steps[: MAX_ROWS * 2]:
        candidates = "  ".join(
            f"{visible(c.text)} {format_probability(c.probability)}" for c in step.candidates
        )
        lines.append(
            f"  {step.index + 1:>3}. {visible(step.text):<14} "
            f"{format_probability(step.probability):>7}  | {candidates}"
        )
    if len(result.steps) > MAX_ROWS * 2:
        lines.append(f"  … {len(result.steps) - MAX_ROWS * 2} more steps in --json")
    lines.append("")
    lines.append(
        f"{len(result.steps)} tokens in {result.elapsed_s:.2f} s ({result.tokens_per_second:,.1f} tokens/s"
        f" on {result.threads} thread{'s' if result.threads != 1 else ''})"
    )
    if result.cancelled:
        lines.append("Stopped before the last token.")
    if result.stopped_at_end_of_text:
        lines.append("The model chose <|endoftext|>: it considers the text finished.")
    return "\n".join(lines + _notes(result))


def render_pretrain(result) -> str:
    first = result.history[0]
    lines = [
        f"Trained {result.config_name} ({result.parameters:,} parameters) on {result.corpus}: "
        f"{result.train_tokens:,} training and {result.val_tokens:,} validation tokens",
        f"{result.steps} steps, {result.tokens_seen:,} tokens seen, {result.elapsed_s:.1f} s",
        f"Validation loss {first.val_loss:.3f} -> {result.final_val_loss:.3f} "
        f"(training loss {first.train_loss:.3f} -> {result.final_train_loss:.3f})",
        f"Sample: {result.sample}",
    ]
    if result.checkpoint:
        lines.append(f"Checkpoint: {result.checkpoint}")
        lines.append(f"Try it: tutor demo generate --weights {result.checkpoint}")
    return "\n".join(lines + _notes(result))


RENDERERS: dict[str, Callable] = {
    "GenerateResult": render_generate,
    "PretrainResult": render_pretrain,
    "TokenizeResult": render_tokenize,
    "EmbedResult": render_embed,
    "WindowResult": render_window,
    "AttendResult": render_attend,
    "ModelResult": render_model,
}


def render(result) -> str:
    return RENDERERS[type(result).__name__](result)


class ProgressPrinter:
    """Streaming demos call this from their worker thread: a generated token, or a training evaluation
    (an evaluation's sample can arrive later, as a second update for the same step)."""

    def __init__(self) -> None:
        self.last_step: int | None = None

    def __call__(self, update) -> None:
        kind = type(update).__name__
        if kind == "GenerateStep":
            sys.stderr.write(update.text)  # the text as it streams in; the full result follows on stdout
            sys.stderr.flush()
        elif kind == "PretrainProgress":
            sample = (update.sample or "").replace("\n", " ")[:70]
            if update.step == self.last_step:
                if sample:
                    print(f"{'':>11}sample: {sample}", flush=True)
                return
            self.last_step = update.step
            print(
                f"step {update.step:>5}  tokens {update.tokens_seen:>9,}  train {update.train_loss:.3f}  "
                f"val {update.val_loss:.3f}" + (f"  | {sample}" if sample else ""),
                flush=True,
            )
