"""A profile from the other view (side against frontal) is refused within the first seconds of `run`,
with what to do, instead of judging every sample "unknown" for ever."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import cv2

import kinematics as k
from conftest import ROOT, assert_one_sentence_error, run_cli, sample
from posture_watch.calibration.calibrate import build_profile
from posture_watch.core.geometry import measure
from posture_watch.monitor.loop_types import MonitorConfig
from posture_watch.io.profile_files import load_profile, save_profile
from posture_watch.monitor.view_watch import ViewWatch


def _side_profile(path: Path, clip: Path) -> Path:
    cap = cv2.VideoCapture(str(clip))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    ms = [measure(k.simulate(k.UPRIGHT, k.SIDE, t_s=i / 5, noise_px=1.0)) for i in range(20)]
    profile = replace(build_profile(ms, camera="0"), resolution=size)
    assert profile.view == "side"
    save_profile(profile, path)
    return path


def test_a_side_profile_on_a_frontal_camera_is_refused_in_the_first_seconds(tmp_path: Path) -> None:
    clip = sample("grace_desk.mp4")  # 63 s, seen from the front
    profile = _side_profile(tmp_path / "side.json", clip)
    out = tmp_path / "run.jsonl"
    line = assert_one_sentence_error(run_cli("run", "--source", str(clip), "--speed", "1000", "--profile",
                                             str(profile), "--no-notify", "--jsonl", str(out)))
    assert "side view" in line and "from the front" in line and "calibrate again" in line
    seen = [json.loads(x) for x in out.read_text().splitlines()]
    assert seen and seen[-1]["t"] < 15.0  # said within the first seconds, not at the end of the clip


def test_the_matching_view_runs_to_the_end() -> None:
    proc = run_cli("run", "--source", str(sample("calibration.mp4")), "--speed", "1000", "--profile",
                   str(ROOT / "calibration" / "sample_profile.json"), "--no-notify")
    assert proc.returncode == 0, proc.stderr


def test_view_watch_decides_once_on_a_clear_majority() -> None:
    frontal = load_profile(ROOT / "calibration" / "sample_profile.json")
    assert frontal.view == "frontal"
    n = MonitorConfig().view_check_samples
    watch = ViewWatch(frontal, "desk", n, MonitorConfig().view_check_share)
    assert [watch.update(v) for v in ["three_quarter", "side"] * (n // 2)] == [None] * n  # no clear view yet
    verdicts = [watch.update("side") for _ in range(n)]
    assert sum(v is not None for v in verdicts) == 1 and "profile 'desk'" in next(v for v in verdicts if v)
    assert watch.update("side") is None  # said once
    same = ViewWatch(frontal, "desk", n, MonitorConfig().view_check_share)
    assert all(same.update(v) is None for v in [None, "frontal", "three_quarter"] * n)
