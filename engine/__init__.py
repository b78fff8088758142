"""A GPT built from scratch in PyTorch, the way *Build a Large Language Model (From Scratch)* builds it.

One concept a module, the book's names. The package never imports ``tutor`` or Textual, and loads lazily:
``import engine`` and ``from engine.tokenizer import ...`` do not import torch; ``engine.GPTModel`` imports
the module that defines it on first use (PEP 562).

    tokenizer.py   GPT-2's BPE, offline, and token pieces with their character spans (chapter 2)
    data.py        GPTDatasetV1 and create_dataloader_v1: sliding windows of input/target ids (chapter 2)
    attention.py   from simplified self-attention to MultiHeadAttention (chapter 3)
    model.py       the configs, LayerNorm, GELU, FeedForward, TransformerBlock, GPTModel (chapter 4)
    linear.py      nn.Linear with oneDNN's faster CPU matrix products
    fast.py        make_fast: a built GPTModel converted to faster kernels and memory order, same weights
    precision.py   use_precision: the linear layers in bf16 or int8 for generation
    kv_cache.py    the keys and values generation keeps between steps
    generation.py  greedy, temperature, top-k and top-p generation, also step by step (chapters 4-5)
    training.py    losses and train_model_simple (chapter 5)
    weights.py     GPT-2's published weights (chapter 5.5)
    checkpoints.py the models the tutor trains, saved and loaded (chapter 5.4)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names for type checkers and editors; at run time __getattr__ imports them
    from engine.attention import (
        AttentionWeights,
        CausalAttention,
        MultiHeadAttention,
        MultiHeadAttentionWrapper,
        SelfAttention_v1,
        SelfAttention_v2,
        simplified_self_attention,
    )
    from engine.checkpoints import Checkpoint, is_checkpoint, load_checkpoint, save_checkpoint
    from engine.data import GPTDatasetV1, create_dataloader_v1
    from engine.fast import make_fast
    from engine.generation import (
        Candidate,
        GenerationStep,
        check_sampling,
        filter_logits,
        generate,
        generate_stream,
        generate_text_simple,
        next_token,
        text_to_token_ids,
        token_ids_to_text,
    )
    from engine.kv_cache import KVCache, LayerKVCache
    from engine.model import (
        GELU,
        GPT_CONFIG_124M,
        GPT_CONFIGS,
        FeedForward,
        GPTModel,
        LayerNorm,
        TransformerBlock,
    )
    from engine.tokenizer import (
        END_OF_TEXT,
        END_OF_TEXT_ID,
        TokenPiece,
        get_tokenizer,
        token_pieces,
        token_spans,
    )
    from engine.training import (
        calc_loss_batch,
        calc_loss_loader,
        evaluate_model,
        generate_sample,
        train_model_simple,
    )
    from engine.weights import WeightsError, gpt_model_from_gpt2_tensors, load_gpt2_weights

# Each public name and the module that defines it.
_WHERE = {
    "AttentionWeights": "attention",
    "CausalAttention": "attention",
    "MultiHeadAttention": "attention",
    "MultiHeadAttentionWrapper": "attention",
    "SelfAttention_v1": "attention",
    "SelfAttention_v2": "attention",
    "simplified_self_attention": "attention",
    "GPTDatasetV1": "data",
    "create_dataloader_v1": "data",
    "Candidate": "generation",
    "GenerationStep": "generation",
    "check_sampling": "generation",
    "filter_logits": "generation",
    "generate": "generation",
    "generate_stream": "generation",
    "generate_text_simple": "generation",
    "next_token": "generation",
    "text_to_token_ids": "generation",
    "token_ids_to_text": "generation",
    "KVCache": "kv_cache",
    "LayerKVCache": "kv_cache",
    "GELU": "model",
    "GPT_CONFIG_124M": "model",
    "GPT_CONFIGS": "model",
    "FeedForward": "model",
    "GPTModel": "model",
    "LayerNorm": "model",
    "TransformerBlock": "model",
    "END_OF_TEXT": "tokenizer",
    "END_OF_TEXT_ID": "tokenizer",
    "TokenPiece": "tokenizer",
    "get_tokenizer": "tokenizer",
    "token_pieces": "tokenizer",
    "token_spans": "tokenizer",
    "calc_loss_batch": "training",
    "calc_loss_loader": "training",
    "evaluate_model": "training",
    "generate_sample": "training",
    "train_model_simple": "training",
    "Checkpoint": "checkpoints",
    "WeightsError": "weights",
    "gpt_model_from_gpt2_tensors": "weights",
    "is_checkpoint": "checkpoints",
    "load_checkpoint": "checkpoints",
    "load_gpt2_weights": "weights",
    "save_checkpoint": "checkpoints",
    "make_fast": "fast",
    "PRECISIONS": "precision",
    "use_precision": "precision",
}

__all__ = [
    "AttentionWeights",
    "Candidate",
    "CausalAttention",
    "Checkpoint",
    "END_OF_TEXT",
    "END_OF_TEXT_ID",
    "FeedForward",
    "GELU",
    "GPTDatasetV1",
    "GPTModel",
    "GPT_CONFIGS",
    "GPT_CONFIG_124M",
    "GenerationStep",
    "KVCache",
    "LayerKVCache",
    "LayerNorm",
    "MultiHeadAttention",
    "MultiHeadAttentionWrapper",
    "PRECISIONS",
    "SelfAttention_v1",
    "SelfAttention_v2",
    "TokenPiece",
    "TransformerBlock",
    "WeightsError",
    "calc_loss_batch",
    "calc_loss_loader",
    "check_sampling",
    "create_dataloader_v1",
    "evaluate_model",
    "filter_logits",
    "generate",
    "generate_sample",
    "generate_stream",
    "generate_text_simple",
    "get_tokenizer",
    "gpt_model_from_gpt2_tensors",
    "is_checkpoint",
    "load_checkpoint",
    "load_gpt2_weights",
    "make_fast",
    "next_token",
    "save_checkpoint",
    "simplified_self_attention",
    "text_to_token_ids",
    "token_ids_to_text",
    "token_pieces",
    "token_spans",
    "train_model_simple",
    "use_precision",
]  # the names in _WHERE (a test checks)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"engine.{_WHERE[name]}"), name)
    globals()[name] = value  # found once; later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
