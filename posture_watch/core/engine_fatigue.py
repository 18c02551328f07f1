"""A break brought forward when posture slips as the user tires. Pure; part of the engine's step.

The rule ("clearly", EngineConfig.fatigue_*): the poor share of the judged posture (good + poor)
over the last `fatigue_window_s` since the last break is at least `fatigue_rise_pts` percentage
points above the user's own poor share earlier that day (the judged time before that window), each
of the two with at least `fatigue_min_judged_s` of judged posture. Then the break reminder comes now,
with the reason (detail "fatigue", deviation {"poor_pct_last_hour", "poor_pct_earlier"}), and the
next regular reminder counts from it.

It never comes sooner than `fatigue_min_gap_s` after the last break, or after the last reminder of
either kind. Like every reminder it waits during a snooze, a pause, do-not-disturb or a routine (the
engine's `hold_alerts`), and the notifier still keeps quiet hours. "That day" is the engine's run
since an absence or a gap of `fatigue_day_reset_s` (a night): the level starts afresh after it.

Memory is bounded: one (good, poor) pair per minute of the window, plus two running totals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from posture_watch.core.domain import EV_BREAK_REMINDER, GOOD, POOR, Event
from posture_watch.core.engine_config import EngineConfig

FATIGUE = "fatigue"
_BUCKET_S = 60.0


@dataclass(frozen=True)
class FatigueTrack:
    """buckets: (minute index, good s, poor s) of the window, oldest first; earlier_*: judged time of
    the day before them; last_t: the last step (for the day's reset); last_reminder_t: the last
    reminder of either kind."""

    buckets: tuple[tuple[int, float, float], ...] = ()
    earlier_good_s: float = 0.0
    earlier_poor_s: float = 0.0
    last_t: float | None = None
    last_reminder_t: float | None = None

    def after_break(self) -> "FatigueTrack":
        """A break: the window starts afresh; what it held becomes part of the earlier level."""
        good, poor = self._window_sums()
        return replace(self, buckets=(), earlier_good_s=self.earlier_good_s + good,
                       earlier_poor_s=self.earlier_poor_s + poor)

    def _window_sums(self) -> tuple[float, float]:
        return sum(b[1] for b in self.buckets), sum(b[2] for b in self.buckets)

    def shares(self) -> tuple[float | None, float | None, float, float]:
        """(poor share of the window, poor share earlier, judged s of the window, judged s earlier)."""
        good, poor = self._window_sums()
        now_j, before_j = good + poor, self.earlier_good_s + self.earlier_poor_s
        return (poor / now_j if now_j > 0 else None, self.earlier_poor_s / before_j if before_j > 0 else None,
                now_j, before_j)


def track(f: FatigueTrack, state: str, covered_s: float, now: float, cfg: EngineConfig) -> FatigueTrack:
    """Add one reading's covered time; move minutes that left the window into the earlier level."""
    if f.last_t is not None and now - f.last_t >= cfg.fatigue_day_reset_s:
        f = FatigueTrack()     # a night (or a long absence): a new day's level
    minute = int(math.floor(now / _BUCKET_S))
    first_kept = minute - int(round(cfg.fatigue_window_s / _BUCKET_S)) + 1
    buckets = list(f.buckets)
    eg, ep = f.earlier_good_s, f.earlier_poor_s
    while buckets and buckets[0][0] < first_kept:
        _, g, p = buckets.pop(0)
        eg, ep = eg + g, ep + p
    if state in (GOOD, POOR) and covered_s > 0:
        g, p = (covered_s, 0.0) if state == GOOD else (0.0, covered_s)
        if buckets and buckets[-1][0] == minute:
            _, g0, p0 = buckets[-1]
            buckets[-1] = (minute, g0 + g, p0 + p)
        else:
            buckets.append((minute, g, p))
    return replace(f, buckets=tuple(buckets), earlier_good_s=eg, earlier_poor_s=ep, last_t=now)


def reminded(f: FatigueTrack, now: float) -> FatigueTrack:
    return replace(f, last_reminder_t=now)


def fatigue_reminder(f: FatigueTrack, sitting_s: float, now: float,
                     cfg: EngineConfig) -> tuple[FatigueTrack, Event | None]:
    """The reminder brought forward, or None (the rule in the module docstring)."""
    if sitting_s < cfg.fatigue_min_gap_s:
        return f, None
    if f.last_reminder_t is not None and now - f.last_reminder_t < cfg.fatigue_min_gap_s:
        return f, None
    late, early, late_j, early_j = f.shares()
    if late is None or early is None or min(late_j, early_j) < cfg.fatigue_min_judged_s:
        return f, None
    if (late - early) * 100.0 < cfg.fatigue_rise_pts:
        return f, None
    event = Event(kind=EV_BREAK_REMINDER, t_s=now, duration_s=sitting_s, detail=FATIGUE,
                  window_s=cfg.fatigue_window_s,
                  deviation={"poor_pct_last_hour": round(late * 100, 1), "poor_pct_earlier": round(early * 100, 1)})
    return reminded(f, now), event
