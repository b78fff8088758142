"""Chapter 5's pretraining loop: cross-entropy loss over batches, evaluation, and ``train_model_simple``.

The loop follows the book step for step (including when it draws from the random number generator), so
with the book's seeds it reports the book's losses. It prints nothing: progress goes to a callback.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from engine.generation import generate_text_simple, text_to_token_ids, token_ids_to_text

# progress(epoch, step, tokens_seen, train_loss, val_loss, sample)
ProgressCallback = Callable[[int, int, int, float | None, float | None, str | None], None]


def calc_loss_batch(input_batch, target_batch, model, device):
    """Section 5.1.2: mean cross-entropy of the next-token predictions of one (b, num_tokens) batch."""
    input_batch, target_batch = input_batch.to(device), target_batch.to(device)
    logits = model(input_batch)  # (b, num_tokens, vocab_size)
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), target_batch.flatten())


def calc_loss_loader(data_loader, model, device, num_batches=None):
    """Section 5.1.3: the average batch loss over the first ``num_batches`` batches (all by default)."""
    total_loss = 0.0
    if len(data_loader) == 0:
        return float("nan")
    elif num_batches is None:
        num_batches = len(data_loader)
    else:
        num_batches = min(num_batches, len(data_loader))
    for i, (input_batch, target_batch) in enumerate(data_loader):
        if i < num_batches:
            loss = calc_loss_batch(input_batch, target_batch, model, device)
            total_loss += loss.item()
        else:
            break
    return total_loss / num_batches


def evaluate_model(model, train_loader, val_loader, device, eval_iter):
    """Section 5.2: training and validation loss over ``eval_iter`` batches each, in eval mode."""
    model.eval()
    with torch.no_grad():
        train_loss = calc_loss_loader(train_loader, model, device, num_batches=eval_iter)
        val_loss = calc_loss_loader(val_loader, model, device, num_batches=eval_iter)
    model.train()
    return train_loss, val_loss


def generate_sample(model, tokenizer, device, start_context, max_new_tokens=50):
    """Section 5.2's ``generate_and_print_sample``, returning the text instead of printing it."""
    model.eval()
    context_size = model.pos_emb.weight.shape[0]
    encoded = text_to_token_ids(start_context, tokenizer).to(device)
    token_ids = generate_text_simple(
        model=model, idx=encoded, max_new_tokens=max_new_tokens, context_size=context_size
    )
    model.train()
    return token_ids_to_text(token_ids, tokenizer)


def train_model_simple(
    model,
    train_loader,
    val_loader,
    optimizer,
    device,
    num_epochs,
    eval_freq,
    eval_iter,
    start_context,
    tokenizer,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    sample_every_eval=False,
):
    """Section 5.2: train for ``num_epochs``, evaluating every ``eval_freq`` steps.

    Returns ``(train_losses, val_losses, track_tokens_seen)``, one entry per evaluation. ``progress`` is
    called after each evaluation with the losses (and, with ``sample_every_eval``, a sample) and after
    each epoch with the sample text from ``start_context`` and the latest losses. ``should_stop`` is asked
    after every step; when it answers True training ends there and returns what it has so far.
    """
    train_losses, val_losses, track_tokens_seen = [], [], []
    tokens_seen, global_step = 0, -1
    train_loss = val_loss = None

    for epoch in range(num_epochs):
        model.train()
        for input_batch, target_batch in train_loader:
            optimizer.zero_grad()
            loss = calc_loss_batch(input_batch, target_batch, model, device)
            loss.backward()
            optimizer.step()
            tokens_seen += input_batch.numel()
            global_step += 1

            if global_step % eval_freq == 0:
                train_loss, val_loss = evaluate_model(model, train_loader, val_loader, device, eval_iter)
                train_losses.append(train_loss)
                val_losses.append(val_loss)
                track_tokens_seen.append(tokens_seen)
                if progress is not None:
                    sample = None
                    if sample_every_eval:
                        sample = generate_sample(model, tokenizer, device, start_context)
                    progress(epoch + 1, global_step, tokens_seen, train_loss, val_loss, sample)
            if should_stop is not None and should_stop():
                return train_losses, val_losses, track_tokens_seen

        sample = generate_sample(model, tokenizer, device, start_context)
        if progress is not None:
            progress(epoch + 1, global_step, tokens_seen, train_loss, val_loss, sample)
    return train_losses, val_losses, track_tokens_seen
