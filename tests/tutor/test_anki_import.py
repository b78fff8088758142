"""`tutor import FILE.apkg`: an Anki package's notes become deck files the tutor loads."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.tutor.anki_support import (
    make_anki_package,
    make_new_format_package,
    open_collection,
    write_decks,
    write_sibling_decks,
)
from tutor import paths
from tutor.anki.convert import PLAIN, cloze_side, import_package, to_markdown
from tutor.anki.export import export_decks
from tutor.decks import load_deck, load_decks


def _cards(folder: Path) -> dict:
    decks, problems = load_decks([folder])
    assert problems == []
    return {card.id: (deck, card) for deck in decks for card in deck.cards}


def test_basic_reversed_type_in_and_cloze_notes(tmp_path: Path) -> None:
    package = make_anki_package(tmp_path / "geo.apkg")
    report = import_package(package, tmp_path / "decks")
    assert [deck.title for deck in report.decks] == ["Geography::Europe", "Maths"]
    assert [deck.id for deck in report.decks] == ["geography-europe", "maths"]
    assert (report.card_count, report.cloze_count) == (8, 2)
    cards = [card for deck in report.decks for card in deck.cards]
    sides = [(card.question, card.answer) for card in cards]
    assert sides[0] == ("What is the capital of *France*?", "**Paris**\\\non the Seine")
    assert sides[1:3] == [("Berlin", "capital of Germany"), ("capital of Germany", "Berlin")]
    assert sides[3] == ("Longest river in Europe?", "Volga")
    # A cloze note is one card, its deletions kept in Anki's syntax; its Back Extra is the answer.
    assert sides[4] == ("The {{c1::Danube}} flows into the {{c2::Black Sea::a sea}}.", "Source: *Atlas*")
    assert sides[5] == ("{{c1::Rome}} is the capital of {{c2::Italy}}", "")
    assert not cards[5].needs_answer  # the text is what its cloze cards show, with or without an extra
    assert sides[6] == ("Where is this? ![](alps%20map.png)", "The Alps [sound:alps.mp3]")
    assert re.fullmatch(r"where-is-this-[0-9a-f]{8}", cards[6].id)  # the picture is no part of the id
    assert re.fullmatch(r"the-danube-flows-into-[0-9a-f]{8}", cards[4].id)  # the words, not "c1"
    assert sides[7] == ("2 \\* 3 = ?", "6")
    assert len(sides) == 8
    assert all(card.tags == ["europe"] for card in cards[:7])
    assert report.decks[0].notes == "Capitals and **rivers**."
    # Nothing of the media came along: the picture is a missing link, and both are reported.
    assert any("the picture alps map.png from Anki's media" in problem for problem in report.problems)
    assert any("sound alps.mp3" in problem for problem in report.problems)

    # The tutor studies each cloze note as Anki does: one cloze card per deletion.
    loaded = _cards(tmp_path / "decks")
    danube, rome = cards[4].id, cards[5].id
    assert set(loaded) == {card.id for card in cards if card.id not in (danube, rome)} | {
        f"{danube}~c1",
        f"{danube}~c2",
        f"{rome}~c1",
        f"{rome}~c2",
    }
    assert [(card.question, card.answer) for _, card in (loaded[f"{danube}~c1"], loaded[f"{danube}~c2"])] == [
        (
            "The **[...]** flows into the Black Sea.",
            "The **Danube** flows into the Black Sea.\n\n---\n\nSource: *Atlas*",
        ),
        (
            "The Danube flows into the **[a sea]**.",
            "The Danube flows into the **Black Sea**.\n\n---\n\nSource: *Atlas*",
        ),
    ]
    assert loaded[f"{rome}~c2"][1].kind == "cloze" and loaded[f"{rome}~c2"][1].expected == "Italy"


def test_import_again_gives_the_same_ids_and_keeps_the_learners_fields(tmp_path: Path) -> None:
    package = make_anki_package(tmp_path / "geo.apkg")
    first = import_package(package, tmp_path / "decks")
    deck_file = tmp_path / "decks" / "geography-europe.yaml"
    card_id = first.decks[0].cards[0].id
    text = deck_file.read_text(encoding="utf-8")
    deck_file.write_text(
        text.replace(f"- id: {card_id}\n", f"- id: {card_id}\n  demos:\n  - tokenize: {{text: Paris}}\n"),
        encoding="utf-8",
    )
    second = import_package(package, tmp_path / "decks")
    assert [c.id for d in second.decks for c in d.cards] == [c.id for d in first.decks for c in d.cards]
    assert [link.name for link in _cards(tmp_path / "decks")[card_id][1].demos] == ["tokenize"]


def test_a_package_from_anki_2_1_50_and_newer(tmp_path: Path) -> None:
    report = import_package(make_new_format_package(tmp_path / "new.apkg"), tmp_path / "decks")
    assert [deck.title for deck in report.decks] == ["Languages::French"]
    cards = report.decks[0].cards
    assert [(c.question, c.answer, c.tags, c.suspended) for c in cards] == [
        ("chat", "cat", ["french"], False),
        ("un {{c1::chien}}", "", [], True),
    ]


def _text(markdown: str) -> str:
    """What the learner reads: the rendered text, pictures as their targets, whitespace collapsed."""
    soup = BeautifulSoup(MarkdownIt("commonmark").enable("table").render(markdown), "html.parser")
    for image in soup.find_all("img"):
        image.replace_with(f"[picture {image.get('src')}]")
    return re.sub(r"\s+", " ", soup.get_text(" ")).strip()


@pytest.mark.parametrize("source", ["bundled", "small"])
def test_export_then_import_gives_the_same_cards(tmp_path: Path, source: str) -> None:
    folder = paths.bundled_decks_dir() if source == "bundled" else write_decks(tmp_path / "mine")
    decks, _ = load_decks([folder])
    export_decks(decks, tmp_path / "out.apkg")
    import_package(tmp_path / "out.apkg", tmp_path / "back")
    back = _cards(tmp_path / "back")
    exported = {card.id: (deck, card) for deck in decks for card in deck.cards if not card.needs_answer}
    assert set(back) == set(exported)
    for card_id, (deck, card) in exported.items():
        deck_back, card_back = back[card_id]
        assert deck_back.title == deck.title
        assert deck_back.id == deck.id
        assert card_back.question == card.question
        assert _text(card_back.answer) == _text(card.answer).replace(
            "[picture merges.png]", f"[picture {_media_name(tmp_path / 'out.apkg')}]"
        )


def _media_name(package: Path) -> str:
    """The name the package gives the picture (Anki's media folder is flat)."""
    with zipfile.ZipFile(package) as archive:
        return next(iter(json.loads(archive.read("media")).values()), "")


def test_cloze_hint_and_other_deletions() -> None:
    text = "{{c1::a}} {{c2::b::letter}} {{c1::c}}"
    assert cloze_side(text, 1, answer=False) == "[...] b [...]"
    assert cloze_side(text, 2, answer=False) == "a [letter] c"
    assert cloze_side(text, 1, answer=True) == "<b>a</b> b <b>c</b>"
    nested = "{{c1::Rome is {{c2::Italy}}'s capital}}"
    assert cloze_side(nested, 1, answer=False) == "[...]"
    assert cloze_side(nested, 2, answer=False) == "Rome is [...]'s capital"
    assert cloze_side(nested, 2, answer=True) == "Rome is <b>Italy</b>'s capital"


def test_cards_already_in_other_deck_files_are_not_doubled(tmp_path: Path) -> None:
    """The learner's own decks exported, then that package imported into the same folder."""
    folder = write_decks(tmp_path / "decks")
    decks, _ = load_decks([folder])
    export_decks(decks, tmp_path / "mine.apkg")
    before = sorted(path.name for path in folder.iterdir())
    report = import_package(tmp_path / "mine.apkg", folder)
    assert report.decks == [] and sorted(path.name for path in folder.iterdir()) == before
    assert len(report.problems) == 3
    assert (
        "card id 'why-scale-7a8b' is already in deck file attention.yaml; it was skipped."
        in report.problems[0]
    )
    assert load_decks([folder])[1] == []


def test_a_note_without_an_answer_is_kept_out_of_review(tmp_path: Path) -> None:
    import genanki

    deck = genanki.Deck(2059400120, "Drafts")
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["What is a logit?", ""], guid="draft0"))
    genanki.Package(deck).write_to_file(tmp_path / "drafts.apkg")
    report = import_package(tmp_path / "drafts.apkg", tmp_path / "decks")
    (card,) = report.decks[0].cards
    assert (card.question, card.answer, card.needs_answer) == ("What is a logit?", "", True)
    assert report.problems == [
        f"drafts.apkg: card '{card.id}' has no answer; it is kept, out of review until you write one."
    ]
    assert _cards(tmp_path / "decks")[card.id][1].needs_answer


def test_a_note_deleted_in_anki_is_retired_on_the_next_import(tmp_path: Path) -> None:
    import genanki

    def package(fronts: list[str]) -> Path:
        deck = genanki.Deck(2059400130, "Vocabulary")
        for front in fronts:
            deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[front, "an answer"], guid=front))
        genanki.Package(deck).write_to_file(tmp_path / "vocab.apkg")
        return tmp_path / "vocab.apkg"

    first = import_package(package(["logit", "softmax"]), tmp_path / "decks")
    kept, gone = (card.id for card in first.decks[0].cards)
    renamed = tmp_path / "decks" / "my-vocabulary.yaml"
    (tmp_path / "decks" / "vocabulary.yaml").rename(renamed)
    second = import_package(package(["logit"]), tmp_path / "decks")
    assert [card.id for card in second.decks[0].cards] == [kept]
    assert second.decks[0].retired == [{"id": gone, "question": "softmax"}]
    assert [path.name for path in (tmp_path / "decks").iterdir()] == ["my-vocabulary.yaml"]


def test_fields_read_as_a_browser_reads_them() -> None:
    """Items, cells and paragraphs whose end tags were left out end where the next begins; a "<!" that
    opens nothing is text."""
    assert to_markdown("<ul><li>one<li>two</ul>") == "- one\n- two"
    assert to_markdown("<table><tr><th>a<th>b<tr><td>1<td>2</table>") == "| a | b |\n| --- | --- |\n| 1 | 2 |"
    assert to_markdown("x <![y](z.png) <!-- a note --> end") == "x <![y](z.png) end"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab Z9,.;:?!'\"()/%=+-", min_size=1, max_size=30))
def test_plain_fields_read_as_markdownify_reads_them(text: str) -> None:
    """The shortcut for plain fields gives what markdownify gives."""
    from markdownify import markdownify

    assume(PLAIN.fullmatch(text))

    expected = markdownify(
        text, heading_style="ATX", bullets="-", escape_underscores=False, newline_style="BACKSLASH"
    )
    expected = "\n".join(line.rstrip() for line in expected.replace("\xa0", " ").strip().splitlines())
    assert to_markdown(text) == expected


def _written(folder: Path) -> dict[str, tuple]:
    """Each deck file's settings and cards as written: what a round trip must give back."""
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        deck, problems = load_deck(path)
        assert deck is not None and problems == []
        found[deck.id] = (deck.title, deck.reverse, deck.cloze)
        for card in deck.cards:
            found[card.id] = (card.question, card.answer, card.reverse, card.cloze, card.suspended)
    return found


def test_reversed_and_cloze_cards_come_back_as_they_were_written(tmp_path: Path) -> None:
    folder = write_sibling_decks(tmp_path / "mine")
    decks, _ = load_decks([folder])
    export_decks(decks, tmp_path / "out.apkg")
    report = import_package(tmp_path / "out.apkg", tmp_path / "back")
    assert report.problems == []
    assert _written(tmp_path / "back") == _written(folder)
    assert _written(folder)["deck-settings"] == ("Deck settings", True, False)
    assert _written(folder)["one-way"][2:4] == (False, None)
    # The cards studied are the same: each card's reversed and cloze cards, with the same ids and sides.
    back, _ = load_decks([tmp_path / "back"])

    def studied(found: list) -> list[tuple]:
        return [(c.id, c.kind, c.question, c.answer, c.expected) for deck in found for c in deck.cards]

    assert studied(back) == studied(decks)
    assert len(studied(back)) == 19


def test_a_package_from_an_older_export_gives_no_extra_cards(tmp_path: Path) -> None:
    """Exports before Anki's reversed and cloze note types wrote each sibling as a basic note of its own."""
    import genanki

    from tutor.anki.notes import BASIC_MODEL

    deck = genanki.Deck(2059400140, "Older export", "<!-- tutor deck id: older -->")
    for guid, front, back in [
        ("tutor:softmax", "softmax", "turns scores into probabilities"),
        ("tutor:softmax~reverse", "turns scores into probabilities", "softmax"),
        ("tutor:logit", "What is a logit?", "The score before the <b>softmax function</b> is applied."),
        ("tutor:logit~c-softmax-function", "The score before the [...] is applied.", "softmax function"),
    ]:
        deck.add_note(genanki.Note(model=BASIC_MODEL, fields=[front, back], guid=guid))
    genanki.Package(deck).write_to_file(tmp_path / "older.apkg")
    report = import_package(tmp_path / "older.apkg", tmp_path / "back")
    assert [(c.id, c.reverse, c.cloze) for c in report.decks[0].cards] == [
        ("softmax", True, None),
        ("logit", None, None),
    ]
    back, _ = load_decks([tmp_path / "back"])
    assert [c.id for c in back[0].cards] == [
        "softmax",
        "softmax~reverse",
        "logit",
        "logit~c-softmax-function",
    ]


def test_a_cloze_note_whose_deletions_nest_gives_a_card_per_deletion(tmp_path: Path) -> None:
    """The tutor's cloze cards read no nesting: such a note keeps Anki's one card per deletion."""
    import genanki

    deck = genanki.Deck(2059400150, "Nested")
    text = "{{c1::Rome is {{c2::Italy}}'s capital}}"
    deck.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=[text, ""], guid="nested0"))
    genanki.Package(deck).write_to_file(tmp_path / "genanki.apkg")
    # genanki finds only the outer deletion; Anki makes a card for each, as added here.
    db = open_collection(tmp_path / "genanki.apkg", tmp_path)
    db.execute(
        "INSERT INTO cards SELECT id + 1, nid, did, 1, mod, usn, type, queue, due + 1, ivl, factor, reps, "
        "lapses, left, odue, odid, flags, data FROM cards"
    )
    db.commit()
    with zipfile.ZipFile(tmp_path / "nested.apkg", "w") as archive:
        archive.write(tmp_path / "genanki-collection.anki2", "collection.anki2")
    db.close()
    report = import_package(tmp_path / "nested.apkg", tmp_path / "decks")
    assert report.cloze_count == 2
    assert [(c.question, c.answer, c.tags, c.cloze) for c in report.decks[0].cards] == [
        ("[...]", "**Rome is Italy's capital**", ["cloze"], False),
        ("Rome is [...]'s capital", "Rome is **Italy**'s capital", ["cloze"], False),
    ]
    assert len(_cards(tmp_path / "decks")) == 2


def test_the_readme_s_cloze_note_is_what_the_import_gives(tmp_path: Path) -> None:
    import yaml

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Anki", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    [written] = yaml.safe_load(block)
    report = import_package(make_anki_package(tmp_path / "geo.apkg"), tmp_path / "decks")
    danube = next(card for card in report.decks[0].cards if card.id == written["id"])
    assert (danube.question, danube.answer) == (written["question"], written["answer"])
    # The comment under it: the cards it is studied as, and their questions.
    shown = {}
    for line in block.splitlines():
        match = re.search(r"(\S+~c\d)  (.*)$", line)
        if match:
            shown[match[1]] = match[2]
    cards = _cards(tmp_path / "decks")
    assert shown == {
        card_id: cards[card_id][1].question for card_id in (f"{danube.id}~c1", f"{danube.id}~c2")
    }
