"""A GPT built from scratch in PyTorch, the way *Build a Large Language Model (From Scratch)* builds it.

One concept a module, the book's names. This package imports torch and never imports ``tutor`` or Textual.

    tokenizer.py   GPT-2's BPE, offline, and token pieces with their character spans (chapter 2)
    data.py        GPTDatasetV1 and create_dataloader_v1: sliding windows of input/target ids (chapter 2)
    linear.py      nn.Linear with oneDNN's faster CPU matrix products
    attention.py   from simplified self-attention to MultiHeadAttention (chapter 3)
    model.py       the configs, LayerNorm, GELU, FeedForward, TransformerBlock, GPTModel (chapter 4)
    kv_cache.py    the keys and values generation keeps between steps
    generation.py  greedy, temperature, top-k and top-p generation, also step by step (chapters 4-5)
    training.py    losses and train_model_simple (chapter 5)
    weights.py     GPT-2's published weights and our own checkpoints (chapter 5)
"""

from engine.attention import (
    AttentionWeights,
    CausalAttention,
    MultiHeadAttention,
    MultiHeadAttentionWrapper,
    SelfAttention_v1,
    SelfAttention_v2,
    simplified_self_attention,
)
from engine.data import GPTDatasetV1, create_dataloader_v1
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
from engine.tokenizer import END_OF_TEXT, END_OF_TEXT_ID, TokenPiece, get_tokenizer, token_pieces, token_spans
from engine.training import (
    calc_loss_batch,
    calc_loss_loader,
    evaluate_model,
    generate_sample,
    train_model_simple,
)
from engine.weights import (
    Checkpoint,
    WeightsError,
    gpt_model_from_gpt2_tensors,
    is_checkpoint,
    load_checkpoint,
    load_gpt2_weights,
    save_checkpoint,
)

__all__ = [
    "END_OF_TEXT",
    "END_OF_TEXT_ID",
    "GELU",
    "GPT_CONFIGS",
    "GPT_CONFIG_124M",
    "AttentionWeights",
    "Checkpoint",
    "WeightsError",
    "Candidate",
    "GenerationStep",
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
    "gpt_model_from_gpt2_tensors",
    "is_checkpoint",
    "load_checkpoint",
    "load_gpt2_weights",
    "save_checkpoint",
    "get_tokenizer",
    "next_token",
    "text_to_token_ids",
    "simplified_self_attention",
    "token_ids_to_text",
    "token_pieces",
    "token_spans",
    "train_model_simple",
]
