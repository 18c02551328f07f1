"""The posture engine: a pure state machine from judged readings to events.

    state = initial_state(EngineConfig(), now)
    state, events = step(state, reading, now)        # events: tuple[Event, ...]
    state, events = pause(state, now) / resume(state, now) / snooze(state, now, minutes)
    status(state, now) -> dict

Nothing here reads a clock, a file or a device: time comes in as `now` (seconds, float, any
epoch; a monotonic clock is best) and side effects go out as `Event` values for the sinks.

Time accounting. Every step covers the time since the previous step (`dt`), capped at
`max_sample_s`, and that time belongs to the new reading; so 1 Hz and 4 Hz streams of the
same posture weigh the same. A jump of more than `max_gap_s` (suspend/resume, clock change,
camera gap) counts as nothing: not sitting, not poor, not away (unless the caller passes
`away_during_gap=True`), and the posture evidence from before it is dropped as stale. A
clock that goes backwards counts nothing either; the evidence is kept (no time passed) and
the stored deadlines (cooldown, escalation, snooze, pause) are shifted onto the new clock.

Posture is judged on the *evidence clock*: seconds in which the posture was observed, good or
poor. "unknown" readings (head turned, landmarks poor) are presence but not evidence, so they
neither fill nor dilute the window; "away" stops the posture and sitting clocks.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from typing import Any

from posture_watch.core.domain import (
    AWAY,
    EV_AWAY,
    EV_BACK,
    EV_BREAK,
    EV_BREAK_REMINDER,
    EV_ESCALATION,
    EV_PAUSED,
    EV_RESUMED,
    EV_SNOOZED,
    EV_WARNING,
    FAULTS,
    GOOD,
    POOR,
    STATES,
    Event,
    Reading,
)
from posture_watch.core.engine_config import EngineConfig
from posture_watch.core.engine_state import (
    AlertTrack,
    Controls,
    EngineState,
    PostureTrack,
    Presence,
    check_time,
    initial_state,
)
from posture_watch.core.engine_fatigue import fatigue_reminder, reminded, track
from posture_watch.core.engine_window import add_poor, advance_good, dominant_fault, median_deviations

__all__ = [
    "AlertTrack",
    "Controls",
    "EngineConfig",
    "EngineState",
    "Presence",
    "PostureTrack",
    "initial_state",
    "pause",
    "resume",
    "snooze",
    "status",
    "step",
]

log = logging.getLogger(__name__)

_EPS_S = 1e-6  # slack when comparing sums of sample durations with thresholds


def step(
    state: EngineState, reading: Reading, now: float, *, away_during_gap: bool = False, hold_alerts: bool = False
) -> tuple[EngineState, tuple[Event, ...]]:
    """Take one judged reading at time `now`; return the new state and the events it causes.

    away_during_gap: the caller knows the user was away during a jump of more than
    `max_gap_s` before this reading (e.g. the machine was suspended with the lid closed);
    the gap then counts as time away and can make a break. Ignored when there is no gap.
    hold_alerts: the desktop asks not to be disturbed (a full-screen window, do-not-disturb) or the
    user is about to take a break: no warning, escalation or reminder now. Unlike a snooze nothing
    is dropped: the first step without it says whatever is still due then.
    """
    now = check_time(now)
    if reading.state not in STATES:
        raise ValueError(f"Reading state must be one of {', '.join(STATES)}, not {reading.state!r}.")
    cfg = state.config
    events: list[Event] = []

    if state.controls.paused_until is not None:
        if now < state.controls.paused_until:
            return state, ()  # paused: readings ignored, no clock runs
        state, ended = _end_pause(state, state.controls.paused_until, "pause ended")
        events.extend(ended)

    presence, posture, alerts, controls = state.presence, state.posture, state.alerts, state.controls
    fatigue = state.fatigue

    covered_s, gap_s = 0.0, 0.0
    if state.last_t is not None:
        dt = now - state.last_t
        if dt < 0:
            # The clock was set back; no time passed that we know of. Count nothing, keep the
            # (fresh) posture evidence, and move the stored deadlines onto the new clock.
            log.info("clock went back %.1f s; re-anchoring", -dt)
            alerts, controls = _shift_times(alerts, controls, dt)
        elif dt > cfg.max_gap_s:
            log.info("gap of %.1f s in readings; not counted, recent posture dropped", dt)
            gap_s = dt
            posture, alerts = posture.cleared(), alerts.episode_ended()
        else:
            covered_s = min(dt, cfg.max_sample_s)

    if controls.snoozed_until is not None and now >= controls.snoozed_until:
        controls = replace(controls, snoozed_until=None)  # a snooze ends by itself
    snoozed = controls.snoozed_until is not None

    if gap_s > 0 and away_during_gap:
        presence, ev = _track_absence(presence, gap_s, state.last_t if state.last_t is not None else now, cfg)
        events.extend(ev)

    if reading.state == AWAY:
        presence, ev = _track_absence(presence, covered_s, now, cfg)
        events.extend(ev)
    else:
        presence, ev, took_break = _track_presence(presence, covered_s, now, cfg)
        events.extend(ev)
        if took_break:
            posture, alerts, fatigue = posture.cleared(), alerts.episode_ended(), fatigue.after_break()
        posture, alerts = _track_posture(posture, alerts, reading, covered_s, cfg)
        fatigue = track(fatigue, reading.state, covered_s, now, cfg)
        if not snoozed and not hold_alerts:
            alerts, ev = _alert(posture, alerts, reading, now, cfg)
            events.extend(ev)
            presence, ev = _remind(presence, now, cfg)
            fatigue, early = (reminded(fatigue, now), None) if ev else fatigue_reminder(fatigue, presence.sitting_s, now, cfg)
            if early is not None:   # the next break brought forward: the regular one counts from here
                presence = replace(presence, next_reminder_sitting_s=presence.sitting_s + cfg.break_reminder_repeat_s)
                ev = [early]
            events.extend(ev)

    new_state = replace(state, presence=presence, posture=posture, alerts=alerts, controls=controls, last_t=now,
                        fatigue=fatigue)
    return new_state, tuple(events)


def pause(state: EngineState, now: float, until: float | None = None) -> tuple[EngineState, tuple[Event, ...]]:
    """Stop watching until `until` (same clock as `now`) or until `resume`. Readings are ignored."""
    now = check_time(now)
    if until is not None:
        until = check_time(until)
        if until <= now:
            raise ValueError("A pause must end in the future.")
    end = math.inf if until is None else until
    paused_at = state.controls.paused_at if state.controls.paused_until is not None else now
    controls = replace(state.controls, paused_until=end, paused_at=paused_at)
    event = Event(
        kind=EV_PAUSED,
        t_s=now,
        duration_s=None if until is None else until - now,
        detail="until resumed" if until is None else "",
    )
    return replace(state, controls=controls), (event,)


def resume(state: EngineState, now: float) -> tuple[EngineState, tuple[Event, ...]]:
    """End a pause and a snooze. No event if neither was on."""
    now = check_time(now)
    events: list[Event] = []
    if state.controls.paused_until is not None:
        state, events_ = _end_pause(state, min(now, state.controls.paused_until), "resumed")
        events.extend(events_)
    if state.controls.snoozed_until is not None:
        if now < state.controls.snoozed_until and not events:
            events.append(Event(kind=EV_RESUMED, t_s=now, detail="snooze ended"))
        state = replace(state, controls=replace(state.controls, snoozed_until=None))
    return state, tuple(events)


def snooze(state: EngineState, now: float, minutes: float) -> tuple[EngineState, tuple[Event, ...]]:
    """Keep tracking but send no warning, escalation or break reminder for `minutes`.

    Suppressed alerts are dropped, not queued: when the snooze ends, only what is still true
    then (the window still full of poor posture, a reminder still due) is said.
    """
    now = check_time(now)
    try:
        minutes = float(minutes)
    except (TypeError, ValueError):
        raise ValueError(f"Snooze minutes must be a number, not {minutes!r}.") from None
    if not (math.isfinite(minutes) and minutes > 0):
        raise ValueError(f"Snooze minutes must be a positive number, not {minutes!r}.")
    until = now + minutes * 60.0
    controls = replace(state.controls, snoozed_until=until)
    return replace(state, controls=controls), (Event(kind=EV_SNOOZED, t_s=now, duration_s=minutes * 60.0),)


def unseen(state: EngineState) -> EngineState:
    """The user could not be watched for a while (screen locked, machine asleep): that time counts as
    nothing. The posture evidence before it is stale (no stretch spans it), the next reading covers
    no time; the sitting clock and the break count stay as they were (no bogus break either)."""
    return replace(state, posture=state.posture.cleared(), alerts=state.alerts.episode_ended(), last_t=None)


def status(state: EngineState, now: float) -> dict[str, Any]:
    """A JSON-ready summary for `posture-watch status` and the live overlay."""
    now = check_time(now)
    presence, posture, alerts, controls = state.presence, state.posture, state.alerts, state.controls
    window = posture.window
    paused = controls.paused_until is not None and now < controls.paused_until
    snoozed = controls.snoozed_until is not None and now < controls.snoozed_until
    if presence.absent and (presence.away_announced or not presence.seen):
        where = "away"
    elif presence.seen:
        where = "present"
    else:
        where = "unknown"
    span = window.span_s
    reminder_in = max(0.0, presence.next_reminder_sitting_s - presence.sitting_s)
    return {
        "presence": where,
        "posture": posture.last_state,
        "current_stretch_s": round(posture.poor_run_s, 1),
        "poor_window_s": round(window.poor_s, 1),
        "window_s": round(span, 1),
        "poor_share": None if span <= 0 else round(window.poor_s / span, 3),
        "alert_level": alerts.level,
        "sitting_s": round(presence.sitting_s, 1),
        "away_s": round(presence.absent_s, 1) if presence.absent else 0.0,
        "next_break_reminder_in_s": round(reminder_in, 1),
        "paused": paused,
        "paused_until": controls.paused_until if paused and math.isfinite(controls.paused_until or 0.0) else None,
        "snoozed": snoozed,
        "snoozed_until": controls.snoozed_until if snoozed else None,
        "last_warning_t": alerts.last_warning_t,
        "last_alert_t": alerts.last_alert_t,
    }


# --- the parts of a step -------------------------------------------------------------------


def _track_absence(presence: Presence, covered_s: float, t: float, cfg: EngineConfig) -> tuple[Presence, list[Event]]:
    absent_s = (presence.absent_s if presence.absent else 0.0) + covered_s
    presence = replace(presence, absent=True, absent_s=absent_s)
    if presence.seen and not presence.away_announced and absent_s >= cfg.away_after_s - _EPS_S:
        return replace(presence, away_announced=True), [Event(kind=EV_AWAY, t_s=t, duration_s=absent_s)]
    return presence, []


def _track_presence(
    presence: Presence, covered_s: float, now: float, cfg: EngineConfig
) -> tuple[Presence, list[Event], bool]:
    events: list[Event] = []
    took_break = False
    if presence.absent:
        if presence.away_announced:
            events.append(Event(kind=EV_BACK, t_s=now, duration_s=presence.absent_s))
            if presence.absent_s >= cfg.break_min_away_s - _EPS_S:
                events.append(Event(kind=EV_BREAK, t_s=now, duration_s=presence.absent_s))
                took_break = True
        presence = replace(presence, absent=False, absent_s=0.0, away_announced=False)
    if took_break:
        presence = replace(presence, sitting_s=0.0, next_reminder_sitting_s=cfg.break_reminder_after_s)
    presence = replace(presence, seen=True, sitting_s=presence.sitting_s + covered_s)
    return presence, events, took_break


def _track_posture(
    posture: PostureTrack, alerts: AlertTrack, reading: Reading, covered_s: float, cfg: EngineConfig
) -> tuple[PostureTrack, AlertTrack]:
    if reading.state == GOOD:
        good_run = posture.good_run_s + covered_s
        poor_run = 0.0 if good_run >= cfg.good_blip_s - _EPS_S else posture.poor_run_s
        posture = replace(
            posture,
            window=advance_good(posture.window, covered_s),
            last_state=GOOD,
            good_run_s=good_run,
            poor_run_s=poor_run,
        )
        if alerts.level > 0:
            if good_run >= cfg.stretch_reset_good_s - _EPS_S:
                alerts = alerts.episode_ended()
            else:
                alerts = replace(alerts, episode_span_s=alerts.episode_span_s + covered_s)
    elif reading.state == POOR:
        posture = replace(
            posture,
            window=add_poor(posture.window, covered_s, reading.faults, reading.deviations),
            last_state=POOR,
            good_run_s=0.0,
            poor_run_s=posture.poor_run_s + covered_s,
        )
        if alerts.level > 0:
            alerts = replace(
                alerts,
                episode_poor_s=alerts.episode_poor_s + covered_s,
                episode_span_s=alerts.episode_span_s + covered_s,
            )
    return posture, alerts  # "unknown": presence, but no evidence either way


def _alert(
    posture: PostureTrack, alerts: AlertTrack, reading: Reading, now: float, cfg: EngineConfig
) -> tuple[AlertTrack, list[Event]]:
    if reading.state != POOR:
        return alerts, []  # never warn someone who is sitting well right now
    window = posture.window
    poor_s = window.poor_s
    if poor_s < cfg.alert_fill_ratio * cfg.alert_window_s - _EPS_S:
        return alerts, []
    if posture.poor_run_s < cfg.min_poor_stretch_s - _EPS_S:
        return alerts, []
    if alerts.level == 0:
        if alerts.last_alert_t is not None and now - alerts.last_alert_t < cfg.cooldown_s - _EPS_S:
            return alerts, []
        fault = dominant_fault(window, FAULTS)
        event = Event(
            kind=EV_WARNING,
            t_s=now,
            fault=fault,
            duration_s=poor_s,
            window_s=window.span_s,
            deviation=median_deviations(window, fault),
            level=1,
        )
        alerts = replace(
            alerts,
            level=1,
            episode_poor_s=poor_s,
            episode_span_s=window.span_s,
            last_warning_t=now,
            last_alert_t=now,
        )
        return alerts, [event]
    if alerts.last_alert_t is not None and now - alerts.last_alert_t < cfg.escalate_after_s - _EPS_S:
        return alerts, []
    fault = dominant_fault(window, FAULTS)
    level = alerts.level + 1
    event = Event(
        kind=EV_ESCALATION,
        t_s=now,
        fault=fault,
        duration_s=alerts.episode_poor_s,
        window_s=alerts.episode_span_s,
        deviation=median_deviations(window, fault),
        level=level,
    )
    return replace(alerts, level=level, last_alert_t=now), [event]


def _remind(presence: Presence, now: float, cfg: EngineConfig) -> tuple[Presence, list[Event]]:
    if presence.sitting_s < presence.next_reminder_sitting_s - _EPS_S:
        return presence, []
    event = Event(kind=EV_BREAK_REMINDER, t_s=now, duration_s=presence.sitting_s)
    return replace(presence, next_reminder_sitting_s=presence.sitting_s + cfg.break_reminder_repeat_s), [event]


def _end_pause(state: EngineState, at: float, detail: str) -> tuple[EngineState, tuple[Event, ...]]:
    controls = state.controls
    paused_at = controls.paused_at if controls.paused_at is not None else at
    posture, alerts = state.posture, state.alerts
    if at - paused_at > state.config.max_gap_s:
        posture, alerts = posture.cleared(), alerts.episode_ended()  # stale, like after a gap
    new = replace(
        state,
        posture=posture,
        alerts=alerts,
        controls=replace(controls, paused_until=None, paused_at=None),
        last_t=at,
    )
    return new, (Event(kind=EV_RESUMED, t_s=at, duration_s=max(0.0, at - paused_at), detail=detail),)


def _shift_times(alerts: AlertTrack, controls: Controls, delta_s: float) -> tuple[AlertTrack, Controls]:
    def shift(t: float | None) -> float | None:
        return None if t is None or not math.isfinite(t) else t + delta_s

    alerts = replace(alerts, last_warning_t=shift(alerts.last_warning_t), last_alert_t=shift(alerts.last_alert_t))
    controls = replace(
        controls,
        snoozed_until=shift(controls.snoozed_until),
        paused_at=shift(controls.paused_at),
        paused_until=controls.paused_until if controls.paused_until in (None, math.inf) else shift(controls.paused_until),
    )
    return alerts, controls
