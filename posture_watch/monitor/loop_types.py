"""Small values the monitor loop uses: its settings (MonitorConfig, from core/monitor_config.py), its
interruptible sleep, and what a run returns."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from posture_watch.core.domain import Event
from posture_watch.core.monitor_config import MonitorConfig  # noqa: F401  (re-exported: [monitor] in config.toml)


class Waker:
    """An interruptible sleep: `wake()` (a control request) or `stop()` (a signal) cuts it short."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.stopped = False

    def sleep(self, seconds: float) -> bool:
        """Wait up to `seconds`; True if cut short by `wake()` or `stop()`."""
        if self.stopped:
            return True
        if seconds > 0 and self._event.wait(seconds):
            if not self.stopped:
                self._event.clear()
            return True
        return False

    def wake(self) -> None:
        self._event.set()

    def stop(self) -> None:
        self.stopped = True
        self._event.set()


@dataclass
class RunSummary:
    session_id: int | None = None
    started_at: float = 0.0
    ended_at: float = 0.0
    samples: int = 0
    model_calls: int = 0  # samples the pose model ran on (the others reused an unchanged picture's reading)
    bad_frames: int = 0
    events: list[Event] = field(default_factory=list)
    reason: str = ""
    unsaved_samples: int = 0   # samples the database could not take (a full disk at the end, or too long full)
    unsaved_reason: str = ""   # why, in one sentence
    wall_s: float = 0.0
    cpu_s: float = 0.0
