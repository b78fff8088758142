"""How fast notes become decks, against markdown-it parsing the same text alone (the importer's floor).

    python bench/import.py            # every style at 1 and 5 MB
    python bench/import.py --quick    # 1 and 2 MB, for a look while working

The real notes must import in under 50 ms (wall and CPU time are both shown: on a shared machine the
wall time also counts other people's work, so the budget is checked on CPU time). Synthetic notes of
1 and 5 MB must take time linear in their size (the ms per MB stay flat: the ratio at 5 MB over 1 MB
stays under ~1.15) and under 1 s per MB: the real notes repeated, notes written in each style people
use (summaries in HTML, labels with the question above, nested and indented blocks, HTML answers, tags
after text, Windows-1252 damage, HTML written by hand with every answer built its own way), and notes
mixing them all. The ratios against the peer come last.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.deck_writing import deck_to_yaml  # noqa: E402
from tutor.importer import import_notes  # noqa: E402

NOTES = ROOT.parent / "shared" / "notes" / "llm-book-notes.md"
MB = 1024 * 1024
BUDGET_MS_PER_MB = 1000
LINEAR = 1.15  # ms/MB at the big size over ms/MB at the small one


def synthetic(real: str, size: int) -> str:
    copies, total, copy = [], 0, 0
    while total < size:
        copy += 1
        text = real.replace("<summary>ğŸ¯Q.", f"<summary>ğŸ¯Q. (part {copy})")
        text = re.sub(r"(?m)^# ", f"# Part {copy}: ", text)
        copies.append(text + "\n")
        total += len((text + "\n").encode("utf-8"))
    notes = "".join(copies).encode("utf-8")[:size].decode("utf-8", errors="ignore")
    return notes[: notes.rfind("</details>") + len("</details>")] + "\n"


# Every style the importer reads, one block each; {n} makes each copy's questions distinct.
STYLES: dict[str, str | Callable[[int], str]] = {
    "marker": """<details><summary>🎯Q. What is token {n}?</summary>

- A piece of text, number {n}.
- ```python
  tokens = encode("part {n}")
  ```
</details>
""",
    "inline HTML": """<details><summary>What does len() return in part {n}?</summary>

The <b>number of items</b> in part {n}</details>
""",
    "HTML summary": """<details><summary><b>What is <code>a &lt; b</code> in part {n}?</b></summary>

A comparison.
</details>
""",
    "question above": """### {n}. What is a closure?

<details><summary>Answer</summary>

A function with its environment ({n}).
</details>
""",
    "HTML answer": """<details><summary>Explain the event loop of part {n}</summary>

<p>It runs <em>callbacks</em>.</p>
<ul><li>one</li><li>two <code>x_y</code></li></ul>
<table><tr><th>a</th><th>b</th></tr><tr><td>{n}</td><td>2</td></tr></table>
</details>
""",
    "nested": """<details><summary>What is process {n}?</summary>

A running program.

<details><summary>Hint</summary>

Think of `ps`.
</details>

<details><summary>What is thread {n}?</summary>

A unit inside a process.
</details>
</details>
""",
    "in a list": """1. A list item
   <details><summary>What is DNS {n}?</summary>

   - names to addresses
   </details>
""",
    "Windows-1252": """<details><summary>ðŸŽ¯ Whatâ€™s a â€œclosureâ€ {n}?</summary>

Itâ€™s a function.
</details>
""",
    "tags only": """<details><summary>进程和线程的区别 {n}</summary>

<br><b></b>
</details>
""",
}


def by_hand(n: int) -> str:
    """An HTML answer as people write them by hand: each its own structure (paragraphs, inline tags,
    lists, a table, code, a link), so that answers seldom share a shape for the converter to reuse."""
    pick = random.Random(n)
    words = ["the", "loop", "runs", "each", "callback", "in", "turn", f"part {n}", "queue", "task"]

    def phrase() -> str:
        return " ".join(pick.choice(words) for _ in range(pick.randint(1, 6)))

    def inline() -> str:
        tag = pick.choice(["b", "em", "code", "i", "strong"])
        return f"{phrase()} <{tag}>{phrase()}</{tag}> {phrase()}"

    parts = [f"<p>{inline() if pick.random() < 0.7 else phrase()}.</p>" for _ in range(pick.randint(1, 3))]
    if pick.random() < 0.6:
        items = "".join(
            f"<li>{inline() if pick.random() < 0.4 else phrase()}</li>" for _ in range(pick.randint(1, 5))
        )
        kind = pick.choice(["ul", "ol"])
        parts.append(f"<{kind}>{items}</{kind}>")
    if pick.random() < 0.3:
        rows = "".join(
            f"<tr><td>{phrase()}</td><td>{pick.randint(0, 99)}</td></tr>" for _ in range(pick.randint(1, 4))
        )
        parts.append(f"<table><tr><th>what</th><th>how many</th></tr>{rows}</table>")
    if pick.random() < 0.3:
        parts.append(f"<pre><code>queue.put({n})\nqueue.get()</code></pre>")
    if pick.random() < 0.2:
        parts.append(f'<p>See <a href="https://example.com/{n}">the docs</a>.</p>')
    return (
        f"<details><summary>Explain the event loop of part {n}</summary>\n\n"
        + "\n".join(parts)
        + "\n</details>\n"
    )


STYLES["HTML by hand"] = by_hand
MIXED = "every style"


def styled(size: int, style: str = MIXED) -> str:
    """Chapters of ten blocks of one style, or (MIXED) of one block of every style."""
    blocks = list(STYLES.values()) if style == MIXED else [STYLES[style]] * 10
    chapters, total, chapter, n = [], 0, 0, 0
    while total < size:
        chapter += 1
        parts = [f"# Part {chapter}: {style}\n\nSome notes for part {chapter}.\n"]
        for block in blocks:
            n += 1
            parts.append(block(n) if callable(block) else block.format(n=n))
        chapters.append("\n".join(parts) + "\n")
        total += len(chapters[-1].encode("utf-8"))
    return "".join(chapters)


def timed(function: Callable[[], object], repeat: int, clock=time.perf_counter) -> list[float]:
    times = []
    for _ in range(repeat):
        start = clock()
        function()
        times.append((clock() - start) * 1000)
    return times


def both_clocks(function: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """The best wall and CPU milliseconds of ``repeat`` runs, and the last run's result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return min(walls), min(cpus), result


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    sizes = (MB, 2 * MB) if "--quick" in sys.argv else (MB, 5 * MB)
    real = NOTES.read_text(encoding="utf-8")
    markdown = MarkdownIt("commonmark")
    print(f"load average at start: {load()}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        out = folder / "decks"  # stays empty: a first import, nothing to merge with

        print(f"real notes: {NOTES.name}, {len(real.encode()) / 1024:.1f} KiB")
        cold = timed(lambda: import_notes(NOTES, out, write=False), 1)[0]
        warm = timed(lambda: import_notes(NOTES, out, write=False), 15)
        cpu = timed(lambda: import_notes(NOTES, out, write=False), 15, time.process_time)
        report = import_notes(NOTES, out, write=False)
        writing = timed(lambda: [deck_to_yaml(deck) for deck in report.decks], 5)
        peer = timed(lambda: markdown.parse(real), 15, time.process_time)
        real_ms = statistics.median(cpu)
        print(f"  import (first call in the process)  {cold:8.1f} ms")
        cards = len(report.cards)
        print(f"  import (median of 15)               {statistics.median(warm):8.1f} ms   {cards} cards")
        print(f"  import, CPU time (median of 15)     {real_ms:8.1f} ms")
        print(f"  writing the YAML of all decks       {statistics.median(writing):8.1f} ms")
        print(f"  markdown-it parse alone (peer, CPU) {statistics.median(peer):8.1f} ms")
        print()
        print(f"{'notes':16} {'MB':>5} {'cards':>6} {'wall ms':>8} {'CPU ms':>8} {'ms/MB':>6}  peer ms/MB")

        rows: dict[str, list[tuple[float, float, float]]] = {}  # name -> (MB, our CPU ms, peer CPU ms)
        makers = [("real notes", lambda size: synthetic(real, size))]
        makers += [(name, lambda size, name=name: styled(size, name)) for name in [*STYLES, MIXED]]
        for name, make in makers:
            for size in sizes:
                text = make(size)
                path = folder / "notes.md"
                path.write_text(text, encoding="utf-8")
                megabytes = len(text.encode()) / MB
                wall, ours, result = both_clocks(lambda path=path: import_notes(path, out, write=False), 2)
                theirs = min(timed(lambda text=text: markdown.parse(text), 2, time.process_time))
                rows.setdefault(name, []).append((megabytes, ours, theirs))
                print(
                    f"{name:16} {megabytes:5.2f} {len(result.cards):6} {wall:8.0f} {ours:8.0f} "
                    f"{ours / megabytes:6.0f}  {theirs / megabytes:6.0f}",
                    flush=True,
                )
    print(f"load average at end: {load()}")

    print()
    print(f"real notes import: {real_ms:.1f} ms CPU (budget 50 ms): {real_ms / 50:.2f} of the budget")
    small, big = sizes[0] // MB, sizes[-1] // MB
    worst_speed = worst_line = 0.0
    for name, measured in rows.items():
        per_mb = [ours / mb for mb, ours, _ in measured]
        linearity = per_mb[-1] / per_mb[0]
        worst_speed, worst_line = max(worst_speed, *per_mb), max(worst_line, linearity)
        print(
            f"{name:16} ms/MB (CPU) at {small} MB {per_mb[0]:5.0f}, at {big} MB {per_mb[-1]:5.0f}; "
            f"linearity {linearity:.2f}; importer / markdown-it parse at {big} MB = "
            f"{measured[-1][1] / measured[-1][2]:.2f}x"
        )
    mixed = max(ours / mb for mb, ours, _ in rows[MIXED])
    print(
        f"notes mixing every style: {mixed:.0f} ms/MB (CPU) at its slower size (budget {BUDGET_MS_PER_MB}): "
        f"{mixed / BUDGET_MS_PER_MB:.2f} of the budget"
    )
    print(
        f"slowest ms/MB (CPU) = {worst_speed:.0f} (budget {BUDGET_MS_PER_MB}): "
        f"{worst_speed / BUDGET_MS_PER_MB:.2f} of the budget; worst linearity {worst_line:.2f} "
        f"(budget {LINEAR}); load average {load()}"
    )


if __name__ == "__main__":
    main()
