"""Benchmark jobs, each run in a fresh child process by benchmarks/run.py (`bench_jobs.py JOB [ARGS]`),
printing one JSON line. A fresh process per job keeps threads, caches and memory of one measurement
out of the next.

  floor CLIP RATE REPEATS       CPU ms per frame of PoseLandmarker.detect_for_video alone on the frames
                                `analyze` uses (CLIP at RATE Hz), VIDEO mode, the product's num_poses
  analyze CLIP RATE REPEATS     the real analyze loop: CPU ms per sample, x real time
  run_replay REPEATS            the real monitor (runner.run_monitor) replaying a camera-like session
                                held in memory as fast as it goes; then the model alone on the same frames
  live SECONDS [SLOUCH_S]       the real monitor at 1x on a live camera-like source: process CPU share
  soak HOURS                    an HOURS-long working day replayed at high speed: RSS over the day, counts
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_frames as bf  # noqa: E402
from posture_watch.monitor_types import MonitorConfig  # noqa: E402

PROFILE = bf.ROOT / "calibration" / "sample_profile.json"


def product_num_poses() -> int:
    """The num_poses `run` and `analyze` use with the sample profile (the mode it was measured in)."""
    from posture_watch.pose import mode_for
    from posture_watch.profile import load_profile

    return MonitorConfig().num_poses or mode_for(load_profile(PROFILE))


def _landmarker(num_poses: int, variant: str = "lite"):
    from mediapipe.tasks.python import BaseOptions, vision

    from posture_watch import models
    from posture_watch.pose import import_mediapipe, quiet_native_stderr

    mp = import_mediapipe()
    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(models.ensure(variant, allow_fetch=False))),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=num_poses)
    with quiet_native_stderr():
        return mp, vision.PoseLandmarker.create_from_options(opts)


def model_alone_ms(frames: Iterable[tuple[np.ndarray, float]], num_poses: int, chunk: int = 100,
                   variant: str = "lite") -> float:
    """CPU ms per call of detect_for_video alone on (picture, time) pairs: they are converted to RGB
    MediaPipe images outside the timed part, a chunk at a time (memory), and handed over with their own
    timestamps."""
    import cv2

    from posture_watch.pose import quiet_native_stderr

    mp, lm = _landmarker(num_poses, variant)
    cpu, calls, last_ms = 0.0, 0, -1
    frames = iter(frames)
    try:
        while batch := list(itertools.islice(frames, chunk)):
            images = []
            for image, t in batch:
                ts = max(int(round(t * 1000)), last_ms + 1)
                last_ms = ts
                images.append((ts, mp.Image(image_format=mp.ImageFormat.SRGB,
                                            data=cv2.cvtColor(image, cv2.COLOR_BGR2RGB))))
            with quiet_native_stderr():
                for ts, img in images:
                    c0 = time.process_time()
                    lm.detect_for_video(img, ts)
                    if calls:  # the first call (allocations) is start-up, not per frame
                        cpu += time.process_time() - c0
                    calls += 1
    finally:
        lm.close()
    return 1000 * cpu / max(calls - 1, 1)


def clip_frames(clip: Path, rate_hz: float) -> Iterator[tuple[np.ndarray, float]]:
    """The frames `analyze CLIP --rate RATE` analyses (same stepping as analyze.iter_readings), decoded
    one at a time."""
    next_t = 0.0
    with bf.VideoFileSource(clip) as src:
        while (frame := src.read(next_t)) is not None:
            yield frame.image, frame.t_s
            next_t = frame.t_s + 1.0 / rate_hz


def job_floor(clip: str, rate: str, repeats: str, variant: str = "lite") -> dict:
    num_poses = product_num_poses()
    runs = [model_alone_ms(clip_frames(Path(clip), float(rate)), num_poses, variant=variant)
            for _ in range(int(repeats))]
    frames = sum(1 for _ in clip_frames(Path(clip), float(rate)))
    return {"ms": statistics.median(runs), "runs": runs, "frames": frames, "num_poses": num_poses}


def job_analyze(clip: str, rate: str, repeats: str) -> dict:
    """The analyze loop as `posture-watch analyze` runs it (one model; the file decoded ahead on a second thread)."""
    from posture_watch.analyze import analyze
    from posture_watch.judge import Judge
    from posture_watch.pose import PoseEstimator
    from posture_watch.profile import load_profile

    profile = load_profile(PROFILE)
    xs, ms = [], []
    for _ in range(int(repeats)):
        with bf.VideoFileSource(clip) as src, PoseEstimator(num_poses=product_num_poses()) as est, open(os.devnull, "w") as out:
            s = analyze(src, est, Judge(profile), float(rate), out)
        xs.append(s.x_realtime)
        ms.append(1000 * s.cpu_s / s.samples)
    return {"x_realtime": statistics.median(xs), "ms_per_sample": statistics.median(ms), "x_runs": xs, "ms_runs": ms,
            "samples": s.samples, "source_s": s.source_s}


def _run_options():
    from posture_watch.runner import RunOptions

    return RunOptions(profile=str(PROFILE), no_notify=True, quiet_fallback=True, speed=1e6)


def _config():
    from posture_watch.config import load_config

    return load_config()  # the per-user file under the benchmark's private POSTURE_WATCH_HOME: defaults


REPLAY_SESSION = [bf.Segment("upright", 120.0), bf.Segment("slouch", 120.0), bf.Segment("away", 120.0)]


def job_run_replay(repeats: str) -> dict:
    """The monitor's CPU per sample between its first and its last frame (start-up excluded), then the
    model alone on exactly the frames it analysed, in the same order and with the same timestamps."""
    from posture_watch.runner import run_monitor

    pictures = {name: bf.load_excerpt(name) for name in ("upright", "slouch", "away")}
    pipe, floor, samples = [], [], 0
    for _ in range(int(repeats)):
        reads: list[tuple[float, float]] = []
        source = bf.SessionSource(REPLAY_SESSION, pictures, live=False,
                                  on_read=lambda t: reads.append((t, time.process_time())))
        summary = run_monitor(_run_options(), _config(), source=source)
        samples = summary.samples
        pipe.append(1000 * (reads[-1][1] - reads[0][1]) / (len(reads) - 1))
        times = [t for t, _ in reads]
        floor.append(model_alone_ms(((source.picture_at(t), t) for t in times), product_num_poses()))
    return {"pipeline_ms": statistics.median(pipe), "floor_ms": statistics.median(floor), "pipeline_runs": pipe,
            "floor_runs": floor, "samples": samples, "session_s": sum(s.seconds for s in REPLAY_SESSION)}


def job_live(seconds: str, settle_s: str = "70", slouch_s: str = "0") -> dict:
    """Process CPU of the monitor at 1x on a live camera-like source, over two wall-clock windows of
    `seconds`: from its first judged sample on ("first"), and once settled, from `settle_s` after the
    first sample ("settled"). Then, if asked, a window of a held forward lean (sampled fast)."""
    from posture_watch.runner import run_monitor

    def measure(name: str, windows: dict[str, float], length: float) -> dict:
        pictures = {name: bf.load_excerpt(name)}
        source = bf.SessionSource([bf.Segment(name, 10 * length + 3600)], pictures, live=True)
        box: dict = {}

        def watch(monitor) -> None:
            while monitor.summary.samples < 1 and not monitor.stopping:
                time.sleep(0.005)
            t0 = time.monotonic()
            marks: dict[float, tuple[float, int]] = {}
            for at in sorted({*windows.values(), *(w + length for w in windows.values())}):
                while time.monotonic() - t0 < at and not monitor.stopping:
                    time.sleep(0.05)
                marks[at] = (time.process_time(), monitor.summary.samples)
            for key, start in windows.items():
                (c0, n0), (c1, n1) = marks[start], marks[start + length]
                box[key] = {"cpu_pct_one_core": 100 * (c1 - c0) / length, "cpu_s": c1 - c0, "samples": n1 - n0,
                            "ms_per_sample": 1000 * (c1 - c0) / max(n1 - n0, 1), "starts_after_first_sample_s": start}
            monitor.stop()

        opts = dataclasses.replace(_run_options(), speed=1.0)
        run_monitor(opts, _config(), source=source,
                    on_start=lambda m: threading.Thread(target=watch, args=(m,), daemon=True).start())
        return box

    length = float(seconds)
    out = {"upright": measure("upright", {"first": 0.0, "settled": float(settle_s)}, length)}
    if float(slouch_s) > 0:
        out["slouch"] = measure("slouch", {"first": 0.0}, float(slouch_s))
    return out


def working_day(hours: float) -> list:
    """A working day: each hour 50 min upright, 3 min of held forward lean (a warning), 7 min away (a
    break); with 4 h or more, the fifth hour is a lunch hour away."""
    day, h = [], 0
    while h < hours:
        if h == 4 and hours >= 5:
            day.append(bf.Segment("away", 3600.0))
        else:
            day += [bf.Segment("upright", 3000.0), bf.Segment("slouch", 180.0), bf.Segment("away", 420.0)]
        h += 1
    return day


def job_soak(hours: str) -> dict:
    """Resident memory through an `hours`-long day replayed at high speed through the real monitor: at
    every eighth of it (every hour of 8), and more often in the first hour (at 0, 1, 5, 10, 20, 30 and 45
    minutes). `growth_mb` is the last frame against the first minute: the first model runs allocate
    their buffers once (about 40 MB, all of it within the first minute), which is warm-up, not growth;
    the growth from the very first sample is given too. Then the stored rows against the samples the
    monitor analysed and the frames it read."""
    from posture_watch.runner import run_monitor
    from posture_watch.store import Store

    pictures = {name: bf.load_excerpt(name) for name in ("upright", "slouch", "away")}
    step_s = float(hours) * 3600.0 / 8
    marks_s = sorted({m * 60.0 for m in (0, 1, 5, 10, 20, 30, 45) if m * 60.0 < step_s} |
                     {step_s * i for i in range(8)})
    rss: list[tuple[float, float]] = []
    last: list[tuple[float, float]] = []
    wall0 = time.monotonic()

    def probe(t: float) -> None:
        now = (round(t / 3600.0, 3), bf.rss_mb())
        last[:] = [now]
        if len(rss) < len(marks_s) and t >= marks_s[len(rss)]:
            rss.append(now)

    source = bf.SessionSource(working_day(float(hours)), pictures, live=False, on_read=probe)
    summary = run_monitor(_run_options(), _config(), source=source)
    rss.append(last[0])  # at the last frame, while everything is still open
    with Store.open(readonly=True) as store:
        rows = len(store.samples_between(0, 1e12))
        events = store.events_between(0, 1e12)
    kinds: dict[str, int] = {}
    for e in events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    after_warm_up = next((mb for h, mb in rss if h * 3600.0 >= 60.0), rss[0][1])
    return {"hours": source.total_s / 3600.0, "rss_mb_at_hours": rss,
            "growth_mb": rss[-1][1] - after_warm_up, "growth_from_first_sample_mb": rss[-1][1] - rss[0][1],
            "rss_mb_after_the_run": bf.rss_mb(),
            "peak_rss_mb": bf.peak_rss_mb(), "samples": summary.samples, "rows": rows, "frames_read": source.frames_read,
            "events": kinds, "wall_s": time.monotonic() - wall0, "cpu_s": summary.cpu_s}


def main(argv: list[str]) -> int:
    job = {"floor": job_floor, "analyze": job_analyze, "run_replay": job_run_replay, "live": job_live,
           "soak": job_soak}[argv[0]]
    result = job(*argv[1:])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
