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

[demos]
weights = "~/models/gpt2"      # default weights for generate/attend (a folder or model.safetensors)
precision = "fp32"             # generate's weights: fp32, bf16 (~2x faster) or int8 (~4x faster)
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from tutor import paths
from tutor.errors import TutorError

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


@dataclass(frozen=True)
class DemoSettings:
    weights: str | None = None
    precision: str | None = None  # None: fp32


@dataclass(frozen=True)
class Config:
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    demos: DemoSettings = field(default_factory=DemoSettings)


def _bad(path: Path, key: str, what: str) -> TutorError:
    return TutorError(f"{path}: setting '{key}' {what}; fix it or delete the line to use the default.")


def _check_scheduler(path: Path, raw: dict) -> SchedulerSettings:
    known = {f.name for f in fields(SchedulerSettings)}
    for key in raw:
        if key not in known:
            raise _bad(path, f"scheduler.{key}", "is not a setting (known: " + ", ".join(sorted(known)) + ")")
    values = {}
    for key, value in raw.items():
        name = f"scheduler.{key}"
        if key == "desired_retention":
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.7 <= value <= 0.99:
                raise _bad(path, name, "must be a number from 0.7 to 0.99")
            values[key] = float(value)
        elif key in ("learning_steps", "relearning_steps"):
            if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 1440 * 7 for v in value
            ):
                raise _bad(path, name, "must be a list of whole minutes, each from 1 to 10080")
            values[key] = tuple(value)
        elif key == "fuzzing":
            if not isinstance(value, bool):
                raise _bad(path, name, "must be true or false")
            values[key] = value
        else:
            limits = {
                "maximum_interval": (1, 36500),
                "new_per_day": (0, 9999),
                "reviews_per_day": (0, 99999),
                "day_start_hour": (0, 23),
            }[key]
            if isinstance(value, bool) or not isinstance(value, int) or not limits[0] <= value <= limits[1]:
                raise _bad(path, name, f"must be a whole number from {limits[0]} to {limits[1]}")
            values[key] = value
    return SchedulerSettings(**values)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file means the defaults. Bad settings raise ``TutorError``."""
    path = path or paths.config_path()
    if not path.exists():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TutorError(f"{path}: {exc}; fix the TOML or delete the file to use the defaults.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TutorError(f"{path}: cannot be read ({exc}).") from None
    unknown = set(raw) - {"scheduler", "demos"}
    if unknown:
        raise _bad(path, sorted(unknown)[0], "is not a section (known: scheduler, demos)")
    scheduler = _check_scheduler(path, raw.get("scheduler", {}))
    demos_raw = raw.get("demos", {})
    weights = demos_raw.get("weights")
    if weights is not None and not isinstance(weights, str):
        raise _bad(path, "demos.weights", "must be a path in quotes")
    precision = demos_raw.get("precision")
    if precision is not None and precision not in PRECISIONS:
        raise _bad(path, "demos.precision", f"must be one of {', '.join(repr(p) for p in PRECISIONS)}")
    return Config(scheduler=scheduler, demos=DemoSettings(weights=weights, precision=precision))
