"""A cache of parsed deck files, so start-up does not parse every deck's YAML again.

Parsing YAML is most of the time it takes to load a large library (50,000 cards in 100 files: seconds),
while the files rarely change between two starts. The cache keeps each deck file's parsed YAML (with the
line markers) keyed by its path, size, modification and change time, in one file beside the progress store.
Only the parse is cached: every check ``load_deck`` makes still runs on each start, so a cached deck
reports exactly the problems a freshly read one does. Beside it the cache keeps the sibling cards the file's
cards give (``tutor.siblings.draw``: a look at every answer's marks, a quarter of a second at 50,000 cards),
under a digest of the sibling rules' own source, so other rules draw them again; a card the learner's edits
file changed is drawn afresh each time.

The cache is never trusted blindly: it starts with a checksum of its contents, and a cache that is damaged,
truncated, of another version or of the wrong shape is ignored and written again. A file whose YAML holds
values JSON cannot keep exactly (dates, binary, keys that are not text) is simply parsed each time.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import time
from functools import cache
from pathlib import Path

from tutor import paths
from tutor.deck_files import MAX_DECK_BYTES, load_yaml

VERSION = 1
MAGIC = "tutor-deck-cache"
# A file changed within this many seconds of being read may change again in the same clock tick without
# its size or times showing it; such a file is parsed again next time rather than cached.
RECENT_SECONDS = 2.0
MAX_CACHE_BYTES = 64 * MAX_DECK_BYTES


def cache_path() -> Path:
    return paths.data_dir() / "deck-cache.json"


def _key(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _keeps_exactly(value: object) -> bool:
    """Whether JSON gives this parsed YAML back unchanged (types included)."""
    kind = type(value)
    if kind in (str, int, bool) or value is None:
        return True
    if kind is float:
        return math.isfinite(value)  # type: ignore[arg-type]
    if kind is list:
        return all(_keeps_exactly(item) for item in value)  # type: ignore[attr-defined]
    if kind is dict:
        return all(type(k) is str and _keeps_exactly(v) for k, v in value.items())  # type: ignore[attr-defined]
    return False


class DeckCache:
    """The parsed YAML of deck files, read from and written back to one cache file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else cache_path()
        self._entries: dict[str, dict] = self._read()
        self._used: set[str] = set()
        self._changed = False

    def _read(self) -> dict[str, dict]:
        try:
            with open(self.path, "rb") as file:
                if os.fstat(file.fileno()).st_size > MAX_CACHE_BYTES:
                    return {}
                data = file.read()
            header, _, body = data.partition(b"\n")
            magic, version, digest = header.decode("ascii").split(" ")
            if magic != MAGIC or version != str(VERSION) or hashlib.sha256(body).hexdigest() != digest:
                return {}
            entries = json.loads(body)
        except (OSError, ValueError, RecursionError):
            return {}  # missing or damaged: rebuilt from the deck files
        if not isinstance(entries, dict):
            return {}
        return {
            path: entry
            for path, entry in entries.items()
            if isinstance(entry, dict)
            and isinstance(entry.get("key"), list)
            and len(entry["key"]) == 3
            and all(type(n) is int for n in entry["key"])
            and isinstance(entry.get("yaml"), dict)
            and (entry.get("siblings") is None or _sound_siblings(entry["siblings"]))
        }

    def load_yaml(self, path: Path) -> object:
        """The deck file's YAML with line markers, as ``deck_files.load_yaml`` gives it."""
        try:
            info = os.stat(path)
        except OSError:
            return load_yaml(path)  # it says why the file cannot be read
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_DECK_BYTES:
            return load_yaml(path)
        name = str(path)
        key = _key(info)
        entry = self._entries.get(name)
        if entry is not None and entry["key"] == key:
            self._used.add(name)
            return entry["yaml"]
        raw = load_yaml(path)  # a bad file raises and is not cached: it is parsed again until fixed
        self._entries.pop(name, None)
        self._changed = True
        after = os.stat(path)
        recent = time.time() - after.st_mtime < RECENT_SECONDS
        if isinstance(raw, dict) and _key(after) == key and not recent and _keeps_exactly(raw):
            self._entries[name] = {"key": key, "yaml": raw}
            self._used.add(name)
        return raw

    def siblings(self, path: Path) -> tuple[dict[str, list], set[str]] | None:
        """The sibling cards of the file's cards as ``keep_siblings`` kept them, while the file is the one
        ``load_yaml`` just gave from the cache: ({card id: ``draw``'s values}, ids drawn afresh each time)."""
        entry = self._entries.get(str(path))
        kept = entry.get("siblings") if entry is not None and str(path) in self._used else None
        if kept is None or kept["rules"] != _rules():
            return None
        return kept["drawn"], set(kept["fresh"])

    def keep_siblings(self, path: Path, drawn: dict[str, list], fresh: list[str]) -> None:
        """Keep the sibling cards drawn from the file's cards (``fresh``: cards not drawn from the file's
        own text, which the next start draws again)."""
        entry = self._entries.get(str(path))
        rules = _rules()
        if entry is None or str(path) not in self._used or rules is None:
            return  # a file that is not cached
        entry["siblings"] = {"rules": rules, "drawn": drawn, "fresh": fresh}
        self._changed = True

    def save(self) -> None:
        """Write the cache back if anything changed; a cache that cannot be written is only slower."""
        kept = {
            name: entry for name, entry in self._entries.items() if name in self._used or os.path.exists(name)
        }
        if not self._changed and len(kept) == len(self._entries):
            return
        body = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = f"{MAGIC} {VERSION} {hashlib.sha256(body).hexdigest()}\n".encode("ascii")
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as file:
                file.write(header + body)
            os.replace(temporary, self.path)
        except OSError:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass


@cache
def _rules() -> str | None:
    """A digest of the sibling rules' source: kept siblings are used only with the rules that drew them."""
    from tutor import siblings

    try:
        return hashlib.sha256(Path(siblings.__file__).read_bytes()).hexdigest()
    except OSError:
        return None


def _sound_siblings(kept: object) -> bool:
    """Whether kept sibling cards have the shape ``keep_siblings`` writes."""
    if not isinstance(kept, dict) or not isinstance(kept.get("rules"), str):
        return False
    drawn, fresh = kept.get("drawn"), kept.get("fresh")
    if not isinstance(drawn, dict) or not isinstance(fresh, list) or not all(type(i) is str for i in fresh):
        return False
    return all(
        isinstance(cards, list)
        and all(
            isinstance(card, list)
            and len(card) == 5
            and all(type(text) is str for text in card[:2])
            and all(text is None or type(text) is str for text in card[2:])
            for card in cards
        )
        for cards in drawn.values()
    )
