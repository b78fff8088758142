"""The ways people write <details> Q&A notes, one small notes file each: every style becomes clean cards."""

from __future__ import annotations

from pathlib import Path

from tutor.importer import import_notes


def run(tmp_path: Path, notes: str):
    path = tmp_path / "notes.md"
    path.write_text(notes, encoding="utf-8")
    return import_notes(path, tmp_path / "decks")


def qa(report) -> list[tuple[str, str]]:
    return [(card.question, card.answer) for card in report.cards]


def kinds(report) -> list[str]:
    return [problem.kind for problem in report.problems]


# 1. </details> not alone on its line
def test_a_closing_tag_after_text_code_or_a_list_item(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Python\n\n"
        "<details><summary>What does len() return?</summary>\n\nThe <b>number of items</b></details>\n\n"
        "<details><summary>How do I reverse a list?</summary>\n\n```python\nxs[::-1]\n```</details>\n\n"
        "<details><summary>Which types are immutable?</summary>\n\n- tuple\n- str</details>\n\n"
        "Text after the blocks.\n",
    )
    assert qa(report) == [
        ("What does len() return?", "The **number of items**"),
        ("How do I reverse a list?", "```python\nxs[::-1]\n```"),
        ("Which types are immutable?", "- tuple\n- str"),
    ]
    assert report.problems == []
    assert report.decks[0].notes == "Text after the blocks."


# 2. HTML in the summary
def test_tags_and_entities_in_the_summary(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# C\n\n<details><summary><b>What is <code>a &lt; b</code>?</b></summary>\n\nA comparison.\n"
        "</details>\n\n"
        "<details><summary><strong>What&#39;s a pointer?</strong></summary>\n\nAn address.\n</details>\n",
    )
    assert qa(report) == [("What is `a < b`?", "A comparison."), ("What's a pointer?", "An address.")]
    assert report.problems == []


# 3. The question above the block, the summary only a label
def test_the_question_above_a_block_labelled_answer(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Interview\n\nSome intro.\n\n### 1. What is a closure?\n\n"
        "<details><summary>Answer</summary>\n\nA function with its environment.\n</details>\n\n"
        "**Explain the GIL.**\n<details><summary>Show answer</summary>\n\nOne thread runs Python at a time.\n"
        "</details>\n\n"
        "What does this print?\n\n```python\nprint(1 + 1)\n```\n\n"
        "<details><summary>Solution</summary>\n\n`2`\n</details>\n\n"
        "- 什么是进程？\n  <details><summary>答案</summary>\n\n  运行中的程序。\n  </details>\n\n"
        "스레드란 무엇인가\n\n<details><summary>정답</summary>\n\n실행 단위.\n</details>\n",
    )
    assert qa(report) == [
        ("What is a closure?", "A function with its environment."),
        ("Explain the GIL.", "One thread runs Python at a time."),
        ("What does this print?\n\n```python\nprint(1 + 1)\n```", "`2`"),
        ("什么是进程？", "运行中的程序。"),
        ("스레드란 무엇인가", "실행 단위."),
    ]
    assert report.problems == []
    assert report.decks[0].notes == "Some intro."  # the questions left the notes: they are the cards


def test_a_label_with_nothing_above_it_is_reported(tmp_path: Path) -> None:
    report = run(tmp_path, "# D\n<details><summary>Answer</summary>\n\nForty-two.\n</details>\n")
    assert report.cards == [] and kinds(report) == ["no-question"]
    assert report.problems[0].message == (
        "line 2: the block's summary 'Answer' only labels an answer and no question is written above it; "
        "its text is kept in the deck notes."
    )
    assert report.decks[0].notes == "**Answer**\n\nForty-two."


# 4. Questions that do not end in an ASCII ?
def test_questions_without_a_question_mark(tmp_path: Path) -> None:
    summaries = [
        "Explain the event loop",
        "Describe TCP's handshake",
        "Write a function that reverses a string",
        "进程和线程的区别",
        "TCP와 UDP의 차이를 설명하시오",
        "Python 的 GIL 是什么？",
        "The capital of France is ___",
        "<code>print(x[::2])</code>",
        "Docker volumes",
        "Notes",
    ]
    blocks = "".join(
        f"<details><summary>{summary}</summary>\n\nA real answer {n}.\n</details>\n\n"
        for n, summary in enumerate(summaries)
    )
    report = run(tmp_path, "# Mixed\n\n" + blocks)
    assert [card.question for card in report.cards] == [
        "Explain the event loop",
        "Describe TCP's handshake",
        "Write a function that reverses a string",
        "进程和线程的区别",
        "TCP와 UDP의 차이를 설명하시오",
        "Python 的 GIL 是什么？",
        "The capital of France is ___",
        "`print(x[::2])`",
        "Docker volumes",  # doubtful: a card, and reported
    ]
    assert [(p.kind, p.line) for p in report.problems] == [("doubtful-question", 43), ("not-a-question", 48)]
    assert "'Docker volumes' does not read as a question" in report.problems[0].message
    assert report.decks[0].notes == "**Notes**\n\nA real answer 9."


# 5. Answers made only of tags
def test_an_answer_of_tags_only_needs_an_answer(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# D\n\n<details><summary>What is X?</summary>\n<br><b></b>\n</details>\n\n"
        "<details><summary>What is Y?</summary>\n\n<p></p>\n</details>\n",
    )
    assert [(c.question, c.answer, c.needs_answer) for c in report.cards] == [
        ("What is X?", "", True),
        ("What is Y?", "", True),
    ]
    assert kinds(report) == ["needs-answer", "needs-answer"]
    assert "the answer is empty" in report.problems[0].message


# 6. Answers written in HTML
def test_html_answers_become_markdown(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Web\n\n<details><summary>What is in an HTML answer?</summary>\n"
        '<p>A <a href="https://example.com">link</a> and <em>emphasis</em>.</p>\n'
        "<ul><li>one</li><li>two <code>x_y</code></li></ul>\n"
        '<pre><code class="language-python">def f():\n    return 1\n</code></pre>\n'
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>\n"
        '<img src="https://example.com/p.png" alt="a picture">\n'
        "</details>\n",
    )
    [(question, answer)] = qa(report)
    assert answer == (
        "A [link](https://example.com) and *emphasis*.\n\n"
        "- one\n- two `x_y`\n\n"
        "```python\ndef f():\n    return 1\n```\n\n"
        "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
        "![a picture](https://example.com/p.png)"
    )
    assert report.problems == []


def test_html_answers_that_leave_end_tags_out_read_as_a_browser_reads_them(tmp_path: Path) -> None:
    """HTML lets a writer leave out </li>, </p>, </td> and </tr>: each item, paragraph and cell ends where
    the next begins."""
    report = run(
        tmp_path,
        "# Web\n\n<details><summary>What does HTML let you leave out?</summary>\n"
        "<p>End tags<p>of paragraphs,\n"
        "<ul><li>list items<li>and <b>more</b></ul>\n"
        "<table><tr><th>tag<th>closed by<tr><td>li<td>the next li</table>\n"
        "</details>\n",
    )
    [(question, answer)] = qa(report)
    assert answer == (
        "End tags\n\nof paragraphs,\n\n"
        "- list items\n- and **more**\n\n"
        "| tag | closed by |\n| --- | --- |\n| li | the next li |"
    )
    assert report.problems == []


# 7. Nested <details>
def test_nested_blocks_a_child_question_is_a_card_a_hint_stays(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Nested\n\n<details><summary>What is a process?</summary>\n\nA running program.\n\n"
        "<details><summary>Hint</summary>\n\nThink of `ps`.\n</details>\n\n"
        "<details><summary>What is a thread?</summary>\n\nA unit inside a process.\n</details>\n\n"
        "It has its own memory.\n</details>\n\nAfter.\n",
    )
    assert qa(report) == [
        ("What is a process?", "A running program.\n\n**Hint**\n\nThink of `ps`.\n\nIt has its own memory."),
        ("What is a thread?", "A unit inside a process."),
    ]
    assert report.problems == []
    assert report.decks[0].notes == "After."
    assert report.summary()["child_cards"] == 1 and report.summary()["in_parent_answers"] == 1


# 8. <details> inside a list item
def test_a_block_inside_a_list_item(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# List\n\n1. First topic\n   <details><summary>What is DNS?</summary>\n\n"
        "   - names to addresses\n   - port 53\n   </details>\n"
        "2. Second topic\n",
    )
    assert qa(report) == [("What is DNS?", "- names to addresses\n- port 53")]
    assert report.problems == []
    assert report.decks[0].notes == "1. First topic\n\n2. Second topic"


# 9. Other code-page damage
def test_windows_1252_damage_is_repaired_and_what_stays_is_reported(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Tips\n\n<details><summary>ðŸŽ¯ Whatâ€™s a â€œclosureâ€?</summary>\n\nItâ€™s a function.\n"
        "</details>\n\n"
        "<details><summary>What is left?</summary>\n\nA lost ðŸ emoji.\n</details>\n",
    )
    assert report.cards[0].question == "🎯 What’s a “closure”?"
    assert report.cards[0].answer == "It’s a function."
    assert [(p.kind, p.line) for p in report.problems] == [("mojibake", 10)]


# 10. False duplicates
def test_same_wording_or_near_code_is_no_duplicate(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "# Chapter 1\n\n<details><summary>What is a summary?</summary>\n\nChapter 1 in short.\n</details>\n\n"
        "# Chapter 2\n\n<details><summary>What is a summary?</summary>\n\nChapter 2 in short.\n</details>\n\n"
        "<details><summary>What does my_list[::3] give?</summary>\n\nEvery third item.\n</details>\n\n"
        "<details><summary>What does my_list[:3] give?</summary>\n\nEvery third item.\n</details>\n\n"
        "<details><summary>What does my_list[:3] give ?</summary>\n\nEvery third item.\n</details>\n",
    )
    assert [card.needs_answer for card in report.cards] == [False, False, False, False, True]
    [problem] = report.problems
    assert problem.line == 25 and "the same question and answer are already on line 20" in problem.message


def test_a_style_change_keeps_every_cards_id(tmp_path: Path) -> None:
    before = (
        "# Python\n\n"
        "<details><summary><b>What does len() return?</b></summary>\n\nThe number of items.</details>\n\n"
        "### What is a closure?\n\n<details><summary>Answer</summary>\n\nA function with its scope.\n"
        "</details>\n\n"
        "- <details><summary><strong>How do I reverse a list?</strong></summary>\n\n"
        "  ```python\n  xs[::-1]\n  ```</details>\n\n"
        "<details><summary>What is a process?</summary>\n\nA running program.\n"
        "<details><summary>What is a thread?</summary>\n\nA unit inside it.\n</details>\n</details>\n"
    )
    after = (
        "# Python\n\n"
        "<details>\n<summary>🎯Q. What does len() return?</summary>\n\nThe number of items.\n</details>\n\n"
        "<details>\n<summary>What is a closure?</summary>\n\nA function with its scope.\n</details>\n\n"
        "<details>\n<summary>How do I reverse a list?</summary>\n\n```python\nxs[::-1]\n```\n</details>\n\n"
        "<details>\n<summary>What is a process?</summary>\n\nA running program.\n</details>\n\n"
        "<details>\n<summary>What is a thread?</summary>\n\nA unit inside it.\n</details>\n"
    )
    first = run(tmp_path, before)
    assert first.problems == []
    again = run(tmp_path, after)
    assert again.new_cards == [] and again.removed == [] and again.problems == []
    assert {c.question: c.id for c in again.cards} == {c.question: c.id for c in first.cards}
    assert [c.answer for c in again.cards] == [c.answer for c in first.cards]
    assert len(again.cards) == 5


def test_a_style_change_keeps_review_history(tmp_path: Path) -> None:
    from store_support import open_store

    first = run(
        tmp_path,
        "# D\n\n<details><summary><b>What is a token?</b></summary>\n\n<p>A piece of text.</p></details>\n",
    )
    store = open_store(tmp_path / "progress.sqlite3", first.cards)
    [card] = first.cards
    store.grade(card.id, 3, 4000)
    again = run(
        tmp_path, "# D\n\n<details>\n<summary>What is a token?</summary>\n\nA piece of text.\n</details>\n"
    )
    store.sync_cards(again.cards)
    assert [c.id for c in again.cards] == [card.id]
    reviews = store.db.execute("SELECT card_id, rating FROM reviews").fetchall()
    assert [tuple(r) for r in reviews] == [(card.id, 3)]
    store.close()
