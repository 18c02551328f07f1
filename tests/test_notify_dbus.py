"""Notifications over a real D-Bus session bus (dbus-run-session) to a recording notification server."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import pytest

from dbus_recorder import recording_bus
from posture_watch.core import messages
from posture_watch.core.domain import EV_BREAK_REMINDER, EV_WARNING, FORWARD_LEAN, Event
from posture_watch.io.notify import Notifier, NotifyConfig

pytestmark = pytest.mark.skipif(shutil.which("dbus-run-session") is None,
                                reason="dbus-run-session is missing (make test installs the Debian package dbus)")

WARNING = Event(kind=EV_WARNING, t_s=0.0, fault=FORWARD_LEAN, duration_s=240.0, window_s=300.0,
                deviation={"head_forward_deg": 12.0})
REMINDER = Event(kind=EV_BREAK_REMINDER, t_s=0.0, duration_s=3000.0)


def _send(config: NotifyConfig, *events: Event, t_epoch: float | None = None) -> tuple[Notifier, io.StringIO]:
    stream = io.StringIO()
    notifier = Notifier(config, stream=stream)
    for event in events:
        message = messages.describe(event, stand_up_min=config.break_stand_up_min)
        assert message is not None
        notifier.notify(message, time.time() if t_epoch is None else t_epoch)
    notifier.close()
    return notifier, stream


def test_warning_and_break_reminder_reach_the_notification_server(tmp_path: Path, monkeypatch) -> None:
    with recording_bus(tmp_path / "bus") as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        notifier, stream = _send(NotifyConfig(), WARNING, REMINDER)
        calls = bus.calls()
    assert [d.channel for d in notifier.deliveries] == ["desktop", "desktop"]
    assert stream.getvalue() == ""
    assert [c["summary"] for c in calls] == ["Posture: head forward", "Time for a break"]
    assert calls[0]["body"].startswith("Head forward, about 12°, for 4 of the last 5 minutes.")
    assert "Tip:" in calls[0]["body"]
    # no buttons on this server: the reminder says how to start the routine
    assert calls[1]["body"] == ("You have been sitting for 50 min — stand up for 2 min.\n"
                                "Two minutes for the upper back: run `posture-watch break`.")
    assert all(c["app_name"] == "posture-watch" for c in calls)
    assert all("sound-name" not in c["hints"] for c in calls)
    assert calls[0]["hints"]["urgency"] == 1


def test_with_sound_the_server_is_asked_not_to_add_its_own(tmp_path: Path, monkeypatch) -> None:
    # posture-watch plays the sound itself (tests/test_sound.py); the server must not sound a second one
    with recording_bus(tmp_path / "bus") as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        _send(NotifyConfig(sound=True), WARNING)
        (call,) = bus.calls()
    assert call["hints"]["suppress-sound"] is True
    assert "sound-name" not in call["hints"]


def test_quiet_hours_keep_the_bus_silent(tmp_path: Path, monkeypatch) -> None:
    local_noon = time.mktime(time.strptime("2024-03-05 12:30", "%Y-%m-%d %H:%M"))
    with recording_bus(tmp_path / "bus") as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        quiet, stream = _send(NotifyConfig(quiet_hours_start="12:00", quiet_hours_end="13:00"), WARNING,
                              t_epoch=local_noon)
        loud, _ = _send(NotifyConfig(quiet_hours_start="22:00", quiet_hours_end="07:00"), WARNING,
                        t_epoch=local_noon)
        calls = bus.calls()
    assert [d.channel for d in quiet.deliveries] == ["quiet"]
    assert stream.getvalue() == ""
    assert [d.channel for d in loud.deliveries] == ["desktop"]
    assert len(calls) == 1


def test_no_notify_goes_to_the_terminal_with_a_bell(tmp_path: Path, monkeypatch) -> None:
    with recording_bus(tmp_path / "bus") as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        notifier, stream = _send(NotifyConfig(enabled=False), WARNING)
        assert bus.calls() == []
    assert [d.channel for d in notifier.deliveries] == ["terminal"]
    text = stream.getvalue()
    assert text.startswith("\a") and text.count("\n") == 1
    assert "Head forward, about 12°, for 4 of the last 5 minutes" in text


def test_bus_without_notification_server_falls_back_to_terminal(tmp_path: Path, monkeypatch) -> None:
    with recording_bus(tmp_path / "bus", no_server=True) as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        notifier, stream = _send(NotifyConfig(), WARNING, REMINDER)
    assert [d.channel for d in notifier.deliveries] == ["terminal", "terminal"]
    assert "ServiceUnknown" in notifier.deliveries[0].reason or "Notifications" in notifier.deliveries[0].reason
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[1] == ("\aTime for a break: You have been sitting for 50 min — "
                                         "stand up for 2 min. Two minutes for the upper back: run `posture-watch break`.")


def test_no_session_bus_and_no_terminal_goes_to_the_log(monkeypatch, caplog) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    notifier = Notifier(NotifyConfig(terminal=False))
    notifier.notify(messages.describe(WARNING), time.time())
    with caplog.at_level("WARNING", logger="posture_watch.io.notify"):
        notifier.close()
    assert [d.channel for d in notifier.deliveries] == ["log"]
    assert any("Head forward, about 12°, for 4 of the last 5 minutes" in r.getMessage() for r in caplog.records)


def test_a_server_that_hangs_is_given_up_on(tmp_path: Path, monkeypatch) -> None:
    with recording_bus(tmp_path / "bus", delay_s=3.0) as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        notifier, stream = _send(NotifyConfig(send_timeout_s=0.5), WARNING, REMINDER)
    # the first send times out and falls back; the second does not wait again (desktop_retry_s)
    assert [d.channel for d in notifier.deliveries] == ["terminal", "terminal"]
    assert "did not answer" in notifier.deliveries[0].reason


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def test_the_recording_bus_leaves_no_process_behind(tmp_path: Path) -> None:
    """dbus-run-session, its dbus-daemon and the recorder all end with the fixture (before, a SIGTERM to
    dbus-run-session alone left the daemon and the recorder running for ever)."""
    with recording_bus(tmp_path / "bus") as bus:
        members = _group_members_of_recorder(bus)
        assert len(members) >= 3, members  # dbus-run-session, dbus-daemon, the recorder
    assert _alive(members) == [], _alive(members)


def _group_members_of_recorder(bus) -> list[int]:
    """The processes of the recorder's bus: those whose command line names its output file."""
    needle = str(bus.out).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    import os

    groups = {os.getpgid(p) for p in pids}
    return sorted(p for g in groups for p in _group_members(g))


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(p)
    return alive
