"""attend: chapter 3's numbers for each mechanism, and every layer and head of a model's weights."""

import math

import pytest

from tutor.demos import attend
from tutor.errors import TutorError


def flat(rows):
    return [value for row in rows for value in row]


def test_simple_attention_gives_the_books_query_two_numbers():
    result = attend()  # section 3.3 on "Your journey starts with one step"
    assert result.source == "book" and result.tokens[result.query] == "journey"
    assert result.query_scores == pytest.approx([0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865], abs=1e-4)
    assert result.query_weights == pytest.approx([0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581], abs=1e-4)
    assert result.query_context == pytest.approx([0.4419, 0.6515, 0.5683], abs=1e-4)
    assert result.heads[0].weights[0] == pytest.approx(
        [0.2098, 0.2006, 0.1981, 0.1242, 0.1220, 0.1452], abs=1e-4
    )
    assert result.context_vectors[0] == pytest.approx([0.4421, 0.5931, 0.5790], abs=1e-4)
    assert result.context_vectors[-1] == pytest.approx([0.4177, 0.6503, 0.5645], abs=1e-4)
    assert result.heads[0].masked_scores is None


def test_trainable_attention_gives_the_books_seeded_numbers():
    result = attend(mode="trainable")  # section 3.4: SelfAttention_v1 after torch.manual_seed(123)
    assert result.query_scores == pytest.approx([1.2705, 1.8524, 1.8111, 1.0795, 0.5577, 1.5440], abs=1e-4)
    assert result.query_weights == pytest.approx([0.1500, 0.2264, 0.2199, 0.1311, 0.0906, 0.1820], abs=1e-4)
    assert result.query_context == pytest.approx([0.3061, 0.8210], abs=1e-4)
    assert result.context_vectors[0] == pytest.approx([0.2996, 0.8053], abs=1e-4)
    assert result.context_vectors[-1] == pytest.approx([0.2990, 0.8040], abs=1e-4)


def test_causal_attention_masks_the_future_and_gives_the_books_context_vectors():
    result = attend(mode="causal")  # section 3.5.3: CausalAttention after torch.manual_seed(123)
    head = result.heads[0]
    for row, (masked, weights) in enumerate(zip(head.masked_scores, head.weights, strict=True)):
        assert all(value is None for value in masked[row + 1 :])
        assert all(value is not None for value in masked[: row + 1])
        assert all(value == 0 for value in weights[row + 1 :])
        assert math.isclose(sum(weights), 1.0, abs_tol=1e-6)
    assert result.context_vectors[0] == pytest.approx([-0.4519, 0.2216], abs=1e-4)
    assert result.context_vectors[-1] == pytest.approx([-0.5299, -0.1081], abs=1e-4)


def test_dropout_zeroes_weights_and_scales_the_rest():
    result = attend(mode="causal", dropout=0.5)
    head = result.heads[0]
    kept = [(d, w) for d, w in zip(flat(head.dropped_weights), flat(head.weights), strict=True) if d]
    dropped = [w for d, w in zip(flat(head.dropped_weights), flat(head.weights), strict=True) if not d and w]
    assert kept and dropped
    assert all(d == pytest.approx(2 * w) for d, w in kept)


def test_multi_head_attention_gives_the_books_rows_and_one_matrix_per_head():
    result = attend(mode="multi-head")  # section 3.6.2: MultiHeadAttention(3, 2, 6, 0.0, num_heads=2)
    assert result.num_heads == 2 and len(result.heads) == 2
    assert result.context_vectors[0] == pytest.approx([0.3190, 0.4858], abs=1e-4)
    assert result.context_vectors[-1] == pytest.approx([0.2575, 0.4028], abs=1e-4)
    assert result.heads[0].weights != result.heads[1].weights
    four = attend(text="The cat sat on the mat.", mode="multi-head", heads=4)
    assert four.source == "text" and four.tokens == ["The", " cat", " sat", " on", " the", " mat", "."]
    assert len(four.heads) == 4 and len(four.context_vectors[0]) == 4


def test_attend_on_a_models_weights_covers_every_layer_and_head(nano_checkpoint):
    path, _, config = nano_checkpoint
    result = attend(text="Every effort moves you forward", weights=str(path), layer=0, head=1)
    assert result.source == "model" and "nano.safetensors" in result.weights
    n = len(result.tokens)
    assert n == 5
    assert len(result.all_weights) == config["n_layers"] and len(result.all_weights[0]) == config["n_heads"]
    for layer in result.all_weights:
        for head in layer:
            assert len(head) == n and all(math.isclose(sum(row), 1.0, abs_tol=1e-5) for row in head)
            assert all(value == 0 for row, weights in enumerate(head) for value in weights[row + 1 :])
    assert flat(result.heads[0].weights) == pytest.approx(flat(result.all_weights[0][1]))
    assert result.heads[0].masked_scores[0][1] is None
    assert result.query == n - 1


def test_attend_truncates_long_text_and_rejects_a_missing_layer(nano_checkpoint):
    path, _, _ = nano_checkpoint
    result = attend(text="word " * 400, weights=str(path))
    assert len(result.tokens) == 32  # the nano model's context
    assert "attention is shown for the first 32" in result.notes[0]
    with pytest.raises(
        TutorError, match="this model has 1 layers and 2 heads .* layer 3, head 0 does not exist"
    ):
        attend(weights=str(path), layer=3)
    with pytest.raises(TutorError, match="No weights at '/no/such/model'"):
        attend(weights="/no/such/model")
