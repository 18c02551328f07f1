"""The break reminder's "Start the routine" button, on a real D-Bus session bus with the recording
notification server (tests/dbus_recorder.py): a day replayed from the simulator, leaning to the user's
right, brings a break reminder with the button; a click starts `posture-watch break` in a terminal
(tmux here, through POSTURE_WATCH_TERMINAL); a server without buttons gets a line saying how.
"""

from __future__ import annotations

import shutil
import time

import pytest

from dbus_recorder import recording_bus
from tmux_term import Tmux
from posture_watch.core import messages
from posture_watch.core.domain import EV_BREAK_REMINDER, Event
from posture_watch.io.desktop_actions import DesktopActions
from posture_watch.io.notify import Notifier, NotifyConfig, desktop_channel
from test_asymmetry import leaning_right, replay_day
from test_monitor import _wait_for

pytestmark = pytest.mark.skipif(shutil.which("dbus-run-session") is None,
                                reason="dbus-run-session is missing (make test installs the Debian package dbus)")


def test_a_replayed_leaning_day_names_the_side_and_its_reminder_starts_the_routine(tmp_path, monkeypatch,
                                                                                    private_home):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is missing (apt-get install tmux)")
    term, session = Tmux("routine"), "routine"
    monkeypatch.setenv("POSTURE_WATCH_TERMINAL", term.prefix(session))
    actions = DesktopActions(lambda request: {"ok": False, "text": "no monitor in this test"})
    try:
        with recording_bus(tmp_path / "bus", actions=True) as bus:
            monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
            notifier = Notifier(NotifyConfig(), desktop=desktop_channel(NotifyConfig(), on_action=actions.do))
            report = replay_day(tmp_path, leaning_right, 50 * 60, notifier=notifier)
            _wait_for(lambda: any(c["summary"] == "Time for a break" for c in bus.calls()), timeout_s=20)
            reminder = next(c for c in bus.calls() if c["summary"] == "Time for a break")
            assert reminder["actions"][:2] == ["start-routine", "Start the routine"]
            assert messages.ROUTINE_LINE not in reminder["body"]          # the button says it
            bus.click(reminder["id"], "start-routine")
            _wait_for(lambda: "Two minutes for the upper back" in term.pane(session) and "[1/4] Chin tucks" in term.pane(session),
                      timeout_s=30)
            notifier.close()
        assert report.asymmetry.period.shoulder.side == "right"
        assert any(s.startswith("Your right shoulder sat lower") for s in report.asymmetry_words)
        assert ("start-routine", "started the routine in tmux") in actions.done
    finally:
        term.close()


def test_without_buttons_the_reminder_says_how_to_start_the_routine(tmp_path, monkeypatch):
    reminder = messages.describe(Event(kind=EV_BREAK_REMINDER, t_s=0.0, duration_s=1800.0))
    with recording_bus(tmp_path / "plain") as bus:          # a server without the "actions" capability
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        notifier = Notifier(NotifyConfig(), desktop=desktop_channel(NotifyConfig(), on_action=lambda key: None))
        notifier.notify(reminder, time.time())
        notifier.close()
        (call,) = bus.calls()
    assert call["actions"] == []
    assert call["body"].endswith("\n" + messages.ROUTINE_LINE) and "posture-watch break" in call["body"]
