"""The checks every upright capture must pass before it becomes a baseline: ONE function for the
wizard's upright step and for `calibrate --non-interactive`, so neither path is weaker.

Pure: samples in, one sentence of advice (or None) out. A sample is a measured frame: its
geometry Metrics, its set-up observation and the person's landmarks (never the picture).
`sample_of` builds one from a detection, the same way on both paths.

The checks, in order:
  length     the capture spans at least `min_capture_s` (a 2 s clip is not a baseline);
  set-up     no set-up problem (too dark, cut off, two people...) in more than `max_problem_frac`;
  stillness  the robust spread of the head position and of the shoulder width stay under
             `max_move_pct` / `max_scale_change_pct` (shaking, moving about);
  one posture the typical head position and size of every `shift_window_s` stretch stay within
             `max_shift_pct` / `max_shift_scale_pct` of the whole capture's, so a capture that
             holds a lean-in or a slouch for part of its length is refused even when the person
             sat still inside each part (a spread alone misses it once the slouch is the majority);
  and then calibrate.check_capture (nobody there, too dark, shoulders, generous movement limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from posture_watch.calibration import setup_checks as sc
from posture_watch.calibration.calibrate import CalibrationConfig, check_capture
from posture_watch.core.errors import CaptureRejected
from posture_watch.core.geometry import Metrics

EAR_L, EAR_R, SHOULDER_L, SHOULDER_R = 7, 8, 11, 12


@dataclass(frozen=True)
class CaptureCheckConfig:
    """Limits of an upright capture (the lead may tune the values; both paths read them here)."""

    min_capture_s: float = 4.0          # shorter: too few samples for a robust median and spread
    max_problem_frac: float = 0.3       # a set-up problem in more samples than this share -> refused
    max_move_pct: float = 12.0          # robust spread of the head position, % of shoulder width
    max_scale_change_pct: float = 8.0   # robust spread of the shoulder width (to and fro), % of it
    shift_window_s: float = 2.0         # the capture is cut into stretches this long ...
    max_shift_pct: float = 12.0         # ... whose typical head position may differ from the whole
                                        # capture's by this much, % of shoulder width
    max_shift_scale_pct: float = 8.0    # ... and whose typical shoulder width by this much, %

    def lines(self) -> list[str]:
        """The limits in words (printed by the scripted calibration, as the wizard shows them)."""
        return [f"capture checks: at least {self.min_capture_s:g} s long; head still within {self.max_move_pct:g} % "
                f"and distance within {self.max_scale_change_pct:g} % of your shoulder width (robust spread); every "
                f"{self.shift_window_s:g} s within {self.max_shift_pct:g} % / {self.max_shift_scale_pct:g} % of the "
                "whole capture (one posture throughout)."]


@dataclass(frozen=True)
class Sample:
    """One measured frame: the geometry's Metrics and the set-up check's observation."""

    t_s: float
    metrics: Metrics
    setup: sc.SetupObservation
    landmarks: np.ndarray | None = None    # the person's (33, 5) landmarks, for the summary drawing


def sample_of(t_s: float, image: Any, detection: Any, metrics: Metrics,
              setup_config: sc.SetupConfig = sc.SetupConfig()) -> Sample:
    """The sample of one analysed frame (the picture is only read for the light check)."""
    pose = sc.primary_pose(detection, metrics) if metrics.person_present else None
    face, background = sc.light_facts(image, pose)
    observation = sc.observe(detection, metrics, face, background, setup_config)
    return Sample(t_s, metrics, observation, None if pose is None else pose.landmarks)


def _head_and_width(samples: Sequence[Sample]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times, ear-midpoint positions in px, shoulder widths in px) of the samples with landmarks."""
    ts, pts, sws = [], [], []
    for s in samples:
        lm, size = s.landmarks, s.metrics.image_size
        if lm is None or not s.metrics.person_present or not size[0]:
            continue
        px = lm[:, :2] * size
        ts.append(s.t_s)
        pts.append((px[EAR_L] + px[EAR_R]) / 2)
        sws.append(float(np.linalg.norm(px[SHOULDER_L] - px[SHOULDER_R])))
    return np.array(ts), np.array(pts).reshape(-1, 2), np.array(sws)


def movement(samples: Sequence[Sample]) -> tuple[float | None, float | None]:
    """(robust spread of the ear-midpoint position, in % of the median shoulder width;
    robust spread of the shoulder width, in % of its median) over samples with landmarks."""
    _, p, sw = _head_and_width(samples)
    if len(p) < 5:
        return None, None
    med_sw = float(np.median(sw))
    if med_sw <= 0:
        return None, None
    mad = 1.4826 * np.median(np.abs(p - np.median(p, axis=0)), axis=0)
    move = 100.0 * float(np.hypot(*mad)) / med_sw
    scale = 100.0 * 1.4826 * float(np.median(np.abs(sw - med_sw))) / med_sw
    return move, scale


def posture_shift(samples: Sequence[Sample], window_s: float) -> tuple[float | None, float | None]:
    """(largest distance of a stretch's median head position from the capture's median, in % of the
    median shoulder width; largest difference of a stretch's median shoulder width, in % of it),
    over stretches of `window_s` with at least 3 samples; None without two such stretches."""
    t, p, sw = _head_and_width(samples)
    if len(t) < 6:
        return None, None
    med_p, med_sw = np.median(p, axis=0), float(np.median(sw))
    if med_sw <= 0:
        return None, None
    bins = np.floor((t - t[0]) / window_s).astype(int)
    shifts, scales = [], []
    for b in np.unique(bins):
        use = bins == b
        if use.sum() < 3:
            continue
        shifts.append(float(np.hypot(*(np.median(p[use], axis=0) - med_p))))
        scales.append(abs(float(np.median(sw[use])) - med_sw))
    if len(shifts) < 2:
        return None, None
    return 100.0 * max(shifts) / med_sw, 100.0 * max(scales) / med_sw


def capture_problem(samples: Sequence[Sample], checks: CaptureCheckConfig = CaptureCheckConfig(),
                    calibration: CalibrationConfig = CalibrationConfig()) -> str | None:
    """Why this upright capture cannot be a baseline (one sentence with the fix), or None."""
    if not samples:
        return "Nothing was captured; keep sitting in front of the camera."
    span = samples[-1].t_s - samples[0].t_s
    if span + 1e-6 < checks.min_capture_s:
        return (f"The capture is only {span:.1f} s long; calibrate on at least {checks.min_capture_s:g} seconds "
                "of you sitting upright.")
    n = len(samples)
    counts: dict[str, int] = {}
    for s in samples:
        for p in s.setup.problems:
            counts[p] = counts.get(p, 0) + 1
    for p in sc.PRIORITY:
        if p in (sc.OFF_CENTRE, sc.HEAD_TURNED):
            continue   # a capture slightly off centre or with glances still makes a baseline
        if counts.get(p, 0) > checks.max_problem_frac * n:
            return sc.ADVICE[p]
    move, scale = movement(samples)
    if move is not None and (move > checks.max_move_pct or (scale is not None and scale > checks.max_scale_change_pct)):
        what = (f"your head moved about {move:.0f}% of your shoulder width" if move > checks.max_move_pct
                else f"you moved towards and away from the camera by about {scale:.0f}%")
        return f"You moved too much ({what}); sit upright and keep still for the {span:.0f} seconds."
    shift, shift_scale = posture_shift(samples, checks.shift_window_s)
    if shift is not None and (shift > checks.max_shift_pct or
                              (shift_scale is not None and shift_scale > checks.max_shift_scale_pct)):
        return ("Your posture changed during the capture (you leaned in or slouched for part of it); calibrate "
                "only on a stretch where you sit upright throughout.")
    try:
        check_capture([s.metrics for s in samples], calibration)
    except CaptureRejected as exc:
        return str(exc)
    return None
