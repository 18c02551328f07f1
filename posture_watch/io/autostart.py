"""`posture-watch autostart install | remove | show`: start the monitor at login.

Linux:   a systemd user unit, $XDG_CONFIG_HOME/systemd/user/posture-watch.service, enabled with
         `systemctl --user enable` when a user manager is running.
macOS:   a LaunchAgent, ~/Library/LaunchAgents/io.github.posture-watch.plist (loaded with launchctl).
Windows: a Startup-folder entry, %APPDATA%/Microsoft/Windows/Start Menu/Programs/Startup/posture-watch.cmd.

Each entry runs this same Python (`sys.executable -m posture_watch run`), carries
POSTURE_WATCH_HOME/POSTURE_WATCH_MODEL when they are set, and restarts the monitor only when it
failed. The file contents are pure functions of (argv, env) so they are tested as text.
"""

from __future__ import annotations

import argparse
import logging
import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Mapping, Sequence

from posture_watch.io import paths
from posture_watch.core.errors import UserError

log = logging.getLogger(__name__)

UNIT_NAME = "posture-watch.service"
AGENT_LABEL = "io.github.posture-watch"
WINDOWS_NAME = "posture-watch.cmd"
CARRIED_ENV = ("POSTURE_WATCH_HOME", "POSTURE_WATCH_MODEL")
RESTART_AFTER_S = 30  # a failed start (camera busy at login) is tried again this much later
USER_ERROR_EXIT = 2   # errors.UserError.exit_code: never restarted


def launch_argv() -> list[str]:
    """The command a login entry runs: this interpreter, this package."""
    return [str(Path(sys.executable).absolute()), "-m", "posture_watch", "run"]


def carried_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {k: str(Path(environ[k]).expanduser().absolute()) for k in CARRIED_ENV if environ.get(k)}


# --- file contents (pure) ----------------------------------------------------------------------


def _systemd_quote(arg: str) -> str:
    """One ExecStart word: specifiers (%) and variables ($) escaped, quoted when needed."""
    text = arg.replace("%", "%%").replace("$", "$$")
    if any(c in text for c in " \t\"'\\;") or not text:
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def systemd_unit(argv: Sequence[str], env: Mapping[str, str]) -> str:
    lines = [
        "# Written by `posture-watch autostart install`; remove with `posture-watch autostart remove`.",
        "[Unit]",
        "Description=posture-watch webcam posture monitor",
        # Tied to the desktop session: started with it, stopped at logout.
        "PartOf=graphical-session.target",
        "After=graphical-session.target",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_systemd_quote(a) for a in argv),
        "Restart=on-failure",
        f"RestartSec={RESTART_AFTER_S}",
        # Exit 2 is a user error (no profile, no camera, bad config): restarting cannot mend it.
        f"RestartPreventExitStatus={USER_ERROR_EXIT}",
        "Nice=10",
    ]
    for key, value in sorted(env.items()):
        lines.append("Environment=" + _systemd_quote(f"{key}={value}"))
    lines += ["", "[Install]", "WantedBy=graphical-session.target", ""]
    return "\n".join(lines)


def launchd_plist(argv: Sequence[str], env: Mapping[str, str], log_path: Path) -> bytes:
    agent: dict = {
        "Label": AGENT_LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_AFTER_S,
        "ProcessType": "Background",
        "StandardOutPath": str(log_path),
        "StandardErrorPath": str(log_path),
    }
    if env:
        agent["EnvironmentVariables"] = dict(sorted(env.items()))
    return plistlib.dumps(agent)


def _windows_quote(arg: str) -> str:
    return '"' + arg.replace('"', '""') + '"' if any(c in arg for c in ' \t"&^|<>()') or not arg else arg


def windows_startup(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """A .cmd for the Startup folder; pythonw.exe (no console window) where it exists."""
    exe = PureWindowsPath(argv[0])
    windowless = exe.with_name("pythonw.exe")
    first = str(windowless) if exe.name.lower() == "python.exe" else str(exe)
    lines = ["@echo off", "rem Written by `posture-watch autostart install`; remove with `posture-watch autostart remove`."]
    for key, value in sorted(env.items()):
        lines.append(f'set "{key}={value}"')
    lines.append('start "" /b ' + " ".join(_windows_quote(a) for a in [first, *argv[1:]]))
    return "\r\n".join(lines) + "\r\n"


# --- where and how -----------------------------------------------------------------------------


def platform_key(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform.startswith("linux"):
        return "linux"
    if platform == "darwin":
        return "macos"
    if platform in ("win32", "cygwin"):
        return "windows"
    raise UserError(f"Autostart is not supported on {platform}; start `posture-watch run` from your session's "
                    "startup settings instead.")


def entry_path(platform: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    key = platform_key(platform)
    home = Path(environ.get("HOME") or Path.home())
    if key == "linux":
        config = Path(environ["XDG_CONFIG_HOME"]) if environ.get("XDG_CONFIG_HOME") else home / ".config"
        return config / "systemd" / "user" / UNIT_NAME
    if key == "macos":
        return home / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"
    appdata = Path(environ.get("APPDATA") or home / "AppData" / "Roaming")
    return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / WINDOWS_NAME


def entry_content(platform: str | None = None, argv: Sequence[str] | None = None,
                  env: Mapping[str, str] | None = None) -> bytes:
    key = platform_key(platform)
    argv = list(argv) if argv is not None else launch_argv()
    env = dict(env) if env is not None else carried_env()
    if key == "linux":
        return systemd_unit(argv, env).encode("utf-8")
    if key == "macos":
        return launchd_plist(argv, env, paths.data_dir() / "monitor.log")
    return windows_startup(argv, env).encode("utf-8")


@dataclass(frozen=True)
class AutostartResult:
    path: Path
    notes: tuple[str, ...] = ()


def _run(cmd: list[str]) -> tuple[bool, str]:
    if shutil.which(cmd[0]) is None:
        return False, f"{cmd[0]} was not found"
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    text = (proc.stderr or proc.stdout).strip().splitlines()
    return proc.returncode == 0, text[-1] if text else f"exit code {proc.returncode}"


def install(platform: str | None = None, activate: bool = True) -> AutostartResult:
    """Write the login entry (0644 is what the service managers expect; it holds no personal data)."""
    key = platform_key(platform)
    path = entry_path(platform)
    content = entry_content(platform)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
    except OSError as exc:
        raise UserError(f"Could not write {path} ({exc.strerror}).") from None
    notes: list[str] = []
    if activate and key == "linux":
        ok, why = _run(["systemctl", "--user", "daemon-reload"])
        if ok:
            ok, why = _run(["systemctl", "--user", "enable", UNIT_NAME])
        if not ok:  # a unit that is not enabled never starts: do not leave it behind as if installed
            path.unlink(missing_ok=True)
            raise UserError(f"Could not enable autostart with systemctl ({why}), so nothing was installed; run "
                            "`posture-watch autostart install` in your desktop session, where the systemd user "
                            "manager runs.")
        notes.append("Enabled: it starts with your next desktop session and stops at logout; start it now with "
                     f"`systemctl --user start {UNIT_NAME}`.")
    elif activate and key == "macos":
        ok, why = _run(["launchctl", "load", "-w", str(path)])
        notes.append("Loaded with launchctl: it runs now and at every login." if ok else
                     f"Could not load it with launchctl ({why}); it will run at your next login.")
    elif key == "windows":
        notes.append("It runs at your next login.")
    return AutostartResult(path, tuple(notes))


def remove(platform: str | None = None, activate: bool = True) -> AutostartResult:
    key = platform_key(platform)
    path = entry_path(platform)
    notes: list[str] = []
    if activate and key == "linux" and path.exists():
        ok, why = _run(["systemctl", "--user", "disable", UNIT_NAME])
        if not ok:
            notes.append(f"systemctl could not disable it ({why}).")
    if activate and key == "macos" and path.exists():
        _run(["launchctl", "unload", "-w", str(path)])
    try:
        path.unlink()
    except FileNotFoundError:
        return AutostartResult(path, ("Autostart was not installed.",))
    except OSError as exc:
        raise UserError(f"Could not remove {path} ({exc.strerror}).") from None
    if activate and key == "linux":
        _run(["systemctl", "--user", "daemon-reload"])
    return AutostartResult(path, tuple(notes))


def own_entry(platform: str | None = None) -> Path | None:
    """The installed login entry when it starts a monitor on this data (the same POSTURE_WATCH_HOME,
    or none on both sides), else None: `data delete` removes only its own."""
    try:
        path = entry_path(platform)
        text = path.read_bytes().decode("utf-8", errors="replace")
    except (OSError, UserError):
        return None
    home = carried_env().get("POSTURE_WATCH_HOME")
    if home is None:
        return path if "POSTURE_WATCH_HOME" not in text else None
    return path if home in text or _systemd_quote(f"POSTURE_WATCH_HOME={home}") in text else None


def cmd_autostart(args: argparse.Namespace) -> int:
    if args.action == "install":
        result = install()
        print(f"Autostart installed: {result.path}")
    elif args.action == "remove":
        result = remove()
        if result.notes != ("Autostart was not installed.",):
            print(f"Autostart removed: {result.path}")
    else:
        path = entry_path()
        if path.exists():
            print(f"Autostart is installed: {path}")
            print(path.read_text(encoding="utf-8", errors="replace").rstrip())
        else:
            print(f"Autostart is not installed (it would be {path}). This is what `install` would write:")
            print(entry_content().decode("utf-8").rstrip())
        return 0
    for note in result.notes:
        print(note)
    return 0
