"""Live demos on the engine: a registry of named functions returning plain results.

    from tutor.demos import DEMOS, get_demo, validate_link, run_demo
    result = run_demo("tokenize", text="unhappiness")      # a plain dataclass; result.to_json() -> dict

Each demo module registers its function on import (see ``registry.demo``); none imports torch until a
demo runs. ``generate`` and ``pretrain`` stream: pass ``progress=`` (called with each step or evaluation)
and ``cancel=`` (a ``threading.Event``).
"""

from tutor.demos.attention import attend
from tutor.demos.embeddings import embed
from tutor.demos.generation import GenerateStep, Generation, generate, open_generation
from tutor.demos.model_size import model
from tutor.demos.pretraining import PretrainProgress, pretrain
from tutor.demos.registry import DEMOS, Arg, Demo, Result, get_demo, run_demo, validate_link
from tutor.demos.tokens import tokenize
from tutor.demos.windows import window

__all__ = [
    "DEMOS",
    "GenerateStep",
    "Generation",
    "PretrainProgress",
    "generate",
    "open_generation",
    "pretrain",
    "Arg",
    "Demo",
    "Result",
    "attend",
    "embed",
    "get_demo",
    "model",
    "run_demo",
    "tokenize",
    "validate_link",
    "window",
]
