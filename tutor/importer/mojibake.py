"""Repair notes that were once decoded with the wrong code page (Windows-1254) and lost bytes on the way.

UTF-8 text read as Windows-1254 turns each byte into one character (``🎯`` = F0 9F 8E AF becomes ``ğŸ¯``).
Five bytes (81 8D 8E 8F 90 9D 9E) have no character in Windows-1254 and the soft hyphen (AD) is invisible,
so on the way through editors those bytes vanished: ``ğŸ¯`` lacks the 8E, a lone ``â`` is ⭐ (E2 AD 90)
missing two bytes, ``â€`` before a space is ” (E2 80 9D) missing one. ftfy undoes the wrong decoding once
the sequences are whole, so we first put the lost bytes back (as the characters ftfy's sloppy Windows-1254
decoder expects for them), choosing among the sequences that would decode the character notes most often
use, then let ftfy do the rest.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import combinations, product

import ftfy

# Bytes Windows-1254 cannot show (they decode to the C1 control of the same number in ftfy's sloppy codec)
# and the soft hyphen: these are the ones that go missing.
LOST_BYTES = (0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD)

# Characters notes use, most likely first: when several lost bytes would make a whole sequence, the one
# giving the earliest of these wins (🎯 over 🍯 and 🐯; ⭐ for a lone â; ” for â€ before a space).
LIKELY = (
    "🎯⭐”←\ufe0f⚠❌❓❗❎➝📝📍📎📐📏🔍🔎👍👎👏👉👈👆👇😎😍😐😝😞🐍🐞🐝🏆🏁🏃🏝🎉🎓🎨🎮🎁🎞🍎🍏"
    "💁💍💎💝💞📁📂🔁🔐🔝🔞🖝🙏🚍🚏🤝🤞🥝🦎🧐🧝🧞🏭‐„⏭⏎⏏⏝⏞⁉‍"
)
_RANK = {ch: i for i, ch in enumerate(LIKELY)}

# A run of characters that Windows-1254 can write as bytes 80..FF (plus the C1 controls ftfy uses for the
# five it cannot, and the soft hyphen): the only places mojibake can hide.
_CP1254_HIGH = "".join(
    ch
    for ch in (bytes([b]).decode("cp1254", errors="ignore") for b in range(0x80, 0x100))
    if ch and ch not in "\n"
)
# Windows-1252 damage (``ðŸŽ¯`` for 🎯, ``â€™`` for ’) is the same but for six letters (ð Ð Þ þ Ý ý); ftfy
# repairs it whole, with no lost bytes to infer.
_CP1252_HIGH = "".join(
    ch
    for ch in (bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0x100))
    if ch and ch not in _CP1254_HIGH
)
_RUN = re.compile("[" + re.escape(_CP1254_HIGH + _CP1252_HIGH) + "\x81\x8d\x8e\x8f\x90\x9d\x9e\xad]+")
# A line with a character beyond ASCII
_NON_ASCII_LINE = re.compile(r"^[^\n]*?[^\x00-\x7f][^\n]*", re.MULTILINE)

# Leads whose lost continuation bytes we dare to infer: E2 (punctuation, arrows, ⭐), EF (variation
# selectors), F0 (emoji). Other leads are more often real letters (é, ñ, ğ) than mojibake.
_INFER_LEADS = {0xE2, 0xEF, 0xF0}

# What remains of mojibake after a repair: â, Ã, Â or ğŸ followed by the rest of a broken sequence,
# or ï¸ (a variation selector read as Windows-1254). A lone â between two letters is a real letter.
_SEQUENCE = r"â[\x80-\u2122]|Ã[\x80-\u2122]|Â[\x80-\xbf]|[ğð]Ÿ|ï¸"
MOJIBAKE = re.compile(_SEQUENCE + r"|(?<![^\W\d_])â|â(?![^\W\d_])")
_MOJIBAKE_SEQUENCE = re.compile(_SEQUENCE)  # for notes with no other damage, where â is a letter

# Sure signs of UTF-8 read as Windows-1254: an emoji's first bytes, punctuation's first bytes.
_DAMAGE = re.compile("[ğð]Ÿ|â€|â†|â‰|Ã[\x80-\xbf\u0152-\u2122]|Â\xa0")

FTFY_CONFIG = ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False, fix_line_breaks=False)


_BYTES = {bytes([b]).decode("cp1254", errors="ignore"): b for b in range(0x80, 0x100)}
_BYTES.pop("", None)
_BYTES.update({chr(b): b for b in (0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E)})


def _char(byte: int) -> str:
    """The character a lost byte stands for in ftfy's sloppy Windows-1254."""
    return chr(byte) if byte != 0xAD else "\xad"


def _sequence_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


@lru_cache(maxsize=1024)
def _best_filling(present: tuple[int, ...], missing: int, next_is_emoji: bool) -> list[int] | None:
    """The whole byte sequence that most likely lost ``missing`` bytes from ``present`` (lead included)."""
    best: tuple[tuple, list[int]] | None = None
    tail_slots = len(present) - 1 + missing
    for positions in combinations(range(1, tail_slots + 1), missing):
        for fill in product(LOST_BYTES, repeat=missing):
            seq, given, lost = [present[0]], iter(present[1:]), iter(fill)
            for slot in range(1, tail_slots + 1):
                seq.append(next(lost) if slot in positions else next(given))
            try:
                ch = bytes(seq).decode("utf-8")
            except UnicodeDecodeError:
                continue
            category = unicodedata.category(ch)
            if category in ("Cc", "Cn", "Co", "Cs"):
                continue
            rank = _RANK.get(ch, len(_RANK) + (0 if category == "So" else 1))
            if ch == "\u200d" and next_is_emoji:  # 👨‍💻: a zero-width joiner between two emoji
                rank = -1
            key = (rank, positions, fill)
            if best is None or key < best[0]:
                best = (key, seq)
    return best[1] if best else None


def _restore_run(text: str, start: int, end: int, lone: bool = True) -> str:
    run = text[start:end]
    codes = [_BYTES.get(ch) for ch in run]
    out: list[str] = []
    i = 0
    while i < len(run):
        lead = codes[i]
        need = _sequence_length(lead) if lead is not None else 0
        if not need:
            out.append(run[i])
            i += 1
            continue
        j = i + 1
        while j < len(run) and j - i < need and (code := codes[j]) is not None and 0x80 <= code <= 0xBF:
            j += 1
        present = codes[i:j]
        missing = need - len(present)
        lone_star = (
            lone
            and lead == 0xE2
            and len(present) == 1
            and not (i == 0 and j == len(run) and _is_letter(text, start - 1) and _is_letter(text, end))
        )
        if missing and lead in _INFER_LEADS and (len(present) > 1 or lone_star):
            after = text[start + j : start + j + 2]
            filled = _best_filling(tuple(present), missing, next_is_emoji=after == "ğŸ")
            if filled is not None:
                out.append(
                    "".join(_char(b) if b in LOST_BYTES else bytes([b]).decode("cp1254") for b in filled)
                )
                i = j
                continue
        out.append(run[i:j])
        i = j
    return "".join(out)


def _is_letter(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isalpha()


def restore_lost_bytes(line: str, lone: bool = True) -> str:
    """Put back the bytes that went missing from mojibake sequences in one line; ``lone``: a lone â
    (not between letters) may be ⭐ too."""
    pieces, last = [], 0
    for match in _RUN.finditer(line):
        pieces.append(line[last : match.start()])
        pieces.append(_restore_run(line, match.start(), match.end(), lone))
        last = match.end()
    pieces.append(line[last:])
    return "".join(pieces)


@lru_cache(maxsize=4096)
def _fix_run(run: str) -> str:
    return ftfy.fix_encoding(run)


def _repair_line(line: str, lone: bool) -> str:
    # Runs repeat (every 🎯 is the same four characters), so ftfy sees each distinct run once; a line
    # where a run alone does not come out clean goes through ftfy whole, with its context.
    pieces, last = [], 0
    for match in _RUN.finditer(line):
        pieces.append(line[last : match.start()])
        pieces.append(_fix_run(_restore_run(line, match.start(), match.end(), lone)))
        last = match.end()
    pieces.append(line[last:])
    fixed = "".join(pieces)
    if MOJIBAKE.search(fixed):
        fixed = ftfy.fix_text(restore_lost_bytes(line, lone), config=FTFY_CONFIG)
    return fixed.replace("\xa0", " ").replace("\n", " ")


def repair_text(text: str) -> str:
    """Undo the wrong code page line by line; lines stay lines, so line numbers still match the notes.

    A lone â is read as ⭐ only in notes that show the damage elsewhere too: in sound notes it is a letter
    (Vietnamese âm, French âge)."""
    if text.isascii():
        return text
    lone = bool(_DAMAGE.search(text))
    return _NON_ASCII_LINE.sub(lambda line: _repair_line(line.group(), lone), text)


def find_mojibake(text: str) -> list[int]:
    """Line numbers (1-based) where mojibake is still left."""
    pattern = MOJIBAKE if _DAMAGE.search(text) else _MOJIBAKE_SEQUENCE
    # Why it is fast: repaired notes have none left, which one search of the whole text tells (a line's
    # ends and the newlines around it are alike to the patterns: neither is a letter nor in a sequence).
    if not pattern.search(text):
        return []
    return [number for number, line in enumerate(text.split("\n"), 1) if pattern.search(line)]
