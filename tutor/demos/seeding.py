"""The book's seeds in a program that may train in another thread.

``torch.manual_seed(123)`` seeds one generator shared by every thread. A demo that rebuilds the book's
seeded numbers (embed, attend, the random 124M model) must not have a training run draw from that generator
between its seed and its last draw, and must not leave the generator reseeded under the training run. So
seeded demos run inside ``book_seed`` (the lock, and the generator's state put back afterwards), and
``pretrain`` takes the same lock for its own draws from it: seeding, building the model, and the shuffle
seed each pass over its data loaders draws. (Dropout inside a training step draws too; the small configs
have none.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

GLOBAL_GENERATOR = threading.RLock()  # re-entered: pretrain's first evaluation iterates LockedDraws


@contextmanager
def book_seed(seed: int) -> Iterator[None]:
    """``torch.manual_seed(seed)`` for the block, with no other demo drawing meanwhile."""
    import torch

    with GLOBAL_GENERATOR, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


@contextmanager
def generator_untouched() -> Iterator[None]:
    """For a block that draws from the global generator without needing a seed (a DataLoader's base seed):
    the draws happen under the lock and the generator's state is put back afterwards."""
    import torch

    with GLOBAL_GENERATOR, torch.random.fork_rng(devices=[]):
        yield


class LockedDraws:
    """A DataLoader whose draws from the global generator (base seed, shuffle order) hold the lock."""

    def __init__(self, loader):
        self.loader = loader
        self.dataset = loader.dataset

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        with GLOBAL_GENERATOR:
            batches = iter(self.loader)  # draws the base seed
            first = next(batches, None)  # the sampler draws its shuffle seed on the first batch
        if first is None:
            return
        yield first
        yield from batches
