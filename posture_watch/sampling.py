"""Adaptive sampling: how long to wait before the next analysed frame. Pure.

Posture changes over minutes, so steady good posture is sampled slowly (`slow_hz`, ~1 Hz), and
once it has stayed good for `settled_after_s` (a minute), every 3 s (`settled_hz`): the bulk of a
working day costs a third. While the posture is poor or has just changed state, faster (`fast_hz`,
~4 Hz) so the onset and end of a stretch are timed well. The first poor sample switches to the fast
rate, so an onset is timed to within one slow (or settled) sample, which is nothing next to the
minutes a warning needs. Someone away for long, or a covered lens, is polled every `away_poll_s`.
A frame that is not analysed is never decoded (FrameSource.read skips it).

The score is not used: on the sample clips it swings by 15-25 points within seconds in steady
upright posture, so "the score is moving" would mean "always fast".
"""

from __future__ import annotations

from dataclasses import dataclass

from posture_watch.config import SamplingConfig
from posture_watch.domain import AWAY, GOOD, POOR


@dataclass(frozen=True)
class SamplingInput:
    """What the policy looks at, all in seconds of source time.

    state:          the last judged state (None before the first reading).
    since_change_s: time since the judged state last changed (or since start/resume/reconnect).
    away_s:         how long the user has been away (0 when present).
    covered:        the lens is covered (black frames).
    """

    state: str | None
    since_change_s: float
    away_s: float = 0.0
    covered: bool = False


def next_interval_s(cfg: SamplingConfig, now: SamplingInput) -> float:
    """Seconds of source time until the next frame to analyse."""
    slow, fast = 1.0 / cfg.slow_hz, 1.0 / cfg.fast_hz
    if now.covered:
        return max(slow, cfg.away_poll_s)
    if now.state == AWAY:
        return max(slow, cfg.away_poll_s) if now.away_s >= cfg.away_slow_after_s else slow
    if now.state is None or now.state == POOR:
        return fast
    if now.since_change_s < cfg.fast_after_change_s:
        return fast
    if now.state == GOOD and now.since_change_s >= cfg.settled_after_s:
        return max(slow, 1.0 / cfg.settled_hz)
    return slow


def rate_label(cfg: SamplingConfig, interval_s: float) -> str:
    """'fast' | 'slow' | 'settled' | 'poll' for logs and status."""
    if interval_s <= 1.0 / cfg.fast_hz + 1e-9:
        return "fast"
    if interval_s <= 1.0 / cfg.slow_hz + 1e-9:
        return "slow"
    if interval_s <= 1.0 / cfg.settled_hz + 1e-9:
        return "settled"
    return "poll"
