"""Where the CPU of one analysed sample goes: the analyze pipeline taken apart stage by stage.

    python benchmarks/pipeline_stages.py [CLIP] [--rate HZ]

Decodes CLIP (default sample_videos/desk_session.mp4) the way `analyze` does (one FFmpeg thread,
skipped frames grabbed but not retrieved), and times each stage of every sample with process CPU
time: grab, retrieve, colour conversion, mp.Image, the pose model (detect_for_video), the light and
blur check, landmark copy, geometry, judge and the JSON line. Prints ms per sample for each stage,
so the share of the model (the floor) and of everything around it (the overhead) can be read off.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402

from posture_watch.core.domain import Detection  # noqa: E402
from posture_watch.core.geometry import measure  # noqa: E402
from posture_watch.core.judge import Judge  # noqa: E402
from posture_watch.io.pose import PoseEstimator, _poses, as_bgr, image_facts  # noqa: E402
from posture_watch.io.profile_files import load_profile  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clip", nargs="?", default=str(ROOT / "sample_videos" / "desk_session.mp4"))
    ap.add_argument("--rate", type=float, default=2.0)
    args = ap.parse_args()
    cpu = collections.Counter()
    clock = time.process_time

    def timed(stage: str, fn, *a, **kw):
        c0 = clock()
        out = fn(*a, **kw)
        cpu[stage] += clock() - c0
        return out

    cap = cv2.VideoCapture(args.clip, cv2.CAP_ANY, [cv2.CAP_PROP_N_THREADS, 1])
    if not cap.isOpened():
        print(f"{args.clip} cannot be opened", file=sys.stderr)
        return 2
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    step = max(1, round(fps / args.rate))
    with PoseEstimator() as est:
        landmarker, mp = est._landmarker, est._mp
        judge = Judge(load_profile(ROOT / "calibration" / "sample_profile.json"))
        index = samples = 0
        while timed("grab (decode)", cap.grab):
            index += 1
            if (index - 1) % step:
                continue
            t_s = (index - 1) / fps
            _, image = timed("retrieve", cap.retrieve)
            rgb = timed("colour conversion", lambda: cv2.cvtColor(as_bgr(image), cv2.COLOR_BGR2RGB))
            mp_image = timed("mp.Image", mp.Image, image_format=mp.ImageFormat.SRGB, data=rgb)
            result = timed("pose model (floor)", landmarker.detect_for_video, mp_image, int(t_s * 1000))
            brightness, sharpness = timed("light and blur check", image_facts, image)
            poses = timed("landmark copy", _poses, result)
            detection = Detection(t_s=t_s, image_size=(image.shape[1], image.shape[0]), poses=poses,
                                  brightness=brightness, sharpness=sharpness)
            metrics = timed("geometry", measure, detection)
            reading = timed("judge", judge.update, metrics)
            timed("JSON line", lambda: json.dumps(reading.to_json(), separators=(",", ":")))
            samples += 1
    cap.release()
    total = sum(cpu.values())
    model = cpu["pose model (floor)"]
    print(f"{Path(args.clip).name}: {samples} samples at {args.rate:g} Hz ({index} frames decoded), process CPU ms per sample")
    for stage, seconds in cpu.items():
        print(f"  {stage:<22} {1000 * seconds / samples:7.3f}   {100 * seconds / total:5.1f}%")
    print(f"  {'total':<22} {1000 * total / samples:7.3f}   pipeline / model = {total / model:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
