"""Repairing notes decoded with Windows-1254 that lost bytes on the way."""

from __future__ import annotations

import pytest

from tutor.importer.mojibake import MOJIBAKE, find_mojibake, repair_text, restore_lost_bytes


def damage(text: str) -> str:
    """What the learner's notes went through: UTF-8 read as Windows-1254, undefined bytes and soft
    hyphens lost."""
    return text.encode("utf-8").decode("cp1254", errors="ignore").replace("\xad", "")


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("ğŸ¯Q. What is an LLM", "🎯Q. What is an LLM"),  # 8E lost from F0 9F 8E AF
        ("â **Takeaway**: big data", "⭐ **Takeaway**: big data"),  # AD 90 lost from E2 AD 90
        ("the â€œlargeâ€ in", "the “large” in"),  # 9D lost before a space
        ("ends with a quote â€", "ends with a quote ”"),  # ... and before the line end
        ('0.30] â† "I"', '0.30] ← "I"'),  # 90 lost from E2 86 90
        ("âš\xa0ï¸ - warnings", "⚠️ - warnings"),  # 8F lost from the variation selector EF B8 8F
        ("âââ GENERAL NOTES âââ", "⭐⭐⭐ GENERAL NOTES ⭐⭐⭐"),
        ("an âneural networkâ designed", "an ⭐neural network⭐ designed"),
        ("Token IDs â†’ vectors", "Token IDs → vectors"),  # whole sequences: ftfy alone
        ("itâ€™s ğŸ”¥ and ğŸ’¡ â‰ˆ one-hot Ã— W", "it’s 🔥 and 💡 ≈ one-hot × W"),
        ("InputÂ\xa0toÂ\xa0Transformer", "Input to Transformer"),  # no-break spaces become spaces
        ("LLMsâ€”those tailored", "LLMs—those tailored"),
    ],
)
def test_damaged_text_is_repaired(damaged: str, repaired: str) -> None:
    # each line as part of notes damaged elsewhere too (a lone â is a star only there)
    assert repair_text(damaged + "\nğŸ¯") == repaired + "\n🎯"
    assert not MOJIBAKE.search(repair_text(damaged + "\nğŸ¯"))


def test_what_the_damage_does_is_what_we_undo() -> None:
    original = "🎯Q. “quoted” ⭐ star ← arrow → ⚠️ — dash’s 🔥💡🚀🚫 ≈ ×"
    assert repair_text(damage(original)) == original


def test_lost_bytes_come_back_as_the_characters_ftfy_expects() -> None:
    assert restore_lost_bytes("ğŸ¯") == "ğŸ\x8e¯"
    assert restore_lost_bytes("â ") == "â\xad\x90 "
    assert restore_lost_bytes("â€ x") == "â€\x9d x"


def test_real_letters_are_left_alone() -> None:
    text = "pâte, café, naïve, Doğan, Ñandú, Straße, 東京, “already fine” — ok ⭐ 🎯"
    assert repair_text(text) == text
    assert find_mojibake(text) == []


def test_a_joiner_between_emoji_is_a_joiner() -> None:
    assert repair_text(damage("👨\u200d💻 coding")) == "👨\u200d💻 coding"


def test_line_numbers_survive_the_repair() -> None:
    text = "a\r\nğŸ¯ b\nâ€œc\n\nd â"
    assert repair_text(text).count("\n") == text.count("\n")


def test_what_cannot_be_repaired_is_found() -> None:
    assert find_mojibake("fine\nstill Ã© broken\nğŸ left") == [2, 3]


def test_a_lone_a_circumflex_is_a_star_only_in_damaged_notes() -> None:
    assert repair_text("Vietnamese: âm thanh, French: âge") == "Vietnamese: âm thanh, French: âge"
    assert find_mojibake("Vietnamese: âm thanh, French: âge") == []
    assert repair_text("â important\nğŸ¯Q. x") == "⭐ important\n🎯Q. x"
