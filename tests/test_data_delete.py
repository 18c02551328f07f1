"""`data delete` and `stop` with a real monitor running: it is stopped first (its data saved), the
autostart entry goes too, and afterwards nothing of posture-watch runs or is scheduled."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT, run_cli, sample

PROFILE = ROOT / "calibration" / "sample_profile.json"


@pytest.fixture
def monitor(private_home: Path, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A real monitor replaying the desk session in real time; ended by the fixture whatever happens."""
    proc = subprocess.Popen([sys.executable, "-m", "posture_watch", "run", "--source", str(sample("desk_session.mp4")),
                             "--profile", str(PROFILE), "--no-notify"], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while run_cli("status").returncode != 0:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the monitor never answered"
            time.sleep(0.5)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _no_systemctl(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": str(bin_dir)}


def _install_unit(tmp_path: Path, monkeypatch, home: Path | None = None) -> Path:
    """The unit file `autostart install` writes (enabling needs a user manager, which is not here)."""
    from posture_watch.io import autostart

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with monkeypatch.context() as m:
        if home is not None:
            m.setenv("POSTURE_WATCH_HOME", str(home))
        return autostart.install("linux", activate=False).path


def test_data_delete_stops_the_monitor_and_removes_autostart(monitor, private_home: Path, tmp_path: Path,
                                                            monkeypatch) -> None:
    env = _no_systemctl(tmp_path)
    unit = _install_unit(tmp_path, monkeypatch)
    assert unit == tmp_path / "config" / "systemd" / "user" / "posture-watch.service"
    assert unit.exists()
    proc = run_cli("data", "delete", "--yes", env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"Stopped the running monitor (pid {monitor.pid})" in proc.stdout
    assert f"Removed the autostart entry {unit}" in proc.stdout
    assert monitor.wait(timeout=5) == 0  # it had ended (cleanly) before the files went
    assert not unit.exists()
    assert not any(private_home.iterdir()), list(private_home.iterdir())
    assert run_cli("status").returncode == 3


def test_data_delete_leaves_another_homes_autostart_alone(private_home: Path, tmp_path: Path, monkeypatch) -> None:
    env = _no_systemctl(tmp_path)
    _install_unit(tmp_path, monkeypatch, home=tmp_path / "other")
    (private_home / "data").mkdir()
    proc = run_cli("data", "delete", "--yes", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "autostart" not in proc.stdout
    assert (tmp_path / "config" / "systemd" / "user" / "posture-watch.service").exists()


def test_stop_ends_the_monitor_and_its_session(monitor, private_home: Path) -> None:
    proc = run_cli("stop", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert f"pid {monitor.pid}" in proc.stdout
    assert monitor.wait(timeout=5) == 0
    conn = sqlite3.connect(private_home / "data" / "replays.sqlite3")
    (ended,) = conn.execute("SELECT ended_at FROM sessions").fetchone()
    conn.close()
    assert ended is not None
    assert "No posture-watch monitor is running" in run_cli("stop").stdout
