"""The GPT model of chapter 4: configs, LayerNorm, GELU, FeedForward, TransformerBlock and GPTModel.

Modules are created in the book's order, so ``torch.manual_seed(123)`` before ``GPTModel(cfg)`` gives the
book's weights and, with its inputs, the book's numbers. The classes compute what the book writes out;
``engine.fast.make_fast`` converts a built model to the faster variants generation and training use.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from engine.attention import AttentionWeights, MultiHeadAttention
from engine.kv_cache import KVCache

GPT_CONFIG_124M = {
    "vocab_size": 50257,  # GPT-2's BPE vocabulary
    "context_length": 1024,  # the most tokens the model sees at once
    "emb_dim": 768,
    "n_heads": 12,
    "n_layers": 12,
    "drop_rate": 0.1,
    "qkv_bias": False,
}

# Chapter 5's table of GPT-2 sizes, each a complete config (copy one before changing it).
GPT_CONFIGS = {
    name: {**GPT_CONFIG_124M, "emb_dim": emb_dim, "n_layers": n_layers, "n_heads": n_heads}
    for name, emb_dim, n_layers, n_heads in [
        ("gpt2-small (124M)", 768, 12, 12),
        ("gpt2-medium (355M)", 1024, 24, 16),
        ("gpt2-large (774M)", 1280, 36, 20),
        ("gpt2-xl (1558M)", 1600, 48, 25),
    ]
}


class LayerNorm(nn.Module):
    """Section 4.2: scale * (x - mean) / sqrt(var + eps) + shift over the last dimension (biased variance)."""

    def __init__(self, emb_dim):
        super().__init__()
        self.eps = 1e-5
        self.scale = nn.Parameter(torch.ones(emb_dim))
        self.shift = nn.Parameter(torch.zeros(emb_dim))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        norm_x = (x - mean) / torch.sqrt(var + self.eps)
        return self.scale * norm_x + self.shift


class GELU(nn.Module):
    """Section 4.3: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), GPT-2's tanh approximation."""

    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))


class FeedForward(nn.Module):
    """Section 4.3: expand to 4 * emb_dim, GELU, project back."""

    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(cfg["emb_dim"], 4 * cfg["emb_dim"]),
            GELU(),
            nn.Linear(4 * cfg["emb_dim"], cfg["emb_dim"]),
        )

    def forward(self, x):
        return self.layers(x)


class TransformerBlock(nn.Module):
    """Section 4.5: pre-LayerNorm attention and feed forward, each with a shortcut connection."""

    def __init__(self, cfg):
        super().__init__()
        self.att = MultiHeadAttention(
            d_in=cfg["emb_dim"],
            d_out=cfg["emb_dim"],
            context_length=cfg["context_length"],
            num_heads=cfg["n_heads"],
            dropout=cfg["drop_rate"],
            qkv_bias=cfg["qkv_bias"],
        )
        self.ff = FeedForward(cfg)
        self.norm1 = LayerNorm(cfg["emb_dim"])
        self.norm2 = LayerNorm(cfg["emb_dim"])
        self.drop_shortcut = nn.Dropout(cfg["drop_rate"])

    def forward(self, x, kv_cache=None, return_attention=False):
        shortcut = x  # (b, num_tokens, emb_dim) throughout
        x = self.norm1(x)
        attention = None
        if return_attention:
            x, attention = self.att(x, kv_cache=kv_cache, return_attention=True)
        else:
            x = self.att(x, kv_cache=kv_cache)
        x = self.drop_shortcut(x)
        x = x + shortcut

        shortcut = x
        x = self.norm2(x)
        x = self.ff(x)
        x = self.drop_shortcut(x)
        x = x + shortcut
        return (x, attention) if return_attention else x


class GPTModel(nn.Module):
    """Section 4.6: token + position embeddings, ``n_layers`` transformer blocks, final norm, output head."""

    def __init__(self, cfg):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.drop_emb = nn.Dropout(cfg["drop_rate"])
        self.trf_blocks = nn.Sequential(*[TransformerBlock(cfg) for _ in range(cfg["n_layers"])])
        self.final_norm = LayerNorm(cfg["emb_dim"])
        self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)

    @property
    def context_length(self) -> int:
        return self.pos_emb.weight.shape[0]

    def new_kv_cache(self, max_length: int | None = None) -> KVCache:
        """An empty cache for ``generate``: up to ``max_length`` tokens (default: the whole context)."""
        return KVCache(len(self.trf_blocks), min(max_length or self.context_length, self.context_length))

    def _embed(self, in_idx, start):
        seq_len = in_idx.shape[1]
        tok_embeds = self.tok_emb(in_idx)  # (b, num_tokens, emb_dim)
        pos_embeds = self.pos_emb(torch.arange(start, start + seq_len, device=in_idx.device))
        return self.drop_emb(tok_embeds + pos_embeds)

    def attention(self, in_idx) -> list[AttentionWeights]:
        """Every block's attention weights for token ids (b, num_tokens), one ``AttentionWeights`` a block.

        Runs only what the weights need (no final norm, no output head), without gradients.
        """
        if in_idx.shape[1] > self.context_length:
            raise ValueError(
                f"The text has {in_idx.shape[1]} tokens but the model's context holds {self.context_length}; "
                f"keep only the last {self.context_length} tokens."
            )
        weights = []
        with torch.no_grad():
            x = self._embed(in_idx, 0)
            for block in self.trf_blocks:
                x, block_weights = block(x, return_attention=True)
                weights.append(block_weights)
        return weights

    def forward(self, in_idx, kv_cache: KVCache | None = None, return_attention=False, last_only=False):
        """Logits (b, num_tokens, vocab_size) for token ids (b, num_tokens).

        With ``kv_cache`` the ids are the tokens after those already cached; with ``return_attention`` the
        result is ``(logits, [AttentionWeights per block])``; with ``last_only`` only the last position gets
        logits, (b, 1, vocab_size): all that generation needs, without the output head's work for the rest
        of the prompt.
        """
        batch_size, seq_len = in_idx.shape
        start = kv_cache.length if kv_cache is not None else 0
        if start + seq_len > self.context_length:
            raise ValueError(
                f"The text has {start + seq_len} tokens but the model's context holds {self.context_length}; "
                f"keep only the last {self.context_length} tokens."
            )
        x = self._embed(in_idx, start)
        attention: list[AttentionWeights] = []
        for index, block in enumerate(self.trf_blocks):
            layer_cache = kv_cache.layers[index] if kv_cache is not None else None
            if return_attention:
                x, weights = block(x, kv_cache=layer_cache, return_attention=True)
                attention.append(weights)
            else:
                x = block(x, kv_cache=layer_cache)
        if last_only:
            x = x[:, -1:]  # (b, 1, emb_dim)
        x = self.final_norm(x)
        logits = self.out_head(x)  # (b, num_tokens, vocab_size)
        return (logits, attention) if return_attention else logits
