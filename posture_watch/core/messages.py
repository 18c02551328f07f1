"""What posture-watch says: Event -> notification title and body, or one terminal line. Pure.

    describe(Event(kind="warning", fault="forward_lean", duration_s=240, window_s=300,
                   deviation={"head_forward_deg": 12.4}))
    -> Message(title="Posture: head forward",
               body="Head forward, about 12°, for 4 of the last 5 minutes. Tip: sit back, bring your chin in, ...")

Only warnings, escalations and break reminders become notifications; every event has a line.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Mapping

from posture_watch.core import fault_words
from posture_watch.core.report_words import duration
from posture_watch.core.domain import (
    EV_AWAY,
    EV_BACK,
    EV_BREAK,
    EV_BREAK_REMINDER,
    EV_CAMERA_BACK,
    EV_CAMERA_COVERED,
    EV_CAMERA_LOST,
    EV_ESCALATION,
    EV_PAUSED,
    EV_PROFILE,
    EV_RESUMED,
    EV_SCREEN_BACK,
    EV_SCREEN_LOCKED,
    EV_SESSION_END,
    EV_SESSION_START,
    EV_SNOOZED,
    EV_WARNING,
    FORWARD_LEAN,
    LATERAL_LEAN,
    SLUMPED,
    THORACIC_SLOUCH,
    Event,
)

# fault -> one short tip (how a fault and its size are said: posture_watch.core.fault_words)
FAULT_TIPS: dict[str, str] = {
    FORWARD_LEAN: "sit back, bring your chin in, and raise the screen to eye level.",
    THORACIC_SLOUCH: "roll your shoulders back and let the chair support your lower back.",
    LATERAL_LEAN: "sit square, both feet on the floor, screen straight ahead.",
    SLUMPED: "slide back until your hips touch the backrest, and sit tall.",
}
GENERIC_TIP = "sit back and tall, and look straight ahead."

URGENCIES = ("low", "normal", "critical")
ESCALATION_WORDINGS = ("firmer", "same")


@dataclass(frozen=True)
class Message:
    """A notification: title, body, urgency (low|normal|critical) and the event kind it tells of.
    `without_buttons`: a line for where no button can be shown (a server without actions, the terminal)."""

    title: str
    body: str
    urgency: str = "normal"
    kind: str = ""
    without_buttons: str = ""


ROUTINE_LINE = "Two minutes for the upper back: run `posture-watch break`."


def minutes_text(seconds: float) -> str:
    """A duration said the one way every surface says it, the report's: '35 s', '1 min 27 s', '42 min',
    '1 h 05 min' (posture_watch.core.report_words.duration)."""
    return duration(max(0.0, float(seconds)))


def share_text(poor_s: float, window_s: float | None) -> str:
    """'for 4 of the last 5 minutes' / 'for most of the last 3 minutes' / 'for 2 minutes'."""
    if not window_s or window_s <= 0:
        return f"for {minutes_text(poor_s)}"
    if window_s < 90:
        return f"for {round(poor_s)} of the last {round(window_s)} seconds"
    window_min = round(window_s / 60)
    last = "the last minute" if window_min == 1 else f"the last {window_min} minutes"
    if poor_s < 90:
        return f"for {minutes_text(poor_s)} of {last}"
    poor_min = round(poor_s / 60)
    if poor_min >= window_min and poor_s < window_s - 1:
        return f"for most of {last}"
    return f"for {min(poor_min, window_min)} of {last}"


def _fault(fault: str | None) -> tuple[str, str]:
    return fault_words.title(fault), FAULT_TIPS.get(fault or "", GENERIC_TIP)


def describe(event: Event, *, stand_up_min: float = 2.0, escalation_wording: str = "firmer") -> Message | None:
    """The notification for an event, or None for events that are only logged and stored."""
    if event.kind == EV_WARNING:
        what, tip = _fault(event.fault)
        amount = fault_words.how_much(event.fault, event.deviation)
        body = f"{what}{', ' + amount + ',' if amount else ''} {share_text(event.duration_s or 0.0, event.window_s)}."
        return Message(title=f"Posture: {what.lower()}", body=f"{body} Tip: {tip}", urgency="normal", kind=event.kind)
    if event.kind == EV_ESCALATION:
        what, tip = _fault(event.fault)
        share = share_text(event.duration_s or 0.0, event.window_s)
        if escalation_wording == "same":
            return Message(title=f"Posture: {what.lower()}", body=f"{what} {share}. Tip: {tip}",
                           urgency="normal", kind=event.kind)
        urgency = "critical" if event.level >= 3 else "normal"
        body = f"Still {what[0].lower() + what[1:]} {share}. Stand up for a moment, then sit back and tall."
        return Message(title=f"Still {what.lower()}", body=body, urgency=urgency, kind=event.kind)
    if event.kind == EV_BREAK_REMINDER:
        stand = round(stand_up_min) if stand_up_min >= 1 else stand_up_min   # whole minutes, or under one
        sitting = minutes_text(event.duration_s or 0.0)
        if event.detail == "fatigue":
            late, early = event.deviation.get("poor_pct_last_hour"), event.deviation.get("poor_pct_earlier")
            why = f" (poor {late:.0f} % of the time, against {early:.0f} % earlier today)" if late is not None \
                and early is not None else ""
            return Message(title="A short break now",
                           body=f"Your posture has slipped over the last hour{why}; a short break now — stand up "
                                f"for {minutes_text(stand * 60)}.",
                           urgency="normal", kind=event.kind, without_buttons=ROUTINE_LINE)
        return Message(title="Time for a break",
                       body=f"You have been sitting for {sitting} — stand up for {minutes_text(stand * 60)}.",
                       urgency="normal", kind=event.kind, without_buttons=ROUTINE_LINE)
    return None


def line(event: Event) -> str:
    """One plain line for any event (terminal, demo output, log)."""
    message = describe(event)
    if message is not None:
        label = {EV_WARNING: "Warning", EV_ESCALATION: "Escalation", EV_BREAK_REMINDER: "Break reminder"}[event.kind]
        return f"{label}: {message.body}"
    d = event.duration_s
    if event.kind == EV_BREAK:
        return f"Break: away from the desk for {minutes_text(d or 0.0)}."
    if event.kind == EV_AWAY:
        return "Away from the desk."
    if event.kind == EV_BACK:
        return f"Back at the desk after {minutes_text(d or 0.0)}."
    if event.kind == EV_PAUSED:
        return "Paused until resumed." if d is None else f"Paused for {minutes_text(d)}."
    if event.kind == EV_RESUMED:
        # "resumed" (the user asked) says nothing more; "pause ended" and "snooze ended" say why
        return f"Resumed ({event.detail})." if event.detail and event.detail != "resumed" else "Resumed."
    if event.kind == EV_SNOOZED:
        return f"Snoozed for {minutes_text(d or 0.0)}: no warnings until then."
    if event.kind == EV_CAMERA_LOST:
        return f"Camera lost: {event.detail}" if event.detail else "Camera lost; reconnecting."
    if event.kind == EV_CAMERA_BACK:
        return f"Camera back after {minutes_text(d or 0.0)}."
    if event.kind == EV_CAMERA_COVERED:
        return "Camera covered (the picture is black); not monitoring until it is uncovered."
    if event.kind == EV_SCREEN_LOCKED:
        what = "The machine is going to sleep" if event.detail == "asleep" else "Screen locked"
        return f"{what}: not monitoring, the camera is off."
    if event.kind == EV_SCREEN_BACK:
        what = "Awake again" if event.detail == "asleep" else "Screen unlocked"
        return f"{what} after {minutes_text(d or 0.0)}: monitoring again (that time is not counted)."
    if event.kind == EV_PROFILE:
        return f"Using profile {event.detail}."
    if event.kind == EV_SESSION_START:
        return f"Monitoring {event.detail}." if event.detail else "Monitoring started."
    if event.kind == EV_SESSION_END:
        return "Monitoring stopped."
    return f"{event.kind}{': ' + event.detail if event.detail else ''}"


def clock_text(t_epoch: float | None) -> str:
    """Local 'HH:MM' of an epoch time ('?' if unknown)."""
    if t_epoch is None or not math.isfinite(t_epoch):
        return "?"
    return time.strftime("%H:%M", time.localtime(t_epoch))


def status_text(status: Mapping[str, Any]) -> str:
    """What `posture-watch status` prints, from the monitor's status dict (Monitor.status())."""
    condition = status.get("condition", "monitoring")
    off = "; the camera is off" if status.get("live") else ""
    since = status.get("since")
    if condition == "paused":
        until = status.get("paused_until")
        head = f"Paused until {clock_text(until)}{off}." if until else \
            f"Paused until you resume (`posture-watch resume`){off}."
    elif condition == "snoozed":
        head = f"Snoozed until {clock_text(status.get('snoozed_until'))}: no warnings until then{off}."
    elif condition in ("screen locked", "asleep"):
        what = "Screen locked" if condition == "screen locked" else "The machine is asleep"
        head = f"{what} since {clock_text(since)}: not monitoring{off}."
    elif condition == "camera lost":
        reason = str(status.get("lost_reason") or "").rstrip(".")
        head = f"Camera lost since {clock_text(since)}" + (f" ({reason})" if reason else "") + "; reconnecting."
    elif condition == "camera covered":
        head = f"Camera covered since {clock_text(since)}; not monitoring until it is uncovered."
    elif condition == "away":
        head = f"Away from the desk for {minutes_text(status.get('away_s') or 0.0)}."
    elif condition == "starting":
        head = "Starting: no sample analysed yet."
    else:
        head = "Monitoring."
    lines = [head]
    if condition == "monitoring":
        posture = status.get("posture") or "not judged yet"
        detail = f"Posture {posture}"
        stretch = status.get("current_stretch_s") or 0.0
        if posture == "poor" and stretch >= 5:
            detail += f" for {minutes_text(stretch)}"
        detail += f"; sitting for {minutes_text(status.get('sitting_s') or 0.0)}"
        reminder = status.get("next_break_reminder_in_s")
        if reminder is not None:
            detail += f"; next break reminder in {minutes_text(reminder)}"
        lines.append(detail + ".")
    profile = status.get("profile")
    source = status.get("source") or "?"
    started = status.get("started_at")
    lines.append(f"Source {source}" + (f", profile {profile}" if profile else "") +
                 (f", running since {clock_text(started)}" if started else "") +
                 (f" (pid {status['pid']})" if status.get("pid") else "") + ".")
    return "\n".join(lines)
