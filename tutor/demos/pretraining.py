"""``pretrain``: train a small GPT live on the decks' own notes and watch the loss fall (chapter 5).

The loop is the engine's ``train_model_simple`` (the book's): this module picks the corpus and the settings,
reports each evaluation, saves checkpoints in the tutor's data folder, and stops on a ``threading.Event``
(keeping a checkpoint of the model as it was).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sized
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING, cast

from tutor.demos.catalogue import NOTES
from tutor.demos.checkpoints import RUNS_KEPT, RunCheckpoints, prune_runs
from tutor.demos.registry import Result, demo
from tutor.demos.seeding import GLOBAL_GENERATOR, LockedDraws
from tutor.errors import TutorError
from tutor.regular_files import NotReadable, read_regular

if TYPE_CHECKING:
    from torch.utils.data import DataLoader

_IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\([^)]*\)")  # ![alt text](path) in markdown
_EMPTY_BULLET = re.compile(r"^[ \t]*[-*+][ \t]*\n", re.MULTILINE)  # a list item that held only an image
SAVE_EVERY_EVAL_BELOW = 50_000_000  # parameters; bigger models save at epoch ends and when stopped
MAX_CORPUS_BYTES = 32 * 1024 * 1024  # the book's corpus is 20 KB; a CPU demo trains on no more than this


@dataclass(frozen=True)
class Settings:
    config: str
    steps: int | None
    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    eval_freq: int
    eval_iter: int
    start_context: str


# Section 5.2: GPT-124M (at context 256), AdamW 4e-4 with weight decay 0.1, 10 epochs, batches of 2.
BOOK_SETTINGS = Settings("gpt2-small (124M)", None, 10, 2, 4e-4, 0.1, 5, 5, "Every effort moves you")
# Small models take a larger step (5e-3): the loss falls within the first minute on two cores. The run
# stops after ``steps`` (200 unless epochs are asked for).
SMALL_SETTINGS = Settings("tiny", 200, 1000, 8, 5e-3, 0.1, 10, 2, "Attention is")


def _settings(preset: str | None, config: str | None, steps: int | None, epochs: int | None) -> Settings:
    base = BOOK_SETTINGS if preset == "book" else SMALL_SETTINGS
    if steps is None and epochs is None:  # given epochs, as many steps as they take
        steps = base.steps
    return replace(base, config=config or base.config, steps=steps, epochs=epochs or base.epochs)


@dataclass
class PretrainProgress:
    step: int  # optimizer steps done (0: before training)
    total_steps: int  # planned (for a progress bar)
    epoch: int
    tokens_seen: int
    train_loss: float
    val_loss: float
    sample: str | None  # greedy text from the start context (None when not sampled at this evaluation)
    elapsed_s: float


@dataclass
class PretrainResult(Result):
    config_name: str
    config: dict
    parameters: int
    corpus: str  # "the decks' notes" or the file's path
    corpus_characters: int
    train_tokens: int
    val_tokens: int
    seed: int
    preset: str | None
    settings: dict
    history: list[PretrainProgress]  # one entry per evaluation, the first before training
    steps: int
    tokens_seen: int
    initial_val_loss: float
    final_train_loss: float
    final_val_loss: float
    sample: str
    checkpoint: str | None  # where the model was saved (use it as generate's or attend's weights)
    cancelled: bool
    elapsed_s: float
    notes: list[str] = field(default_factory=list)


def overfitting_note(history: list[PretrainProgress]) -> str | None:
    """A sentence when the validation loss has risen from its best while the training loss kept falling."""
    best = min(history, key=lambda entry: entry.val_loss)
    last = history[-1]
    if last.val_loss > best.val_loss + 0.1 and last.train_loss < best.train_loss:
        return (
            f"The validation loss was lowest ({best.val_loss:.3f}) at step {best.step} and has risen since, "
            "while the training loss kept falling: the model is memorising its corpus (overfitting, 5.2)."
        )
    return None


def notes_corpus() -> str:
    """The bundled and the learner's decks as one text: titles, notes, questions and answers."""
    from tutor.decks import load_decks

    decks, _ = load_decks()
    parts = []
    for deck in decks:
        parts.append(f"# {deck.title}\n\n{deck.notes}".strip())
        for card in deck.cards:
            parts.append(f"{card.question}\n\n{card.answer}".strip())
    text = "\n\n".join(part for part in parts if part)
    # An image's file path is not prose worth learning; its alt text is, unless it is a placeholder.
    text = _IMAGE_LINK.sub(lambda link: "" if _is_placeholder(link[1]) else link[1], text)
    return _EMPTY_BULLET.sub("", text)


def _is_placeholder(alt: str) -> bool:
    return alt.strip().lower() in {"", "alt text", "alt", "image", "img", "picture", "screenshot"}


def _corpus(corpus: str) -> tuple[str, str]:
    if corpus == NOTES:
        text = notes_corpus()
        if not text.strip():
            raise TutorError("The decks hold no notes to train on: import notes first, or pass corpus=PATH.")
        return text, "the decks' notes"
    path = Path(corpus).expanduser()
    if not path.exists():
        raise TutorError(f"Corpus file {path} does not exist: give a UTF-8 text file or 'notes'.")
    try:
        # Only a regular file, and not more than a CPU trains on in a demo (never /dev/zero or a FIFO).
        return read_regular(path, MAX_CORPUS_BYTES).decode("utf-8"), str(path)
    except NotReadable as error:
        raise TutorError(f"Corpus file {path} {error}; give a UTF-8 text file or 'notes'.") from None
    except UnicodeDecodeError as error:
        raise TutorError(f"Corpus file {path} cannot be read as UTF-8 text ({error}).") from None


@dataclass
class TrainingPlan:
    """What a run will train: settings, model config and the book's data loaders (section 5.1.3)."""

    settings: Settings
    config_name: str
    config: dict
    corpus: str
    corpus_characters: int
    train_loader: DataLoader  # DataLoader of (batch_size, context_length) windows, shuffled
    val_loader: DataLoader

    @property
    def train_tokens(self) -> int:  # what the book prints as "Training tokens"
        return len(self.train_loader) * self.settings.batch_size * self.config["context_length"]

    @property
    def val_tokens(self) -> int:
        return len(cast(Sized, self.val_loader.dataset)) * self.config["context_length"]


def plan_training(
    corpus: str, config: str | None, steps: int | None, epochs: int | None, seed: int, preset: str | None
) -> TrainingPlan:
    """Read the corpus, split it 90/10 by characters and build the loaders, as section 5.1.3 does."""
    import torch

    from engine import create_dataloader_v1, get_tokenizer
    from tutor.demos.configs import resolve_config

    settings = _settings(preset, config, steps, epochs)
    config_name, cfg = resolve_config(settings.config)
    if preset == "book":
        cfg["context_length"] = 256  # section 5.1: shorter than GPT-2's 1024 to train on a laptop
    text, corpus_label = _corpus(corpus)
    tokenizer = get_tokenizer()
    split = int(0.90 * len(text))  # the first 90% of the characters train, the rest validates
    train_text, val_text = text[:split], text[split:]
    train_tokens = len(tokenizer.encode(train_text, allowed_special="all"))
    val_tokens = len(tokenizer.encode(val_text, allowed_special="all"))
    context = cfg["context_length"]
    if val_tokens < context + 1 or train_tokens < context + 1:
        raise TutorError(
            f"The corpus ({corpus_label}) is too short for one window: its validation part (the last 10%) "
            f"has {val_tokens} tokens and its training part {train_tokens}, but a window of context_length "
            f"{context} needs {context + 1}; give a longer corpus or a smaller config."
        )
    batch = settings.batch_size
    with GLOBAL_GENERATOR:
        torch.manual_seed(seed)  # the book seeds before building its loaders
    train_loader = create_dataloader_v1(
        train_text, batch_size=batch, max_length=context, stride=context, drop_last=True, shuffle=True
    )
    val_loader = create_dataloader_v1(
        val_text, batch_size=batch, max_length=context, stride=context, drop_last=False, shuffle=False
    )
    if len(train_loader) == 0:
        raise TutorError(
            f"The corpus ({corpus_label}) gives fewer training windows than one batch of {batch}; "
            "give a longer corpus or a smaller config."
        )
    return TrainingPlan(settings, config_name, cfg, corpus_label, len(text), train_loader, val_loader)


@demo("pretrain")
def pretrain(
    corpus: str,
    config: str | None,
    steps: int | None,
    epochs: int | None,
    seed: int,
    preset: str | None,
    progress: Callable[[PretrainProgress], None] | None = None,
    cancel: Event | None = None,
) -> PretrainResult:
    import torch

    from engine import GPTModel, evaluate_model, get_tokenizer, make_fast, train_model_simple
    from engine.checkpoints import save_checkpoint
    from engine.training import calc_loss_loader
    from tutor import paths

    started = time.perf_counter()
    plan = plan_training(corpus, config, steps, epochs, seed, preset)
    settings, config_name, cfg = plan.settings, plan.config_name, plan.config
    corpus_label = plan.corpus
    train_loader, val_loader = LockedDraws(plan.train_loader), LockedDraws(plan.val_loader)
    tokenizer = get_tokenizer()
    with GLOBAL_GENERATOR:
        torch.manual_seed(seed)
        # oneDNN's products and the fused kernels; the weights stay in the order the book builds them
        model = make_fast(GPTModel(cfg), layout=False)
        # The loss before any training (section 5.1.3: the book's preset over every batch, as the book
        # does; otherwise over as many batches as each later evaluation). The generator's state is put back
        # so the training run draws exactly what the book's does.
        state = torch.get_rng_state()
        batches = None if preset == "book" else settings.eval_iter
        with torch.no_grad():
            model.eval()
            initial_train = calc_loss_loader(train_loader, model, "cpu", num_batches=batches)
            initial_val = calc_loss_loader(val_loader, model, "cpu", num_batches=batches)
            model.train()
        torch.set_rng_state(state)
    parameters = sum(p.numel() for p in model.parameters())

    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    planned = settings.steps if settings.steps is not None else settings.epochs * len(train_loader)
    planned = min(planned, settings.epochs * len(train_loader))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    checkpoint_path = paths.checkpoints_dir() / f"pretrain-{config_name.split(' ')[0]}-{stamp}.safetensors"
    history = [
        PretrainProgress(0, planned, 0, 0, initial_train, initial_val, None, time.perf_counter() - started)
    ]
    if progress is not None:
        progress(history[0])
    saved: list[Path] = []
    run_files = RunCheckpoints(checkpoint_path)  # the last model and the best one

    saved_at = {"step": -1}

    def save(steps_done: int, tokens_seen: int, cancelled: bool) -> None:
        if saved_at["step"] == steps_done and not cancelled:
            return
        last = history[-1]  # the latest evaluation
        meta = {
            "corpus": corpus_label,
            "config_name": config_name,
            "steps": steps_done,
            "seed": seed,
            "tokens_seen": tokens_seen,
            "train_loss": last.train_loss,
            "val_loss": last.val_loss,
            "cancelled": cancelled,
            "preset": preset,
        }
        run_files.before_saving(last.val_loss)
        saved.append(save_checkpoint(checkpoint_path, model, cfg, meta=meta))
        run_files.after_saving(last.val_loss)
        saved_at["step"] = steps_done

    small = parameters < SAVE_EVERY_EVAL_BELOW

    def report(epoch, step, tokens_seen, train_loss, val_loss, sample):
        # Called after each evaluation, and at each epoch's end with a sample and the latest losses.
        evaluation = train_loss is not None and step % settings.eval_freq == 0
        if evaluation and history[-1].step == step + 1:  # the epoch end repeats this evaluation
            history[-1].sample = sample
        elif evaluation:
            elapsed = time.perf_counter() - started
            entry = PretrainProgress(
                step + 1, planned, epoch, tokens_seen, train_loss, val_loss, sample, elapsed
            )
            history.append(entry)
        # Small models are saved at every evaluation, big ones at each epoch's end (the sample comes then).
        if (small and evaluation) or (not small and sample is not None):
            save(step + 1, tokens_seen, cancelled=False)
        if evaluation and progress is not None:
            progress(history[-1])

    calls = {"steps": 0}

    def should_stop() -> bool:
        calls["steps"] += 1
        return (cancel is not None and cancel.is_set()) or calls["steps"] >= planned

    if planned > 0 and not (cancel is not None and cancel.is_set()):
        train_model_simple(
            model,
            train_loader,
            val_loader,
            optimizer,
            "cpu",
            settings.epochs,
            settings.eval_freq,
            settings.eval_iter,
            settings.start_context,
            tokenizer,
            progress=report,
            should_stop=should_stop,
            sample_every_eval=small,
        )
    cancelled = cancel is not None and cancel.is_set()
    steps_done = calls["steps"]
    if steps_done and history[-1].step != steps_done:  # evaluate where training stopped
        train_loss, val_loss = evaluate_model(model, train_loader, val_loader, "cpu", settings.eval_iter)
        history.append(
            PretrainProgress(
                steps_done,
                planned,
                (steps_done - 1) // len(train_loader) + 1,
                steps_done * settings.batch_size * cfg["context_length"],  # every training batch is full
                train_loss,
                val_loss,
                None,
                time.perf_counter() - started,
            )
        )
    from engine.training import generate_sample

    if history[-1].sample is None and steps_done:
        history[-1].sample = generate_sample(model, tokenizer, "cpu", settings.start_context)
        if progress is not None:
            progress(history[-1])
    if steps_done:
        save(steps_done, steps_done * settings.batch_size * cfg["context_length"], cancelled)
    notes = []
    if run_files.best.exists():
        notes.append(
            f"The validation loss was lowest at an earlier evaluation: that model is kept as "
            f"{run_files.best.stem} (use it with --weights {run_files.best.stem})."
        )
    removed = prune_runs()
    if removed:
        notes.append(
            f"Removed {len(removed)} checkpoint files of older runs (the newest {RUNS_KEPT} runs are kept; "
            "`tutor weights list` shows them)."
        )
    if cancelled and steps_done:
        notes.append(f"Stopped after {steps_done} of {planned} steps; the model as it was then is saved.")
    elif cancelled:
        notes.append("Stopped before the first training step; there is nothing to save.")
    if steps_done == 0:
        notes.append("No training steps were run: the losses are those of the untrained model.")
    overfitting = overfitting_note(history)
    if overfitting:
        notes.append(overfitting)
    last = history[-1]
    return PretrainResult(
        config_name=config_name,
        config=cfg,
        parameters=parameters,
        corpus=corpus_label,
        corpus_characters=plan.corpus_characters,
        train_tokens=plan.train_tokens,
        val_tokens=plan.val_tokens,
        seed=seed,
        preset=preset,
        settings={**settings.__dict__, "steps": planned},
        history=history,
        steps=steps_done,
        tokens_seen=last.tokens_seen,
        initial_val_loss=initial_val,
        final_train_loss=last.train_loss,
        final_val_loss=last.val_loss,
        sample=last.sample or "",
        checkpoint=str(saved[-1]) if saved else None,
        cancelled=cancelled,
        elapsed_s=time.perf_counter() - started,
        notes=notes,
    )
