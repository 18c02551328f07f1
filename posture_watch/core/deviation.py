"""How far one sample is from the calibrated baseline, in human units, and how bad that is.

Pure. `assess(metrics, tolerances)` turns the named measures of `geometry` into deviations
(percent of head drop, approximate degrees, ...) and each deviation into a severity: the
deviation divided by its tolerance, so 1.0 is "at the threshold" whatever the unit.

Deviations are grouped; a group's severity is the weighted mean of its members' severities
(members that cannot be measured in this frame drop out), and a fault's severity is the
largest of its groups' plus `second_group_weight` times the second largest (when positive):
two independent signs of the same fault, each below its threshold, add up. In a side view the
groups share the shoulder landmark (its noise moves all of them), so they are not independent
and a second group adds nothing there. Grouping keeps one noisy measure from deciding alone, while two
different mechanisms (the head poking forward over the shoulders, or the whole trunk
leaning in towards the screen) can each call a forward lean on their own.

    group          fault            members (deviation: formula against baseline value b)
    head_forward   forward_lean     head_drop_pct = 100 (1 - head_drop_ratio / b)           w 1.0
                                    face_size_pct = 100 (face_size_ratio / b - 1)           w 0.6
    lean_in        forward_lean     face_scale_pct = 100 (face_width_frac / b - 1)         w 1.0
                                    shoulder_scale_pct = 100 (shoulder_width_frac / b - 1) w 1.0
                                    times the share of the approach that is a lean: the face grown
                                    against the shoulders (lean_in_counted; a chair pulled in is not a lean),
                                    but at least its own value up to `_APPROACH_ALONE`
    neck           forward_lean     neck_bend_deg = neck_flexion_world_deg - b     (frontal views, world)
                                    neck_shortening_pct = 100 (1 - neck_length_world_m / b)
    side_neck      forward_lean     head_forward_deg = b - cva_deg                 (side views; frontal
                                    ones from a camera round the desk: judged_groups)
    side_trunk     forward_lean     trunk_forward_deg = trunk_inclination_deg - b  (side views)
    back           thoracic_slouch  back_rounding_pct = 100 (1 - trunk_length_world_m / b) (hips seen)
    sink           slumped          shoulder_drop_pct = 100 (shoulder_y_frac - b) * H / (b_sw * W)
                                    counted in full only with a sign of it in the body's shape
                                    (SINK_SIGNS; see corroborated)
    slump          slumped          head_sink_pct or trunk_recline_deg = b - trunk_inclination_deg,
                                    each while another sign of the slump shows (side views): the
                                    recline's, seat_slide_pct (the hips slid forward on the seat,
                                    seat_slide_pct) or back_rounding_pct, its severity times the
                                    sign's; the sink's, the recline, back_rounding_pct or
                                    neck_shortening_pct (see slump_severity)
                                    head_sink_pct = head_height_frac - b (% of the body's size,
                                    above the hips), hips unseen: 100 (ear_y_frac - b) * H / (b_body * W)
    tilt           lateral_lean     shoulder_tilt_deg = |tilt - b - camera roll| cos(b head_yaw_deg)
    head_tilt      lateral_lean     head_tilt_deg = |head_roll_deg - b - camera roll| cos(b head_yaw_deg)
                                    (in the body's degrees: a camera round the desk, at the head's
                                    calibrated turn, sees a line across the body tilt 1 / cos more)

What each one sees and what confounds it:
- The world measures (neck, back) are an angle between body segments and lengths in metres from
  MediaPipe's 3-D estimate: they do not move with the camera (turned, shifted, zoomed, or seen
  from the front, side or three-quarter). Confounds: the model's own noise (2-4 degrees, 2-3 %
  frame to frame on the real traces) and its guess of hips hidden by a desk. A chin tilted up
  leaves the neck measures at or below their upright value, so it is not read as a slouch.
  The neck's ANGLE counts in frontal views only: from the side (dev footage) it moved 10-25 degrees
  between two upright photos of one person and fell in a forward hunch; CVA and neck length see it.
- head_forward (frontal, against the shoulder line): confounded by a head pitching down (forgiven
  per unit of pitch) and a shrug (forgiven); not by a camera turned about its axis.
- lean_in, sink: frame-referenced (size and height in the picture): a camera zoomed or moved up
  or down after calibration moves them as a lean or a sink would. A lean brings the head nearer than the
  shoulders, so the lean-in counts in proportion to the face's growth against the shoulders; a chair pulled in
  or a camera moved nearer grows both alike and is not a lean on its own (it still counts up to half its
  threshold, as a second sign: the face's growth in a small lean is within its frame-to-frame noise).
  A sink counts in full only when the body's shape shows a slump too (the ears nearer the shoulders, the neck
  shortened or bent forward, one at `slump_gate_severity`); a camera moved up or down, or a chair set lower,
  moves the whole picture of the person alike and is not called a slump (real traces moved by 5-10 % of the
  width: upright stays good). A sink while leaning in clearly (lean_in >= `explained_by_severity`) is the
  lean, not a slump.
- the shrug's forgiveness of a head drop is frame-referenced as well (the shoulders risen in the
  picture): it fades out when the ears rose too (the picture moved) or the face grew or came
  closer (the head came forward, which a shrug does not do).
- side_trunk, slump's recline: against the picture's vertical, so a side camera turned by a few
  degrees shifts them by as much; their floors (15 and 10 degrees, the slump also needs the head
  sunk) absorb a few degrees. side_neck: the same, plus head pitch (forgiven). The head's sink is
  measured above the hips in body sizes, so a camera moved or zoomed leaves it.
- tilt, head_tilt: the shoulder line and the ear line against the picture's horizontal; the turn
  they share is taken as the camera's (camera_roll_deg, flag camera_moved) unless the shoulders
  moved sideways as a lean about the hips would carry them. A head tilt is the commonest sideways
  lean at a webcam (dev footage: the ear line 14-29 degrees off, the shoulders level, the head
  shifted less than the removed lateral-offset rule's 15 %). Confounds: a head turned under a camera
  above or below the face tilts the ear line (forgiven, tilt_of_a_turn_deg); a brief roll.
The fault's severity is its strongest group plus `second_group_weight` of the next; a fault is
NAMED beside the main one only when one of its own groups is past its threshold alone.

The module is in four parts: this one judges a sample (`assess`: is it the user, the groups, the faults and
their names); `deviation_table` holds the table above and the tolerances; `deviation_confounds` what a
deviation forgives (the camera's turn, a turned or pitched head, a shrug, a chair pulled in) and what stands
in for shoulders below the frame; `deviation_slump` the slump's signs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from posture_watch.core import geometry as g
from posture_watch.core.deviation_confounds import (add_derived, camera_roll_deg, head_larger_or_lower, in_profile,
                                                    lean_in_counted, pitch_increase, shrug_share_pct,
                                                    tilt_of_a_turn_deg, turned_since_calibration)
from posture_watch.core.deviation_slump import corroborated, reclined, seat_slide_pct, slump_severity
from posture_watch.core.deviation_table import (CAMERA_ROLL, COMPONENTS, EXPLAINED_BY, FRAME_EXPLAINERS, FRAME_Y,
                                                GROUP_FAULT, HEAD_TURN, SHRUG, SINK_SIGNS, WORLD_IDENTITY_KEYS,
                                                Component, Tolerance, Tolerances, aspect_h_over_w, clipped,
                                                deviation_of, judged_groups, measure_of, restless_measures,
                                                tolerance_of, tolerances)
from posture_watch.core.domain import FORWARD_LEAN, SLUMPED
from posture_watch.core.judge_config import JudgeConfig

# read through this module by the judge, the calibration and the reports (defined in the parts named above)
__all__ = ["COMPONENTS", "GROUP_FAULT", "Assessment", "Component", "Tolerance", "Tolerances", "assess",
           "camera_roll_deg", "judged_groups", "measure_of", "not_the_user", "restless_measures", "size_ratios",
           "tolerance_of", "tolerances"]


@dataclass(frozen=True)
class Assessment:
    """One sample against the baseline, before smoothing."""

    present: bool
    size_ratio: float | None = None
    deviations: Mapping[str, float] = field(default_factory=dict)
    groups: Mapping[str, float] = field(default_factory=dict)      # group -> severity
    faults: Mapping[str, float] = field(default_factory=dict)      # fault -> severity
    # fault -> its strongest single group: a fault is NAMED beside the main one only when one
    # sign of it is past its threshold on its own (two half-signs add up to "poor", not to a name)
    evidence: Mapping[str, float] = field(default_factory=dict)
    reason: str = ""


def size_ratios(metrics: g.Metrics, tol: Tolerances) -> tuple[float, float] | None:
    """How big this person is against the calibrated user: (largest, smallest) of the frame-size
    ratios. A turned head shrinks the face and a slouch can hide the shoulders, so one ratio
    near 1 is enough for "big enough"; a tiny pose on a poster has all of them small."""
    ratios = [v / tol.base_size[k] for k in tol.base_size if (v := metrics.get(k)) is not None and v > 0]
    return (max(ratios), min(ratios)) if ratios else None


def not_the_user(metrics: g.Metrics, tol: Tolerances, config: "JudgeConfig") -> str:
    """Why this plausible pose is not the calibrated person at the desk ('' if it may be).

    Size against the calibrated size tells a poster, a cartoon or someone walking behind from the
    user: (a) the largest frame-size ratio must reach `min_size_ratio` and the smallest stay below
    `max_size_ratio`; (b) frontal, shoulders in view: the shoulder width alone must reach
    `min_shoulder_ratio` (a false pose on a cartoon had shoulders 1-6% of the frame, a sitter ~45%).
    With the shoulders outside the frame, (a) alone: a rule that the face keep 0.7 of its size there
    (a head turned away narrows it) took people in the dev footage framed closer for nobody (without it,
    spans named 34 -> 43 of the cached landmarks) and found no one else. From the side, (a) alone: the trunk's
    length in the picture (hips seen) keeps its size through a deep hunch, in which the neck's shrank
    to under half and the hunched person was taken for someone else (away, not poor)."""
    c = config
    ratios = size_ratios(metrics, tol)
    if ratios is not None and (ratios[0] < c.min_size_ratio or ratios[1] > c.max_size_ratio):
        return "not the calibrated person (size)"
    for key in WORLD_IDENTITY_KEYS:      # a person's own body lengths (metres) do not change
        v, b = metrics.get(key), tol.base.get(key)
        if v is not None and b and not c.min_world_length_ratio <= v / b <= 1.0 / c.min_world_length_ratio:
            return "not the calibrated person (body proportions)"
    base = tol.base_size
    if tol.view == g.SIDE:
        return ""
    sw = metrics.get("shoulder_width_frac")
    if (g.SHOULDERS_OUT_OF_FRAME not in metrics.flags and sw is not None and base.get("shoulder_width_frac")
            and sw < c.min_shoulder_ratio * base["shoulder_width_frac"]):
        return "not the calibrated person (shoulder width)"
    return ""


def assess(metrics: g.Metrics, tol: Tolerances, config: "JudgeConfig") -> Assessment:
    """Pure: deviations, group and fault severities of one sample."""
    if not metrics.person_present:
        return Assessment(present=False, reason="no plausible person")
    why = not_the_user(metrics, tol, config)
    ratios = size_ratios(metrics, tol)
    ratio = None if ratios is None else ratios[0]
    if why:
        return Assessment(present=False, size_ratio=ratio, reason=why)
    aspect = aspect_h_over_w(metrics.image_size)
    head_turned = (turned_since_calibration(metrics, tol) or in_profile(metrics)
                   or g.HEAD_OUT_OF_FRAME in metrics.flags)
    pitch_up = pitch_increase(metrics, tol)
    shoulders_out = g.SHOULDERS_OUT_OF_FRAME in metrics.flags
    roll = camera_roll_deg(metrics, tol)
    deviations: dict[str, float] = {}
    frame_groups = set(FRAME_EXPLAINERS)
    members: dict[str, list[tuple[float, float]]] = {}
    severity_of: dict[str, float] = {}
    for comp in COMPONENTS:
        t = tolerance_of(comp, tol)
        value = metrics.get(measure_of(comp, tol.face_on))
        if t is None or value is None or comp.deviation in deviations:
            continue     # (a deviation with two measures: the first one this frame has)
        scale = tol.base_body_frac if comp.scale == "body" else tol.base_sw_frac
        d = deviation_of(comp, value, t.base, scale, aspect)
        if d is None:
            continue
        if CAMERA_ROLL <= comp.forgives:
            # the camera's own turn is not a lean; and a line seen from the camera's angle round the desk
            # (the head's calibrated turn) tilts further in the picture than in the body, by 1 / cos(angle)
            d = abs(value - t.base - roll) * tol.obliquity
        if HEAD_TURN <= comp.forgives:
            d = max(0.0, d - tilt_of_a_turn_deg(metrics, tol))
        if SHRUG <= comp.forgives and d > 0:
            d = max(0.0, d - shrug_share_pct(metrics, tol, aspect))
        if comp.pitch_discount and d > 0:
            key = "head_pitch_deg" if comp.group.startswith("side") else "head_pitch_ratio"
            d = max(0.0, d - comp.pitch_discount * pitch_up.get(key, 0.0))
        deviations[comp.deviation] = d
        if comp.how == FRAME_Y and comp.group == "slump":
            frame_groups.add("slump")    # the head's sink against the picture (hips unseen), not the hips
        if comp.needs_head and head_turned:
            continue
        members.setdefault(comp.group, []).append((clipped(d / t.tol), t.weight))
        severity_of[comp.deviation] = clipped(d / t.tol)
    groups = {name: sum(s * wt for s, wt in m) / sum(wt for _, wt in m) for name, m in members.items()
              if name != "slump"}
    slide = seat_slide_pct(metrics, tol) if "trunk_recline_deg" in severity_of else None
    if slide is not None:
        deviations["seat_slide_pct"] = slide
        severity_of["seat_slide_pct"] = clipped(slide / config.seat_slide_tol_pct)
    slump = slump_severity(severity_of, config)
    if slump is not None:
        groups["slump"] = slump
    if groups.get("lean_in", 0.0) > 0 and not head_turned and "face_size_pct" in deviations:
        groups["lean_in"] = lean_in_counted(groups["lean_in"], deviations)
    stand_in = head_larger_or_lower(metrics, tol, aspect, config) if shoulders_out else 0.0
    if stand_in >= 1.0:
        groups["sink"] = max(groups.get("sink", 0.0), stand_in)
    if "sink" in groups:
        signs = [severity_of[k] for k in SINK_SIGNS if k in severity_of]
        groups["sink"] = corroborated(groups["sink"], signs, config)
    add_derived(deviations, metrics, tol)
    if roll:
        deviations["camera_roll_deg"] = roll
    by_fault: dict[str, list[float]] = {}
    for name, sev in groups.items():
        by_fault.setdefault(_named_by(name, groups, config, frame_groups), []).append(sev)
    faults, evidence = {}, {}
    for fault, sevs in by_fault.items():
        sevs.sort(reverse=True)
        w2 = 0.0 if tol.view == g.SIDE else config.second_group_weight   # side: one landmark moves them all
        faults[fault] = sevs[0] + (w2 * max(0.0, sevs[1]) if len(sevs) > 1 else 0.0)
        evidence[fault] = sevs[0]
    if reclined(groups, severity_of, tol.view, config):
        faults, evidence = _renamed(faults, FORWARD_LEAN, SLUMPED), _renamed(evidence, FORWARD_LEAN, SLUMPED)
    return Assessment(present=True, size_ratio=ratio, deviations=deviations, groups=groups, faults=faults,
                      evidence=evidence)


def _renamed(severities: Mapping[str, float], old: str, new: str) -> dict[str, float]:
    """`old`'s severity under the name `new` (the larger of the two where both are): the largest stays the largest."""
    out = {k: v for k, v in severities.items() if k != old}
    if old in severities:
        out[new] = max(severities[old], out.get(new, -math.inf))
    return out


def _named_by(name: str, groups: Mapping[str, float], config: "JudgeConfig",
              frame_groups: frozenset[str] | set[str] = FRAME_EXPLAINERS) -> str:
    """The fault a group's severity is named by: that of the group that explains it (EXPLAINED_BY, when that
    group reaches `explained_by_severity` and is not explained away itself: a back rounding while the trunk
    tips forward is a slouch, not a slump), else its own."""
    def explains(by: str) -> bool:
        return groups.get(by, -math.inf) >= config.explained_by_severity and not any(
            explains(b) for b in EXPLAINED_BY.get(by, ()))
    for by in EXPLAINED_BY.get(name, ()):
        if explains(by) and (by not in frame_groups or groups[by] >= groups[name]):
            return GROUP_FAULT[by]
    return GROUP_FAULT[name]
