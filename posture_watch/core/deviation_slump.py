"""Slumped in the chair: the slump's severity from its signs, and when a forward lean is a slump.

Pure; `deviation.assess` calls these. A slump shows as the head sunk or the trunk reclined, each counted only
with another sign of the slump in the body's shape (a camera moved up or down, a chair set lower or leaning back
against the backrest are no slump).
"""

from __future__ import annotations

import math
from typing import Mapping

from posture_watch.core import geometry as g
from posture_watch.core.deviation_table import Tolerances
from posture_watch.core.judge_config import JudgeConfig


def slump_severity(severity_of: Mapping[str, float], config: "JudgeConfig") -> float | None:
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
    in the picture like a slide (seat_slide_pct); it counts only beside a recline.
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
        return corroborated(sev, others, config)
    return max(counted(k, v) for k, v in signs.items() if k in _SLUMP_MAIN)


_SLUMP_MAIN = ("head_sink_pct", "trunk_recline_deg")
_SLUMP_SIGNS = _SLUMP_MAIN + ("back_rounding_pct", "neck_shortening_pct", "seat_slide_pct")
# what tells a slump down the chair from leaning back against the backrest, which is no fault: the hips slid
# forward on the seat or the back rounded. Not the head's sink: leaning back lowers the head by itself.
_RECLINE_SIGNS = ("back_rounding_pct", "seat_slide_pct")


def seat_slide_pct(metrics: g.Metrics, tol: Tolerances) -> float | None:
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


def corroborated(sink: float, signs: list[float], config: "JudgeConfig") -> float:
    """A sink in the picture counts in full when one of the body's own signs of a slump reaches
    `slump_gate_severity` of its threshold, and no more than the strongest sign below that: the
    picture's frame is not the body, and a camera moved up or down sinks everything alike.
    (Upright, on the real traces and the simulator, the strongest sign stays below 0.35 in nine
    samples of ten and reached 0.5 once; in the real and simulated slumps it is 0.45-2.)"""
    if not signs or max(signs) >= config.slump_gate_severity:
        return sink
    return min(sink, max(signs))


def reclined(groups: Mapping[str, float], severity_of: Mapping[str, float], view: str, config: "JudgeConfig") -> bool:
    """Frontal: farther from the camera than upright (the lean-in group at -`explained_by_severity` or less) with the
    shoulders not risen in the picture past `slump_gate_severity` of the sink's threshold. From the side and at
    three-quarter: the trunk reclined behind its upright by `explained_by_severity` of the recline's threshold, a
    slump's sign or not (slump_severity): leaning back with the neck shortened (the chin sunk towards the chest)
    is the slump from every side, and was named one from the front and a forward lean from the side.

    That is how a recline shows from the front (the side view measures it as an angle, trunk_recline_deg), and a
    forward lean while reclined (a head come forward or a neck shortened) is the slump from every side, so
    `deviation.assess` renames it one. The simulator's "reclined, chin down" (trunk 30 degrees back, neck 30 bent)
    was a slump from the side and a forward lean from the front; the dev footage's frontal slump back came 13-27 %
    smaller in the picture with the head 7-18 % nearer the shoulders and was named a forward lean at every sample.
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
