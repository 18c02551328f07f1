"""MonitorConfig: [monitor] in config.toml -- the loop's thresholds, with units in the names.

Pure values (like core/engine_config.py), so that the config file's reader (io/config.py) and the
camera's health (core/camera_health.py) use them without importing the monitor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MonitorConfig:
    """[monitor] in config.toml.

    covered_brightness: mean luma (0..255) below which a frame with nobody in it is a covered lens
                        (a privacy shutter gives ~0-5; a dim room with a person is ~30+).
    flush_every_s:      samples wait in memory at most this long (wall time) before they are written;
                        a kill -9 loses at most this much.
    reconnect_first_s / reconnect_max_s: camera reconnect backoff (doubling).
    clock_jump_s:       wall clock moving this much more (or less) than the monotonic clock between two
                        samples means suspend/resume or a clock change: the camera is reopened.
    stall_s:            a live read that took this long means the camera stalled: it is reopened.
    frozen_after_s:     the very same picture, bit for bit, for this long (source time) is a frozen camera
                        or a still image, not a person sitting still (a sensor's noise changes every
                        frame): it is reported and not judged until the picture changes.
    bad_frames_lost:    this many unusable pictures in a row (empty, tiny, wrong type) from a live camera
                        count as the camera lost (it is reopened); single ones are skipped.
    break_wait_max_s:   after "I'll take a break" (a notification button, the tray), warnings wait until you
                        have been away and come back, or this long at most.
    num_poses:          people the pose model looks for; 0 (the default): the mode the profile was measured
                        in (1, tracking, for profiles made since issue 14; 2 for older ones), because
                        MediaPipe's landmarks differ systematically between the two modes (on the sample
                        clips the shoulder line tilts ~6 degrees differently, enough to misjudge a lateral
                        lean against a baseline measured in the other mode).
    hold_when_locked:   with a live camera, release it and judge nothing while the screen is locked or the
                        machine sleeps (logind and the ScreenSaver on D-Bus; see posture_watch.io.session_lock).
    view_check_samples / view_check_share: the view (frontal, side) of the first this many samples with a
                        person, when at least this share agree, must be the profile's; else the monitor
                        stops at once with advice (view_watch.py) instead of judging nothing for ever.
    """

    covered_brightness: float = 12.0
    flush_every_s: float = 2.0
    reconnect_first_s: float = 1.0
    reconnect_max_s: float = 30.0
    clock_jump_s: float = 5.0
    stall_s: float = 20.0
    frozen_after_s: float = 30.0
    bad_frames_lost: int = 3
    num_poses: int = 0
    hold_when_locked: bool = True
    break_wait_max_s: float = 900.0
    view_check_samples: int = 8
    view_check_share: float = 0.75

    def __post_init__(self) -> None:
        if self.num_poses not in (0, 1, 2):
            raise ValueError("monitor.num_poses must be 0 (as the profile was measured), 1 or 2.")
        if self.bad_frames_lost < 1:
            raise ValueError("monitor.bad_frames_lost must be 1 or more.")
        for name in ("flush_every_s", "reconnect_first_s", "reconnect_max_s", "clock_jump_s", "stall_s",
                     "frozen_after_s", "break_wait_max_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"monitor.{name} must be more than 0 s.")
