"""Model sizes the demos know by name, resolved without importing torch (links are checked at deck load).

The GPT-2 sizes are the book's (``engine.GPT_CONFIGS``); ``nano`` and ``tiny`` are small enough to train live
on a laptop CPU.
"""

from __future__ import annotations

from tutor.errors import TutorError

ALIASES = {
    "gpt2-small (124M)": ["124M", "gpt2-small", "small", "gpt2"],
    "gpt2-medium (355M)": ["355M", "gpt2-medium", "medium"],
    "gpt2-large (774M)": ["774M", "gpt2-large", "large"],
    "gpt2-xl (1558M)": ["1558M", "gpt2-xl", "xl"],
    "tiny": [],
    "nano": [],
}
# GPT-2's vocabulary (the tokenizer is fixed) with a short context and a few narrow layers.
SMALL_CONFIGS = {
    "tiny": {"vocab_size": 50257, "context_length": 64, "emb_dim": 64, "n_heads": 4, "n_layers": 2,
             "drop_rate": 0.0, "qkv_bias": False},
    "nano": {"vocab_size": 50257, "context_length": 32, "emb_dim": 32, "n_heads": 2, "n_layers": 1,
             "drop_rate": 0.0, "qkv_bias": False},
}  # fmt: skip
CONFIG_NAMES = tuple(name for canonical, aliases in ALIASES.items() for name in [canonical, *aliases])


def canonical_config_name(name: str) -> str:
    for canonical, aliases in ALIASES.items():
        if name == canonical or name in aliases:
            return canonical
    raise TutorError(f"There is no model config called {name!r}; choose one of: {', '.join(CONFIG_NAMES)}.")


def resolve_config(name: str) -> tuple[str, dict]:
    """(canonical name, a fresh config dict) for any name or alias."""
    canonical = canonical_config_name(name)
    if canonical in SMALL_CONFIGS:
        return canonical, dict(SMALL_CONFIGS[canonical])
    from engine import GPT_CONFIGS

    return canonical, dict(GPT_CONFIGS[canonical])
