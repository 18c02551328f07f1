"""Benchmark jobs, each run in a fresh child process by benchmarks/run.py (`bench_jobs.py JOB [ARGS]`),
printing one JSON line. A fresh process per job keeps threads, caches and memory of one measurement
out of the next.

  floor CLIP RATE REPEATS       CPU ms per frame of PoseLandmarker.detect_for_video alone on the frames
                                `analyze` uses (CLIP at RATE Hz), VIDEO mode, the product's num_poses
  analyze CLIP RATE REPEATS     the real analyze loop: CPU ms per sample, x real time
  run_replay REPEATS [VARIANT]  the real monitor (runner.run_monitor) replaying a camera-like session
                                held in memory as fast as it goes; then the model alone on the same frames
  live SECONDS [SLOUCH_S]       the real monitor at 1x on a live camera-like source: process CPU share
  soak HOURS [VARIANT]          an HOURS-long working day replayed at high speed: RSS, CPU, model calls and
                                warning delays over the day, counts
  peer_day SECONDS              the peer loop (the same model, VIDEO mode, every frame at 10 fps) on SECONDS
                                of each kind of stretch of the replayed day: CPU per second of each
  peer_clip CLIP [SECONDS]      the peer loop on a clip file, decoding included: CPU per second of source
  desk VARIANT                  the real monitor replaying desk_session.mp4 (decoding included): CPU per second
                                of source, model calls, warning and end-of-stretch delays

VARIANT: `now` (the product's settings and sample profile) or `before` (issue 14's starting point: the sample
profile measured with num_poses=2 and so judged in 2, no change gate, 4 Hz all through a poor stretch, settled
good posture every 3 s).
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
from posture_watch.io import paths  # noqa: E402
from posture_watch.monitor.loop_types import MonitorConfig  # noqa: E402

PROFILE = bf.ROOT / "calibration" / "sample_profile.json"
# calibration/sample_profile.json as it was before issue 14 (c7e0a82): measured with num_poses=2, no num_poses field
LEGACY_PROFILE = bf.ROOT / "benchmarks" / "sample_profile_num_poses_2.json"
BEFORE_SETTLED_HZ = 0.33  # the starting point sampled settled good posture every 3 s (now every 10 s)
BEFORE_FAST_HZ = 4.0  # ... and a change and a whole poor stretch at 4 Hz (now a change at 2 Hz, a held stretch at 1 Hz)
PEER_FPS = 10.0     # postured's rate
PEER_NUM_POSES = 1  # MediaPipe's default, what a peer's loop gets


def _profile(variant: str = "now") -> Path:
    """The sample profile the monitor judges against: as it is, or for the starting point as it was then."""
    return LEGACY_PROFILE if variant == "before" else PROFILE


def product_num_poses(variant: str = "now") -> int:
    """The num_poses `run` and `analyze` use with the variant's sample profile (the mode it was measured in)."""
    from posture_watch.io.pose import mode_for
    from posture_watch.io.profile_files import load_profile

    return MonitorConfig().num_poses or mode_for(load_profile(_profile(variant)))


def _landmarker(num_poses: int, variant: str = "lite"):
    from mediapipe.tasks.python import BaseOptions, vision

    from posture_watch.io import models
    from posture_watch.io.pose import import_mediapipe, quiet_native_stderr

    mp = import_mediapipe()
    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(models.ensure(variant, allow_fetch=False))),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=num_poses)
    with quiet_native_stderr():
        return mp, vision.PoseLandmarker.create_from_options(opts)


def model_alone_ms(frames: Iterable[tuple[np.ndarray, float]], num_poses: int, chunk: int = 100,
                   variant: str = "lite") -> float:
    """CPU ms per call of detect_for_video alone on (picture, time) pairs (see model_alone)."""
    return model_alone(frames, num_poses, chunk, variant)[0]


def model_alone(frames: Iterable[tuple[np.ndarray, float]], num_poses: int, chunk: int = 100,
                variant: str = "lite") -> tuple[float, float]:
    """(CPU ms, wall ms) per call of detect_for_video alone on (picture, time) pairs: they are converted to
    RGB MediaPipe images outside the timed part, a chunk at a time (memory), and handed over with their own
    timestamps."""
    import cv2

    from posture_watch.io.pose import quiet_native_stderr

    mp, lm = _landmarker(num_poses, variant)
    cpu, wall, calls, last_ms = 0.0, 0.0, 0, -1
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
                    c0, w0 = time.process_time(), time.perf_counter()
                    lm.detect_for_video(img, ts)
                    if calls:  # the first call (allocations) is start-up, not per frame
                        cpu += time.process_time() - c0
                        wall += time.perf_counter() - w0
                    calls += 1
    finally:
        lm.close()
    return 1000 * cpu / max(calls - 1, 1), 1000 * wall / max(calls - 1, 1)


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
    both = [model_alone(clip_frames(Path(clip), float(rate)), num_poses, variant=variant) for _ in range(int(repeats))]
    runs, walls = [c for c, _ in both], [w for _, w in both]
    frames = sum(1 for _ in clip_frames(Path(clip), float(rate)))
    return {"ms": statistics.median(runs), "runs": runs, "wall_ms": statistics.median(walls), "wall_runs": walls,
            "frames": frames, "num_poses": num_poses}


def job_analyze(clip: str, rate: str, repeats: str) -> dict:
    """The analyze loop as `posture-watch analyze` runs it (one model; the file decoded ahead on a second thread)."""
    from posture_watch.monitor.analyze import analyze
    from posture_watch.core.judge import Judge
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.io.profile_files import load_profile

    profile = load_profile(PROFILE)
    xs, ms, walls = [], [], []
    for _ in range(int(repeats)):
        with bf.VideoFileSource(clip) as src, PoseEstimator(num_poses=product_num_poses()) as est, open(os.devnull, "w") as out:
            s = analyze(src, est, Judge(profile), float(rate), out)
        xs.append(s.x_realtime)
        ms.append(1000 * s.cpu_s / s.samples)
        walls.append(1000 * s.wall_s / s.samples)
    return {"x_realtime": statistics.median(xs), "ms_per_sample": statistics.median(ms), "x_runs": xs, "ms_runs": ms,
            "wall_ms_per_sample": statistics.median(walls), "samples": s.samples, "source_s": s.source_s}


def _run_options(variant: str = "now"):
    from posture_watch.monitor.runner import RunOptions

    return RunOptions(profile=str(_profile(variant)), no_notify=True,
                      quiet_fallback=True, speed=1e6)


def _config(variant: str = "now"):
    from posture_watch.io.config import load_config

    cfg = load_config()  # the per-user file under the benchmark's private POSTURE_WATCH_HOME: defaults
    if variant == "before":
        cfg = dataclasses.replace(cfg, sampling=dataclasses.replace(
            cfg.sampling, unchanged_below_grey=0.0, fast_hz=BEFORE_FAST_HZ, poor_held_hz=BEFORE_FAST_HZ,
            settled_hz=BEFORE_SETTLED_HZ))
    return cfg


class ModelCalls:
    """The monitor's own pose model calls in this process (it builds its own estimator, so
    PoseEstimator.detect_prepared is wrapped while the context lasts): the source time of every picture the
    model ran on, and the process CPU each call took (detect_for_video and the copy of its landmarks),
    measured while the monitor runs, so that the pipeline around the model can be set against the model in
    the very same seconds (a busy host slows both alike)."""

    def __enter__(self) -> "ModelCalls":
        from posture_watch.io.pose import PoseEstimator

        self.times: list[float] = []
        self.cpu: list[float] = []
        self.original = original = PoseEstimator.detect_prepared

        def detect_prepared(estimator, prepared):
            c0 = time.process_time()
            try:
                return original(estimator, prepared)
            finally:
                self.times.append(prepared.t_s)
                self.cpu.append(time.process_time() - c0)

        PoseEstimator.detect_prepared = detect_prepared  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        from posture_watch.io.pose import PoseEstimator

        PoseEstimator.detect_prepared = self.original  # type: ignore[method-assign]


def delays(samples: list[tuple[float, str]], warnings: list[float], held: list[tuple[float, float]]) -> dict:
    """For each held slouch (start, end) in source s: the delay from its start to the first warning after
    it, and from its end to the first judged sample that is no longer poor (the end of the stretch)."""
    warn, end = [], []
    for start, stop in held:
        after = [w for w in warnings if start <= w <= stop + 60]
        if after:
            warn.append(after[0] - start)
        later = [t for t, state in samples if t >= stop and state != "poor"]
        if later:
            end.append(later[0] - stop)
    return {"warning_s": warn, "end_s": end}


REPLAY_SESSION = [bf.Segment("upright", 120.0), bf.Segment("slouch", 120.0), bf.Segment("away", 120.0)]


def job_run_replay(repeats: str, variant: str = "now") -> dict:
    """The monitor's CPU per sample between its first and its last frame (start-up excluded), then the
    model alone on exactly the frames it analysed, in the same order and with the same timestamps (from the
    second run on, also the one measured just before the run)."""
    from posture_watch.monitor.runner import run_monitor

    pictures = {name: bf.load_excerpt(name) for name in ("upright", "slouch", "away")}
    pipe, floor, ratio, same_time, samples, calls, bracket, outside = [], [], [], [], 0, 0, [], []
    before_ms, before_frames = None, None
    for _ in range(int(repeats)):
        reads: list[tuple[float, float]] = []
        source = bf.SessionSource(REPLAY_SESSION, pictures, live=False,
                                  on_read=lambda t: reads.append((t, time.process_time())))
        with ModelCalls() as calls_seen:
            summary = run_monitor(_run_options(variant), _config(variant), source=source)
        modelled, inside = calls_seen.times, calls_seen.cpu
        samples, calls = summary.samples, len(modelled)
        # the whole pipeline from its second frame to its last: the model's first call (its one-time allocations,
        # ~70 ms) is left out here as model_alone leaves it out of the floor; the samples counted are frames 1..n-2
        cpu = reads[-1][1] - reads[1][1]
        window = [reads[1][0] <= t < reads[-1][0] for t in modelled]
        pipe.append(1000 * cpu / (len(reads) - 2))
        # the model alone on those frames right after the monitor; from the second run on, the floor is the mean
        # of that and the one measured right before this run (after the run before it, on the very same frames:
        # the replay is deterministic, checked here), so a host speeding up or slowing down between a run and
        # its floor weighs on both sides alike
        after_ms = model_alone_ms(((source.picture_at(t), t) for t in modelled), product_num_poses(variant))
        if modelled != before_frames:
            before_ms = None
        floor_ms = after_ms if before_ms is None else (before_ms + after_ms) / 2
        floor.append(floor_ms)
        bracket.append((before_ms, after_ms))
        before_ms, before_frames = after_ms, modelled
        ratio.append(1000 * cpu / (floor_ms * max(sum(window), 1)))
        # the same window, against the model's CPU inside the monitor in those very seconds
        model_inside = sum(c for c, counted in zip(inside, window) if counted)
        same_time.append(cpu / model_inside)
        outside.append(1000 * (cpu - model_inside) / (len(reads) - 2))
    return {"pipeline_ms": statistics.median(pipe), "floor_ms": statistics.median(floor), "pipeline_runs": pipe,
            "floor_runs": floor, "floor_before_after_runs": bracket,
            "overhead_ratio": statistics.median(ratio), "overhead_runs": ratio,
            "vs_model_inside": statistics.median(same_time), "vs_model_inside_runs": same_time,
            "outside_model_ms_per_sample": statistics.median(outside), "variant": variant,
            "samples": samples, "model_calls": calls, "session_s": sum(s.seconds for s in REPLAY_SESSION)}


def job_live(seconds: str, settle_s: str = "70", slouch_s: str = "0") -> dict:
    """Process CPU of the monitor at 1x on a live camera-like source, over two wall-clock windows of
    `seconds`: from its first judged sample on ("first"), and once settled, from `settle_s` after the
    first sample ("settled"). Then, if asked, a window of a held forward lean (sampled fast)."""
    from posture_watch.monitor.runner import run_monitor

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


def job_soak(hours: str, variant: str = "now") -> dict:
    """Resident memory through an `hours`-long day replayed at high speed through the real monitor: at
    every eighth of it (every hour of 8), and more often in the first hour (at 0, 1, 5, 10, 20, 30 and 45
    minutes). `growth_mb` is the last frame against the first minute: the first model runs allocate
    their buffers once (about 40 MB, all of it within the first minute), which is warm-up, not growth;
    the growth from the very first sample is given too. Then the stored rows against the samples the
    monitor analysed and the frames it read."""
    from posture_watch.monitor.runner import run_monitor
    from posture_watch.io.store import Store

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

    day = working_day(float(hours))
    source = bf.SessionSource(day, pictures, live=False, on_read=probe)
    summary = run_monitor(_run_options(variant), _config(variant), source=source)
    rss.append(last[0])  # at the last frame, while everything is still open
    with Store.open(paths.replay_database_path(), readonly=True) as store:   # a replay's own database
        stored = store.samples_between(0, 1e12)
        rows = len(stored)
        events = store.events_between(0, 1e12)
    starts = np.cumsum([0.0] + [seg.seconds for seg in day])
    held = [(float(a), float(a) + seg.seconds) for a, seg in zip(starts, day) if seg.name == "slouch"]
    t0 = summary.started_at
    timing = delays([(r.t - t0, r.state) for r in stored], [e.t - t0 for e in events if e.kind == "warning"], held)
    kinds: dict[str, int] = {}
    for e in events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    after_warm_up = next((mb for h, mb in rss if h * 3600.0 >= 60.0), rss[0][1])
    return {"hours": source.total_s / 3600.0, "rss_mb_at_hours": rss,
            "growth_mb": rss[-1][1] - after_warm_up, "growth_from_first_sample_mb": rss[-1][1] - rss[0][1],
            "rss_mb_after_the_run": bf.rss_mb(),
            "peak_rss_mb": bf.peak_rss_mb(), "samples": summary.samples, "rows": rows, "frames_read": source.frames_read,
            "events": kinds, "wall_s": time.monotonic() - wall0, "cpu_s": summary.cpu_s,
            "model_calls": summary.model_calls, "variant": variant, "delays": timing}


def peer_loop_cpu_s(frames: Iterable[tuple[np.ndarray, float]]) -> tuple[float, int]:
    """(process CPU s, frames) of a peer's loop over (picture, time) pairs: colour conversion, mp.Image and
    detect_for_video in VIDEO mode with MediaPipe's default num_poses, on every frame; the first call
    (allocations) left out."""
    import cv2

    from posture_watch.io.pose import quiet_native_stderr

    mp, lm = _landmarker(PEER_NUM_POSES)
    cpu, calls, last_ms = 0.0, 0, -1
    try:
        with quiet_native_stderr():
            for image, t in frames:
                c0 = time.process_time()
                ts = max(int(round(t * 1000)), last_ms + 1)
                last_ms = ts
                lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB,
                                             data=cv2.cvtColor(image, cv2.COLOR_BGR2RGB)), ts)
                if calls:
                    cpu += time.process_time() - c0
                calls += 1
    finally:
        lm.close()
    return cpu, max(calls - 1, 1)


def job_peer_day(seconds: str) -> dict:
    """The peer loop on `seconds` of each kind of stretch of the replayed day (upright, held lean, empty
    room), each picture once at 10 fps as a 10 fps loop on the 30 fps camera sees them: CPU s per second."""
    pictures = {name: bf.load_excerpt(name) for name in ("upright", "slouch", "away")}
    out = {}
    for name in pictures:
        source = bf.SessionSource([bf.Segment(name, float(seconds))], pictures)
        times = np.arange(0.0, float(seconds), 1.0 / PEER_FPS)
        cpu, calls = peer_loop_cpu_s((source.picture_at(t), float(t)) for t in times)
        out[name] = {"cpu_s_per_s": cpu / calls * PEER_FPS, "ms_per_call": 1000 * cpu / calls, "calls": calls}
    return out


def job_peer_clip(clip: str, seconds: str = "0") -> dict:
    """The peer loop on a clip file at 10 fps, decoding included: CPU s per second of source."""
    until = float(seconds) or float("inf")
    step = 1.0 / PEER_FPS

    def frames():
        with bf.VideoFileSource(clip) as src:
            t = 0.0
            while (frame := src.read(t)) is not None and frame.t_s < until:
                yield frame.image, frame.t_s
                t = frame.t_s + step - 1e-6

    c0 = time.process_time()
    _, calls = peer_loop_cpu_s(frames())
    cpu = time.process_time() - c0  # decoding included, as the peer pays it
    source_s = (calls + 1) / PEER_FPS
    c0 = time.process_time()
    with bf.VideoFileSource(clip) as src:  # decoding alone: what any replay of the file pays (every frame is decoded)
        decoded = src.read(min(until, 1e9) - 1e-3)
    decode = time.process_time() - c0
    return {"cpu_s": cpu, "source_s": source_s, "cpu_s_per_s": cpu / source_s, "calls": calls + 1,
            "decode_only_cpu_s_per_s": decode / (decoded.t_s if decoded is not None else source_s)}


def job_desk(variant: str) -> dict:
    """The real monitor replaying desk_session.mp4 as `run --source desk_session.mp4 --speed N` does
    (decoding included), as fast as it goes: CPU per second of source, model calls, delays."""
    from posture_watch.core.labels import load_labels
    from posture_watch.monitor.runner import run_monitor
    from posture_watch.io.sources import VideoFileSource
    from posture_watch.io.store import Store

    clip = bf.SAMPLES / "desk_session.mp4"
    labels = load_labels(clip.with_name("desk_session.labels.json"))
    with ModelCalls() as calls_seen:
        summary = run_monitor(_run_options(variant), _config(variant), source=VideoFileSource(clip))
    modelled = calls_seen.times
    with Store.open(paths.replay_database_path(), readonly=True) as store:   # a replay's own database
        stored = store.samples_between(0, 1e12)
    t0 = summary.started_at
    held = [(seg.start_s, seg.end_s) for seg in labels.segments if seg.state == "poor"]
    timing = delays([(r.t - t0, r.state) for r in stored],
                    [e.t_s - t0 for e in summary.events if e.kind == "warning"], held)
    source_s = labels.segments[-1].end_s
    in_poor = sum(1 for t in modelled if any(a <= t < b for a, b in held))
    return {"cpu_s": summary.cpu_s, "source_s": source_s, "cpu_s_per_s": summary.cpu_s / source_s,
            "samples": summary.samples, "model_calls": summary.model_calls, "variant": variant, "delays": timing,
            "model_calls_in_poor_stretches": in_poor, "poor_s": sum(b - a for a, b in held)}


def main(argv: list[str]) -> int:
    job = {"floor": job_floor, "analyze": job_analyze, "run_replay": job_run_replay, "live": job_live,
           "soak": job_soak, "peer_day": job_peer_day, "peer_clip": job_peer_clip, "desk": job_desk}[argv[0]]
    result = job(*argv[1:])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
