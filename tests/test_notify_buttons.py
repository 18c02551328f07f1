"""Notification buttons, replacing and the icon, on a real D-Bus session bus with a recording
notification server that plays the user's click (tests/dbus_recorder.py --actions)."""

from __future__ import annotations

import shutil
import sqlite3
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import sample
from dbus_recorder import recording_bus
from posture_watch.io import control, paths
from posture_watch.core import messages
from posture_watch.core.domain import EV_BREAK_REMINDER, EV_ESCALATION, EV_WARNING, FORWARD_LEAN, Event
from posture_watch.io.notify import Notifier, NotifyConfig, desktop_channel
import fault_rig
from test_monitor import _spawn, _wait_for

pytestmark = pytest.mark.skipif(shutil.which("dbus-run-session") is None,
                                reason="dbus-run-session is missing (make test installs the Debian package dbus)")

WARNING = Event(kind=EV_WARNING, t_s=0.0, fault=FORWARD_LEAN, duration_s=240.0, window_s=300.0)
ESCALATION = Event(kind=EV_ESCALATION, t_s=0.0, fault=FORWARD_LEAN, duration_s=400.0, window_s=480.0, level=2)
REMINDER = Event(kind=EV_BREAK_REMINDER, t_s=0.0, duration_s=3000.0)


def _notify(config: NotifyConfig, clicked: list[str], *events: Event) -> Notifier:
    notifier = Notifier(config, desktop=desktop_channel(config, on_action=clicked.append))
    for event in events:
        notifier.notify(messages.describe(event), time.time())
    notifier.close()
    return notifier


def test_warnings_carry_buttons_replace_each_other_and_a_click_does_it(tmp_path: Path, monkeypatch) -> None:
    clicked: list[str] = []
    with recording_bus(tmp_path / "bus", actions=True) as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        notifier = Notifier(NotifyConfig(), desktop=desktop_channel(NotifyConfig(), on_action=clicked.append))
        for event in (WARNING, REMINDER, ESCALATION, REMINDER):
            notifier.notify(messages.describe(event), time.time())
        _wait_for(lambda: len(bus.calls()) == 4, timeout_s=20)
        warning, reminder, escalation, reminder2 = bus.calls()
        bus.click(escalation["id"], "snooze-30")
        bus.click(reminder2["id"], "take-break")
        _wait_for(lambda: len(clicked) == 2, timeout_s=10)
        bus.click(999, "snooze-30")  # not ours: nothing happens
        time.sleep(0.3)
        notifier.close()
    assert [d.channel for d in notifier.deliveries] == ["desktop"] * 4
    assert warning["actions"] == ["snooze-30", "Snooze 30 min", "take-break", "I'll take a break"]
    assert escalation["actions"] == warning["actions"]
    assert reminder["actions"] == ["start-routine", "Start the routine", "take-break", "I'll take a break"]
    # the escalation replaced the warning, the second reminder the first: two notifications shown, not four
    assert (warning["replaces_id"], escalation["replaces_id"]) == (0, warning["id"])
    assert (reminder["replaces_id"], reminder2["replaces_id"]) == (0, reminder["id"])
    assert escalation["id"] == warning["id"] and reminder2["id"] == reminder["id"] != warning["id"]
    assert sorted(clicked) == ["snooze-30", "take-break"]
    icon = Path(unquote(urlparse(warning["app_icon"]).path))
    assert warning["app_icon"].startswith("file://") and icon.name == "posture-watch.svg"
    assert ET.parse(icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert {c["app_icon"] for c in bus.calls()} == {warning["app_icon"]}


def test_a_closed_notification_is_not_replaced_and_no_buttons_without_the_capability(tmp_path: Path,
                                                                                     monkeypatch) -> None:
    clicked: list[str] = []
    with recording_bus(tmp_path / "bus", actions=True) as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        notifier = Notifier(NotifyConfig(), desktop=desktop_channel(NotifyConfig(), on_action=clicked.append))
        notifier.notify(messages.describe(WARNING), time.time())
        _wait_for(lambda: len(bus.calls()) == 1, timeout_s=20)
        bus.click(bus.calls()[0]["id"], "take-break")  # the server closes it after the click
        _wait_for(lambda: clicked == ["take-break"], timeout_s=10)
        notifier.notify(messages.describe(WARNING), time.time())
        notifier.close()
        _wait_for(lambda: len(bus.calls()) == 2, timeout_s=10)
        first, second = bus.calls()
    assert second["replaces_id"] == 0 and second["id"] != first["id"]
    with recording_bus(tmp_path / "plain") as bus:  # a server without "actions"
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        _notify(NotifyConfig(), [], WARNING)
        (call,) = bus.calls()
    assert call["actions"] == []


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    return fault_rig.sample_profile(tmp_path_factory)


def _events(home: Path) -> list[tuple[str, float | None]]:
    if not paths.replay_database_path().exists():
        return []
    db = sqlite3.connect(paths.replay_database_path())
    try:
        return db.execute("SELECT kind, duration_s FROM events ORDER BY t, id").fetchall()
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.parametrize("button", ["snooze-30", "take-break"])
def test_a_click_on_the_monitors_warning_does_it(button: str, tmp_path: Path, private_home: Path,
                                                 profile: Path) -> None:
    """The real monitor replays the desk session; the user clicks a button of its warning."""
    with recording_bus(tmp_path / "bus", actions=True) as bus:
        proc = _spawn(private_home, "run", "--source", str(sample("desk_session.mp4")), "--speed", "10",
                      "--profile", str(profile), env=bus.env)
        try:
            _wait_for(lambda: any(c["summary"].startswith("Posture") for c in bus.calls()), timeout_s=240, proc=proc)
            (warning,) = [c for c in bus.calls() if c["summary"].startswith("Posture")]
            bus.click(warning["id"], button)
            if button == "take-break":
                _wait_for(lambda: control.request("status")["status"]["on_break"], timeout_s=20, proc=proc)
                # the clip goes on: upright, a lateral lean, 82 s away, back: the break ends with the return
                _wait_for(lambda: any(k == "back" for k, _ in _events(private_home)), timeout_s=240, proc=proc)
                _wait_for(lambda: not control.request("status")["status"]["on_break"], timeout_s=30, proc=proc)
            else:
                _wait_for(lambda: any(k == "snoozed" for k, _ in _events(private_home)), timeout_s=20, proc=proc)
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    kinds = [k for k, _ in _events(private_home)]
    if button == "snooze-30":
        assert ("snoozed", 1800.0) in _events(private_home)
        assert kinds.index("snoozed") > kinds.index("warning")
    else:
        assert kinds.index("back") > kinds.index("warning") and "break" in kinds
