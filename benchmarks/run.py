"""posture-watch benchmark harness (`make bench`): prints a table, writes benchmarks/results.json.

Numbers, not pass/fail. Every figure says how it was measured; times are medians over repeated runs.

  model_floor_ms          CPU ms per frame for the pose model alone (MediaPipe detect_for_video on
                          pre-decoded RGB frames of the desk session, VIDEO mode), per model variant
  pipeline_ms_per_sample  CPU ms per analysed sample for the whole `analyze` pipeline (decode, pose,
                          geometry, judge, JSON) on the desk session at the default rate
  overhead_ratio          pipeline_ms_per_sample / model_floor_ms (lite)
  analyze_x_realtime      source seconds / wall seconds of `analyze` on the desk session at the default rate
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posture_watch import models  # noqa: E402
from posture_watch.pose import quiet_native_stderr  # noqa: E402
from posture_watch.sources import VideoFileSource  # noqa: E402

DESK = ROOT / "sample_videos" / "desk_session.mp4"
RESULTS = ROOT / "benchmarks" / "results.json"


def load_frames(path: Path, every_s: float, limit: int) -> list:
    import cv2

    frames, next_t = [], 0.0
    with VideoFileSource(path) as src:
        while len(frames) < limit and (f := src.read(next_t)) is not None:
            frames.append((f.t_s, cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB)))
            next_t = f.t_s + every_s
    return frames


def model_floor_ms(model_path: Path, frames: list, repeats: int) -> float:
    """Median over `repeats` runs of (CPU time / frames) for detect_for_video alone."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    runs = []
    for _ in range(repeats):
        opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model_path)),
                                            running_mode=vision.RunningMode.VIDEO, num_poses=2)
        with quiet_native_stderr():
            lm = vision.PoseLandmarker.create_from_options(opts)
            images = [(int(t * 1000), mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)) for t, rgb in frames]
            lm.detect_for_video(images[0][1], 0)  # warm-up outside the measurement
            cpu0 = time.process_time()
            for ts, img in images[1:]:
                lm.detect_for_video(img, ts + 1)
            runs.append(1000 * (time.process_time() - cpu0) / (len(images) - 1))
            lm.close()
    return statistics.median(runs)


def analyze_figures(model_path: Path, rate_hz: float | None, repeats: int, profile_path: Path | None) -> dict:
    from posture_watch.analyze import analyze
    from posture_watch.judge import Judge
    from posture_watch.pose import PoseEstimator
    from posture_watch.profile import load_profile

    profile = load_profile(profile_path) if profile_path and profile_path.exists() else None
    xs, ms = [], []
    for _ in range(repeats):
        with VideoFileSource(DESK) as src, PoseEstimator(model_path) as est:
            summary = analyze(src, est, Judge(profile), rate_hz, io.StringIO())
        xs.append(summary.x_realtime)
        ms.append(1000 * summary.cpu_s / summary.samples)
    return {"x_realtime": statistics.median(xs), "ms_per_sample": statistics.median(ms), "samples": summary.samples,
            "source_s": summary.source_s}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one repeat, fewer frames")
    args = ap.parse_args()
    repeats = 1 if args.quick else args.repeats
    if not DESK.exists():
        print(f"{DESK} is missing: run `make samples` first.", file=sys.stderr)
        return 2
    from posture_watch.config import SamplingConfig

    rate = SamplingConfig().analyze_hz
    results: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                 "processor": platform.machine()}, "figures": {}, "method": {}}
    figs, method = results["figures"], results["method"]

    frames = load_frames(DESK, every_s=0.5, limit=60 if args.quick else 200)
    floors = {}
    for name in models.VARIANTS:
        path = models.find(name)
        if path is None:
            floors[name] = None
            continue
        floors[name] = round(model_floor_ms(path, frames, repeats), 2)
    figs["model_floor_ms"] = floors
    method["model_floor_ms"] = (f"process CPU ms per frame of PoseLandmarker.detect_for_video alone, VIDEO mode, num_poses=2, "
                                f"{len(frames)} pre-decoded RGB frames of desk_session.mp4 (one per 0.5 s), median of "
                                f"{repeats} runs; null = variant not installed")

    lite = models.ensure("lite")
    a = analyze_figures(lite, rate, repeats, ROOT / "calibration" / "sample_profile.json")
    figs["pipeline_ms_per_sample"] = {"analyze": round(a["ms_per_sample"], 2)}
    figs["overhead_ratio"] = round(a["ms_per_sample"] / floors["lite"], 3) if floors.get("lite") else None
    figs["analyze_x_realtime"] = round(a["x_realtime"], 1)
    method["pipeline_ms_per_sample"] = (f"process CPU ms per sample of the analyze loop (decode, pose, geometry, judge, "
                                        f"JSON) on desk_session.mp4 at {rate:g} Hz ({a['samples']} samples), median of {repeats}")
    method["overhead_ratio"] = "pipeline_ms_per_sample.analyze / model_floor_ms.lite"
    method["analyze_x_realtime"] = f"source seconds / wall seconds of analyze on desk_session.mp4 at {rate:g} Hz, median of {repeats}"

    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"posture-watch benchmarks ({results['machine']['cores']} cores, Python {results['machine']['python']})")
    for key, value in figs.items():
        print(f"  {key:<24} {json.dumps(value)}")
        print(f"  {'':<24} method: {method[key]}")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
