"""The daily posture report, as values: stored rows + a time zone + a day -> `DayReport`.

    report = build_report(samples, events, sessions, day=date(2025, 11, 25), tz=ZoneInfo("Europe/Berlin"))

Pure: no clock, no database, no files. The caller (report/command.py) reads the rows from the store
(`samples_between`, `events_between`, `sessions_between`) for the period plus the trend days
before it, and passes "today" as `day`. Rows are duck-typed: anything with the store schema's
attribute names works (faults as comma-separated text or a sequence, deviations as JSON text
or a mapping).

Definitions (all times are covered time, see report_intervals):
  monitored_s    covered time of any state in the period;
  away_s         covered time judged "away"; present = monitored - away;
  observed_s     good + poor (the time posture could be judged; "unknown" is not counted);
  upright_share  good / observed;
  score          time-weighted mean of the judge's 0..100 score over good and poor samples;
  warnings       warning events (escalations are counted separately);
  longest poor stretch / upright streak: runs of poor / good, which "unknown" neither ends nor
                 extends, and which another state, a gap or a new session ends;
  breaks taken   away stretches of at least `break_min_away_s` (the engine's break rule), and
                 break routines done (`posture-watch break`: break events with the detail "routine");
  break effects  upright share in the 20 min after each break against the 20 min before
                 (core/break_effect.py), for the period and for the last `asymmetry.weeks` weeks;
  breaks due     one per `break_every_s` of present time (the engine's reminder interval);
  faults         poor time that named each fault (a sample with two faults counts for both),
                 poor time it was named first (most severe), and the median deviation of those
                 samples; the dominant fault is the one most often named first;
  hours          24 local hours of the day (summed over the days of a longer period);
  asymmetry      one-sided habits (core/asymmetry.py): the period, the last `asymmetry_weeks`
                 weeks and each of their days; needs the samples of those weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from posture_watch.core import asymmetry_words
from posture_watch.core import report_words as words
from posture_watch.core.asymmetry import Asymmetry, AsymmetryConfig, build_asymmetry
from posture_watch.core.break_effect import BreakEffect, break_effect, break_spans, routines
from posture_watch.core.domain import EV_BREAK_REMINDER, EV_ESCALATION, EV_WARNING, FAULTS
from posture_watch.core.report_intervals import (
    CODE_STATES, FAULT_BITS, S_AWAY, S_GOOD, S_POOR, S_UNKNOWN, Intervals, build_intervals, day_bounds,
    deviation_map, hourly_state_sums, run_groups, runs, segments, state_sums, weighted_score,
)

__all__ = [
    "Breaks", "DayReport", "FaultStat", "Fatigue", "HourStat", "ProfileStat", "ReportConfig", "Segment",
    "Stretch", "TrendDay", "build_report",
]


@dataclass(frozen=True)
class ReportConfig:
    """Report rules, units in the names. The break rules mirror EngineConfig's by default."""

    max_sample_gap_s: float = 10.0      # a sample covers at most this long (store schema rule)
    break_min_away_s: float = 60.0      # EngineConfig.break_min_away_s
    break_every_s: float = 1800.0       # EngineConfig.break_reminder_after_s
    fatigue_window_s: float = 7200.0    # "first two hours" vs "last two hours"
    fatigue_min_observed_s: float = 1200.0  # each window needs 20 min of judged posture
    fatigue_change_pts: float = 10.0    # percentage points of poor share that count as a change
    hour_min_observed_s: float = 60.0   # an hour with less judged posture gets no poor share
    trend_days: int = 7
    asymmetry: AsymmetryConfig = AsymmetryConfig()

    @property
    def history_days(self) -> int:
        """Days before the report's last day whose samples the report reads (trend and sides)."""
        return max(self.trend_days, 7 * self.asymmetry.weeks)

    def __post_init__(self) -> None:
        for name in ("max_sample_gap_s", "break_min_away_s", "break_every_s", "fatigue_window_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"report.{name} must be more than 0.")
        if self.trend_days < 1:
            raise ValueError("report.trend_days must be at least 1.")


@dataclass(frozen=True)
class Stretch:
    start_t: float
    end_t: float
    duration_s: float  # covered seconds of the state in it


@dataclass(frozen=True)
class HourStat:
    hour: int
    monitored_s: float
    observed_s: float
    good_s: float
    poor_s: float
    away_s: float
    poor_share: float | None  # None when under hour_min_observed_s of judged posture


@dataclass(frozen=True)
class FaultStat:
    fault: str
    label: str
    duration_s: float                       # poor time with the fault named (first or not)
    lead_s: float                           # poor time with the fault named first (the most severe)
    share_of_poor: float | None
    measure: str | None                     # the deviation that sizes it, e.g. "head_forward_deg"
    median_deviation: float | None          # median of that deviation over the fault's samples
    medians: Mapping[str, float]            # median of every deviation seen with the fault
    size_words: str                         # "about 12°" (posture_watch.core.fault_words)


@dataclass(frozen=True)
class Breaks:
    taken: int
    due: int
    every_s: float
    min_away_s: float
    longest_sitting_s: float
    taken_at: tuple[float, ...]


@dataclass(frozen=True)
class Fatigue:
    verdict: str               # "worse", "better", "same" or "unknown"
    early_poor_share: float | None
    late_poor_share: float | None
    window_s: float
    words: str


@dataclass(frozen=True)
class Segment:
    start_t: float
    end_t: float
    state: str  # good, poor, away, unknown


@dataclass(frozen=True)
class TrendDay:
    day: date
    monitored_s: float
    upright_share: float | None
    score: float | None
    judged_s: float = 0.0     # the good and poor time the share is of (it weighs the day in comparisons)


@dataclass(frozen=True)
class ProfileStat:
    name: str
    sessions: int
    monitored_s: float
    observed_s: float
    upright_share: float | None


@dataclass(frozen=True)
class DayReport:
    first_day: date
    last_day: date
    tz: str                    # the zone's name, e.g. "Europe/Berlin"
    zone: tzinfo               # the zone itself, for local clock times
    start_t: float
    end_t: float
    has_data: bool
    monitored_s: float
    away_s: float
    present_s: float
    observed_s: float
    good_s: float
    poor_s: float
    unknown_s: float
    upright_share: float | None
    score: float | None
    warnings: int
    escalations: int
    break_reminders: int
    longest_poor: Stretch | None
    longest_upright: Stretch | None
    breaks: Breaks
    faults: tuple[FaultStat, ...]
    dominant_fault: str | None
    hours: tuple[HourStat, ...]
    fatigue: Fatigue
    timeline: tuple[Segment, ...]
    trend: tuple[TrendDay, ...]
    profiles: tuple[ProfileStat, ...]
    sessions: int
    title: str
    summary: str
    tips: tuple[str, ...]
    disclaimer: str
    # per local day of the period, oldest first: (day, its 24 hours); `hours` sums them
    day_hours: tuple[tuple[date, tuple[HourStat, ...]], ...] = ()
    asymmetry: Asymmetry | None = None
    asymmetry_words: tuple[str, ...] = ()     # the sentences of the period and the weeks
    asymmetry_tips: tuple[str, ...] = ()      # tips for the side measured
    break_effects: tuple[BreakEffect, ...] = ()   # upright before/after breaks: the period, the weeks

    @property
    def weeks(self) -> int:
        """The weeks of the left-and-right and break-effect history."""
        return len(self.asymmetry.daily) // 7 if self.asymmetry is not None else 0

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def build_report(
    samples: Sequence[Any],
    events: Iterable[Any],
    sessions: Iterable[Any],
    *,
    day: date,
    tz: tzinfo,
    days: int = 1,
    config: ReportConfig | None = None,
    today: date | None = None,
) -> DayReport:
    """The report of the `days` local days ending with `day` (made on `today`, when given: a day to come
    is said to be one).

    samples:  rows from at least the history (`max(days, config.history_days)` days ending with
              `day`: the trend and the weeks of left and right) plus `max_sample_gap_s` before it;
              rows outside are ignored. Rows may carry the sides (SampleRow, SampleState).
    events:   rows with .t, .kind (warnings, escalations and reminders of the period are counted; break
              routines of the history count as breaks).
    sessions: rows with .id, .ended_at, .profile_name (for the session ends and profiles).
    """
    cfg = config or ReportConfig()
    if days < 1:
        raise ValueError("days must be at least 1")
    sessions, events = list(sessions), list(events)
    first_day = day - timedelta(days=days - 1)
    start_t, _ = day_bounds(first_day, tz)
    _, end_t = day_bounds(day, tz)
    iv = build_intervals(samples, {int(s.id): s.ended_at for s in sessions}, cfg.max_sample_gap_s)
    gap = cfg.max_sample_gap_s

    sums = state_sums(iv, start_t, end_t, gap)
    good_s, poor_s, away_s, unknown_s = (float(x) for x in sums)
    monitored_s = float(sums.sum())
    observed_s = good_s + poor_s
    counts = _event_counts(events, start_t, end_t)
    faults = _fault_stats(iv, start_t, end_t, gap, poor_s)
    dominant = _dominant(faults)
    longest_poor = _longest(runs(iv, start_t, end_t, gap, S_POOR, neutral=(S_UNKNOWN,)))
    longest_good = _longest(runs(iv, start_t, end_t, gap, S_GOOD, neutral=(S_UNKNOWN,)))
    breaks = _breaks(iv, start_t, end_t, cfg, monitored_s - away_s, [b for _, b in routines(events, start_t, end_t)])
    weeks_t, _ = day_bounds(day - timedelta(days=7 * cfg.asymmetry.weeks - 1), tz)
    effects = tuple(break_effect(iv, break_spans(iv, events, a, end_t, gap, cfg.break_min_away_s), gap)
                    for a in (start_t, min(start_t, weeks_t)))
    hours = _hours(hourly_state_sums(iv, start_t, end_t, tz, gap), cfg)
    day_hours = tuple((d, _hours(hourly_state_sums(iv, *day_bounds(d, tz), tz, gap), cfg)) if days > 1 else (d, hours)
                      for d in (first_day + timedelta(days=k) for k in range(days)))
    fatigue = _fatigue(iv, first_day, days, tz, cfg)
    timeline = tuple(Segment(a, b, CODE_STATES[st]) for a, b, st in segments(iv, start_t, end_t, gap))
    trend = _trend(iv, day, tz, max(days, cfg.trend_days), gap)
    profiles = _profiles(iv, sessions, start_t, end_t, gap)
    upright = good_s / observed_s if observed_s > 0 else None
    score = weighted_score(iv, start_t, end_t, gap)
    asym = build_asymmetry(iv, day, days, tz, gap, cfg.asymmetry)

    facts = words.Facts(
        first_day=first_day, last_day=day, monitored_s=monitored_s, away_s=away_s, observed_s=observed_s,
        upright_share=upright, score=score, warnings=counts[EV_WARNING],
        longest_poor_s=longest_poor.duration_s if longest_poor else 0.0,
        breaks_taken=breaks.taken, breaks_due=breaks.due, break_every_s=cfg.break_every_s,
        dominant_fault=dominant, dominant_size=next((f.size_words for f in faults if f.fault == dominant), ""),
        dominant_s=next((f.duration_s for f in faults if f.fault == dominant), 0.0),
        fatigue=fatigue.verdict, fatigue_words=fatigue.words,
        trend_upright=tuple(t.upright_share for t in trend[:-days]),
        trend_judged_s=tuple(t.judged_s for t in trend[:-days]),
        profiles=tuple(p.name for p in profiles), today=today,
    )
    return DayReport(
        first_day=first_day, last_day=day, tz=str(getattr(tz, "key", None) or tz), zone=tz, start_t=start_t, end_t=end_t,
        has_data=monitored_s > 0, monitored_s=monitored_s, away_s=away_s, present_s=monitored_s - away_s,
        observed_s=observed_s, good_s=good_s, poor_s=poor_s, unknown_s=unknown_s, upright_share=upright,
        score=score, warnings=counts[EV_WARNING], escalations=counts[EV_ESCALATION],
        break_reminders=counts[EV_BREAK_REMINDER], longest_poor=longest_poor, longest_upright=longest_good,
        breaks=breaks, faults=faults, dominant_fault=dominant, hours=hours, fatigue=fatigue, timeline=timeline,
        trend=trend, profiles=profiles, sessions=len({int(s) for s in iv.session[iv.window(start_t, end_t, gap)]}),
        title=words.title(first_day, day), summary=words.summary(facts), tips=words.tips(facts),
        disclaimer=words.DISCLAIMER, day_hours=day_hours, asymmetry=asym,
        asymmetry_words=asymmetry_words.sentences(asym, days), asymmetry_tips=asymmetry_words.tips(asym),
        break_effects=effects,
    )


def _event_counts(events: Iterable[Any], start_t: float, end_t: float) -> dict[str, int]:
    counts = {EV_WARNING: 0, EV_ESCALATION: 0, EV_BREAK_REMINDER: 0}
    for ev in events:
        if ev.kind in counts and start_t <= ev.t < end_t:
            counts[ev.kind] += 1
    return counts


def _longest(found: list[Any]) -> Stretch | None:
    if not found:
        return None
    best = max(found, key=lambda r: r.covered_s)
    return Stretch(best.start_t, best.end_t, best.covered_s)


def _fault_stats(iv: Intervals, start_t: float, end_t: float, gap: float, poor_s: float) -> tuple[FaultStat, ...]:
    sl, dur = iv.clipped(start_t, end_t, gap)
    poor = (iv.state[sl] == S_POOR) & (dur > 0)
    masks = iv.faults[sl]
    out = []
    for fault in FAULTS:
        has = poor & ((masks & FAULT_BITS[fault]) != 0)
        duration = float(dur[has].sum())
        lead_s = float(dur[poor & (iv.lead[sl] == FAULTS.index(fault))].sum())
        values: dict[str, list[float]] = {}
        for i in np.flatnonzero(has):
            for key, value in deviation_map(iv.row(sl.start + int(i)).deviations).items():
                values.setdefault(key, []).append(value)
        medians = {k: float(np.median(v)) for k, v in sorted(values.items())}
        measure = words.primary_measure(fault, {k: len(v) for k, v in values.items()}, medians)
        median = medians.get(measure) if measure else None
        out.append(FaultStat(
            fault=fault, label=words.FAULT_LABELS.get(fault, fault), duration_s=duration, lead_s=lead_s,
            share_of_poor=duration / poor_s if poor_s > 0 else None, measure=measure,
            median_deviation=median, medians=medians, size_words=words.size_words(fault, measure, median),
        ))
    return tuple(out)


def _dominant(faults: tuple[FaultStat, ...]) -> str | None:
    """The fault most often named first (the judge's most severe), then the longest named at all."""
    best = max(faults, key=lambda f: (f.lead_s, f.duration_s), default=None)
    return best.fault if best is not None and best.duration_s > 0 else None


def _breaks(iv: Intervals, start_t: float, end_t: float, cfg: ReportConfig, present_s: float,
            routines: list[float]) -> Breaks:
    gap = cfg.max_sample_gap_s
    taken = [r for r in runs(iv, start_t, end_t, gap, S_AWAY) if r.covered_s >= cfg.break_min_away_s - 1e-6]
    # Sitting clock: present time since the last break, reset by a break or a new session.
    dur, state, group = run_groups(iv, start_t, end_t, gap, np.array(sorted([r.end_t for r in taken] + routines)))
    present = np.where(state != S_AWAY, dur, 0.0)
    longest = float(np.bincount(group, weights=present).max()) if group.size else 0.0
    due = int((present_s + 1e-6) // cfg.break_every_s)
    return Breaks(taken=len(taken) + len(routines), due=due, every_s=cfg.break_every_s,
                  min_away_s=cfg.break_min_away_s, longest_sitting_s=longest,
                  taken_at=tuple(sorted([r.start_t for r in taken] + routines)))


def _hours(table: np.ndarray, cfg: ReportConfig) -> tuple[HourStat, ...]:
    out = []
    for hour in range(24):
        good, poor, away, unknown = (float(x) for x in table[hour])
        observed = good + poor
        share = poor / observed if observed >= cfg.hour_min_observed_s else None
        out.append(HourStat(hour, good + poor + away + unknown, observed, good, poor, away, share))
    return tuple(out)


def _fatigue(iv: Intervals, first_day: date, days: int, tz: tzinfo, cfg: ReportConfig) -> Fatigue:
    """Poor share in the first vs the last `fatigue_window_s` of each day's monitored span
    (summed over the days of the period whose span is long enough)."""
    gap, window = cfg.max_sample_gap_s, cfg.fatigue_window_s
    early, late = np.zeros(4), np.zeros(4)
    any_data = long_enough = False
    for k in range(days):
        a, b = day_bounds(first_day + timedelta(days=k), tz)
        sl, dur = iv.clipped(a, b, gap)
        covered = np.flatnonzero(dur > 0)
        if covered.size == 0:
            continue
        any_data = True
        first = max(float(iv.t0[sl][covered[0]]), a)
        last = min(float(iv.t1[sl][covered[-1]]), b)
        if last - first < 2 * window:
            continue
        long_enough = True
        early += state_sums(iv, first, first + window, gap)
        late += state_sums(iv, last - window, last, gap)
    if not long_enough:
        verdict = "short" if any_data else "unknown"
        return Fatigue("unknown", None, None, window, words.fatigue_words(verdict, None, None, window))
    if min(early[S_GOOD] + early[S_POOR], late[S_GOOD] + late[S_POOR]) < cfg.fatigue_min_observed_s:
        return Fatigue("unknown", None, None, window, words.fatigue_words("sparse", None, None, window))
    e = float(early[S_POOR] / (early[S_GOOD] + early[S_POOR]))
    lt = float(late[S_POOR] / (late[S_GOOD] + late[S_POOR]))
    change = (lt - e) * 100
    verdict = "worse" if change >= cfg.fatigue_change_pts else "better" if change <= -cfg.fatigue_change_pts else "same"
    return Fatigue(verdict, e, lt, window, words.fatigue_words(verdict, e, lt, window))


def _trend(iv: Intervals, day: date, tz: tzinfo, n: int, gap: float) -> tuple[TrendDay, ...]:
    out = []
    for back in range(n - 1, -1, -1):
        d = day - timedelta(days=back)
        a, b = day_bounds(d, tz)
        sums = state_sums(iv, a, b, gap)
        observed = sums[S_GOOD] + sums[S_POOR]
        out.append(TrendDay(d, float(sums.sum()), float(sums[S_GOOD] / observed) if observed > 0 else None,
                            weighted_score(iv, a, b, gap), float(observed)))
    return tuple(out)


def _profiles(iv: Intervals, sessions: list[Any], start_t: float, end_t: float, gap: float) -> tuple[ProfileStat, ...]:
    """Per-profile totals, for days recorded with more than one calibration profile."""
    sl, dur = iv.clipped(start_t, end_t, gap)
    name_of = {int(s.id): (s.profile_name or "unnamed profile") for s in sessions}
    stats: dict[str, list[Any]] = {}
    for sid in np.unique(iv.session[sl][dur > 0]).tolist():
        use = (iv.session[sl] == sid)
        d, st = dur[use], iv.state[sl][use]
        good, poor = float(d[st == S_GOOD].sum()), float(d[st == S_POOR].sum())
        entry = stats.setdefault(name_of.get(int(sid), "unnamed profile"), [0, 0.0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += float(d.sum())
        entry[2] += good + poor
        entry[3] += good
    return tuple(
        ProfileStat(name, n, mon, obs, good / obs if obs > 0 else None)
        for name, (n, mon, obs, good) in sorted(stats.items(), key=lambda kv: -kv[1][1])
    )
