"""`doctor` on real folders, a real (file) camera, real profiles and a real private D-Bus session bus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, sample
from dbus_recorder import recording_bus
from posture_watch.io import profile_store
from posture_watch.io.profile_files import load_profile

NO_BUS = {"DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": ""}


def _line(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(name + " "))


def test_no_camera_and_no_profile_is_a_non_zero_exit(private_home: Path) -> None:
    proc = run_cli("doctor", env=NO_BUS)
    assert proc.returncode == 1, proc.stdout
    assert "PROBLEM" in _line(proc.stdout, "camera") and "PROBLEM" in _line(proc.stdout, "profile")
    assert "calibrate" in _line(proc.stdout, "profile")
    assert "cannot work yet" in proc.stdout


def _ready_home(home: Path) -> None:
    """A 'camera' that opens (a recording, as config.toml's camera) and a profile for it."""
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text(f'camera = "{sample("calibration.mp4")}"\n')
    profile_store.save_named(load_profile(ROOT / "calibration" / "sample_profile.json"), "desk")


def test_everything_run_needs_is_a_zero_exit_and_autostart_is_reported(private_home: Path, tmp_path: Path,
                                                                       monkeypatch) -> None:
    from posture_watch.io import autostart

    _ready_home(private_home)
    env = dict(NO_BUS, XDG_CONFIG_HOME=str(tmp_path / "xdg"), PATH=str(tmp_path))
    proc = run_cli("doctor", env=env)
    assert proc.returncode == 0, proc.stdout
    assert "desk" in _line(proc.stdout, "profile") and "ok" in _line(proc.stdout, "camera")
    assert "not installed" in _line(proc.stdout, "autostart")
    assert "no D-Bus session bus" in _line(proc.stdout, "notifications")
    monkeypatch.setenv("XDG_CONFIG_HOME", env["XDG_CONFIG_HOME"])
    autostart.install("linux", activate=False)
    proc = run_cli("doctor", env=env)
    assert "installed: " in _line(proc.stdout, "autostart")


@pytest.mark.skipif(shutil.which("dbus-run-session") is None, reason="dbus-run-session is missing")
def test_the_notification_service_is_asked_its_name_and_capabilities(private_home: Path, tmp_path: Path) -> None:
    with recording_bus(tmp_path / "bus") as bus:
        line = _line(run_cli("doctor", env=bus.env).stdout, "notifications")
    assert "ok" in line and "posture-watch-test-recorder 1.0" in line and "capabilities: body, sound" in line
    with recording_bus(tmp_path / "empty-bus", no_server=True) as bus:
        line = _line(run_cli("doctor", env=bus.env).stdout, "notifications")
    assert "no notification service on the session bus" in line
