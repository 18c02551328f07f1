"""One way to say each fault and its size, used on every surface: the warning notification, the report
(terminal, HTML, summary), the profile's thresholds at the end of calibration and the preview header.

    phrase(FORWARD_LEAN, {"head_forward_deg": 12.4})  -> "head forward, about 12°"
    phrase(SLUMPED, {"shoulder_drop_pct": 14}) -> "slumped in the chair, shoulders sunk by 14 % of their width"

Each fault has one unit where the camera's view allows it: a forward head in degrees (a frontal head
drop is turned into degrees by the judge's own conversion), a lateral lean by the shoulders' tilt in
degrees, a rounded upper back by how much shorter the trunk is (shoulders closer to the hips, from
the model's 3-D landmarks), a slump by the trunk's recline seen from the side, or, seen from the
front (where no angle of the back can be measured), by how far the shoulders sink. Pure text.
"""

from __future__ import annotations

import math
from typing import Mapping

from posture_watch.core.domain import FORWARD_LEAN, LATERAL_LEAN, SLUMPED, THORACIC_SLOUCH

FAULT_NAMES: dict[str, str] = {
    FORWARD_LEAN: "head forward",
    THORACIC_SLOUCH: "slouching",
    SLUMPED: "slumped in the chair",
    LATERAL_LEAN: "leaning to one side",
}
GENERIC_NAME = "poor posture"

# the deviations that size a fault, best first; head_drop_pct is said as the degrees it stands for
SIZE_MEASURES: dict[str, tuple[str, ...]] = {
    FORWARD_LEAN: ("head_forward_deg", "head_drop_pct", "neck_bend_deg", "neck_shortening_pct"),
    THORACIC_SLOUCH: ("back_rounding_pct",),
    SLUMPED: ("trunk_recline_deg", "head_sink_pct", "shoulder_drop_pct"),
    LATERAL_LEAN: ("shoulder_tilt_deg", "head_tilt_deg"),
}
SIZE_WORDS: dict[str, str] = {
    "head_forward_deg": "about {v:.0f}°",
    "neck_bend_deg": "about {v:.0f}°",
    "neck_shortening_pct": "the head {v:.0f} % nearer the shoulders",
    "back_rounding_pct": "back rounded, the trunk {v:.0f} % shorter",
    "trunk_recline_deg": "trunk reclined about {v:.0f}°",
    "head_sink_pct": "head {v:.0f} % lower",
    "shoulder_drop_pct": "shoulders sunk by {v:.0f} % of their width",
    "shoulder_tilt_deg": "shoulders tilted about {v:.0f}°",
    "head_tilt_deg": "head tilted about {v:.0f}°",
}
MIN_SAID = 1.0  # a smaller deviation is not worth a number


def name(fault: str | None) -> str:
    return FAULT_NAMES.get(fault or "", GENERIC_NAME)


def title(fault: str | None) -> str:
    """'Head forward' (a label: a table row, the start of a sentence)."""
    text = name(fault)
    return text[0].upper() + text[1:]


def head_drop_as_degrees(head_drop_pct: float) -> float | None:
    """About how many degrees of forward head a frontal head drop of this many percent is, by the judge's
    own conversion (the one it reports as head_forward_deg)."""
    from posture_watch.core.deviation_confounds import add_derived
    from posture_watch.core.deviation_table import Tolerances
    from posture_watch.core.geometry import Metrics

    devs = {"head_drop_pct": head_drop_pct}
    add_derived(devs, Metrics(t_s=0.0), Tolerances())   # one conversion, owned there
    return devs.get("head_forward_deg")


def size(fault: str | None, deviations: Mapping[str, float]) -> tuple[str, float] | None:
    """(measure as said, value) that sizes `fault`, e.g. ("head_forward_deg", 12.4); None if nothing is
    known or large enough."""
    for measure in SIZE_MEASURES.get(fault or "", ()):
        value = deviations.get(measure)
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        if measure == "head_drop_pct":
            measure, value = "head_forward_deg", head_drop_as_degrees(float(value))
            if value is None:
                continue
        value = abs(value) if measure in ("shoulder_tilt_deg", "head_tilt_deg") else float(value)
        if value >= MIN_SAID:
            return measure, value
    return None


def size_text(measure: str, value: float) -> str:
    """'about 12°' for ("head_forward_deg", 12.4)."""
    return SIZE_WORDS[measure].format(v=value)


def how_much(fault: str | None, deviations: Mapping[str, float]) -> str:
    """'about 12°' or '' (the size part of the phrase alone)."""
    found = size(fault, deviations)
    return size_text(*found) if found else ""


def side(fault: str | None, deviations: Mapping[str, float]) -> str:
    """'left' or 'right' (the person's own) for a sideways lean whose head tilted that way, else ''.
    head_roll_deg is the ear line's turn since calibration, positive when the left ear sank."""
    v = deviations.get("head_roll_deg")
    if fault != LATERAL_LEAN or not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) < MIN_SAID:
        return ""
    return "left" if v > 0 else "right"


def phrase(fault: str | None, deviations: Mapping[str, float] | None = None, capital: bool = False) -> str:
    """'head forward, about 12°'; just 'head forward' when the size is unknown or tiny; a sideways
    lean says its side ('leaning to your left, head tilted about 18°')."""
    what = name(fault)
    if (way := side(fault, deviations or {})):
        what = f"leaning to your {way}"
    what = what[0].upper() + what[1:] if capital else what
    amount = how_much(fault, deviations or {})
    return f"{what}, {amount}" if amount else what
