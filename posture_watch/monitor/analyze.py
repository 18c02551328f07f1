"""`posture-watch analyze SRC`: judge samples of a recorded source and write contract JSON lines.

Each line: {"t": seconds from the start of the source, "state": good|poor|away|unknown,
"score": 0..100 or null, "faults": [...], "metrics": {...}} (plus "deviations", "flags", "view").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import queue
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, TextIO

from posture_watch.core import fault_words
from posture_watch.io.config import config_for
from posture_watch.core.domain import AWAY, Detection, Frame, Reading
from posture_watch.core.errors import UserError
from posture_watch.io.files import open_text_output
from posture_watch.io.sources import FrameSource, open_source

log = logging.getLogger(__name__)


@dataclass
class AnalysisSummary:
    samples: int = 0
    source_s: float = 0.0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    states: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    person_found: int = 0
    unjudged_flags: Counter = field(default_factory=Counter)   # flags of the samples neither good nor poor

    @property
    def x_realtime(self) -> float:
        return self.source_s / self.wall_s if self.wall_s > 0 else float("inf")


def _sampled_frames(source: FrameSource, rate_hz: float | None, until_s: float | None) -> Iterator[Frame]:
    step = 0.0 if rate_hz is None else 1.0 / rate_hz
    next_t = 0.0
    while True:
        frame = source.read(next_t)
        if frame is None or (until_s is not None and frame.t_s > until_s + 1e-9):
            return
        next_t = frame.t_s + step if step else frame.t_s + 1e-6
        yield frame


# The decoding thread yields its core to the pose model's own helper threads (they run beside its main one):
# it has time to spare, the model has none.
DECODE_NICE = 10


def read_ahead(frames: Iterator[Any], depth: int = 2, nice: int = DECODE_NICE,
               name: str = "posture-watch-decode") -> Iterator[Any]:
    """The items of `frames`, made on a thread of their own up to `depth` ahead, so that decoding a file
    overlaps the pose model on another core (OpenCV and MediaPipe both release the GIL). One model,
    one copy of it in memory: a second estimator made `analyze` faster still, but cost ~70 MB.
    An error while reading is raised here, in order; closing this generator stops the thread, and closes
    `frames` on it (a stage between two of them is closed by its caller, after the stage after it)."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        _lower_priority(nice)
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(_END)
        except BaseException as exc:  # handed to the reader, raised there
            put(_Failed(exc))
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while (item := buffer.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        worker.join()


_END = object()


def _lower_priority(nice: int) -> None:
    """Lower this thread's scheduling priority by `nice` (Linux: threads have their own nice value)."""
    if nice <= 0 or not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError:
        pass  # not allowed here: decoding merely competes a little more


@dataclass(frozen=True)
class _Failed:
    exc: BaseException


def _detections(items: Iterator[Any], detect: Callable[[Any], Detection]) -> Iterator[Detection]:
    """Detections in source order; an unusable picture is skipped (said once)."""
    from posture_watch.io.pose import BadFrame

    warned = False
    for item in items:
        try:
            if isinstance(item, BadFrame):  # refused on the decoding thread (_prepared)
                raise item
            yield detect(item)
        except BadFrame as exc:
            if not warned:
                log.warning("skipping an unusable picture: %s", exc)
                warned = True


def _prepared(frames: Iterator[Frame], prepare: Callable[[Frame], Any]) -> Iterator[Any]:
    """`prepare(frame)` of each frame, or the BadFrame of a picture it refuses (skipped later, in order)."""
    from posture_watch.io.pose import BadFrame

    for frame in frames:
        try:
            yield prepare(frame)
        except BadFrame as exc:
            yield exc


def iter_readings(source: FrameSource, estimator, judge, rate_hz: float | None,
                  until_s: float | None = None) -> Iterator[Reading]:
    """The analysis loop: sample the (open) source at `rate_hz` (None = every frame), detect, measure, judge.
    A recorded source is decoded ahead on a second thread, and each picture made ready for the model there
    too (PoseEstimator.prepare: colour conversion, MediaPipe image, light and blur facts). The model runs
    on a third thread, in source order, so that measuring and judging one sample here overlaps the model on
    the next. A live source delivers in real time anyway."""
    from posture_watch.core.geometry import measure
    from posture_watch.monitor.tracking import TrackingWatch

    prepare = getattr(estimator, "prepare", None)
    with contextlib.ExitStack() as stages:  # closed from the last stage back to the first
        frames = stages.enter_context(contextlib.closing(_sampled_frames(source, rate_hz, until_s)))
        if source.live:
            detections = _detections(frames, estimator.detect)
        elif prepare is None:
            detections = _detections(stages.enter_context(contextlib.closing(read_ahead(frames))), estimator.detect)
        else:
            prepared = stages.enter_context(contextlib.closing(read_ahead(_prepared(frames, prepare))))
            detections = stages.enter_context(contextlib.closing(
                read_ahead(_detections(prepared, estimator.detect_prepared), nice=0, name="posture-watch-model")))
        watch, retrack = TrackingWatch(), getattr(estimator, "retrack", None)
        for detection in detections:
            reading = judge.update(measure(detection))
            if watch.update(reading) and retrack is not None:
                retrack()   # picked up by the model's thread a few pictures on
            yield reading


def analyze(source: FrameSource, estimator, judge, rate_hz: float | None, out: TextIO | None,
            until_s: float | None = None, on_progress: Callable[[float], None] | None = None) -> AnalysisSummary:
    summary = AnalysisSummary()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for reading in iter_readings(source, estimator, judge, rate_hz, until_s):
        summary.samples += 1
        summary.source_s = reading.t_s
        summary.states[reading.state] += 1
        summary.faults.update(reading.faults)
        if reading.state not in ("good", "poor"):
            summary.unjudged_flags.update(reading.flags)
        summary.person_found += reading.state != AWAY
        if out is not None:
            out.write(json.dumps(reading.to_json(), separators=(",", ":")) + "\n")
        if on_progress is not None:
            on_progress(reading.t_s)
    summary.wall_s = time.perf_counter() - wall0
    summary.cpu_s = time.process_time() - cpu0
    if source.fps:
        summary.source_s += 1.0 / source.fps
    return summary


# Why a sample was neither good nor poor, said once in the summary when nothing could be judged.
UNJUDGED_WHY = (
    ("uncalibrated", "there is no calibration profile to judge against (run `posture-watch calibrate`, "
                     "or give one with --profile NAME|FILE)"),
    ("not_the_user", "the person in the picture does not match the profile (someone else, or another camera "
                     "set-up: give the right one with --profile NAME|FILE)"),
    ("too_dark", "the picture is too dark to see a posture"),
    ("no_posture_measure", "no posture measure could be taken (head or shoulders out of the picture)"),
)


def unjudged_reason(s: AnalysisSummary) -> str:
    """Why no sample was judged good or poor, in words (the most common cause)."""
    if s.person_found == 0:
        return "nobody was found in the picture"
    for flag, words in UNJUDGED_WHY:
        if s.unjudged_flags.get(flag):
            return words
    return "the person was seen but no posture could be judged (too little of them in the picture)"


def format_summary(s: AnalysisSummary, name: str) -> str:
    judged = s.states.get("good", 0) + s.states.get("poor", 0)
    lines = [f"{name}: {s.samples} samples over {s.source_s:.1f} s of source "
             f"({s.x_realtime:.1f}x real time, {1000 * s.cpu_s / max(s.samples, 1):.0f} ms CPU per sample)"]
    parts = [f"{state} {s.states.get(state, 0)} ({100 * s.states.get(state, 0) / max(s.samples, 1):.0f}%)"
             for state in ("good", "poor", "away", "unknown")]
    lines.append("  states: " + ", ".join(parts))
    if judged:
        lines.append(f"  upright share of judged samples: {100 * s.states.get('good', 0) / judged:.0f}%")
    elif s.samples:
        lines.append(f"  nothing could be judged good or poor: {unjudged_reason(s)}.")
    if s.faults:
        lines.append("  faults (samples): " + ", ".join(f"{fault_words.name(k)} {v}" for k, v in s.faults.most_common()))
    return "\n".join(lines)


def profile_for(spec: str, size: tuple[int, int] | None, explicit: str | None) -> Any:
    """The profile to judge against: --profile (a stored name or a file), else the profile in use, chosen as
    `run` chooses it. With no profile at all, None: every sample is then "unknown", and the summary says why."""
    from posture_watch.io import profile_store

    if explicit:
        return profile_store.explicit_entry(explicit).profile
    if not profile_store.profile_names() and not profile_store.read_state().default:
        return None
    return profile_store.resolve_profile_entry(spec, size).profile


def cmd_analyze(args: argparse.Namespace) -> int:
    from posture_watch.io import models
    from posture_watch.core.judge import Judge
    from posture_watch.io.pose import PoseEstimator, mode_for

    cfg = config_for(args)
    rate = None if args.every_frame else (args.rate or cfg.sampling.analyze_hz)
    show = not args.quiet and sys.stderr.isatty() and args.jsonl != "-"
    with open_source(args.source, fps=args.fps) as source:  # bad input fails here, before the model loads
        profile = profile_for(args.source, source.size, args.profile)
        model_path = models.ensure(cfg.model_variant)
        with open_text_output(args.jsonl) as out, PoseEstimator(model_path, num_poses=mode_for(profile)) as estimator:
            judge = Judge(profile, cfg.section("judge"))
            total = args.seconds or source.duration_s
            bar = None
            if show and total:
                from tqdm import tqdm

                bar = tqdm(total=round(total, 1), unit="s", desc="analysing", leave=False,
                           bar_format="{desc} {bar} {n:.0f}/{total:.0f} s of source [{elapsed}<{remaining}]")

            def progress(t: float) -> None:
                if bar is not None:
                    bar.update(max(0.0, round(t, 1) - bar.n))

            try:
                summary = analyze(source, estimator, judge, rate, out, until_s=args.seconds, on_progress=progress)
            finally:
                if bar is not None:
                    bar.close()
        if summary.samples == 0:
            what = source.description
            raise UserError(f"{what[:1].upper()}{what[1:]} gave no frames to analyse.")
    if not args.quiet:
        print(format_summary(summary, source.description), file=sys.stderr if args.jsonl == "-" else sys.stdout)
    return 0
