"""Reading a deck file safely: the file may come from anyone (a shared deck, a download).

Only a regular file of a sane size is read (never a FIFO, a device or ``/dev/zero`` behind a symlink), YAML
anchors and aliases are refused (a few hundred bytes of them expand to gigabytes), and numbers are capped,
so a hostile file costs a problem message, not the learner's memory or a hang. Mappings remember the line
where they start and where each key is, for messages that name the line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from tutor.regular_files import NotReadable, read_regular

if TYPE_CHECKING:
    import yaml

T = TypeVar("T")

MAX_DECK_BYTES = 8 * 1024 * 1024  # the largest real deck is ~100 KB
MAX_DIGITS = 30  # ids, lines and orders are small; a 5,000-digit number is an attack, not a deck
LINE = "__line__"  # where a mapping starts (1-based)
KEY_LINES = "__key_lines__"  # {key: line} of a mapping's keys
MARKERS = (LINE, KEY_LINES)


class DeckFileError(Exception):
    """Why a deck file cannot be read; ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@cache
def _line_loader() -> type[yaml.SafeLoader]:
    """Safe YAML that remembers the line (1-based) where each mapping and each of its keys starts.

    Built on first use, and yaml imported with it: a start whose decks all come from the deck cache reads
    no YAML at all."""
    import yaml

    # libyaml's C loader where PyYAML was built with it: the same results, several times faster
    safe: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(safe):  # type: ignore[valid-type, misc]
        pass

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    return LineLoader


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    import yaml

    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    mapping[KEY_LINES] = {
        key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    }
    return mapping


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    import yaml

    digits = sum(ch.isdigit() for ch in node.value)
    if digits > MAX_DIGITS:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number with {digits} digits (at most {MAX_DIGITS})", node.start_mark
        )
    return loader.construct_yaml_int(node)


def _line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


def plain(value: T) -> T:
    """A loaded value without the line markers the loader adds to mappings."""
    if isinstance(value, dict):
        return cast(T, {k: plain(v) for k, v in value.items() if k not in MARKERS})
    if isinstance(value, list):
        return cast(T, [plain(v) for v in value])
    return value


MAX_DEPTH = 50  # a deck file nests five levels; the C composer crashes somewhere past a few thousand


def read_text(path: Path, limit: int = MAX_DECK_BYTES) -> str:
    """The file's text, if it is a regular file of at most ``limit`` bytes; else ``DeckFileError``."""
    try:
        data = read_regular(path, limit)
    except NotReadable as exc:
        raise DeckFileError(str(exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeckFileError("is not UTF-8 text; save it as UTF-8", line) from None


def _check_structure(text: str) -> None:
    """Refuse anchors and aliases (an alias can expand a small file past all memory) and nesting deeper
    than ``MAX_DEPTH``: libyaml's C composer recurses on the C stack, where a few thousand ``[`` crash the
    process instead of raising. The event stream itself is read without recursion."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=_line_loader()):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise DeckFileError(
                "uses a YAML anchor or alias (&name, *name), which deck files may not; write the value out",
                _line(event),
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise DeckFileError(
                    f"nests lists or mappings more than {MAX_DEPTH} deep, which no deck needs; flatten it",
                    _line(event),
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_yaml(path: Path) -> object:
    """The deck file's YAML, with line markers; ``DeckFileError`` names the line of any problem."""
    import yaml

    text = read_text(path)
    try:
        _check_structure(text)
        return yaml.load(text, Loader=_line_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        why = exc.problem or exc.context or "not valid YAML"
        raise DeckFileError(f"{why}; fix the YAML there", mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise DeckFileError(f"is not valid YAML ({why})") from None
