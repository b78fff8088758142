"""Escape sequences in a shared deck reach the terminal as visible text, in the CLI and in the app."""

from __future__ import annotations

import json
import os

import yaml

from tutor import paths
from tutor.cli import main
from tutor.decks import load_decks
from tutor.terminal_text import visible

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # sets the clipboard to "rm -rf ~"
TITLE = "\x1b]0;pwned\x07"  # sets the window title
HOSTILE = {
    "id": "shared",
    "title": f"Shared deck {OSC52}",
    "notes": "notes \x9b31m red",
    "cards": [{"id": "c", "question": f"Why?{TITLE}", "answer": "Because\x1b[2J.\n\n- line\tend\x7f"}],
}


def test_visible_shows_every_control_character_but_newline_and_tab():
    assert visible(OSC52) == "␛]52;c;cm0gLXJmIH4=␇"
    assert visible("a\x00b\rc\x7fd\x9be") == "a␀b␍c␡d␛[e"
    assert visible("two\nlines\tand tabs, café, 🎯") == "two\nlines\tand tabs, café, 🎯"
    assert visible(os.fsdecode(b"caf\xe9.yaml")) == "caf\ufffd.yaml"  # a Latin-1 file name
    assert all(
        visible(chr(code)) != chr(code)
        for code in [*range(32), 127, *range(0x80, 0xA0)]
        if code not in (9, 10)
    )


def write_hostile_deck() -> None:
    folder = paths.user_decks_dir()
    folder.mkdir(parents=True)
    (folder / "shared.yaml").write_text(yaml.safe_dump(HOSTILE), encoding="utf-8")


def test_the_cli_never_prints_a_control_character(capsys):
    write_hostile_deck()
    for argv in (["decks"], ["decks", "--json"], ["due"]):
        assert main(argv) == 0
        out = capsys.readouterr()
        assert "\x1b" not in out.out + out.err and "\x07" not in out.out and "\x9b" not in out.out
    assert main(["decks"]) == 0
    assert "Shared deck ␛]52;c;cm0gLXJmIH4=␇" in capsys.readouterr().out


def test_the_cli_keeps_its_json_readable(capsys):
    write_hostile_deck()
    assert main(["decks", "--json"]) == 0
    json.loads(capsys.readouterr().out)


def test_control_characters_in_ids_skip_the_card_or_deck(tmp_path):
    (tmp_path / "a.yaml").write_text(
        yaml.safe_dump({"id": "a", "title": "A", "cards": [{"id": "x\x1b[2J", "question": "Q?"}]}),
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text(
        yaml.safe_dump({"id": "b\x1b", "title": "B", "cards": []}), encoding="utf-8"
    )
    decks, problems = load_decks([tmp_path])
    assert [(d.id, len(d.cards)) for d in decks] == [("a", 0)]
    assert sorted("control characters in its 'id'" in p.message for p in problems) == [True, True]


def test_json_output_with_control_characters_stays_valid_json(capsys):
    assert main(["demo", "tokenize", "a\x9b31m\x1bb", "--json"]) == 0
    out = capsys.readouterr().out
    assert "\x9b" not in out and "\x1b" not in out
    assert json.loads(out)["text"] == "a␛[31m\x1bb"  # JSON writes ESC as \u001b itself; C1 has no escape
