"""`posture-watch break [--routine FILE] [--preview]`: a guided two-minute routine for the upper back, in the
terminal (and with --preview in a window too: posture_watch/io/routine_window.py; q or Esc stops it).

One instruction at a time with a timer (the routine is data: posture_watch/assets/upper_back_routine.toml,
each step with its duration and its source). A running monitor is told first: it pauses (no warnings,
camera off) for the routine's length plus a minute at most, and a routine done counts as a break taken
(posture_watch.core.engine_breaks). Ctrl-C stops the routine; the monitor goes on without a break.
Without a monitor the routine runs all the same and says so.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable, TextIO

from posture_watch.core.errors import UserError
from posture_watch.core.routine import Routine, at, routine_from_dict

DEFAULT_ROUTINE = Path(__file__).resolve().parent.parent / "assets" / "upper_back_routine.toml"
START_COMMAND = "posture-watch break"


def load_routine(path: Path | None = None) -> Routine:
    import tomllib

    path = path or DEFAULT_ROUTINE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"There is no routine file {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"The routine file {path} cannot be read ({getattr(exc, 'strerror', None) or exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"The routine file {path} is not valid TOML ({exc}).") from None
    return routine_from_dict(data, str(path))


def _tell_monitor(phase: str, minutes: float | None = None) -> str | None:
    """The monitor's answer, or None when no monitor runs (or it did not answer)."""
    from posture_watch.io import control

    try:
        reply = control.request("routine", minutes, timeout_s=5.0, phase=phase)
    except UserError:
        return None
    return str(reply.get("text", "")) if reply.get("ok") else None


def _clock(seconds: float) -> str:
    s = max(0, int(seconds + 0.999))
    return f"{s // 60}:{s % 60:02d}"


def run_routine(routine: Routine, out: TextIO, now: Callable[[], float] = time.monotonic,
                sleep: Callable[[float], None] = time.sleep, window: Any = None) -> None:
    """Show the steps one at a time, each with its timer, until the routine is over (KeyboardInterrupt when
    the window is closed)."""
    tty = out.isatty()
    t0 = now()
    shown = -1
    while (where := at(routine, now() - t0)) is not None:
        index, left = where
        if index != shown:
            if shown >= 0 and tty:
                out.write("\n")
            step = routine.steps[index]
            out.write(f"\n[{index + 1}/{len(routine.steps)}] {step.name} ({_clock(step.seconds)})\n{step.say}\n")
            out.write(f"  Source: {step.source}\n")
            shown = index
            if not tty:
                out.flush()
        if tty:
            out.write(f"\r  {_clock(left)} left ")
            out.flush()
        if window is not None and not window.show(routine.steps[index], index, len(routine.steps), left):
            raise KeyboardInterrupt
        sleep(min(left, (left % 1.0) or 1.0, 0.1 if window is not None else 1.0))
    if tty:
        out.write("\n")


def cmd_break(args: argparse.Namespace) -> int:
    routine = load_routine(Path(args.routine).expanduser() if getattr(args, "routine", None) else None)
    window = None
    if getattr(args, "preview", False):
        from posture_watch.io.routine_window import RoutineWindow

        window = RoutineWindow()
    out = sys.stdout
    out.write(f"{routine.title} ({_clock(routine.total_s)})\n{routine.disclaimer}\n")
    answer = _tell_monitor("start", routine.total_s / 60.0 + 1.0)
    out.write(f"{answer}\n" if answer is not None else
              "No monitor is running; the routine runs on its own (it counts as a break when a monitor runs).\n")
    out.flush()
    try:
        run_routine(routine, out, window=window)
    except KeyboardInterrupt:
        if answer is not None:
            _tell_monitor("stopped")
        out.write("\nRoutine stopped" + ("; monitoring again (no break counted).\n" if answer is not None else ".\n"))
        return 130
    finally:
        if window is not None:
            window.close()
    done = _tell_monitor("done") if answer is not None else None
    out.write("Routine done. " + (done if done else "Well done.") + "\n")
    return 0
