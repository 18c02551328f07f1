"""Bad set-ups made from the sample clips, for the wizard tests (written into tmp_path).

Each function reads a clip, changes every frame the way a bad set-up would look, and writes a
new mp4 (mp4v) at the same frame rate. They only transform pixels; they know nothing about the
checks that should refuse them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import cv2
import numpy as np


def _frames(path: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    if not frames:
        raise RuntimeError(f"{path} gave no frames")
    return frames, fps


def write_clip(frames: list[np.ndarray], fps: float, out: Path) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    return out


def transformed(src: Path, out: Path, fn: Callable[[int, np.ndarray], np.ndarray], seconds: float | None = None) -> Path:
    frames, fps = _frames(src)
    if seconds is not None:
        frames = frames[: max(1, int(round(seconds * fps)))]
    return write_clip([fn(i, f) for i, f in enumerate(frames)], fps, out)


def upright_part(src: Path, out: Path) -> Path:
    """The clip's upright start, as its labels (`NAME.labels.json` beside it) mark it: the sample
    calibration clip goes on to follow the wizard's other prompts (keyboard, slouch)."""
    import json

    first = json.loads(src.with_name(f"{src.stem}.labels.json").read_text())["segments"][0]
    assert first["label"] == "upright", first
    return transformed(src, out, lambda i, f: f, seconds=float(first["end_s"]))


def darkened(src: Path, out: Path, factor: float = 0.06) -> Path:
    """The room with the lights nearly off: every pixel at `factor` of its brightness."""
    return transformed(src, out, lambda i, f: np.clip(f.astype(np.float32) * factor, 0, 255).astype(np.uint8))


def top_third(src: Path, out: Path) -> Path:
    """Only the top third of the picture (a camera that sees the head and not the shoulders)."""
    return transformed(src, out, lambda i, f: np.ascontiguousarray(f[: f.shape[0] // 3]))


def side_by_side(src: Path, out: Path, other: Path | None = None) -> Path:
    """Two people side by side: the clip next to `other` (or its own mirror image), in a frame
    twice as wide."""
    frames, fps = _frames(src)
    others = _frames(other)[0] if other is not None else [cv2.flip(f, 1) for f in frames]
    h, w = frames[0].shape[:2]
    pairs = [np.hstack([f, cv2.resize(others[i % len(others)], (w, h))]) for i, f in enumerate(frames)]
    return write_clip(pairs, fps, out)


def heavy_motion(src: Path, out: Path, seed: int = 3) -> Path:
    """The person moving about all the time: the picture jumps by up to a fifth of its size and
    zooms in and out, changing every few frames."""
    rng = np.random.default_rng(seed)
    frames, fps = _frames(src)
    h, w = frames[0].shape[:2]
    hold = max(1, int(fps * 0.3))
    moves = [(rng.uniform(-0.12, 0.12) * w, rng.uniform(-0.1, 0.18) * h, rng.uniform(0.8, 1.25))
             for _ in range(len(frames) // hold + 1)]
    out_frames = []
    for i, f in enumerate(frames):
        dx, dy, s = moves[i // hold]
        m = np.array([[s, 0, (1 - s) * w / 2 + dx], [0, s, (1 - s) * h / 2 + dy]], dtype=np.float32)
        out_frames.append(cv2.warpAffine(f, m, (w, h), borderMode=cv2.BORDER_REPLICATE))
    return write_clip(out_frames, fps, out)


def backlit(src: Path, out: Path) -> Path:
    """A bright window behind a dim person: the person's half of the picture darkened, the rest
    pushed towards white (a crude but honest look of a backlit webcam picture)."""
    def fn(i: int, f: np.ndarray) -> np.ndarray:
        g = f.astype(np.float32)
        h, w = g.shape[:2]
        out = g * 0.25
        out[:, : w // 4] = 235
        out[:, 3 * w // 4:] = 235
        out[: h // 8] = 235
        return np.clip(out, 0, 255).astype(np.uint8)
    return transformed(src, out, fn)


def person_gone(src: Path, out: Path) -> Path:
    """The room without the person: the left fifth of each frame (room only) stretched over it."""
    def fn(i: int, f: np.ndarray) -> np.ndarray:
        h, w = f.shape[:2]
        return np.ascontiguousarray(cv2.resize(f[:, : w // 5], (w, h)))
    return transformed(src, out, fn)


def shaken(src: Path, out: Path, amplitude_px: float = 60.0, seed: int = 5) -> Path:
    """A shaking camera: every frame moved by up to `amplitude_px` in x and y (a new offset every
    other frame), without zoom."""
    rng = np.random.default_rng(seed)
    frames, fps = _frames(src)
    h, w = frames[0].shape[:2]
    offsets = rng.uniform(-amplitude_px, amplitude_px, size=(len(frames) // 2 + 1, 2))
    out_frames = []
    for i, f in enumerate(frames):
        dx, dy = offsets[i // 2]
        m = np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32)
        out_frames.append(cv2.warpAffine(f, m, (w, h), borderMode=cv2.BORDER_REPLICATE))
    return write_clip(out_frames, fps, out)
