"""config.toml: every wrong setting is one problem with its file and line, and its default is used."""

from __future__ import annotations

import os

import pytest

from tutor import paths
from tutor.cli import main
from tutor.config import DemoSettings, SchedulerSettings, load_config


def config(text: str):
    paths.config_path().parent.mkdir(parents=True, exist_ok=True)
    paths.config_path().write_text(text, encoding="utf-8")
    return load_config()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "# mine\nscheduler = 5\n",
            2,
            "setting 'scheduler' must be a section, [scheduler], not a single value",
        ),
        ('demos = "gpt2"\n', 1, "setting 'demos' must be a section, [demos]"),
        (
            '[demos]\nweight = "gpt2"\n',
            2,
            "setting 'demos.weight' is not a setting (known: weights, precision); it is ignored.",
        ),
        ("[demos]\nweights = 5\n", 2, "setting 'demos.weights' must be a name or a path in quotes"),
        (
            "[scheduler]\nfuzzing = true\nnew_per_day = -1\n",
            3,
            "'scheduler.new_per_day' must be a whole number",
        ),
        ("scheduler.fuzzing = 3\n", 1, "setting 'scheduler.fuzzing' must be true or false"),
        ("[colours]\nred = 1\n", 1, "setting 'colours' is not a section (known: scheduler, demos)"),
    ],
)
def test_each_wrong_setting_names_its_line_and_the_rest_is_used(text, line, words):
    loaded = config(text if "scheduler" in text else text + "\n[scheduler]\nreviews_per_day = 50\n")
    [problem] = loaded.problems
    assert problem.startswith(f"{paths.config_path()}, line {line}: ")
    assert words in problem
    if "scheduler" not in text:
        assert loaded.scheduler.reviews_per_day == 50  # the good settings still count


def test_a_number_with_five_thousand_digits_is_one_problem():
    [problem] = config(f"[scheduler]\nnew_per_day = {'9' * 5000}\n").problems
    assert problem.startswith(f"{paths.config_path()}, line 2: a number with thousands of digits")


def test_good_settings_have_no_problems():
    loaded = config('[scheduler]\nnew_per_day = 5\n[demos]\nweights = "gpt2"\n')
    assert loaded.problems == ()
    assert loaded.scheduler == SchedulerSettings(new_per_day=5) and loaded.demos == DemoSettings("gpt2")


def test_bad_toml_and_unreadable_files_fall_back_to_the_defaults():
    loaded = config("[scheduler\n")
    [problem] = loaded.problems
    assert "line 1" in problem and "The default settings are used." in problem
    paths.config_path().unlink()
    os.mkfifo(paths.config_path())  # reading it would wait for a writer forever
    [problem] = load_config().problems
    assert problem == f"{paths.config_path()}: is not a regular file (a pipe, a device or a folder); " + (
        "the default settings are used."
    )


def test_the_cli_reports_a_wrong_setting_and_carries_on(capsys):
    config("[scheduler]\nday_start_hour = 30\n")
    assert main(["due"]) == 0
    captured = capsys.readouterr()
    assert "config.toml, line 2: setting 'scheduler.day_start_hour' must be a whole number from 0 to 23" in (
        captured.err
    )
    assert "due" in captured.out.lower() or captured.out
