"""Keep native libraries' log noise (TFLite, glog, FFmpeg) off the user's terminal."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

NATIVE_LOGS_ENV = "POSTURE_WATCH_NATIVE_LOGS"  # set to 1 to see them (debugging)


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while native code talks.
    Python-level errors are exceptions, not prints, so nothing of ours is hidden."""
    if os.environ.get(NATIVE_LOGS_ENV):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def silence_native_stderr() -> None:
    """Send file descriptor 2 to /dev/null for the rest of the process (after the last sentence of ours:
    native code still finishing on its own threads prints nothing more). Not with NATIVE_LOGS_ENV set."""
    if os.environ.get(NATIVE_LOGS_ENV):
        return
    try:
        sys.stderr.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except (OSError, ValueError):
        pass
