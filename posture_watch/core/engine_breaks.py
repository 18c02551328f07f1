"""Breaks beyond being away: the guided routine, and a break brought forward by fatigue. Pure.

    state, events = routine_started(state, now, minutes)    # warnings and reminders wait, camera off
    state, events = routine_ended(state, now, done=True)     # a routine done counts as a break taken

A routine runs as a pause that ends by itself after `minutes` (so a routine whose terminal is closed
does not keep the monitor paused), with the detail "routine". Done, it resets the sitting clock as a
break does and says so with an EV_BREAK whose detail is "routine"; stopped early, monitoring simply
goes on.
"""

from __future__ import annotations

from dataclasses import replace

from posture_watch.core.domain import EV_BREAK, Event
from posture_watch.core.engine import pause, resume
from posture_watch.core.engine_state import EngineState

ROUTINE = "routine"


def routine_started(state: EngineState, now: float, minutes: float) -> tuple[EngineState, tuple[Event, ...]]:
    state, events = pause(state, now, now + minutes * 60.0)
    return state, tuple(replace(e, detail=ROUTINE) for e in events)


def routine_ended(state: EngineState, now: float, done: bool) -> tuple[EngineState, tuple[Event, ...]]:
    started = state.controls.paused_at
    state, events = resume(state, now)
    if not done:
        return state, events
    presence = replace(state.presence, sitting_s=0.0,
                       next_reminder_sitting_s=state.config.break_reminder_after_s)
    state = replace(state, presence=presence, posture=state.posture.cleared(), alerts=state.alerts.episode_ended(),
                    fatigue=state.fatigue.after_break())
    took = Event(kind=EV_BREAK, t_s=now, duration_s=None if started is None else max(0.0, now - started),
                 detail=ROUTINE)
    return state, events + (took,)
