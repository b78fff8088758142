"""Pictures in answers: may a linked file be drawn, and can it be?

A deck file comes from anywhere (a shared deck, a download), so a link is followed only to a file inside
the deck's own folder tree or its notes' folder tree, only to a regular file of a sane size, and only to a
picture Pillow can decode whole within a pixel budget. Every refusal is a short reason the answer shows
next to the alt text, never a crash.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_BYTES = 20 * 1024 * 1024  # a photo of a whiteboard fits; a 2 GB file never gets read
MAX_PIXELS = 25_000_000  # 5000 x 5000; a tiny PNG that claims 100,000 x 100,000 is a decompression bomb
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")


@dataclass(frozen=True)
class Picture:
    """An answer's picture: the decoded image, or why it is not drawn."""

    alt: str
    name: str  # the file's name as the learner knows it
    image: Image | None = None  # decoded by Pillow
    problem: str | None = None  # "is missing", "is not a picture (SVG)", ...

    def describe(self) -> str:
        """The line the answer shows in place of a picture that cannot be drawn."""
        return f"🖼  {self.name} {self.problem} ({self.alt})"


def inside(path: Path, roots: list[Path]) -> bool:
    """Whether ``path``, with every symlink followed, lies in one of the folder trees ``roots``."""
    real = Path(os.path.realpath(path))
    return any(real.is_relative_to(os.path.realpath(root)) for root in roots)


def file_problem(path: Path, roots: list[Path]) -> str | None:
    """Why the file may not be read as a picture, from its place and its metadata alone; None if it may."""
    if not inside(path, roots):
        return "is outside the deck's and the notes' folders, so it is not opened"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_size > MAX_BYTES:
        return f"is too large to draw ({info.st_size / 2**20:.0f} MB; at most {MAX_BYTES // 2**20} MB)"
    return None


def load_picture(alt: str, path: Path, roots: list[Path]) -> Picture:
    """Check and decode the picture at ``path``; a problem is reported in the Picture, never raised."""
    name = path.name
    problem = file_problem(path, roots)
    if problem:
        return Picture(alt, name, problem=problem)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path, formats=FORMATS) as image:  # reads the header only
            width, height = image.size
            if width * height > MAX_PIXELS:
                return Picture(alt, name, problem=f"is too large to draw ({width:,} x {height:,} pixels)")
            image.load()  # decode it all now: a truncated file fails here, not while the card is drawn
            return Picture(alt, name, image=image.copy())
    except Image.DecompressionBombError:  # Pillow's own, far higher limit, hit while reading the header
        return Picture(alt, name, problem=f"is too large to draw (over {MAX_PIXELS:,} pixels)")
    except UnidentifiedImageError:
        if path.suffix.lower() in (".svg", ".svgz"):
            return Picture(alt, name, problem="is an SVG drawing, which the tutor cannot draw")
        return Picture(alt, name, problem="is not a PNG, JPEG, GIF, WebP or BMP picture")
    except (OSError, ValueError, SyntaxError) as exc:
        return Picture(alt, name, problem=f"is damaged ({str(exc).rstrip('.') or type(exc).__name__})")
