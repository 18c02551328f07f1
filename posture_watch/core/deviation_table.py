"""The judge's table of deviations and the tolerances a profile gives them.

Pure. Each `Component` compares one geometry measure with its calibrated value in human units (`deviation_of`);
`tolerances(profile, config)` gives each the deviation that counts as severity 1. The groups, the faults they
call and which group explains another are here too; `deviation.assess` uses them on one sample.

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
# (A frontal forward lean while reclined is named a slump after the faults are formed: deviation_slump.reclined.)

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


def measure_of(comp: Component, face_on: bool) -> str:
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
    face_on: bool = False           # the head's size read face on (_FACE_ON, measure_of)


def aspect_h_over_w(size: tuple[int, int]) -> float:
    """A picture's height over its width, from (width, height); 9/16 when the width is unknown."""
    width, height = size
    return height / width if width else 9 / 16


def tolerances(profile: Profile, config: "JudgeConfig") -> Tolerances:
    """Pure: profile + JudgeConfig -> per-deviation baseline, tolerance and weight."""
    aspect = aspect_h_over_w(profile.resolution)
    sw = profile.median("shoulder_width_frac")
    items: dict[str, Tolerance] = {}
    body = profile.median("body_size_frac")
    groups = judged_groups(profile)
    face_on = _face_on(profile)
    for comp in COMPONENTS:
        if comp.group not in groups or profile.view not in comp.views:
            continue
        measure = measure_of(comp, face_on)
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
    aspect = aspect_h_over_w(profile.resolution)
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


def _obliquity(base: Mapping[str, float]) -> float:
    """cos of the angle the camera sits round the desk, from the head's turn in the upright capture (the head
    faces the screen): a line across the body tilted by a degrees is seen tilted by atan(tan(a) / cos(angle)),
    1.4 times as much from 45 degrees (simulator: a 3-degree sideways lean read as 4 degrees of shoulder tilt
    and was called poor in 40 % of its samples). 1 without a baseline turn; from a side view's angle on, no
    tilt is judged."""
    yaw = base.get("head_yaw_deg")
    return 1.0 if yaw is None else math.cos(math.radians(min(abs(yaw), g.GeometryConfig().side_min_yaw_deg)))


# a measure's severity counts between these (a deviation far past its threshold, or far on the good side, does
# not outweigh the other members of its group). Without the clip every accuracy section scores the same, but 77
# samples of the dev footage's frontal slump (subeksharma) are named a forward lean first
_SEVERITY_MIN, _SEVERITY_MAX = -2.0, 4.0


def clipped(severity: float) -> float:
    return max(_SEVERITY_MIN, min(_SEVERITY_MAX, severity))
