"""Shared by the desktop tests: ending a process a test started, and a real X desktop (Xvfb with the
openbox window manager) that is ready before the test uses it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from typing import Iterator


def end(proc: subprocess.Popen | None) -> None:
    """Terminate a process a test started (kill it if it does not go in 10 s) and reap it."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def x_desktop(screen: str = "1280x1024x24", timeout_s: float = 20.0) -> Iterator[str]:
    """Xvfb on a free display (it picks the number itself) with openbox managing its windows; yields the
    DISPLAY once the window manager has taken the screen. Both end with the block, even on failure."""
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", screen, "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wm = None
    try:
        display = f":{xvfb.stdout.readline().strip()}"
        env = dict(os.environ, DISPLAY=display)
        wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while "window id" not in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], capture_output=True,
                                                env=env, text=True).stdout:
            assert time.monotonic() < deadline, "openbox did not take the screen"
            time.sleep(0.2)
        yield display
    finally:
        end(wm)
        end(xvfb)
