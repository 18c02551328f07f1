"""Geometry: each named measure moves the right way on the simulated sitter, is scale-free,
and the view and quality flags say what the frame really shows."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import kinematics as k
from posture_watch.core import geometry as g
from posture_watch.core.domain import Detection, Pose
from posture_watch.core.geometry import measure

FRONTAL_CAMS = {
    "laptop": k.LAPTOP,
    "laptop low close": k.Camera(distance_m=0.48, height_m=-0.30, aim_drop_m=0.12),
    "desktop": k.DESKTOP,
    "desktop far high": k.Camera(distance_m=1.0, height_m=0.10, hfov_deg=60.0, aim_drop_m=0.2),
}
SIDE_CAMS = {"side": k.SIDE,
             "side high close": k.Camera("side", distance_m=0.9, height_m=0.05, hfov_deg=70.0, aim_drop_m=0.32)}


def m(posture: k.Posture, cam: k.Camera, **kw) -> g.Metrics:
    return measure(k.simulate(posture, cam, **kw))


# (posture change, measure, direction): +1 the measure grows, -1 it shrinks.
FRONTAL_TABLE = [
    (k.Posture(neck_flexion_deg=35), "head_drop_ratio", -1),
    (k.Posture(neck_flexion_deg=35), "face_size_ratio", +1),
    (k.Posture(neck_flexion_deg=35), "face_width_frac", +1),
    (k.Posture(trunk_flexion_deg=15), "shoulder_width_frac", +1),
    (k.Posture(trunk_flexion_deg=15), "face_width_frac", +1),
    (k.Posture(thoracic_flexion_deg=20), "shoulder_y_frac", +1),      # shoulders sink in the frame
    (k.Posture(thoracic_flexion_deg=20), "shoulder_width_frac", +1),  # and come closer
    (k.Posture(sink_m=0.05), "shoulder_y_frac", +1),
    (k.Posture(sink_m=0.05), "ear_y_frac", +1),
    (k.Posture(head_pitch_deg=25), "head_pitch_ratio", +1),
    (k.Posture(head_pitch_deg=25), "nose_drop_ratio", -1),
    (k.Posture(lateral_lean_deg=10), "shoulder_tilt_deg", +1),        # the subject's left shoulder lower
    (k.Posture(lateral_lean_deg=10), "head_roll_deg", +1),
    (k.Posture(lateral_lean_deg=-10), "shoulder_tilt_deg", -1),
    (k.Posture(head_yaw_deg=30), "head_yaw_deg", +1),                 # face turned to its left
    (k.Posture(head_yaw_deg=-30), "head_yaw_deg", -1),
    (k.Posture(forward_shift_m=0.1), "shoulder_width_frac", +1),
    (k.Posture(shrug_m=0.03), "shoulder_y_frac", -1),                 # shoulder elevation: up in the frame
    (k.Posture(shrug_m=0.03), "head_drop_ratio", -1),
    (k.Posture(trunk_flexion_deg=-10), "shoulder_width_frac", -1),    # leaning back: further away
]


@pytest.mark.parametrize("cam_name", list(FRONTAL_CAMS))
@pytest.mark.parametrize("posture, key, direction", FRONTAL_TABLE,
                         ids=[f"{key}{'+' if d > 0 else '-'}" for _, key, d in FRONTAL_TABLE])
def test_frontal_measures_move_the_right_way(cam_name, posture, key, direction):
    cam = FRONTAL_CAMS[cam_name]
    before, after = m(k.UPRIGHT, cam).get(key), m(posture, cam).get(key)
    assert before is not None and after is not None
    assert np.sign(after - before) == direction, (before, after)


SIDE_TABLE = [
    (k.Posture(neck_flexion_deg=25), "cva_deg", -1),
    (k.Posture(neck_flexion_deg=25), "neck_flexion_deg", +1),
    (k.Posture(trunk_flexion_deg=15), "trunk_inclination_deg", +1),
    (k.Posture(trunk_flexion_deg=-10), "trunk_inclination_deg", -1),
    (k.Posture(thoracic_flexion_deg=25), "trunk_length_world_m", -1),   # a rounded back shortens the trunk
    (k.Posture(thoracic_flexion_deg=25), "trunk_inclination_deg", +1),
    (k.Posture(head_pitch_deg=25), "head_pitch_deg", +1),
    (k.Posture(head_yaw_deg=40), "nose_ahead_ratio", -1),
]


@pytest.mark.parametrize("cam_name", list(SIDE_CAMS))
def test_leaning_back_about_the_hips_leaves_them_where_they_were(cam_name):
    """The hips' place on the seat tells sliding down the chair (a slump) from leaning back against the
    backrest: leaning back 25 degrees moves them under a tenth of what a 5-cm slide does."""
    cam = SIDE_CAMS[cam_name]
    up = m(k.UPRIGHT, cam).get("hip_x_frac")
    lean = m(k.Posture(trunk_flexion_deg=-25), cam).get("hip_x_frac")
    slide = m(k.Posture(sink_m=0.05), cam).get("hip_x_frac")
    assert abs(lean - up) < 0.1 * abs(slide - up), (up, lean, slide)


@pytest.mark.parametrize("cam_name", list(SIDE_CAMS))
@pytest.mark.parametrize("posture, key, direction", SIDE_TABLE,
                         ids=[f"{key}{'+' if d > 0 else '-'}" for _, key, d in SIDE_TABLE])
def test_side_measures_move_the_right_way(cam_name, posture, key, direction):
    cam = SIDE_CAMS[cam_name]
    before, after = m(k.UPRIGHT, cam).get(key), m(posture, cam).get(key)
    assert before is not None and after is not None
    assert np.sign(after - before) == direction, (before, after)


def test_upright_side_values_are_anatomical():
    v = m(k.UPRIGHT, k.SIDE).values
    assert 70 < v["cva_deg"] < 100           # ear about above the shoulder
    assert abs(v["trunk_inclination_deg"]) < 8
    assert 0.35 < v["trunk_length_world_m"] < 0.6


@pytest.mark.parametrize("cam, view", [
    (k.LAPTOP, g.FRONTAL), (k.DESKTOP, g.FRONTAL), (k.SIDE, g.SIDE),
    (k.Camera("oblique", distance_m=0.8, height_m=-0.1, azimuth_deg=50.0, aim_drop_m=0.25), g.THREE_QUARTER),
])
def test_view_is_detected(cam, view):
    assert m(k.UPRIGHT, cam).view == view


def test_frontal_measures_only_where_they_mean_something_and_side_measures_in_every_view():
    """The frontal ratios over the shoulders' width are not taken edge-on; the side angles are taken in every
    picture, since a three-quarter person's pictures can look frontal (the judge uses them by the calibrated view)."""
    front, side = m(k.UPRIGHT, k.LAPTOP), m(k.UPRIGHT, k.SIDE)
    assert front.get("head_drop_ratio") is not None and front.get("cva_deg") is not None
    assert side.get("cva_deg") is not None and side.get("head_drop_ratio") is None
    assert set(front.values) == set(side.values) == set(g.ALL_KEYS)


@pytest.mark.parametrize("posture", [k.UPRIGHT, k.Posture(neck_flexion_deg=30, trunk_flexion_deg=10)])
def test_ratios_do_not_depend_on_resolution_or_distance(posture):
    small = replace(k.DESKTOP, image_size=(640, 480))
    big = replace(k.DESKTOP, image_size=(1920, 1440))
    far = replace(k.DESKTOP, distance_m=1.4, hfov_deg=40.0)     # same framing from further away
    a, b, c = m(posture, small), m(posture, big), m(posture, far)
    for key in ("head_drop_ratio", "face_size_ratio", "shoulder_tilt_deg", "head_yaw_deg"):
        assert b.get(key) == pytest.approx(a.get(key), abs=1e-9)
        assert c.get(key) == pytest.approx(a.get(key), rel=0.08, abs=0.5)


def test_measure_is_pure():
    det = k.simulate(k.Posture(neck_flexion_deg=20), k.LAPTOP, noise_px=2.0)
    before = det.poses[0].landmarks.copy()
    first, second = measure(det), measure(det)
    assert first == second
    assert np.array_equal(det.poses[0].landmarks, before)


def test_to_json_is_plain_json():
    text = json.dumps(m(k.UPRIGHT, k.LAPTOP).to_json())
    back = json.loads(text)
    assert back["view"] == "frontal" and back["person_present"] is True
    assert "head_drop_ratio" in back["values"]


# --- quality flags ----------------------------------------------------------------------------

def test_no_pose_is_nobody():
    metrics = measure(Detection(t_s=1.0, image_size=(640, 480), poses=(), brightness=120.0))
    assert not metrics.person_present and g.NO_POSE in metrics.flags and metrics.view is None


def test_dark_frame_is_flagged():
    metrics = measure(Detection(t_s=0.0, image_size=(640, 480), poses=(), brightness=5.0))
    assert g.TOO_DARK in metrics.flags


def test_a_tiny_pose_on_a_poster_is_not_a_person():
    det = Detection(t_s=0.0, image_size=(1280, 720), poses=(k.false_pose(shoulder_width_frac=0.04),), brightness=120.0)
    metrics = measure(det)
    assert not metrics.person_present and g.IMPLAUSIBLE_POSE in metrics.flags


def test_a_cartoon_beside_the_user_is_neither_the_user_nor_a_second_person():
    det = k.simulate(k.UPRIGHT, k.LAPTOP, extra_poses=(k.false_pose(shoulder_width_frac=0.05),))
    alone = m(k.UPRIGHT, k.LAPTOP)
    metrics = measure(det)
    assert metrics.person_present and g.TWO_PEOPLE not in metrics.flags
    assert metrics.get("head_drop_ratio") == pytest.approx(alone.get("head_drop_ratio"))


def test_a_second_real_person_is_flagged():
    other = k.simulate(k.UPRIGHT, replace(k.DESKTOP, distance_m=0.9)).poses[0]
    shifted = Pose(other.landmarks + np.array([0.35, 0.02, 0, 0, 0]), None)
    metrics = measure(k.simulate(k.UPRIGHT, k.DESKTOP, extra_poses=(shifted,)))
    assert metrics.person_present and g.TWO_PEOPLE in metrics.flags


def test_the_same_person_found_twice_is_one_person():
    det = k.simulate(k.UPRIGHT, k.DESKTOP)
    twin = Pose(det.poses[0].landmarks + np.array([0.004, 0.003, 0, 0, 0]), None)
    metrics = measure(replace(det, poses=det.poses + (twin,)))
    assert g.TWO_PEOPLE not in metrics.flags


def test_shoulders_below_the_frame_while_slouching_is_still_a_person():
    tight = k.TIGHT_LAPTOP   # shoulders near the bottom edge when upright
    upright = m(k.UPRIGHT, tight)
    slouch = m(k.Posture(trunk_flexion_deg=15, thoracic_flexion_deg=15, neck_flexion_deg=15), tight)
    assert g.SHOULDERS_OUT_OF_FRAME not in upright.flags
    assert g.SHOULDERS_OUT_OF_FRAME in slouch.flags
    assert slouch.person_present and slouch.get("head_drop_ratio") is not None


def test_hidden_head_is_not_a_person():
    det = k.simulate(k.UPRIGHT, k.LAPTOP)
    lm = det.poses[0].landmarks.copy()
    lm[:11, 3] = 0.05
    metrics = measure(replace(det, poses=(Pose(lm, None),)))
    assert not metrics.person_present and g.HEAD_NOT_VISIBLE in metrics.flags


def test_shoulders_hidden_in_frame_are_flagged():
    det = k.simulate(k.UPRIGHT, k.LAPTOP)
    lm = det.poses[0].landmarks.copy()
    lm[[11, 12], 3] = 0.1
    metrics = measure(replace(det, poses=(Pose(lm, None),)))
    assert g.SHOULDERS_NOT_VISIBLE in metrics.flags


def test_turned_head_is_flagged():
    assert g.HEAD_TURNED in m(k.Posture(head_yaw_deg=50), k.DESKTOP).flags
    assert g.HEAD_TURNED not in m(k.Posture(head_yaw_deg=10), k.DESKTOP).flags


def test_hips_only_measured_when_visible():
    hidden = m(k.UPRIGHT, k.Camera(distance_m=1.2, height_m=0.0, aim_drop_m=0.35))
    shown = m(k.UPRIGHT, k.Camera(distance_m=1.2, height_m=0.0, aim_drop_m=0.35), hips_visible=True)
    assert hidden.get("trunk_foreshortening_ratio") is None and g.HIPS_NOT_VISIBLE in hidden.flags
    assert shown.get("trunk_foreshortening_ratio") is not None


# --- the camera-independent (world landmark) measures -----------------------------------------

WORLD_CAMS = {"laptop": k.LAPTOP, "desktop": k.DESKTOP, "side": k.SIDE,
              "oblique": k.Camera("oblique", distance_m=0.8, height_m=-0.1, azimuth_deg=50.0, aim_drop_m=0.25)}


@pytest.mark.parametrize("cam_name", list(WORLD_CAMS))
@pytest.mark.parametrize("posture, key, direction", [
    (k.Posture(neck_flexion_deg=25), "neck_flexion_world_deg", +1),
    (k.Posture(neck_flexion_deg=25), "neck_length_world_m", -1),
    (k.Posture(head_pitch_deg=-20, neck_flexion_deg=-10), "neck_flexion_world_deg", -1),   # chin up: not forward
])
def test_world_neck_measures_move_the_right_way_in_every_view(cam_name, posture, key, direction):
    before, after = m(k.UPRIGHT, WORLD_CAMS[cam_name]).get(key), m(posture, WORLD_CAMS[cam_name]).get(key)
    assert before is not None and after is not None
    assert np.sign(after - before) == direction, (before, after)


def _nose_side(det: Detection) -> float:
    lm = det.poses[0].landmarks
    return float(np.sign(lm[0, 0] - (lm[7, 0] + lm[8, 0]) / 2))


@pytest.mark.parametrize("azimuth", [60.0, -60.0, 90.0, -90.0])
def test_the_side_measures_face_the_way_the_chest_does_not_the_nose(azimuth):
    """The side measures' "forward" is the way the chest points (the world shoulders): a head turned to
    face a camera at the side or three-quarter brings the nose to the ears' far side in the picture, and
    with "forward" taken from the nose a 20-degree lean back read as a 16-degree lean forward."""
    cam = k.Camera("oblique", distance_m=1.1, height_m=-0.15, hfov_deg=65.0, azimuth_deg=azimuth, aim_drop_m=0.3)
    back = k.Posture(trunk_flexion_deg=-20)
    turned = replace(back, head_yaw_deg=-np.sign(azimuth) * 90.0)
    assert _nose_side(k.simulate(turned, cam)) != _nose_side(k.simulate(back, cam))   # the nose did flip
    straight = m(back, cam, hips_visible=True).get("trunk_inclination_deg")
    to_camera = m(turned, cam, hips_visible=True).get("trunk_inclination_deg")
    assert straight is not None and straight < -5.0
    assert to_camera == pytest.approx(straight, abs=2.0)


def _head_turned_about(det: Detection, axis_of) -> Detection:
    """The detection with the head's world points (face and ears) turned 20 degrees about an axis through the
    shoulder-mid: axis_of(trunk, ahead) gives the axis from the trunk's direction and the face's."""
    w = np.array(det.poses[0].world, float)
    sh, hip = (w[11] + w[12]) / 2, (w[23] + w[24]) / 2
    trunk = (sh - hip) / np.linalg.norm(sh - hip)
    face = w[0] - (w[7] + w[8]) / 2
    ahead = face - np.dot(face, trunk) * trunk
    u = axis_of(trunk, ahead / np.linalg.norm(ahead))
    u = u / np.linalg.norm(u)
    a = np.radians(20.0)
    cross = np.array([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])
    rot = np.eye(3) + np.sin(a) * cross + (1 - np.cos(a)) * cross @ cross     # Rodrigues
    for i in range(0, 11):                                                     # nose, eyes, ears, mouth
        w[i] = sh + rot @ (w[i] - sh)
    return replace(det, poses=(Pose(det.poses[0].landmarks, w),))


@pytest.mark.parametrize("cam_name", ["laptop", "oblique"])
def test_a_neck_bent_sideways_is_not_a_neck_bent_forward(cam_name):
    """The neck's flexion is its part along the way the face points: the head bent 20 degrees towards a
    shoulder (a lateral lean of the neck) leaves it, the same bend forward adds about 20 degrees. (It was
    the whole angle off the trunk's line, signed by the face: mirrored webcam footage of sideways leans
    read as a neck bent 35 degrees forward, and those leans were named slumps.)"""
    det = k.simulate(k.UPRIGHT, WORLD_CAMS[cam_name])
    upright = measure(det).get("neck_flexion_world_deg")
    sideways = measure(_head_turned_about(det, lambda trunk, ahead: ahead)).get("neck_flexion_world_deg")
    forward = measure(_head_turned_about(det, lambda trunk, ahead: np.cross(trunk, ahead))).get("neck_flexion_world_deg")
    assert abs(sideways - upright) < 2.0, (upright, sideways)
    assert abs(abs(forward - upright) - 20.0) < 3.0, (upright, forward)


def test_a_head_tilted_back_does_not_shorten_the_trunk():
    """The back's measure sees the back, not the head (the old ear-shoulder-hip angle could not)."""
    upright = m(k.UPRIGHT, k.SIDE).get("trunk_length_world_m")
    chin_up = m(k.Posture(head_pitch_deg=-25, neck_flexion_deg=-15), k.SIDE).get("trunk_length_world_m")
    rounded = m(k.Posture(thoracic_flexion_deg=25), k.SIDE).get("trunk_length_world_m")
    assert chin_up == pytest.approx(upright, rel=0.01)
    assert rounded < 0.97 * upright


@pytest.mark.parametrize("nudge", [dict(rotate_deg=6), dict(rotate_deg=-6), dict(shift=(0.1, 0.0)),
                                   dict(shift=(0.0, -0.05)), dict(scale=0.9), dict(scale=1.1)])
@pytest.mark.parametrize("cam_name", ["laptop", "side"])
def test_body_referenced_measures_do_not_move_with_the_camera(cam_name, nudge):
    """Segment angles, metric lengths and ratios taken against the body stay put when the camera
    is turned, shifted or zoomed after calibration; frame-referenced ones are allowed to move."""
    det = k.simulate(k.Posture(neck_flexion_deg=12, trunk_flexion_deg=5), WORLD_CAMS[cam_name])
    here, there = g.measure(det), g.measure(k.nudged(det, **nudge))
    keys = ["neck_flexion_world_deg", "neck_length_world_m", "shoulder_width_world_m"]
    keys += ["head_drop_ratio", "face_size_ratio", "lateral_offset_ratio"] if cam_name == "laptop" else []
    for key in keys:
        assert there.get(key) == pytest.approx(here.get(key), rel=1e-6, abs=1e-6), key
