"""One-sided habits in the report: from a real SQLite history with a known left/right mix, and from a
day replayed through the real monitor loop with the kinematic simulator leaning to the user's side.

The simulator (tests/kinematics.py) puts the person's own left shoulder (MediaPipe landmark 11) at the
body's +x; a camera facing them sees it on the picture's right. A mirrored picture puts it on the
picture's left under the same name: the report must name the same side either way, because it is the
user's side, not the picture's.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import kinematics as k
from fault_rig import Scripted
from posture_watch.calibration.calibrate import build_profile
from posture_watch.core import asymmetry
from posture_watch.core.day_report import ReportConfig
from posture_watch.core.domain import GOOD, POOR, Detection, Pose, Reading
from posture_watch.core.engine import EngineConfig
from posture_watch.core.geometry import measure
from posture_watch.core.judge import Judge
from posture_watch.core.sampling import SamplingConfig
from posture_watch.io.store import Store
from posture_watch.io.store_schema import MIGRATIONS, SCHEMA_VERSION
from posture_watch.monitor.loop import Monitor, MonitorConfig, Waker
from posture_watch.report.command import load_report
from posture_watch.report.export import HOURS_CSV_COLUMNS, report_dict
from posture_watch.report.html_page import render_html
from posture_watch.report.terminal import render_text

TZ = ZoneInfo("Europe/Berlin")
DAY = date(2025, 5, 14)


def at(day: date, hour: int, minute: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).timestamp()


def write_block(store: Store, t0: float, minutes: float, sides: dict[str, float | None], view: str = "frontal",
                step_s: float = 5.0, state: str = GOOD) -> None:
    sid = store.start_session(t0, "test", "desk", None)
    t, end = t0, t0 + minutes * 60
    while t < end:
        store.add_sample(sid, Reading(t_s=0, state=state, score=80.0, view=view), t, sides)
        t += step_s
    store.end_session(sid, end)


RIGHT_LOWER = {"shoulder_side_deg": -6.0, "head_side_deg": 0.5, "lean_side_pct": -8.0}
LEFT_LOWER = {"shoulder_side_deg": 4.0, "head_side_deg": 3.0, "lean_side_pct": 1.0}


def test_a_known_left_right_mix_in_real_sqlite_is_named_with_its_share_and_size(tmp_path):
    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as store:
        # the report's day: 78 % of the judged time the right shoulder lower by 6 degrees, 22 % the left by 4
        write_block(store, at(DAY, 9), 78, RIGHT_LOWER)
        write_block(store, at(DAY, 11), 22, LEFT_LOWER)
        # three weeks earlier: the same habit on another day; and a day seen only from the side
        write_block(store, at(DAY - timedelta(days=21), 9), 60, RIGHT_LOWER)
        write_block(store, at(DAY - timedelta(days=3), 9), 90, {}, view="side")
        # yesterday: too little time seen from the front
        write_block(store, at(DAY - timedelta(days=1), 9), 10, RIGHT_LOWER)
    r = load_report(DAY, 1, TZ, ReportConfig(), db_path=db)
    a = r.asymmetry
    assert a is not None
    assert (a.period.shoulder.side, a.period.shoulder.status) == ("right", "clear")
    assert a.period.shoulder.right_share == pytest.approx(0.78, abs=0.01)
    assert a.period.shoulder.typical == pytest.approx(6.0)
    assert a.period.lean.side == "right" and a.period.head.side == "none"   # 78 % within the head's dead band
    assert a.weeks.shoulder.side == "right" and len(a.daily) == 28
    by_day = {w.first_day: w for w in a.daily}
    assert by_day[DAY - timedelta(days=21)].shoulder.side == "right"
    assert by_day[DAY - timedelta(days=1)].shoulder.status == "not_enough_data"
    assert by_day[DAY - timedelta(days=3)].shoulder.status == "not_seen"

    assert "Your right shoulder sat lower 78 % of the judged time this day (typically 6°)." in r.asymmetry_words
    assert any("right" in tip and "armrest" in tip for tip in r.asymmetry_tips)
    assert not any("left elbow" in tip for tip in r.asymmetry_tips)
    text = render_text(r, width=200)
    assert "Left and right (yours)" in text and "right shoulder sat lower 78 %" in text

    data = json.loads(json.dumps(report_dict(r)))
    side = data["asymmetry"]["period"]["shoulder"]
    assert (side["side"], side["right_share"], side["typical"], side["unit"]) == ("right", 0.78, 6.0, "deg")
    assert data["asymmetry"]["days"][-2]["shoulder"]["status"] == "not_enough_data"

    from posture_watch.report.export import hours_csv
    rows = list(csv.DictReader(io.StringIO(hours_csv(r))))
    assert tuple(rows[0]) == HOURS_CSV_COLUMNS
    assert rows[9]["shoulder_lower_side"] == "right" and float(rows[9]["shoulder_right_lower_share"]) == 1.0
    assert rows[11]["shoulder_lower_side"] == "left"
    assert rows[14]["shoulder_lower_side"] == ""

    page = render_html(r)
    assert 'id="sides"' in page and "Left and right" in page and "right shoulder sat lower" in page


def test_a_day_seen_only_from_the_side_says_nothing_and_a_short_one_says_not_enough(tmp_path):
    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as store:
        write_block(store, at(DAY, 9), 120, {}, view="side")
    r = load_report(DAY, 1, TZ, ReportConfig(), db_path=db)
    assert r.asymmetry_words == () and r.asymmetry_tips == ()
    assert 'id="sides"' not in render_html(r) and "Left and right" not in render_text(r, width=200)
    assert report_dict(r)["asymmetry"]["period"]["shoulder"]["status"] == "not_seen"

    db2 = tmp_path / "short.sqlite3"
    with Store.open(db2) as store:
        write_block(store, at(DAY, 9), 20, RIGHT_LOWER)
    r = load_report(DAY, 1, TZ, ReportConfig(), db_path=db2)
    assert r.asymmetry.period.shoulder.status == "not_enough_data"
    assert r.asymmetry_words[0].startswith("Not enough data this day to tell left from right: 20 min")
    assert "30 min needed" in r.asymmetry_words[0]
    assert r.asymmetry_tips == ()


def test_an_old_database_is_migrated_and_keeps_its_samples(tmp_path):
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db)
    for statement in MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO sessions(id, started_at, ended_at, source) VALUES (1, ?, ?, 'camera 0')",
                 (at(DAY, 9), at(DAY, 10)))
    conn.executemany("INSERT INTO samples(session_id, t, state, score, faults, deviations, metrics) "
                     "VALUES (1, ?, 'good', 90, '', '{}', '{\"shoulder_tilt_deg\": 3.0}')",
                     [(at(DAY, 9) + 5 * i,) for i in range(720)])
    conn.commit()
    conn.close()
    with pytest.raises(Exception, match="older posture-watch"):
        Store.open(db, readonly=True)
    with Store.open(db) as store:   # a writer migrates
        rows = store.samples_between(0, 2e9)
    assert SCHEMA_VERSION == 2 and len(rows) == 720
    assert rows[0].metrics == {"shoulder_tilt_deg": 3.0} and rows[0].shoulder_side_deg is None
    r = load_report(DAY, 1, TZ, ReportConfig(), db_path=db)
    assert r.observed_s == pytest.approx(3600)
    assert r.asymmetry.period.shoulder.status == "not_seen" and r.asymmetry_words == ()   # no side was stored


# --- the simulator through the real monitor loop ------------------------------------------------------

def mirrored(d: Detection) -> Detection:
    """The picture flipped left to right, each landmark keeping its body part's name."""
    poses = []
    for p in d.poses:
        lm = np.array(p.landmarks, float)
        lm[:, 0] = 1.0 - lm[:, 0]
        world = None if p.world is None else np.array(p.world, float) * (-1.0, 1.0, 1.0)
        poses.append(Pose(lm, world))
    return replace(d, poses=tuple(poses))


class Simulated:
    """Stands in for the camera and the pose model: the stick figure in the posture of the moment."""

    def __init__(self, posture_at, camera: k.Camera, mirror: bool) -> None:
        self.posture_at, self.camera, self.mirror = posture_at, camera, mirror
        self.rng = np.random.default_rng(3)

    def detect(self, frame, small=None) -> Detection:
        d = k.simulate(self.posture_at(frame.t_s), self.camera, t_s=frame.t_s, noise_px=1.5, rng=self.rng)
        return mirrored(d) if self.mirror else d


def picture(t: float) -> np.ndarray:
    """A small picture with fresh noise every time (a person moving a little, never a frozen camera)."""
    return np.random.default_rng(int(t * 10)).integers(0, 255, (48, 64, 3), dtype=np.uint8)


def replay_day(tmp_path, posture_at, seconds: float, mirror: bool = False, camera: k.Camera = k.LAPTOP,
               notifier=None):
    rng = np.random.default_rng(0)
    upright = [measure(k.simulate(k.UPRIGHT, camera, t_s=i / 10, noise_px=1.5, rng=rng)) for i in range(40)]
    if mirror:
        rng = np.random.default_rng(0)
        upright = [measure(mirrored(k.simulate(k.UPRIGHT, camera, t_s=i / 10, noise_px=1.5, rng=rng)))
                   for i in range(40)]
    profile = build_profile(upright)
    db = tmp_path / "posture.sqlite3"
    store = Store.open(db)
    start = at(DAY, 9)
    monitor = Monitor(source=Scripted(picture, seconds), estimator=Simulated(posture_at, camera, mirror),
                      judge=Judge(profile), measure=measure, engine_config=EngineConfig(),
                      sampling=replace(SamplingConfig(), unchanged_below_grey=0.0), config=MonitorConfig(),
                      store=store, replay=True, speed=100000.0, waker=Waker(), wall=lambda: start, notifier=notifier)
    try:
        monitor.run()
    finally:
        store.close()
    return load_report(DAY, 1, TZ, ReportConfig(), db_path=db)


def leaning_right(t: float) -> k.Posture:
    """A working day's morning: mostly leaning a little to the user's own right, upright now and then."""
    return k.UPRIGHT if (t % 600) < 120 else k.Posture(lateral_lean_deg=-5.0)


def test_a_replayed_lean_to_the_users_right_is_named_right(tmp_path):
    r = replay_day(tmp_path, leaning_right, 50 * 60)
    a = r.asymmetry
    assert a.period.shoulder.status == "clear" and a.period.shoulder.side == "right"
    assert 0.7 <= a.period.shoulder.right_share <= 0.85       # 8 of every 10 minutes
    assert 3.0 <= a.period.shoulder.typical <= 7.0           # the lean's own 5 degrees, seen through a camera
    assert any(s.startswith("Your right shoulder sat lower") for s in r.asymmetry_words)
    assert r.asymmetry_tips and "right" in r.asymmetry_tips[0] and "left" not in r.asymmetry_tips[0]


@pytest.mark.parametrize("lean_deg, side", [(-5.0, "right"), (5.0, "left")])
def test_the_measured_side_is_the_users_whichever_way_the_picture_is_flipped(lean_deg, side):
    """The measures follow the body's named landmarks, not the picture's directions: the person's right
    shoulder is named right whether the picture shows it on its left (a camera) or on its right (a mirror)."""
    rng = np.random.default_rng(0)
    upright = [measure(k.simulate(k.UPRIGHT, k.LAPTOP, t_s=i / 10, noise_px=1.5, rng=rng)) for i in range(40)]
    baseline = asymmetry.side_baseline(build_profile(upright))
    leaning = k.simulate(k.Posture(lateral_lean_deg=lean_deg), k.LAPTOP)
    for picture_of in (leaning, mirrored(leaning)):
        m = measure(picture_of)
        got = asymmetry.sides(m.values, {}, m.view, baseline)["shoulder_side_deg"]
        assert (got > 3.0) if side == "left" else (got < -3.0)


def test_a_replayed_side_camera_day_says_nothing_about_sides(tmp_path):
    r = replay_day(tmp_path, leaning_right, 40 * 60, camera=k.SIDE)
    assert r.observed_s > 30 * 60
    assert r.asymmetry.period.shoulder.status == "not_seen" and r.asymmetry_words == ()


def test_sides_are_measured_against_the_baseline_and_the_cameras_own_turn():
    base = {"shoulder_tilt_deg": 2.0, "head_roll_deg": 1.0, "lateral_offset_ratio": 0.01}
    metrics = {"shoulder_tilt_deg": -4.0, "head_roll_deg": 1.0, "lateral_offset_ratio": 0.05}
    got = asymmetry.sides(metrics, {"camera_roll_deg": -1.0}, "frontal", base)
    assert got == {"shoulder_side_deg": -5.0, "head_side_deg": 1.0, "lean_side_pct": 4.0}
    assert asymmetry.sides(metrics, {}, "side", base) == {k: None for k in asymmetry.SIDE_FIELDS}
    assert asymmetry.sides(metrics, {}, "frontal", {})["shoulder_side_deg"] is None


@pytest.mark.slow
def test_real_mediapipe_names_the_side_of_the_person_in_the_sample_clip(model_path):
    """desk_session.mp4 (a photo of a person facing the camera, not mirrored) leans toward the picture's
    left for 24 s: the person's own right. Real MediaPipe on its frames stores the right shoulder lower."""
    import statistics

    from conftest import ROOT
    from fault_rig import clip_pictures
    from posture_watch.core.domain import Frame
    from posture_watch.io.pose import PoseEstimator, mode_for
    from posture_watch.io.profile_files import load_profile

    labels = json.loads((ROOT / "sample_videos" / "desk_session.labels.json").read_text())
    lean = next(s for s in labels["segments"] if s["label"] == "lateral_lean")
    upright = next(s for s in labels["segments"] if s["label"] == "upright")
    assert lean["posture"]["tilt_deg"] < 0        # toward the picture's left (the labels' own convention)
    profile = load_profile(ROOT / "calibration" / "sample_profile.json")
    baseline = asymmetry.side_baseline(profile)
    with PoseEstimator(model_path, num_poses=mode_for(profile)) as estimator:
        def shoulder(segment) -> float:
            values = []
            for i, picture in enumerate(clip_pictures("desk_session.mp4", segment["start_s"] + 1,
                                                      segment["end_s"] - segment["start_s"] - 2)[::5]):
                m = measure(estimator.detect(Frame(segment["start_s"] + i * 0.5, picture)))
                values.append(asymmetry.sides(m.values, {}, m.view, baseline)["shoulder_side_deg"])
            return statistics.median(v for v in values if v is not None)
        assert abs(shoulder(upright)) < 1.0                              # level when upright
        assert shoulder(lean) < -abs(lean["posture"]["tilt_deg"]) / 2    # right shoulder lower, most of the lean
