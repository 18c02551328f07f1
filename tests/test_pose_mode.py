"""The pose mode follows the profile: `run` and `analyze` judge a profile in the MediaPipe mode its
baseline was measured in (tracking for new profiles, num_poses=2 for files made before the mode was
recorded), so an old profile keeps working as it did."""

from __future__ import annotations

import json

import pytest

from conftest import CALIBRATION_UPRIGHT_S, ROOT, run_cli, sample
from fault_rig import Scripted, clip_pictures, looped
from posture_watch.io.config import load_config
from posture_watch.monitor.runner import RunOptions, run_monitor


@pytest.fixture(scope="module")
def pictures():
    return clip_pictures("calibration.mp4", 0.0, 3.0)


@pytest.fixture(scope="module")
def profiles(tmp_path_factory, model_path):
    """The sample profile (tracking mode), and an old one: calibrated on the same clip with num_poses=2, as
    before the mode was recorded, and written without the field."""
    from posture_watch.calibration.scripted import calibrate_from_source
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.io.profile_files import save_profile
    from posture_watch.io.sources import open_source

    folder = tmp_path_factory.mktemp("profiles")
    with open_source(str(sample("calibration.mp4"))) as source, PoseEstimator(model_path, num_poses=2) as est:
        old = save_profile(calibrate_from_source(source, est, seconds=float(CALIBRATION_UPRIGHT_S)), folder / "old.json")
    data = json.loads(old.read_text())
    assert data.pop("num_poses") == 2
    old.write_text(json.dumps(data))
    return {1: ROOT / "calibration" / "sample_profile.json", 2: old}


@pytest.mark.parametrize("mode", [1, 2])
def test_run_uses_the_mode_the_profile_was_measured_in(profiles, pictures, mode):
    seen = []
    opts = RunOptions(profile=str(profiles[mode]), no_notify=True, quiet_fallback=True, speed=1e6, exclusive=False)
    summary = run_monitor(opts, load_config(), source=Scripted(looped(pictures), until_s=20.0),
                          on_start=lambda monitor: seen.append(monitor.estimator.num_poses))
    assert seen == [mode]
    assert summary.samples > 0 and summary.model_calls > 0


def test_an_old_profile_still_judges_the_sample_clip(profiles, tmp_path):
    """desk_session's first upright stretch, analysed against the old (num_poses=2) sample profile: judged
    good, as before the mode was recorded."""
    from posture_watch.core.labels import label_at, load_labels

    labels = load_labels(sample("desk_session.labels.json"))
    out = tmp_path / "out.jsonl"
    proc = run_cli("analyze", str(sample("desk_session.mp4")), "--profile", str(profiles[2]), "--jsonl", str(out),
                   "--seconds", str(labels.segments[0].end_s), "--quiet")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    upright = [r["state"] for r in rows if (seg := label_at(labels, r["t"])) is not None and seg.scored]
    assert upright and set(upright) == {"good"}
