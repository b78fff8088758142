import string

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import END_OF_TEXT_ID, get_tokenizer, token_pieces, token_spans


def test_reference_values_from_shared_readme():
    tokenizer = get_tokenizer()
    text = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."
    expected = [15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114, 286]
    expected += [617, 34680, 27271, 13]
    assert tokenizer.encode(text, allowed_special={"<|endoftext|>"}) == expected
    assert tokenizer.decode(expected) == text
    assert tokenizer.encode("Akwirw ier") == [33901, 86, 343, 86, 220, 959]
    assert [tokenizer.decode([i]) for i in [33901, 86, 343, 86, 220, 959]] == [
        "Ak",
        "w",
        "ir",
        "w",
        " ",
        "ier",
    ]
    assert tokenizer.n_vocab == 50257


def test_pieces_tile_the_text_with_emoji_and_end_of_text():
    text = "Tea 🎯 time<|endoftext|>naïve — done"
    pieces = token_pieces(text)
    assert [p.id for p in pieces] == get_tokenizer().encode(text, allowed_special="all")
    assert "".join(p.text for p in pieces) == text
    assert pieces[0].start == 0 and pieces[-1].end == len(text)
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert before.end == after.start
    for piece in pieces:
        assert text[piece.start : piece.end] == piece.text
    end = [p for p in pieces if p.id == END_OF_TEXT_ID]
    assert len(end) == 1 and end[0].text == "<|endoftext|>"
    # The emoji is four bytes split over several tokens; exactly one piece carries the character.
    assert len([p for p in pieces if "🎯" in p.text]) == 1


def test_end_of_text_can_be_plain_text():
    pieces = token_pieces("a<|endoftext|>", allowed_special=set())
    assert END_OF_TEXT_ID not in [p.id for p in pieces]
    assert "".join(p.text for p in pieces) == "a<|endoftext|>"


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(string.printable) + ["é", "ß", "中", "🎯", "👍", "\U0001f3fd", "\u0301"]
        )
    )
)
def test_pieces_always_tile_the_text(text):
    pieces = token_pieces(text)
    assert "".join(p.text for p in pieces) == text
    position = 0
    for piece in pieces:
        assert piece.start == position
        position = piece.end
    assert position == len(text)


def _reference_spans(text: str) -> list[tuple[int, int]]:
    """Spans from tiktoken's own character offsets (slow, but plainly right)."""
    tokenizer = get_tokenizer()
    ids = tokenizer.encode(text, allowed_special="all")
    _, offsets = tokenizer.decode_with_offsets(ids)
    spans, previous_end = [], 0
    for index in range(len(ids)):
        end = offsets[index + 1] if index + 1 < len(ids) else len(text)
        start = min(max(offsets[index], previous_end), end)
        spans.append((start, end))
        previous_end = end
    return spans


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, alphabet=st.characters(blacklist_categories=["Cs"])))
def test_spans_equal_tiktokens_offsets(text):
    ids, starts, ends = token_spans(text)
    assert ids == get_tokenizer().encode(text, allowed_special="all")
    assert list(zip(starts, ends, strict=True)) == _reference_spans(text)
