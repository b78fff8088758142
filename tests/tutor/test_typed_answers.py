"""Type-in answers: each way of comparing, the character diff and the proposed grade."""

from __future__ import annotations

import pytest

from tutor.typed_answers import AGAIN, GOOD, Piece, check, diff


@pytest.mark.parametrize(
    ("expected", "typed", "compare", "right"),
    [
        ("124412160", "124,412,160", "exact", True),
        ("124412160", "124 412 160", "exact", True),
        ("124412160", "124412161", "exact", False),
        ("33901, 86, 343, 86, 220, 959", "33901 86 343 86 220 959", "exact", True),
        ("33901, 86, 343, 86, 220, 959", "[33901, 86, 343, 86, 220]", "exact", False),
        ("0.2379", "0.24", "number", True),
        ("0.2379", "0.23", "number", False),
        ("0.2379", "nan", "number", False),
        ("0.2379", "about a quarter", "number", False),
        ("Feature", " feature ", "words", True),
        ("Feature", "“Feature.”", "words", True),
        ("Feature", "Features", "words", False),
        ("Feature", "", "words", False),
    ],
)
def test_compare(expected, typed, compare, right) -> None:
    verdict = check(expected, typed, compare)
    assert verdict.right is right
    assert verdict.proposed == (GOOD if right else AGAIN)


def test_the_tolerance_is_the_cards() -> None:
    assert check("621.8291", "621.5", "number", tolerance=0.5).right
    assert not check("621.8291", "621.2", "number", tolerance=0.5).right


def test_the_diff_marks_what_is_missing_and_what_is_extra() -> None:
    assert diff("50256", "50256") == [Piece("same", "50256")]
    assert diff("50256", "5025") == [Piece("same", "5025"), Piece("missing", "6")]
    assert diff("50256", "502567") == [Piece("same", "50256"), Piece("extra", "7")]
    pieces = diff("Feature", "Featrue")
    assert "".join(p.text for p in pieces if p.kind != "extra") == "Feature"
    assert "".join(p.text for p in pieces if p.kind != "missing") == "Featrue"


def test_nothing_typed_says_so() -> None:
    verdict = check("3", "  ", "exact")
    assert not verdict.right and verdict.why == "Nothing was typed." and verdict.proposed == AGAIN


def test_a_words_diff_leaves_out_case_and_spacing() -> None:
    verdict = check("Byte pair encoding", "byte  pair encodign", "words")
    assert "".join(p.text for p in verdict.diff if p.kind != "extra") == "byte pair encoding"
    assert verdict.diff[0] == Piece("same", "byte pair encodi")  # the capital B is no difference
    assert "".join(p.text for p in verdict.diff if p.kind != "missing") == "byte pair encodign"
