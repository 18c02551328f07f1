"""The tray icon on a real D-Bus session bus, shown by a StatusNotifierWatcher and host written for
the test (tests/sni_host.py), while the real monitor replays a sample clip."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import fault_rig
from conftest import sample
from dbus_recorder import recording_bus
from posture_watch.io import control, paths
from sni_host import TrayHost
from test_monitor import _spawn, _wait_for

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("dbus-run-session") is None,
                                 reason="dbus-run-session is missing (make test installs the Debian package dbus)")]


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    return fault_rig.sample_profile(tmp_path_factory)


def _kinds() -> list[str]:
    if not paths.replay_database_path().exists():
        return []
    db = sqlite3.connect(paths.replay_database_path())
    try:
        return [k for (k,) in db.execute("SELECT kind FROM events ORDER BY t, id")]
    finally:
        db.close()


def test_the_icon_follows_the_monitors_state(tmp_path: Path, private_home: Path, profile: Path) -> None:
    with recording_bus(tmp_path / "bus") as bus:
        host = TrayHost(bus.address).start()
        proc = _spawn(private_home, "run", "--source", str(sample("desk_session.mp4")), "--speed", "1000",
                      "--profile", str(profile), env=bus.env)
        try:
            _, stderr = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            host.stop()
    assert proc.returncode == 0, stderr
    assert host.items == [f"org.kde.StatusNotifierItem-{proc.pid}-1"]
    icons = [s["icon"] for s in host.seen]
    changes = [icon for i, icon in enumerate(icons) if i == 0 or icon != icons[i - 1]]
    # upright, the long forward lean, upright again, the walk away, back
    assert "posture-watch-poor" in changes and "posture-watch-away" in changes
    assert changes.index("posture-watch-poor") < changes.index("posture-watch-away")
    assert changes[0] == changes[-1] == "posture-watch-upright", changes
    poor = next(s for s in host.seen if s["icon"] == "posture-watch-poor")
    assert poor["status"] == "NeedsAttention" and "Poor posture" in poor["tooltip"]
    away = next(s for s in host.seen if s["icon"] == "posture-watch-away")
    assert away["status"] == "Active" and "Away from the desk" in away["tooltip"]
    theme = Path(host.seen[0]["theme_path"])
    for icon in set(icons):  # every icon name is a bundled SVG in the item's IconThemePath
        assert ET.parse(theme / f"{icon}.svg").getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert "no tray icon" not in stderr


def test_each_menu_item_does_what_it_says(tmp_path: Path, private_home: Path, profile: Path) -> None:
    mine = tmp_path / "mine.json"
    shutil.copyfile(profile, mine)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"  # webbrowser honours $BROWSER: a "browser" that notes what it was given
    browser.write_text(f"#!/bin/sh\necho \"$1\" >> {opened}\n")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    with recording_bus(tmp_path / "bus") as bus:
        host = TrayHost(bus.address).start()
        proc = _spawn(private_home, "-v", "run", "--source", str(sample("desk_session.mp4")), "--speed", "1",
                      "--profile", str(mine), env={**bus.env, "BROWSER": str(browser)})
        try:
            _wait_for(lambda: host.icon() == "posture-watch-upright", timeout_s=120, proc=proc)
            assert set(host.menu()) == {"Pause", "Snooze 30 min", "Take a break now", "Recalibrate",
                                        "Open today's report", "Quit"}
            host.click("Pause")
            _wait_for(lambda: host.icon() == "posture-watch-paused", timeout_s=20, proc=proc)
            assert control.request("status")["status"]["condition"] == "paused"
            assert "Resume" in host.menu() and "Pause" not in host.menu()
            host.click("Resume")
            _wait_for(lambda: host.icon() == "posture-watch-upright", timeout_s=20, proc=proc)

            host.click("Snooze 30 min")
            _wait_for(lambda: host.icon() == "posture-watch-snoozed", timeout_s=20, proc=proc)
            snoozed = control.request("status")["status"]
            assert snoozed["snoozed_until"] - snoozed["now"] == pytest.approx(1800, abs=5)
            assert control.request("resume")["ok"]

            host.click("Take a break now")
            _wait_for(lambda: "On a break" in host.seen[-1]["tooltip"], timeout_s=20, proc=proc)
            assert host.icon() == "posture-watch-paused" and control.request("status")["status"]["on_break"]
            host.click("Resume")
            _wait_for(lambda: not control.request("status")["status"]["on_break"], timeout_s=20, proc=proc)

            host.click("Open today's report")
            _wait_for(lambda: opened.exists() and opened.read_text().strip(), timeout_s=120, proc=proc)
            report = Path(opened.read_text().split()[0].removeprefix("file://"))
            assert report.suffix == ".html" and "<html" in report.read_text().lower()

            before = mine.stat().st_mtime_ns
            host.click("Recalibrate")
            _wait_for(lambda: mine.stat().st_mtime_ns != before and _kinds().count("profile") == 2,
                      timeout_s=300, proc=proc)
            _wait_for(lambda: control.request("status")["status"]["condition"] != "paused", timeout_s=30, proc=proc)

            host.click("Quit")
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            host.stop()
    assert proc.returncode == 0, stderr
    kinds = _kinds()
    assert [k for k in kinds if k in ("paused", "resumed", "snoozed")] == [
        "paused", "resumed", "snoozed", "resumed", "paused", "resumed"]  # the last pair: around the calibration
    assert kinds[-1] == "session_end"
    assert os.environ.get("BROWSER") is None  # the test's browser went only to the monitor
