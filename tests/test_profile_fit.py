"""Drift detector (pure) and `calibrate --check` (over a real SQLite store)."""

from __future__ import annotations

import time

import numpy as np

from conftest import assert_one_sentence_error, run_cli
from posture_watch.core.domain import AWAY, GOOD, POOR, Reading
from posture_watch.core.profile_fit import DriftState, FitSample, assess_fit, drift_step


def readings(seconds: float, size: float = 0.0, height: float = 0.0, head: float = 0.0, jitter: float = 1.0,
             state: str = GOOD, t0: float = 0.0, hz: float = 1.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(int(seconds * hz)):
        dev = {"shoulder_scale_pct": size + rng.normal(0, jitter), "face_scale_pct": size + rng.normal(0, jitter),
               "shoulder_drop_pct": height + rng.normal(0, jitter), "head_drop_pct": head + rng.normal(0, jitter)}
        out.append(Reading(t_s=t0 + i / hz, state=state, score=80.0, deviations=dev))
    return out


def run(stream, state: DriftState = DriftState()):
    notices = []
    for r in stream:
        state, notice = drift_step(state, r)
        if notice is not None:
            notices.append(notice)
    return state, notices


def test_sitting_as_calibrated_never_suggests_recalibrating():
    _, notices = run(readings(900))
    assert notices == []


def test_a_camera_moved_while_the_person_is_still_is_noticed_once():
    stream = readings(300) + readings(900, size=22.0, height=-25.0, t0=300, seed=1)
    _, notices = run(stream)
    assert len(notices) == 1
    n = notices[0]
    assert 300 + 100 <= n.t_s <= 300 + 200                 # after the shift has held about 2 minutes
    assert "larger" in n.message and "higher" in n.message and "calibrate again" in n.message


def test_a_slouch_is_not_a_moved_camera():
    # leaning in changes the size too, but the head drops against the shoulders: posture, not the camera
    _, notices = run(readings(300) + readings(600, size=20.0, height=15.0, head=14.0, state=POOR, t0=300))
    assert notices == []


def test_moving_about_is_not_a_moved_camera():
    _, notices = run(readings(600, size=16.0, jitter=12.0))
    assert notices == []


def test_short_shifts_and_away_time_do_not_count():
    stream = readings(60, size=25.0) + [Reading(t_s=60 + i, state=AWAY, score=None) for i in range(300)] + \
        readings(60, size=25.0, t0=360)
    _, notices = run(stream)
    assert notices == []


def fit_samples(n: int, state: str = GOOD, **kw) -> list[FitSample]:
    return [FitSample(r.t_s, state, r.deviations) for r in readings(n, state=state, **kw)]


def test_assess_fit_verdicts():
    assert assess_fit(fit_samples(300), "desk", 10).verdict == "fits"
    assert assess_fit(fit_samples(300, size=25.0), "desk", 10).verdict == "moved"
    assert assess_fit(fit_samples(300, head=15.0, state=POOR), "desk", 10).verdict == "mostly_poor"
    little = assess_fit(fit_samples(5), "desk", 10)
    assert little.verdict == "too_little" and "too little" in little.lines[-1]
    mixed = assess_fit(fit_samples(150) + fit_samples(150, head=15.0, state=POOR), "desk", 10)
    assert mixed.verdict == "fits" and "were your posture" in mixed.lines[-1]
    fits = assess_fit(fit_samples(300), "desk", 10)
    assert fits.lines[0].startswith("Profile 'desk' against the last 10 minutes: 300 samples")
    assert fits.good_frac == 1.0


def test_check_without_a_database_or_session_is_one_sentence():
    line = assert_one_sentence_error(run_cli("calibrate", "--check"), 2)
    assert "posture-watch run" in line and "demo" not in line   # the demo keeps its data elsewhere
    from posture_watch.io.store import Store
    with Store.open() as st:
        pass
    line = assert_one_sentence_error(run_cli("calibrate", "--check"), 2)
    assert "no running or recent monitoring session" in line


def test_check_reads_the_latest_session_from_the_store():
    from posture_watch.io.store import Store
    now = time.time()
    with Store.open() as st:
        old = st.start_session(now - 7200, "camera 0", "old", None)
        st.add_sample(old, Reading(t_s=0, state=POOR, score=10.0), now - 7100)
        st.end_session(old, now - 7000)
        sid = st.start_session(now - 700, "camera 0", "desk", None)
        for r in readings(600, size=24.0, height=-22.0, state=POOR, seed=3):
            st.add_sample(sid, r, now - 650 + r.t_s)
        st.flush()
    proc = run_cli("calibrate", "--check")
    assert proc.returncode == 0, proc.stderr
    assert "Profile 'desk' against the last 10 minutes" in proc.stdout
    assert "camera or your seat seems to have moved" in proc.stdout
