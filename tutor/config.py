"""The learner's settings: ``config.toml`` in the config folder. Every key is optional.

```toml
[scheduler]
desired_retention = 0.9        # 0.7 .. 0.99
learning_steps = [1, 10]       # minutes
relearning_steps = [10]        # minutes
maximum_interval = 36500       # days
new_per_day = 20
reviews_per_day = 200
fuzzing = true
day_start_hour = 4             # local time; a day of study runs from this hour to the next day's
new_order = "mix"              # new cards among the reviews: "mix" (evenly), "after" or "first"

[demos]
weights = "~/models/gpt2"      # default weights for generate/attend (a folder or model.safetensors)
precision = "fp32"             # generate's weights: fp32, bf16 or int8 (faster; a few greedy tokens differ)
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tutor import paths
from tutor.regular_files import NotReadable, read_regular

# The precisions the generate demo offers (engine.precision.PRECISIONS, named here without importing torch).
PRECISIONS = ("fp32", "bf16", "int8")


@dataclass(frozen=True)
class SchedulerSettings:
    desired_retention: float = 0.9
    learning_steps: tuple[int, ...] = (1, 10)
    relearning_steps: tuple[int, ...] = (10,)
    maximum_interval: int = 36500
    new_per_day: int = 20
    reviews_per_day: int = 200
    fuzzing: bool = True
    day_start_hour: int = 4
    new_order: str = "mix"


NEW_ORDERS = ("mix", "after", "first")


@dataclass(frozen=True)
class DemoSettings:
    weights: str | None = None
    precision: str | None = None  # None: fp32


@dataclass(frozen=True)
class Config:
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    demos: DemoSettings = field(default_factory=DemoSettings)
    # "config.toml, line 3: ..." for each setting that was wrong; the tutor uses the default for it.
    problems: tuple[str, ...] = ()


MAX_CONFIG_BYTES = 1024 * 1024
LIMITS = {
    "maximum_interval": (1, 36500),
    "new_per_day": (0, 9999),
    "reviews_per_day": (0, 99999),
    "day_start_hour": (0, 23),
}


class _Problems:
    """Collects "file, line N: what is wrong" messages; the line is found in the file's text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()
        self.found: list[str] = []

    def line_of(self, section: str, key: str) -> int | None:
        """The line that sets ``key`` of ``[section]`` (or the top-level ``section`` when both are the same
        name); tomllib keeps no positions, so the text is searched.
        """
        current: list[str] = []
        for number, line in enumerate(self.lines, 1):
            if line.lstrip().startswith("#"):
                continue
            header = re.match(r"\s*\[([^\]]+)\]", line)
            if header:
                current = _dotted(header.group(1))
                if section == key and current[:1] == [section]:
                    return number
                continue
            name = re.match(r"\s*([^=\[]+?)\s*=", line)
            if not name:
                continue
            full = current + _dotted(name.group(1))
            if full[:1] == [section] and (section == key or full[1:2] == [key]):
                return number
        return None

    def add(self, section: str, key: str, what: str, then: str | None = None) -> None:
        then = then or "the default is used until you fix it"
        line = self.line_of(section, key)
        where = f"{self.path}, line {line}" if line else str(self.path)
        name = key if section == key else f"{section}.{key}"
        self.found.append(f"{where}: setting '{name}' {what}; {then}.")


def _dotted(name: str) -> list[str]:
    return [part.strip().strip("\"'") for part in name.split(".")]


def _section(raw: dict, name: str, problems: _Problems) -> dict:
    value = raw.get(name, {})
    if isinstance(value, dict):
        return value
    problems.add(name, name, f"must be a section, [{name}], not a single value")
    return {}


def _check_scheduler(raw: dict, problems: _Problems) -> SchedulerSettings:
    known = {f.name for f in fields(SchedulerSettings)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        wrong = _scheduler_value_problem(key, value, known)
        if wrong:
            problems.add("scheduler", key, wrong, "it is ignored" if key not in known else None)
        elif key in ("learning_steps", "relearning_steps"):
            values[key] = tuple(value)
        elif key == "desired_retention":
            values[key] = float(value)
        else:
            values[key] = value
    return SchedulerSettings(**values)


def _scheduler_value_problem(key: str, value: object, known: set[str]) -> str | None:
    if key not in known:
        return "is not a setting (known: " + ", ".join(sorted(known)) + ")"
    if key == "desired_retention":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.7 <= value <= 0.99:
            return "must be a number from 0.7 to 0.99"
    elif key in ("learning_steps", "relearning_steps"):
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 1440 * 7 for v in value
        ):
            return "must be a list of whole minutes, each from 1 to 10080"
    elif key == "fuzzing":
        if not isinstance(value, bool):
            return "must be true or false"
    elif key == "new_order":
        if value not in NEW_ORDERS:
            return 'must be "mix", "after" or "first"'
    else:
        low, high = LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"must be a whole number from {low} to {high}"
    return None


def _check_demos(raw: dict, problems: _Problems) -> DemoSettings:
    weights = precision = None
    for key, value in raw.items():
        if key == "weights":
            if not isinstance(value, str) or not value.strip():
                problems.add("demos", key, 'must be a name or a path in quotes, like "gpt2"')
            else:
                weights = value
        elif key == "precision":
            if value not in PRECISIONS:
                problems.add("demos", key, "must be one of " + ", ".join(f'"{p}"' for p in PRECISIONS))
            else:
                precision = value
        else:
            problems.add("demos", key, "is not a setting (known: weights, precision)", "it is ignored")
    return DemoSettings(weights=weights, precision=precision)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file means the defaults.

    Never raises: each wrong setting becomes a problem in ``Config.problems`` (file and line) and its
    default is used, so one typo does not stop the tutor.
    """
    path = path or paths.config_path()
    if not path.exists() and not path.is_symlink():
        return Config()
    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
    except NotReadable as exc:
        return Config(problems=(f"{path}: {exc}; the default settings are used.",))
    except UnicodeDecodeError:
        return Config(
            problems=(f"{path}: is not UTF-8 text; save it as UTF-8. The default settings are used.",)
        )
    import tomllib  # only for a config file: most starts have none

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Config(problems=(f"{path}: {exc}; fix the TOML there. The default settings are used.",))
    except ValueError:  # Python refuses to read an integer of over 4,300 digits
        line = next((n for n, text in enumerate(text.splitlines(), 1) if re.search(r"\d{4300}", text)), None)
        where = f"{path}, line {line}" if line else str(path)
        return Config(
            problems=(f"{where}: a number with thousands of digits; the default settings are used.",)
        )
    problems = _Problems(path, text)
    for key in raw:
        if key not in ("scheduler", "demos"):
            problems.add(key, key, "is not a section (known: scheduler, demos)", "it is ignored")
    scheduler = _check_scheduler(_section(raw, "scheduler", problems), problems)
    demos = _check_demos(_section(raw, "demos", problems), problems)
    return Config(scheduler=scheduler, demos=demos, problems=tuple(problems.found))
