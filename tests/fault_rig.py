"""Helpers for the fault-injection tests (tests/test_faults_*.py): the real monitor loop in-process
(real MediaPipe, real SQLite in tmp_path) around a FrameSource that plays the fault, and sources
built from the sample clips' own frames held in memory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from conftest import CALIBRATION_UPRIGHT_S, ROOT, run_cli, sample
from posture_watch.io.config import SamplingConfig
from posture_watch.core.domain import Frame
from posture_watch.core.engine import EngineConfig
from posture_watch.core.geometry import measure
from posture_watch.core.judge import Judge
from posture_watch.monitor.loop import Monitor, MonitorConfig, Waker
from posture_watch.io.pose import PoseEstimator, mode_for
from posture_watch.io.profile_files import load_profile
from posture_watch.io.sources import FrameSource, VideoFileSource
from posture_watch.io.store import Store


def sample_profile(tmp_path_factory) -> Path:
    """The committed sample profile, else one calibrated from calibration.mp4."""
    committed = ROOT / "calibration" / "sample_profile.json"
    if committed.exists():
        return committed
    path = tmp_path_factory.mktemp("profile") / "sample_profile.json"
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--profile", str(path), "--non-interactive",
                   "--seconds", CALIBRATION_UPRIGHT_S)
    assert proc.returncode == 0, proc.stderr
    return path


def clip_pictures(name: str, start_s: float, seconds: float) -> list[np.ndarray]:
    """The frames of a sample clip between start_s and start_s + seconds (10 fps)."""
    out = []
    with VideoFileSource(sample(name)) as src:
        t = start_s
        while (frame := src.read(t)) is not None and frame.t_s < start_s + seconds - 1e-6:
            out.append(frame.image)
            t = frame.t_s + 1e-6
    return out


class Scripted(FrameSource):
    """Frames from `picture(t_s)` on a 10 fps clock until `until_s`.

    live=False: read as fast as asked (the monitor replays it). live=True: wall-clock pacing like a
    camera (times are seconds since the first open). `picture` may return anything (a fault)."""

    def __init__(self, picture: Callable[[float], object], until_s: float, live: bool = False,
                 description: str = "scripted camera") -> None:
        self.picture, self.until_s, self.live, self.description = picture, until_s, live, description
        self.fps_ = 10.0
        self.opens = self.closes = self.reads = 0
        self._t0: float | None = None
        self._next = 0

    def open(self) -> None:
        self.opens += 1
        if self._t0 is None:
            self._t0 = time.monotonic()

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        if self.live:
            wait = not_before_s - (time.monotonic() - self._t0)
            if wait > 0:
                time.sleep(wait)
            t = round(time.monotonic() - self._t0, 3)
        else:
            self._next = max(self._next, int(np.ceil(not_before_s * self.fps_ - 1e-6)))
            t = self._next / self.fps_
            self._next += 1
        if t >= self.until_s:
            return None
        self.reads += 1
        return Frame(t, self.picture(t))  # type: ignore[arg-type]

    def close(self) -> None:
        self.closes += 1

    @property
    def fps(self) -> float | None:
        return self.fps_


def looped(pictures: Sequence[np.ndarray], fps: float = 10.0) -> Callable[[float], np.ndarray]:
    return lambda t: pictures[int(t * fps) % len(pictures)]


class Rig:
    """The real parts around one source; `events(summary)` gives (s from start, kind, duration, detail)."""

    def __init__(self, source: FrameSource, tmp_path: Path, profile: Path, model_path: Path, *, replay: bool = True,
                 speed: float = 20.0, config: MonitorConfig = MonitorConfig(),
                 sampling: SamplingConfig = SamplingConfig(), wall: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic, store: Store | None = None) -> None:
        self.db = tmp_path / "posture.sqlite3"
        self.store = store if store is not None else Store.open(self.db)
        self.estimator = PoseEstimator(model_path, num_poses=mode_for(load_profile(profile))).open()
        self.statuses: list[dict] = []
        self.monitor = Monitor(source=source, estimator=self.estimator, judge=Judge(load_profile(profile)),
                               measure=measure, engine_config=EngineConfig(), sampling=sampling, config=config,
                               store=self.store, replay=replay, speed=speed, waker=Waker(), wall=wall, clock=clock,
                               on_event=lambda event, text: self.statuses.append(self.monitor.status()))

    def run(self):
        try:
            return self.monitor.run()
        finally:
            self.estimator.close()
            self.store.close()

    @staticmethod
    def events(summary) -> list[tuple]:
        return [(e.t_s - summary.started_at, e.kind, e.duration_s, e.detail) for e in summary.events]

    def sample_times(self, summary) -> list[float]:
        with Store.open(self.db, readonly=True) as st:
            return [s.t - summary.started_at for s in st.samples_between(0, 1e12)]
