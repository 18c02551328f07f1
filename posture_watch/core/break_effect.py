"""Did the breaks help? The upright share in the 20 minutes after each break against the 20 minutes
before it, per day and over the weeks. Pure: covered intervals in, values out.

A break is an away stretch of at least the engine's `break_min_away_s`, or a break routine done
(`posture-watch break`, a break event with the detail "routine", which began `duration_s` before it).
Each side counts only judged time (good + poor) inside its own 20 minutes; shares are time-weighted over all the breaks of the window. A break needs
`min_judged_s` of judged time on each side to count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from posture_watch.core.domain import EV_BREAK
from posture_watch.core.report_intervals import S_AWAY, S_GOOD, S_POOR, Intervals, runs, state_sums

ROUTINE = "routine"


@dataclass(frozen=True)
class BreakEffect:
    breaks: int                       # breaks with enough judged time on both sides
    before_upright: float | None      # upright share of the judged time in the `window_s` before them
    after_upright: float | None       # ... and after them
    window_s: float

    @property
    def words(self) -> str:
        if not self.breaks or self.before_upright is None or self.after_upright is None:
            return ""
        n = "1 break" if self.breaks == 1 else f"{self.breaks} breaks"
        minutes = f"{self.window_s / 60:.0f} min"
        change = (self.after_upright - self.before_upright) * 100
        how = "helped" if change >= 5 else "made little difference" if change > -5 else "did not help"
        return (f"After a break you sat upright {self.after_upright * 100:.0f} % of the next {minutes}, against "
                f"{self.before_upright * 100:.0f} % in the {minutes} before ({n}): the breaks {how}.")


def effect_words(effects: tuple[BreakEffect, ...], weeks: int) -> str:
    """The report's sentence: the period's effect, and the weeks' when they hold more breaks."""
    parts = [effects[0].words] if effects else []
    if len(effects) > 1 and effects[1].breaks > (effects[0].breaks if effects else 0) and effects[1].words:
        parts.append(f"Over the last {weeks} weeks: " + effects[1].words[0].lower() + effects[1].words[1:])
    return " ".join(p for p in parts if p)


def break_spans(iv: Intervals, events: Iterable[Any], start_t: float, end_t: float, gap_s: float,
                min_away_s: float) -> list[tuple[float, float]]:
    """(start, end) of every break that began in [start_t, end_t), oldest first."""
    spans = [(r.start_t, r.end_t) for r in runs(iv, start_t, end_t, gap_s, S_AWAY) if r.covered_s >= min_away_s - 1e-6]
    return sorted(spans + routines(events, start_t, end_t))


def routines(events: Iterable[Any], start_t: float, end_t: float) -> list[tuple[float, float]]:
    """(start, end) of the break routines done in [start_t, end_t) (their break events)."""
    return [(float(ev.t) - float(ev.duration_s or 0.0), float(ev.t)) for ev in events
            if ev.kind == EV_BREAK and getattr(ev, "detail", "") == ROUTINE and start_t <= ev.t < end_t]


def break_effect(iv: Intervals, spans: list[tuple[float, float]], gap_s: float, window_s: float = 1200.0,
                 min_judged_s: float = 300.0) -> BreakEffect:
    before, after, counted = [0.0, 0.0], [0.0, 0.0], 0
    for a, b in spans:
        pre = state_sums(iv, a - window_s, a, gap_s)
        post = state_sums(iv, b, b + window_s, gap_s)
        pre_j, post_j = pre[S_GOOD] + pre[S_POOR], post[S_GOOD] + post[S_POOR]
        if min(pre_j, post_j) < min_judged_s:
            continue
        counted += 1
        before[0] += pre[S_GOOD]
        before[1] += pre_j
        after[0] += post[S_GOOD]
        after[1] += post_j
    return BreakEffect(counted, before[0] / before[1] if before[1] else None,
                       after[0] / after[1] if after[1] else None, window_s)
