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
                                    against the shoulders (_lean_in_counted; a chair pulled in is not a lean),
                                    but at least its own value up to `_APPROACH_ALONE`
    neck           forward_lean     neck_bend_deg = neck_flexion_world_deg - b     (frontal views, world)
                                    neck_shortening_pct = 100 (1 - neck_length_world_m / b)
    side_neck      forward_lean     head_forward_deg = b - cva_deg                 (side views; frontal
                                    ones from a camera round the desk: judged_groups)
    side_trunk     forward_lean     trunk_forward_deg = trunk_inclination_deg - b  (side views)
    back           thoracic_slouch  back_rounding_pct = 100 (1 - trunk_length_world_m / b) (hips seen)
    sink           slumped          shoulder_drop_pct = 100 (shoulder_y_frac - b) * H / (b_sw * W)
                                    counted in full only with a sign of it in the body's shape
                                    (SINK_SIGNS; see _corroborated)
    slump          slumped          head_sink_pct or trunk_recline_deg = b - trunk_inclination_deg,
                                    each while another sign of the slump shows (side views): the
                                    recline's, seat_slide_pct (the hips slid forward on the seat,
                                    _seat_slide_pct) or back_rounding_pct, its severity times the
                                    sign's; the sink's, the recline, back_rounding_pct or
                                    neck_shortening_pct (see _slump_severity)
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
  above or below the face tilts the ear line (forgiven, _tilt_of_a_turn_deg); a brief roll.
The fault's severity is its strongest group plus `second_group_weight` of the next; a fault is
NAMED beside the main one only when one of its own groups is past its threshold alone.
Shoulders guessed outside the frame count as they are (the face and the ears stand in for a sink the
picture lost: _head_larger_or_lower). Halving the weight of the measures that read them within their
group did next to nothing: in four of their five groups every member reads them, and without it no
accuracy section changed but the real trace's camera shifted 5 % up (`--section real`: dziperA's poor
samples found 97 -> 100 %). Halving their severity instead missed the webcams' sideways leans framed
closer (dev footage, top 70 % of the picture: benjrs 0.88-0.97 -> 0.73-0.90).

A shrug is not a slouch: the part of a head drop explained by the shoulders rising in the frame
beyond what the ears sank is not counted as head drop; it is reported as shoulder_rise_pct.
(Shoulders that rise while the ears sink as much are hunching into a slouch.)

Reading is not slouching: a head that pitches down (the nose drops against the ears) moves the
ear a little, so the head-drop and CVA deviations forgive `pitch_discount` units per unit of head
pitch above the baseline (head_pitch_ratio frontal, head_pitch_deg side). A slouch keeps the
gaze level, so it is not forgiven. A head turned away since calibration (|head_yaw_deg| past
geometry's head_turned_deg, looking at a second screen), or seen in profile (_in_profile), drops only
what the turn itself moves: the
face's width (face_size_pct, face_scale_pct: it narrows) and the ear line (head_tilt_deg: under a
camera above or below the face it tilts). The forward-head measures stay: the ears' height over the
shoulders, the CVA and the world neck hardly move with a turn, and dropping them hid every forward
head held while looking sideways (simulator: a 30-degree neck bend at 35-75 degrees of turn was good
on every frontal camera; it is now poor, and the turn held upright stays good). From the side the
midpoints of both ears and shoulders stay on the axes when the head turns; a rule that dropped the
head's measures when the nose came level with the ear hid every forward hunch, which does the same.

A tolerance is the configured floor, widened to `noise_k` baseline spreads when the person's
own capture was noisier and widened to cover the reading capture, but never past a CEILING of
`max_widen` (2) times the floor (a restless side capture made the trunk's tolerance wider than a
whole 25-degree hunch). In human units: CVA 16 degrees below one's upright (Yip et al. 2008, Man Ther
13:148: a CVA under 48-50 degrees is a forward head; 16 below an upright 55-65 is past it), the trunk
30 degrees forward (ISO 11226:2000 allows 20-60 only for limited holds), a head tilt 16 degrees, the
frontal head drop 18 %. A capture asking for more was not still enough for a baseline. Then moved to
`slouch_fraction` of the personal slouch sample's deviation where that sample shows the measure clearly
responds (which also raises that measure's weight).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from typing import Mapping

from posture_watch.core.domain import FORWARD_LEAN, LATERAL_LEAN, SLUMPED, THORACIC_SLOUCH
from posture_watch.core import geometry as g
from posture_watch.core.judge_config import JudgeConfig
from posture_watch.core.profile import MeasureStats, Profile

REL_DOWN, REL_UP, FRAME_Y, ABS, DIFF_DOWN, DIFF_UP = "rel_down", "rel_up", "frame_y", "abs", "diff_down", "diff_up"
# what a deviation forgives: the part explained by a shrug (shoulders risen in the picture), or, for the
# shoulder line, the camera's own turn, or, for the ear line, a head turned under a camera above or below it
SHRUG, CAMERA_ROLL, HEAD_TURN = frozenset({"shrug"}), frozenset({"camera_roll"}), frozenset({"head_turn"})


@dataclass(frozen=True)
class Component:
    deviation: str          # the human-unit name reported in Reading.deviations
    measure: str            # the geometry measure it compares with the baseline
    how: str                # REL_DOWN | REL_UP | FRAME_Y | ABS | DIFF_DOWN | DIFF_UP
    tol_field: str          # the JudgeConfig field that holds its tolerance floor
    group: str
    weight: float = 1.0
    needs_head: bool = False        # dropped while the head is turned away (the turn moves it: face width, ear line)
    pitch_discount: float = 0.0     # deviation units forgiven per unit of head pitch above baseline
    scale: str = "sw"               # FRAME_Y: in baseline shoulder widths ("sw") or body sizes ("body")
    forgives: frozenset[str] = frozenset()   # SHRUG | CAMERA_ROLL: what it does not count (assess)
    views: tuple[str, ...] = g.VIEWS         # the calibrated views it is judged in


COMPONENTS: tuple[Component, ...] = (
    Component("head_drop_pct", "head_drop_ratio", REL_DOWN, "head_drop_tol_pct", "head_forward", 1.0,
              pitch_discount=10.0, forgives=SHRUG),
    Component("face_size_pct", "face_size_ratio", REL_UP, "face_size_tol_pct", "head_forward", 0.6, True),
    Component("face_scale_pct", "face_width_frac", REL_UP, "lean_in_tol_pct", "lean_in", 1.0, True),
    Component("shoulder_scale_pct", "shoulder_width_frac", REL_UP, "lean_in_tol_pct", "lean_in", 1.0),
    Component("shoulder_drop_pct", "shoulder_y_frac", FRAME_Y, "shoulder_drop_tol_pct", "sink", 1.0),
    Component("shoulder_tilt_deg", "shoulder_tilt_deg", ABS, "shoulder_tilt_tol_deg", "tilt", 1.0,
              forgives=CAMERA_ROLL),
    Component("head_tilt_deg", "head_roll_deg", ABS, "head_tilt_tol_deg", "head_tilt", 1.0, True,
              forgives=CAMERA_ROLL | HEAD_TURN),
    Component("head_forward_deg", "cva_deg", DIFF_DOWN, "cva_tol_deg", "side_neck", 1.0, pitch_discount=0.35),
    Component("trunk_forward_deg", "trunk_inclination_deg", DIFF_UP, "trunk_inclination_tol_deg", "side_trunk", 1.0),
    # from the world landmarks (camera-independent): the neck's angle against the trunk (frontal views
    # only, see the module docstring) and the ear-to-shoulder distance in metres (every view)
    Component("neck_bend_deg", "neck_flexion_world_deg", DIFF_UP, "neck_bend_tol_deg", "neck", 1.0,
              views=(g.FRONTAL,)),
    Component("neck_shortening_pct", "neck_length_world_m", REL_DOWN, "neck_shortening_tol_pct", "neck", 1.0,
              forgives=SHRUG),
    # the back: the spine rounding brings the shoulders towards the hips (hips seen)
    Component("back_rounding_pct", "trunk_length_world_m", REL_DOWN, "back_rounding_tol_pct", "back", 1.0),
    # slumped in the chair, seen from the side: the trunk reclined behind its upright, the head sunk
    Component("trunk_recline_deg", "trunk_inclination_deg", DIFF_DOWN, "trunk_recline_tol_deg", "slump", 1.0),
    # the head's sink: against the hips where the calibration saw them (a camera moved up or down
    # moves the hips as much), else against the picture
    Component("head_sink_pct", "head_height_frac", DIFF_UP, "head_sink_tol_pct", "slump", 1.0),
    Component("head_sink_pct", "ear_y_frac", FRAME_Y, "head_sink_tol_pct", "slump", 1.0, scale="body"),
)
# Signs in the body's own shape that a sink in the picture (frontal: the shoulders lower) is a slump
# and not a camera moved up or down or a chair set lower, which move the whole picture of the person
# alike: the ears nearer the shoulders, the neck bent or shortened. The neck's bend is one since its floor is 20
# degrees (the simulator's slump back seen from a laptop: its sunk shoulders were a slump in every sample only while
# its 13-degree bend counted as a forward head of its own). The person farther away (the lean-in group negative) was
# one too; without it every accuracy section scores the same but the simulated laptop population, whose upright
# samples called poor fell from 18 to 6 of 3840, so it went.
SINK_SIGNS = ("head_drop_pct", "neck_shortening_pct", "neck_bend_deg")

GROUP_FAULT = {
    "head_forward": FORWARD_LEAN, "lean_in": FORWARD_LEAN, "neck": FORWARD_LEAN,
    "side_neck": FORWARD_LEAN, "side_trunk": FORWARD_LEAN,
    "back": THORACIC_SLOUCH,
    "sink": SLUMPED, "slump": SLUMPED,
    "tilt": LATERAL_LEAN, "head_tilt": LATERAL_LEAN,
}
# The groups whose movement another group explains, and so are named by that group's fault: lower in
# the picture because the person leans in (closer to a frontal camera, or the trunk tipped forward seen
# from the side) is the lean, not a slump; and the other way round, a neck that shortens or bends, a back
# that rounds or a head that comes forward or drops while the body has sunk in the chair are the slump
# (slumping does all of them at once), not a forward lean or a slouch of their own. An explainer measured
# against the picture (FRAME_EXPLAINERS) explains only a group no more severe than itself: on the sample
# desk session the slow lean-in lowers the shoulders a little too, and a head drop named by that small
# sink called 12 % of its samples a slump as well; the real frontal slump (dev footage) sinks the
# shoulders by 35-60 % of their width, more than its head drops.
EXPLAINED_BY = {"sink": ("lean_in",), "slump": ("side_trunk",), "head_forward": ("sink",),
                "neck": ("slump", "sink"), "back": ("slump",), "side_neck": ("slump",)}
# (A frontal forward lean while reclined is named a slump after the faults are formed: _reclined.)

# explainers measured against the picture's frame (lower or larger in the picture): weaker evidence
# than the body's own shape, so they explain another group only when at least as severe as it; so is the
# slump when the head's sink is measured against the picture (hips unseen): a forward head also lowers
# the head in the picture (the simulator's three-quarter cameras named every forward head a slump)
FRAME_EXPLAINERS = frozenset({"sink", "lean_in"})

WORLD_IDENTITY_KEYS = ("shoulder_width_world_m",)
FRONTAL_SIZE_KEYS = ("face_width_frac", "shoulder_width_frac", "body_size_frac")
SIDE_SIZE_KEYS = ("neck_length_frac", "body_size_frac", "trunk_length_frac")
FRONTAL_GROUPS = ("head_forward", "lean_in", "sink", "tilt", "head_tilt", "neck")
SIDE_GROUPS = ("side_neck", "side_trunk", "slump", "neck", "back")
# three-quarter: the side measures (foreshortened, still against the person's own baseline) and the
# camera-independent ones; the frontal ratios over a shoulder width seen edge-on are too unstable. The
# shoulder line's tilt is an angle, and in the body's degrees (_obliquity: times cos 60 from 60 degrees)
# its noise is about a frontal view's: judged, a 12-degree sideways lean seen from 60 degrees is found
# (simulator: 35 -> 100 % of samples; upright, a turned head and a 3-degree lean stay good). The ear
# line is not: a head turned 25 degrees tilted it into a lean there. The camera's roll is not taken out
# in this view (its estimate flagged a camera moved in 7-17 % of a real side trace's shifted samples), so
# a camera turned 3-6 degrees after calibration made 4 % of that trace's upright samples poor. The lean-in
# (the person larger in the picture) is not judged there either: the trunk's and the neck's angles find a
# lean towards the screen from 60 degrees (simulator: 'lean in 20' 100 % without it, the grid unchanged).
THREE_QUARTER_GROUPS = SIDE_GROUPS + ("tilt",)


def _round_the_desk(profile: Profile) -> bool:
    """A frontal profile whose camera sits round the desk: the head calibrated turned from it by geometry's
    `frontal_max_yaw_deg` or more (the head faces the screen, so its turn is the camera's angle)."""
    yaw = profile.median("head_yaw_deg")
    return profile.view == g.FRONTAL and yaw is not None and abs(yaw) >= g.GeometryConfig().frontal_max_yaw_deg


# From a camera round the desk the head's size is read face on (geometry's head_size_ratio, head_width_frac: the ear
# distance and the nose's offset), not as the ears' distance in the picture: that distance changes with the head's
# turn by sin(the camera's angle) per radian, 0 from the front, 0.7 from 45 degrees, where a head turned 20-25 degrees
# towards the camera grew the face 30 % and was a lean-in or a forward head (simulator, sitters at random cameras
# 25-60 degrees round the desk, random upright postures: 373 of 2880 samples poor, 183 face on). From the front the
# ears' distance is the steadier (the nose adds its noise: a real webcam's upright samples at the lean-in's threshold
# crossed it: dev footage benjrs_p4a in-process, 0.993 -> 0.880 face on).
_FACE_ON = {"face_size_ratio": "head_size_ratio", "face_width_frac": "head_width_frac"}


def _face_on(profile: Profile) -> bool:
    """Whether `profile` reads the head's size face on: a camera round the desk, and a baseline that has the face-on
    measures (a profile made before they existed keeps the ears' distance)."""
    return _round_the_desk(profile) and all(m in profile.baseline for m in _FACE_ON.values())


def _measure_of(comp: Component, face_on: bool) -> str:
    """The geometry measure a component reads (_FACE_ON when the profile reads the head's size face on)."""
    return _FACE_ON.get(comp.measure, comp.measure) if face_on else comp.measure


def _view_groups(profile: Profile) -> tuple[str, ...]:
    """The groups of the profile's view."""
    return {g.FRONTAL: FRONTAL_GROUPS, g.SIDE: SIDE_GROUPS}.get(profile.view, THREE_QUARTER_GROUPS)


def judged_groups(profile: Profile) -> tuple[str, ...]:
    """The groups judged against `profile`: its view's, and, for a frontal view whose camera sits round the desk
    (the head calibrated turned from it by geometry's `frontal_max_yaw_deg` or more: the head faces the screen,
    so its turn is the camera's angle), the side view's CVA as well. From 40-50 degrees round the desk, below
    the face, a lean towards the screen turns the face edge-on as fast as it brings it nearer, so the face does
    not grow and the ears do not drop against the shoulders: the frontal measures saw a 20-degree lean only as
    shoulders at the sink's threshold (simulator placements: 'lean in 20' wrong at 6 of 54 cameras, named a
    slump), while the ear-to-shoulder line's angle in the picture fell by 19-29 degrees (upright 0.2, looking at
    the keyboard 5-7 before its pitch allowance, a 3-degree sideways lean 2-3). The torso's turn, which
    sorts the views, reads 0-27 degrees there: the shoulders' width against the neck is too coarse a gauge."""
    groups = _view_groups(profile)
    return groups + ("side_neck",) if _round_the_desk(profile) else groups


def _key(comp: Component, items: Mapping[str, "Tolerance"]) -> str:
    """Where a component's tolerance is kept: under its deviation's name, or, for the second
    measure of the same deviation (the head's sink against the hips, else against the picture),
    under 'deviation|measure'."""
    return comp.deviation if comp.deviation not in items else f"{comp.deviation}|{comp.measure}"


def tolerance_of(comp: Component, tol: "Tolerances") -> "Tolerance | None":
    t = tol.items.get(comp.deviation)
    if t is not None and t.measure in ("", comp.measure):
        return t
    return tol.items.get(f"{comp.deviation}|{comp.measure}")


def deviation_of(comp: Component, value: float, base: float, base_sw_frac: float | None,
                 aspect_h_over_w: float) -> float | None:
    """The human-unit deviation of `value` from `base`; positive = towards poor posture."""
    if comp.how == REL_DOWN:
        return 100.0 * (1.0 - value / base) if abs(base) > 1e-9 else None
    if comp.how == REL_UP:
        return 100.0 * (value / base - 1.0) if abs(base) > 1e-9 else None
    if comp.how == FRAME_Y:
        if not base_sw_frac:
            return None
        return 100.0 * (value - base) * aspect_h_over_w / base_sw_frac
    if comp.how == ABS:
        scale = 100.0 if comp.deviation.endswith("_pct") else 1.0
        return scale * abs(value - base)
    if comp.how == DIFF_DOWN:
        return base - value
    if comp.how == DIFF_UP:
        return value - base
    raise ValueError(comp.how)


def _spread_in_units(comp: Component, stats: MeasureStats, base_sw_frac: float | None, aspect: float) -> float:
    if comp.how in (REL_DOWN, REL_UP):
        return 100.0 * stats.spread / abs(stats.median) if abs(stats.median) > 1e-9 else math.inf
    if comp.how == FRAME_Y:
        return 100.0 * stats.spread * aspect / base_sw_frac if base_sw_frac else math.inf
    if comp.how == ABS and comp.deviation.endswith("_pct"):
        return 100.0 * stats.spread
    return stats.spread


@dataclass(frozen=True)
class Tolerance:
    base: float          # baseline median of the measure
    tol: float           # deviation (human units) that counts as severity 1
    weight: float
    measure: str = ""    # the measure it was calibrated on (a deviation may come from the first of two)


@dataclass(frozen=True)
class Tolerances:
    """Everything the judge needs from a profile, precomputed: per deviation name."""

    items: Mapping[str, Tolerance] = field(default_factory=dict)
    view: str = "frontal"
    base_sw_frac: float | None = None
    base_size: Mapping[str, float] = field(default_factory=dict)   # frame-size measures for "is it the user"
    base: Mapping[str, float] = field(default_factory=dict)          # every baseline median
    base_body_frac: float | None = None                              # FRAME_Y scale of side views
    obliquity: float = 1.0          # cos of the camera's angle round the desk (_obliquity): tilts in body degrees
    face_on: bool = False           # the head's size read face on (_FACE_ON, _measure_of)


def tolerances(profile: Profile, config: "JudgeConfig") -> Tolerances:
    """Pure: profile + JudgeConfig -> per-deviation baseline, tolerance and weight."""
    aspect = (profile.resolution[1] / profile.resolution[0]) if profile.resolution[0] else 9 / 16
    sw = profile.median("shoulder_width_frac")
    items: dict[str, Tolerance] = {}
    body = profile.median("body_size_frac")
    groups = judged_groups(profile)
    face_on = _face_on(profile)
    for comp in COMPONENTS:
        if comp.group not in groups or profile.view not in comp.views:
            continue
        measure = _measure_of(comp, face_on)
        stats = profile.baseline.get(measure)
        if stats is None:
            continue
        scale = body if comp.scale == "body" else sw
        floor = float(getattr(config, comp.tol_field))
        ceiling = config.max_widen * floor
        tol = min(ceiling, max(floor, config.noise_k * _spread_in_units(comp, stats, scale, aspect)))
        weight = comp.weight
        if profile.reading and measure in profile.reading:
            d = deviation_of(comp, profile.reading[measure].median, stats.median, scale, aspect)
            if d is not None and d > 0:
                tol = max(tol, min(config.reading_margin * d, ceiling))
        if profile.slouch and measure in profile.slouch:
            d = deviation_of(comp, profile.slouch[measure].median, stats.median, scale, aspect)
            if d is not None and d >= 0.5 * tol:
                weight = comp.weight * min(2.0, max(0.5, d / tol / 2.0))   # clearly responds: counts more
                # a personal threshold, but never below the floor: a floor is a human amount
                tol = min(max(config.slouch_fraction * d, floor), 1.5 * tol)
            elif d is not None:
                weight = comp.weight * 0.5
        if math.isfinite(tol) and tol > 0:
            items[_key(comp, items)] = Tolerance(stats.median, tol, weight, comp.measure)
    size_keys = SIDE_SIZE_KEYS if profile.view == g.SIDE else FRONTAL_SIZE_KEYS
    size = {k: v for k in size_keys if (v := profile.median(k))}
    base = {k: v.median for k, v in profile.baseline.items()}
    return Tolerances(items=items, view=profile.view, base_sw_frac=sw, base_size=size, base=base,
                      base_body_frac=body, obliquity=_obliquity(base), face_on=face_on)


def restless_measures(profile: Profile, config: "JudgeConfig") -> list[tuple[str, float, float]]:
    """Pure: (deviation, the tolerance the capture's own spread asks for, its ceiling) of every judged
    measure whose upright capture was too restless to be a baseline: `noise_k` of its spreads reach past
    the ceiling of `max_widen` times the floor. The capture checks refuse such a capture."""
    aspect = (profile.resolution[1] / profile.resolution[0]) if profile.resolution[0] else 9 / 16
    sw, body = profile.median("shoulder_width_frac"), profile.median("body_size_frac")
    groups = _view_groups(profile)    # (not the CVA added round the desk: it never refuses a capture)
    out = []
    for comp in COMPONENTS:
        stats = profile.baseline.get(comp.measure)
        if comp.group not in groups or profile.view not in comp.views or stats is None:
            continue
        ceiling = config.max_widen * float(getattr(config, comp.tol_field))
        asked = config.noise_k * _spread_in_units(comp, stats, body if comp.scale == "body" else sw, aspect)
        if math.isfinite(asked) and asked > ceiling:
            out.append((comp.deviation, asked, ceiling))
    return out


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


# a measure's severity counts between these (a deviation far past its threshold, or far on the good side, does
# not outweigh the other members of its group)
_SEVERITY_MIN, _SEVERITY_MAX = -2.0, 4.0


def _clipped(severity: float) -> float:
    return max(_SEVERITY_MIN, min(_SEVERITY_MAX, severity))


def assess(metrics: g.Metrics, tol: Tolerances, config: "JudgeConfig") -> Assessment:
    """Pure: deviations, group and fault severities of one sample."""
    if not metrics.person_present:
        return Assessment(present=False, reason="no plausible person")
    why = not_the_user(metrics, tol, config)
    ratios = size_ratios(metrics, tol)
    ratio = None if ratios is None else ratios[0]
    if why:
        return Assessment(present=False, size_ratio=ratio, reason=why)
    w, h = metrics.image_size
    aspect = h / w if w else 9 / 16
    head_turned = (_turned_since_calibration(metrics, tol) or _in_profile(metrics)
                   or g.HEAD_OUT_OF_FRAME in metrics.flags)
    pitch_up = _pitch_increase(metrics, tol)
    shoulders_out = g.SHOULDERS_OUT_OF_FRAME in metrics.flags
    roll = camera_roll_deg(metrics, tol)
    deviations: dict[str, float] = {}
    frame_groups = set(FRAME_EXPLAINERS)
    members: dict[str, list[tuple[float, float]]] = {}
    severity_of: dict[str, float] = {}
    for comp in COMPONENTS:
        t = tolerance_of(comp, tol)
        value = metrics.get(_measure_of(comp, tol.face_on))
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
            d = max(0.0, d - _tilt_of_a_turn_deg(metrics, tol))
        if SHRUG <= comp.forgives and d > 0:
            d = max(0.0, d - _shrug_share_pct(metrics, tol, aspect))
        if comp.pitch_discount and d > 0:
            key = "head_pitch_deg" if comp.group.startswith("side") else "head_pitch_ratio"
            d = max(0.0, d - comp.pitch_discount * pitch_up.get(key, 0.0))
        deviations[comp.deviation] = d
        if comp.how == FRAME_Y and comp.group == "slump":
            frame_groups.add("slump")    # the head's sink against the picture (hips unseen), not the hips
        if comp.needs_head and head_turned:
            continue
        members.setdefault(comp.group, []).append((_clipped(d / t.tol), t.weight))
        severity_of[comp.deviation] = _clipped(d / t.tol)
    groups = {name: sum(s * wt for s, wt in m) / sum(wt for _, wt in m) for name, m in members.items()
              if name != "slump"}
    slide = _seat_slide_pct(metrics, tol) if "trunk_recline_deg" in severity_of else None
    if slide is not None:
        deviations["seat_slide_pct"] = slide
        severity_of["seat_slide_pct"] = _clipped(slide / config.seat_slide_tol_pct)
    slump = _slump_severity(severity_of, config)
    if slump is not None:
        groups["slump"] = slump
    if groups.get("lean_in", 0.0) > 0 and not head_turned and "face_size_pct" in deviations:
        groups["lean_in"] = _lean_in_counted(groups["lean_in"], deviations)
    stand_in = _head_larger_or_lower(metrics, tol, aspect, config) if shoulders_out else 0.0
    if stand_in >= 1.0:
        groups["sink"] = max(groups.get("sink", 0.0), stand_in)
    if "sink" in groups:
        signs = [severity_of[k] for k in SINK_SIGNS if k in severity_of]
        groups["sink"] = _corroborated(groups["sink"], signs, config)
    _add_derived(deviations, metrics, tol)
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
    if _reclined(groups, severity_of, tol.view, config):
        faults, evidence = _renamed(faults, FORWARD_LEAN, SLUMPED), _renamed(evidence, FORWARD_LEAN, SLUMPED)
    return Assessment(present=True, size_ratio=ratio, deviations=deviations, groups=groups, faults=faults,
                      evidence=evidence)


def _reclined(groups: Mapping[str, float], severity_of: Mapping[str, float], view: str, config: "JudgeConfig") -> bool:
    """Frontal: farther from the camera than upright (the lean-in group at -`explained_by_severity` or less) with the
    shoulders not risen in the picture past `slump_gate_severity` of the sink's threshold. From the side and at
    three-quarter: the trunk reclined behind its upright by `explained_by_severity` of the recline's threshold, a
    slump's sign or not (_slump_severity): leaning back with the neck shortened (the chin sunk towards the chest)
    is the slump from every side, and was named one from the front and a forward lean from the side.

    That is how a recline shows from the front (the side view measures it as an angle, trunk_recline_deg), and a
    forward lean while reclined (a head come forward or a neck shortened) is the slump from every side, so `assess`
    names it one (_renamed). The simulator's "reclined, chin down" (trunk 30 degrees back, neck 30 bent) was a slump
    from the side and a forward lean from the front; the dev footage's frontal slump back came 13-27 % smaller in
    the picture with the head 7-18 % nearer the shoulders and was named a forward lean at every sample.
    Confound: a camera moved back or zoomed out after calibration reads as a recline too, and a forward head held
    there is then named a slump. A slump does not lift the shoulders: the real neck-levels trace's deep neck bend,
    farther away with the shoulders risen twice the sink's threshold, had 4 of its 102 forward-lean samples named
    slumps without that condition. Only the name moves, after the faults are formed: regrouping the head's and the
    neck's groups with the sink (EXPLAINED_BY) changed the fault's severity too, and 0.5 % more upright samples of
    the simulated laptop population were poor."""
    if view != g.FRONTAL:
        return severity_of.get("trunk_recline_deg", 0.0) >= config.explained_by_severity
    return (groups.get("lean_in", 0.0) <= -config.explained_by_severity
            and groups.get("sink", 0.0) > -config.slump_gate_severity)


def _renamed(severities: Mapping[str, float], old: str, new: str) -> dict[str, float]:
    """`old`'s severity under the name `new` (the larger of the two where both are): the largest stays the largest."""
    out = {k: v for k, v in severities.items() if k != old}
    if old in severities:
        out[new] = max(severities[old], out.get(new, -math.inf))
    return out


def _turned_since_calibration(metrics: g.Metrics, tol: Tolerances) -> bool:
    """The head turned away from where it faced in the upright capture by more than geometry's
    `head_turned_deg`: a camera at the side of the desk sees the head turned by its own angle all day,
    which is not a turned head (the forward-head measures were dropped at every sample of a 30-45 degree
    camera). Without a baseline yaw, geometry's own flag."""
    yaw, base = metrics.get("head_yaw_deg"), tol.base.get("head_yaw_deg")
    if yaw is None or base is None:
        return g.HEAD_TURNED in metrics.flags
    return abs(yaw - base) > g.GeometryConfig().head_turned_deg


def _in_profile(metrics: g.Metrics) -> bool:
    """The head seen from a side view's angle (|head_yaw_deg| at geometry's `side_min_yaw_deg` or more):
    the ears nearly overlap in the picture, so the face's width and the ear line are not measured (from
    a camera 40 degrees round the desk, a head turned 50 degrees further showed its ear line 73-77
    degrees off level, a sideways lean in 3 of 4 samples, although the turn since calibration, as the
    yaw estimate saturates there, read under geometry's `head_turned_deg`)."""
    yaw = metrics.get("head_yaw_deg")
    return yaw is not None and abs(yaw) >= g.GeometryConfig().side_min_yaw_deg


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


def _slump_severity(severity_of: Mapping[str, float], config: "JudgeConfig") -> float | None:
    """Slumped in the chair, seen from the side: the head sunk in the picture or the trunk reclined
    behind its upright (the larger severity of the two), while another sign of the slump shows (the
    other of the two, the back rounded or the neck shortened: the chin sunk towards the chest), one
    of them at `slump_gate_severity` of its own threshold at least. The dev footage's slumps back in
    the chair reclined 15-46 degrees with the neck 10-16 % shorter or the head sunk 8-14 %, and were
    missed where the head stayed up while the neck shortened (the sink alone was the measure).
    Reclining alone lowers the head (about 8 % of the body's size at 20 degrees) and the model shortens the
    neck a little, so with the head's sink or the neck as the recline's sign, leaning back against the
    backrest was called a slump (the footage's one lean-back labelled upright: 22 degrees, the head 9 %
    lower, the neck 5 % shorter, the hips 18 % of the trunk's length BACK). With the hips' place measured
    (the profile has it) the recline's signs are what leaning back does not do: the hips slid forward on
    the seat (seat_slide_pct; the footage's ten slumps back seen from the side: 4-29 % of the trunk) or the back
    rounded (_RECLINE_SIGNS). Confound: a camera moved sideways or turned after calibration moves the hips
    in the picture like a slide (_seat_slide_pct); it counts only beside a recline.
    A chair set lower is none (nothing reclines or rounds). With the hips out of the picture neither the
    recline nor the back can be measured, and the sink, whose floor is larger than the frontal one,
    speaks alone.
    The recline, an angle of the body that a camera moved up or down leaves, counts when its severity
    times the strongest other sign reaches `slump_gate_severity`: a recline twice its threshold (20
    degrees) needs a sign at a quarter of its own. The dev footage's 24-26 degree reclines were found
    only by the model's guess of the neck's length, 10-11 % shorter in one picture and 3 % (0.49 of its
    threshold) in the same picture turned 5 degrees or framed closer (those slumps were missed, 0.88 and
    0.78 of their cases); leaning back 8-15 degrees with the head as it was stays good (simulator)."""
    signs = {k: severity_of[k] for k in _SLUMP_SIGNS if k in severity_of}
    if not any(k in signs for k in _SLUMP_MAIN):
        return None

    def counted(key: str, sev: float) -> float:
        if key == "trunk_recline_deg" and "seat_slide_pct" in signs:
            others = [s for o, s in signs.items() if o in _RECLINE_SIGNS]
        else:     # (the slide's direction is the recline's own: a sign of nothing else)
            others = [s for o, s in signs.items() if o not in (key, "seat_slide_pct")]
        if key == "trunk_recline_deg" and sev > 0 and others and sev * max(others) >= config.slump_gate_severity:
            return sev     # a recline far past its threshold needs less of a second sign (the two multiply)
        return _corroborated(sev, others, config)
    return max(counted(k, v) for k, v in signs.items() if k in _SLUMP_MAIN)


_SLUMP_MAIN = ("head_sink_pct", "trunk_recline_deg")
_SLUMP_SIGNS = _SLUMP_MAIN + ("back_rounding_pct", "neck_shortening_pct", "seat_slide_pct")
# what tells a slump down the chair from leaning back against the backrest, which is no fault: the hips slid
# forward on the seat or the back rounded. Not the head's sink: leaning back lowers the head by itself.
_RECLINE_SIGNS = ("back_rounding_pct", "seat_slide_pct")


def _seat_slide_pct(metrics: g.Metrics, tol: Tolerances) -> float | None:
    """How far the hips slid forward on the seat since the upright capture, % of the upright trunk's length
    (hip to shoulder in the picture). "Forward" is the way opposite to where the shoulders moved against the
    hips: when the trunk reclines, its shoulders go back over the hips, so a slump down the chair (the hips
    forward, the shoulders back) reads positive and leaning back against the backrest (the hips where they
    were) about 0. No facing is needed (signed by the nose, a head turned to face a three-quarter camera
    flipped it; the side measures now face the way the chest does, geometry._body_facing). The
    footage's ten slumps back seen from the side slid 4-29 %; its one lean back labelled upright: -18 % (back).
    Confound: a camera moved sideways or turned since calibration moves the hips in the picture as a slide
    would, and a turn adds to the recline as well (`--section real`, the side trace with the camera turned 6
    degrees: 4 of 70 upright samples slumped, 1 before); it is only a recline's sign, never a fault alone."""
    hx, sx = metrics.get("hip_x_frac"), metrics.get("shoulder_x_frac")
    bh, bs, bt = tol.base.get("hip_x_frac"), tol.base.get("shoulder_x_frac"), tol.base.get("trunk_length_frac")
    if hx is None or sx is None or bh is None or bs is None or not bt:
        return None
    back = (sx - hx) - (bs - bh)       # the shoulders' move against the hips: the way the trunk went
    if back == 0:
        return None
    return -100.0 * (hx - bh) * math.copysign(1.0, back) / bt


def _corroborated(sink: float, signs: list[float], config: "JudgeConfig") -> float:
    """A sink in the picture counts in full when one of the body's own signs of a slump reaches
    `slump_gate_severity` of its threshold, and no more than the strongest sign below that: the
    picture's frame is not the body, and a camera moved up or down sinks everything alike.
    (Upright, on the real traces and the simulator, the strongest sign stays below 0.35 in nine
    samples of ten and reached 0.5 once; in the real and simulated slumps it is 0.45-2.)"""
    if not signs or max(signs) >= config.slump_gate_severity:
        return sink
    return min(sink, max(signs))


# the face's growth against the shoulders, as a share of the shoulders' growth, from which an approach is all lean
_LEAN_FACE_SHARE = 0.15
# an approach in the picture without the face's growth counts up to this severity: a second sign of a lean
# (the sample videos' lean grows the face 6 % and the shoulders 3.6 %, under the face's frame-to-frame noise),
# never a lean on its own. At 0 the footage scores the same but `--section stress` misses more of its mild slouch
# (0.938 -> 0.895)
_APPROACH_ALONE = 0.5


def _lean_in_counted(lean: float, deviations: Mapping[str, float]) -> float:
    """The lean-in group's severity `lean` (> 0) times the share of the approach in the picture that is a lean,
    0-1, but at least `lean` up to `_APPROACH_ALONE` (a second sign, never a lean alone). A lean about the hips
    or the middle of the back brings the head nearer than the shoulders: the face grows against the shoulders
    by 0.25-0.45 of the shoulders' own growth (simulator: trunk 15-25 degrees, a round back and a sink with a
    round back, at 0.5-0.8 m); a chair pulled in, or a camera moved nearer (dev footage: phone photos taken
    closer, the shoulders 30-50 % larger, the face -5 to +4 % against them), brings both alike. The share is
    full from `_LEAN_FACE_SHARE`, a little over half the smallest share a lean showed, and whole when the
    shoulders did not grow."""
    face, shoulders = deviations["face_size_pct"], deviations.get("shoulder_scale_pct")
    if shoulders is None or shoulders <= 0:
        return lean
    share = 1.0 - _fade(face / shoulders, 0.0, _LEAN_FACE_SHARE)
    return max(lean * share, min(lean, _APPROACH_ALONE))


def _obliquity(base: Mapping[str, float]) -> float:
    """cos of the angle the camera sits round the desk, from the head's turn in the upright capture (the head
    faces the screen): a line across the body tilted by a degrees is seen tilted by atan(tan(a) / cos(angle)),
    1.4 times as much from 45 degrees (simulator: a 3-degree sideways lean read as 4 degrees of shoulder tilt
    and was called poor in 40 % of its samples). 1 without a baseline turn; from a side view's angle on, no
    tilt is judged."""
    yaw = base.get("head_yaw_deg")
    return 1.0 if yaw is None else math.cos(math.radians(min(abs(yaw), g.GeometryConfig().side_min_yaw_deg)))


_CAMERA_ELEVATION_DEG = 20.0   # a laptop camera 20-30 cm below the eyes at 50-70 cm; a monitor's top edge


def _tilt_of_a_turn_deg(metrics: g.Metrics, tol: Tolerances) -> float:
    """The change in the ear line's apparent tilt from the head's turn since calibration, seen by a camera up
    to _CAMERA_ELEVATION_DEG above or below the face: a head turned by y from the camera shows its ear line
    tilted by atan(tan(y) sin(elev)) (a 33-degree turn under a laptop camera 30 cm below the eyes: 12 degrees,
    with no roll), so the change is that at the head's turn now less that at its calibrated turn. From the
    front this is the tilt of the turn itself; from a camera round the desk the same turn away tilts the line
    more (tan grows faster): taken as the turn's own tilt, a head turned 25 degrees further from a camera 40
    degrees round the desk was a sideways lean at every sample (simulator)."""
    v, b = metrics.get("head_yaw_deg"), tol.base.get("head_yaw_deg")
    if v is None or b is None:
        return 0.0
    elev = math.sin(math.radians(_CAMERA_ELEVATION_DEG))

    def seen_tilt(yaw: float) -> float:
        return math.degrees(math.atan(math.tan(math.radians(max(-89.0, min(89.0, yaw)))) * elev))
    return abs(seen_tilt(v) - seen_tilt(b))


def camera_roll_deg(metrics: g.Metrics, tol: Tolerances) -> float:
    """How far the camera itself seems turned about its axis since calibration, in degrees: the
    turn that the shoulder line and the ear line share. A camera turned by a few degrees (a nudged
    laptop lid, a clip-on camera knocked) turns both lines alike; a person leaning sideways tilts
    the shoulders while the head stays level or tilts less, and a head tilt leaves the shoulders.
    Their mean turn less their disagreement, up to `_MAX_CAMERA_ROLL_DEG`. Frontal views only (a side
    view has no shoulder or ear line); 0 when the two disagree in sign."""
    if tol.view != g.FRONTAL:
        return 0.0
    roll, base = metrics.get("head_roll_deg"), tol.base.get("head_roll_deg")
    if roll is None or base is None:
        return 0.0
    tilt, tilt0 = metrics.get("shoulder_tilt_deg"), tol.base.get("shoulder_tilt_deg")
    a, b = (0.0 if tilt is None or tilt0 is None else tilt - tilt0), roll - base
    if a * b <= 0:
        return 0.0
    # A camera turns both lines alike, so their mean turn less what they disagree by: a lateral lean
    # tilts the head further than the shoulders (dev footage, benjrs: shoulders 5.3, ears 12.5 degrees, which
    # the shared turn forgave down to a 7-degree head tilt; now 1.7 degrees are the camera's).
    mean, apart = (abs(a) + abs(b)) / 2, abs(a - b)
    shared = math.copysign(max(0.0, min(mean - apart, _MAX_CAMERA_ROLL_DEG)), a)
    return 0.0 if _moved_like_a_lean(metrics, tol, shared) else shared


# A camera nudged or knocked turns a few degrees about its axis (the real traces' perturbations: +-3 and
# +-6); a larger turn shared by the shoulder line and the ear line is a person leaning about the hips seen
# at an angle (a 12-degree lean away from a camera 45 degrees round the desk turns both lines by 16
# degrees, and the shoulders' shift in the picture fits a turn of the camera as well as a lean), so only
# this much of it is taken for the camera's.
_MAX_CAMERA_ROLL_DEG = 6.0


_TRUNK_PER_SHOULDER_WIDTH = 1.3   # shoulder-to-hip distance / shoulder width of a seated adult


def _moved_like_a_lean(metrics: g.Metrics, tol: Tolerances, turn_deg: float) -> bool:
    """Both lines turned by `turn_deg`: a camera turned about its axis moves the shoulders as a
    turn about the picture's centre would; a person leaning sideways with the head following the
    trunk turns about the hips, below the shoulders, which carries the shoulders sideways towards
    the lean. Which of the two predicted shifts is nearer to the observed one?"""
    w, h = metrics.image_size
    keys = ("shoulder_x_frac", "shoulder_y_frac")
    now = [metrics.get(k) for k in keys]
    then = [tol.base.get(k) for k in keys]
    if not w or not h or not tol.base_sw_frac or None in now or None in then:
        return False
    a = math.radians(turn_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    s0 = np.array([then[0] * w, then[1] * h])
    observed = np.array([now[0] * w, now[1] * h]) - s0
    centre = np.array([w / 2, h / 2])
    by_camera = rot @ (s0 - centre) - (s0 - centre)
    arm = np.array([0.0, -_TRUNK_PER_SHOULDER_WIDTH * tol.base_sw_frac * w])   # hips -> shoulders
    by_lean = rot @ arm - arm
    return float(np.linalg.norm(observed - by_lean)) < float(np.linalg.norm(observed - by_camera))


# the face grown against the shoulders (the head come forward) and face and shoulders grown (come closer)
_CLOSER = tuple(c for c in COMPONENTS if c.deviation in ("face_size_pct", "face_scale_pct", "shoulder_scale_pct"))
# the deviations whose formulas and floors the face and the ears take when they stand in for the shoulders
# (_head_larger_or_lower)
_FACE_SCALE = next(c for c in COMPONENTS if c.deviation == "face_scale_pct")
_SHOULDER_DROP = next(c for c in COMPONENTS if c.deviation == "shoulder_drop_pct")


def _fade(x: float, lo: float, hi: float) -> float:
    """1 up to `lo`, 0 from `hi`, linear between."""
    return min(1.0, max(0.0, (hi - x) / (hi - lo)))


# the shrug's forgiveness fades out as the ears rise in the picture (share of the ear-to-shoulder height) and as
# the face grows against the shoulders or face and shoulders grow together (severity): see _shrug_share_pct
_SHRUG_EARS_ROSE_FROM, _SHRUG_EARS_ROSE_TO = 0.03, 0.08
_SHRUG_CLOSER_FROM, _SHRUG_CLOSER_TO = 0.25, 0.75


def _shrug_share_pct(metrics: g.Metrics, tol: Tolerances, aspect: float) -> float:
    """The part of a head drop (in percent of the baseline ear-to-shoulder height) explained by
    the shoulders rising in the frame (a shrug) rather than the ears sinking."""
    y, base_y = metrics.get("shoulder_y_frac"), tol.base.get("shoulder_y_frac")
    hdr0, neck0 = tol.base.get("head_drop_ratio"), tol.base.get("neck_length_frac")
    # the baseline ear-to-shoulder height, in image widths: frontal from the head-drop ratio, else the neck
    height = hdr0 * tol.base_sw_frac if (hdr0 and hdr0 > 0 and tol.base_sw_frac) else neck0
    if y is None or base_y is None or not height or height <= 0:
        return 0.0
    rise = (base_y - y) * aspect                   # in image widths
    ear, base_ear = metrics.get("ear_y_frac"), tol.base.get("ear_y_frac")
    ear_up = 0.0 if ear is None or base_ear is None else (base_ear - ear) * aspect
    sink = max(0.0, -ear_up)
    # a shrug lifts the shoulders under a head that stays; ears risen as well mean the picture moved
    # (a camera moved down after calibration) and the frame is no reference: nothing is forgiven once
    # the ears rose 8 % of the ear-to-shoulder height (fading in from 3 %; upright, the ears of the
    # real traces stay within 1-2 % of it)
    trust = _fade(max(0.0, ear_up) / height, _SHRUG_EARS_ROSE_FROM, _SHRUG_EARS_ROSE_TO)
    # ... and at the same distance: a face grown against the shoulders is the head come forward, and
    # face and shoulders grown together are the person come closer (severities; upright noise ~0.25)
    for comp in _CLOSER:
        v, t = metrics.get(_measure_of(comp, tol.face_on)), tolerance_of(comp, tol)
        d = None if v is None or t is None else deviation_of(comp, v, t.base, tol.base_sw_frac, aspect)
        if d is not None:
            trust *= _fade(d / t.tol, _SHRUG_CLOSER_FROM, _SHRUG_CLOSER_TO)
    # shoulders that rise while the ears sink as much are hunching into a slouch, not a shrug
    return 100.0 * trust * max(0.0, rise - sink) / height


def _pitch_increase(metrics: g.Metrics, tol: Tolerances) -> dict[str, float]:
    out = {}
    for key in ("head_pitch_ratio", "head_pitch_deg"):
        v, b = metrics.get(key), tol.base.get(key)
        if v is not None and b is not None:
            out[key] = max(0.0, v - b)
    return out


def _head_larger_or_lower(metrics: g.Metrics, tol: Tolerances, aspect: float, config: "JudgeConfig") -> float:
    """Shoulders below the frame: how much larger the face is, or how much lower the ears are, than in the
    baseline, as a severity (the larger of the two); `assess` takes it for the sink's once it passes 1. The face
    and the ears stand in for the shoulders the picture lost, against those measures' own floors: the face larger
    by `lean_in_tol_pct` (the lean-in's face_scale_pct), the ears lower by `shoulder_drop_tol_pct` of the baseline
    shoulder width (the sink's shoulder_drop_pct). The rule had three constants of its own (floors of 5 % and 8 %,
    and a fixed severity of 1.3 once past either): with the measures' floors and severities every accuracy section
    scores the same, the real trace that needs the rule included (dziperB_frontal, a slump with the shoulders
    below the frame: 0.948 either way, 0.500 without the rule). 0 when the baseline itself had the shoulders out
    of the frame."""
    if tol.base.get("shoulder_y_frac", 0.0) > 1.0:
        return 0.0
    severity = 0.0
    for comp, value, base in ((_FACE_SCALE, metrics.get("face_width_frac"), tol.base_size.get("face_width_frac")),
                              (_SHOULDER_DROP, metrics.get("ear_y_frac"), tol.base.get("ear_y_frac"))):
        d = None if value is None or base is None else deviation_of(comp, value, base, tol.base_sw_frac, aspect)
        if d is not None:
            severity = max(severity, d / getattr(config, comp.tol_field))
    return _clipped(severity)


_THETA0 = math.radians(10.0)   # typical upright tilt of the shoulder->ear line from vertical


def _add_derived(deviations: dict[str, float], metrics: g.Metrics, tol: Tolerances) -> None:
    """Deviations reported for messages only: approximate degrees of forward head from the
    frontal head drop (the shoulder->ear line assumed 10 degrees off vertical when upright),
    head roll against the baseline, and shoulders raised (shrug) as percent of shoulder width."""
    hd = deviations.get("head_drop_pct")
    if hd is not None and "head_forward_deg" not in deviations:
        c = math.cos(_THETA0) * (1.0 - hd / 100.0)
        deviations["head_forward_deg"] = math.degrees(math.acos(max(-1.0, min(1.0, c)))) - math.degrees(_THETA0)
    roll = metrics.get("head_roll_deg")
    base_roll = tol.base.get("head_roll_deg")
    if roll is not None and base_roll is not None:
        deviations["head_roll_deg"] = roll - base_roll
    drop = deviations.get("shoulder_drop_pct")
    if drop is not None:
        deviations["shoulder_rise_pct"] = max(0.0, -drop)
