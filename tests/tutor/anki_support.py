"""Small decks and Anki packages made in the tests, and a look inside a package's collection."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

DECK = """\
id: tokens
title: Tokens and embeddings
notes: |
  How text becomes numbers.
cards:
- id: what-is-bpe-1a2b
  question: What is `BPE`?
  tags: [bpe, chapter 2]
  answer: |
    - **Byte pair encoding** merges frequent pairs.
    - ![the merges](merges.png)
- id: gpt2-vocabulary-3c4d
  question: How many tokens are in GPT-2's vocabulary?
  suspended: true
  answer: 50,257 (50,256 merges and `<|endoftext|>`).
- id: unanswered-5e6f
  question: What is a token id?
  needs_answer: true
  answer: ''
"""

OTHER_DECK = """\
id: attention
title: 'Chapter 3: attention'
cards:
- id: why-scale-7a8b
  question: Why divide the scores by the square root of d_k?
  answer: |
    | d_k | variance |
    |---|---|
    | 64 | 64 |

    Dividing keeps the softmax from saturating.
"""


def write_decks(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokens.yaml").write_text(DECK, encoding="utf-8")
    (folder / "attention.yaml").write_text(OTHER_DECK, encoding="utf-8")
    (folder / "merges.png").write_bytes(b"\x89PNG\r\n\x1a\n fake picture")
    return folder


def open_collection(package: Path, tmp_path: Path) -> sqlite3.Connection:
    """The package's collection.anki2, unzipped, opened with sqlite3."""
    with zipfile.ZipFile(package) as archive:
        target = tmp_path / f"{package.stem}-collection.anki2"
        target.write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(target)
    db.row_factory = sqlite3.Row
    return db
