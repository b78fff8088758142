"""tutor.log: tracebacks kept, a full log started afresh with the old one kept, and no error of its own."""

from __future__ import annotations

from tutor import error_log


def _raised() -> ValueError:
    try:
        raise ValueError("the weights file has 3 layers, the config 12")
    except ValueError as error:
        return error


def test_entries_are_appended_with_what_was_done_and_the_whole_traceback(tutor_home):
    first = error_log.log_error("demo generate with {}", _raised())
    second = error_log.log_error("demo attend with {}", _raised())
    assert first == second == tutor_home / "tutor.log"
    text = first.read_text(encoding="utf-8")
    assert text.index("demo generate with {}") < text.index("demo attend with {}")
    assert text.count('raise ValueError("the weights file has 3 layers, the config 12")') == 2
    assert text.count("ValueError: the weights file has 3 layers, the config 12\n") == 2


def test_a_full_log_is_kept_as_tutor_log_1_and_a_new_one_begins(tutor_home, monkeypatch):
    monkeypatch.setattr(error_log, "MAX_LOG_BYTES", 100)
    (tutor_home / "tutor.log").write_text("x" * 101, encoding="utf-8")
    error_log.log_error("demo tokenize with {}", _raised())
    assert (tutor_home / "tutor.log.1").read_text(encoding="utf-8") == "x" * 101
    assert (tutor_home / "tutor.log").read_text(encoding="utf-8").count("demo tokenize") == 1


def test_a_log_that_cannot_be_written_is_none_not_a_second_error(tutor_home):
    (tutor_home / "tutor.log").mkdir()  # a folder where the file belongs: open() fails, as on a full disk
    assert error_log.log_error("demo tokenize with {}", _raised()) is None


def test_an_entry_starts_with_the_time_and_what_was_done():
    what = "demo tokenize with {'text': 'hi'}"
    entry = error_log.traceback_text(what, _raised())
    stamp, rest = entry.split(" ", 1)
    assert stamp[:4].isdigit() and "T" in stamp and rest.startswith(what + "\nTraceback")
