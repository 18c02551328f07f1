"""Small values the monitor loop uses: its settings (MonitorConfig, from core/monitor_config.py), its
interruptible sleep, and what a run returns."""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field

import numpy as np

from posture_watch.core.domain import Event
from posture_watch.core.monitor_config import MonitorConfig  # noqa: F401  (re-exported: [monitor] in config.toml)


def picture_fingerprint(image: np.ndarray) -> int:
    """A cheap checksum of a picture (every 8th pixel of every 8th row): equal only for the very same
    picture, since a camera's sensor noise changes every frame."""
    return zlib.crc32(np.ascontiguousarray(image[::8, ::8]).tobytes())


@dataclass
class FrozenWatch:
    """Tells a frozen stream: the same picture, bit for bit, for `frozen_after_s` of source time.

    `update(image, t_s)` -> "moving" | "froze" (just now) | "frozen" (still) | "thawed" (moves again).
    `forget()` after an interruption (covered lens, camera lost): the next picture starts afresh."""

    frozen_after_s: float
    fingerprint: int | None = None
    same_since_t: float = 0.0
    frozen: bool = False

    def update(self, image: np.ndarray, t_s: float) -> str:
        fingerprint = picture_fingerprint(image)
        if fingerprint != self.fingerprint:
            self.fingerprint, self.same_since_t = fingerprint, t_s
            thawed, self.frozen = self.frozen, False
            return "thawed" if thawed else "moving"
        if self.frozen:
            return "frozen"
        if t_s - self.same_since_t >= self.frozen_after_s:
            self.frozen = True
            return "froze"
        return "moving"

    def forget(self) -> None:
        self.fingerprint = None


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
    wall_s: float = 0.0
    cpu_s: float = 0.0
