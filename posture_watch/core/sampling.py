"""Adaptive sampling: how long to wait before the next analysed frame. Pure.

Posture changes over minutes, so steady good posture is sampled slowly (`slow_hz`, ~1 Hz), and
once it has stayed good for `settled_after_s` (a minute), every 10 s (`settled_hz`): the bulk of a
working day costs a tenth. 10 s is the engine's `max_sample_s`, the longest time one reading is
credited with, so a slouch that begins between two settled samples is seen up to 10 s late but
counted from the sample before it: its warning comes no later (issue 14, benchmarks/run.py). While the posture is poor or has just changed state, faster (`fast_hz`,
2 Hz, the rate `analyze` judges at and the judge is measured at) so the onset and end of a stretch are
timed to half a second. 4 Hz (until issue 14) cost a quarter more CPU on desk_session and timed no
warning or end of a stretch better than 1 s (benchmarks/bench_jobs.py desk). The first poor sample switches to the fast
rate, so an onset is timed to within one slow (or settled) sample, which is nothing next to the
minutes a warning needs. Once a poor stretch has held for `fast_after_change_s`, `poor_held_hz`
(1 Hz): its end is then timed to within a second, next to a 3-minute window. Someone away for long, or a covered lens, is polled every `away_poll_s`.
A frame that is not analysed is never decoded (FrameSource.read skips it).

The change gate: a sampled picture whose tiny grey thumbnail hardly differs from the one of the last
sample the model ran on (`picture_change` below `unchanged_below_grey`) reuses the model's answer for
that picture, re-timed, and is judged as usual; the model runs anyway once `unchanged_max_s` has passed
since it last ran, so a drift too slow for the gate is still caught within that time (and a slow drift
adds up against the last picture the model saw, not the previous sample, so it opens the gate by itself).
The gate stays open while sampling fast: at the start and just after the judged state changed, when
the model's tracking and the judge's smoothing are settling.

`Pacing` is this policy applied sample after sample, as a value the monitor carries (like the engine's
state): `after_reading` plans the next target, `gate_holds`/`model_saw` are the change gate, `restarted`
forgets after an interruption.

The score is not used: on the sample clips it swings by 15-25 points within seconds in steady
upright posture, so "the score is moving" would mean "always fast".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from posture_watch.core.domain import AWAY, GOOD, POOR
from posture_watch.core.errors import ConfigError


@dataclass(frozen=True)
class SamplingConfig:
    slow_hz: float = 1.0   # steady good posture: a signal that changes over minutes needs no more
    fast_hz: float = 2.0   # posture changing or poor: the onset and end of a stretch to 0.5 s
    analyze_hz: float = 2.0  # `analyze` default: >= judge smoothing resolution, 15x cheaper than 30 fps
    away_poll_s: float = 5.0  # long away: poll slowly
    away_slow_after_s: float = 120.0
    fast_after_change_s: float = 10.0  # keep the fast rate this long after the judged state changed
    settled_after_s: float = 60.0  # good posture unchanged this long: sample at settled_hz
    # (a reading is credited with up to the engine's max_sample_s, 10 s, so a slouch that begins between two
    # settled samples still counts from the one before it)
    settled_hz: float = 0.1  # settled good posture: every 10 s is plenty for stretches judged over minutes
    poor_held_hz: float = 1.0  # a poor stretch held for fast_after_change_s: its end is timed to 1 s (issue 14)
    # change gate (issue 14): a picture whose tiny grey thumbnail differs from the last one the pose model saw
    # by less than this (mean |difference|, grey levels 0..255) reuses the model's answer. Measured with
    # benchmarks/gate_threshold.py: the largest value that moved no poor stretch's start or end by more than 1 s
    # and no warning by more than 5 s on desk_session, grace_desk and a generated 4-minute drift (3.0 delayed
    # the drift's onset 3 s). 0 turns the gate off.
    unchanged_below_grey: float = 2.0
    unchanged_max_s: float = 15.0  # ... but the model runs at least this often, so slow drift is caught

    def __post_init__(self) -> None:
        if not (self.unchanged_below_grey >= 0 and self.unchanged_max_s > 0):
            raise ConfigError("sampling.unchanged_below_grey must be 0 or more and sampling.unchanged_max_s more than 0.")
        for name in ("slow_hz", "fast_hz", "analyze_hz", "settled_hz", "poor_held_hz"):
            value = getattr(self, name)
            if not (0.05 <= value <= 60):
                raise ConfigError(f"sampling.{name} must be between 0.05 and 60 Hz, not {value}.")


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


FAST, SLOW, SETTLED, POLL = "fast", "slow", "settled", "poll"  # the rates' names (logs, status, the gate)


def next_rate(cfg: SamplingConfig, now: SamplingInput) -> tuple[float, str]:
    """(seconds of source time until the next frame to analyse, the name of that rate). The name comes
    with the rule that chose the interval, never from the interval: two rates may be set alike."""
    slow, fast = 1.0 / cfg.slow_hz, 1.0 / cfg.fast_hz
    if now.covered:
        return max(slow, cfg.away_poll_s), POLL
    if now.state == AWAY:
        return (max(slow, cfg.away_poll_s), POLL) if now.away_s >= cfg.away_slow_after_s else (slow, SLOW)
    if now.state is None or now.since_change_s < cfg.fast_after_change_s:
        return fast, FAST
    if now.state == POOR:
        return 1.0 / cfg.poor_held_hz, SLOW  # a held poor stretch: slower than fast (1 Hz by default)
    if now.state == GOOD and now.since_change_s >= cfg.settled_after_s:
        return max(slow, 1.0 / cfg.settled_hz), SETTLED
    return slow, SLOW


def next_interval_s(cfg: SamplingConfig, now: SamplingInput) -> float:
    """Seconds of source time until the next frame to analyse."""
    return next_rate(cfg, now)[0]


def picture_change(thumb: np.ndarray, reference: np.ndarray) -> float:
    """Mean absolute difference of two thumbnails, in grey levels (0..255)."""
    return float(np.abs(thumb - reference).mean())


# A cut: the picture changed at once (a camera bumped or moved, the lights switched, footage made of
# stills). The pose model's tracking then carries the pose of the picture before: its landmark filter
# follows the new pose over about 0.6 s (dev footage: a forward lean's trunk angle took 0.6 s to fall
# from 45 to 3 degrees after the photo changed to an upright one, with the head's landmarks there at
# once), and once held a pose lying on its side through an upright. So a cut drops the tracking
# (io/pose.PoseEstimator searches the picture afresh: about 60 ms of CPU more than a tracked picture, its
# four first looks included). A person moving changes the
# thumbnail by a few grey levels between pictures a tenth of a second apart; switching between two
# photos of the same person in the same room changed it by 12 to 56 (dev footage). Between pictures
# further apart than CUT_WITHIN_S any change could be movement, so only near pictures count, and the
# tracking is dropped at most once every CUT_EVERY_S (a slideshow costs at most 6 % of a core more).
CUT_GREY = 6.0
CUT_WITHIN_S = 0.5
CUT_EVERY_S = 1.0


def is_cut(change: float, apart_s: float, since_last_cut_s: float) -> bool:
    """Drop the model's tracking before this picture? `change`: its picture_change against the picture
    the model saw before it, `apart_s` seconds earlier; `since_last_cut_s`: since the last cut."""
    return (0 < apart_s <= CUT_WITHIN_S + 1e-6 and change >= CUT_GREY
            and since_last_cut_s >= CUT_EVERY_S - 1e-6)


def model_needed(cfg: SamplingConfig, change: float | None, since_model_s: float) -> bool:
    """Run the pose model on this sample? `change`: picture_change against the last judged sample (None:
    there is none, e.g. after an interruption); `since_model_s`: source seconds since the model last ran."""
    if change is None or since_model_s >= cfg.unchanged_max_s - 1e-6:
        return True
    return change >= cfg.unchanged_below_grey


# --- the monitor's pacing: the policy above applied sample after sample ------------------------

@dataclass(frozen=True, eq=False)
class Pacing:
    """Where the monitor is in its sampling, as a value (like the engine's state).

    next_t:        source time of the next frame to read (a target: the rate is kept on average).
    interval_s:    the current interval; rate: its name (the status's "sampling"; the gate is shut while FAST).
    changed_t:     when the judged state last changed (or the clocks were restarted).
    away_since_t:  since when the user has been away (None: present).
    last_state:    the last judged state since the clocks were (re)started; None: nothing judged yet.
    gate_t, gate_thumb: source time and thumbnail of the last picture the pose model saw (the change gate).
    """

    next_t: float = 0.0
    interval_s: float = 0.5
    rate: str = FAST
    changed_t: float = 0.0
    away_since_t: float | None = None
    last_state: str | None = None
    gate_t: float | None = None
    gate_thumb: np.ndarray | None = None


def start_pacing(cfg: SamplingConfig) -> Pacing:
    """Sample fast at the start: the model's tracking and the judge's smoothing settle then."""
    return Pacing(interval_s=1.0 / cfg.fast_hz, rate=FAST)


def read_no_earlier(pacing: Pacing, t_s: float) -> Pacing:
    """The next frame no earlier than `t_s` (after a hold or a reopen, never plan in the past)."""
    return replace(pacing, next_t=max(pacing.next_t, t_s))


def read_at(pacing: Pacing, t_s: float) -> Pacing:
    """The next frame at `t_s` (an unusable picture: try again one interval on)."""
    return replace(pacing, next_t=t_s)


def polling(cfg: SamplingConfig, pacing: Pacing, t_s: float) -> Pacing:
    """A covered lens or a frozen picture at `t_s`: look again one away poll later, and say so."""
    interval, rate = next_rate(cfg, SamplingInput(state=None, since_change_s=0.0, covered=True))
    return replace(pacing, next_t=t_s + interval, interval_s=interval, rate=rate)


def gate_holds(cfg: SamplingConfig, pacing: Pacing, thumb: np.ndarray, t_s: float) -> bool:
    """The change gate: the picture hardly differs from the last one the model saw, which is recent
    enough. Never while sampling fast (the start, and just after the judged state changed: the model's
    tracking and the judge are settling then), nor before anything was judged since an interruption."""
    if pacing.gate_t is None or pacing.gate_thumb is None or pacing.last_state is None \
            or not cfg.unchanged_below_grey or pacing.rate == FAST:
        return False
    return not model_needed(cfg, picture_change(thumb, pacing.gate_thumb), t_s - pacing.gate_t)


def model_saw(pacing: Pacing, t_s: float, thumb: np.ndarray) -> Pacing:
    """The pose model ran on this picture: the gate compares the next ones with it."""
    return replace(pacing, gate_t=t_s, gate_thumb=thumb)


def after_reading(cfg: SamplingConfig, pacing: Pacing, t_s: float, state: str) -> Pacing:
    """A sample at `t_s` was judged `state`: the next interval and the next target."""
    changed_t = t_s if pacing.last_state is None or pacing.last_state != state else pacing.changed_t
    if state == AWAY:
        away_since_t = t_s if pacing.away_since_t is None else pacing.away_since_t
    else:
        away_since_t = None
    interval, rate = next_rate(cfg, SamplingInput(
        state=state, since_change_s=t_s - changed_t, away_s=0.0 if away_since_t is None else t_s - away_since_t))
    # keep the rate on average (targets, not frame times), but never plan in the past
    next_t = max(pacing.next_t + interval, t_s + interval / 2)
    if pacing.gate_t is not None:  # the gate never holds past unchanged_max_s: a sample lands on it
        next_t = min(next_t, pacing.gate_t + cfg.unchanged_max_s)
    return replace(pacing, next_t=next_t, interval_s=interval, rate=rate, changed_t=changed_t,
                   away_since_t=away_since_t, last_state=state)


def restarted(pacing: Pacing, t_s: float) -> Pacing:
    """After an interruption: nothing judged since, the gate forgets its picture, sample fast for a while."""
    return replace(pacing, last_state=None, gate_t=None, gate_thumb=None, changed_t=t_s, away_since_t=None)
