"""A GPT built from scratch in PyTorch, the way *Build a Large Language Model (From Scratch)* builds it.

One concept a module, the book's names. This package imports torch and never imports ``tutor`` or Textual.
"""

from engine.attention import (
    AttentionWeights,
    CausalAttention,
    MultiHeadAttention,
    MultiHeadAttentionWrapper,
    SelfAttention_v1,
    SelfAttention_v2,
)
from engine.data import GPTDatasetV1, create_dataloader_v1
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
from engine.tokenizer import END_OF_TEXT, END_OF_TEXT_ID, TokenPiece, get_tokenizer, token_pieces

__all__ = [
    "END_OF_TEXT",
    "END_OF_TEXT_ID",
    "GELU",
    "GPT_CONFIGS",
    "GPT_CONFIG_124M",
    "AttentionWeights",
    "CausalAttention",
    "FeedForward",
    "GPTDatasetV1",
    "GPTModel",
    "KVCache",
    "LayerKVCache",
    "LayerNorm",
    "MultiHeadAttention",
    "MultiHeadAttentionWrapper",
    "SelfAttention_v1",
    "SelfAttention_v2",
    "TokenPiece",
    "TransformerBlock",
    "create_dataloader_v1",
    "get_tokenizer",
    "token_pieces",
]
