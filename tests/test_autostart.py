"""Login entries: the systemd user unit (checked by systemd-analyze where it exists), the macOS
LaunchAgent plist and the Windows Startup entry, plus install/remove through the CLI."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_one_sentence_error, run_cli
from posture_watch.io import autostart

ARGV = ["/opt/py env/bin/python", "-m", "posture_watch", "run"]
ENV = {"POSTURE_WATCH_HOME": "/home/ann/posture 100%", "POSTURE_WATCH_MODEL": "/m/$lite.task"}


def test_systemd_unit_text() -> None:
    text = autostart.systemd_unit(ARGV, ENV)
    lines = text.splitlines()
    assert lines[1] == "[Unit]" and "[Service]" in lines and "[Install]" in lines
    assert 'ExecStart="/opt/py env/bin/python" -m posture_watch run' in lines
    assert 'Environment="POSTURE_WATCH_HOME=/home/ann/posture 100%%"' in lines
    assert 'Environment=POSTURE_WATCH_MODEL=/m/$$lite.task' in lines
    assert "Restart=on-failure" in lines and "WantedBy=graphical-session.target" in lines


def _verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    return subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_installed_unit_passes_systemd_analyze_verify(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("POSTURE_WATCH_HOME", str(tmp_path / "home with space"))
    result = autostart.install("linux", activate=False)
    assert result.path == tmp_path / "config" / "systemd" / "user" / "posture-watch.service"
    proc = _verify(result.path, tmp_path)
    if proc.returncode != 0 and "Failed to initialize manager" in proc.stderr:
        pytest.skip(f"systemd-analyze cannot run a user manager here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "", proc.stderr  # no "ignoring" warnings about unknown keys or values
    text = result.path.read_text()
    assert f"ExecStart={sys.executable} -m posture_watch run" in text or f'"{sys.executable}"' in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check above is only worth something if verify fails on a bad unit."""
    unit = tmp_path / "posture-watch.service"
    unit.write_text(autostart.systemd_unit(["/nonexistent/python", "-m", "posture_watch", "run"], {}))
    proc = _verify(unit, tmp_path)
    if "Failed to initialize manager" in proc.stderr:
        pytest.skip("systemd-analyze cannot run a user manager here")
    assert proc.returncode != 0 and "/nonexistent/python" in proc.stderr


def test_launch_agent_plist() -> None:
    data = plistlib.loads(autostart.launchd_plist(ARGV, ENV, Path("/logs/monitor.log")))
    assert data["Label"] == "io.github.posture-watch"
    assert data["ProgramArguments"] == ARGV
    assert data["RunAtLoad"] is True and data["KeepAlive"] == {"SuccessfulExit": False}
    assert data["EnvironmentVariables"] == ENV
    assert data["StandardErrorPath"] == "/logs/monitor.log"


def test_windows_startup_entry() -> None:
    text = autostart.windows_startup([r"C:\Program Files\Python311\python.exe", "-m", "posture_watch", "run"],
                                     {"POSTURE_WATCH_HOME": r"C:\Users\ann\pw"})
    lines = text.split("\r\n")
    assert lines[0] == "@echo off"
    assert r'set "POSTURE_WATCH_HOME=C:\Users\ann\pw"' in lines
    assert r'start "" /b "C:\Program Files\Python311\pythonw.exe" -m posture_watch run' in lines
    assert text.endswith("\r\n")


@pytest.mark.parametrize("platform, tail", [
    ("linux", ".config/systemd/user/posture-watch.service"),
    ("darwin", "Library/LaunchAgents/io.github.posture-watch.plist"),
    ("win32", "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/posture-watch.cmd"),
])
def test_entry_paths(platform: str, tail: str) -> None:
    path = autostart.entry_path(platform, {"HOME": "/home/ann"})
    assert path.as_posix() == f"/home/ann/{tail}"


def test_unsupported_platform_is_one_sentence() -> None:
    with pytest.raises(autostart.UserError, match="not supported on sunos5"):
        autostart.entry_path("sunos5", {})


def _unit_keys(text: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values]}} (keys may repeat)."""
    out: dict[str, dict[str, list[str]]] = {}
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = out.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        assert section is not None, line
        section.setdefault(key, []).append(value)
    return out


def test_the_unit_lives_and_dies_with_the_desktop_session_and_never_restarts_on_a_user_error() -> None:
    from posture_watch.core.errors import UserError

    unit = _unit_keys(autostart.systemd_unit(ARGV, ENV))
    assert unit["Unit"]["PartOf"] == ["graphical-session.target"]
    assert unit["Unit"]["After"] == ["graphical-session.target"]
    assert unit["Install"]["WantedBy"] == ["graphical-session.target"]
    assert unit["Service"]["Restart"] == ["on-failure"]
    assert unit["Service"]["RestartPreventExitStatus"] == [str(UserError.exit_code)]


def _cli_env(tmp_path: Path, with_systemctl: bool) -> dict[str, str]:
    if with_systemctl:
        return {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": str(bin_dir)}


def _user_manager_runs() -> bool:
    if shutil.which("systemctl") is None:
        return False
    return subprocess.run(["systemctl", "--user", "is-system-running"], capture_output=True).returncode in (0, 1) \
        and subprocess.run(["systemctl", "--user", "show-environment"], capture_output=True).returncode == 0


@pytest.mark.parametrize("with_systemctl", [False, True], ids=["no systemctl", "systemctl without a user manager"])
def test_install_that_cannot_enable_fails_and_leaves_nothing(tmp_path: Path, with_systemctl: bool) -> None:
    if with_systemctl and (shutil.which("systemctl") is None or _user_manager_runs()):
        pytest.skip("needs a systemctl whose user manager is not running (as here, in a container)")
    env = _cli_env(tmp_path, with_systemctl)
    unit = tmp_path / "config" / "systemd" / "user" / "posture-watch.service"
    line = assert_one_sentence_error(run_cli("autostart", "install", env=env))
    assert "Could not enable autostart" in line and "nothing was installed" in line
    assert "Autostart installed" not in line and not unit.exists()
    assert "not installed" in run_cli("autostart", "show", env=env).stdout


def test_cli_show_and_remove(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    unit = autostart.install("linux", activate=False).path
    env = _cli_env(tmp_path, with_systemctl=False)
    assert "POSTURE_WATCH_HOME=" in unit.read_text()  # the test's private home is carried over
    proc = run_cli("autostart", "show", env=env)
    assert proc.returncode == 0 and "ExecStart=" in proc.stdout and "Autostart is installed" in proc.stdout
    proc = run_cli("autostart", "remove", env=env)
    assert proc.returncode == 0 and not unit.exists()
    proc = run_cli("autostart", "remove", env=env)
    assert proc.returncode == 0 and "not installed" in proc.stdout
