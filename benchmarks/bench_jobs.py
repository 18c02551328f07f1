"""Benchmark jobs, each run in a fresh child process by benchmarks/run.py (`bench_jobs.py JOB [ARGS]`),
printing one JSON line. A fresh process per job keeps threads, caches and memory of one measurement
out of the next.

  floor CLIP RATE REPEATS       CPU ms per frame of PoseLandmarker.detect_for_video alone on the frames
                                `analyze` uses (CLIP at RATE Hz), VIDEO mode, the product's num_poses
  analyze CLIP RATE REPEATS     the real analyze loop: CPU ms per sample, x real time
  run_replay REPEATS            the real monitor (runner.run_monitor) replaying a camera-like session
                                held in memory as fast as it goes; then the model alone on the same frames
  live SECONDS [SLOUCH_S]       the real monitor at 1x on a live camera-like source: process CPU share
  soak HOURS                    an HOURS-long working day replayed at high speed: RSS per hour, counts
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_frames as bf  # noqa: E402
from posture_watch.monitor_types import MonitorConfig  # noqa: E402

PROFILE = bf.ROOT / "calibration" / "sample_profile.json"


def _landmarker(num_poses: int):
    from mediapipe.tasks.python import BaseOptions, vision

    from posture_watch import models
    from posture_watch.pose import import_mediapipe, quiet_native_stderr

    mp = import_mediapipe()
    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(models.ensure("lite"))),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=num_poses)
    with quiet_native_stderr():
        return mp, vision.PoseLandmarker.create_from_options(opts)


def model_alone_ms(pictures: list, times_s: list[float], num_poses: int, chunk: int = 100) -> float:
    """CPU ms per call of detect_for_video alone: the frames are converted to RGB MediaPipe images
    outside the timed part, in chunks (memory), and handed over with their own timestamps."""
    import cv2

    from posture_watch.pose import quiet_native_stderr

    mp, lm = _landmarker(num_poses)
    cpu, calls, last_ms = 0.0, 0, -1
    try:
        for k in range(0, len(pictures), chunk):
            batch = []
            for image, t in zip(pictures[k:k + chunk], times_s[k:k + chunk]):
                ts = max(int(round(t * 1000)), last_ms + 1)
                last_ms = ts
                batch.append((ts, mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(image, cv2.COLOR_BGR2RGB))))
            with quiet_native_stderr():
                for ts, img in batch:
                    c0 = time.process_time()
                    lm.detect_for_video(img, ts)
                    if calls:  # the first call (allocations) is start-up, not per frame
                        cpu += time.process_time() - c0
                    calls += 1
    finally:
        lm.close()
    return 1000 * cpu / max(calls - 1, 1)


def clip_frames(clip: Path, rate_hz: float) -> tuple[list, list[float]]:
    """The frames `analyze CLIP --rate RATE` analyses (same stepping as analyze.iter_readings)."""
    pictures, times, next_t = [], [], 0.0
    with bf.VideoFileSource(clip) as src:
        while (frame := src.read(next_t)) is not None:
            pictures.append(frame.image)
            times.append(frame.t_s)
            next_t = frame.t_s + 1.0 / rate_hz
    return pictures, times


def job_floor(clip: str, rate: str, repeats: str) -> dict:
    num_poses = MonitorConfig().num_poses
    pictures, times = clip_frames(Path(clip), float(rate))
    runs = [model_alone_ms(pictures, times, num_poses) for _ in range(int(repeats))]
    return {"ms": statistics.median(runs), "runs": runs, "frames": len(pictures), "num_poses": num_poses}


def job_analyze(clip: str, rate: str, repeats: str) -> dict:
    from posture_watch.analyze import analyze
    from posture_watch.judge import Judge
    from posture_watch.pose import PoseEstimator
    from posture_watch.profile import load_profile

    profile = load_profile(PROFILE)
    xs, ms = [], []
    for _ in range(int(repeats)):
        with bf.VideoFileSource(clip) as src, PoseEstimator() as est:
            with open(os.devnull, "w") as out:
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
        floor.append(model_alone_ms([source.picture_at(t) for t in times], times, MonitorConfig().num_poses))
    return {"pipeline_ms": statistics.median(pipe), "floor_ms": statistics.median(floor), "pipeline_runs": pipe,
            "floor_runs": floor, "samples": samples, "session_s": sum(s.seconds for s in REPLAY_SESSION)}


def job_live(seconds: str, slouch_s: str = "0") -> dict:
    """Process CPU over a wall-clock window of the monitor at 1x on a live camera-like source, from
    its first sample on. Then, if asked, the same for a held forward lean (sampled fast)."""
    from posture_watch.runner import run_monitor

    out = {}
    for name, window in (("upright", float(seconds)), ("slouch", float(slouch_s))):
        if window <= 0:
            continue
        pictures = {name: bf.load_excerpt(name)}
        source = bf.SessionSource([bf.Segment(name, 10 * window + 600)], pictures, live=True)
        box: dict = {}

        def watch(monitor, box=box, window=window) -> None:
            while monitor.summary.samples < 1 and not monitor.stopping:
                time.sleep(0.01)
            c0, w0, n0 = time.process_time(), time.monotonic(), monitor.summary.samples
            while time.monotonic() - w0 < window and not monitor.stopping:
                time.sleep(0.2)
            box.update(cpu_s=time.process_time() - c0, wall_s=time.monotonic() - w0,
                       samples=monitor.summary.samples - n0)
            monitor.stop()

        opts = dataclasses.replace(_run_options(), speed=1.0)
        run_monitor(opts, _config(), source=source,
                    on_start=lambda m: threading.Thread(target=watch, args=(m,), daemon=True).start())
        out[name] = {"cpu_pct_one_core": 100 * box["cpu_s"] / box["wall_s"], "wall_s": box["wall_s"],
                     "cpu_s": box["cpu_s"], "samples": box["samples"],
                     "ms_per_sample": 1000 * box["cpu_s"] / max(box["samples"], 1)}
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
    """Resident memory at every hour of an `hours`-long day replayed at high speed through the real
    monitor; then the stored rows against the samples the monitor analysed and the frames it read."""
    from posture_watch.runner import run_monitor
    from posture_watch.store import Store

    pictures = {name: bf.load_excerpt(name) for name in ("upright", "slouch", "away")}
    rss: list[tuple[float, float]] = []
    wall0 = time.monotonic()

    def probe(t: float) -> None:
        if t >= 3600.0 * len(rss):
            rss.append((round(t / 3600.0, 3), bf.rss_mb()))

    source = bf.SessionSource(working_day(float(hours)), pictures, live=False, on_read=probe)
    summary = run_monitor(_run_options(), _config(), source=source)
    rss.append((round(source.total_s / 3600.0, 3), bf.rss_mb()))
    with Store.open(readonly=True) as store:
        rows = len(store.samples_between(0, 1e12))
        events = store.events_between(0, 1e12)
    kinds: dict[str, int] = {}
    for e in events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    after_first_hour = rss[1][1] if len(rss) > 2 else rss[0][1]
    return {"hours": source.total_s / 3600.0, "rss_mb_by_hour": rss, "growth_mb": rss[-1][1] - after_first_hour,
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
