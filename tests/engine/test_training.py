import copy
import math

import pytest
import torch
from torch.testing import assert_close

from engine import (
    GPTModel,
    calc_loss_batch,
    calc_loss_loader,
    create_dataloader_v1,
    evaluate_model,
    get_tokenizer,
    train_model_simple,
)
from tests.conftest import VERDICT
from tests.engine.conftest import TINY_CONFIG


def verdict_loaders(max_length=256, batch_size=2):
    """Section 5.1.3: 90% of the-verdict for training, 10% for validation, stride = context."""
    text = VERDICT.read_text()
    split = int(0.90 * len(text))
    torch.manual_seed(123)
    train_loader = create_dataloader_v1(
        text[:split],
        batch_size=batch_size,
        max_length=max_length,
        stride=max_length,
        drop_last=True,
        shuffle=True,
    )
    val_loader = create_dataloader_v1(
        text[split:],
        batch_size=batch_size,
        max_length=max_length,
        stride=max_length,
        drop_last=False,
        shuffle=False,
    )
    return train_loader, val_loader


def test_loss_of_two_sentences_section_5_1_2(book_gpt_124m_256):
    model = book_gpt_124m_256.model.eval()
    inputs = torch.tensor([[16833, 3626, 6100], [40, 1107, 588]])  # "every effort moves", "I really like"
    targets = torch.tensor(
        [[3626, 6100, 345], [1107, 588, 11311]]
    )  # " effort moves you", " really like chocolate"
    with torch.no_grad():
        logits = model(inputs)
    probas = torch.softmax(logits, dim=-1)
    assert probas.shape == (2, 3, 50257)
    assert torch.argmax(probas, dim=-1).tolist() == [[16657, 339, 42826], [49906, 29669, 41751]]
    assert get_tokenizer().decode([16657, 339, 42826]) == " Armed heNetflix"
    target_probas_1 = probas[0, [0, 1, 2], targets[0]]
    target_probas_2 = probas[1, [0, 1, 2], targets[1]]
    assert_close(target_probas_1, torch.tensor([7.4541e-05, 3.1061e-05, 1.1563e-05]), rtol=1e-4, atol=0)
    assert_close(target_probas_2, torch.tensor([1.0337e-05, 5.6776e-05, 4.7559e-06]), rtol=1e-4, atol=0)
    log_probas = torch.log(torch.cat((target_probas_1, target_probas_2)))
    expected = torch.tensor([-9.5042, -10.3796, -11.3677, -11.4798, -9.7764, -12.2561])
    assert_close(log_probas, expected, atol=1e-4, rtol=0)
    loss = calc_loss_batch(inputs, targets, model, "cpu")
    assert_close(loss, torch.tensor(10.7940), atol=1e-4, rtol=0)
    assert math.isclose(torch.exp(loss).item(), 48725.8203, rel_tol=1e-4)


@pytest.mark.slow
def test_initial_losses_on_the_verdict_section_5_1_3(book_gpt_124m_256):
    model = book_gpt_124m_256.model.eval()
    train_loader, val_loader = verdict_loaders()
    assert [x.shape for x, _ in val_loader] == [(2, 256)]
    torch.manual_seed(123)
    with torch.no_grad():
        train_loss = calc_loss_loader(train_loader, model, "cpu")
        val_loss = calc_loss_loader(val_loader, model, "cpu")
    assert math.isclose(train_loss, 10.98758347829183, abs_tol=1e-4)
    assert math.isclose(val_loss, 10.98110580444336, abs_tol=1e-4)


@pytest.mark.slow  # ~40 s on 2 cores: one training step and two evaluations of the 124M model
def test_first_training_step_section_5_2(book_gpt_124m_256):
    """The book's run prints "Ep 1 (Step 000000): Train loss 9.781, Val loss 9.933" (three decimals)."""
    model = copy.deepcopy(book_gpt_124m_256.model)
    train_loader, val_loader = verdict_loaders()
    torch.set_rng_state(book_gpt_124m_256.rng_state_after_build)  # as if GPTModel had just been built
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.0004, weight_decay=0.1)
    reports = []
    train_losses, val_losses, tokens_seen = train_model_simple(
        model, train_loader, val_loader, optimizer, "cpu", num_epochs=10, eval_freq=5, eval_iter=5,
        start_context="Every effort moves you", tokenizer=get_tokenizer(),
        progress=lambda *report: reports.append(report), should_stop=lambda: len(reports) == 1,
    )  # fmt: skip
    assert round(train_losses[0], 3) == 9.781 and round(val_losses[0], 3) == 9.933
    assert tokens_seen == [512]
    assert reports == [(1, 0, 512, train_losses[0], val_losses[0], None)]


def small_loaders():
    text = VERDICT.read_text()[:3500]
    split = int(0.9 * len(text))
    torch.manual_seed(0)
    train_loader = create_dataloader_v1(text[:split], batch_size=4, max_length=16, stride=16)
    val_loader = create_dataloader_v1(text[split:], batch_size=4, max_length=16, stride=16, shuffle=False)
    return train_loader, val_loader


def test_training_lowers_the_loss_and_reports_progress():
    train_loader, val_loader = small_loaders()
    torch.manual_seed(0)
    model = GPTModel({**TINY_CONFIG, "drop_rate": 0.1})
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.1)
    before = evaluate_model(model, train_loader, val_loader, "cpu", eval_iter=None)
    assert model.training  # evaluate_model hands the model back in training mode

    reports = []
    train_losses, val_losses, tokens_seen = train_model_simple(
        model, train_loader, val_loader, optimizer, "cpu", num_epochs=2, eval_freq=10, eval_iter=2,
        start_context="He said", tokenizer=get_tokenizer(), progress=lambda *r: reports.append(r),
    )  # fmt: skip
    steps_per_epoch = len(train_loader)
    evaluations = len(range(0, 2 * steps_per_epoch, 10))
    assert len(train_losses) == len(val_losses) == len(tokens_seen) == evaluations
    assert tokens_seen[0] == 4 * 16 and tokens_seen == sorted(tokens_seen)
    after = evaluate_model(model, train_loader, val_loader, "cpu", eval_iter=None)
    assert after[0] < before[0] - 2 and after[1] < before[1] - 1

    evaluation_reports = [r for r in reports if r[5] is None]
    epoch_reports = [r for r in reports if r[5] is not None]
    assert [r[3] for r in evaluation_reports] == train_losses
    assert [(r[0], r[1]) for r in epoch_reports] == [(1, steps_per_epoch - 1), (2, 2 * steps_per_epoch - 1)]
    assert all(r[5].startswith("He said") and len(r[5]) > len("He said") for r in epoch_reports)


def test_training_stops_when_asked():
    train_loader, val_loader = small_loaders()
    torch.manual_seed(0)
    model = GPTModel(TINY_CONFIG)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    steps = []
    train_losses, _, tokens_seen = train_model_simple(
        model, train_loader, val_loader, optimizer, "cpu", num_epochs=5, eval_freq=1, eval_iter=1,
        start_context="He said", tokenizer=get_tokenizer(),
        progress=lambda *r: steps.append(r[1]), should_stop=lambda: len(steps) >= 3,
    )  # fmt: skip
    assert steps == [0, 1, 2] and len(train_losses) == 3 and tokens_seen == [64, 128, 192]


def test_empty_loader_has_no_loss():
    with pytest.raises(ValueError, match="The text has 2 tokens, too few for one window of 16 tokens"):
        create_dataloader_v1("too short", batch_size=1, max_length=16, stride=16)
    empty = create_dataloader_v1("too short", batch_size=1, max_length=16, stride=16, shuffle=False)
    assert len(empty) == 0
    assert math.isnan(calc_loss_loader(empty, GPTModel(TINY_CONFIG), "cpu"))
