"""A key-value cache: generation feeds one new token at a time instead of the whole text again.

Without it, every new token reruns attention over the full context, although the keys and values of the
earlier tokens never change. With it, each block keeps them in a buffer sized once for the whole run.
"""

from __future__ import annotations

import torch


class LayerKVCache:
    """The keys and values one attention layer has seen, in a buffer of ``max_length`` positions."""

    def __init__(self, max_length: int):
        self.max_length = max_length
        self.length = 0  # tokens cached so far
        self._keys: torch.Tensor | None = None  # (b, num_heads, max_length, head_dim)
        self._values: torch.Tensor | None = None

    def append(self, keys: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add the new tokens' keys and values (b, num_heads, num_tokens, head_dim); return all so far."""
        b, num_heads, num_tokens, head_dim = keys.shape
        end = self.length + num_tokens
        if end > self.max_length:
            raise ValueError(
                f"The KV cache holds {self.max_length} tokens and cannot take {end}; "
                "start a new cache or crop the text to the model's context."
            )
        if self._keys is None:
            shape = (b, num_heads, self.max_length, head_dim)
            self._keys = keys.new_empty(shape)
            self._values = values.new_empty(shape)
        self._keys[:, :, self.length : end] = keys
        self._values[:, :, self.length : end] = values
        self.length = end
        return self._keys[:, :, :end], self._values[:, :, :end]


class KVCache:
    """One ``LayerKVCache`` per transformer block; ``length`` is the position of the next token."""

    def __init__(self, n_layers: int, max_length: int):
        self.max_length = max_length
        self.layers = [LayerKVCache(max_length) for _ in range(n_layers)]

    @property
    def length(self) -> int:
        return self.layers[0].length

    def reset(self) -> None:
        for layer in self.layers:
            layer.length = 0
