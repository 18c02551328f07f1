"""Does the profile still fit? Pure functions over judged samples.

Two users of the same idea:

* `drift_step(state, reading, config) -> (state, notice | None)`: for the monitor. The camera or
  the seat has moved when, for `window_s`, the person's SIZE in the picture (shoulder and face
  scale against the baseline) or HEIGHT in the picture (shoulder height, in % of shoulder width)
  is shifted, while the person is still (small spread inside the window) and the scale-free
  posture measure (head height over the shoulders, or the side-view neck angle) is as
  calibrated. A slouch changes the posture measure; a moved camera does not. The notice comes
  once per state (start a new `DriftState` with a new profile or session): a suggestion, not nagging.

* `assess_fit(samples, profile_name, config) -> FitReport`: for `posture-watch calibrate --check`,
  over the stored samples of the last minutes (state + deviations, as the store keeps them).

The deviations are the judge's (`deviation.py`): `shoulder_scale_pct`, `face_scale_pct` (size),
`shoulder_drop_pct` (height, positive = lower), `head_drop_pct` / `head_forward_deg` (posture).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from posture_watch.core.domain import GOOD, POOR, Reading

SIZE_KEYS = ("shoulder_scale_pct", "face_scale_pct")
HEIGHT_KEY = "shoulder_drop_pct"
POSTURE_KEYS = (("head_drop_pct", 1.0), ("head_forward_deg", 1.0))


@dataclass(frozen=True)
class DriftConfig:
    window_s: float = 120.0           # the shift must hold this long (2 min: longer than any glance or stretch)
    min_samples: int = 20             # usable samples in the window
    min_cover_frac: float = 0.7       # ... spread over at least this share of it
    size_shift_pct: float = 15.0      # |median size change| from which the camera/seat counts as moved
    height_shift_pct: float = 20.0    # |median shoulder height change|, % of shoulder width
    still_spread_pct: float = 6.0     # robust spread of size and height inside the window: "still"
    posture_neutral: float = 6.0      # |median posture deviation| (% or degrees) below this: posture as calibrated
    sustained_frac: float = 0.9       # share of the window's samples that must show the shift


@dataclass(frozen=True)
class DriftSample:
    t_s: float
    size_pct: float | None
    height_pct: float | None
    posture: float | None


@dataclass(frozen=True)
class DriftState:
    samples: tuple[DriftSample, ...] = ()
    suggested_at_s: float | None = None


@dataclass(frozen=True)
class DriftNotice:
    t_s: float
    size_shift_pct: float | None
    height_shift_pct: float | None
    message: str


def _size(dev: Mapping[str, float]) -> float | None:
    vals = [float(dev[k]) for k in SIZE_KEYS if dev.get(k) is not None]
    return float(np.mean(vals)) if vals else None


def _posture(dev: Mapping[str, float]) -> float | None:
    for key, _ in POSTURE_KEYS:
        if dev.get(key) is not None:
            return float(dev[key])
    return None


def _spread(values: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def shift_of(samples: Sequence[DriftSample], config: DriftConfig = DriftConfig()) -> tuple[float | None, float | None, bool]:
    """Pure: (median size shift %, median height shift %, moved?) of a window of samples."""
    sizes = np.array([s.size_pct for s in samples if s.size_pct is not None])
    heights = np.array([s.height_pct for s in samples if s.height_pct is not None])
    postures = np.array([s.posture for s in samples if s.posture is not None])
    size = float(np.median(sizes)) if len(sizes) >= config.min_samples else None
    height = float(np.median(heights)) if len(heights) >= config.min_samples else None
    if size is None and height is None:
        return size, height, False

    def sustained(values: np.ndarray, median: float | None, threshold: float) -> bool:
        # shifted the same way in (nearly) the whole window, not just in its latest half
        if median is None or abs(median) < threshold:
            return False
        return float(np.mean(values * np.sign(median) >= threshold)) >= config.sustained_frac

    shifted = sustained(sizes, size, config.size_shift_pct) or sustained(heights, height, config.height_shift_pct)
    still = (len(sizes) < 3 or _spread(sizes) <= config.still_spread_pct) and \
            (len(heights) < 3 or _spread(heights) <= config.still_spread_pct)
    neutral = len(postures) >= 3 and abs(float(np.median(postures))) <= config.posture_neutral
    return size, height, bool(shifted and still and neutral)


def moved_message(size: float | None, height: float | None) -> str:
    parts = []
    if size is not None and abs(size) >= 1:
        parts.append(f"you look {abs(size):.0f}% {'larger' if size > 0 else 'smaller'}")
    if height is not None and abs(height) >= 1:
        parts.append(f"sit {abs(height):.0f}% of a shoulder width {'lower' if height > 0 else 'higher'} in the picture")
    detail = f" ({' and '.join(parts)} than when you calibrated)" if parts else ""
    return (f"The camera or your seat seems to have moved{detail}; if so, calibrate again with "
            "`posture-watch calibrate` so that warnings stay right.")


def drift_step(state: DriftState, reading: Reading, config: DriftConfig = DriftConfig()
               ) -> tuple[DriftState, DriftNotice | None]:
    """Pure: feed one judged reading; returns a notice at most once per state."""
    if state.suggested_at_s is not None:
        return state, None
    t = reading.t_s
    keep = tuple(s for s in state.samples if s.t_s > t - config.window_s and s.t_s <= t)
    if reading.state in (GOOD, POOR):
        dev = reading.deviations
        keep = keep + (DriftSample(t, _size(dev), dev.get(HEIGHT_KEY), _posture(dev)),)
    state = DriftState(keep, None)
    if len(keep) < config.min_samples or keep[-1].t_s - keep[0].t_s < config.min_cover_frac * config.window_s:
        return state, None
    size, height, moved = shift_of(keep, config)
    if not moved:
        return state, None
    notice = DriftNotice(t, size, height, moved_message(size, height))
    return DriftState((), t), notice


# --- calibrate --check --------------------------------------------------------------------------

@dataclass(frozen=True)
class FitSample:
    t_s: float
    state: str
    deviations: Mapping[str, float]


@dataclass(frozen=True)
class FitReport:
    verdict: str                  # "fits", "moved", "mostly_poor", "too_little"
    samples: int
    present_frac: float
    good_frac: float              # of the present (judged) samples
    poor_frac: float
    size_shift_pct: float | None
    height_shift_pct: float | None
    posture_median: float | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class FitConfig:
    min_judged: int = 20            # fewer judged samples: too little to say
    mostly_poor_frac: float = 0.8   # judged poor this often (almost never upright): a long slump or a stale
                                    # profile; below it the profile evidently still recognises upright posture
    drift: DriftConfig = DriftConfig(min_samples=10, min_cover_frac=0.0)


def assess_fit(samples: Sequence[FitSample], profile_name: str, minutes: float,
               config: FitConfig = FitConfig()) -> FitReport:
    """Pure: how well the profile fits the given (recent) samples, with the lines to print."""
    n = len(samples)
    judged = [s for s in samples if s.state in (GOOD, POOR)]
    present = [s for s in samples if s.state in (GOOD, POOR) or s.deviations]
    good = sum(s.state == GOOD for s in judged)
    poor = len(judged) - good
    j = max(len(judged), 1)
    drift = [DriftSample(s.t_s, _size(s.deviations), s.deviations.get(HEIGHT_KEY), _posture(s.deviations))
             for s in judged]
    size, height, moved = shift_of(drift, config.drift)
    postures = [d.posture for d in drift if d.posture is not None]
    posture = float(np.median(postures)) if postures else None
    head = (f"Profile '{profile_name}' against the last {minutes:g} minutes: {n} samples, you were judged in "
            f"{len(judged)} ({100 * good / j:.0f}% upright, {100 * poor / j:.0f}% poor).")
    lines = [head]
    where = []
    if size is not None:
        where.append(f"size {size:+.0f}%")
    if height is not None:
        where.append(f"height {height:+.0f}% of a shoulder width")
    if posture is not None:
        where.append(f"head {posture:+.0f}{'%' if any(s.deviations.get('head_drop_pct') is not None for s in judged) else '°'}")
    if where:
        lines.append("Typical position against the calibration: " + ", ".join(where) + ".")
    if len(judged) < config.min_judged:
        verdict = "too_little"
        lines.append("That is too little to tell; keep `posture-watch run` going for a few minutes in front "
                     "of the camera, then check again.")
    elif moved:
        verdict = "moved"
        lines.append(moved_message(size, height))
    elif poor / j >= config.mostly_poor_frac:
        verdict = "mostly_poor"
        lines.append("You were judged poor most of the time: if you were sitting well, the profile no longer "
                     "fits; calibrate again with `posture-watch calibrate`.")
    else:
        verdict = "fits"
        if poor / j >= 0.3:
            lines.append(f"The profile still fits: it recognised your upright posture {100 * good / j:.0f}% of the "
                         "time, so the poor stretches were your posture, not the calibration.")
        else:
            lines.append("The profile still fits.")
    return FitReport(verdict, n, len(present) / max(n, 1), good / j, poor / j, size, height, posture, tuple(lines))
