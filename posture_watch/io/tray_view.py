"""What the tray icon shows, from the monitor's status: pure (values in, a value out).

    view(status, upright_share=0.82)
    -> TrayView(state="poor", icon="posture-watch-poor", status="NeedsAttention",
                title="posture-watch: poor posture",
                tooltip="Poor posture for 2 min. Upright 82 % of today so far.",
                paused=False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from posture_watch.core.messages import clock_text, minutes_text

UPRIGHT, POOR, AWAY, PAUSED, SNOOZED, CAMERA_LOST = "upright", "poor", "away", "paused", "snoozed", "camera lost"
TRAY_STATES = (UPRIGHT, POOR, AWAY, PAUSED, SNOOZED, CAMERA_LOST)
ICONS = {UPRIGHT: "posture-watch-upright", POOR: "posture-watch-poor", AWAY: "posture-watch-away",
         PAUSED: "posture-watch-paused", SNOOZED: "posture-watch-snoozed", CAMERA_LOST: "posture-watch-lost"}
WORDS = {UPRIGHT: "upright", POOR: "poor posture", AWAY: "away", PAUSED: "paused", SNOOZED: "snoozed",
         CAMERA_LOST: "camera lost"}


@dataclass(frozen=True)
class TrayView:
    state: str     # one of TRAY_STATES
    icon: str      # icon name, a file in posture_watch/assets (the tray's IconThemePath)
    status: str    # StatusNotifierItem Status: Active | NeedsAttention
    title: str
    tooltip: str
    paused: bool   # the menu offers "Resume" instead of "Pause" (paused, or on a break)


def tray_state(status: Mapping[str, Any]) -> str:
    condition = status.get("condition")
    if condition == "paused" or status.get("on_break"):
        return PAUSED
    if condition == "snoozed":
        return SNOOZED
    if condition in ("camera lost", "camera covered"):
        return CAMERA_LOST
    if condition == "away":
        return AWAY
    return POOR if status.get("posture") == "poor" else UPRIGHT


def _sentence(state: str, status: Mapping[str, Any]) -> str:
    condition = status.get("condition")
    if status.get("on_break") and condition != "paused":
        return "On a break: no warnings until you are back."
    if state == PAUSED:
        until = status.get("paused_until")
        return f"Paused until {clock_text(until)}; the camera is off." if until else \
            "Paused until you resume; the camera is off."
    if state == SNOOZED:
        return f"Snoozed until {clock_text(status.get('snoozed_until'))}: no warnings until then."
    if state == CAMERA_LOST:
        return "The camera is covered." if condition == "camera covered" else \
            f"Camera lost: {str(status.get('lost_reason') or 'reconnecting').rstrip('.')}."
    if state == AWAY:
        return f"Away from the desk for {minutes_text(status.get('away_s') or 0.0)}."
    if condition == "starting":
        return "Starting."
    if state == POOR:
        stretch = float(status.get("current_stretch_s") or 0.0)
        return f"Poor posture for {minutes_text(stretch)}." if stretch >= 5 else "Poor posture."
    return "Sitting upright."


def view(status: Mapping[str, Any], upright_share: float | None = None) -> TrayView:
    state = tray_state(status)
    parts = [_sentence(state, status)]
    if upright_share is not None:
        parts.append(f"Upright {upright_share * 100:.0f} % of today so far.")
    if status.get("do_not_disturb") and state in (UPRIGHT, POOR):
        parts.append(f"Warnings wait: {status['do_not_disturb']}.")
    return TrayView(state=state, icon=ICONS[state], status="NeedsAttention" if state == POOR else "Active",
                    title=f"posture-watch: {WORDS[state]}", tooltip=" ".join(parts),
                    paused=state == PAUSED)
