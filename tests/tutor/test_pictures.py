"""Pictures in answers are checked before they are decoded: place, kind of file, size, pixels, damage."""

from __future__ import annotations

import os
import struct
import zlib

from PIL import Image

from tutor.pictures import MAX_BYTES, load_picture


def png(path, size=(8, 4)):
    Image.new("RGB", size, (200, 40, 40)).save(path)
    return path


def claiming(path, width: int, height: int):
    """A valid small PNG whose header claims another size (a decompression bomb's trick)."""
    data = bytearray(png(path).read_bytes())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    path.write_bytes(bytes(data))
    return path


def test_a_good_picture_is_decoded_whole(tmp_path):
    picture = load_picture("a chart", png(tmp_path / "chart.png"), [tmp_path])
    assert picture.problem is None and picture.image.size == (8, 4)


def test_each_picture_that_cannot_be_drawn_says_why(tmp_path):
    deck = tmp_path / "decks"
    deck.mkdir()
    (tmp_path / "secret.txt").write_text("root:x:0:0\n")
    (deck / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (deck / "notes.png").write_text("just text\n")
    truncated = png(deck / "whole.png", (64, 64)).read_bytes()
    (deck / "cut.png").write_bytes(truncated[: len(truncated) // 2])
    claiming(deck / "bomb.png", 100_000, 100_000)
    claiming(deck / "big.png", 6_000, 6_000)
    with open(deck / "huge.png", "wb") as huge:
        huge.truncate(MAX_BYTES + 1)  # sparse: no disk space used
    os.mkfifo(deck / "pipe.png")
    (deck / "link.png").symlink_to(tmp_path / "secret.txt")
    (deck / "folder.png").mkdir()
    expected = {
        "../secret.txt": "is outside the deck's and the notes' folders, so it is not opened",
        "link.png": "is outside the deck's and the notes' folders, so it is not opened",
        "image-6.png": "is missing",
        "drawing.svg": "is an SVG drawing, which the tutor cannot draw",
        "notes.png": "is not a PNG, JPEG, GIF, WebP or BMP picture",
        "bomb.png": "is too large to draw (over 25,000,000 pixels)",
        "big.png": "is too large to draw (6,000 x 6,000 pixels)",
        "huge.png": "is too large to draw (20 MB; at most 20 MB)",
        "pipe.png": "is not a regular file",
        "folder.png": "is not a regular file",
    }
    for target, problem in expected.items():
        picture = load_picture("alt", deck / target, [deck])
        assert (target, picture.problem) == (target, problem)
        assert picture.image is None
    cut = load_picture("a cut", deck / "cut.png", [deck])
    assert cut.problem.startswith("is damaged (") and cut.image is None
    assert load_picture("the chart", deck / "image-6.png", [deck]).describe() == (
        "🖼  image-6.png is missing (the chart)"
    )


def test_the_notes_folder_is_a_root_too(tmp_path):
    notes, deck = tmp_path / "notes", tmp_path / "decks"
    notes.mkdir()
    deck.mkdir()
    chart = png(notes / "chart.png")
    assert load_picture("c", chart, [deck]).problem.startswith("is outside")
    assert load_picture("c", chart, [deck, notes]).problem is None
