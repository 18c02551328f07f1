"""`posture-watch demo` (`make demo`): the sample desk session replayed through the REAL monitor loop.

The clip `sample_videos/desk_session.mp4` is judged against `calibration/sample_profile.json` at
`--speed` times real time (default 60x). Every warning and break is printed as it happens, the
samples and events go into a separate demo folder (`<data>/demo`, rebuilt on each run) so that
the demo never mixes with your own posture history; desktop notifications are
sent where a notification server exists (`--no-notify`: printed only). At the end: the day's
summary and the HTML report (see `after_replay`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import TextIO

from posture_watch.io.config import config_for
from posture_watch.core.domain import (EV_AWAY, EV_BACK, EV_BREAK, EV_BREAK_REMINDER, EV_CAMERA_BACK, EV_CAMERA_COVERED,
                                       EV_CAMERA_LOST, EV_ESCALATION, EV_WARNING, Event)
from posture_watch.core.errors import UserError
from posture_watch.monitor.loop import RunSummary

ROOT = Path(__file__).resolve().parents[2]
DESK_CLIP = ROOT / "sample_videos" / "desk_session.mp4"
SAMPLE_PROFILE = ROOT / "calibration" / "sample_profile.json"
SHOWN = (EV_WARNING, EV_ESCALATION, EV_BREAK_REMINDER, EV_AWAY, EV_BACK, EV_BREAK,
         EV_CAMERA_LOST, EV_CAMERA_BACK, EV_CAMERA_COVERED)


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(max(0.0, seconds))), 60)
    return f"{minutes:02d}:{secs:02d}"


def _use_demo_home(model_variant: str) -> Path:
    """Point POSTURE_WATCH_HOME at a fresh `<data>/demo` for this process, keeping the model found in
    the real cache, so the demo's replayed day never lands in the user's own history."""
    from posture_watch.io import models, paths

    model = models.ensure(model_variant)
    demo_home = paths.data_dir() / "demo"
    for sub in ("data", "reports", "run"):
        shutil.rmtree(demo_home / sub, ignore_errors=True)
    os.environ[models.MODEL_ENV] = str(model)
    os.environ[paths.HOME_ENV] = str(demo_home)
    return demo_home


def cmd_demo(args: argparse.Namespace) -> int:
    from posture_watch.io import paths
    from posture_watch.monitor.runner import RunOptions, run_monitor

    for path, how in ((DESK_CLIP, "make samples"), (SAMPLE_PROFILE, "make samples")):
        if not path.exists():
            raise UserError(f"The demo needs {_show(path)}, which is missing; run `{how}` in the "
                            "posture-watch source folder first.")
    _use_demo_home(config_for(args).model_variant)
    out = sys.stdout
    speed = float(getattr(args, "speed", 60.0) or 60.0)
    print(f"posture-watch demo: replaying {_show(DESK_CLIP)} at {speed:g}x real time against "
          f"{_show(SAMPLE_PROFILE)} (Ctrl-C stops it).", file=out, flush=True)
    started: list[float] = []

    def on_event(event: Event, text: str) -> None:
        if not started:
            started.append(event.t_s)  # session_start comes first
        if event.kind in SHOWN:
            print(f"  {_clock(event.t_s - started[0])}  {text}", file=out, flush=True)

    opts = RunOptions(source=str(DESK_CLIP), speed=speed, profile=str(SAMPLE_PROFILE),
                      no_notify=bool(getattr(args, "no_notify", False)), exclusive=False, quiet_fallback=True,
                      into_history=True)  # the demo's own history, in its own folder
    summary = run_monitor(opts, config_for(args), on_event=on_event)
    source_min = (summary.ended_at - summary.started_at) / 60.0
    print(f"Replay {'finished' if summary.reason == 'end of source' else 'stopped'}: {summary.samples} samples "
          f"over {source_min:.1f} minutes of the session in {summary.wall_s:.0f} s "
          f"({summary.cpu_s:.0f} s of CPU); saved in {paths.database_path()}.", file=out, flush=True)
    after_replay(summary, out)
    return 0


# ---- HOOK(report) ------------------------------------------------------------------------------
# The report helper fills this in: print the day's summary and write/print the HTML report path.
# It is called once, after the replay has ended (normally or by Ctrl-C), with the database closed.
def after_replay(summary: RunSummary, out: TextIO) -> None:
    """Print the day's summary and the HTML report path for the session that was just replayed.

    summary: session_id, started_at/ended_at (epoch seconds), samples, events, reason, wall_s, cpu_s.
    """
    from posture_watch.report.command import show_session_day

    show_session_day(summary.started_at, out)
