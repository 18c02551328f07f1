"""Failure modes of the monitor loop, in-process, with real MediaPipe and SQLite. Each camera problem
is played by a small FrameSource wrapper around the sample clip (the same interface a webcam has):
a camera that stops for 10 s, a privacy shutter, a clock that jumps (suspend/resume), and a live
camera that must be released while paused or snoozed."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from conftest import CALIBRATION_UPRIGHT_S, run_cli, sample
from posture_watch.io.config import SamplingConfig
from posture_watch.io.control import CommandQueue
from posture_watch.core.domain import Frame
from posture_watch.core.engine import EngineConfig
from posture_watch.core.errors import SourceError, SourceLost
from posture_watch.core.geometry import measure
from posture_watch.core.judge import Judge
from posture_watch.core.messages import status_text
from posture_watch.monitor.loop import Monitor, MonitorConfig, Waker
from posture_watch.io.pose import PoseEstimator, mode_for
from posture_watch.io.profile_files import load_profile
from posture_watch.io.sources import FrameSource, MemorySource, PacedSource, VideoFileSource
from posture_watch.io.store import Store


@pytest.fixture(scope="module")
def profile_path(tmp_path_factory) -> Path:
    from conftest import ROOT

    committed = ROOT / "calibration" / "sample_profile.json"
    if committed.exists():
        return committed
    path = tmp_path_factory.mktemp("profile") / "sample_profile.json"
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--profile", str(path),
                   "--non-interactive", "--seconds", CALIBRATION_UPRIGHT_S)
    assert proc.returncode == 0, proc.stderr
    return path


class Rig:
    """The real parts around one source; `events` collects (seconds from start, kind, duration, detail)."""

    def __init__(self, source: FrameSource, tmp_path: Path, profile: Path, model_path: Path, *, replay: bool = True,
                 speed: float = 20.0, waker: Waker | None = None, wall: Callable[[], float] = time.time,
                 commands: CommandQueue | None = None) -> None:
        self.store = Store.open(tmp_path / "posture.sqlite3")
        self.estimator = PoseEstimator(model_path, num_poses=mode_for(load_profile(profile))).open()
        self.statuses: list[dict] = []
        self.monitor = Monitor(source=source, estimator=self.estimator, judge=Judge(load_profile(profile)),
                               measure=measure, engine_config=EngineConfig(), sampling=SamplingConfig(),
                               config=MonitorConfig(), store=self.store, replay=replay, speed=speed,
                               waker=waker, wall=wall, commands=commands, on_event=self._on_event)

    def _on_event(self, event, text) -> None:
        self.statuses.append(self.monitor.status())

    def run(self):
        try:
            return self.monitor.run()
        finally:
            self.estimator.close()
            self.store.close()

    def events(self, summary) -> list[tuple]:
        return [(e.t_s - summary.started_at, e.kind, e.duration_s, e.detail) for e in summary.events]

    def sample_times(self, summary, path: Path) -> list[float]:
        with Store.open(path / "posture.sqlite3", readonly=True) as st:
            return [s.t - summary.started_at for s in st.samples_between(0, 1e12)]


class FlakyCamera(FrameSource):
    """The desk clip as a live camera that stops at `fail_at_s` and cannot be opened again for
    `fail_for_s` seconds of session time (wall time x speed); its clock runs on meanwhile."""

    live = True
    description = "flaky camera"

    def __init__(self, path: Path, speed: float, fail_at_s: float, fail_for_s: float, until_s: float,
                 sleep: Callable[[float], None]) -> None:
        self.inner = PacedSource(VideoFileSource(path), speed, sleep=sleep)
        self.speed, self.fail_at_s, self.fail_for_s, self.until_s = speed, fail_at_s, fail_for_s, until_s
        self.failed_at: float | None = None
        self.opens = self.failed_opens = 0
        self.is_open = self.inner_open = False

    def open(self) -> None:
        self.opens += 1
        if self.failed_at is not None and (time.monotonic() - self.failed_at) * self.speed < self.fail_for_s:
            self.failed_opens += 1
            raise SourceError("No camera could be opened at flaky; check that it is plugged in.")
        if not self.inner_open:
            self.inner.open()
            self.inner_open = True
        self.is_open = True

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        if not self.is_open:
            raise SourceLost("The flaky camera is not open.")
        frame = self.inner.read(not_before_s)
        if frame is None or frame.t_s > self.until_s:
            return None
        if self.failed_at is None and frame.t_s >= self.fail_at_s:
            self.failed_at = time.monotonic()
            self.is_open = False
            raise SourceLost("The flaky camera stopped delivering frames.")
        return frame

    def close(self) -> None:
        self.is_open = False

    def release(self) -> None:
        self.inner.close()


def test_camera_that_fails_for_10_s_is_survived_and_the_gap_logged(tmp_path, profile_path, model_path, caplog):
    waker = Waker()
    camera = FlakyCamera(sample("desk_session.mp4"), speed=20.0, fail_at_s=15.0, fail_for_s=10.0, until_s=40.0,
                         sleep=waker.sleep)
    rig = Rig(camera, tmp_path, profile_path, model_path, waker=waker, speed=20.0)
    with caplog.at_level(logging.WARNING, logger="posture_watch.monitor.loop"):
        summary = rig.run()
    camera.release()
    assert summary.reason == "end of source"
    events = rig.events(summary)
    lost = [e for e in events if e[1] == "camera_lost"]
    back = [e for e in events if e[1] == "camera_back"]
    assert len(lost) == 1 and len(back) == 1, events
    assert lost[0][0] == pytest.approx(15.0, abs=1.0)
    assert "stopped delivering frames" in lost[0][3]
    gap = back[0][2]
    assert 10.0 <= gap <= 20.0, gap  # 10 s down, then the next backoff step
    assert back[0][0] == pytest.approx(lost[0][0] + gap, abs=0.5)
    assert any("camera lost" in r.getMessage() for r in caplog.records)
    assert camera.failed_opens >= 2  # it kept trying, with backoff, and got through
    # the gap holds no samples and is not counted as sitting
    times = rig.sample_times(summary, tmp_path)
    assert not [t for t in times if lost[0][0] < t < back[0][0]]
    assert times[-1] > back[0][0] + 5
    observed = times[-1] - gap
    assert rig.monitor.state.presence.sitting_s <= observed + 1.0
    # and the status said so while it lasted
    during = [s for s in rig.statuses if s["condition"] == "camera lost"]
    assert during and status_text(during[0]).startswith("Camera lost since ")


class PrivacyShutter(FrameSource):
    """The desk clip with the lens covered (black frames) between `from_s` and `to_s`."""

    def __init__(self, path: Path, speed: float, from_s: float, to_s: float, until_s: float) -> None:
        self.inner = PacedSource(VideoFileSource(path), speed)
        self.from_s, self.to_s, self.until_s = from_s, to_s, until_s
        self.black_frames = 0
        self.description = "shuttered camera"

    def open(self) -> None:
        self.inner.open()

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        frame = self.inner.read(not_before_s)
        if frame is None or frame.t_s > self.until_s:
            return None
        if self.from_s <= frame.t_s < self.to_s:
            self.black_frames += 1
            return Frame(frame.t_s, np.zeros_like(frame.image))
        return frame

    def close(self) -> None:
        self.inner.close()


def test_black_frames_mean_camera_covered_not_away(tmp_path, profile_path, model_path):
    shutter = PrivacyShutter(sample("desk_session.mp4"), speed=50.0, from_s=5.0, to_s=25.0, until_s=35.0)
    rig = Rig(shutter, tmp_path, profile_path, model_path, speed=50.0)
    summary = rig.run()
    events = rig.events(summary)
    kinds = [e[1] for e in events]
    assert "away" not in kinds and "break" not in kinds, events
    (covered,) = [e for e in events if e[1] == "camera_covered"]
    (back,) = [e for e in events if e[1] == "camera_back"]
    assert covered[0] == pytest.approx(5.0, abs=0.5)
    assert back[3] == "uncovered" and back[0] == pytest.approx(25.0, abs=SamplingConfig().away_poll_s + 0.5)
    # polled slowly while covered, and nothing stored for that time
    assert shutter.black_frames <= 20.0 / SamplingConfig().away_poll_s + 2
    assert not [t for t in rig.sample_times(summary, tmp_path) if covered[0] <= t < back[0]]
    during = [s for s in rig.statuses if s["condition"] == "camera covered"]
    assert during and status_text(during[0]).startswith("Camera covered since ")
    assert {s["sampling"] for s in during} == {"poll"}  # the status says how it samples now


class CountingMemory(MemorySource):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.opens = 0

    def open(self) -> None:
        self.opens += 1
        super().open()


def _upright_frames(n: int) -> list[np.ndarray]:
    src = VideoFileSource(sample("desk_session.mp4"))
    src.open()
    try:
        return [src.read(2.0 + i).image for i in range(n)]
    finally:
        src.close()


def test_clock_jump_reopens_the_camera_and_is_not_counted(tmp_path, profile_path, model_path, caplog):
    """A live camera (wall-clock times) whose wall clock jumps an hour (suspend/resume)."""
    camera = CountingMemory(_upright_frames(10) * 3, fps=4.0)  # 7.5 s per pass, replayed again after reopening
    offset = [0.0]
    reads = [0]
    base = time.time()

    def wall() -> float:
        return base + time.monotonic() + offset[0]

    original_read = camera.read

    def read(not_before_s: float = 0.0):
        reads[0] += 1
        if reads[0] == 15:
            offset[0] += 3600.0  # the machine slept for an hour
        return original_read(not_before_s)

    camera.read = read  # type: ignore[method-assign]
    rig = Rig(camera, tmp_path, profile_path, model_path, replay=False, speed=1.0, wall=wall)
    with caplog.at_level(logging.WARNING, logger="posture_watch.monitor.loop"):
        summary = rig.run()
    assert any("clock jumped by +3600 s" in r.getMessage() for r in caplog.records), caplog.text
    assert camera.opens == 2  # reopened after the jump
    times = rig.sample_times(summary, tmp_path)
    assert max(times) - min(times) > 3600  # stored on the wall clock
    assert rig.monitor.state.presence.sitting_s < 60  # the hour was not sitting
    kinds = [e[1] for e in rig.events(summary)]
    assert "break" not in kinds and "away" not in kinds


class LiveClip(FrameSource):
    """The desk clip as a live camera: records when it is opened and closed."""

    live = True
    description = "live clip"

    def __init__(self, speed: float, sleep: Callable[[float], None]) -> None:
        self.inner = PacedSource(VideoFileSource(sample("desk_session.mp4")), speed, sleep=sleep)
        self.opens = self.closes = 0
        self.is_open = self.inner_open = False

    def open(self) -> None:
        self.opens += 1
        if not self.inner_open:
            self.inner.open()
            self.inner_open = True
        self.is_open = True

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        assert self.is_open, "read from a released camera"
        return self.inner.read(not_before_s)

    def close(self) -> None:
        self.closes += 1
        self.is_open = False


def _until(predicate, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_pause_and_snooze_release_the_camera(tmp_path, profile_path, model_path):
    waker = Waker()
    commands = CommandQueue(wake=waker.wake)
    camera = LiveClip(speed=5.0, sleep=waker.sleep)
    rig = Rig(camera, tmp_path, profile_path, model_path, speed=5.0, waker=waker, commands=commands)
    thread = threading.Thread(target=rig.run)
    thread.start()
    try:
        _until(lambda: rig.monitor.summary.samples >= 5)
        reply = commands.submit({"cmd": "pause", "minutes": None})
        assert reply["ok"] and reply["text"] == "Paused until you resume; the camera is off."
        _until(lambda: not camera.is_open)
        n = rig.monitor.summary.samples
        status = commands.submit({"cmd": "status", "minutes": None})
        assert status["status"]["condition"] == "paused" and not status["status"]["camera_open"]
        assert status["text"].startswith("Paused until you resume (`posture-watch resume`); the camera is off.")
        time.sleep(0.3)
        assert rig.monitor.summary.samples == n  # nothing analysed while paused
        assert commands.submit({"cmd": "resume", "minutes": None})["text"] == "Resumed."
        _until(lambda: camera.is_open and rig.monitor.summary.samples > n + 2)
        assert camera.opens == 2
        reply = commands.submit({"cmd": "snooze", "minutes": 30})
        assert reply["text"] == "Snoozed for 30 min: no warnings until then; the camera is off."
        _until(lambda: not camera.is_open)
        assert commands.submit({"cmd": "status", "minutes": None})["status"]["condition"] == "snoozed"
        assert commands.submit({"cmd": "resume", "minutes": None})["text"] == "Resumed."
        _until(lambda: camera.is_open and camera.opens == 3)
    finally:
        rig.monitor.stop()
        thread.join(30)
        camera.inner.close()
    assert not thread.is_alive()
    kinds = [e.kind for e in rig.monitor.summary.events]
    assert [k for k in kinds if k in ("paused", "resumed", "snoozed")] == ["paused", "resumed", "snoozed", "resumed"]
    times = [e.t_s for e in rig.monitor.summary.events]
    assert times == sorted(times), [(e.kind, round(e.t_s - times[0], 3), e.detail) for e in rig.monitor.summary.events]
    assert kinds[-1] == "session_end"


def test_preview_drawing_is_on_a_copy(model_path):
    """--preview draws landmarks, state and deviation on a copy; the frame itself is never changed."""
    from posture_watch.core.domain import Reading
    from posture_watch.io.preview import PreviewConfig, draw

    frame = Frame(0.0, _upright_frames(1)[0])
    before = frame.image.copy()
    with PoseEstimator(model_path) as estimator:
        detection = estimator.detect(frame)
    assert detection.poses
    reading = Reading(t_s=0.0, state="poor", score=40.0, faults=("forward_lean",), deviations={"head_drop_pct": 20.0})
    out = draw(frame.image, detection, reading)
    h, w = frame.image.shape[:2]
    assert out.shape[1] == max(w, PreviewConfig().min_width_px) and out.shape[0] * w == pytest.approx(out.shape[1] * h, abs=w)
    assert np.array_equal(frame.image, before)
    import cv2

    changed = np.any(out != cv2.resize(frame.image, (out.shape[1], out.shape[0]), interpolation=cv2.INTER_LINEAR), axis=2)
    assert changed.mean() > 0.002  # lines, dots and text were drawn
    red = (out[..., 2] > 200) & (out[..., 0] < 80) & (out[..., 1] < 80)
    assert red.sum() > 50  # poor is drawn in red
