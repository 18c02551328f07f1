"""The engine's memory of recent poor posture: a sliding window on the *evidence clock*.

The evidence clock advances only while the posture is actually observed (a good or poor
reading); away time, "unknown" readings, gaps and pauses do not move it. The window holds
the last `length_s` seconds of that clock. Good time is implicit (clock minus poor); poor
time is kept as run-length segments, each at most `resolution_s` long, with the faults and
the time-weighted mean deviations of the samples merged into it. So the memory is bounded
by `length_s / resolution_s` plus the number of fault changes inside the window, whatever
the sample rate and however long the day.

Pure values and functions; no clock, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

# Slack for float comparisons on the evidence clock (seconds).
_EPS_S = 1e-9


@dataclass(frozen=True)
class PoorSegment:
    """A run of poor samples with the same faults, on the evidence clock [start_s, end_s]."""

    start_s: float
    end_s: float
    faults: tuple[str, ...]
    deviations: tuple[tuple[str, float], ...]  # sorted (name, time-weighted mean) pairs

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class PoorWindow:
    """Poor-posture evidence in the last `length_s` seconds of observed posture.

    clock_s:    evidence seconds observed since the window was created or cleared.
    segments:   poor runs that still overlap the window, oldest first.
    total_s:    summed length of `segments` (the first one may reach back before the window).
    """

    length_s: float
    resolution_s: float = 1.0
    clock_s: float = 0.0
    segments: tuple[PoorSegment, ...] = ()
    total_s: float = 0.0

    @property
    def start_s(self) -> float:
        """Where the window begins on the evidence clock."""
        return self.clock_s - self.length_s

    @property
    def span_s(self) -> float:
        """Evidence seconds the window covers now (less than `length_s` early on)."""
        return min(self.length_s, self.clock_s)

    @property
    def poor_s(self) -> float:
        """Poor seconds inside the window."""
        if not self.segments:
            return 0.0
        cut = max(0.0, self.start_s - self.segments[0].start_s)
        return max(0.0, self.total_s - cut)

    def cleared(self) -> "PoorWindow":
        return PoorWindow(length_s=self.length_s, resolution_s=self.resolution_s)


def advance_good(window: PoorWindow, covered_s: float) -> PoorWindow:
    """`covered_s` seconds of good posture were observed."""
    if covered_s <= 0:
        return window
    return _prune(replace(window, clock_s=window.clock_s + covered_s))


def add_poor(
    window: PoorWindow,
    covered_s: float,
    faults: tuple[str, ...],
    deviations: Mapping[str, float],
) -> PoorWindow:
    """`covered_s` seconds of poor posture (with these faults and deviations) were observed."""
    if covered_s <= 0:
        return window
    start = window.clock_s
    end = start + covered_s
    faults = tuple(sorted(set(faults)))
    devs = _clean_deviations(deviations)
    segments = window.segments
    last = segments[-1] if segments else None
    if (
        last is not None
        and abs(last.end_s - start) <= _EPS_S
        and last.faults == faults
        and last.length_s + covered_s <= window.resolution_s + _EPS_S
    ):
        merged = PoorSegment(
            start_s=last.start_s,
            end_s=end,
            faults=faults,
            deviations=_mean_deviations(last.deviations, last.length_s, devs, covered_s),
        )
        segments = segments[:-1] + (merged,)
    else:
        segments = segments + (PoorSegment(start, end, faults, devs),)
    grown = replace(window, clock_s=end, segments=segments, total_s=window.total_s + covered_s)
    return _prune(grown)


def dominant_fault(window: PoorWindow, order: Iterable[str] = ()) -> str | None:
    """The fault with the most poor seconds in the window (ties: first in `order`, then by name)."""
    seconds: dict[str, float] = {}
    for segment, weight in _clipped(window):
        for fault in segment.faults:
            seconds[fault] = seconds.get(fault, 0.0) + weight
    if not seconds:
        return None
    rank = {name: i for i, name in enumerate(order)}
    return max(seconds, key=lambda f: (seconds[f], -rank.get(f, len(rank)), _reverse_name(f)))


def median_deviations(window: PoorWindow, fault: str | None) -> dict[str, float]:
    """Time-weighted median of each deviation over the poor time in the window.

    With a fault, only the poor time that carries that fault counts (the message talks about it).
    """
    values: dict[str, list[tuple[float, float]]] = {}
    for segment, weight in _clipped(window):
        if fault is not None and fault not in segment.faults:
            continue
        for name, value in segment.deviations:
            values.setdefault(name, []).append((value, weight))
    return {name: _weighted_median(pairs) for name, pairs in sorted(values.items())}


def _clipped(window: PoorWindow) -> Iterable[tuple[PoorSegment, float]]:
    start = window.start_s
    for segment in window.segments:
        weight = segment.end_s - max(segment.start_s, start)
        if weight > _EPS_S:
            yield segment, weight


def _prune(window: PoorWindow) -> PoorWindow:
    start = window.start_s
    segments = window.segments
    drop = 0
    while drop < len(segments) and segments[drop].end_s <= start + _EPS_S:
        drop += 1
    if drop == 0:
        return window
    kept = segments[drop:]
    # Re-sum rather than subtract, so no float drift builds up over a long day.
    total = math.fsum(s.length_s for s in kept)
    return replace(window, segments=kept, total_s=total)


def _clean_deviations(deviations: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    pairs = []
    for name, value in deviations.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            pairs.append((str(name), number))
    return tuple(sorted(pairs))


def _mean_deviations(
    old: tuple[tuple[str, float], ...],
    old_s: float,
    new: tuple[tuple[str, float], ...],
    new_s: float,
) -> tuple[tuple[str, float], ...]:
    a, b = dict(old), dict(new)
    merged: dict[str, float] = {}
    for name in set(a) | set(b):
        if name in a and name in b:
            merged[name] = (a[name] * old_s + b[name] * new_s) / (old_s + new_s)
        else:
            merged[name] = a[name] if name in a else b[name]
    return tuple(sorted(merged.items()))


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    pairs = sorted(pairs)
    half = math.fsum(w for _, w in pairs) / 2.0
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half - _EPS_S:
            return value
    return pairs[-1][0]


def _reverse_name(name: str) -> tuple[int, ...]:
    # max() with names compared so that the alphabetically first wins a full tie.
    return tuple(-ord(c) for c in name)
