"""The camera's health as a pure state machine (core/camera_health.py): values in, values and events out."""

from __future__ import annotations

import numpy as np

from posture_watch.core import camera_health as ch
from posture_watch.core.domain import EV_CAMERA_BACK, EV_CAMERA_COVERED, EV_CAMERA_LOST
from posture_watch.core.monitor_config import MonitorConfig

CFG = MonitorConfig(frozen_after_s=30.0, bad_frames_lost=3, reconnect_first_s=1.0, reconnect_max_s=30.0)


def test_lost_is_said_once_and_back_says_how_long():
    h, events = ch.lost(ch.CameraHealth(), 100.0, "The camera is busy.")
    assert [e.kind for e in events] == [EV_CAMERA_LOST] and events[0].detail == "The camera is busy."
    assert ch.condition(h) == (ch.CAMERA_LOST, 100.0)
    again, events = ch.lost(h, 105.0, "still busy")
    assert again == h and events == ()
    h = ch.still_unavailable(h, "The camera is gone.")
    assert h.lost_reason == "The camera is gone." and h.lost_since == 100.0
    back, events = ch.reconnected(h, 112.0)
    assert [(e.kind, e.duration_s, e.detail) for e in events] == [(EV_CAMERA_BACK, 12.0, "reconnected")]
    assert ch.condition(back) == (None, None) and back.lost_reason == ""
    assert ch.reconnected(back, 113.0) == (back, ())


def test_reconnect_delays_double_up_to_the_maximum_and_start_again_after_a_success():
    h, delays = ch.CameraHealth(), []
    for _ in range(7):
        h, delay = ch.next_delay(h, CFG)
        delays.append(delay)
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    h, _ = ch.lost(h, 0.0, "gone")
    h, _ = ch.reconnected(h, 1.0)
    assert ch.next_delay(h, CFG)[1] == 1.0


def test_unusable_pictures_from_a_live_camera_count_as_lost_after_bad_frames_lost_in_a_row():
    h = ch.CameraHealth()
    verdicts = []
    for _ in range(4):
        h, now_lost = ch.bad_frame(h, CFG, live=True)
        verdicts.append(now_lost)
    assert verdicts == [False, False, True, False]
    h = ch.good_frame(h)
    assert h.bad_in_row == 0
    for _ in range(5):  # a file is never "lost": its odd pictures are only skipped
        h, now_lost = ch.bad_frame(h, CFG, live=False)
        assert not now_lost
    assert "unusable pictures (empty)" in ch.bad_frames_reason("camera 0", "empty")


def test_a_covered_lens_is_said_when_it_starts_and_when_it_ends():
    h, events = ch.covered(ch.CameraHealth(), 50.0)
    assert [e.kind for e in events] == [EV_CAMERA_COVERED] and ch.condition(h) == (ch.CAMERA_COVERED, 50.0)
    h, events = ch.covered(h, 55.0)
    assert events == ()
    h, events = ch.uncovered(h, 58.0)
    assert [(e.kind, e.duration_s, e.detail) for e in events] == [(EV_CAMERA_BACK, 8.0, "uncovered")]
    assert ch.condition(h) == (None, None) and ch.uncovered(h, 59.0) == (h, ())


def test_the_same_picture_for_frozen_after_s_is_a_frozen_camera_until_it_moves():
    still = np.full((48, 64, 3), 7, np.uint8)
    other = np.full((48, 64, 3), 9, np.uint8)
    fp, fp2 = ch.picture_fingerprint(still), ch.picture_fingerprint(other)
    assert fp != fp2 and fp == ch.picture_fingerprint(still.copy())
    h, changes = ch.CameraHealth(), []
    for t in (0.0, 10.0, 29.0, 30.0, 40.0):
        h, change, events = ch.picture(h, fp, t, 1000.0 + t, CFG)
        changes.append(change)
    assert changes == [ch.MOVING, ch.MOVING, ch.MOVING, ch.FROZE, ch.FROZEN]
    assert ch.condition(h) == (ch.CAMERA_LOST, 1030.0) and "has not changed for 30 s" in h.lost_reason
    h, change, events = ch.picture(h, fp2, 45.0, 1045.0, CFG)
    assert change == ch.THAWED
    assert [(e.kind, e.duration_s, e.detail) for e in events] == [(EV_CAMERA_BACK, 15.0, "the picture moves again")]
    assert ch.condition(h) == (None, None) and h.lost_reason == ""


def test_a_covered_lens_starts_the_frozen_watch_afresh():
    fp = ch.picture_fingerprint(np.full((48, 64, 3), 7, np.uint8))
    h, _, _ = ch.picture(ch.CameraHealth(), fp, 0.0, 0.0, CFG)
    h, _ = ch.covered(h, 20.0)
    h, change, _ = ch.picture(h, fp, 25.0, 25.0, CFG)  # the same picture as before the cover: a new start
    assert change == ch.MOVING and h.same_since_t == 25.0
