"""Small models made in the tests: a seeded nano GPT saved as a tutor checkpoint."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nano_checkpoint(tmp_path_factory):
    """A 1-layer, 32-wide GPT (GPT-2's vocabulary, context 32), seeded, saved with save_checkpoint."""
    import torch

    from engine import GPTModel
    from engine.checkpoints import save_checkpoint
    from tutor.demos.configs import resolve_config

    _, config = resolve_config("nano")
    torch.manual_seed(7)
    model = GPTModel(config).eval()
    path = tmp_path_factory.mktemp("weights") / "nano.safetensors"
    save_checkpoint(path, model, config, meta={"steps": 0, "corpus": "nothing"})
    return path, model, config


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    """Each test chooses its own weights; a model cached by another test must not leak into it."""
    from tutor.demos.weights import forget_model

    yield
    forget_model()
