"""Wiring for `posture-watch run` (and the demo): build the parts, take the instance lock, serve
control requests, stop cleanly on SIGINT/SIGTERM, and release everything in reverse order.

Order matters for the user: a bad flag, a missing display for --preview, a bad source or a second
instance is refused in one sentence before the model is loaded or the database is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from posture_watch.io.config import Config, config_for
from posture_watch.core.domain import Event
from posture_watch.io.files import open_text_output
from posture_watch.core.errors import StoreError, UserError
from posture_watch.monitor.loop import Monitor, RunSummary, Waker
from posture_watch.io.sources import FrameSource, PacedSource, WebcamSource, open_source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    """What `run` was asked to do (flags), independent of argparse.

    exclusive: take the per-user instance lock and serve status/pause/resume/snooze (the demo does not,
               so it can run next to a real monitor).
    quiet_fallback: when no desktop notification can be shown, only log at INFO (the demo prints
               the events itself).
    into_history: a replayed file writes into the user's own database; by default a replay goes to
               the replay database (paths.replay_database_path()), so it never mixes with real days.
    config_file: the `--config FILE` it was started with (a recalibration from the tray uses it too).
    """

    source: str | None = None
    speed: float = 1.0
    profile: str | None = None
    no_notify: bool = False
    sound: bool = False
    preview: bool = False
    jsonl: str | None = None
    exclusive: bool = True
    quiet_fallback: bool = False
    into_history: bool = False
    config_file: str | None = None


def database_for(replay: bool, opts: RunOptions) -> Path:
    """The user's history for a live camera (or a replay asked `--into-history`), else the replay database."""
    from posture_watch.io import paths

    return paths.database_path() if not replay or opts.into_history else paths.replay_database_path()


def build_source(spec: str, speed: float, waker: Waker,
                 sleep: Callable[[float], object] | None = None) -> tuple[FrameSource, bool]:
    """(unopened source, replay?) for a camera index/path or a video file/image folder.
    `sleep`: how the source waits for its next frame (default the waker's)."""
    source = open_source(spec)
    sleep = sleep or waker.sleep
    if isinstance(source, WebcamSource):
        if speed != 1.0:
            raise UserError("--speed only applies when replaying a video file, not to a live camera.")
        return WebcamSource(source.device, sleep=sleep), False
    return PacedSource(source, speed, sleep=sleep), True


@contextlib.contextmanager
def _signals_stop(monitor: Monitor) -> Iterator[None]:
    """SIGINT/SIGTERM ask the loop to stop (it then flushes the store and releases the camera).
    A second SIGINT interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        monitor.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_monitor(opts: RunOptions, cfg: Config, on_event: Callable[[Event, str], None] | None = None,
                on_start: Callable[[Monitor], None] | None = None, source: FrameSource | None = None,
                on_reading: Callable[..., None] | None = None) -> RunSummary:
    """Build everything, run the loop to the end of the source or a stop signal, release everything.

    `source`: an unopened FrameSource to use instead of `opts.source` (tests and benchmarks: frames
    held in memory). A live one is used as a camera; any other is replayed at `opts.speed`."""
    from posture_watch.io import models, profile_store
    from posture_watch.io.control import CommandQueue, ControlServer, InstanceLock
    from posture_watch.io.desktop import start_desktop
    from posture_watch.io.desktop_actions import recalibration_for
    from posture_watch.core.geometry import measure
    from posture_watch.core.judge import Judge
    from posture_watch.io.notify import Notifier
    from posture_watch.io.pose import PoseEstimator, mode_for
    from posture_watch.core.profile import TRACKING_NUM_POSES
    from posture_watch.io.store import Store
    from posture_watch.monitor.view_watch import ViewWatch

    engine_cfg, judge_cfg = cfg.section("engine"), cfg.section("judge")
    notify_cfg, monitor_cfg = cfg.section("notify"), cfg.section("monitor")
    if opts.no_notify:
        notify_cfg = dataclasses.replace(notify_cfg, enabled=False)
    if opts.sound:
        notify_cfg = dataclasses.replace(notify_cfg, sound=True)
    if opts.quiet_fallback:
        notify_cfg = dataclasses.replace(notify_cfg, terminal=False)
    spec = str(opts.source if opts.source is not None else cfg.camera)

    with contextlib.ExitStack() as stack:
        preview = None
        if opts.preview:
            from posture_watch.io.preview import Preview

            preview = Preview(cfg.section("preview"))
            stack.callback(preview.close)
        waker = Waker()
        sleep = preview.responsive(waker.sleep) if preview is not None else waker.sleep  # its window stays alive
        if source is None:
            source, replay = build_source(spec, opts.speed, waker, sleep)
        else:
            replay = not source.live
            source = PacedSource(source, opts.speed, sleep=sleep) if replay else source
        if opts.exclusive:
            stack.enter_context(InstanceLock.acquire())
        jsonl = stack.enter_context(open_text_output(opts.jsonl))
        source.open()
        stack.callback(source.close)
        resolved = profile_store.resolve_profile_entry(spec, source.size, opts.profile)
        model_path = models.ensure(cfg.model_variant)  # a bad model is refused before the database is touched
        store = Store.open(database_for(replay, opts), flush_every_s=monitor_cfg.flush_every_s)
        unsaved: list[str] = []

        def close_store() -> None:   # the last write failing (a full disk) loses samples: counted and said
            try:
                store.close()
            except StoreError as exc:
                unsaved.append(str(exc))
        stack.callback(close_store)
        num_poses = monitor_cfg.num_poses or mode_for(resolved.profile)
        if num_poses != TRACKING_NUM_POSES:
            log.info("the profile was measured with num_poses=%d; calibrate again to use the lighter tracking "
                     "mode (about half the CPU)", num_poses)
        estimator = stack.enter_context(PoseEstimator(model_path, num_poses=num_poses))
        commands = CommandQueue(wake=waker.wake) if opts.exclusive else None
        screen = None
        if source.live and monitor_cfg.hold_when_locked:
            from posture_watch.io.session_lock import ScreenWatch

            screen = ScreenWatch(on_change=waker.wake).start()
            stack.callback(screen.stop)
        desktop = start_desktop(notify_cfg, commands.submit if commands is not None else None,
                                recalibration_for(spec, source.live, resolved, judge_cfg, opts.profile,
                                                  config_file=opts.config_file),
                                replays=replay and not opts.into_history)
        stack.callback(desktop.close)  # after the notifier (which sends through it) is done
        notifier = Notifier(notify_cfg, log_fallback_level=logging.INFO if opts.quiet_fallback else logging.WARNING,
                            desktop=desktop.channel, sound=desktop.sound)
        stack.callback(notifier.close)
        monitor = Monitor(source=source, estimator=estimator, judge=Judge(resolved.profile, judge_cfg), measure=measure,
                          engine_config=engine_cfg, sampling=cfg.sampling, config=monitor_cfg, store=store,
                          notifier=notifier, notify_config=notify_cfg, replay=replay, speed=opts.speed,
                          profile_name=resolved.name, profile_path=str(resolved.path), commands=commands,
                          waker=waker, jsonl=jsonl, preview=preview, on_event=on_event, on_reading=on_reading,
                          source_open=True, screen=screen, dnd=desktop.dnd, on_status=desktop.on_status,
                          view_watch=ViewWatch(resolved.profile, resolved.name or "", monitor_cfg.view_check_samples,
                                               monitor_cfg.view_check_share))
        if commands is not None:
            server = ControlServer(lambda request: commands.submit(request)).start()
            stack.callback(server.stop)
        stack.enter_context(_signals_stop(monitor))
        if on_start is not None:
            on_start(monitor)
        summary = monitor.run()
    summary.unsaved_samples = store.rows_dropped + (store.pending_samples if unsaved else 0)
    summary.unsaved_reason = unsaved[0] if unsaved else \
        "the posture database could not be written for too long while monitoring"
    return summary


def run_from_args(args: argparse.Namespace) -> int:
    import sys

    from posture_watch.monitor.terminal import TerminalReport

    quiet = bool(getattr(args, "quiet", False))
    report = TerminalReport(sys.stdout, quiet=quiet)
    opts = RunOptions(source=args.source, speed=args.speed, profile=args.profile, no_notify=args.no_notify,
                      sound=args.sound, preview=args.preview, jsonl=args.jsonl,
                      into_history=bool(getattr(args, "into_history", False)),
                      config_file=getattr(args, "config", None),
                      quiet_fallback=not quiet)  # the lines below say the warnings; --quiet: the fallback does
    summary = run_monitor(opts, config_for(args), on_event=report.on_event, on_start=report.on_start,
                          on_reading=report.on_reading)
    report.on_stop(summary)
    log.info("monitor stopped (%s): %d samples, %.1f s CPU over %.1f s", summary.reason, summary.samples,
             summary.cpu_s, summary.wall_s)
    if summary.unsaved_samples:
        raise StoreError(f"{summary.unsaved_samples} samples of this session could not be saved: "
                         f"{summary.unsaved_reason[:1].lower() + summary.unsaved_reason[1:]}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """`posture-watch run`."""
    return run_from_args(args)
