"""Keys typed while the tutor starts: in a real terminal (a pty), "down down enter" typed before the app
is up opens the third deck, and the terminal's own settings come back when the app ends."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import termios
import time

import pytest

ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def read_until(fd: int, wanted: str, seconds: float) -> str:
    """The terminal's output as text (escape sequences dropped) until ``wanted`` shows or time is up."""
    seen, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if wanted in ANSI.sub("", seen.decode(errors="replace")):
                break
    return ANSI.sub("", seen.decode(errors="replace"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pty")
def test_keys_typed_before_the_first_frame_open_the_deck_they_chose(tutor_home):
    main, child = os.openpty()
    os.set_blocking(main, True)
    termios.tcsetattr(child, termios.TCSANOW, termios.tcgetattr(child))  # a cooked terminal, as a shell's
    before = termios.tcgetattr(child)
    env = dict(os.environ, TUTOR_HOME=str(tutor_home), TERM="xterm-256color", COLUMNS="100", LINES="30")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,
    )
    try:
        # As soon as the tutor has started (its first steps, long before the decks are drawn): keys typed
        # even earlier meet the shell's terminal, which echoes them and makes Enter a newline.
        end = time.monotonic() + 30
        while termios.tcgetattr(child)[3] & termios.ICANON and time.monotonic() < end:
            time.sleep(0.002)
        os.write(main, b"\x1b[B\x1b[B\r")
        text = read_until(main, "d opens attend", 60)
        assert "d opens attend" in text  # chapter 3's first card: the third deck
        os.write(main, b"\x1b")  # back to Decks
        assert "Next due" in read_until(main, "Next due", 30)
        for _ in range(15):  # q quits from Decks (a q read too soon after the escape is alt+q: again)
            time.sleep(0.5)
            os.write(main, b"q")
            read_until(main, "\x00", 1.5)  # drain the output meanwhile
            if process.poll() is not None:
                break
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    after = termios.tcgetattr(child)
    assert after[0] & termios.ICRNL and after[3] & termios.ICANON and after[3] & termios.ECHO
    assert after[:4] == before[:4]
    os.close(main)
    os.close(child)
