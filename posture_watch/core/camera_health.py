"""The camera's health: a pure state machine from what the camera delivers to camera events.

Like the engine: an immutable `CameraHealth` value goes in with one observation and comes back out,
with the events to say (`Event`s of kind camera_lost / camera_covered / camera_back). No camera, no
clock, no log: the monitor (posture_watch.monitor.loop) reads the frames, passes their times in,
says the events, logs, and opens or closes the source.

    lost      no frames: the source failed to open or stopped delivering (`lost`, `still_unavailable`;
              `reconnected` when a frame arrives again). Reopening waits `next_delay`: 1, 2, 4 ... s
              ([monitor] reconnect_first_s, doubling up to reconnect_max_s), reset on reconnection.
    bad       unusable pictures: each is skipped; `bad_frames_lost` of them in a row from a live
              camera count as the camera lost (`bad_frame`, `good_frame`).
    covered   a black picture with nobody in it (`covered`, `uncovered`): a privacy shutter or a hand.
    frozen    the very same picture, bit for bit, for `frozen_after_s` of source time (`picture`): a
              hung camera or a still image, not a person sitting still (a sensor's noise changes every
              frame). Not judged until the picture changes ("thawed").

`condition(health)` is what the status says about the camera: "camera lost" (lost or frozen),
"camera covered", or None, and since when.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace

import numpy as np

from posture_watch.core.domain import EV_CAMERA_BACK, EV_CAMERA_COVERED, EV_CAMERA_LOST, Event
from posture_watch.core.monitor_config import MonitorConfig

# what `picture` says about the stream: "moving" | "froze" (just now) | "frozen" (still) | "thawed" (moves again)
MOVING, FROZE, FROZEN, THAWED = "moving", "froze", "frozen", "thawed"
CAMERA_LOST, CAMERA_COVERED = "camera lost", "camera covered"


@dataclass(frozen=True)
class CameraHealth:
    lost_since: float | None = None     # epoch s the camera was lost (None: frames arrive)
    lost_reason: str = ""               # why it is lost or frozen, in words (the status says it)
    covered_since: float | None = None  # epoch s the lens was covered
    frozen_since: float | None = None   # epoch s the picture froze
    bad_in_row: int = 0                 # unusable pictures in a row
    backoff_s: float = 0.0              # the last reconnect delay (0: none since the last success)
    fingerprint: int | None = None      # of the last picture (None: start afresh)
    same_since_t: float = 0.0           # source s the picture has been the same since
    frozen: bool = False


def picture_fingerprint(image: np.ndarray) -> int:
    """A cheap checksum of a picture (every 8th pixel of every 8th row): equal only for the very same
    picture, since a camera's sensor noise changes every frame."""
    return zlib.crc32(np.ascontiguousarray(image[::8, ::8]).tobytes())


# --- lost and reconnected --------------------------------------------------------------------

def lost(health: CameraHealth, now: float, reason: str) -> tuple[CameraHealth, tuple[Event, ...]]:
    """The source failed or stopped. Said once: while it stays lost, nothing changes."""
    if health.lost_since is not None:
        return health, ()
    return (replace(health, lost_since=now, lost_reason=reason),
            (Event(kind=EV_CAMERA_LOST, t_s=now, detail=reason),))


def still_unavailable(health: CameraHealth, reason: str) -> CameraHealth:
    """Reopening a lost camera failed again: the status says the latest reason."""
    return replace(health, lost_reason=reason)


def next_delay(health: CameraHealth, config: MonitorConfig) -> tuple[CameraHealth, float]:
    """How long to wait before the next attempt to reopen: first, then doubling, at most the maximum."""
    delay = config.reconnect_first_s if health.backoff_s <= 0 else min(health.backoff_s * 2, config.reconnect_max_s)
    return replace(health, backoff_s=delay), delay


def reconnected(health: CameraHealth, t_epoch: float) -> tuple[CameraHealth, tuple[Event, ...]]:
    """A frame arrived: a lost camera is back (and the reconnect delays start again from the first)."""
    if health.lost_since is None:
        return health, ()
    event = Event(kind=EV_CAMERA_BACK, t_s=t_epoch, duration_s=max(0.0, t_epoch - health.lost_since),
                  detail="reconnected")
    return replace(health, lost_since=None, lost_reason="", backoff_s=0.0), (event,)


# --- unusable pictures -----------------------------------------------------------------------

def bad_frame(health: CameraHealth, config: MonitorConfig, live: bool) -> tuple[CameraHealth, bool]:
    """An unusable picture: skipped. True when a live camera has sent `bad_frames_lost` in a row: it
    counts as lost (and the count starts again)."""
    in_row = health.bad_in_row + 1
    if live and in_row >= config.bad_frames_lost:
        return replace(health, bad_in_row=0), True
    return replace(health, bad_in_row=in_row), False


def bad_frames_reason(description: str, why: str) -> str:
    return f"The {description} delivers unusable pictures ({why})."


def good_frame(health: CameraHealth) -> CameraHealth:
    return health if health.bad_in_row == 0 else replace(health, bad_in_row=0)


# --- covered and uncovered -------------------------------------------------------------------

def covered(health: CameraHealth, t_epoch: float) -> tuple[CameraHealth, tuple[Event, ...]]:
    """A black picture with nobody in it. Said when it starts; the frozen-picture watch starts afresh."""
    health = replace(health, fingerprint=None)
    if health.covered_since is not None:
        return health, ()
    return replace(health, covered_since=t_epoch), (Event(kind=EV_CAMERA_COVERED, t_s=t_epoch),)


def uncovered(health: CameraHealth, t_epoch: float) -> tuple[CameraHealth, tuple[Event, ...]]:
    """A usable picture after a covered lens."""
    if health.covered_since is None:
        return health, ()
    event = Event(kind=EV_CAMERA_BACK, t_s=t_epoch, duration_s=max(0.0, t_epoch - health.covered_since),
                  detail="uncovered")
    return replace(health, covered_since=None), (event,)


# --- a frozen picture ------------------------------------------------------------------------

def frozen_reason(config: MonitorConfig) -> str:
    return (f"the picture has not changed for {config.frozen_after_s:.0f} s: a frozen camera "
            "or a still image")


def picture(health: CameraHealth, fingerprint: int, t_s: float, t_epoch: float,
            config: MonitorConfig) -> tuple[CameraHealth, str, tuple[Event, ...]]:
    """One picture's fingerprint at source time `t_s` (epoch `t_epoch`) -> (health, MOVING | FROZE |
    FROZEN | THAWED, events): camera_lost when it froze, camera_back when it moves again."""
    if fingerprint != health.fingerprint:
        moved = replace(health, fingerprint=fingerprint, same_since_t=t_s, frozen=False)
        if not health.frozen:
            return moved, MOVING, ()
        since = health.frozen_since if health.frozen_since else t_epoch
        event = Event(kind=EV_CAMERA_BACK, t_s=t_epoch, duration_s=max(0.0, t_epoch - since),
                      detail="the picture moves again")
        return replace(moved, frozen_since=None, lost_reason=""), THAWED, (event,)
    if health.frozen:
        return health, FROZEN, ()
    if t_s - health.same_since_t >= config.frozen_after_s:
        reason = frozen_reason(config)
        return (replace(health, frozen=True, frozen_since=t_epoch, lost_reason=reason), FROZE,
                (Event(kind=EV_CAMERA_LOST, t_s=t_epoch, detail=reason),))
    return health, MOVING, ()


# --- what the status says --------------------------------------------------------------------

def condition(health: CameraHealth) -> tuple[str | None, float | None]:
    """("camera lost" | "camera covered" | None, since when in epoch s)."""
    if health.lost_since is not None or health.frozen_since is not None:
        return CAMERA_LOST, (health.lost_since or health.frozen_since)
    if health.covered_since is not None:
        return CAMERA_COVERED, health.covered_since
    return None, None
