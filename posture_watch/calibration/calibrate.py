"""Calibration: capture an upright baseline (and optionally a reading range and a slouch) -> Profile.

The steps are separate functions so that the interactive wizard can reuse them:

    capture(source, estimator, seconds, sample_hz)        -> list[Metrics]   (touches the camera)
    check_capture(metrics, config)                        -> None or raises CaptureRejected
    (capture_checks.capture_problem runs these and the wizard's stillness, one-posture and length
    checks: both calibration paths call it)
    build_profile(upright, reading=None, slouch=None, ...) -> Profile         (pure)

`scripted.calibrate_from_source` chains them for the non-interactive command
(`posture_watch.calibration.scripted`); the wizard's steps use them too. This module imports no other
calibration module: the checks, the steps, the summary and both commands build on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from posture_watch.core import geometry as g
from posture_watch.core.errors import CaptureRejected
from posture_watch.core.geometry import Metrics, measure
from posture_watch.core.profile import Profile, now_iso, summarize_all


@dataclass(frozen=True)
class CalibrationConfig:
    sample_hz: float = 10.0             # samples per second of source time taken for the capture
    max_samples: int = 300              # a long source is sampled more sparsely than sample_hz
    min_present_samples: int = 5        # fewer samples with the person in them: "nobody there"
    min_present_frac: float = 0.3       # ... or a smaller share of the capture
    too_dark_brightness: float = 30.0   # median mean-luma below this: too dark
    max_two_people_frac: float = 0.3    # share of samples with a second person
    max_no_shoulders_frac: float = 0.5  # share of present samples without both shoulders in view
    second_look_every: int = 2          # every Nth sample gets the estimator's careful look for others


def capture(source: Any, estimator: Any, seconds: float | None = None, sample_hz: float = 10.0,
            on_sample: Callable[[Metrics], None] | None = None, max_samples: int | None = None,
            second_look_every: int = 0, on_frame: Callable[[Any, Any, Metrics], None] | None = None) -> list[Metrics]:
    """Read the source (to its end or for `seconds` of source time) at about `sample_hz`,
    run the pose model and measure each sampled frame. Frames stay in memory. Every
    `second_look_every`-th sample also gets `estimator.look_for_others` (when it has one): the
    fast tracker often reports only the most salient of two people."""
    second_look = getattr(estimator, "look_for_others", None) if second_look_every else None
    duration = getattr(source, "duration_s", None)
    hz = sample_hz
    span = seconds if seconds is not None else duration
    if max_samples and span and span * hz > max_samples:
        hz = max_samples / span
    out: list[Metrics] = []
    next_t = 0.0
    start: float | None = None
    while True:
        frame = source.read(not_before_s=next_t)
        if frame is None:
            break
        if start is None:
            start = frame.t_s
        if seconds is not None and frame.t_s - start > seconds + 1e-9:
            break
        detection = estimator.detect(frame)
        if second_look is not None and len(out) % second_look_every == 0:
            detection = second_look(frame, detection)
        metrics = measure(detection)
        out.append(metrics)
        if on_sample is not None:
            on_sample(metrics)
        if on_frame is not None:
            on_frame(frame, detection, metrics)
        next_t = frame.t_s + 1.0 / hz - 1e-6
    return out


def _present(metrics: Sequence[Metrics]) -> list[Metrics]:
    return [m for m in metrics if m.person_present]


def view_of(metrics: Sequence[Metrics]) -> str:
    """The most common view of the metrics that have one (frontal when none has)."""
    views = [m.view for m in metrics if m.view]
    if not views:
        return g.FRONTAL
    return max(g.VIEWS, key=views.count)


def check_capture(metrics: Sequence[Metrics], config: CalibrationConfig = CalibrationConfig()) -> None:
    """Raise CaptureRejected (one sentence with advice) if the capture cannot make a baseline: no
    frames, too dark with nobody found, nobody, two people, shoulders not visible. Stillness and one
    posture are capture_checks' (in body sizes, every view)."""
    if not metrics:
        raise CaptureRejected("The source gave no frames to calibrate on; check the camera or file and try again.")
    bright = sorted(m.brightness for m in metrics if m.brightness is not None)
    present = _present(metrics)
    if bright and bright[len(bright) // 2] < config.too_dark_brightness and len(present) < len(metrics) / 2:
        raise CaptureRejected("The picture is too dark to calibrate; turn on a light in front of you and try again.")
    if len(present) < config.min_present_samples or len(present) < config.min_present_frac * len(metrics):
        raise CaptureRejected("Nobody was found in front of the camera; sit where you usually sit, facing "
                              "your screen, and calibrate again.")
    two = sum(g.TWO_PEOPLE in m.flags for m in metrics)
    looked = math.ceil(len(metrics) / config.second_look_every) if config.second_look_every > 1 else len(metrics)
    if two > config.max_two_people_frac * looked:
        raise CaptureRejected("Two people were in the picture; calibrate alone in front of the camera.")
    view = view_of(present)
    if view == g.SIDE:
        no_shoulders = sum(m.get("cva_deg") is None for m in present)
    else:
        no_shoulders = sum(bool({g.SHOULDERS_OUT_OF_FRAME, g.SHOULDERS_NOT_VISIBLE} & m.flags) for m in present)
    if no_shoulders > config.max_no_shoulders_frac * len(present):
        raise CaptureRejected("Your shoulders were not visible; tilt the screen or move back so that your "
                              "head and both shoulders are in the picture, then calibrate again.")


def build_profile(upright: Sequence[Metrics], reading: Sequence[Metrics] | None = None,
                  slouch: Sequence[Metrics] | None = None, camera: str = "", created_at: str | None = None,
                  notes: str = "") -> Profile:
    """Pure: captures -> Profile (median and MAD-based spread of every measure). Only samples
    with the person present count; the view is the most common view of the upright capture."""
    present = _present(upright)
    if not present:
        raise CaptureRejected("Nobody was found in front of the camera; sit where you usually sit and calibrate again.")
    view = view_of(present)
    same_view = [m for m in present if m.view == view] or present

    def stats(ms: Sequence[Metrics] | None):
        if not ms:
            return None
        rows = [m.values for m in ms if m.person_present]
        return summarize_all(rows) or None

    baseline = stats(same_view)
    if not baseline:
        raise CaptureRejected("The capture was too short to measure your posture; calibrate for a few seconds longer.")
    size = next((m.image_size for m in present if m.image_size[0]), (0, 0))
    duration = upright[-1].t_s - upright[0].t_s if len(upright) > 1 else 0.0
    return Profile(baseline=baseline, view=view, resolution=(int(size[0]), int(size[1])), camera=camera,
                   created_at=created_at or now_iso(), reading=stats(reading), slouch=stats(slouch),
                   samples=len(same_view), duration_s=max(0.0, duration), notes=notes)


def summary_lines(profile: Profile, keys: Iterable[str] = ("head_drop_ratio", "face_size_ratio",
                                                           "shoulder_width_frac", "cva_deg")) -> list[str]:
    """Short human summary of a profile (for the CLI and the wizard)."""
    lines = [f"view {profile.view}, {profile.samples} samples, {profile.resolution[0]}x{profile.resolution[1]}"]
    for k in keys:
        s = profile.baseline.get(k)
        if s is not None:
            lines.append(f"{k}: {s.median:.3f} (spread {s.spread:.3f})")
    return lines
