"""Shared models for the engine tests: building the 124M model takes seconds, so each is built once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

from engine import GPT_CONFIG_124M, GPTModel


@pytest.fixture(autouse=True)
def one_torch_thread():
    """One torch thread a test: the suite shares two cores with other workers, and a second thread that
    has to wait for a core makes torch's small operations many times slower, not faster."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@dataclass
class SeededModel:
    """A model built right after ``torch.manual_seed(seed)``, and the generator state right after it,
    so a test can continue exactly where the book's code continues."""

    model: GPTModel
    rng_state_after_build: torch.Tensor


def build_seeded(cfg, seed=123) -> SeededModel:
    torch.manual_seed(seed)
    model = GPTModel(cfg)
    return SeededModel(model, torch.get_rng_state())


@pytest.fixture(scope="session")
def book_gpt_124m() -> SeededModel:
    """Chapter 4's ``torch.manual_seed(123); model = GPTModel(GPT_CONFIG_124M)``. Do not train it."""
    return build_seeded(GPT_CONFIG_124M)


@pytest.fixture(scope="session")
def book_gpt_124m_256() -> SeededModel:
    """Chapter 5's model: the same with ``context_length`` 256. Do not train it."""
    return build_seeded({**GPT_CONFIG_124M, "context_length": 256})


TINY_CONFIG = {
    "vocab_size": 50257,
    "context_length": 16,
    "emb_dim": 32,
    "n_heads": 4,
    "n_layers": 2,
    "drop_rate": 0.0,
    "qkv_bias": False,
}
