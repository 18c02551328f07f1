"""From the wizard's captures to a Profile, and from a Profile to thresholds a person can read.

Pure. `make_profile(captures, camera, judge_config)` composes `calibrate.build_profile` with a
check of the slouch sample: a "slouch" that the judge cannot tell from the upright baseline
(every fault severity below `min_slouch_severity`) would teach nothing, so it is left out with
a note. `thresholds(profile, judge_config)` states the judge's own tolerances (the deviation at
which a measure alone reaches severity `poor_enter`) as sentences, e.g. "warn at head forward, about
16°": a fault and its size said as on every other surface (posture_watch.core.fault_words).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

import numpy as np

from posture_watch.core import deviation as dv
from posture_watch.core import fault_words
from posture_watch.core.report_words import MEASURE_LABELS
from posture_watch.calibration.calibrate import build_profile
from posture_watch.core.geometry import Metrics
from posture_watch.core.judge import JudgeConfig
from posture_watch.core.profile import Profile
from posture_watch.calibration.steps import RANGE_KEYBOARD, RANGE_SCREEN, SLOUCH, UPRIGHT, Sample

# what each mark after a threshold means, said once under the list when it is used
SOURCE_MEANINGS = {
    "your noise": "wider than the default, because your upright posture moved this much while you held still",
    "reading range": "wider, so that reading the screen and looking at the keyboard do not count",
    "your slouch": "set between your upright posture and the slouch you showed",
}
MIN_SLOUCH_SEVERITY = 0.5   # the slouch sample must reach half a threshold somewhere to be worth learning from


@dataclass(frozen=True)
class Threshold:
    deviation: str       # the judge's deviation name (head_drop_pct, ...)
    value: float         # the deviation, in its unit, at which this measure alone says "poor"
    unit: str            # "%" or "°"
    text: str            # "warn at head forward, about 16°" (posture_watch.core.fault_words)
    source: str          # "default", "your noise", "reading range" or "your slouch"


def _metrics(samples: Sequence[Sample] | None) -> list[Metrics]:
    return [s.metrics for s in samples or ()]


def slouch_severity(profile: Profile, slouch: Sequence[Metrics], config: JudgeConfig = JudgeConfig()) -> float:
    """Median over the slouch samples of the worst fault severity, against `profile` (without slouch)."""
    tol = dv.tolerances(replace(profile, slouch=None), config)
    worst = []
    for m in slouch:
        a = dv.assess(m, tol, config)
        if a.present and a.faults:
            worst.append(max(a.faults.values()))
    return float(np.median(worst)) if worst else 0.0


def make_profile(captures: Mapping[str, Sequence[Sample]], camera: str, config: JudgeConfig = JudgeConfig(),
                 created_at: str | None = None) -> tuple[Profile, list[str]]:
    """Pure: the wizard's captures -> (Profile, notes for the user)."""
    notes: list[str] = []
    reading = _metrics(captures.get(RANGE_SCREEN)) + _metrics(captures.get(RANGE_KEYBOARD))
    profile = build_profile(_metrics(captures[UPRIGHT]), reading=reading or None, camera=camera,
                            created_at=created_at, notes="calibrated with the wizard")
    slouch = _metrics(captures.get(SLOUCH))
    if slouch:
        severity = slouch_severity(profile, slouch, config)
        if severity < MIN_SLOUCH_SEVERITY:
            notes.append("Your slouch looked like your upright posture, so it was not used; the default "
                         "thresholds apply.")
        else:
            with_slouch = build_profile(_metrics(captures[UPRIGHT]), reading=reading or None, slouch=slouch,
                                        camera=camera, created_at=profile.created_at, notes=profile.notes)
            profile = with_slouch
            notes.append(f"Your slouch reached {severity:.1f}x the default threshold; the thresholds were "
                         "set from it.")
    return profile, notes


# the measures that size a fault are said as on every other surface (fault_words: "head forward, about 16°");
# the others are further signs of a fault, said in their own unit
_OTHER_SIGNS = {
    "shoulder_scale_pct": "{fault}: also when you lean in so that your shoulders look {v:.0f} % wider",
    "trunk_forward_deg": "{fault}: also when the trunk leans forward about {v:.0f}°",
    "face_scale_pct": None,        # same group as the shoulders' scale; one sentence is enough
    "face_size_pct": None,         # same group as the head drop
}


def threshold_text(comp: dv.Component, value: float) -> str | None:
    """'warn at head forward, about 16°' (or a further sign of the fault), None for one left unsaid."""
    fault = dv.GROUP_FAULT[comp.group]
    if comp.deviation in fault_words.SIZE_MEASURES.get(fault, ()):
        return f"warn at {fault_words.phrase(fault, {comp.deviation: value})}"
    template = _OTHER_SIGNS.get(comp.deviation)
    return template.format(fault=fault_words.title(fault), v=value) if template else None


def thresholds(profile: Profile, config: JudgeConfig = JudgeConfig()) -> list[Threshold]:
    """Pure: the judge's per-measure thresholds for this profile, as sentences."""
    tol = dv.tolerances(profile, config)
    plain = dv.tolerances(replace(profile, reading=None, slouch=None), config)
    floors = {c.deviation: float(getattr(config, c.tol_field)) for c in dv.COMPONENTS}
    out = []
    shown: set[str] = set()
    for comp in dv.COMPONENTS:
        item = dv.tolerance_of(comp, tol)
        if item is None or comp.deviation in shown:
            continue
        shown.add(comp.deviation)
        value = item.tol * config.poor_enter
        text = threshold_text(comp, value)
        if text is None:
            continue
        before = dv.tolerance_of(comp, plain)
        if profile.slouch and before is not None and abs(item.tol - before.tol) > 1e-6 and comp.measure in profile.slouch:
            source = "your slouch"
        elif profile.reading and before is not None and item.tol > before.tol + 1e-6:
            source = "reading range"
        elif item.tol > floors[comp.deviation] + 1e-6:
            source = "your noise"
        else:
            source = "default"
        unit = "°" if comp.deviation.endswith("_deg") else "%"
        out.append(Threshold(comp.deviation, value, unit, text, source))
    return out


def engine_rule(engine_config: object | None = None) -> str:
    """One sentence on when a warning actually comes (the engine's long-stretch rule)."""
    if engine_config is None:
        from posture_watch.core.engine_config import EngineConfig
        engine_config = EngineConfig()
    fill = getattr(engine_config, "alert_fill_ratio", 0.75)
    window = getattr(engine_config, "alert_window_s", 180.0)
    glance = getattr(engine_config, "min_poor_stretch_s", 20.0)
    return (f"A warning comes only when poor posture fills {100 * fill:.0f}% of {window / 60:g} minutes; "
            f"glances shorter than {glance:g} s never warn.")


def _shape(text: str) -> str:
    """The sentence without its numbers: 'warn at head forward, about N°'."""
    return re.sub(r"\d+(\.\d+)?", "N", text)


def summary_text(profile: Profile, name: str, config: JudgeConfig = JudgeConfig(),
                 notes: Sequence[str] = (), engine_config: object | None = None) -> list[str]:
    """The lines the wizard prints at the end."""
    w, h = profile.resolution
    extras = [k for k, v in (("reading range", profile.reading), ("slouch", profile.slouch)) if v]
    lines = [f"Profile '{name}': {profile.view.replace('_', '-')} view, {w}x{h}, {profile.samples} upright samples"
             + (f", with {' and '.join(extras)}" if extras else "") + "."]
    said = thresholds(profile, config)
    alike = Counter(_shape(t.text) for t in said)   # two measures of one fault said alike are named
    for t in said:
        measure = f" (measure: {MEASURE_LABELS[t.deviation]})" if alike[_shape(t.text)] > 1 else ""
        lines.append(f"  - {t.text}{measure}" + ("" if t.source == "default" else f"  [{t.source}]"))
    lines.extend(f"  [{source}]: {meaning}." for source, meaning in SOURCE_MEANINGS.items()
                 if any(t.source == source for t in said))
    lines.append(engine_rule(engine_config))
    lines.extend(notes)
    return lines
