"""What the tray menu and the notification buttons do, through the same control path as the CLI.

pause / resume / snooze go to the monitor loop exactly as `posture-watch pause|resume|snooze`
do (a request on the CommandQueue the control socket feeds); "take a break", "quit" and a new
profile after "recalibrate" are requests of the same kind that only the desktop sends. Every
action runs on a thread of its own: the D-Bus loop that heard the click never waits for the
monitor, and a calibration that takes a minute holds nothing up.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

log = logging.getLogger(__name__)

PAUSE, RESUME, SNOOZE, BREAK, RECALIBRATE, REPORT, QUIT, ROUTINE = (
    "pause", "resume", "snooze-30", "take-break", "recalibrate", "open-report", "quit", "start-routine")
ACTIONS = (PAUSE, RESUME, SNOOZE, BREAK, RECALIBRATE, REPORT, QUIT, ROUTINE)
# Terminals tried, in order, for "Start the routine" (`POSTURE_WATCH_TERMINAL` = a command prefix first):
# each runs the command that follows its arguments in a new window.
TERMINALS = (("x-terminal-emulator", "-e"), ("gnome-terminal", "--"), ("konsole", "-e"), ("xfce4-terminal", "-x"),
             ("xterm", "-e"))
SNOOZE_MIN = 30.0
RECORDING_CALIBRATION_S = 15  # a replayed recording is recalibrated from its first seconds


@dataclass(frozen=True)
class Recalibration:
    """How to recalibrate the running monitor's profile.

    command:    the `posture-watch calibrate ...` command line to run while the monitor is paused.
    load_judge: reads the profile the command wrote -> (judge, profile name, profile path).
    """

    command: Sequence[str]
    load_judge: Callable[[], tuple[Any, str | None, str | None]]


def _report_command(*args: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "posture_watch", "report", *args]


def open_today_report(*report_args: str) -> Path | None:
    """`posture-watch report --open` in a process of its own: the monitor's process must not open its
    own database a second time (closing that second handle would drop the first one's SQLite locks).
    `report_args`: ("--replays",) for a monitor replaying a file into the replay database."""
    proc = subprocess.run(_report_command("--open", *report_args), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("HTML report: ")]
    if proc.returncode != 0 or not lines:
        log.warning("no report to open: %s", (proc.stderr.strip() or "nothing recorded today").splitlines()[-1])
        return None
    return Path(lines[-1].split(": ", 1)[1].strip())


def today_upright_share(*report_args: str) -> float | None:
    """Today's upright share as the report counts it (`posture-watch report --json -`, a process of its own)."""
    import json

    proc = subprocess.run(_report_command("--json", "-", *report_args), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True,
                          timeout=120)
    if proc.returncode != 0:
        return None
    share = json.loads(proc.stdout).get("upright_share")
    return None if share is None else float(share)


def start_routine() -> str:
    """`posture-watch break` in a terminal window of its own (it tells the monitor itself)."""
    import os
    import shlex
    import shutil
    import sys

    command = [sys.executable, "-m", "posture_watch", "break"]
    prefix = shlex.split(os.environ.get("POSTURE_WATCH_TERMINAL", ""))
    if not prefix:
        prefix = next((list(t) for t in TERMINALS if shutil.which(t[0])), [])
    if not prefix:
        return "no terminal to run it in: run `posture-watch break` yourself"
    subprocess.Popen(prefix + command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    return f"started the routine in {prefix[0]}"


class DesktopActions:
    """`do(action)` starts an action on its own thread; `run(action)` does it here and returns the reply."""

    def __init__(self, submit: Callable[[dict[str, Any]], dict[str, Any]],
                 recalibration: Recalibration | None = None,
                 open_report: Callable[[], Path | None] | None = None, replays: bool = False) -> None:
        self.submit = submit
        self.recalibration = recalibration
        # the report of the database this monitor writes: a replay's own, or your history
        self.report_args: tuple[str, ...] = ("--replays",) if replays else ()
        self.open_report = open_report or (lambda: open_today_report(*self.report_args))
        self.done: list[tuple[str, str]] = []  # (action, what came of it), for the log and tests
        self._busy = threading.Lock()

    def do(self, action: str) -> None:
        if action not in ACTIONS:
            log.warning("unknown desktop action %r", action)
            return
        threading.Thread(target=self.run, args=(action,), name=f"posture-watch-{action}", daemon=True).start()

    def run(self, action: str) -> str:
        try:
            text = self._run(action)
        except Exception as exc:  # a menu click must never take the monitor down
            log.warning("%s failed: %s", action, exc)
            text = f"{action} failed: {exc}"
        log.info("%s: %s", action, text)
        self.done.append((action, text))
        return text

    def _run(self, action: str) -> str:
        if action == PAUSE:
            return self._ask({"cmd": "pause", "minutes": None})
        if action == RESUME:
            return self._ask({"cmd": "resume", "minutes": None})
        if action == SNOOZE:
            return self._ask({"cmd": "snooze", "minutes": SNOOZE_MIN})
        if action == BREAK:
            return self._ask({"cmd": "break"})
        if action == QUIT:
            return self._ask({"cmd": "quit"})
        if action == ROUTINE:
            return start_routine()
        if action == REPORT:
            path = self.open_report()
            return f"opened {path}" if path else "nothing recorded today yet"
        return self._recalibrate()

    def _ask(self, request: dict[str, Any]) -> str:
        reply = self.submit(request)
        return str(reply.get("text", "")) if reply.get("ok") else f"refused: {reply.get('text', '')}"

    def _recalibrate(self) -> str:
        if self.recalibration is None:
            return "recalibration is not available here"
        if not self._busy.acquire(blocking=False):
            return "a calibration is already running"
        try:
            self._ask({"cmd": "pause", "minutes": None})  # the calibration needs the camera
            log.info("recalibrating: %s", " ".join(self.recalibration.command))
            proc = subprocess.run(list(self.recalibration.command), stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                why = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
                log.warning("the calibration did not finish (%s); the old profile stays", why)
                return f"calibration failed: {why}"
            judge, name, path = self.recalibration.load_judge()
            return self._ask({"cmd": "use_profile", "judge": judge, "name": name, "path": path})
        finally:
            self._ask({"cmd": "resume", "minutes": None})
            self._busy.release()


def recalibration_for(source_spec: str, live: bool, resolved: Any, judge_config: Any,
                      explicit_profile: str | None, config_file: str | None = None) -> Recalibration:
    """Recalibrate the profile in use from the same source: the guided wizard on a camera; on a
    recording (nobody is there to be guided) the non-interactive calibration of its first seconds.
    With the settings the monitor runs with (`config_file`: its `--config FILE`)."""
    import sys

    command = [sys.executable, "-m", "posture_watch"]
    if config_file:
        command += ["--config", str(Path(config_file).expanduser().resolve())]
    command += ["calibrate", "--source", source_spec]
    if explicit_profile or resolved.name is None:
        command += ["--profile", str(resolved.path)]
    else:
        command += ["--name", resolved.name]
    if not live:
        # the user asked for it from the menu: the profile in use is replaced (and kept as a backup)
        command += ["--non-interactive", "--seconds", str(RECORDING_CALIBRATION_S), "--yes"]

    def load_judge() -> tuple[Any, str | None, str | None]:
        from posture_watch.core.judge import Judge
        from posture_watch.io.profile_store import resolve_profile_entry

        again = resolve_profile_entry(source_spec, None, explicit_profile or (None if resolved.name else resolved.path))
        return Judge(again.profile, judge_config), again.name, str(again.path)

    return Recalibration(command, load_judge)
