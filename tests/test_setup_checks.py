"""Set-up checks (pure): each bad placement gives its own problem and a concrete fix.

Landmarks come from the kinematic stick figure (tests/kinematics.py) seen by a camera placed
well, then moved the way a bad set-up moves it (shifted in the picture, too far, too close).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import kinematics as k
from posture_watch.calibration import setup_checks as sc
from posture_watch.core.domain import Detection, Pose
from posture_watch.core.geometry import measure

WELL_PLACED = k.Camera("frontal", distance_m=0.6, height_m=-0.1, hfov_deg=70.0, image_size=(1280, 720), aim_drop_m=0.08)


def shifted(det: Detection, dx: float = 0.0, dy: float = 0.0, pose_index: int = 0) -> Detection:
    poses = list(det.poses)
    lm = poses[pose_index].landmarks.copy()
    lm[:, 0] += dx
    lm[:, 1] += dy
    outside = (lm[:, 0] < 0) | (lm[:, 0] > 1) | (lm[:, 1] < 0) | (lm[:, 1] > 1)
    lm[outside, 3] = np.minimum(lm[outside, 3], 0.2)
    poses[pose_index] = Pose(lm, poses[pose_index].world)
    return replace(det, poses=tuple(poses))


def observe(det: Detection, face: float | None = 120.0, background: float | None = 120.0) -> sc.SetupObservation:
    return sc.observe(det, measure(det), face, background)


def good(**kw) -> Detection:
    return k.simulate(k.UPRIGHT, WELL_PLACED, **kw)


def test_a_well_placed_person_has_no_problem():
    obs = observe(good())
    assert obs.problems == ()
    assert obs.person and 0.4 < obs.centre_x_frac < 0.6


@pytest.mark.parametrize("make, problem", [
    (lambda: observe(good(brightness=8.0)), sc.TOO_DARK),
    (lambda: observe(Detection(0.0, (1280, 720), (), 120.0)), sc.NO_PERSON),
    (lambda: observe(shifted(good(), dy=-0.25)), sc.HEAD_CUT),
    (lambda: observe(shifted(good(), dy=0.35)), sc.SHOULDERS_CUT),
    (lambda: observe(shifted(good(), dx=0.45)), sc.SIDE_CUT),
    (lambda: observe(good(), face=35.0, background=210.0), sc.BACKLIT),
    (lambda: observe(good(), face=30.0, background=40.0), sc.FACE_DARK),
    (lambda: observe(k.simulate(k.UPRIGHT, replace(WELL_PLACED, distance_m=2.6))), sc.TOO_FAR),
    (lambda: observe(k.simulate(k.UPRIGHT, replace(WELL_PLACED, distance_m=0.22, hfov_deg=50.0))), sc.TOO_CLOSE),
    (lambda: observe(shifted(good(), dx=0.26)), sc.OFF_CENTRE),
    (lambda: observe(k.simulate(k.with_posture(k.UPRIGHT, head_yaw_deg=60), WELL_PLACED)), sc.HEAD_TURNED),
])
def test_each_bad_set_up_is_named(make, problem):
    obs = make()
    assert problem in obs.problems, obs


def test_two_people_side_by_side():
    base = good()
    other = shifted(base, dx=0.3).poses[0]
    det = shifted(replace(base, poses=(base.poses[0], other)), dx=-0.2)
    obs = observe(det)
    assert sc.TWO_PEOPLE in obs.problems
    assert obs.n_people == 2


def test_the_primary_pose_is_the_one_geometry_measured():
    base = good()
    small = shifted(k.simulate(k.UPRIGHT, replace(WELL_PLACED, distance_m=1.6)), dx=0.3).poses[0]
    det = replace(base, poses=(small, base.poses[0]))
    chosen = sc.primary_pose(det, measure(det))
    assert chosen is det.poses[1]


def test_every_problem_has_one_sentence_of_advice_with_a_fix():
    assert set(sc.ADVICE) == set(sc.PRIORITY)
    for code, text in sc.ADVICE.items():
        assert text.endswith(".") and text.count(". ") == 0, code
        assert ":" in text, code          # what is wrong: what to do
    assert "tilt the screen back" in sc.ADVICE[sc.HEAD_CUT] and "raise the camera" in sc.ADVICE[sc.HEAD_CUT]
    assert "tilt the screen back" in sc.ADVICE[sc.SHOULDERS_CUT]
    for light in (sc.TOO_DARK, sc.BACKLIT, sc.FACE_DARK):
        assert "turn on a light in front of you" in sc.ADVICE[light]


def _obs(problems: tuple[str, ...], t: float = 0.0) -> sc.SetupObservation:
    return sc.SetupObservation(t_s=t, person=sc.NO_PERSON not in problems, n_people=1, brightness=120.0,
                               problems=problems)


def test_a_window_passes_when_each_check_passes_in_most_samples():
    window = [_obs(())] * 9 + [_obs((sc.OFF_CENTRE,))]
    verdict = sc.evaluate(window)
    assert verdict.ok and verdict.problem is None and verdict.advice == ""


def test_a_window_fails_with_its_commonest_problem():
    window = [_obs((sc.NO_PERSON,))] * 3 + [_obs((sc.SHOULDERS_CUT,))] * 7
    verdict = sc.evaluate(window)
    assert not verdict.ok and verdict.problem == sc.SHOULDERS_CUT
    assert verdict.advice == sc.ADVICE[sc.SHOULDERS_CUT]


def test_darkness_is_named_before_nobody_when_both_are_everywhere():
    verdict = sc.evaluate([_obs((sc.TOO_DARK, sc.NO_PERSON))] * 6)
    assert verdict.problem == sc.TOO_DARK


def test_an_empty_window_is_not_a_pass():
    assert not sc.evaluate([]).ok


def test_light_facts_see_a_dark_face_against_a_bright_background():
    det = good()
    w, h = det.image_size
    image = np.full((h, w, 3), 230, np.uint8)
    box = sc.head_box(det.poses[0], (w, h))
    assert box is not None
    x0, y0, x1, y1 = box
    image[y0:y1, x0:x1] = 40
    face, background = sc.light_facts(image, det.poses[0])
    assert face == pytest.approx(40, abs=1)
    assert background > 200
    assert sc.light_facts(image, None) == (None, None)


def test_readout_says_what_it_sees():
    assert sc.readout(observe(good())).startswith("light 120/255")
    assert "nobody" in sc.readout(observe(Detection(0.0, (1280, 720), (), 120.0)))
