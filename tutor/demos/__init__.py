"""Live demos on the engine: a catalogue of named functions returning plain results.

    from tutor.demos import DEMOS, get_demo, validate_link, run_demo
    result = run_demo("tokenize", text="unhappiness")      # a plain dataclass; result.to_json() -> dict

``tutor.demos.catalogue`` lists every demo (name, book section, arguments, where its code is) as data, so
checking a demo link or listing the demos imports no demo's code; a demo's module is imported when the demo
runs, and none imports torch before that. ``generate`` and ``pretrain`` stream: pass ``progress=`` (called
with each step or evaluation) and ``cancel=`` (a ``threading.Event``).
"""

from __future__ import annotations

import importlib
from typing import Any

from tutor.demos.registry import DEMOS, Arg, Demo, Result, get_demo, run_demo, validate_link

# Names that live in a demo's own module, imported only when asked for.
_LAZY = {
    "attend": "tutor.demos.attention",
    "embed": "tutor.demos.embeddings",
    "generate": "tutor.demos.generation",
    "open_generation": "tutor.demos.generation",
    "GenerateStep": "tutor.demos.generation",
    "Generation": "tutor.demos.generation",
    "model": "tutor.demos.model_size",
    "pretrain": "tutor.demos.pretraining",
    "PretrainProgress": "tutor.demos.pretraining",
    "tokenize": "tutor.demos.tokens",
    "window": "tutor.demos.windows",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tutor.demos' has no attribute {name!r}")


__all__ = ["DEMOS", "Arg", "Demo", "Result", "get_demo", "run_demo", "validate_link", *_LAZY]
