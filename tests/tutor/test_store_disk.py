"""The store on a real small disk (a tmpfs in a mount namespace of its own): no free inode, a read-only
disk. SQLite cannot open or write the store; the tutor says so in one sentence and moves nothing aside.
Skipped where mounting is not allowed.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, os, subprocess, sys
from pathlib import Path

disk = Path(sys.argv[1])
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,nr_inodes=64", "tmpfs", str(disk)], check=True)
home = disk / "home"
env = dict(os.environ, TUTOR_HOME=str(home))


def tutor(*argv):
    run = subprocess.run([sys.executable, "-m", "tutor", *argv], env=env, capture_output=True, text=True)
    return run.returncode, run.stderr


seen = {"first": tutor("due")}  # makes the store
(home / "decks").mkdir(exist_ok=True)
count = 0
try:  # use up every inode: SQLite can no longer make the -wal file beside the store
    while True:
        (disk / f"f{count}").touch()
        count += 1
except OSError:
    pass
seen["no_inode"] = tutor("due")
seen["files_then"] = sorted(p.name for p in home.iterdir())
for n in range(count):
    (disk / f"f{n}").unlink()
subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
seen["read_only"] = tutor("due")
seen["files_at_end"] = sorted(p.name for p in home.iterdir())
print(json.dumps(seen))
"""


def test_no_free_inode_or_a_read_only_disk_leaves_the_store_where_it_is(tmpfs_folder):
    disk = tmpfs_folder
    child = subprocess.run(
        ["unshare", "-rm", sys.executable, "-c", CHILD, str(disk)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["first"][0] == 0
    for case in ("no_inode", "read_only"):
        code, err = seen[case]
        assert code == 2 and "Traceback" not in err, err
        assert err.startswith("tutor: The progress store ") and "cannot be opened" in err
        assert err.count("\n") == 1
    for files in (seen["files_then"], seen["files_at_end"]):
        assert "progress.sqlite3" in files and not [f for f in files if ".unusable-" in f]
