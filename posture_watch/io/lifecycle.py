"""Is a monitor running, and stopping it: `posture-watch stop`, and what `data delete` does first.

The running monitor is the process that holds the instance lock (control.InstanceLock, released by
the kernel when it dies). Stopping sends it SIGTERM, which the monitor answers like Ctrl-C: it
writes what it holds, releases the camera and exits 0 (so a login unit does not restart it);
then we wait until the lock is free.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import time
from pathlib import Path

from posture_watch.io import paths
from posture_watch.core.errors import UserError

log = logging.getLogger(__name__)

STOP_WAIT_S = 20.0   # how long `stop` waits for the monitor to finish writing and exit
POLL_S = 0.1


def lock_path() -> Path:
    from posture_watch.io.control import LOCK_NAME

    return paths.runtime_dir() / LOCK_NAME


def running_pid() -> int | None:
    """The pid of the running monitor (0 when it runs but its pid is unknown), None when none runs."""
    path = lock_path()
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the lock cannot be probed without taking it
            return _pid_in(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _pid_in(path) or 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _pid_in(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def stop_monitor(wait_s: float = STOP_WAIT_S) -> int | None:
    """Stop the running monitor and wait for it to exit; its pid, or None when none was running.
    UserError when it cannot be stopped."""
    pid = running_pid()
    if pid is None:
        return None
    if pid == 0:
        raise UserError(f"A posture-watch monitor is running but its process id is unknown ({lock_path()} is "
                        "empty); stop it from its terminal or with your task manager.")
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # it ended in between
    except PermissionError:
        raise UserError(f"The posture-watch monitor (pid {pid}) belongs to another user; it cannot be stopped "
                        "from here.") from None
    deadline = time.monotonic() + wait_s
    while running_pid() is not None:
        if time.monotonic() > deadline:
            raise UserError(f"The posture-watch monitor (pid {pid}) did not stop within {wait_s:.0f} s; "
                            f"stop it with `kill {pid}`.")
        time.sleep(POLL_S)
    log.info("monitor %d stopped", pid)
    return pid


def cmd_stop(args: argparse.Namespace) -> int:
    pid = stop_monitor()
    if pid is None:
        print("No posture-watch monitor is running.")
    else:
        print(f"Stopped the posture-watch monitor (pid {pid}); its data is saved.")
    return 0
