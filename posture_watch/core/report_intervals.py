"""Time arithmetic of the report: stored samples -> covered intervals -> sums, local hours, runs.

Pure: rows in, numpy arrays and plain values out; no clock, no I/O.

A stored sample covers the time until the next sample of the same session, capped at
`max_sample_gap_s` (the store schema's rule); the last sample of a session covers until the
session's end, with the same cap. Uncovered time is "not monitored".

Sessions may overlap (a clock change, two machines syncing one folder, replays stamped ahead of
the wall clock, an old database). Time is never counted twice: where intervals overlap, the one
that starts later takes over, so the day is one timeline. Sessions whose spans overlap form one
*block*: a stretch (poor, upright, away) runs across their samples, and only a gap or a session
that starts after the others have ended begins a new block. Every sum below is of
covered time clipped to a window, so a session that runs past midnight splits at the local
midnight, and an hour that occurs twice on a DST fall-back day adds into the same local hour.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from posture_watch.core.domain import AWAY, FAULTS, GOOD, POOR, UNKNOWN

STATE_CODES: dict[str, int] = {GOOD: 0, POOR: 1, AWAY: 2, UNKNOWN: 3}
CODE_STATES: tuple[str, ...] = (GOOD, POOR, AWAY, UNKNOWN)
S_GOOD, S_POOR, S_AWAY, S_UNKNOWN = 0, 1, 2, 3
FAULT_BITS: dict[str, int] = {name: 1 << i for i, name in enumerate(FAULTS)}
_EPS_S = 1e-6


def fault_names(value: Any) -> tuple[str, ...]:
    """Faults of a row: the stored comma-separated text, or already a sequence."""
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v) for v in value)


def deviation_map(value: Any) -> dict[str, float]:
    """Deviations of a row: the stored JSON text, or already a mapping. Bad text -> {}."""
    if not value:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    return {str(k): float(v) for k, v in value.items() if type(v) in (int, float) and math.isfinite(v)}


@dataclass(frozen=True, eq=False)
class Intervals:
    """Covered intervals of samples, sorted by start (arrays of equal length).

    t0, t1:  start and end (epoch s); t1 - t0 is the covered time, 0..max_sample_gap_s.
    state:   state code (S_GOOD, S_POOR, S_AWAY, S_UNKNOWN).
    score:   0..100 or NaN.
    faults:  bit mask of FAULT_BITS.
    lead:    index in FAULTS of the fault named first (the judge ranks by severity), -1 if none.
    session: session id.
    block:   id of the group of sessions whose spans overlap (see the module's docstring).
    source, index: the rows given and, for each interval, the position of its row there
             (deviations are parsed only when needed: `row(i)`).
    """

    t0: np.ndarray
    t1: np.ndarray
    state: np.ndarray
    score: np.ndarray
    faults: np.ndarray
    lead: np.ndarray
    session: np.ndarray
    block: np.ndarray
    source: Sequence[Any]
    index: np.ndarray

    def row(self, i: int) -> Any:
        return self.source[int(self.index[i])]

    def __len__(self) -> int:
        return int(self.t0.size)

    def window(self, start_t: float, end_t: float, max_len_s: float) -> slice:
        """Index range of the intervals that can overlap [start_t, end_t)."""
        lo = int(np.searchsorted(self.t0, start_t - max_len_s - _EPS_S, side="left"))
        hi = int(np.searchsorted(self.t0, end_t, side="left"))
        return slice(lo, hi)

    def clipped(self, start_t: float, end_t: float, max_len_s: float) -> tuple[slice, np.ndarray]:
        """(index range, covered seconds of each interval inside [start_t, end_t))."""
        sl = self.window(start_t, end_t, max_len_s)
        dur = np.minimum(self.t1[sl], end_t) - np.maximum(self.t0[sl], start_t)
        return sl, np.clip(dur, 0.0, None)


def build_intervals(samples: Sequence[Any], session_ends: Mapping[int, float | None], max_sample_gap_s: float) -> Intervals:
    """Rows with .session_id, .t, .state, .score, .faults -> Intervals (rows of other states are skipped)."""
    n = len(samples)
    sid = np.array([r.session_id for r in samples], dtype=np.int64)
    t = np.array([r.t for r in samples], dtype=np.float64)
    names = np.array([r.state for r in samples], dtype=object)
    state = np.full(n, -1, dtype=np.int8)
    for name, code in STATE_CODES.items():
        state[names == name] = code
    score = np.array([r.score for r in samples], dtype=np.float64)  # None -> NaN
    masks: dict[Any, tuple[int, int]] = {}
    bits = np.zeros(n, dtype=np.int16)
    lead = np.full(n, -1, dtype=np.int8)
    for i, value in enumerate(r.faults for r in samples):
        if value:
            bits[i], lead[i] = masks[value] if value in masks else masks.setdefault(value, _fault_mask(value))
    src = np.flatnonzero(state >= 0)
    order = src[np.lexsort((t[src], sid[src]))]
    sid, t, state, score, bits, lead = sid[order], t[order], state[order], score[order], bits[order], lead[order]
    n = order.size

    end = t + max_sample_gap_s
    if n:
        same_next = np.zeros(n, dtype=bool)
        same_next[:-1] = sid[1:] == sid[:-1]
        follow = np.empty(n)
        follow[:-1] = t[1:]
        for i in np.flatnonzero(~same_next):
            follow[i] = _session_end(session_ends.get(int(sid[i])), float(t[i]))
        end = np.minimum(end, np.maximum(follow, t))

    by_start = np.argsort(t, kind="stable")
    t0, t1, sid = t[by_start], end[by_start], sid[by_start]
    block = _session_blocks(t0, t1, sid)
    if t0.size > 1:  # overlapping sessions: the later start takes over, no second counting
        t1 = t1.copy()
        t1[:-1] = np.minimum(t1[:-1], t0[1:])
    return Intervals(
        t0=t0, t1=t1, state=state[by_start], score=score[by_start], faults=bits[by_start],
        lead=lead[by_start], session=sid, block=block, source=samples, index=order[by_start],
    )


def _session_blocks(t0: np.ndarray, t1: np.ndarray, sid: np.ndarray) -> np.ndarray:
    """For each interval (sorted by start), the id of its block: sessions whose spans
    [first start, last end] overlap share a block; each later, separate session starts a new one."""
    if t0.size == 0:
        return np.zeros(0, dtype=np.int64)
    ids, inverse = np.unique(sid, return_inverse=True)
    first = np.full(ids.size, np.inf)
    last = np.full(ids.size, -np.inf)
    np.minimum.at(first, inverse, t0)
    np.maximum.at(last, inverse, t1)
    order = np.argsort(first, kind="stable")
    block_of = np.empty(ids.size, dtype=np.int64)
    block, reach = -1, -np.inf
    for k in order:
        if first[k] >= reach - _EPS_S:  # starts after (or exactly when) every earlier session ended
            block += 1
        reach = max(reach, last[k])
        block_of[k] = block
    return block_of[inverse]


def _session_end(ended_at: float | None, t: float) -> float:
    return t if ended_at is None else float(ended_at)


def _fault_mask(value: Any) -> tuple[int, int]:
    """(bit mask of the known faults, index in FAULTS of the first one named or -1)."""
    mask, lead = 0, -1
    for name in fault_names(value):
        if name in FAULT_BITS:
            mask |= FAULT_BITS[name]
            if lead < 0:
                lead = FAULTS.index(name)
    return mask, lead


def state_sums(iv: Intervals, start_t: float, end_t: float, max_len_s: float) -> np.ndarray:
    """Covered seconds per state code inside [start_t, end_t): array of 4."""
    sl, dur = iv.clipped(start_t, end_t, max_len_s)
    return np.bincount(iv.state[sl], weights=dur, minlength=4)[:4]


def weighted_score(iv: Intervals, start_t: float, end_t: float, max_len_s: float) -> float | None:
    """Time-weighted mean score over good and poor samples that carry a score."""
    sl, dur = iv.clipped(start_t, end_t, max_len_s)
    score = iv.score[sl]
    use = (iv.state[sl] <= S_POOR) & ~np.isnan(score) & (dur > 0)
    total = float(dur[use].sum())
    return None if total <= 0 else float((score[use] * dur[use]).sum() / total)


# --- local days and hours ------------------------------------------------------------------

def day_bounds(day: date, tz: tzinfo) -> tuple[float, float]:
    """Epoch seconds of local midnight starting `day` and the next local midnight (23-25 h apart)."""
    return _local_midnight(day, tz), _local_midnight(day + timedelta(days=1), tz)


def _local_midnight(day: date, tz: tzinfo) -> float:
    return datetime.combine(day, time(0, 0), tzinfo=tz).timestamp()


def local_hour_slices(start_t: float, end_t: float, tz: tzinfo) -> list[tuple[float, float, int]]:
    """[start_t, end_t) cut at every local full hour: (from, to, local hour 0..23).

    Boundaries are found by walking UTC in 15-minute steps (every UTC offset in use is a
    multiple of 15 min) and keeping the instants whose local minute is 0; so half-hour zones,
    23-hour and 25-hour days come out right, and a repeated hour keeps its local number.
    """
    step = 900
    first = math.ceil(start_t / step) * step
    cuts = [start_t]
    for t in range(int(first), int(math.ceil(end_t)), step):
        if t > start_t and t < end_t and datetime.fromtimestamp(t, tz).minute == 0:
            cuts.append(float(t))
    cuts.append(end_t)
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b > a:
            out.append((a, b, datetime.fromtimestamp(a, tz).hour))
    return out


def hourly_state_sums(iv: Intervals, start_t: float, end_t: float, tz: tzinfo, max_len_s: float) -> np.ndarray:
    """(24, 4) covered seconds per local hour of day and state code over [start_t, end_t)."""
    table = np.zeros((24, 4))
    for a, b, hour in local_hour_slices(start_t, end_t, tz):
        table[hour] += state_sums(iv, a, b, max_len_s)
    return table


# --- runs ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """A stretch of one state: first covered instant, last covered instant, covered seconds."""

    start_t: float
    end_t: float
    covered_s: float


def _covered(iv: Intervals, start_t: float, end_t: float, max_len_s: float) -> tuple[np.ndarray, ...]:
    """Clipped pieces with covered time > 0: (from, to, covered, state, new_block).

    new_block marks a piece not contiguous with the one before (a gap, or a new block of sessions).
    """
    sl, dur = iv.clipped(start_t, end_t, max_len_s)
    keep = dur > 0
    a = np.maximum(iv.t0[sl][keep], start_t)
    b = np.minimum(iv.t1[sl][keep], end_t)
    blocks = iv.block[sl][keep]
    new_block = np.ones(a.size, dtype=bool)
    if a.size > 1:
        new_block[1:] = (blocks[1:] != blocks[:-1]) | (a[1:] > b[:-1] + _EPS_S)
    return a, b, dur[keep], iv.state[sl][keep], new_block


def runs(iv: Intervals, start_t: float, end_t: float, max_len_s: float, code: int,
         neutral: Iterable[int] = ()) -> list[Run]:
    """Maximal stretches of state `code` inside the window.

    A stretch ends at another state, at a new block of sessions, or at uncovered time (a gap);
    states in `neutral` neither end it nor add to it (e.g. "unknown" inside a poor stretch).
    A stretch spans from its first to its last piece of state `code`.
    """
    a, b, dur, state, new_block = _covered(iv, start_t, end_t, max_len_s)
    is_code = state == code
    if not is_code.any():
        return []
    other = ~is_code & ~np.isin(state, list(neutral))
    group = np.cumsum(new_block | other)[is_code]
    a, b, dur = a[is_code], b[is_code], dur[is_code]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], group.size] - 1
    covered = np.add.reduceat(dur, starts)
    return [Run(float(a[i]), float(b[j]), float(c)) for i, j, c in zip(starts, ends, covered)]


def run_groups(iv: Intervals, start_t: float, end_t: float, max_len_s: float,
               resets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(covered, state, group) of the pieces, a new group at each new block or at a time in `resets`."""
    a, b, dur, state, new_block = _covered(iv, start_t, end_t, max_len_s)
    passed = np.searchsorted(np.sort(resets), a + _EPS_S, side="right")
    crossed = np.r_[True, passed[1:] != passed[:-1]] if a.size else new_block
    return dur, state, np.cumsum(new_block | crossed)


def segments(iv: Intervals, start_t: float, end_t: float, max_len_s: float) -> list[tuple[float, float, int]]:
    """Contiguous same-state pieces of covered time inside the window: (from, to, state code)."""
    a, b, dur, state, new_block = _covered(iv, start_t, end_t, max_len_s)
    if a.size == 0:
        return []
    change = new_block.copy()
    change[1:] |= state[1:] != state[:-1]
    starts = np.flatnonzero(change)
    ends = np.maximum.reduceat(b, starts)
    return [(float(a[i]), float(e), int(state[i])) for i, e in zip(starts, ends)]
