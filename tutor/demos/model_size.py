"""``model``: where a GPT's parameters sit, the totals with and without weight tying, and its memory (4.6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.demos.registry import Result, demo


@dataclass
class Component:
    name: str  # the module's name in GPTModel (tok_emb, trf_blocks.*.att, ...)
    description: str
    parameters: int  # all copies together (a block's part times n_layers)
    per_copy: int
    copies: int
    shape: str


@dataclass
class ModelResult(Result):
    config_name: str
    config: dict
    components: list[Component]
    total_parameters: int  # GPTModel as built: token embedding and output head separate
    tied_parameters: int  # GPT-2's count: the output head reuses the token embedding
    bytes_per_parameter: int
    memory_mb: float  # total_parameters * 4 bytes / 1024**2
    tied_memory_mb: float
    notes: list[str] = field(default_factory=list)


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


@demo("model")
def model(config: str) -> ModelResult:
    import torch

    from engine import GPTModel
    from tutor.demos.configs import resolve_config

    name, cfg = resolve_config(config)
    with torch.device("meta"):  # shapes only: no memory, instant even for 1558M
        gpt = GPTModel(cfg)
    block = gpt.trf_blocks[0]
    n, e, v, c = cfg["n_layers"], cfg["emb_dim"], cfg["vocab_size"], cfg["context_length"]
    parts = [
        ("tok_emb", "token embedding", _count(gpt.tok_emb), 1, f"{v} x {e}"),
        ("pos_emb", "positional embedding", _count(gpt.pos_emb), 1, f"{c} x {e}"),
        ("trf_blocks.*.att", "multi-head attention (W_query, W_key, W_value, out_proj)", _count(block.att), n,
         f"4 x {e} x {e}" + (" + biases" if cfg["qkv_bias"] else " + out_proj bias")),
        ("trf_blocks.*.ff", "feed forward (expand to 4x, GELU, project back)", _count(block.ff), n,
         f"{e} x {4 * e} + {4 * e} x {e} + biases"),
        ("trf_blocks.*.norm1/norm2", "layer norms in each block (scale, shift)",
         _count(block.norm1) + _count(block.norm2), n, f"2 x 2 x {e}"),
        ("final_norm", "final layer norm", _count(gpt.final_norm), 1, f"2 x {e}"),
        ("out_head", "output head (tied to tok_emb in GPT-2)", _count(gpt.out_head), 1, f"{e} x {v}"),
    ]  # fmt: skip
    components = [
        Component(key, text, per * copies, per, copies, shape) for key, text, per, copies, shape in parts
    ]
    total = _count(gpt)
    assert total == sum(part.parameters for part in components), "a GPTModel parameter is not listed"
    tied = total - components[-1].parameters
    return ModelResult(
        config_name=name,
        config=cfg,
        components=components,
        total_parameters=total,
        tied_parameters=tied,
        bytes_per_parameter=4,
        memory_mb=total * 4 / 1024**2,
        tied_memory_mb=tied * 4 / 1024**2,
        notes=[
            "GPT-2 reuses the token embedding as its output head (weight tying): counted that way the "
            f"model has {tied:,} parameters; GPTModel as built, with a head of its own, has {total:,}.",
            "Memory counts float32 weights only; training needs about 4x more "
            "(gradients, AdamW's two moments).",
        ],
    )
