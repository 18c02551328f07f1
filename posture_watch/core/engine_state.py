"""The engine's memory: immutable, bounded-size state values (see posture_watch.core.engine).

EngineState = config + Presence (who is at the desk, sitting clock) + PostureTrack (poor
window on the evidence clock, current poor run) + AlertTrack (warning episode, cooldown) +
Controls (pause, snooze). Pure values; no clock, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from posture_watch.core.engine_fatigue import FatigueTrack
from posture_watch.core.engine_config import EngineConfig
from posture_watch.core.engine_window import PoorWindow


@dataclass(frozen=True)
class Presence:
    """Who is at the desk, and for how long.

    seen:          a present reading has arrived since start (before that, no away/back/break).
    absent:        the last presence-deciding reading was "away".
    absent_s:      seconds of the current absence (0 when present).
    away_announced: an `away` event went out for the current absence.
    sitting_s:     continuous presence since the last break (or start); gaps not counted.
    next_reminder_sitting_s: `sitting_s` at which the next break reminder is due.
    """

    next_reminder_sitting_s: float
    seen: bool = False
    absent: bool = False
    absent_s: float = 0.0
    away_announced: bool = False
    sitting_s: float = 0.0


@dataclass(frozen=True)
class PostureTrack:
    """Recent posture: the poor window plus the current poor run.

    poor_run_s: poor seconds in the current run; a good spell shorter than
                `good_blip_s` does not end the run, "unknown" neither adds nor ends it.
    good_run_s: continuous good seconds since the last poor sample.
    """

    window: PoorWindow
    last_state: str | None = None
    poor_run_s: float = 0.0
    good_run_s: float = 0.0

    def cleared(self) -> "PostureTrack":
        return PostureTrack(window=self.window.cleared())


@dataclass(frozen=True)
class AlertTrack:
    """Warnings already given. level 0: no episode; 1 after a warning; 2, 3... after escalations.

    episode_poor_s / episode_span_s: poor seconds and evidence seconds since the warning's window
    began (what an escalation reports: "poor for 8 of the last 8.5 min").
    """

    level: int = 0
    episode_poor_s: float = 0.0
    episode_span_s: float = 0.0
    last_warning_t: float | None = None
    last_alert_t: float | None = None  # last warning or escalation; the cooldown counts from here

    def episode_ended(self) -> "AlertTrack":
        return replace(self, level=0, episode_poor_s=0.0, episode_span_s=0.0)


@dataclass(frozen=True)
class Controls:
    """User controls. paused_until is math.inf for "until resumed"."""

    paused_until: float | None = None
    paused_at: float | None = None
    snoozed_until: float | None = None


@dataclass(frozen=True)
class EngineState:
    """Everything the engine remembers; immutable, bounded in size (see engine_window)."""

    config: EngineConfig
    presence: Presence
    posture: PostureTrack
    alerts: AlertTrack = field(default_factory=AlertTrack)
    controls: Controls = field(default_factory=Controls)
    last_t: float | None = None  # time of the last step (None: the next reading covers no time)
    fatigue: FatigueTrack = field(default_factory=FatigueTrack)   # the day's level (engine_fatigue)


def initial_state(config: EngineConfig | None = None, now: float | None = None) -> EngineState:
    """A fresh engine. With `now`, the first reading covers the time since `now`."""
    config = config or EngineConfig()
    return EngineState(
        config=config,
        presence=Presence(next_reminder_sitting_s=config.break_reminder_after_s),
        posture=PostureTrack(window=PoorWindow(length_s=config.alert_window_s, resolution_s=config.window_resolution_s)),
        last_t=None if now is None else check_time(now),
    )


def check_time(t: float) -> float:
    try:
        value = float(t)
    except (TypeError, ValueError):
        raise ValueError(f"Time must be a number of seconds, not {t!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"Time must be a finite number of seconds, not {t!r}.")
    return value
