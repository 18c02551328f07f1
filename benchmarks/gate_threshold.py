"""Measure the change gate's threshold (`sampling.unchanged_below_grey`) on the sample clips.

    python benchmarks/gate_threshold.py [--cache DIR] [--quick]

The gate reuses the last reading when a sample's 32x24 grey thumbnail differs from the last judged one
by less than the threshold (mean |difference| in grey levels). Too high a threshold would hide a slow
slouch until the maximum interval runs the model; too low a one never skips anything. So:

1. the noise floor: picture_change between samples 1 s apart inside steady labelled stretches (upright,
   held lean, empty room) of every clip: what a threshold must be above to skip anything;
2. for every candidate threshold, the real Monitor replays each clip (desk_session with its 20 s lean-in,
   a generated clip drifting into the same lean over 4 minutes, grace_desk, and the upright calibration
   clip), with the gate off and on. Its estimator answers from MediaPipe's detections of every frame,
   computed once (the runs then differ only by the gate). Printed: model calls, and how far each poor
   stretch's start and end (judged state), and each warning, moved against the gate off.

The threshold taken is the largest candidate that moves no start or end of a poor stretch by more than
MAX_SHIFT_S (one sample of the held-poor rate) and no warning by more than MAX_WARNING_SHIFT_S (the slack the
issue allows a warning's delay) on any clip. The noise floor is printed for what it says about real cameras:
on these clips it is the generator's breathing and sway, i.e. real motion of a still-sitting body, so a
threshold below it still skips the model on part of the samples. Numbers printed, nothing asserted; the
chosen value goes into config.py by hand.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_frames as bf  # noqa: E402
from accuracy import detect_clip  # noqa: E402
from posture_watch.io.config import SamplingConfig  # noqa: E402
from posture_watch.core.domain import EV_WARNING, POOR  # noqa: E402
from posture_watch.core.sampling import picture_change  # noqa: E402

CANDIDATES = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
MAX_SHIFT_S = 1.0       # a poor stretch's start or end may move this much: one sample of the held-poor rate
MAX_WARNING_SHIFT_S = 5.0  # a warning may move this much (issue 14: delays stay within 5 s of the gate off)
MIN_STRETCH_S = 10.0    # poor stretches shorter than this (a glance) are not compared: no warning hangs on them


class Replayed:
    """An estimator answering with MediaPipe's detection of the very frame asked for (computed once)."""

    def __init__(self, detections, fps: float) -> None:
        self.detections, self.fps, self.calls = detections, fps, 0

    def detect(self, frame, small=None):
        self.calls += 1
        i = min(int(round(frame.t_s * self.fps)), len(self.detections) - 1)
        return replace(self.detections[i], t_s=frame.t_s)


def replay(clip: Path, detections, profile, sampling: SamplingConfig) -> dict:
    """The real monitor over `clip` (no store, no notifier), as fast as it goes."""
    from posture_watch.core.engine import EngineConfig
    from posture_watch.core.geometry import measure
    from posture_watch.core.judge import Judge
    from posture_watch.monitor.loop import Monitor, MonitorConfig
    from posture_watch.io.sources import PacedSource, VideoFileSource

    source = VideoFileSource(clip)
    estimator = Replayed(detections, source.fps or 10.0)
    out = io.StringIO()
    monitor = Monitor(source=PacedSource(source, 1e6), estimator=estimator, judge=Judge(profile), measure=measure,
                      engine_config=EngineConfig(), sampling=sampling, config=MonitorConfig(), replay=True, speed=1e6,
                      jsonl=out)
    summary = monitor.run()
    states = [(row["t"], row["state"]) for row in map(json.loads, out.getvalue().splitlines())]
    return {"samples": summary.samples, "model_calls": summary.model_calls, "stretches": poor_stretches(states),
            "warnings": [e.t_s - summary.started_at for e in summary.events if e.kind == EV_WARNING]}


def poor_stretches(states: list[tuple[float, str]]) -> list[tuple[float, float]]:
    """(start, end) source s of each run of judged-poor samples; end = the first sample after it."""
    out, start = [], None
    for t, state in states:
        if state == POOR and start is None:
            start = t
        elif state != POOR and start is not None:
            out.append((start, t))
            start = None
    if start is not None:
        out.append((start, states[-1][0]))
    return out


def shifts(off: dict, on: dict) -> tuple[list[float], list[float]]:
    """How far each long poor stretch's start and end, and each warning, moved with the gate on."""
    moved, warned = [], []
    for start, end in off["stretches"]:
        if end - start < MIN_STRETCH_S:
            continue
        starts = [s for s, _ in on["stretches"] if start - 30 <= s <= end]
        ends = [e for s, e in on["stretches"] if start - 30 <= s <= end]
        moved += [min(starts, key=lambda s: abs(s - start)) - start if starts else float("inf"),
                  min(ends, key=lambda e: abs(e - end)) - end if ends else float("inf")]
    for w in off["warnings"]:
        warned.append(min((x - w for x in on["warnings"]), key=abs, default=float("inf")))
    if len(on["warnings"]) != len(off["warnings"]):
        warned.append(float("inf"))
    return moved, warned


def noise_floor(clip: Path, labels_path: Path) -> list[float]:
    """picture_change between frames 1 s apart inside the clip's steady labelled stretches."""
    from posture_watch.core.labels import label_at, load_labels
    from posture_watch.io.pose import small_grey, thumbnail
    from posture_watch.io.sources import VideoFileSource

    labels = load_labels(labels_path)
    changes, last = [], None
    with VideoFileSource(clip) as src:
        t = 0.0
        while (frame := src.read(t)) is not None:
            seg = label_at(labels, frame.t_s)
            thumb = thumbnail(small_grey(frame.image))
            if seg is not None and seg.scored and last is not None and last[0] is seg:
                changes.append(picture_change(thumb, last[1]))
            last = (seg, thumb)
            t = frame.t_s + 1.0
    return changes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=bf.CACHE, help="where MediaPipe's detections are cached")
    ap.add_argument("--quick", action="store_true", help="fewer candidates, no slow-drift clip")
    args = ap.parse_args()
    from posture_watch.calibration.calibrate import build_profile
    from posture_watch.core.geometry import measure
    from posture_watch.io.profile_files import load_profile

    samples = bf.SAMPLES
    sample_profile = load_profile(bf.ROOT / "calibration" / "sample_profile.json")
    grace = build_profile([measure(d) for d in detect_clip(samples / "grace_calibration.mp4", args.cache)])
    clips = {"desk_session": (samples / "desk_session.mp4", sample_profile),
             "grace_desk": (samples / "grace_desk.mp4", grace),
             "calibration": (samples / "calibration.mp4", sample_profile)}
    if not args.quick:
        clips["slow_drift"] = (bf.drift_clip(), sample_profile)
    candidates = (1.0, 2.0, 4.0) if args.quick else CANDIDATES

    floor = []
    for name, (clip, _) in clips.items():
        labels = clip.with_name(f"{clip.stem}.labels.json")
        floor += noise_floor(clip, labels)
    floor.sort()
    p99 = floor[int(0.99 * (len(floor) - 1))]
    print(f"noise floor: picture_change 1 s apart in steady stretches, {len(floor)} pairs: median "
          f"{statistics.median(floor):.2f}, 99th percentile {p99:.2f}, max {floor[-1]:.2f} grey levels")

    base = SamplingConfig()
    worst: dict[float, bool] = {}
    results: dict = {"noise_floor": {"median": statistics.median(floor), "p99": p99, "max": floor[-1]}, "clips": {}}
    for name, (clip, profile) in clips.items():
        detections = detect_clip(clip, args.cache)
        off = replay(clip, detections, profile, replace(base, unchanged_below_grey=0.0))
        print(f"{name}: gate off: {off['samples']} samples, {off['model_calls']} model calls, poor stretches "
              f"{[(round(a, 1), round(b, 1)) for a, b in off['stretches'] if b - a >= MIN_STRETCH_S]}, warnings "
              f"{[round(w, 1) for w in off['warnings']]}")
        results["clips"][name] = {"off": off, "on": {}}
        for threshold in candidates:
            on = replay(clip, detections, profile, replace(base, unchanged_below_grey=threshold))
            moved, warned = shifts(off, on)
            ok = all(abs(m) <= MAX_SHIFT_S for m in moved) and all(abs(w) <= MAX_WARNING_SHIFT_S for w in warned)
            worst[threshold] = worst.get(threshold, True) and ok
            results["clips"][name]["on"][threshold] = dict(on, shifts=moved, warning_shifts=warned)
            print(f"  threshold {threshold:4.2f}: {on['model_calls']:4d} model calls ({100 * on['model_calls'] / max(off['model_calls'], 1):3.0f}%), "
                  f"starts/ends moved by {[round(m, 2) for m in moved]}, warnings by {[round(w, 2) for w in warned]}"
                  f"{'' if ok else '  TOO FAR'}")
    fine = [t for t in candidates if worst[t]]
    chosen = max(fine) if fine else None
    print(f"largest threshold that moves no start or end by more than {MAX_SHIFT_S:g} s and no warning by more than "
          f"{MAX_WARNING_SHIFT_S:g} s on any clip: {chosen} (config: {base.unchanged_below_grey})")
    results["chosen"] = chosen
    (bf.CACHE / "gate_threshold.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
