"""The tutor's log of unexpected errors: the learner reads one sentence, ``tutor.log`` keeps the traceback.

A bug in a demo must not take the app down, so the app turns it into a status line; the traceback is what
someone fixing the bug needs, so it goes to a file in the tutor's data folder instead of being dropped.
"""

from __future__ import annotations

import traceback
from datetime import datetime
from pathlib import Path

from tutor import paths

MAX_LOG_BYTES = 1_000_000  # a few hundred tracebacks; past that the log starts afresh, the old one kept


def traceback_text(what: str, error: BaseException) -> str:
    """One log entry: when, what was being done, and the error's whole traceback."""
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    return f"{when} {what}\n" + "".join(traceback.format_exception(error)) + "\n"


def log_error(what: str, error: BaseException) -> Path | None:
    """Append the error's traceback to ``tutor.log``; its path, or None where the file cannot be written.

    Writing the log never raises: a read-only or full disk must not turn one error into two.
    """
    path = paths.log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        with path.open("a", encoding="utf-8") as log:
            log.write(traceback_text(what, error))
    except OSError:
        return None
    return path
