"""`posture-watch doctor`: is everything `run` needs here? One line per check, exit 1 if not.

Needed by `run` (a failure makes the exit status 1): the pose model (present and verified), the
folders it writes (each can be written, or created), a camera that opens, a calibration profile
for it. Reported, not needed (`run` falls back to a terminal line): the notification service on
the session bus (its name, version and capabilities, asked over D-Bus), and whether the monitor
starts at login (the autostart entry, and systemd's view of it where systemctl exists).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

from posture_watch.io import models, paths
from posture_watch.io.config import config_for
from posture_watch.core.errors import UserError

NOTIFY_NAME = "org.freedesktop.Notifications"
NOTIFY_PATH = "/org/freedesktop/Notifications"
DBUS_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    text: str
    needed: bool = True   # a failed needed check makes doctor exit 1

    def line(self) -> str:
        mark = "ok" if self.ok else ("PROBLEM" if self.needed else "note")
        return f"{self.name:<14} {mark:<8} {self.text}"


def check_model(variant: str) -> Check:
    path, problem = models.verify(variant)
    if problem is None:
        return Check("model", True, str(path))
    if not path.exists():  # `run` and `calibrate` fetch it the first time, with a progress bar
        return Check("model", False, f"not fetched yet ({path}); `run` fetches it, or {models.fetch_command(variant)} now",
                     needed=False)
    return Check("model", False, f"{problem} ({path}); run {models.fetch_command(variant)}")


def check_folders() -> list[Check]:
    out = []
    for name, folder in paths.all_dirs().items():
        state = paths.writable_state(folder)
        out.append(Check(f"{name} folder", state != "cannot be written",
                         f"{folder}" + ("" if state == "ok" else f"  ({state})")))
    return out


def check_camera(camera: str) -> tuple[Check, tuple[int, int] | None]:
    from posture_watch.io.sources import open_source

    try:
        with open_source(camera) as source:
            return Check("camera", True, f"{source.description}"), source.size
    except UserError as exc:
        return Check("camera", False, str(exc)), None


def check_profile(camera: str, resolution: tuple[int, int] | None) -> Check:
    from posture_watch.io import profile_store

    try:
        resolved = profile_store.resolve_profile_entry(camera, resolution)
    except UserError as exc:
        return Check("profile", False, str(exc))
    label = resolved.name or str(resolved.path)
    return Check("profile", True, f"{label} ({resolved.profile.view.replace('_', '-')} view, "
                                  f"{resolved.profile.resolution[0]}x{resolved.profile.resolution[1]}; {resolved.why})")


async def _ask_notification_server() -> tuple[list[str], list[str]]:
    from dbus_fast import BusType, Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await asyncio.wait_for(MessageBus(bus_type=BusType.SESSION).connect(), DBUS_TIMEOUT_S)
    try:
        answers = []
        for member in ("GetServerInformation", "GetCapabilities"):
            reply = await asyncio.wait_for(bus.call(Message(destination=NOTIFY_NAME, path=NOTIFY_PATH,
                                                             interface=NOTIFY_NAME, member=member)), DBUS_TIMEOUT_S)
            if reply.message_type == MessageType.ERROR:
                raise LookupError(reply.error_name or "error")
            answers.append(list(reply.body[0]) if member == "GetCapabilities" else list(reply.body))
        return answers[0], answers[1]
    finally:
        bus.disconnect()


def check_notifications() -> Check:
    if sys.platform != "linux":
        return Check("notifications", True, "native notifications of this system (not checked)", needed=False)
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.environ.get("XDG_RUNTIME_DIR"):
        return Check("notifications", False, "no D-Bus session bus: warnings go to the terminal", needed=False)
    try:
        info, caps = asyncio.run(_ask_notification_server())
    except LookupError as exc:
        return Check("notifications", False, f"no notification service on the session bus ({exc}): warnings go "
                     "to the terminal", needed=False)
    except (OSError, asyncio.TimeoutError, Exception) as exc:  # noqa: BLE001 - any bus failure is "not reachable"
        return Check("notifications", False, f"the session bus cannot be reached ({type(exc).__name__}: {exc}): "
                     "warnings go to the terminal", needed=False)
    name, vendor, version = (info + ["", "", ""])[:3]
    return Check("notifications", True, f"{name} {version} by {vendor} (capabilities: {', '.join(caps) or 'none'})",
                 needed=False)


def check_autostart() -> Check:
    from posture_watch.io import autostart

    try:
        path = autostart.entry_path()
    except UserError as exc:
        return Check("autostart", False, str(exc), needed=False)
    if not path.exists():
        return Check("autostart", True, "not installed (`posture-watch autostart install` starts it at login)",
                     needed=False)
    text = f"installed: {path}"
    if autostart.platform_key() == "linux" and shutil.which("systemctl"):
        try:
            proc = subprocess.run(["systemctl", "--user", "is-enabled", autostart.UNIT_NAME], capture_output=True,
                                  text=True, timeout=10)
            state = (proc.stdout.strip() or proc.stderr.strip().splitlines()[-1:] or ["unknown"])[0]
        except (OSError, subprocess.TimeoutExpired, IndexError) as exc:
            state = f"unknown ({exc})"
        text += f" (systemd: {state})"
        return Check("autostart", state == "enabled", text, needed=False)
    return Check("autostart", True, text, needed=False)


def run_checks(camera: str, variant: str) -> list[Check]:
    checks = [check_model(variant), *check_folders()]
    camera_check, size = check_camera(camera)
    checks += [camera_check, check_profile(camera, size), check_notifications(), check_autostart()]
    return checks


def check_settings(args: argparse.Namespace) -> tuple[Check, object | None]:
    """The settings file loads, and each section's values pass their own checks; else its problem, in the
    sentence that names the key and the file (the other checks that need the settings are not run then)."""
    try:
        cfg = config_for(args)
        for section in ("judge", "engine", "notify", "monitor", "preview"):
            cfg.section(section)
    except UserError as exc:
        return Check("settings", False, str(exc)), None
    return Check("settings", True, str(cfg.source or "no config file: every setting has its default")), cfg


def cmd_doctor(args: argparse.Namespace) -> int:
    settings, cfg = check_settings(args)
    if cfg is None:
        skipped = "not checked: the settings have a problem (see above)"
        checks = [settings, *check_folders(),
                  *(Check(name, False, skipped, needed=False) for name in ("model", "camera", "profile")),
                  check_notifications(), check_autostart()]
    else:
        checks = [settings, *run_checks(str(cfg.camera), cfg.model_variant)]
    for check in checks:
        print(check.line())
    missing = [c.name for c in checks if c.needed and not c.ok]
    if missing:
        print(f"`posture-watch run` cannot work yet: see {', '.join(missing)} above.")
        return 1
    print("Everything `posture-watch run` needs is here.")
    return 0
