"""Turning logits into text: chapter 4's greedy loop and chapter 5's temperature and top-k, plus top-p.

``generate`` and ``generate_stream`` feed the model one new token at a time through a KV cache and run under
``torch.inference_mode``; ``use_cache=False`` reruns the whole context each step as the book does, with the
same tokens. Sampling draws from ``torch.multinomial`` exactly as the book's code does, so a seeded run
picks the book's tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch

from engine.tokenizer import END_OF_TEXT, get_tokenizer


def text_to_token_ids(text, tokenizer):
    """Section 5.1: token ids of ``text`` as a batch of one, (1, num_tokens)."""
    encoded = tokenizer.encode(text, allowed_special={END_OF_TEXT})
    return torch.tensor(encoded).unsqueeze(0)


def token_ids_to_text(token_ids, tokenizer):
    """Section 5.1: the text of a batch of one (1, num_tokens), or of a flat list of ids."""
    flat = token_ids.squeeze(0) if isinstance(token_ids, torch.Tensor) else torch.tensor(token_ids)
    return tokenizer.decode(flat.tolist())


def generate_text_simple(model, idx, max_new_tokens, context_size):
    """Section 4.7: always take the most likely next token. ``idx`` is (b, num_tokens) token ids."""
    with torch.inference_mode():
        for _ in range(max_new_tokens):
            idx_cond = idx[:, -context_size:]  # the model sees at most context_size tokens
            logits = model(idx_cond)[:, -1, :]  # (b, vocab_size): the last position predicts the next
            probas = torch.softmax(logits, dim=-1)
            idx_next = torch.argmax(probas, dim=-1, keepdim=True)  # (b, 1)
            idx = torch.cat((idx, idx_next), dim=1)
    return idx.clone()  # a normal tensor again, usable outside inference mode


def check_sampling(temperature=0.0, top_k=None, top_p=None, max_new_tokens=0) -> None:
    """Raise ValueError with one clear sentence for a setting generation cannot use."""
    if temperature is None or temperature < 0:
        raise ValueError(f"temperature must be 0 (greedy) or a positive number; got {temperature}.")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be a whole number of at least 1 (or None for no limit); got {top_k}.")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be above 0 and at most 1 (1 keeps every token); got {top_p}.")
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens cannot be negative; got {max_new_tokens}.")


def _check_prompt(idx):
    if idx.dim() != 2 or idx.shape[1] == 0:
        raise ValueError(
            "The prompt has no tokens; give at least one (an empty text can start from <|endoftext|>)."
        )


def filter_logits(logits, top_k=None, top_p=None, temperature=0.0):
    """The distribution sampling draws from: (b, vocab_size) logits -> (b, vocab_size) probabilities.

    Top-k keeps the k largest logits (section 5.3.2), temperature divides them (section 5.3.1; 0 means
    greedy and leaves them as they are), and top-p then keeps the smallest set of most likely tokens whose
    probabilities add up to at least p.
    """
    if top_k is not None and top_k < logits.shape[-1]:
        top_logits, _ = torch.topk(logits, top_k)
        min_val = top_logits[:, -1:]
        logits = torch.where(logits < min_val, torch.tensor(float("-inf"), device=logits.device), logits)
    if temperature > 0.0:
        logits = logits / temperature
    probs = torch.softmax(logits, dim=-1)
    if top_p is not None and top_p < 1.0:
        sorted_probs, sorted_idx = torch.sort(probs, dim=-1, descending=True)
        # Drop a token when the tokens ranked above it already reach top_p; the first always stays.
        drop_sorted = (torch.cumsum(sorted_probs, dim=-1) - sorted_probs) >= top_p
        drop = drop_sorted.scatter(-1, sorted_idx, drop_sorted)
        probs = probs.masked_fill(drop, 0.0)
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs


def next_token(probs, temperature=0.0, generator=None):
    """(b, vocab_size) probabilities -> (b, 1) ids: the argmax when greedy, else one draw."""
    if temperature > 0.0:
        return torch.multinomial(probs, num_samples=1, generator=generator)
    return torch.argmax(probs, dim=-1, keepdim=True)


class _NextTokenLogits:
    """Feeds the model the growing text and returns the last position's logits, with or without a cache.

    Once the text outgrows ``context_size`` the positions of every kept token shift, so the cache is
    refilled from the last ``context_size`` tokens, which is what the uncached loop computes too.
    """

    def __init__(self, model, context_size, max_total, use_cache):
        self.model = model
        self.context_size = min(context_size, model.pos_emb.weight.shape[0])
        self.cache = model.new_kv_cache(min(max_total, self.context_size)) if use_cache else None
        self.fed = 0  # tokens of idx already in the cache

    def __call__(self, idx):
        if self.cache is None:
            return self.model(idx[:, -self.context_size :])[:, -1, :]
        total = idx.shape[1]
        if self.fed == 0 or total > self.cache.max_length:
            self.cache.reset()
            new = idx[:, -self.cache.max_length :]  # the whole prompt, or the last context_size tokens
        else:
            new = idx[:, self.fed :]  # only the tokens the cache has not seen
        self.fed = total
        return self.model(new, kv_cache=self.cache, last_only=True)[:, -1, :]


def generate(
    model,
    idx,
    max_new_tokens,
    context_size,
    temperature=0.0,
    top_k=None,
    eos_id=None,
    top_p=None,
    generator=None,
    use_cache=True,
):
    """Section 5.3.3: generate with temperature and top-k (and top-p), stopping early at ``eos_id``.

    ``idx`` is (b, num_tokens) token ids; the result is (b, num_tokens + new tokens). The end-of-text token
    itself is not appended, as in the book.
    """
    check_sampling(temperature, top_k, top_p, max_new_tokens)
    _check_prompt(idx)
    with torch.inference_mode():
        next_logits = _NextTokenLogits(model, context_size, idx.shape[1] + max_new_tokens, use_cache)
        for _ in range(max_new_tokens):
            probs = filter_logits(next_logits(idx), top_k, top_p, temperature)
            idx_next = next_token(probs, temperature, generator)  # (b, 1)
            if eos_id is not None and bool((idx_next == eos_id).all()):
                break
            idx = torch.cat((idx, idx_next), dim=1)
    return idx.clone()


@dataclass(frozen=True)
class Candidate:
    """One token the model weighed for the next position."""

    token_id: int
    text: str
    probability: float


@dataclass(frozen=True)
class GenerationStep:
    """One new token: which it is, how likely it was, and the top candidates it was drawn from."""

    index: int  # 0 for the first new token
    token_id: int
    text: str
    probability: float
    candidates: list[Candidate]
    generated_text: str  # all new tokens so far, decoded together (a character split over tokens is whole)
    end_of_text: bool  # the model chose eos_id; generation stops here and the token is not kept


def generate_stream(
    model,
    idx,
    max_new_tokens,
    context_size,
    temperature=0.0,
    top_k=None,
    top_p=None,
    eos_id=None,
    top_n=5,
    generator=None,
    tokenizer=None,
    use_cache=True,
) -> Iterator[GenerationStep]:
    """``generate`` for one text, one ``GenerationStep`` at a time, so a screen can show each choice.

    The candidates' probabilities are those of the distribution the token was actually drawn from (after
    top-k, temperature and top-p); with temperature 0 it is the softmax of the (top-k) logits.
    """
    check_sampling(temperature, top_k, top_p, max_new_tokens)
    if top_n < 1:
        raise ValueError(f"top_n must be at least 1; got {top_n}.")
    if idx.dim() == 1:
        idx = idx.unsqueeze(0)
    if idx.shape[0] != 1:
        raise ValueError(f"generate_stream follows one text; got a batch of {idx.shape[0]}.")
    _check_prompt(idx)
    tokenizer = tokenizer or get_tokenizer()
    next_logits = None
    new_ids: list[int] = []
    for index in range(max_new_tokens):
        # Inference mode only around the model's work: the caller's code between steps runs normally.
        with torch.inference_mode():
            if next_logits is None:
                next_logits = _NextTokenLogits(model, context_size, idx.shape[1] + max_new_tokens, use_cache)
            probs = filter_logits(next_logits(idx), top_k, top_p, temperature)
            idx_next = next_token(probs, temperature, generator)
            top_probs, top_ids = torch.topk(probs[0], min(top_n, probs.shape[-1]))
            idx = torch.cat((idx, idx_next), dim=1)
        token_id = int(idx_next[0, 0])
        candidates = [
            Candidate(int(i), tokenizer.decode([int(i)]), float(p))
            for p, i in zip(top_probs.tolist(), top_ids.tolist(), strict=True)
        ]
        is_end = eos_id is not None and token_id == eos_id
        if not is_end:
            new_ids.append(token_id)
        yield GenerationStep(
            index=index,
            token_id=token_id,
            text=tokenizer.decode([token_id]),
            probability=float(probs[0, token_id]),
            candidates=candidates,
            generated_text=tokenizer.decode(new_ids),
            end_of_text=is_end,
        )
        if is_end:
            return
