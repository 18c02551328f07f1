"""Frames for the benchmarks: camera-like sessions held in memory, and a 30 fps clip rendered once.

A camera-like source hands out frames that are already decoded (a webcam's grab is cheap, so file
decoding must not blur the monitor's figures). The pictures are the sample clips' own frames, held
in memory at the clip's 10 fps and presented on a 30 fps clock (each picture lasts three ticks,
like a 30 fps camera filming a 10 fps scene). A session is a list of segments, each a looped clip
excerpt: `upright`, `slouch` (the held forward lean) and `away` (the empty room).
"""

from __future__ import annotations

import dataclasses
import json
import math
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from posture_watch.core.domain import Frame  # noqa: E402
from posture_watch.io.sources import FrameSource, VideoFileSource  # noqa: E402

SAMPLES = ROOT / "sample_videos"
CACHE = ROOT / "benchmarks" / ".cache"
CAMERA_FPS = 30.0

# name -> (clip, start_s, seconds): 15 s excerpts of the sample clips (150 pictures, ~140 MB each)
EXCERPTS = {
    "upright": ("calibration.mp4", 0.0, 14.0),   # its upright start (140 pictures); then it glances and slouches
    "slouch": ("desk_session.mp4", 60.0, 15.0),
    "away": ("empty_room.mp4", 0.0, 4.9),  # 49 pictures: a 5 s poll never lands on the same one
}


def load_excerpt(name: str) -> tuple[list[np.ndarray], float]:
    """(pictures, their fps) of one excerpt, decoded once."""
    clip, start_s, seconds = EXCERPTS[name]
    with VideoFileSource(SAMPLES / clip) as src:
        fps = src.fps or 10.0
        images, t = [], start_s
        while (frame := src.read(t)) is not None and frame.t_s < start_s + seconds - 1e-6:
            images.append(frame.image)
            t = frame.t_s + 1e-6
    return images, fps


@dataclass(frozen=True)
class Segment:
    name: str
    seconds: float


class SessionSource(FrameSource):
    """A camera-like source playing `segments` one after the other on a 30 fps clock.

    live=True: wall-clock pacing like a webcam (read sleeps until the asked time, the frame is the
    one showing now). live=False: as fast as it is read (replayed by the monitor at --speed).
    `on_read(t_s)` is called with each frame handed out (counting, memory probes)."""

    def __init__(self, segments: Sequence[Segment], pictures: dict[str, tuple[list[np.ndarray], float]],
                 live: bool = False, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, on_read: Callable[[float], None] | None = None) -> None:
        self.segments = list(segments)
        self.pictures = pictures
        self.live = live
        self.description = "camera-like memory frames"
        self._clock, self._sleep, self._on_read = clock, sleep, on_read
        self._starts = np.cumsum([0.0] + [s.seconds for s in self.segments])
        self._t0 = 0.0
        self._tick = -1
        self.frames_read = 0

    @property
    def total_s(self) -> float:
        return float(self._starts[-1])

    def open(self) -> None:
        self._t0 = self._clock()
        self._tick = -1

    def picture_at(self, t_s: float) -> np.ndarray:
        i = int(np.searchsorted(self._starts, t_s, side="right")) - 1
        seg = self.segments[min(i, len(self.segments) - 1)]
        images, fps = self.pictures[seg.name]
        return images[int((t_s - self._starts[i]) * fps) % len(images)]

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        if self.live:
            wait = not_before_s - (self._clock() - self._t0)
            if wait > 0:
                self._sleep(wait)
            tick = int((self._clock() - self._t0) * CAMERA_FPS)
        else:
            tick = max(self._tick + 1, math.ceil(not_before_s * CAMERA_FPS - 1e-6))
        self._tick = tick
        t = tick / CAMERA_FPS
        if t >= self.total_s:
            return None
        self.frames_read += 1
        if self._on_read is not None:
            self._on_read(t)
        return Frame(t, self.picture_at(t))

    def close(self) -> None:
        pass

    @property
    def fps(self) -> float | None:
        return CAMERA_FPS

    @property
    def size(self) -> tuple[int, int] | None:
        images, _ = next(iter(self.pictures.values()))
        return images[0].shape[1], images[0].shape[0]


def rss_mb() -> float:
    """Resident memory of this process now (MB)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the 30 fps clip --------------------------------------------------------------------------

def _render_once(spec, stamp_name: str) -> Path:
    """Render a ClipSpec of the sample generator into benchmarks/.cache once (again when its hash changes)."""
    from sample_videos import generate, timeline

    digest = generate.params_hash(spec)
    out = CACHE / spec.name
    stamp = CACHE / stamp_name
    if out.exists() and stamp.exists() and json.loads(stamp.read_text()).get("hash") == digest:
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"rendering {out.relative_to(ROOT)} ({spec.frames} frames at {spec.fps} fps, once)...", file=sys.stderr, flush=True)
    photos = generate.prepare_photos({p.photo for p in spec.people}, generate.find_model(None))
    timeline.worker_init(photos)
    timeline.render_to_file((spec, str(CACHE)))
    (CACHE / generate.labels_path(CACHE, spec.name).name).write_text(generate.labels_text(spec))
    stamp.write_text(json.dumps({"hash": digest}))
    return out


DRIFT_S = 240.0  # the slow drift: upright to the full forward lean of desk_session in 4 minutes (its lean-in: 20 s)


def drift_clip() -> Path:
    """A clip that drifts slower still than desk_session's 20 s lean-in, made with the sample generator
    (the astronaut, desk_session's camera): 30 s upright, a 240 s drift into the forward lean, held 120 s,
    4 s to sit up, 30 s upright. Its labels file is written beside it. Cached in benchmarks/.cache."""
    from sample_videos import generate
    from sample_videos.timeline import GOOD, POOR, RAMP, TRANSITION, ClipSpec, Phase

    phases = (Phase("upright", GOOD, 30), Phase("drift", TRANSITION, DRIFT_S, generate.UP, generate.SLOUCH, RAMP,
                                                (generate.FORWARD_LEAN,)),
              Phase("slouch", POOR, 120, generate.SLOUCH, faults=(generate.FORWARD_LEAN,)),
              Phase("sit_up", TRANSITION, 4, generate.SLOUCH, generate.UP, RAMP), Phase("upright_again", GOOD, 30))
    spec = ClipSpec("slow_drift.mp4", "The astronaut drifting into a forward lean over 4 minutes.",
                    (generate.ASTRONAUT,), phases, seed=21,
                    expected_warnings=({"fault": generate.FORWARD_LEAN, "segment": "slouch"},))
    return _render_once(spec, "slow_drift.json")


def clip_30fps() -> Path:
    """desk_session rendered at 30 fps by the sample generator (cached in benchmarks/.cache; ~1.5 min
    the first time). Returns its path."""
    from sample_videos import generate

    spec = dataclasses.replace(generate.CLIPS["desk_session.mp4"], name="desk_session_30fps.mp4", fps=30)
    return _render_once(spec, "desk_session_30fps.json")
