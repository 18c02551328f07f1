"""Plain values that flow through the pipeline, one direction only.

FrameSource -> Frame -> PoseEstimator -> Detection -> geometry.measure -> Metrics
-> judge -> Reading -> engine.step -> Event -> sinks (store, notifier, JSONL).

Everything here is an immutable value: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

# Posture states a Reading can carry (the `analyze` JSONL contract).
GOOD = "good"
POOR = "poor"
AWAY = "away"
UNKNOWN = "unknown"
STATES = (GOOD, POOR, AWAY, UNKNOWN)

# Faults a Reading can name.
FORWARD_LEAN = "forward_lean"
THORACIC_SLOUCH = "thoracic_slouch"
LATERAL_LEAN = "lateral_lean"
SLUMPED = "slumped"                   # sunk down in the chair: trunk reclined, hips slid forward, lower in the picture
FAULTS = (FORWARD_LEAN, THORACIC_SLOUCH, SLUMPED, LATERAL_LEAN)

# MediaPipe Pose landmark indices used across the project.
NOSE = 0
LEFT_EYE_INNER, LEFT_EYE, LEFT_EYE_OUTER = 1, 2, 3
RIGHT_EYE_INNER, RIGHT_EYE, RIGHT_EYE_OUTER = 4, 5, 6
LEFT_EAR, RIGHT_EAR = 7, 8
MOUTH_LEFT, MOUTH_RIGHT = 9, 10
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_HIP, RIGHT_HIP = 23, 24


@dataclass(frozen=True)
class Frame:
    """One image from a source. `t_s` is seconds from the start of the source
    (source time for files, wall time for a live camera). `image` is BGR uint8, memory only."""

    t_s: float
    image: np.ndarray


@dataclass(frozen=True, eq=False)
class Pose:
    """One person as MediaPipe saw them.

    landmarks: (33, 5) float array: x, y (normalised to the image, may fall outside 0..1),
               z (relative depth), visibility, presence.
    world:     (33, 3) float array in metres, hip-centred, or None.
    """

    landmarks: np.ndarray
    world: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Detection:
    """What the pose model found in one frame, plus cheap image facts measured at the edge.

    image_size: (width, height) in pixels.
    brightness: mean luma of the frame, 0..255 (for "too dark" and "camera covered").
    sharpness:  optional variance of the Laplacian of a small grey copy (motion blur), or None.
    """

    t_s: float
    image_size: tuple[int, int]
    poses: tuple[Pose, ...]
    brightness: float
    sharpness: float | None = None


@dataclass(frozen=True)
class Reading:
    """The judged posture of one sample (after the judge's own smoothing; not the alert).

    deviations: how far each measure is from the baseline, in units a person understands
                (e.g. {"head_drop_pct": 14.0, "head_forward_deg": 9.5}).
    metrics:    the raw named measures for this sample (None where not measurable).
    flags:      quality flags from geometry (e.g. "shoulders_out_of_frame", "two_people").
    """

    t_s: float
    state: str
    score: float | None
    faults: tuple[str, ...] = ()
    deviations: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    view: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The `analyze` JSONL line (DESIGN.md contract) plus a few extra keys."""
        return {
            "t": round(self.t_s, 3),
            "state": self.state,
            "score": None if self.score is None else round(float(self.score), 1),
            "faults": list(self.faults),
            "metrics": {k: (None if v is None else round(float(v), 4)) for k, v in self.metrics.items()},
            "deviations": {k: round(float(v), 2) for k, v in self.deviations.items()},
            "flags": list(self.flags),
            "view": self.view,
        }


# Event kinds the engine and the monitor emit.
EV_WARNING = "warning"              # long stretch of poor posture (fault, duration_s of poor in window_s)
EV_ESCALATION = "escalation"        # the stretch went on after a warning
EV_BREAK_REMINDER = "break_reminder"  # continuous presence for duration_s
EV_BREAK = "break"                  # the user was away long enough to count as a break (duration_s)
EV_AWAY = "away"
EV_BACK = "back"
EV_PAUSED = "paused"
EV_RESUMED = "resumed"
EV_SNOOZED = "snoozed"
EV_CAMERA_LOST = "camera_lost"
EV_CAMERA_BACK = "camera_back"
EV_CAMERA_COVERED = "camera_covered"
EV_SCREEN_LOCKED = "screen_locked"  # the screen locked or the machine went to sleep (detail: which)
EV_SCREEN_BACK = "screen_back"      # unlocked / awake again after duration_s (detail: what it was)
EV_PROFILE = "profile"
EV_SESSION_START = "session_start"
EV_SESSION_END = "session_end"


@dataclass(frozen=True)
class Event:
    """Something worth telling a sink. Side effects are described, never performed.

    t_s:        when it happened, on the same clock as the readings.
    fault:      for warnings, the dominant fault.
    duration_s: poor seconds in the window (warnings), seconds away (break/back),
                seconds of continuous presence (break_reminder), gap length (camera_back).
    window_s:   the window the duration is counted in (warnings).
    deviation:  the measured deviation in human units (e.g. {"head_forward_deg": 12.0}).
    level:      1 for a first warning, 2+ for escalations.
    """

    kind: str
    t_s: float
    fault: str | None = None
    duration_s: float | None = None
    window_s: float | None = None
    deviation: Mapping[str, float] = field(default_factory=dict)
    level: int = 1
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "t": round(self.t_s, 3),
            "fault": self.fault,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 1),
            "window_s": self.window_s,
            "deviation": {k: round(float(v), 2) for k, v in self.deviation.items()},
            "level": self.level,
            "detail": self.detail,
        }
