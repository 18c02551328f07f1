"""Metrics against the calibrated baseline -> a judged Reading (good / poor / away / unknown).

`judge(metrics, profile, history, config) -> (Reading, history)` is pure: the history is a
value that goes in and comes back out; time comes only from `metrics.t_s`. `Judge` is the
small stateful wrapper the monitor and `analyze` use (`Judge(profile).update(metrics)`).

Per sample (`posture_watch.core.deviation.assess`): is the calibrated person there (a plausible pose
of about the calibrated size; a tiny "person" on a poster or a cartoon is not), and how far each
measure is from the baseline, as fault severities (1.0 = at the threshold).

Over time: the severities of the samples in the last `window_s` seconds (by time, not by
count, because rates vary from 1 Hz to 30 fps) are median-filtered; presence is the share of
present samples in the last `presence_window_s` (a tie keeps the previous answer, so one odd
sample at a low rate flips nothing). The posture state then follows hysteresis: it becomes poor when
the smoothed severity reaches `poor_enter`, and good again only below `poor_exit`.

Away means no valid person, never poor. Without a profile the judge still says away or
present, but the posture of a present person is "unknown" (flag "uncalibrated").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from posture_watch.core.deviation import Tolerances, assess, tolerances
from posture_watch.core.domain import AWAY, GOOD, POOR, UNKNOWN, Reading
from posture_watch.core.geometry import TOO_DARK, Metrics
from posture_watch.core.judge_config import JudgeConfig  # noqa: F401  (re-exported: the judge's settings)
from posture_watch.core.profile import Profile

UNCALIBRATED = "uncalibrated"
NOT_THE_USER = "not_the_user"
NO_POSTURE_MEASURE = "no_posture_measure"
CAMERA_MOVED = "camera_moved"       # the camera seems turned since calibration (compensated, said)


@dataclass(frozen=True)
class Sample:
    t_s: float
    present: bool
    dark: bool = False
    faults: Mapping[str, float] = field(default_factory=dict)
    evidence: Mapping[str, float] = field(default_factory=dict)
    deviations: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class JudgeHistory:
    """What the judge remembers: the samples of the last window and the hysteresis state."""

    samples: tuple[Sample, ...] = ()
    posture: str | None = None          # last good/poor decision
    posture_t_s: float | None = None    # when a posture measure last backed it
    state: str = UNKNOWN
    present: bool = False               # last presence decision (a tie in the window keeps it)
    peak: Mapping[str, float] = field(default_factory=dict)   # fault -> its highest severity in this poor span


def _median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def judge(metrics: Metrics, profile: Profile | None, history: JudgeHistory = JudgeHistory(),
          config: JudgeConfig = JudgeConfig(), tol: Tolerances | None = None) -> tuple[Reading, JudgeHistory]:
    """Pure: one sample + the history -> the judged Reading and the new history.
    `tol` may carry `tolerances(profile, config)` precomputed (the Judge wrapper caches it)."""
    t = metrics.t_s
    if history.samples and t < history.samples[-1].t_s - 1e-6:
        history = JudgeHistory()          # time went backwards: a new source
    flags = set(metrics.flags)
    if profile is None:
        flags.add(UNCALIBRATED)
        sample = Sample(t, metrics.person_present, TOO_DARK in metrics.flags)
    else:
        tol = tol or tolerances(profile, config)
        a = assess(metrics, tol, config)
        if metrics.person_present and not a.present:
            flags.add(NOT_THE_USER)
        sample = Sample(t, a.present, TOO_DARK in metrics.flags, faults=a.faults, deviations=a.deviations,
                        evidence=a.evidence)
    keep_s = max(config.window_s, config.presence_window_s)
    samples = tuple(s for s in history.samples if s.t_s > t - keep_s) + (sample,)

    recent = [s for s in samples if s.t_s > t - config.presence_window_s] or [sample]
    present_frac = sum(s.present for s in recent) / len(recent)
    tie = abs(present_frac - config.presence_min_frac) < 1e-9
    present = history.present if tie else present_frac > config.presence_min_frac
    if not present:
        state = UNKNOWN if sample.dark else AWAY
        reading = Reading(t_s=t, state=state, score=None, metrics=dict(metrics.values),
                          flags=tuple(sorted(flags)), view=metrics.view)
        return reading, JudgeHistory(samples, history.posture, history.posture_t_s, state, False, history.peak)
    if profile is None:
        reading = Reading(t_s=t, state=UNKNOWN, score=None, metrics=dict(metrics.values),
                          flags=tuple(sorted(flags)), view=metrics.view)
        return reading, JudgeHistory(samples, None, None, UNKNOWN, True)

    smoothed = _smooth_faults(samples, t - config.window_s)
    if not smoothed:
        flags.add(NO_POSTURE_MEASURE)
        held = history.posture if (history.posture_t_s is not None
                                   and t - history.posture_t_s <= config.hold_posture_s) else None
        state = held or UNKNOWN
        reading = Reading(t_s=t, state=state, score=None, metrics=dict(metrics.values),
                          flags=tuple(sorted(flags)), view=metrics.view)
        return reading, JudgeHistory(samples, history.posture, history.posture_t_s, state, True, history.peak)

    worst = max(smoothed.values())
    # hysteresis: poor from poor_enter, good again below poor_exit (a first judgement needs poor_enter too)
    posture = POOR if worst >= (config.poor_exit if history.posture == POOR else config.poor_enter) else GOOD
    faults: tuple[str, ...] = ()
    peak: dict[str, float] = {}
    if posture == POOR:
        # the span is called by its most severe fault so far (a later reading corrects an earlier one
        # when another fault grows past it); a fault that has ended (below poor_exit) leaves the span's
        # record, so a poor stretch that turns from one fault into another is called by the one it is now;
        # others are named beside it while past their threshold
        peak = dict(history.peak) if history.posture == POOR else {}
        for f in list(peak):
            if smoothed.get(f, -math.inf) < config.poor_exit:
                del peak[f]
        for f, sev in smoothed.items():
            peak[f] = max(peak.get(f, -math.inf), sev)
        main = max(peak, key=lambda f: (peak[f], smoothed.get(f, -math.inf)))
        evidence = _smooth_faults(samples, t - config.window_s, "evidence")
        ranked = sorted(smoothed.items(), key=lambda kv: kv[1], reverse=True)
        faults = (main,) + tuple(f for f, s in ranked if f != main
                                 and s >= config.poor_enter and evidence.get(f, 0.0) >= config.poor_enter)
    score = 100.0 * max(0.0, min(1.0, 1.0 - worst / 2.0))
    deviations = _smooth_deviations(samples, t - config.window_s)
    if abs(deviations.get("camera_roll_deg", 0.0)) >= config.camera_moved_roll_deg:
        flags.add(CAMERA_MOVED)
    reading = Reading(t_s=t, state=posture, score=score, faults=faults, deviations=deviations,
                      metrics=dict(metrics.values), flags=tuple(sorted(flags)), view=metrics.view)
    return reading, JudgeHistory(samples, posture, t, posture, True, peak)


def _smooth_faults(samples: tuple[Sample, ...], since_s: float, field_name: str = "faults") -> dict[str, float]:
    columns: dict[str, list[float]] = {}
    for s in samples:
        if s.t_s <= since_s:
            continue
        if s.present:
            for fault, sev in getattr(s, field_name).items():
                if math.isfinite(sev):
                    columns.setdefault(fault, []).append(sev)
    return {fault: _median(v) for fault, v in columns.items()}


def _smooth_deviations(samples: tuple[Sample, ...], since_s: float) -> dict[str, float]:
    columns: dict[str, list[float]] = {}
    for s in samples:
        if s.t_s <= since_s:
            continue
        if s.present:
            for name, value in s.deviations.items():
                columns.setdefault(name, []).append(value)
    return {name: _median(v) for name, v in columns.items()}


class Judge:
    """Stateful wrapper: `Judge(profile).update(metrics) -> Reading`."""

    def __init__(self, profile: Profile | None, config: JudgeConfig = JudgeConfig()) -> None:
        self.profile = profile
        self.config = config
        self.history = JudgeHistory()
        self._tol = tolerances(profile, config) if profile is not None else None

    def update(self, metrics: Metrics) -> Reading:
        reading, self.history = judge(metrics, self.profile, self.history, self.config, self._tol)
        return reading

    def reset(self) -> None:
        self.history = JudgeHistory()
