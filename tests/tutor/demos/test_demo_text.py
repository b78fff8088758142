"""tokenize, embed and window: chapter 2's values out of the demos."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import VERDICT
from tutor.demos import embed, tokenize, window
from tutor.errors import TutorError

REFERENCE = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."
REFERENCE_IDS = [
    15496,
    11,
    466,
    345,
    588,
    8887,
    30,
    220,
    50256,
    554,
    262,
    4252,
    18250,
    8812,
    2114,
    286,
    617,
    34680,
    27271,
    13,
]


def flat(rows):
    return [value for row in rows for value in row]


def test_tokenize_gives_gpt2_ids_pieces_and_spans():
    result = tokenize(REFERENCE)
    assert result.ids == REFERENCE_IDS
    assert result.count == 20
    assert "".join(t.text for t in result.tokens) == REFERENCE
    for token in result.tokens:
        assert REFERENCE[token.start : token.end] == token.text
    assert [t.special for t in result.tokens].count(True) == result.special_count == 1
    assert result.tokens[8].text == "<|endoftext|>"
    assert any("<|endoftext|>" in note and "50256" in note for note in result.notes)


def test_tokenize_names_the_words_split_into_sub_words():
    result = tokenize("unhappiness in someunknownPlace, Akwirw ier")
    split = {word.word: word.pieces for word in result.split_words}
    assert split["unhappiness"] == ["un", "h", "appiness"]
    assert split["someunknownPlace"] == ["some", "unknown", "Place"]
    assert split["Akwirw"] == ["Ak", "w", "ir", "w"]
    assert "in" not in split and "ier" not in split
    assert result.word_count == 5
    assert tokenize("Akwirw ier").ids == [33901, 86, 343, 86, 220, 959]


def test_tokenize_json_is_compact_and_complete():
    data = tokenize("unhappiness").to_json()
    assert data["ids"] == [403, 71, 42661]
    assert data["tokens"][0] == [403, "un", 0, 2, False]
    assert data["split_words"][0]["pieces"] == ["un", "h", "appiness"]


def test_embed_reproduces_the_books_six_by_three_example():
    result = embed()  # section 2.7: torch.manual_seed(123); nn.Embedding(6, 3); ids [2, 3, 5, 1]
    book_weights = [
        [0.3374, -0.1778, -0.1690],
        [0.9178, 1.5810, 1.3010],
        [1.2753, -0.2010, -0.1606],
        [-0.4015, 0.9666, -1.1481],
        [-1.1589, 0.3255, -0.6315],
        [-2.8400, -0.7849, -1.4096],
    ]
    assert flat(result.weight_matrix) == pytest.approx(flat(book_weights), abs=1e-4)
    assert result.token_ids == [2, 3, 5, 1]
    rows = [book_weights[i] for i in (2, 3, 5, 1)]
    assert flat(result.token_embeddings) == pytest.approx(flat(rows), abs=1e-4)
    assert result.shapes["input_embeddings"] == [4, 3]
    for total, token, position in zip(
        result.input_embeddings, result.token_embeddings, result.positional_embeddings, strict=True
    ):
        assert total == pytest.approx([a + b for a, b in zip(token, position, strict=True)])


def test_embed_text_uses_gpt2_tokens_and_the_books_256_dimensions():
    result = embed("Your journey starts")
    assert result.token_ids == [7120, 7002, 4940]
    assert result.vocab_size == 50257 and result.dimensions == 256
    assert result.shapes == {
        "embedding_matrix": [50257, 256],
        "token_embeddings": [3, 256],
        "positional_embeddings": [3, 256],
        "input_embeddings": [3, 256],
    }
    assert result.weight_matrix is None
    small = embed("Your journey starts", dimensions=4)
    assert len(small.input_embeddings[0]) == 4


def test_embed_truncates_text_longer_than_the_context_and_says_so():
    result = embed("word " * 1500, dimensions=2)
    assert len(result.token_ids) == 1024
    assert "only the first 1,024 were embedded" in result.notes[0]


def test_window_reproduces_the_books_data_loader_on_the_verdict():
    text = VERDICT.read_text(encoding="utf-8")
    result = window(text, max_length=4, stride=1, batch_size=1)
    assert result.batches[0][0].inputs == [40, 367, 2885, 1464]
    assert result.batches[0][0].targets == [367, 2885, 1464, 1807]
    assert result.batches[1][0].inputs == [367, 2885, 1464, 1807]
    assert result.batches[1][0].targets == [2885, 1464, 1807, 3619]
    assert result.token_count == 5145 and result.window_count == 5141
    wide = window(text, max_length=4, stride=4, batch_size=8)
    assert [pair.inputs for pair in wide.batches[0]] == [
        [40, 367, 2885, 1464],
        [1807, 3619, 402, 271],
        [10899, 2138, 257, 7026],
        [15632, 438, 2016, 257],
        [922, 5891, 1576, 438],
        [568, 340, 373, 645],
        [1049, 5975, 284, 502],
        [284, 3285, 326, 11],
    ]
    assert wide.shapes == {"inputs": [8, 4], "targets": [8, 4]}
    assert sum(len(batch) for batch in wide.batches) == 64  # the rest are counted, not listed
    assert wide.batch_count == 160


def test_window_cuts_a_very_long_text_and_says_so():
    result = window("word " * 30_000, max_length=4, stride=4, batch_size=2)
    assert result.token_count == 20_000 and result.window_count == 4_999
    assert result.notes[0] == "The text has 30,001 tokens; windows are cut from the first 20,000."


def test_window_shows_next_token_prediction_in_the_first_window():
    result = window()  # the opening of The Verdict
    steps = [(step.context_text, step.target_text) for step in result.first_window_steps]
    assert steps == [("I", " H"), ("I H", "AD"), ("I HAD", " always"), ("I HAD always", " thought")]


def test_window_on_a_text_too_short_for_one_window_says_how_long_it_must_be():
    with pytest.raises(TutorError, match=r"The text has 3 tokens; a window of max_length 4 needs at least 5"):
        window("one two three", max_length=4)
    result = window("Your journey starts with one step", max_length=4, stride=4, batch_size=2)
    assert result.batch_count == 0 and "fewer than one batch of 2" in result.notes[0]


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, alphabet=st.characters(blacklist_categories=["Cs"])))
def test_token_spans_are_the_engines_token_pieces(text):
    from engine import token_pieces

    result = tokenize.__wrapped__(text)  # any text, even whitespace only
    expected = token_pieces(text, "all")
    assert result.ids == [p.id for p in expected]
    assert [(t.start, t.end, t.text) for t in result.tokens] == [(p.start, p.end, p.text) for p in expected]
    for word in result.split_words:
        assert "".join(word.pieces) == word.word == text[word.start : word.start + len(word.word)]
        assert len(word.pieces) > 1


def test_tokenize_handles_tricky_characters():
    result = tokenize("🎯naïveté 日本語 e\u0301")
    assert "".join(t.text for t in result.tokens) == "🎯naïveté 日本語 e\u0301"
    assert {w.word: w.pieces for w in result.split_words}["naïveté"] == ["na", "ï", "vet", "é"]
