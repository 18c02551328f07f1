"""One-sided habits: which shoulder sits lower, which way the head tilts, which way the upper body
shifts, per day and over the last weeks. Pure: values in, values out.

Per sample (`sides`), against the user's own calibrated upright (the profile's medians), in the
USER's left and right (MediaPipe names the body's own landmarks: 11 is the person's left shoulder
whichever side of the picture it appears on), positive = towards the user's LEFT:

  shoulder_side_deg  the shoulder line's tilt minus its upright tilt, minus the turn the camera
                     itself took (the judge's `camera_roll_deg`): > 0 the left shoulder sits lower;
  head_side_deg      the ear line's roll minus its upright roll, minus the camera's turn:
                     > 0 the head tilts to the left (left ear lower);
  lean_side_pct      the sideways offset of the ears over the shoulders minus its upright offset,
                     in % of the shoulder width: > 0 the head and upper body sit to the left.

Only frontal and three-quarter views see them; a side view gives None (and the report says
nothing about sides for time seen only from the side).

Over a window (`window_sides`), of the judged time (good or poor) where the measure was seen: the
share of it the measure was beyond its dead band on each side, and the typical (median) size on
the side named. A side is named ("clear") when it holds at least `clear_share` of the measured
time and at least `clear_ratio` times the other side's share; below `min_measured_s` of measured
time the window has "not enough data"; with judged time but none measured (a side view), "not seen".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any, Mapping

import numpy as np

from posture_watch.core.report_intervals import S_GOOD, S_POOR, Intervals, day_bounds

SIDE_FIELDS = ("shoulder_side_deg", "head_side_deg", "lean_side_pct")
LEFT, RIGHT, NONE = "left", "right", "none"
CLEAR, NO_CLEAR_SIDE, NOT_ENOUGH, NOT_SEEN = "clear", "balanced", "not_enough_data", "not_seen"


@dataclass(frozen=True)
class AsymmetryConfig:
    """The rules, units in the names."""

    shoulder_dead_deg: float = 1.0   # a tilt within 1 degree of upright counts as level
    head_dead_deg: float = 2.0       # the head rolls more from moment to moment
    lean_dead_pct: float = 3.0       # % of a shoulder width
    clear_share: float = 0.5         # a side is named when it holds half of the measured time or more...
    clear_ratio: float = 2.0         # ...and twice the other side's share
    day_min_measured_s: float = 1800.0    # "not enough data" below 30 min of measured time in a day
    period_min_measured_s: float = 7200.0  # ...and below 2 h over the weeks
    weeks: int = 4

    def dead_band(self, name: str) -> float:
        return {"shoulder_side_deg": self.shoulder_dead_deg, "head_side_deg": self.head_dead_deg,
                "lean_side_pct": self.lean_dead_pct}[name]


def sides(metrics: Mapping[str, Any], deviations: Mapping[str, float], view: str | None,
          baseline: Mapping[str, float | None]) -> dict[str, float | None]:
    """One sample's signed sides against the upright `baseline` (profile medians of
    shoulder_tilt_deg, head_roll_deg, lateral_offset_ratio). None where not measured."""
    out: dict[str, float | None] = {k: None for k in SIDE_FIELDS}
    if view not in ("frontal", "three_quarter"):
        return out
    camera = float(deviations.get("camera_roll_deg", 0.0) or 0.0)
    for name, measure, scale, minus_camera in (("shoulder_side_deg", "shoulder_tilt_deg", 1.0, True),
                                               ("head_side_deg", "head_roll_deg", 1.0, True),
                                               ("lean_side_pct", "lateral_offset_ratio", 100.0, False)):
        value, base = metrics.get(measure), baseline.get(measure)
        if value is None or base is None or not math.isfinite(float(value)) or not math.isfinite(float(base)):
            continue
        out[name] = round((float(value) - float(base)) * scale - (camera if minus_camera else 0.0), 2)
    return out


_BASE_MEASURES = ("shoulder_tilt_deg", "head_roll_deg", "lateral_offset_ratio")


def side_baseline(profile: Any) -> dict[str, float | None]:
    """The upright medians `sides` compares with, from a calibration profile (None: no profile)."""
    if profile is None:
        return {}
    return {name: profile.median(name) for name in _BASE_MEASURES}


@dataclass(frozen=True)
class SideStat:
    """One measure over one window."""

    measure: str                 # one of SIDE_FIELDS
    status: str                  # CLEAR, NO_CLEAR_SIDE, NOT_ENOUGH or NOT_SEEN
    side: str                    # LEFT, RIGHT or NONE (named only when CLEAR)
    left_share: float | None     # of the measured time, beyond the dead band towards the left
    right_share: float | None
    typical: float | None        # median size on the named side (degrees, or % of shoulder width)
    measured_s: float
    judged_s: float


@dataclass(frozen=True)
class WindowSides:
    first_day: date
    last_day: date
    shoulder: SideStat
    head: SideStat
    lean: SideStat

    @property
    def stats(self) -> tuple[SideStat, SideStat, SideStat]:
        return (self.shoulder, self.head, self.lean)


@dataclass(frozen=True)
class Asymmetry:
    period: WindowSides              # the report's own days
    weeks: WindowSides               # the last `weeks` weeks ending with the report's last day
    daily: tuple[WindowSides, ...]   # each day of those weeks, oldest first (the trend)
    min_day_s: float
    min_period_s: float       # the report's own days need this much measured time
    min_weeks_s: float
    hours: tuple[tuple[date, tuple[WindowSides, ...]], ...] = field(default=())   # per day, 24 hours


def _values(iv: Intervals) -> dict[str, np.ndarray]:
    idx = iv.index.tolist()
    src = iv.source
    return {name: np.array([getattr(src[i], name, None) for i in idx], dtype=float) for name in SIDE_FIELDS}


def _stat(name: str, values: np.ndarray, judged: np.ndarray, dur: np.ndarray, cfg: AsymmetryConfig,
          min_s: float) -> SideStat:
    judged_s = float(dur[judged].sum())
    seen = judged & np.isfinite(values)
    measured_s = float(dur[seen].sum())
    if measured_s <= 0:
        status = NOT_SEEN if judged_s > 0 else NOT_ENOUGH
        return SideStat(name, status, NONE, None, None, None, measured_s, judged_s)
    dead = cfg.dead_band(name)
    v = np.where(seen, values, 0.0)
    left, right = seen & (v > dead), seen & (v < -dead)
    ls, rs = float(dur[left].sum()) / measured_s, float(dur[right].sum()) / measured_s
    if measured_s < min_s:
        return SideStat(name, NOT_ENOUGH, NONE, ls, rs, None, measured_s, judged_s)
    side = NONE
    if ls >= cfg.clear_share and ls >= cfg.clear_ratio * rs:
        side = LEFT
    elif rs >= cfg.clear_share and rs >= cfg.clear_ratio * ls:
        side = RIGHT
    typical = None
    if side != NONE:
        mask = left if side == LEFT else right
        typical = _weighted_median(np.abs(v[mask]), dur[mask])
    return SideStat(name, CLEAR if side != NONE else NO_CLEAR_SIDE, side, ls, rs, typical, measured_s, judged_s)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][int(np.searchsorted(cum, cum[-1] / 2))])


def window_sides(iv: Intervals, values: Mapping[str, np.ndarray], start_t: float, end_t: float,
                 first_day: date, last_day: date, gap_s: float, cfg: AsymmetryConfig, min_s: float) -> WindowSides:
    sl, dur = iv.clipped(start_t, end_t, gap_s)
    st = iv.state[sl]
    judged = ((st == S_GOOD) | (st == S_POOR)) & (dur > 0)
    stats = [_stat(name, values[name][sl], judged, dur, cfg, min_s) for name in SIDE_FIELDS]
    return WindowSides(first_day, last_day, *stats)


def build_asymmetry(iv: Intervals, day: date, days: int, tz: tzinfo, gap_s: float,
                    cfg: AsymmetryConfig = AsymmetryConfig(), hours: bool = True) -> Asymmetry:
    """The report's sides: its own `days` ending with `day`, the last `cfg.weeks` weeks, and each
    day of those weeks. `iv` holds the samples of those weeks (rows with the SIDE_FIELDS)."""
    values = _values(iv)
    first = day - timedelta(days=days - 1)
    a, _ = day_bounds(first, tz)
    _, b = day_bounds(day, tz)
    min_period = cfg.day_min_measured_s if days == 1 else cfg.period_min_measured_s
    period = window_sides(iv, values, a, b, first, day, gap_s, cfg, min_period)
    n = max(7 * cfg.weeks, days)
    w_first = day - timedelta(days=n - 1)
    wa, _ = day_bounds(w_first, tz)
    weeks = window_sides(iv, values, wa, b, w_first, day, gap_s, cfg, cfg.period_min_measured_s)
    daily = []
    for k in range(n):
        d = w_first + timedelta(days=k)
        da, db = day_bounds(d, tz)
        daily.append(window_sides(iv, values, da, db, d, d, gap_s, cfg, cfg.day_min_measured_s))
    per_hour: list[tuple[date, tuple[WindowSides, ...]]] = []
    if hours:
        from posture_watch.core.report_intervals import local_hour_slices

        for k in range(days):
            d = first + timedelta(days=k)
            slots: dict[int, list[tuple[float, float]]] = {}
            for ha, hb, hour in local_hour_slices(*day_bounds(d, tz), tz):
                slots.setdefault(hour, []).append((ha, hb))
            row = []
            for hour in range(24):
                spans = slots.get(hour) or [(0.0, 0.0)]
                # an hour that occurs twice (DST) is judged on its first occurrence's span to the last's end
                row.append(window_sides(iv, values, spans[0][0], spans[-1][1], d, d, gap_s, cfg, 0.0))
            per_hour.append((d, tuple(row)))
    return Asymmetry(period, weeks, tuple(daily), cfg.day_min_measured_s, min_period, cfg.period_min_measured_s,
                     tuple(per_hour))
