"""Screen lock and sleep on real D-Bus buses: a private dbus-daemon stands in for the system bus (logind
written for the test), another is the session bus (a ScreenSaver written for the test). The calls that
lock, unlock, suspend and wake come from the real `dbus-send` client."""

from __future__ import annotations

import logging
import shutil
import threading
import time

import pytest

import desktop_bus as desk
from conftest import ROOT
from fault_rig import Scripted, clip_pictures, looped
from posture_watch.io.config import load_config
from posture_watch.core.messages import status_text
from posture_watch.monitor.runner import RunOptions, run_monitor
from posture_watch.io.session_lock import ASLEEP, LOCKED, LockState, ScreenWatch, apply

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None,
                                reason="dbus-daemon/dbus-send are missing (make test installs the Debian package dbus)")


def _until(predicate, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def buses(tmp_path, monkeypatch):
    """(system, session) addresses of two private buses, set as the process's buses."""
    with desk.private_bus(tmp_path / "system") as system, desk.private_bus(tmp_path / "session") as session:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", system)
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session)
        monkeypatch.delenv("XDG_SESSION_ID", raising=False)
        yield system, session


class Changes:
    """Counts on_change calls (the monitor's waker)."""

    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()


def test_the_last_word_of_each_source_wins():
    state = LockState()
    assert state.reason is None
    state = apply(state, "Lock")
    assert state.reason == LOCKED
    assert apply(state, "Unlock").reason is None
    assert apply(state, "LockedHint", False).reason is None      # the locker cleared the hint: unlocked
    state = apply(apply(LockState(), "ActiveChanged", True), "PrepareForSleep", True)
    assert state.reason == ASLEEP                                # asleep says more than locked
    assert apply(state, "PrepareForSleep", False).reason == LOCKED  # woke up to the locked screen
    with pytest.raises(ValueError):
        apply(state, "Shutdown")


def test_logind_lock_unlock_hint_and_sleep_are_followed(buses, tmp_path):
    system, session = buses
    changes = Changes()
    with desk.desktop(system, session, tmp_path / "desk"):
        watch = ScreenWatch(changes).start()
        try:
            assert set(watch.listening) == {"logind session", "logind sleep", "screensaver"}
            assert watch.reason() is None
            assert watch.delaying_sleep and desk.inhibitors(system) == 1   # sleep waits for the camera
            desk.lock(system)
            _until(lambda: watch.reason() == LOCKED)
            desk.unlock(system)
            _until(lambda: watch.reason() is None)
            desk.locked_hint(system, True)
            _until(lambda: watch.reason() == LOCKED)
            desk.locked_hint(system, False)
            _until(lambda: watch.reason() is None)
            desk.suspend(system)
            _until(lambda: watch.reason() == ASLEEP)
            assert desk.inhibitors(system) == 1      # logind waits until the camera is released ...
            watch.ready_to_sleep()
            _until(lambda: desk.inhibitors(system) == 0)   # ... and then may suspend
            desk.wake(system)
            _until(lambda: watch.reason() is None)
            _until(lambda: desk.inhibitors(system) == 1)   # awake: the next sleep waits again
            assert changes.count == 6  # every change of the answer wakes the monitor, once
        finally:
            watch.stop()


def test_screensaver_active_changed_on_the_session_bus(buses, tmp_path):
    system, session = buses
    changes = Changes()
    with desk.desktop(None, session, tmp_path / "desk"):
        watch = ScreenWatch(changes).start()
        try:
            assert watch.listening == ["screensaver"]  # no logind on this "system" bus
            desk.screensaver(session, True)
            _until(lambda: watch.reason() == LOCKED)
            desk.screensaver(session, False)
            _until(lambda: watch.reason() is None)
            assert changes.count == 2
        finally:
            watch.stop()


def test_a_session_locked_before_the_start_holds_at_once(buses, tmp_path):
    system, session = buses
    with desk.desktop(system, session, tmp_path / "desk", locked=True):
        watch = ScreenWatch().start()
        try:
            assert watch.reason() == LOCKED
        finally:
            watch.stop()


def test_an_unknown_session_still_follows_sleep_and_says_why(buses, tmp_path, caplog):
    system, session = buses
    caplog.set_level(logging.INFO, logger="posture_watch.io.session_lock")
    with desk.desktop(system, session, tmp_path / "desk"):
        watch = ScreenWatch(session_id="c42").start()
        try:
            assert set(watch.listening) == {"logind sleep", "screensaver"}
            assert any("logind knows no session 'c42'" in r.getMessage() for r in caplog.records)
            desk.suspend(system)
            _until(lambda: watch.reason() == ASLEEP)
        finally:
            watch.stop()


def test_no_buses_at_all_is_said_once_and_never_holds(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-system-bus'}")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-session-bus'}")
    caplog.set_level(logging.INFO, logger="posture_watch.io.session_lock")
    watch = ScreenWatch(connect_timeout_s=2.0).start()
    try:
        assert watch.listening == [] and watch.reason() is None
        said = [r.getMessage() for r in caplog.records if "not followed" in r.getMessage()]
        assert len([m for m in said if m.startswith("screen lock and sleep are not followed")]) == 1
    finally:
        watch.stop()


class Camera(Scripted):
    """A live camera playing the given pictures; says whether it is open, and refuses reads while released."""

    is_open = False
    closed_at: list[float] = []

    def open(self) -> None:
        super().open()
        self.is_open = True

    def read(self, not_before_s: float = 0.0):
        assert self.is_open, "read from a released camera"
        return super().read(not_before_s)

    def close(self) -> None:
        super().close()
        self.is_open = False
        self.closed_at = self.closed_at + [time.time()]


def test_lock_screensaver_and_sleep_release_the_camera_and_count_nothing(buses, tmp_path, model_path):
    """The real monitor (run_monitor: real MediaPipe, real SQLite) on a live camera that shows a held
    forward lean; the desktop locks, unlocks, starts its screensaver and sleeps."""
    system, session = buses
    camera = Camera(looped(clip_pictures("desk_session.mp4", 60.0, 3.0)), until_s=600.0, live=True)
    opts = RunOptions(profile=str(ROOT / "calibration" / "sample_profile.json"), no_notify=True, quiet_fallback=True,
                      exclusive=False)
    run: dict = {}
    held_s = 3.0

    def monitor_thread() -> None:
        run["summary"] = run_monitor(opts, load_config(), on_start=lambda m: run.update(monitor=m), source=camera)

    def hold_and_release(start, end, condition: str) -> None:
        monitor = run["monitor"]
        start()
        _until(lambda: not camera.is_open)
        status = monitor.status()
        assert status["condition"] == condition and not status["camera_open"]
        said = {"screen locked": "Screen locked since ", "asleep": "The machine is asleep since "}[condition]
        assert status_text(dict(status, live=True)).startswith(said)
        assert status_text(dict(status, live=True)).splitlines()[0].endswith(": not monitoring; the camera is off.")
        samples, sitting_s = monitor.summary.samples, monitor.state.presence.sitting_s
        time.sleep(held_s)
        assert monitor.summary.samples == samples  # nothing judged while held
        released = time.monotonic()
        end()
        _until(lambda: camera.is_open and monitor.summary.samples >= samples + 3, 60)
        since_s = time.monotonic() - released
        assert monitor.status()["condition"] == "monitoring"
        # only the time since the release counts: not the held seconds, as sitting or as poor posture
        assert monitor.state.presence.sitting_s - sitting_s <= since_s < held_s
        assert monitor.state.posture.poor_run_s <= since_s

    with desk.desktop(system, session, tmp_path / "desk"):
        thread = threading.Thread(target=monitor_thread)
        thread.start()
        try:
            _until(lambda: "monitor" in run and run["monitor"].state.posture.poor_run_s >= 2.0, 120)
            hold_and_release(lambda: desk.lock(system), lambda: desk.unlock(system), "screen locked")
            hold_and_release(lambda: desk.screensaver(session, True), lambda: desk.screensaver(session, False),
                             "screen locked")
            assert desk.inhibitors(system) == 1

            def suspend_once_the_camera_is_off() -> None:
                desk.suspend(system)
                _until(lambda: desk.inhibitors(system) == 0)   # the monitor let the sleep go on
                assert camera.closed_at and camera.closed_at[-1] <= desk.released_at(tmp_path / "desk")[-1]

            hold_and_release(suspend_once_the_camera_is_off, lambda: desk.wake(system), "asleep")
            _until(lambda: desk.inhibitors(system) == 1)
        finally:
            if "monitor" in run:
                run["monitor"].stop()
            thread.join(60)
    assert not thread.is_alive()
    events = [(e.kind, e.detail) for e in run["summary"].events]
    held = [k for k, _ in events if k in ("screen_locked", "screen_back")]
    assert held == ["screen_locked", "screen_back"] * 3
    assert [d for k, d in events if k == "screen_locked"] == ["screen locked", "screen locked", "asleep"]
    assert not {"break", "warning", "away", "camera_lost"} & {k for k, _ in events}
    assert camera.opens == 4 and not camera.is_open
    backs = [e for e in run["summary"].events if e.kind == "screen_back"]
    assert all(e.duration_s == pytest.approx(held_s, abs=1.5) for e in backs)
