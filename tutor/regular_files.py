"""Reading a file the learner named (a deck, config.toml, a corpus) without hanging or filling memory.

Only a regular file is read: a FIFO would block until a writer comes, and ``/dev/zero`` or a device never
ends. The size is checked on the open file, and at most ``limit`` + 1 bytes are read even if it grows.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotReadable(Exception):
    """Why the file was not read, as the end of a sentence that starts with the file's name."""


def read_regular(path: Path, limit: int) -> bytes:
    """The file's bytes, if it is a regular file of at most ``limit`` bytes; else ``NotReadable``."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then tells what was opened.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise NotReadable(f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable("is not a regular file (a pipe, a device or a folder)")
        too_big = f"more than the tutor reads from one file ({_size(limit)})"
        if info.st_size > limit:
            raise NotReadable(f"is {_size(info.st_size)}, {too_big}")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise NotReadable(f"is {too_big}")
    return data


def _size(count: int) -> str:
    return f"{count / 2**20:.0f} MB" if count >= 2**20 else f"{count / 1024:.0f} KB"
