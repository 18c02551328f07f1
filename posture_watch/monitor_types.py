"""Small values the monitor loop uses: its settings, its interruptible sleep, and what a run returns."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from posture_watch.domain import Event


@dataclass(frozen=True)
class MonitorConfig:
    """[monitor] in config.toml.

    covered_brightness: mean luma (0..255) below which a frame with nobody in it is a covered lens
                        (a privacy shutter gives ~0-5; a dim room with a person is ~30+).
    flush_every_s:      samples wait in memory at most this long (wall time) before they are written;
                        a kill -9 loses at most this much.
    reconnect_first_s / reconnect_max_s: camera reconnect backoff (doubling).
    clock_jump_s:       wall clock moving this much more (or less) than the monotonic clock between two
                        samples means suspend/resume or a clock change: the camera is reopened.
    stall_s:            a live read that took this long means the camera stalled: it is reopened.
    num_poses:          people the pose model looks for; it must match what calibration used (2), because
                        MediaPipe's landmarks differ systematically between the two modes: with 1 it tracks
                        the person from the last sample (~17-19 ms instead of ~30 ms of CPU per sample with
                        the lite model) but, on the sample clips, its shoulder line tilts ~6 degrees differently
                        from the calibrated baseline, which is enough to misjudge a lateral lean.
    """

    covered_brightness: float = 12.0
    flush_every_s: float = 2.0
    reconnect_first_s: float = 1.0
    reconnect_max_s: float = 30.0
    clock_jump_s: float = 5.0
    stall_s: float = 20.0
    num_poses: int = 2

    def __post_init__(self) -> None:
        if self.num_poses not in (1, 2):
            raise ValueError("monitor.num_poses must be 1 or 2.")
        for name in ("flush_every_s", "reconnect_first_s", "reconnect_max_s", "clock_jump_s", "stall_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"monitor.{name} must be more than 0 s.")


class Waker:
    """An interruptible sleep: `wake()` (a control request) or `stop()` (a signal) cuts it short."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.stopped = False

    def sleep(self, seconds: float) -> None:
        if seconds > 0 and not self.stopped and self._event.wait(seconds):
            if not self.stopped:
                self._event.clear()

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
    events: list[Event] = field(default_factory=list)
    reason: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0
