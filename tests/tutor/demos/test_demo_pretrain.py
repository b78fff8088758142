"""pretrain: a nano GPT learns from the decks' notes, reports each evaluation, and keeps its checkpoint."""

import threading

import pytest

from tests.conftest import VERDICT
from tutor.demos import generate, pretrain
from tutor.demos.pretraining import PretrainProgress, overfitting_note, plan_training
from tutor.errors import TutorError


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One short run on the default corpus (the bundled decks' notes), shared by the tests below."""
    home = tmp_path_factory.mktemp("pretrain-home")
    updates = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUTOR_HOME", str(home))
        result = pretrain(config="nano", steps=8, progress=updates.append)
    return result, updates, home


def test_training_on_the_notes_lowers_the_validation_loss(trained):
    result, _, _ = trained
    assert result.corpus == "the decks' notes" and result.corpus_characters > 20_000
    assert result.config_name == "nano" and result.parameters == 3_230_144
    assert result.steps == 8 and result.tokens_seen == 8 * 8 * 32
    assert result.history[0].val_loss > 10.5  # an untrained GPT-2-vocabulary model: about ln(50257) = 10.8
    assert result.final_val_loss < result.initial_val_loss - 0.3
    assert result.final_train_loss < result.history[0].train_loss - 0.3
    assert not result.cancelled and result.notes == []


def test_progress_reports_step_tokens_losses_and_a_sample_per_evaluation(trained):
    result, updates, _ = trained
    evaluations = [(u.step, u.tokens_seen) for u in result.history]
    assert evaluations == [(0, 0), (1, 256), (8, 2048)]  # before training, every 10 steps, where it stopped
    assert {(u.step, u.tokens_seen) for u in updates} == set(evaluations)
    assert all(u.total_steps == 8 for u in updates)
    assert all(u.sample.startswith("Attention is") for u in result.history[1:])
    assert result.sample == result.history[-1].sample


def test_the_checkpoint_reloads_and_generates_what_training_sampled(trained, monkeypatch):
    result, _, home = trained
    monkeypatch.setenv("TUTOR_HOME", str(home))
    assert result.checkpoint.startswith(str(home / "checkpoints" / "pretrain-nano-"))
    text = generate("Attention is", max_new_tokens=50, weights="last")
    assert "trained 8 steps on the decks' notes" in text.weights and text.trained
    assert text.text == result.sample  # the same weights: the same greedy continuation
    assert (
        generate("Attention is", max_new_tokens=3, weights=result.checkpoint).token_ids == text.token_ids[:6]
    )


def test_cancelling_stops_at_the_next_step_and_keeps_a_checkpoint(tutor_home):
    from engine.checkpoints import load_checkpoint

    cancel = threading.Event()

    def progress(update):
        if update.step >= 1:
            cancel.set()

    result = pretrain(corpus="notes", config="nano", steps=50, progress=progress, cancel=cancel)
    assert result.cancelled and result.steps == 1
    assert "Stopped after 1 of 50 steps" in result.notes[0]
    saved = load_checkpoint(result.checkpoint)
    assert saved.meta["cancelled"] is True and saved.meta["steps"] == 1
    assert saved.config["emb_dim"] == 32

    cancel.set()  # already set when the run starts: the untrained model's losses, no checkpoint
    early = pretrain(corpus="notes", config="nano", steps=50, cancel=cancel)
    assert early.steps == 0 and early.checkpoint is None and len(early.history) == 1
    assert early.notes[0] == "Stopped before the first training step; there is nothing to save."


def test_a_corpus_too_short_or_missing_gives_one_sentence(tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("Attention is all you need. " * 8, encoding="utf-8")
    with pytest.raises(
        TutorError, match=r"too short for one window: its validation part \(the last 10%\) has"
    ):
        pretrain(corpus=str(short), config="nano")
    with pytest.raises(TutorError, match=r"Corpus file .*missing\.txt does not exist"):
        pretrain(corpus=str(tmp_path / "missing.txt"), config="nano")
    with pytest.raises(TutorError, match="argument 'steps' must be at least 0"):
        pretrain(steps=-1)


def test_the_books_preset_builds_the_books_data_on_the_verdict():
    # Section 5.1.3: context 256, batch 2, 90/10 split of The Verdict -> 9 training and 1 validation batch.
    # (The book's losses for this setup are the engine's tests: they need the 124M model.)
    plan = plan_training(str(VERDICT), config=None, steps=None, epochs=None, seed=123, preset="book")
    assert plan.config_name == "gpt2-small (124M)" and plan.config["context_length"] == 256
    assert plan.settings.learning_rate == 4e-4 and plan.settings.weight_decay == 0.1
    assert plan.settings.epochs == 10 and plan.settings.batch_size == 2
    assert plan.settings.eval_freq == 5 and plan.settings.start_context == "Every effort moves you"
    assert len(plan.train_loader) == 9 and len(plan.val_loader) == 1
    assert plan.train_tokens == 4_608 and plan.val_tokens == 512
    first_inputs, _ = next(iter(plan.val_loader))
    assert first_inputs.shape == (2, 256)


def test_big_models_save_at_each_epochs_end_instead_of_every_evaluation(tmp_path, monkeypatch):
    import engine.checkpoints
    import tutor.demos.pretraining

    corpus = tmp_path / "opening.txt"
    corpus.write_text(VERDICT.read_text(encoding="utf-8")[:3000], encoding="utf-8")
    monkeypatch.setattr(tutor.demos.pretraining, "SAVE_EVERY_EVAL_BELOW", 0)  # treat nano as a big model
    saves = []
    real_save = engine.checkpoints.save_checkpoint

    def counting_save(path, model, config, optimizer=None, meta=None):
        saves.append(meta["steps"])
        return real_save(path, model, config, optimizer, meta)

    monkeypatch.setattr(engine.checkpoints, "save_checkpoint", counting_save)
    result = pretrain(corpus=str(corpus), config="nano", epochs=2)
    assert result.steps == 4 and saves == [2, 4]  # two batches an epoch; the end needs no extra save
    assert [h.sample is None for h in result.history] == [True, True, False]  # samples at the end only


@pytest.mark.slow
def test_seeded_demos_and_training_in_parallel_do_not_disturb_each_other(tmp_path):
    from tutor.demos import attend, embed

    corpus = tmp_path / "opening.txt"
    corpus.write_text(VERDICT.read_text(encoding="utf-8")[:3000], encoding="utf-8")
    alone = pretrain(corpus=str(corpus), config="nano", steps=4)

    results = {}
    training = threading.Thread(
        target=lambda: results.update(run=pretrain(corpus=str(corpus), config="nano", steps=4))
    )
    training.start()
    seen = 0
    while training.is_alive() or seen == 0:  # the app's other demos, while the model trains
        assert embed().token_embeddings[0][0] == pytest.approx(1.2753, abs=1e-4)
        assert attend(mode="causal").context_vectors[0] == pytest.approx([-0.4519, 0.2216], abs=1e-4)
        seen += 1
        training.join(0.05)  # leave the training thread most of the two cores
    together = results["run"]
    assert [(h.step, h.train_loss, h.val_loss) for h in together.history] == [
        (h.step, h.train_loss, h.val_loss) for h in alone.history
    ]


def test_a_rising_validation_loss_is_named_overfitting():
    def history(*losses):
        return [
            PretrainProgress(10 * i, 50, 1, 0, train, val, None, 0.0) for i, (train, val) in enumerate(losses)
        ]

    rising = history((10.9, 10.9), (6.0, 7.0), (4.0, 6.5), (2.5, 6.8))
    assert overfitting_note(rising) == (
        "The validation loss was lowest (6.500) at step 20 and has risen since, while the training loss kept "
        "falling: the model is memorising its corpus (overfitting, 5.2)."
    )
    assert overfitting_note(history((10.9, 10.9), (6.0, 7.0), (4.0, 6.5))) is None
    assert (
        overfitting_note(history((10.9, 10.9), (6.0, 7.0), (6.5, 7.2))) is None
    )  # both rose: not memorising


def test_the_notes_corpus_keeps_an_images_description_but_not_its_path_or_a_placeholder(monkeypatch):
    from types import SimpleNamespace

    import tutor.decks
    from tutor.demos.pretraining import notes_corpus

    card = SimpleNamespace(
        question="What does the loss curve show?",
        answer="- ![alt text](image-3.png)\n- ![the loss falling for 10 epochs](l.png)\n- summary ![](a.png)",
    )
    deck = SimpleNamespace(title="Chapter 5", notes="Pretraining. ![image](b.png)", cards=[card])
    monkeypatch.setattr(tutor.decks, "load_decks", lambda: ([deck], []))
    assert notes_corpus() == (
        "# Chapter 5\n\nPretraining. \n\n"
        "What does the loss curve show?\n\n- the loss falling for 10 epochs\n- summary "
    )
