"""Timelines for the sample clips: one definition drives both the pixels and the labels.

A clip is a list of phases. Each phase has a label, a ground-truth state, and postures it moves
through; `posture_at` tells the renderer where the person is at any instant, and `labels_for`
writes the same phases out as the ground-truth segments. Nothing here touches a file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from sample_videos import synth
from sample_videos.synth import Placement, Posture

GOOD, POOR, AWAY, TRANSITION = "good", "poor", "away", "transition"
LABEL_STATES = (GOOD, POOR, AWAY, TRANSITION)

HOLD, RAMP, PULSE = "hold", "ramp", "pulse"


@dataclass(frozen=True)
class Phase:
    """A stretch of a clip. `hold`: stay at `start`; `ramp`: wait `lead_s`, then ease from `start`
    to `end` in `ramp_s` (default: the rest of the phase), then stay; `pulse`: ease to `end` in
    `pulse_ramp_s`, hold, ease back to `start`."""

    label: str
    state: str
    duration_s: float
    start: Posture = Posture()
    end: Posture | None = None
    shape: str = HOLD
    faults: tuple[str, ...] = ()
    people: int | None = None        # None: the clip's number of people
    pulse_ramp_s: float = 0.6
    lead_s: float = 0.0
    ramp_s: float | None = None

    def posture(self, dt: float) -> Posture:
        if self.shape == HOLD or self.end is None:
            return self.start
        if self.shape == RAMP:
            a = (dt - self.lead_s) / (self.ramp_s or self.duration_s - self.lead_s)
        else:
            r = min(self.pulse_ramp_s, self.duration_s / 2)
            a = min(dt / r, (self.duration_s - dt) / r, 1.0)
        a = min(1.0, max(0.0, a))
        return self.start.mix(self.end, a * a * (3 - 2 * a))

    @property
    def target(self) -> Posture:
        return self.start if self.end is None else self.end


@dataclass(frozen=True)
class PersonSpec:
    photo: str                      # key of a source photo ("astronaut", "grace_hopper")
    place: Placement = Placement()


@dataclass(frozen=True)
class ClipSpec:
    name: str                       # file name, e.g. "desk_session.mp4"
    description: str
    people: tuple[PersonSpec, ...]
    phases: tuple[Phase, ...]
    seed: int
    fps: int = 10
    size: tuple[int, int] = (640, 480)
    expected_warnings: tuple[dict, ...] = ()
    expected_breaks: tuple[dict, ...] = ()
    look: synth.Look = field(default_factory=synth.Look)

    @property
    def duration_s(self) -> float:
        return float(sum(p.duration_s for p in self.phases))

    @property
    def frames(self) -> int:
        return int(round(self.duration_s * self.fps))

    def phase_at(self, t: float) -> tuple[Phase, float]:
        start = 0.0
        for phase in self.phases:
            if t < start + phase.duration_s:
                return phase, t - start
            start += phase.duration_s
        return self.phases[-1], self.phases[-1].duration_s

    def posture_at(self, t: float) -> Posture:
        phase, dt = self.phase_at(t)
        return phase.posture(dt)

    def params(self) -> dict:
        """Everything that decides the pixels, as plain JSON-able data (for the stamp hash)."""
        return asdict(self)


def labels_for(spec: ClipSpec) -> dict:
    """The ground-truth labels file content for a clip, straight from its phases."""
    segments, t = [], 0.0
    for phase in spec.phases:
        target = phase.target
        segments.append({
            "start_s": round(t, 3),
            "end_s": round(t + phase.duration_s, 3),
            "label": phase.label,
            "state": phase.state,
            "faults": list(phase.faults),
            "people": len(spec.people) if phase.people is None else phase.people,
            "posture": {"lean": target.lean, "pitch": target.pitch, "tilt_deg": target.tilt_deg,
                        "out": target.out},
        })
        t += phase.duration_s
    names = [s["label"] for s in segments]
    for ref in (*spec.expected_warnings, *spec.expected_breaks):
        if names.count(ref["segment"]) != 1:
            raise ValueError(f"{spec.name}: expected event refers to segment {ref['segment']!r}, "
                             f"which must occur exactly once")
    return {
        "clip": spec.name,
        "description": spec.description,
        "fps": spec.fps,
        "size": list(spec.size),
        "frames": spec.frames,
        "duration_s": round(spec.duration_s, 3),
        "people": [p.photo for p in spec.people],
        "segments": segments,
        "expected_warnings": [dict(w) for w in spec.expected_warnings],
        "expected_breaks": [dict(b) for b in spec.expected_breaks],
        "notes": "state 'transition' marks ramps and cuts: exclude them from accuracy. 'people' is how "
                 "many people are in view; 'posture' is the rendering target of the segment "
                 "(lean 1 = full forward lean with head drop, pitch 1 = glance down, tilt_deg > 0 = "
                 "upper body leaning toward the image's right, out 1 = nobody in view).",
    }


class FrameRenderer:
    """Renders frame `i` of a clip; pure function of (spec, photos, i)."""

    def __init__(self, spec: ClipSpec, photos: dict[str, synth.PersonPhoto]) -> None:
        self.spec = spec
        look = spec.look
        self.background = synth.room(spec.size, seed=1234)  # one room, one camera, every clip
        self.camera = synth.Camera(spec.size, spec.seed, look)
        self.rigs = [synth.PersonRig(photos[p.photo], p.place, spec.size, look) for p in spec.people]
        self.wobbles = [synth.Wobble(spec.seed * 100 + i) for i in range(len(spec.people))]

    def frame(self, i: int) -> np.ndarray:
        t = i / self.spec.fps
        posture = self.spec.posture_at(t)
        patches = []
        if posture.out < 1.0:
            for rig, wob in zip(self.rigs, self.wobbles):
                patches += rig.layers(posture, wob.at(t))
        return self.camera.expose(synth.compose(self.background, patches), t, i)


# ------------------------------------------------------------ worker-process entry points

_PHOTOS: dict[str, synth.PersonPhoto] = {}


def worker_init(photos: dict[str, synth.PersonPhoto]) -> None:
    import cv2

    cv2.setNumThreads(1)
    _PHOTOS.clear()
    _PHOTOS.update(photos)


def render_to_file(job: tuple[ClipSpec, str]) -> tuple[str, float]:
    """Render a whole clip into `out_dir` (a hidden partial file, renamed when complete).
    Returns (clip name, CPU seconds). Runs in a worker after `worker_init`, or in-process."""
    import os
    import time
    from pathlib import Path

    import cv2

    spec, out_dir = job
    t0 = time.process_time()
    final = Path(out_dir) / spec.name
    partial = final.with_name(f".{final.stem}.partial.mp4")
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*"mp4v"), spec.fps, spec.size)
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {partial} with the mp4v codec")
    try:
        renderer = FrameRenderer(spec, _PHOTOS)
        for i in range(spec.frames):
            writer.write(renderer.frame(i))
    finally:
        writer.release()
    os.replace(partial, final)
    return spec.name, time.process_time() - t0
