"""The change gate in the real monitor (real MediaPipe, real SQLite): a picture that has not changed
reuses the last reading without the pose model, which still runs at least every unchanged_max_s;
a picture that changes is judged at once."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import sample
from fault_rig import Rig, Scripted, clip_pictures, sample_profile  # noqa: F401
from posture_watch.io.config import SamplingConfig
from posture_watch.core.domain import EV_AWAY


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return sample_profile(tmp_path_factory)


@pytest.fixture(scope="module")
def still():
    """One upright picture of the calibration clip and one of the empty room."""
    return clip_pictures("calibration.mp4", 5.0, 0.1)[0], clip_pictures("empty_room.mp4", 1.0, 0.1)[0]


def noisy(picture: np.ndarray, t_s: float) -> np.ndarray:
    """The picture with fresh sensor noise (sigma 3 grey levels): never the same bytes twice, so it is
    a person sitting still, not a frozen camera."""
    rng = np.random.default_rng(int(t_s * 1000))
    return np.clip(picture + rng.normal(0.0, 3.0, picture.shape), 0, 255).astype(np.uint8)


class Recording:
    """The real estimator, noting the source time of every picture the model is run on."""

    def __init__(self, estimator) -> None:
        self.estimator, self.times = estimator, []

    def detect(self, frame, small=None):
        self.times.append(frame.t_s)
        return self.estimator.detect(frame, small)


def run(tmp_path, profile, model_path, picture, until_s, sampling=SamplingConfig()):
    rig = Rig(Scripted(picture, until_s), tmp_path, profile, model_path, speed=1000.0, sampling=sampling)
    recording = Recording(rig.estimator)
    rig.monitor.estimator = recording
    summary = rig.run()
    return rig, summary, recording.times


@pytest.mark.parametrize("max_s", [SamplingConfig().unchanged_max_s, 5.0])
def test_an_unchanged_picture_skips_the_model_but_never_past_the_maximum_interval(tmp_path, profile, model_path,
                                                                                    still, max_s):
    upright, _ = still
    sampling = replace(SamplingConfig(), unchanged_max_s=max_s)
    rig, summary, times = run(tmp_path, profile, model_path, lambda t: noisy(upright, t), 150.0, sampling)
    stored = rig.sample_times(summary)
    assert summary.samples == len(stored) and summary.model_calls == len(times)
    times = np.array(times)
    gaps = np.diff(times)
    assert gaps.max() <= max_s + 1e-6                      # the model never waited longer than allowed
    settled = gaps[times[1:] > 2 * sampling.fast_after_change_s]   # after the fast start (no gate while fast)
    assert len(settled) and np.allclose(settled, max_s, atol=0.11)   # ... and only ran when it had to
    assert summary.samples - len(times) >= len(settled)    # and samples between two runs reused its answer
    late = [t for t in stored if t > 90.0]
    assert np.diff(late).max() <= 1 / sampling.settled_hz + 0.2   # samples still cover the time


def test_a_changed_picture_is_judged_at_once(tmp_path, profile, model_path, still):
    upright, empty = still
    leaves_s = 80.0
    rig, summary, times = run(tmp_path, profile, model_path,
                              lambda t: noisy(upright if t < leaves_s else empty, t), 130.0)
    first_after = min(t for t in rig.sample_times(summary) if t >= leaves_s)
    assert min(abs(t - first_after) for t in times) < 1e-3   # the first sample of the empty room ran the model
    aways = [e for e in Rig.events(summary) if e[1] == EV_AWAY]
    assert aways and aways[0][0] >= leaves_s


def test_a_reused_answer_is_measured_the_same_without_measuring_again(tmp_path, profile, model_path, still):
    """A sample the gate holds is judged on the model's last answer, re-timed; its measure is that answer's,
    re-timed, too (geometry is pure), so the geometry runs once per model call, not once per sample."""
    from posture_watch.core.geometry import measure

    upright, _ = still
    rig = Rig(Scripted(lambda t: noisy(upright, t), 90.0), tmp_path, profile, model_path, speed=1000.0)
    recording = Recording(rig.estimator)
    rig.monitor.estimator = recording
    measured, judged = [], []

    def counting(detection):
        measured.append(detection)
        return measure(detection)

    judge_update = rig.monitor.judge.update

    def noting(metrics):
        judged.append(metrics)
        return judge_update(metrics)

    rig.monitor.measure, rig.monitor.judge.update = counting, noting
    summary = rig.run()
    assert summary.samples == len(judged) > summary.model_calls == len(measured) == len(recording.times)
    answers = {d.t_s: d for d in measured}
    last = None
    for metrics in judged:   # each judged on what measuring the model's last answer, re-timed, gives afresh
        last = answers.get(metrics.t_s, last)
        assert last is not None
        assert metrics.to_json() == measure(replace(last, t_s=metrics.t_s)).to_json(), metrics.t_s
