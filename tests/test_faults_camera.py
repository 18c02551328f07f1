"""Camera faults through the real monitor loop (real MediaPipe, real SQLite): unusable pictures
(empty, tiny, wrong type or channels), pictures that change format or size, a frozen stream (the very
same picture forever), a camera that never comes back, and a corrupt video file. (A camera lost for
10 s and back, a privacy shutter and a clock jump are in test_monitor_failures.py.)"""

from __future__ import annotations

import logging
import threading
import time

import cv2
import numpy as np
import pytest

from conftest import assert_one_sentence_error, run_cli, sample
from fault_rig import Rig, Scripted, clip_pictures, looped, sample_profile
from posture_watch.io.config import SamplingConfig
from posture_watch.core.errors import SourceError, SourceLost
from posture_watch.monitor.loop import MonitorConfig
from posture_watch.io.pose import BadFrame, as_bgr


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return sample_profile(tmp_path_factory)


@pytest.fixture(scope="module")
def upright() -> list[np.ndarray]:
    return clip_pictures("calibration.mp4", 0.0, 6.0)


BAD_PICTURES = {
    "no picture": None,
    "empty": np.zeros((0, 0, 3), np.uint8),
    "1x1": np.zeros((1, 1, 3), np.uint8),
    "float": np.full((480, 640, 3), 0.5, np.float32),
    "16-bit": np.full((480, 640, 3), 1000, np.uint16),
    "5 channels": np.zeros((480, 640, 5), np.uint8),
    "flat": np.zeros((480 * 640 * 3,), np.uint8),
}


@pytest.mark.parametrize("name", sorted(BAD_PICTURES))
def test_unusable_picture_is_a_bad_frame_with_a_reason(name):
    with pytest.raises(BadFrame) as info:
        as_bgr(BAD_PICTURES[name])
    assert str(info.value).startswith("the ")


def test_unusable_pictures_in_a_replay_are_skipped(tmp_path, profile, model_path, upright, caplog):
    """Every 4th picture read is unusable (each kind in turn): skipped, warned once, the rest judged."""
    kinds = list(BAD_PICTURES.values())
    bad_times: list[float] = []
    handed = [0]

    def picture(t: float):
        handed[0] += 1
        if handed[0] % 4 == 0:
            bad_times.append(t)
            return kinds[len(bad_times) % len(kinds)]
        return upright[int(round(t * 10)) % len(upright)]

    source = Scripted(picture, until_s=30.0)
    rig = Rig(source, tmp_path, profile, model_path)
    with caplog.at_level(logging.WARNING, logger="posture_watch.monitor.loop"):
        summary = rig.run()
    assert summary.reason == "end of source"
    assert summary.bad_frames == len(bad_times) > 5
    assert summary.samples == source.reads - len(bad_times)
    assert len(rig.sample_times(summary)) == summary.samples
    skipped = [r for r in caplog.records if "unusable camera picture" in r.getMessage()]
    assert len(skipped) == 1  # said once, not for every picture
    assert "camera_lost" not in [e[1] for e in rig.events(summary)]  # a replay is not a camera


def test_a_live_camera_sending_only_unusable_pictures_is_reopened(tmp_path, profile, model_path, upright):
    """Three unusable pictures in a row from a live camera: camera lost, reopened, back."""
    def picture(t: float):  # 3 s of them: 6 samples at the start's 2 Hz, 3 in a row even on a loaded machine
        return BAD_PICTURES["empty"] if 1.0 <= t < 4.0 else upright[int(t * 10) % len(upright)]

    source = Scripted(picture, until_s=7.0, live=True)
    rig = Rig(source, tmp_path, profile, model_path, replay=False, speed=1.0,
              config=MonitorConfig(reconnect_first_s=0.2))
    summary = rig.run()
    events = rig.events(summary)
    lost = [e for e in events if e[1] == "camera_lost"]
    back = [e for e in events if e[1] == "camera_back"]
    assert len(lost) >= 1 and "unusable pictures" in lost[0][3], events
    assert back and back[-1][0] > lost[0][0]
    assert source.opens >= 2 and summary.bad_frames >= MonitorConfig().bad_frames_lost
    assert summary.reason == "end of source"


def test_grey_bgra_and_resized_pictures_are_judged(tmp_path, profile, model_path, upright):
    """A camera switching format or resolution mid-run is not a fault: every picture is judged."""
    def picture(t: float):
        image = upright[int(t * 10) % len(upright)]
        phase = int(t // 3) % 4
        if phase == 1:
            return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        if phase == 2:
            return cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
        if phase == 3:
            return cv2.resize(image, (1280, 960))
        return image

    source = Scripted(picture, until_s=24.0)
    rig = Rig(source, tmp_path, profile, model_path)
    summary = rig.run()
    assert summary.bad_frames == 0
    assert summary.samples == source.reads
    with rig.store.open(rig.db, readonly=True) as st:
        states = {s.state for s in st.samples_between(0, 1e12)}
    assert "good" in states and "away" not in states


def test_frozen_stream_is_reported_and_not_counted(tmp_path, profile, model_path, upright):
    """The same picture from 20 s to 110 s of a replay: noticed after frozen_after_s, reported as a lost
    camera, nothing judged or stored until the picture moves again; the freeze is not sitting time."""
    frozen_from, frozen_to, end = 20.0, 110.0, 130.0
    still = upright[0]

    def picture(t: float):
        return still if frozen_from <= t < frozen_to else upright[int(t * 10) % len(upright)]

    rig = Rig(Scripted(picture, until_s=end), tmp_path, profile, model_path)
    summary = rig.run()
    events = rig.events(summary)
    (lost,) = [e for e in events if e[1] == "camera_lost"]
    (back,) = [e for e in events if e[1] == "camera_back"]
    after_s = MonitorConfig().frozen_after_s
    slow = 1.0 / SamplingConfig().slow_hz
    assert frozen_from + after_s <= lost[0] <= frozen_from + after_s + slow
    assert "has not changed" in lost[3] and "frozen camera" in lost[3]
    assert frozen_to <= back[0] <= frozen_to + SamplingConfig().away_poll_s + 0.1
    assert back[3] == "the picture moves again" and back[2] == pytest.approx(back[0] - lost[0])
    times = rig.sample_times(summary)
    assert not [t for t in times if lost[0] < t < back[0]]
    assert [t for t in times if t > back[0]]
    # what was counted: the time before the freeze was noticed, and after it moved again, not the freeze
    assert rig.monitor.state.presence.sitting_s <= end - (back[0] - lost[0]) + 1.0
    during = [s for s in rig.statuses if s["condition"] == "camera lost"]
    assert during and "has not changed" in during[0]["lost_reason"]
    assert {s["sampling"] for s in during} == {"poll"}  # polled slowly, and said so


def test_frozen_live_camera_is_reopened(tmp_path, profile, model_path, upright):
    def picture(t: float):
        return upright[0] if 1.0 <= t < 4.0 else upright[int(t * 10) % len(upright)]

    source = Scripted(picture, until_s=6.0, live=True)
    sampling = SamplingConfig(away_poll_s=0.5)
    rig = Rig(source, tmp_path, profile, model_path, replay=False, speed=1.0, sampling=sampling,
              config=MonitorConfig(frozen_after_s=1.0))
    summary = rig.run()
    kinds = [e[1] for e in rig.events(summary)]
    assert kinds.count("camera_lost") == 1 and kinds.count("camera_back") == 1, kinds
    assert source.opens == 2 and source.closes >= 1  # closed once to wake a hung driver, opened again


class GoneCamera(Scripted):
    """Delivers pictures for 1 s, then is gone for good: every open fails."""

    def __init__(self, upright):
        super().__init__(looped(upright), until_s=1e9, live=True, description="gone camera")
        self.failed_opens = 0

    def open(self) -> None:
        if self.reads >= 5:
            self.failed_opens += 1
            raise SourceError("No camera could be opened at gone; check that it is plugged in.")
        super().open()

    def read(self, not_before_s: float = 0.0):
        if self.reads >= 5:
            raise SourceLost("The gone camera stopped delivering frames.")
        return super().read(not_before_s)


def test_a_camera_that_never_comes_back_is_retried_until_stopped(tmp_path, profile, model_path, upright):
    source = GoneCamera(upright)
    config = MonitorConfig(reconnect_first_s=0.05, reconnect_max_s=0.2)
    rig = Rig(source, tmp_path, profile, model_path, replay=False, speed=1.0, config=config)
    thread = threading.Thread(target=rig.run)
    thread.start()
    deadline = time.monotonic() + 60
    while source.failed_opens < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    status = rig.monitor.status()
    rig.monitor.stop()
    thread.join(30)
    assert not thread.is_alive()
    assert source.failed_opens >= 10  # kept trying, with the backoff capped at reconnect_max_s
    assert status["condition"] == "camera lost" and "could be opened" in status["lost_reason"]
    summary = rig.monitor.summary
    kinds = [e.kind for e in summary.events]
    assert kinds.count("camera_lost") == 1 and kinds[-1] == "session_end"
    assert summary.reason == "stopped"


def _corrupt_copies(tmp_path):
    data = sample("grace_desk.mp4").read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 2])
    garbled = tmp_path / "garbled.mp4"
    rng = np.random.default_rng(3)
    middle = bytearray(data)
    start = len(data) // 3
    middle[start:start + 20000] = rng.integers(0, 256, 20000, dtype=np.uint8).tobytes()
    garbled.write_bytes(bytes(middle))
    header_only = tmp_path / "header.mp4"
    header_only.write_bytes(data[:4096])
    return truncated, garbled, header_only


def test_corrupt_video_files_never_give_a_traceback(tmp_path, profile):
    truncated, garbled, header_only = _corrupt_copies(tmp_path)
    for path in (truncated, garbled):
        proc = run_cli("analyze", str(path), "--profile", str(profile), "--jsonl", str(tmp_path / "out.jsonl"),
                       "--quiet")
        assert "Traceback" not in proc.stderr
        if proc.returncode == 0:
            assert (tmp_path / "out.jsonl").read_text().count("\n") > 0
        else:
            assert_one_sentence_error(proc)
    line = assert_one_sentence_error(run_cli("analyze", str(header_only), "--profile", str(profile)))
    assert "header.mp4" in line
    proc = run_cli("run", "--source", str(garbled), "--speed", "1000", "--profile", str(profile), "--no-notify")
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 2), proc.stderr
