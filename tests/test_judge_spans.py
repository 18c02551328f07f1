"""issue 22: a head tilted to one side on a webcam is a sideways lean (named, with its side); a poor
stretch is called by its most severe fault so far, and `run`'s terminal corrects its line when that
changes; a forward hunch seen from the side is called even though the nose comes level with the ear."""

from __future__ import annotations

import io
import math
from dataclasses import replace

import numpy as np
import pytest

import kinematics as k
from posture_watch.calibration.calibrate import build_profile
from posture_watch.core import fault_words
from posture_watch.core.domain import FORWARD_LEAN, GOOD, LATERAL_LEAN, POOR, SLUMPED, Detection, Pose, Reading
from posture_watch.core.geometry import measure
from posture_watch.core.judge import Judge
from posture_watch.monitor.terminal import TerminalReport

HEAD = range(0, 11)            # MediaPipe's face points: nose, eyes, ears, mouth
L_EAR, R_EAR, L_SH, R_SH = 7, 8, 11, 12


def _rotate(points: np.ndarray, pivot: np.ndarray, deg: float) -> np.ndarray:
    a = math.radians(deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return (points - pivot) @ rot.T + pivot


def head_tilted(det: Detection, deg: float) -> Detection:
    """The head rolled by `deg` (positive: towards the person's left, the left ear sinking) about the
    lower neck (a third of the way from the shoulders to the ears), in the picture and in the world."""
    pose = det.poses[0]
    w, h = det.image_size
    lm = np.array(pose.landmarks, float)
    px = lm[:, :2] * (w, h)
    sm, em = (px[L_SH] + px[R_SH]) / 2, (px[L_EAR] + px[R_EAR]) / 2
    idx = list(HEAD)
    # the person's left ear is on the picture's right: the left ear sinks when the picture turns clockwise
    sign = 1.0 if px[L_EAR][0] > px[R_EAR][0] else -1.0
    px[idx] = _rotate(px[idx], sm + (em - sm) / 3, sign * deg)
    lm[:, :2] = px / (w, h)
    world = None
    if pose.world is not None:
        world = np.array(pose.world, float)
        wsm, wem = (world[L_SH, :2] + world[R_SH, :2]) / 2, (world[L_EAR, :2] + world[R_EAR, :2]) / 2
        world[idx, :2] = _rotate(world[idx, :2], wsm + (wem - wsm) / 3, sign * deg)
    return replace(det, poses=(Pose(lm, world),))


def _profile(cam: k.Camera):
    rng = np.random.default_rng(0)
    return build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=1.0, rng=rng)) for i in range(40)])


@pytest.mark.parametrize("cam", [k.LAPTOP, k.DESKTOP], ids=["laptop", "desktop"])
@pytest.mark.parametrize("deg, way", [(18.0, "left"), (-18.0, "right")])
def test_a_head_tilted_to_one_side_on_a_webcam_is_a_sideways_lean_with_its_side(cam, deg, way):
    """The dev footage's webcam leans were mostly the head tilted 14-29 degrees with the shoulders level
    and the head shifted sideways less than 15 % of a shoulder width: the removed lateral-offset rule
    missed them. Upright stays good; the tilt is poor, called lateral_lean, and said with its side."""
    j = Judge(_profile(cam))
    rng = np.random.default_rng(3)
    upright = [j.update(measure(k.simulate(k.UPRIGHT, cam, t_s=i / 4, noise_px=1.0, rng=rng))) for i in range(8)]
    tilted = [j.update(measure(head_tilted(k.simulate(k.UPRIGHT, cam, t_s=2 + i / 4, noise_px=1.0, rng=rng), deg)))
              for i in range(12)]
    assert all(r.state == GOOD for r in upright[2:])
    assert all(r.state == POOR and r.faults[0] == LATERAL_LEAN for r in tilted[2:]), [(r.state, r.faults) for r in tilted]
    said = fault_words.phrase(LATERAL_LEAN, tilted[-1].deviations)
    assert said.startswith(f"leaning to your {way}"), said


def test_a_stretch_is_called_by_its_most_severe_fault_and_renamed_when_that_fault_ends():
    """A mild forward head, then a strong sideways lean on top of it, then the lean eased back to the
    mild forward head, all one poor stretch: while the lean lasts the stretch is called a sideways lean
    (its most severe fault, every reading, though the forward head is still there); once the lean has
    ended the line is corrected to the forward head that is left (a poor stretch that turns from one
    fault into another, as the dev footage's side views do from a hunch into a slump, is called by the
    fault it is now)."""
    cam = k.LAPTOP
    j = Judge(_profile(cam))
    rng = np.random.default_rng(4)
    forward = k.Posture(neck_flexion_deg=30, trunk_flexion_deg=8)
    both = replace(forward, lateral_lean_deg=22)
    t = 0.0
    phases = {}
    for name, posture in (("upright", k.UPRIGHT), ("forward", forward), ("lean", both), ("eased", forward)):
        rs = []
        for _ in range(12):
            rs.append(j.update(measure(k.simulate(posture, cam, t_s=t, noise_px=1.0, rng=rng))))
            t += 0.25
        phases[name] = rs
    assert all(r.state == POOR for name in ("forward", "lean", "eased") for r in phases[name][2:])
    assert phases["forward"][-1].faults[0] == FORWARD_LEAN
    assert all(r.faults[0] == LATERAL_LEAN for r in phases["lean"][2:]), [r.faults for r in phases["lean"]]
    assert all(r.faults == (FORWARD_LEAN,) for r in phases["eased"][2:]), [r.faults for r in phases["eased"]]


def test_the_terminal_corrects_its_line_when_the_fault_changes():
    out = io.StringIO()
    report = TerminalReport(out)
    for faults in ((FORWARD_LEAN,), (FORWARD_LEAN,), (LATERAL_LEAN, FORWARD_LEAN), (LATERAL_LEAN,)):
        report.on_reading(Reading(t_s=0.0, state=POOR, score=40.0, faults=faults), t_epoch=None)
    report.on_reading(Reading(t_s=0.0, state=GOOD, score=90.0), t_epoch=None)
    assert out.getvalue().splitlines() == ["Posture: poor (head forward).",
                                           "Posture: poor (leaning to one side, head forward).", "Posture: upright."]


def test_a_forward_hunch_seen_from_the_side_is_called():
    """From the side, a head that comes forward and down brings the nose level with the ear, as a head
    turned away does; the side measures (both ears' and both shoulders' midpoints) are kept."""
    cam = k.SIDE
    j = Judge(_profile(cam))
    rng = np.random.default_rng(6)
    hunch = k.Posture(neck_flexion_deg=40, trunk_flexion_deg=20, head_pitch_deg=25)
    rs = [j.update(measure(k.simulate(hunch, cam, t_s=i / 4, noise_px=1.0, rng=rng))) for i in range(12)]
    assert all(r.state == POOR and r.faults[0] == FORWARD_LEAN for r in rs[2:]), [(r.state, r.faults) for r in rs]


def test_a_restless_capture_widens_a_tolerance_only_up_to_its_ceiling():
    """A side capture with the trunk rocking (its spread 10 degrees) used to widen the trunk's tolerance
    to 40 degrees, wider than a whole forward hunch; it stops at max_widen times the floor (30)."""
    from posture_watch.core.deviation import tolerances
    from posture_watch.core.judge import JudgeConfig
    from posture_watch.core.profile import MeasureStats

    profile = _profile(k.SIDE)
    stats = profile.baseline["trunk_inclination_deg"]
    restless = replace(profile, baseline={**profile.baseline, "trunk_inclination_deg": MeasureStats(stats.median, 10.0, stats.n)})
    cfg = JudgeConfig()
    tol = tolerances(restless, cfg).items["trunk_forward_deg"].tol
    assert tol == pytest.approx(cfg.max_widen * cfg.trunk_inclination_tol_deg)
    assert tolerances(profile, cfg).items["trunk_forward_deg"].tol == pytest.approx(cfg.trunk_inclination_tol_deg)


@pytest.mark.parametrize("extra", [{}, {"thoracic_flexion_deg": 35}], ids=["slumped", "slumped-rounder"])
def test_a_slump_back_in_the_chair_seen_from_the_side_is_named_a_slump(extra):
    """Slumping rounds the back and shortens the neck as the body sinks: seen from the side those are the
    slump (EXPLAINED_BY), not a thoracic slouch of their own (they were, before)."""
    rng = np.random.default_rng(1)
    cam = k.SIDE
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=0.5, rng=rng)) for i in range(50)])
    judge, t = Judge(profile), 0.0
    for _ in range(40):
        judge.update(measure(k.simulate(k.UPRIGHT, cam, t_s=t, noise_px=0.5, rng=rng)))
        t += 0.25
    named = []
    for _ in range(40):
        r = judge.update(measure(k.simulate(k.with_posture(k.SLUMPED_BACK, **extra), cam, t_s=t, noise_px=0.5, rng=rng)))
        named.append(r.faults[0] if r.state == POOR and r.faults else r.state)
        t += 0.25
    assert named[-20:] == [SLUMPED] * 20, named


@pytest.mark.parametrize("azimuth", [30.0, 45.0])
def test_a_camera_at_the_side_of_the_desk_still_sees_a_forward_head(azimuth):
    """Seen from 30-45 degrees the head is turned by the camera's own angle all day; only a turn since the
    upright capture drops the head's measures (they were dropped at every sample: a forward head was good)."""
    rng = np.random.default_rng(3)
    cam = k.Camera("oblique", distance_m=0.75, height_m=-0.1, aim_drop_m=0.2, azimuth_deg=azimuth)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=1.0, rng=rng)) for i in range(40)])
    judge, t = Judge(profile), 0.0
    states = {}
    for name, posture in (("upright", k.UPRIGHT), ("forward head", k.Posture(neck_flexion_deg=30, trunk_flexion_deg=8)),
                          ("upright again", k.UPRIGHT)):
        rs = []
        for _ in range(20):
            rs.append(judge.update(measure(k.simulate(posture, cam, t_s=t, noise_px=1.0, rng=rng))))
            t += 0.25
        states[name] = [r.state for r in rs[6:]]
    assert set(states["upright"]) == {GOOD}
    assert set(states["forward head"]) == {POOR}
    assert set(states["upright again"][4:]) == {GOOD}


@pytest.mark.parametrize("azimuth", [-45.0, 40.0, 50.0])
@pytest.mark.parametrize("height", [-0.2, 0.15])
def test_an_upright_user_turning_the_head_towards_a_camera_at_the_side_stays_good(azimuth, height):
    """From 40-50 degrees round the desk, the ears' distance in the picture changes with the head's turn by 0.7 of
    the turn's radians: a head turned 15-25 degrees towards the camera grew the face 30 % and was a lean-in or a
    forward head in every sample. The head's size is read face on there (geometry's head_width_frac,
    head_size_ratio; deviation.measure_of). Turned away, it is as before: good."""
    rng = np.random.default_rng(9)
    cam = k.Camera("oblique", distance_m=0.8, height_m=height, hfov_deg=65, aim_drop_m=0.25, azimuth_deg=azimuth)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=1.5, rng=rng)) for i in range(40)])
    assert profile.view == "frontal"
    for yaw in (-25.0, -15.0, 15.0, 25.0):
        judge = Judge(profile)
        states = [judge.update(measure(k.simulate(k.Posture(head_yaw_deg=yaw), cam, t_s=i / 4, noise_px=1.5, rng=rng))).state
                  for i in range(20)]
        assert set(states[6:]) == {GOOD}, (yaw, states)


@pytest.mark.parametrize("azimuth", [-45.0, 40.0, 45.0, 50.0])
def test_a_lean_towards_the_screen_seen_from_a_laptop_at_the_side_is_a_forward_lean(azimuth):
    """A laptop 40-50 degrees round the desk, below the face: a 20-degree lean towards the screen turns the face
    edge-on to the camera as fast as it brings it nearer, so the face does not grow and the ears do not drop
    against the shoulders; only the shoulders sink in the picture, at the sink's threshold. It was poor in half
    its samples and named a slump; the ear-to-shoulder line's angle (the side view's CVA, judged once the head's
    calibrated turn shows the camera round the desk: deviation.judged_groups) sees it. Upright, looking at the
    keyboard and a small sideways lean stay good."""
    rng = np.random.default_rng(5)
    cam = k.Camera("oblique", distance_m=0.7, height_m=-0.2, hfov_deg=65, aim_drop_m=0.25, azimuth_deg=azimuth)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=2.0, rng=rng)) for i in range(40)])
    assert profile.view == "frontal"
    judge, t = Judge(profile), 0.0
    named = {}
    for name, posture in (("upright", k.UPRIGHT), ("lean in", k.Posture(trunk_flexion_deg=20, neck_flexion_deg=10)),
                          ("upright again", k.UPRIGHT), ("keyboard", k.Posture(head_pitch_deg=25, neck_flexion_deg=6)),
                          ("lean 3 sideways", k.Posture(lateral_lean_deg=3))):
        rs = []
        for _ in range(24):
            rs.append(judge.update(measure(k.simulate(posture, cam, t_s=t, noise_px=2.0, rng=rng))))
            t += 0.25
        named[name] = [r.faults[0] if r.state == POOR and r.faults else r.state for r in rs[8:]]
    assert named["lean in"] == [FORWARD_LEAN] * 16, named["lean in"]
    for name in ("upright", "upright again", "keyboard", "lean 3 sideways"):
        assert set(named[name]) == {GOOD}, (name, named[name])


@pytest.mark.parametrize("posture, expected", [
    (k.Posture(trunk_flexion_deg=-30, neck_flexion_deg=30, sink_m=0.04), SLUMPED),
    (k.Posture(trunk_flexion_deg=-30, neck_flexion_deg=30, head_pitch_deg=20, sink_m=0.04), SLUMPED),
    (k.Posture(trunk_flexion_deg=-30, neck_flexion_deg=30), (SLUMPED, GOOD)),
    (k.Posture(trunk_flexion_deg=-8), GOOD),
    (k.Posture(trunk_flexion_deg=-15), GOOD),
], ids=["slid-reclined-chin-down", "slid-reclined-chin-down-looking-down", "reclined-chin-down", "leaning-back-8",
        "leaning-back-15"])
def test_a_slump_back_with_the_head_up_is_a_slump_and_a_small_lean_back_is_not(posture, expected):
    """Slumped back in the chair with the chin sunk towards the chest: the hips slid 4 cm forward on the seat,
    the trunk reclined 30 degrees and the neck shortened while the head stayed about as high (dev footage:
    reclined 17-41 degrees, the hips 4-29 % of the trunk's length forward, neck 10-16 % shorter, head sunk
    under 5 %) was missed while the head's sink was the measure; the recline, with the hips' slide as its
    sign, calls it. Without the slide the neck, 5-8 % shorter (about its threshold), is a forward lean where it is
    poor, and while reclined it is named a slump (deviation_slump.reclined), as from the front: never a forward
    lean. Leaning back 8-15 degrees with the neck as it was stays good."""
    rng = np.random.default_rng(5)
    cam = k.SIDE
    judge, t = Judge(_profile(cam)), 0.0
    for _ in range(8):
        judge.update(measure(k.simulate(k.UPRIGHT, cam, t_s=t, noise_px=1.0, rng=rng)))
        t += 0.25
    named = []
    for _ in range(16):
        r = judge.update(measure(k.simulate(posture, cam, t_s=t, noise_px=1.0, rng=rng)))
        named.append(r.faults[0] if r.state == POOR and r.faults else r.state)
        t += 0.25
    if isinstance(expected, tuple):
        assert set(named[2:]) <= set(expected) and named[2:].count(expected[0]) >= 10, named
    else:
        assert named[2:] == [expected] * 14, named


@pytest.mark.parametrize("cam", [k.LAPTOP, k.DESKTOP, k.TIGHT_LAPTOP, k.SIDE], ids=["laptop", "desktop", "tight", "side"])
def test_a_slump_back_with_the_chin_down_has_the_same_name_from_the_front_as_from_the_side(cam):
    """Reclined 30 degrees with the neck bent 30 was a slump from the side and a forward lean from every frontal
    camera: the front saw only the head nearer the shoulders. It sees the recline as the person farther away, and
    names the slump; a forward head with the person as near as upright stays a forward lean (the test above's
    'forward head', and the next lines)."""
    rng = np.random.default_rng(5)
    judge, t = Judge(_profile(cam)), 0.0
    named = {}
    for label, posture in (("upright", k.UPRIGHT),
                           ("slumped back", k.Posture(trunk_flexion_deg=-30, neck_flexion_deg=30, sink_m=0.04)),
                           ("upright again", k.UPRIGHT), ("forward head", k.Posture(neck_flexion_deg=30, trunk_flexion_deg=8))):
        rs = []
        for _ in range(16):
            r = judge.update(measure(k.simulate(posture, cam, t_s=t, noise_px=1.0, rng=rng)))
            rs.append(r.faults[0] if r.state == POOR and r.faults else r.state)
            t += 0.25
        named[label] = rs[4:]
    assert named["slumped back"] == [SLUMPED] * 12, named
    assert named["forward head"] == [FORWARD_LEAN] * 12, named


def test_a_recline_far_past_its_threshold_needs_less_of_a_second_sign():
    """Dev footage: a 24-degree slump back in the chair was found only through the model's guess of the neck's
    length, 10 % shorter in one picture and 3.4 % (0.49 of its threshold, under the gate's 0.5) in the same
    picture turned 5 degrees; framed closer, two more such slumps were missed. The recline and its second sign
    multiply; the head's sink in the picture (a camera moved up or down sinks it too) keeps the plain gate.
    (Those signs are a profile's without the hips' place on the seat, one made before it was measured.)"""
    from posture_watch.core.deviation_slump import slump_severity
    from posture_watch.core.judge import JudgeConfig

    cfg = JudgeConfig()
    assert slump_severity({"trunk_recline_deg": 2.4, "neck_shortening_pct": 0.49, "head_sink_pct": 0.3}, cfg) == 2.4
    assert slump_severity({"trunk_recline_deg": 1.2, "neck_shortening_pct": 0.3, "head_sink_pct": 0.1}, cfg) == 0.3
    assert slump_severity({"head_sink_pct": 2.0, "neck_shortening_pct": 0.3}, cfg) == 0.3
    assert slump_severity({"trunk_recline_deg": 2.4, "neck_shortening_pct": -0.5}, cfg) == -0.5
    # with the hips' place measured, the recline's signs are the hips slid forward and the back rounded, not the
    # head's sink or the neck's length: the dev footage's lean back labelled upright (22 degrees, the hips 18 % of
    # the trunk's length back, the head 9 % lower, the neck 5 % shorter) is not a slump; the same recline with the
    # hips slid 5 % of the trunk forward is
    womanc = {"trunk_recline_deg": 2.2, "neck_shortening_pct": 0.7, "head_sink_pct": 0.47, "back_rounding_pct": 0.11}
    assert slump_severity({**womanc, "seat_slide_pct": -0.9}, cfg) < cfg.slump_gate_severity
    assert slump_severity({**womanc, "seat_slide_pct": 0.25}, cfg) == 2.2
    assert slump_severity({**womanc, "seat_slide_pct": -0.9, "back_rounding_pct": 0.3}, cfg) == 2.2


@pytest.mark.parametrize("slide_m, expected", [(0.0, GOOD), (0.04, SLUMPED)], ids=["hips-in-place", "hips-slid-4cm"])
def test_leaning_back_20_degrees_is_a_slump_only_when_the_hips_slid_forward(slide_m, expected):
    """Leaning back 20 degrees behind one's upright against the backrest, the hips where they were, lowers the
    head by 6 % of the body's size: that was called a slump (the head's sink was the recline's sign). A backrest
    inclined 20-30 degrees is where the discs are loaded least (Andersson et al. 1974, Scand J Rehabil Med
    6:104); sliding down the seat is the slump."""
    rng = np.random.default_rng(5)
    judge, t = Judge(_profile(k.SIDE)), 0.0
    for _ in range(8):
        judge.update(measure(k.simulate(k.UPRIGHT, k.SIDE, t_s=t, noise_px=1.0, rng=rng)))
        t += 0.25
    named = []
    for _ in range(16):
        r = judge.update(measure(k.simulate(k.Posture(trunk_flexion_deg=-20, sink_m=slide_m), k.SIDE, t_s=t,
                                            noise_px=1.0, rng=rng)))
        named.append(r.faults[0] if r.state == POOR and r.faults else r.state)
        t += 0.25
    assert named[2:] == [expected] * 14, named


@pytest.mark.parametrize("deg", [12.0, -12.0], ids=["away-from-the-camera", "towards-the-camera"])
def test_a_sideways_lean_seen_from_a_camera_at_45_degrees_is_a_sideways_lean(deg):
    """Leaning 12 degrees sideways, away from a camera 45 degrees round the desk, turns the shoulder line
    and the ear line by 16 degrees alike, which the judge took for the camera turned about its axis and
    forgave: the lean was good. A nudged camera turns a few degrees; only that much is the camera's.
    Leaning towards the camera also brings the head closer to it and lower in the picture (the forward
    lean's signs), and with the tilt in the body's degrees (1 / cos 45 less than in the picture) the forward
    lean is named first there; the lateral lean is still named."""
    cam = k.Camera("oblique", distance_m=0.9, height_m=0.1, hfov_deg=65, aim_drop_m=0.25, azimuth_deg=45)
    rng = np.random.default_rng(8)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=1.0, rng=rng)) for i in range(40)])
    judge, t = Judge(profile), 0.0
    for _ in range(8):
        assert judge.update(measure(k.simulate(k.UPRIGHT, cam, t_s=t, noise_px=1.0, rng=rng))).state in (GOOD, "unknown")
        t += 0.25
    named = []
    for _ in range(12):
        r = judge.update(measure(k.simulate(k.Posture(lateral_lean_deg=deg), cam, t_s=t, noise_px=1.0, rng=rng)))
        named.append(r.faults if r.state == POOR else r.state)
        t += 0.25
    if deg > 0:
        assert [n[0] for n in named[2:]] == [LATERAL_LEAN] * 10, named
    else:
        assert all(n != GOOD and LATERAL_LEAN in n for n in named[2:]), named


def test_a_deep_hunch_seen_from_the_side_is_still_the_user():
    """Seen on the dev footage (mirrored): in a deep forward hunch seen from the side the neck's length in
    the picture, and the body size built on it, shrank to under half of upright, and the judge took the
    hunched person for someone else ('away' for 4 s of a hunch). The trunk's length in the picture keeps its
    size; a pose small in every measure (a poster, someone far behind) is still not the user."""
    from posture_watch.core.deviation import not_the_user, tolerances
    from posture_watch.core.judge import JudgeConfig

    profile = _profile(k.SIDE)
    tol, cfg = tolerances(profile, JudgeConfig()), JudgeConfig()
    upright = measure(k.simulate(k.UPRIGHT, k.SIDE, t_s=0.0, noise_px=0.0))
    assert upright.get("trunk_length_frac")

    def scaled(by: dict[str, float]):
        return replace(upright, values={**upright.values, **{key: upright.get(key) * f for key, f in by.items()}})

    hunched = scaled({"neck_length_frac": 0.45, "body_size_frac": 0.45})
    assert not_the_user(hunched, tol, cfg) == ""
    poster = scaled({"neck_length_frac": 0.3, "body_size_frac": 0.3, "trunk_length_frac": 0.3})
    assert not_the_user(poster, tol, cfg) != ""


@pytest.mark.parametrize("azimuth", [60.0, 70.0])
def test_a_forward_head_seen_from_a_corner_camera_is_a_forward_lean_not_a_slump(azimuth):
    """From a corner camera the hips are out of the picture, so the head's sink is measured against the picture;
    a forward head lowers the head there too, and that sink explained (named) the forward head as a slump at
    every sample. A sink against the picture now names only what is no more severe than itself."""
    cam = k.Camera("oblique", distance_m=1.2, height_m=0.15, hfov_deg=65, aim_drop_m=0.3, azimuth_deg=azimuth)
    rng = np.random.default_rng(12)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=1.0, rng=rng)) for i in range(40)])
    judge, t = Judge(profile), 0.0
    named = []
    for _ in range(16):
        r = judge.update(measure(k.simulate(k.Posture(neck_flexion_deg=30, trunk_flexion_deg=8), cam, t_s=t,
                                            noise_px=1.0, rng=rng)))
        named.append(r.faults[0] if r.state == POOR and r.faults else r.state)
        t += 0.25
    assert named[2:].count(FORWARD_LEAN) >= 12, named


@pytest.mark.parametrize("cam", [k.LAPTOP, k.DESKTOP], ids=["laptop", "desktop"])
@pytest.mark.parametrize("yaw", [45.0, -60.0], ids=["turned-45", "turned-60-other-way"])
def test_a_forward_head_while_looking_at_a_second_screen_is_called(cam, yaw):
    """A head turned away since calibration (a second screen) drops only what the turn moves (the face's
    width, the ear line). Before, it dropped every head measure: a 30-degree neck bend held while turned
    was judged good on every frontal camera. The same turn held upright stays good."""
    rng = np.random.default_rng(4)
    judge, t = Judge(_profile(cam)), 0.0
    named = {}
    for name, posture in (("turned", k.Posture(head_yaw_deg=yaw)),
                          ("turned, head forward", k.Posture(head_yaw_deg=yaw, neck_flexion_deg=30, trunk_flexion_deg=8)),
                          ("turned again", k.Posture(head_yaw_deg=yaw))):
        rs = []
        for _ in range(20):
            rs.append(judge.update(measure(k.simulate(posture, cam, t_s=t, noise_px=1.0, rng=rng))))
            t += 0.25
        named[name] = [r.faults[0] if r.state == POOR and r.faults else r.state for r in rs[6:]]
    assert set(named["turned"]) == {GOOD}, named
    assert set(named["turned, head forward"]) == {FORWARD_LEAN}, named
    assert set(named["turned again"][4:]) == {GOOD}, named


@pytest.mark.parametrize("azimuth", [0.0, 30.0, 45.0])
def test_a_sideways_lean_is_measured_in_the_body_s_degrees_from_any_angle_round_the_desk(azimuth):
    """From 45 degrees round the desk a line across the body tilts 1.4 times as much in the picture as in the
    body: a 3-degree sideways lean read as 4 degrees of shoulder tilt (poor in 40 % of the simulator's samples),
    a 12-degree one as 16. The tilt is taken back to the body's degrees by the cosine of the camera's angle (the
    head's calibrated turn); from in front nothing changes."""
    rng = np.random.default_rng(7)
    cam = k.Camera("oblique", distance_m=0.9, height_m=0.1, hfov_deg=65, aim_drop_m=0.25, azimuth_deg=azimuth)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=2.0, rng=rng)) for i in range(40)])
    for lean in (3.0, 6.0, 12.0):
        judge = Judge(profile)
        seen = [judge.update(measure(k.simulate(k.Posture(lateral_lean_deg=lean), cam, t_s=i / 4, noise_px=0.5, rng=rng)))
                for i in range(12)]
        tilt = float(np.median([r.deviations["shoulder_tilt_deg"] for r in seen]))
        assert abs(tilt - lean) <= 0.15 * lean + 0.3, (lean, tilt)
        if lean == 12.0:
            assert all(r.state == POOR and r.faults[0] == LATERAL_LEAN for r in seen[4:])
        if lean == 3.0:
            assert all(r.state == GOOD for r in seen[4:])


def test_a_sideways_lean_seen_from_a_camera_60_degrees_round_the_desk_is_found():
    """A three-quarter view (a camera 60 degrees round the desk) judged the side view's measures and the lean-in
    only: a 12-degree sideways lean was found in 35 % of the simulator's samples, only when leaning towards the
    camera. The shoulder line's tilt, in the body's degrees (times cos 60), is judged there too; upright, a head
    turned 25 degrees and a 3-degree lean stay good; a lean either way is named a sideways lean (towards the
    camera it was named a forward lean first while the lean-in, the person larger in the picture, was judged)."""
    rng = np.random.default_rng(9)
    cam = k.Camera("oblique", distance_m=1.2, height_m=0.2, hfov_deg=65, aim_drop_m=0.3, azimuth_deg=60.0)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=2.0, rng=rng)) for i in range(40)])
    assert profile.view == "three_quarter"
    named = {}
    for name, posture in (("upright", k.UPRIGHT), ("turned 25", k.Posture(head_yaw_deg=25)),
                          ("lean 3", k.Posture(lateral_lean_deg=3)), ("lean 12", k.Posture(lateral_lean_deg=12)),
                          ("lean -12", k.Posture(lateral_lean_deg=-12))):
        judge = Judge(profile)
        rs = [judge.update(measure(k.simulate(posture, cam, t_s=i / 4, noise_px=2.0, rng=rng))) for i in range(20)]
        named[name] = {r.faults[0] if r.state == POOR and r.faults else r.state for r in rs[4:]}
    assert named["upright"] == named["turned 25"] == named["lean 3"] == {GOOD}, named
    assert named["lean 12"] == named["lean -12"] == {LATERAL_LEAN}, named


@pytest.mark.parametrize("distance_m", [0.9, 1.0, 1.5])
def test_a_corner_camera_moved_nearer_or_farther_after_calibration_calls_nobody_poor(distance_m):
    """From 60 degrees round the desk the lean-in (the person larger in the picture) is not judged: the trunk's
    and the neck's angles see a lean towards the screen there, and a camera set 20-30 cm nearer than at
    calibration (1.2 m) made an upright person 24-36 % larger, a forward lean at every sample. A forward head
    there is still poor at every sample (the camera moved, so what it is named first varies: the head's sink
    against the hips in the picture moved too)."""
    rng = np.random.default_rng(9)
    def cam(d: float) -> k.Camera:
        return k.Camera("oblique", distance_m=d, height_m=0.2, hfov_deg=65, aim_drop_m=0.3, azimuth_deg=60.0)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam(1.2), t_s=i / 10, noise_px=2.0, rng=rng))
                             for i in range(40)])
    assert profile.view == "three_quarter"
    judge = Judge(profile)
    rs = [judge.update(measure(k.simulate(k.UPRIGHT, cam(distance_m), t_s=i / 4, noise_px=2.0, rng=rng)))
          for i in range(20)]
    assert {r.state for r in rs[4:]} == {GOOD}, [(r.state, r.faults) for r in rs]
    leaning = [judge.update(measure(k.simulate(k.Posture(neck_flexion_deg=30, trunk_flexion_deg=15), cam(distance_m),
                                               t_s=5 + i / 4, noise_px=2.0, rng=rng))) for i in range(20)]
    assert all(r.state == POOR for r in leaning[6:]), [(r.state, r.faults) for r in leaning]


@pytest.mark.parametrize("azimuth, distance_m", [(55.0, 1.2), (55.0, 0.9), (60.0, 0.9)])
def test_a_forward_head_seen_at_three_quarter_is_called_when_its_pictures_look_frontal(azimuth, distance_m):
    """A forward head seen from 55-60 degrees round the desk shortens the neck in the picture until each picture
    looks frontal (the shoulders' width against the neck's length). The side measures were taken only in side
    and three-quarter pictures, so the person calibrated at three-quarter lost them: a 20-degree forward head was
    poor in 5 (55 degrees) and 8 (60 degrees, closer) of 16 samples. They are taken in every picture now."""
    rng = np.random.default_rng(3)
    cam = k.Camera("oblique", distance_m=distance_m, height_m=0.2, hfov_deg=65, aim_drop_m=0.3, azimuth_deg=azimuth)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=2.0, rng=rng)) for i in range(40)])
    assert profile.view == "three_quarter"
    states = {}
    for name, posture in (("upright", k.UPRIGHT), ("forward head", k.Posture(neck_flexion_deg=20))):
        judge = Judge(profile)
        ms = [measure(k.simulate(posture, cam, t_s=i / 4, noise_px=2.0, rng=rng)) for i in range(20)]
        if name == "forward head":
            assert sum(m.view == "frontal" for m in ms) >= 16, [m.view for m in ms]
        states[name] = [(r.state, r.faults[:1]) for r in (judge.update(m) for m in ms)][4:]
    assert set(states["upright"]) == {(GOOD, ())}, states
    assert set(states["forward head"]) == {(POOR, (FORWARD_LEAN,))}, states


@pytest.mark.parametrize("azimuth", [45.0, 50.0])
def test_a_head_turned_further_from_a_camera_round_the_desk_is_no_sideways_lean(azimuth):
    """The ear line's apparent tilt from a turn grows with tan(turn from the camera): from a camera 45-50 degrees
    round the desk, a head turned 25 degrees further away tilted it by 28 degrees in the picture, and taken as
    a turn of 25 degrees from the front (8 degrees forgiven) it was a sideways lean at every sample. The tilt
    forgiven is now the change between the head's calibrated turn and its turn now; a 12-degree sideways lean
    seen from there is still one."""
    rng = np.random.default_rng(1)
    cam = k.Camera("oblique", distance_m=0.7, height_m=0.2, hfov_deg=65, aim_drop_m=0.25, azimuth_deg=azimuth)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=2.0, rng=rng)) for i in range(40)])
    named = {}
    for name, posture in (("turned 25", k.Posture(head_yaw_deg=25)), ("lean 12", k.Posture(lateral_lean_deg=12))):
        judge = Judge(profile)
        rs = [judge.update(measure(k.simulate(posture, cam, t_s=i / 4, noise_px=2.0, rng=rng))) for i in range(20)]
        named[name] = {r.faults[0] if r.state == POOR and r.faults else r.state for r in rs[4:]}
    assert named == {"turned 25": {GOOD}, "lean 12": {LATERAL_LEAN}}, named


@pytest.mark.parametrize("azimuth, yaw", [(0.0, 80.0), (40.0, 50.0)])
def test_a_head_turned_to_profile_is_still_the_user_and_no_sideways_lean(azimuth, yaw):
    """A head turned to profile before the camera (a colleague, a second screen) brings the ears together in the
    picture: by the ears alone the head was out of proportion to the shoulders, nobody was there, and the time
    counted as away. The head's width is now taken face on (its ears' distance and the nose's offset, the head
    model of head_yaw_deg). Its ear line, seen edge on from a side view's angle, is not judged: it was a sideways
    lean. A forward head held in that turn is still called."""
    rng = np.random.default_rng(2)
    cam = k.Camera("oblique", distance_m=0.9, height_m=-0.2, hfov_deg=65, aim_drop_m=0.25, azimuth_deg=azimuth)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=2.0, rng=rng)) for i in range(40)])
    named = {}
    for name, posture in (("turned", k.Posture(head_yaw_deg=yaw)),
                          ("turned, head forward", k.Posture(head_yaw_deg=yaw, neck_flexion_deg=30, trunk_flexion_deg=8))):
        judge = Judge(profile)
        rs = [judge.update(measure(k.simulate(posture, cam, t_s=i / 4, noise_px=2.0, rng=rng))) for i in range(20)]
        named[name] = {r.faults[0] if r.state == POOR and r.faults else r.state for r in rs[4:]}
    assert named == {"turned": {GOOD}, "turned, head forward": {FORWARD_LEAN}}, named


@pytest.mark.parametrize("mirrored", [False, True], ids=["facing-right", "facing-left"])
def test_the_seat_slide_is_signed_by_the_recline_not_by_the_way_the_nose_points(mirrored):
    """The hips' slide is read against the way the shoulders moved over them, so it needs no facing: a camera on
    either side reads it alike, and a head turned to face a three-quarter camera (which flips a facing taken from
    the nose) cannot flip it. Positions in the picture's width; the upright trunk 0.2 of it long."""
    from posture_watch.core.deviation_slump import seat_slide_pct
    from posture_watch.core.deviation_table import Tolerances
    from posture_watch.core.geometry import Metrics

    x = (lambda v: 1.0 - v) if mirrored else (lambda v: v)       # facing right: forward = +x
    tol = Tolerances(view="side", base={"hip_x_frac": x(0.40), "shoulder_x_frac": x(0.42), "trunk_length_frac": 0.2})

    def slide(hip: float, shoulders: float) -> float:
        return seat_slide_pct(Metrics(t_s=0.0, values={"hip_x_frac": x(hip), "shoulder_x_frac": x(shoulders)}), tol)

    assert slide(0.40, 0.34) == pytest.approx(0.0)        # leaning back about the hips: they stay
    assert slide(0.43, 0.36) == pytest.approx(15.0)       # slid 3 % of the width (15 % of the trunk) forward
    assert slide(0.37, 0.30) == pytest.approx(-15.0)      # the hips went back with the shoulders (footage: -18 %)


@pytest.mark.parametrize("distance, height", [(0.55, -0.22), (0.6, -0.35), (0.8, 0.0)])
def test_a_chair_pulled_in_is_not_a_lean_but_a_lean_in_still_is(distance, height):
    """Sitting upright 10 cm nearer the screen (the chair pulled in, or the laptop or phone moved nearer: the dev
    footage's phone photos taken from nearer made the shoulders 30-50 % larger) makes the face and the shoulders
    larger alike, and the lean-in group read it as a lean. A lean towards the screen brings the head nearer than
    the shoulders (deviation_confounds.lean_in_counted), so the lean in is still a forward lean, and a round back
    with a sink still poor."""
    rng = np.random.default_rng(11)
    cam = k.Camera("frontal", distance_m=distance, height_m=height)
    profile = build_profile([measure(k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=2.0, rng=rng)) for i in range(40)])
    judge, t, named = Judge(profile), 0.0, {}
    for name, posture in (("upright", k.UPRIGHT), ("pulled in", k.Posture(forward_shift_m=0.10)),
                          ("lean in", k.Posture(trunk_flexion_deg=20, neck_flexion_deg=10)),
                          ("pulled in again", k.Posture(forward_shift_m=0.10)),
                          ("sink + round", k.Posture(sink_m=0.05, thoracic_flexion_deg=15, neck_flexion_deg=10))):
        rs = []
        for _ in range(24):
            rs.append(judge.update(measure(k.simulate(posture, cam, t_s=t, noise_px=2.0, rng=rng))))
            t += 0.25
        named[name] = [r.faults[0] if r.state == POOR and r.faults else r.state for r in rs[8:]]
    assert set(named["upright"]) == {GOOD}, named["upright"]
    for name in ("pulled in", "pulled in again"):      # before: poor in 14-16 of 16 at two of the three cameras
        assert named[name].count(GOOD) >= 15, (name, named[name])
    assert named["lean in"] == [FORWARD_LEAN] * 16, named["lean in"]
    assert POOR not in named["sink + round"] and GOOD not in named["sink + round"], named["sink + round"]
