"""The notes' block tokens are the same with the block rules no line can match left out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tutor.test_notes_property import FRAGMENTS, REAL
from tutor.importer.blocks import _BLOCKS, _rules_left_out, parse_notes_blocks

# Lines each left-out rule would read, written the ways lists, quotes, tabs and trailing spaces allow.
RULE_LINES = [
    "Title\n",
    "===\n",
    "=\n",
    "---\n",
    "-\n",
    "--  \n",
    "= \t\n",
    "***\n",
    "* * *\n",
    "_ _ _  \n",
    "- * * *\n",
    "1. ---\n",
    "[label]: http://x\n",
    "[label]\n",
    "]:",
    "> quoted\n",
    "  > quoted\n",
    "- > quoted\n",
    "1. > quoted\n",
    "-\t> quoted\n",
    ">> deep\n",
    "a > b\n",
    "    code\n",
    "\tcode\n",
    "-     code\n",
    ">     code\n",
    "   text\n",
    "```\n",
    "~~~ python\n",
    "- ```\n",
    "1. item\n",
    "- item\n",
    "  - nested\n",
    "text",
    " ",
    "\n",
    "\n\n",
]
notes = st.lists(st.sampled_from(RULE_LINES + FRAGMENTS), max_size=40).map("".join)


def dicts(tokens: list) -> list[dict]:
    return [token.as_dict() for token in tokens]


@settings(max_examples=400, deadline=None)
@given(notes)
def test_leaving_rules_out_gives_the_same_tokens(text: str) -> None:
    assert dicts(parse_notes_blocks(text, {})) == dicts(_BLOCKS.parse(text, {}))


def test_the_real_notes_give_the_same_tokens() -> None:
    assert dicts(parse_notes_blocks(REAL, {})) == dicts(_BLOCKS.parse(REAL, {}))


def test_notes_without_such_lines_leave_the_rules_out() -> None:
    everything = {"lheading", "hr", "reference", "blockquote", "code", "fence"}
    assert _rules_left_out("# Part 1\n\n<details><summary>Q?</summary>\n\n- a\n</details>\n") == everything
    assert _rules_left_out("Title\n===\n") == everything - {"lheading"}
    assert _rules_left_out("a\n- - -  \n") == everything - {"lheading", "hr"}
    assert _rules_left_out("1. > a\n") == everything - {"blockquote"}
    assert _rules_left_out("[a]: b\n\tc") == everything - {"reference", "code"}
    assert _rules_left_out("- ```python\n  x\n  ```\n") == everything - {"fence"}
