"""Chapter 2's data pipeline: a sliding window over token ids turned into input/target pairs."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Dataset

from engine.tokenizer import END_OF_TEXT, get_tokenizer


class GPTDatasetV1(Dataset):
    """Section 2.6: windows of ``max_length`` tokens every ``stride`` tokens; targets are shifted by one."""

    def __init__(self, txt, tokenizer, max_length, stride):
        self.input_ids = []
        self.target_ids = []
        token_ids = tokenizer.encode(txt, allowed_special={END_OF_TEXT})
        for i in range(0, len(token_ids) - max_length, stride):
            input_chunk = token_ids[i : i + max_length]
            target_chunk = token_ids[i + 1 : i + max_length + 1]
            self.input_ids.append(torch.tensor(input_chunk))
            self.target_ids.append(torch.tensor(target_chunk))

    def __len__(self):
        return len(self.input_ids)

    def __getitem__(self, idx):
        return self.input_ids[idx], self.target_ids[idx]


def create_dataloader_v1(
    txt, batch_size=4, max_length=256, stride=128, shuffle=True, drop_last=True, num_workers=0
):
    """Batches of (inputs, targets), each (batch_size, max_length), over GPT-2 tokens of ``txt``."""
    dataset = GPTDatasetV1(txt, get_tokenizer(), max_length, stride)
    if len(dataset) == 0 and shuffle:  # torch's own message ("num_samples=0") would not say why
        num_tokens = len(get_tokenizer().encode(txt, allowed_special={END_OF_TEXT}))
        raise ValueError(
            f"The text has {num_tokens} tokens, too few for one window of {max_length} tokens "
            f"(it needs at least {max_length + 1}); use more text or a smaller max_length."
        )
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, num_workers=num_workers
    )
