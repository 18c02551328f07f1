"""Ctrl-C at a safe moment: while native code (MediaPipe's graph, OpenCV's window) is working or being
closed, an interrupt only sets a flag; the Python loop looks at it between frames and raises
KeyboardInterrupt there, so the model and the window are closed in order by the ordinary `with` and
`finally` blocks, with further Ctrl-Cs held off until they are (a KeyboardInterrupt raised inside a
native call or half-way through a close left the process to crash at exit: issue 12, point 11).

    with DeferredInterrupt() as guard:
        while ...:
            guard.check()            # raises KeyboardInterrupt here, between frames
            ...
        with guard.immediate():      # a prompt waits for a person: Ctrl-C acts at once
            answer = input()

Outside the main thread (signal handlers can only be set there) it does nothing.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Any, Iterator


class DeferredInterrupt:
    def __init__(self) -> None:
        self.pending = False
        self._immediate = False
        self._old: Any = None
        self._installed = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.pending = True
        if self._immediate:
            self._immediate = False
            raise KeyboardInterrupt

    def __enter__(self) -> "DeferredInterrupt":
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # a Ctrl-C after the last check came too late to stop anything: the work is done (a profile
        # saved whole), so it is not turned into an error now
        if self._installed:
            signal.signal(signal.SIGINT, self._old)
            self._installed = False

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was pressed since the last look."""
        if self.pending:
            raise KeyboardInterrupt

    @contextmanager
    def immediate(self) -> Iterator[None]:
        """Inside: Ctrl-C raises at once (pure-Python waiting, such as a prompt)."""
        self.check()
        self._immediate = True
        try:
            yield
        finally:
            self._immediate = False
