"""How fast notes become decks, against markdown-it parsing the same text alone (the importer's floor).

    python bench/import.py

The real notes must import in under 50 ms (wall and CPU time are both shown: on a shared machine the
wall time also counts other people's work); synthetic notes of 0.5, 1 and 5 MB (the real notes repeated,
every copy's questions and chapters made distinct) must take time linear in their size: the ms per MB
stay flat. So must notes that mix every style people write (summaries in HTML, labels with the question
above, nested and indented blocks, HTML answers, tags after text, Windows-1252 damage), and both must
stay under 1 s per MB. The ratios come last.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.decks import deck_to_yaml  # noqa: E402
from tutor.importer import import_notes  # noqa: E402

NOTES = ROOT.parent / "shared" / "notes" / "llm-book-notes.md"
MB = 1024 * 1024


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


# One chapter of every style the importer reads; {n} makes each copy's questions and headings distinct.
STYLES = """# Part {n}: every style

Some notes for part {n}.

<details><summary>🎯Q. What is token {n}?</summary>

- A piece of text, number {n}.
- ```python
  tokens = encode("part {n}")
  ```
</details>

<details><summary>What does len() return in part {n}?</summary>

The <b>number of items</b> in part {n}</details>

<details><summary><b>What is <code>a &lt; b</code> in part {n}?</b></summary>

A comparison.
</details>

### {n}. What is a closure?

<details><summary>Answer</summary>

A function with its environment ({n}).
</details>

<details><summary>Explain the event loop of part {n}</summary>

<p>It runs <em>callbacks</em>.</p>
<ul><li>one</li><li>two <code>x_y</code></li></ul>
<table><tr><th>a</th><th>b</th></tr><tr><td>{n}</td><td>2</td></tr></table>
</details>

<details><summary>What is process {n}?</summary>

A running program.

<details><summary>Hint</summary>

Think of `ps`.
</details>

<details><summary>What is thread {n}?</summary>

A unit inside a process.
</details>
</details>

1. A list item
   <details><summary>What is DNS {n}?</summary>

   - names to addresses
   </details>

<details><summary>ðŸŽ¯ Whatâ€™s a â€œclosureâ€ {n}?</summary>

Itâ€™s a function.
</details>

<details><summary>进程和线程的区别 {n}</summary>

<br><b></b>
</details>

"""


def styled(size: int) -> str:
    copies, total, n = [], 0, 0
    while total < size:
        n += 1
        copies.append(STYLES.format(n=n))
        total += len(copies[-1].encode("utf-8"))
    return "".join(copies)


def timed(function, repeat: int, clock=time.perf_counter) -> list[float]:
    times = []
    for _ in range(repeat):
        start = clock()
        function()
        times.append((clock() - start) * 1000)
    return times


def main() -> None:
    real = NOTES.read_text(encoding="utf-8")
    markdown = MarkdownIt("commonmark")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        out = folder / "decks"  # stays empty: a first import, nothing to merge with

        print(f"real notes: {NOTES.name}, {len(real.encode()) / 1024:.1f} KiB")
        cold = timed(lambda: import_notes(NOTES, out, write=False), 1)[0]
        warm = timed(lambda: import_notes(NOTES, out, write=False), 15)
        cpu = timed(lambda: import_notes(NOTES, out, write=False), 15, time.process_time)
        report = import_notes(NOTES, out, write=False)
        writing = timed(lambda: [deck_to_yaml(deck) for deck in report.decks], 5)
        peer = timed(lambda: markdown.parse(real), 15)
        real_ms = statistics.median(warm)
        print(f"  import (first call in the process)  {cold:8.1f} ms")
        print(f"  import (median of 15)               {real_ms:8.1f} ms   {len(report.cards)} cards")
        print(f"  import, CPU time (median of 15)     {statistics.median(cpu):8.1f} ms")
        print(f"  writing the YAML of all decks       {statistics.median(writing):8.1f} ms")
        print(f"  markdown-it parse alone (peer)      {statistics.median(peer):8.1f} ms")

        rows = []
        for size in (MB // 2, MB, 5 * MB):
            text = synthetic(real, size)
            path = folder / f"notes-{size}.md"
            path.write_text(text, encoding="utf-8")
            megabytes = len(text.encode()) / MB
            ours = min(timed(lambda path=path: import_notes(path, out, write=False), 2))
            ours_cpu = min(
                timed(lambda path=path: import_notes(path, out, write=False), 2, time.process_time)
            )
            theirs = min(timed(lambda text=text: markdown.parse(text), 2, time.process_time))
            cards = len(import_notes(path, out, write=False).cards)
            rows.append((megabytes, ours_cpu, theirs))
            print(
                f"synthetic {megabytes:4.2f} MB, {cards:5} cards: import {ours:6.0f} ms wall, "
                f"{ours_cpu:6.0f} ms CPU = {ours_cpu / megabytes:4.0f} ms/MB; "
                f"markdown-it {theirs / megabytes:4.0f} ms/MB CPU"
            )

        styled_rows = []
        for size in (MB // 2, MB, 5 * MB):
            text = styled(size)
            path = folder / f"styles-{size}.md"
            path.write_text(text, encoding="utf-8")
            megabytes = len(text.encode()) / MB
            ours = min(timed(lambda path=path: import_notes(path, out, write=False), 2))
            ours_cpu = min(
                timed(lambda path=path: import_notes(path, out, write=False), 2, time.process_time)
            )
            theirs = min(timed(lambda text=text: markdown.parse(text), 2, time.process_time))
            cards = len(import_notes(path, out, write=False).cards)
            styled_rows.append((megabytes, ours_cpu, theirs))
            print(
                f"every style {megabytes:4.2f} MB, {cards:5} cards: import {ours:6.0f} ms wall, "
                f"{ours_cpu:6.0f} ms CPU = {ours_cpu / megabytes:4.0f} ms/MB; "
                f"markdown-it {theirs / megabytes:4.0f} ms/MB CPU"
            )

    per_mb = [ours / mb for mb, ours, _ in rows]
    styled_per_mb = [ours / mb for mb, ours, _ in styled_rows]
    print()
    print(f"real notes import: {real_ms:.1f} ms (budget 50 ms): {real_ms / 50:.2f} of the budget")
    print(f"linearity (CPU): ms/MB at 5 MB / ms/MB at 0.5 MB = {per_mb[-1] / per_mb[0]:.2f} (1.00 = linear)")
    for mb, ours, theirs in rows:
        print(f"importer / markdown-it parse (CPU) at {mb:4.2f} MB = {ours / theirs:.2f}x")
    print(
        f"every style, linearity (CPU): ms/MB at 5 MB / ms/MB at 0.5 MB = "
        f"{styled_per_mb[-1] / styled_per_mb[0]:.2f} (1.00 = linear)"
    )
    worst = max(styled_per_mb + per_mb)
    print(f"every style, slowest ms/MB (CPU) = {worst:.0f} (budget 1000): {worst / 1000:.2f} of the budget")


if __name__ == "__main__":
    main()
