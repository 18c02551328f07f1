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
    (lambda: observe(Detection(0.0, (1280, 720), (), 8.0)), sc.TOO_DARK),
    (lambda: observe(Detection(0.0, (1280, 720), (), 120.0)), sc.NO_PERSON),
    (lambda: observe(shifted(good(), dy=-0.25)), sc.HEAD_CUT),
    (lambda: observe(shifted(good(), dy=0.35)), sc.SHOULDERS_CUT),
    (lambda: observe(shifted(good(), dx=0.45)), sc.SIDE_CUT),
    (lambda: observe(k.simulate(k.UPRIGHT, replace(WELL_PLACED, distance_m=2.0, image_size=(320, 240)))), sc.TOO_FAR),
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
    assert "turn on a light in front of you" in sc.ADVICE[sc.TOO_DARK]
    assert "add light in front of you" in sc.ADVICE[sc.UNCLEAR]


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


# --- the light is judged by what the model reports, never by how bright a face is -------------------

def test_a_person_found_in_a_dim_frame_or_with_a_dark_face_has_no_problem():
    """Darker skin, a beard or a mask darken the face box in any room: that alone is never a problem,
    nor is a dim frame in which the person was found."""
    assert observe(good(), face=35.0, background=210.0).problems == ()
    assert observe(good(), face=30.0, background=40.0).problems == ()
    assert observe(good(brightness=20.0)).problems == ()


def _still_window(noise_px: float, n: int = 12, camera: k.Camera = WELL_PLACED, brightness: float = 120.0,
                  face: float = 120.0, background: float = 120.0) -> list[sc.SetupObservation]:
    rng = np.random.default_rng(7)
    return [sc.observe(d, measure(d), face, background) for d in
            (k.simulate(k.UPRIGHT, camera, t_s=i / 10, noise_px=noise_px, rng=rng, brightness=brightness)
             for i in range(n))]


@pytest.mark.parametrize("camera", [WELL_PLACED, k.SIDE, k.Camera("oblique", distance_m=0.9, azimuth_deg=45.0)],
                         ids=["frontal", "side", "three_quarter"])
def test_still_landmarks_are_clear_and_jumping_ones_are_not_in_every_view(camera):
    clear = _still_window(0.5, camera=camera)
    assert sc.clarity_problem(clear) is None and sc.evaluate(clear).ok
    body = np.median([o.body_px for o in clear])
    noisy = _still_window(0.03 * body, camera=camera)     # the points jump about 5 % of the body size
    verdict = sc.evaluate(noisy)
    assert not verdict.ok and verdict.problem == sc.UNCLEAR
    assert "cannot see you clearly" in verdict.advice and "body size" in verdict.advice


def test_the_moving_person_is_not_unclear_only_the_points_moving_apart():
    """Moving the whole body (all points together) is not the model losing sight of the person."""
    window = []
    for i in range(12):
        d = shifted(good(t_s=i / 10), dx=0.03 * (i % 2))      # 3 % of the width to and fro each sample
        window.append(sc.observe(d, measure(d), 120.0, 120.0))
    assert sc.clarity_problem(window) is None


@pytest.mark.parametrize("make, cause", [
    (lambda body: _still_window(0.03 * body, brightness=20.0), "the picture is dark"),
    (lambda body: _still_window(0.03 * body, face=40.0, background=230.0), "window is behind you"),
    (lambda body: _still_window(0.03 * body), "blurred or noisy"),
])
def test_unclear_landmarks_name_the_cause_that_was_measured(make, cause):
    body = float(np.median([o.body_px for o in _still_window(0.5)]))
    problem = sc.clarity_problem(make(body))
    assert problem is not None and cause in problem
    assert problem.count(". ") == 0 and problem.endswith(".")


def test_a_dim_or_backlit_but_clear_picture_gets_one_line_of_advice_not_a_refusal():
    backlit = _still_window(0.5, face=40.0, background=230.0)
    assert sc.evaluate(backlit).ok
    assert sc.light_note(backlit) == "A bright light or window is behind you; a lamp in front of you would help."
    dark_face = _still_window(0.5, face=40.0, background=150.0)   # darker skin, a beard, a mask: nothing to say
    assert sc.evaluate(dark_face).ok and sc.light_note(dark_face) is None
    dim = _still_window(0.5, brightness=20.0)
    assert sc.evaluate(dim).ok and "dim" in (sc.light_note(dim) or "")
    assert sc.light_note(_still_window(0.5)) is None


def test_off_centre_and_a_turned_head_are_said_but_never_stop_the_set_up():
    """A side camera often sees the person near an edge of the picture; the judge measures them as well."""
    window = [_obs((sc.OFF_CENTRE,))] * 6 + [_obs((sc.HEAD_TURNED,))] * 4
    assert sc.evaluate(window).ok


def test_a_person_the_model_cannot_make_out_is_unclear_not_nobody():
    """A pose of a person's size with the shoulders above the ears (the model's landmarks on a face it could
    not read: a flat face mask drawn on real footage did this) is someone unclear, not an empty room."""
    det = good()
    lm = det.poses[0].landmarks.copy()
    lm[[11, 12], 1], lm[[7, 8], 1] = lm[[7, 8], 1].copy(), lm[[11, 12], 1].copy()   # shoulders <-> ears heights
    garbled = replace(det, poses=(Pose(lm, det.poses[0].world),))
    obs = observe(garbled)
    assert not obs.person and sc.UNCLEAR in obs.problems and sc.NO_PERSON not in obs.problems, obs
    assert observe(Detection(0.0, (1280, 720), (), 120.0)).problems == (sc.NO_PERSON,)
