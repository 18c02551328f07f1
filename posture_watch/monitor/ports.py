"""What the monitor loop needs from each collaborator: small typed Protocols, nothing more.

The loop (loop.py) only moves values between these: a frame source (io/sources.FrameSource), a pose
estimator, the judge, the engine (core, called directly), and the sinks. runner.py plugs in the real
ones (io/pose.PoseEstimator, core/judge.Judge, io/store.Store, io/notify.Notifier, io/control.CommandQueue,
io/preview.Preview, io/session_lock.ScreenWatch, io/dnd, view_watch.ViewWatch); tests plug in fakes.
Structural: nothing has to inherit from these.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol

import numpy as np

from posture_watch.core.domain import Detection, Event, Frame, Reading
from posture_watch.core.geometry import Metrics
from posture_watch.core.messages import Message

Measure = Callable[[Detection], Metrics]  # geometry.measure


class Estimator(Protocol):
    """May also have `retrack()` (io/pose.PoseEstimator): drop the tracking so that the next picture is
    searched afresh; the loop calls it when monitor/tracking.TrackingWatch says so."""

    def detect(self, frame: Frame, small: np.ndarray | None = None) -> Detection: ...


class PostureJudge(Protocol):
    def update(self, metrics: Metrics) -> Reading: ...

    def reset(self) -> None: ...


class SampleStore(Protocol):
    @property
    def pending(self) -> int: ...

    def start_session(self, started_at: float, source: str, profile_name: str | None = None,
                      profile_path: str | None = None) -> int: ...

    def add_sample(self, session_id: int, reading: Reading, t_epoch: float,
                   sides: Mapping[str, float | None] | None = None) -> None: ...

    def add_event(self, session_id: int | None, event: Event, t_epoch: float) -> None: ...

    def flush(self) -> None: ...

    def end_session(self, session_id: int, ended_at: float) -> None: ...


class Notifier(Protocol):
    def notify(self, message: Message, t_epoch: float) -> None: ...


class Requests(Protocol):
    """Control requests (status, pause, resume, snooze, and the desktop's) answered between samples."""

    snapshot: dict[str, Any]

    def drain(self, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> int: ...


class PreviewSink(Protocol):
    """A window showing what the monitor sees; `show`/`held` return False when the user closed it."""

    def show(self, frame: Frame, detection: Detection, reading: Reading, status: Mapping[str, Any]) -> bool: ...

    def held(self, status: Mapping[str, Any]) -> bool: ...

    def close(self) -> None: ...


class ScreenWatch(Protocol):
    def reason(self) -> str | None: ...  # "screen locked" | "asleep" | None

    def ready_to_sleep(self) -> None: ...


class DoNotDisturb(Protocol):
    def quiet_reason(self) -> str | None: ...  # why not to disturb now (None: go ahead)


class ViewCheck(Protocol):
    def update(self, view: str | None) -> str | None: ...  # a problem sentence, once decided
