import torch

from engine import GPTDatasetV1, create_dataloader_v1, get_tokenizer
from tests.conftest import VERDICT


def test_first_batches_with_stride_one():
    """Section 2.6: batch_size=1, max_length=4, stride=1, shuffle=False."""
    loader = create_dataloader_v1(VERDICT.read_text(), batch_size=1, max_length=4, stride=1, shuffle=False)
    batches = iter(loader)
    inputs, targets = next(batches)
    assert torch.equal(inputs, torch.tensor([[40, 367, 2885, 1464]]))
    assert torch.equal(targets, torch.tensor([[367, 2885, 1464, 1807]]))
    inputs, targets = next(batches)
    assert torch.equal(inputs, torch.tensor([[367, 2885, 1464, 1807]]))
    assert torch.equal(targets, torch.tensor([[2885, 1464, 1807, 3619]]))


def test_batch_of_eight_with_stride_four():
    """Section 2.6: batch_size=8, max_length=4, stride=4 leaves no overlap between windows."""
    loader = create_dataloader_v1(VERDICT.read_text(), batch_size=8, max_length=4, stride=4, shuffle=False)
    inputs, targets = next(iter(loader))
    expected = [
        [40, 367, 2885, 1464],
        [1807, 3619, 402, 271],
        [10899, 2138, 257, 7026],
        [15632, 438, 2016, 257],
        [922, 5891, 1576, 438],
        [568, 340, 373, 645],
        [1049, 5975, 284, 502],
        [284, 3285, 326, 11],
    ]
    assert torch.equal(inputs, torch.tensor(expected))
    assert torch.equal(targets[:, :-1], inputs[:, 1:])
    assert torch.equal(targets[:-1, -1], inputs[1:, 0])


def test_window_count_and_end_of_text():
    tokenizer = get_tokenizer()
    text = "one two three<|endoftext|>four five six seven"
    ids = tokenizer.encode(text, allowed_special={"<|endoftext|>"})
    assert 50256 in ids
    dataset = GPTDatasetV1(text, tokenizer, max_length=3, stride=2)
    # Windows start every 2 tokens while a full target window (shifted by one) still fits.
    assert len(dataset) == len(range(0, len(ids) - 3, 2))
    first_input, first_target = dataset[0]
    assert first_input.tolist() == ids[:3] and first_target.tolist() == ids[1:4]


def test_chapter_five_split_sizes():
    """Section 5.1.3: 90/10 split, context 256, stride 256, batch 2: 9 training batches, 1 validation."""
    text = VERDICT.read_text()
    assert len(text) == 20479 and len(get_tokenizer().encode(text)) == 5145
    split = int(0.90 * len(text))
    train = create_dataloader_v1(text[:split], batch_size=2, max_length=256, stride=256, drop_last=True)
    val = create_dataloader_v1(
        text[split:], batch_size=2, max_length=256, stride=256, shuffle=False, drop_last=False
    )
    assert len(train) == 9 and len(val) == 1
    assert sum(x.numel() for x, _ in train) == 4608
    assert sum(x.numel() for x, _ in val) == 512
