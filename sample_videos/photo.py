"""Source photos for the sample-video generator: segment a portrait once, split it into layers.

MediaPipe Pose (IMAGE mode, segmentation mask on) finds the person and the landmarks the rig needs.
The cut-out is padded so a body cut by the photo's edge can continue (in the body's own
smoothed colours), its colours are bled outward
so feathered edges fade the person's own colours, and it is split into two overlapping layers
(head, body) so the head can drop, grow and nod independently of the shoulders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# MediaPipe Pose landmark indices used here (same numbering as posture_watch.core.domain).
NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR = 0, 2, 5, 7, 8
MOUTH_LEFT, MOUTH_RIGHT, LEFT_SHOULDER, RIGHT_SHOULDER = 9, 10, 11, 12


@dataclass(frozen=True, eq=False)
class PersonPhoto:
    """A segmented portrait, padded so that bodies cut by the photo's edges can continue, split into
    two overlapping BGRA layers: the head (down to the upper neck) and the body (everything else,
    up to just above the chin so that the head layer always covers the seam)."""

    name: str
    head: np.ndarray       # (H, W, 4) uint8 BGRA
    body: np.ndarray       # (H, W, 4) uint8 BGRA
    points: dict           # name -> (x, y) source pixels: nose, eyes, ears, mouth, shoulders, chin
    head_half_w: float     # half width of the head outline, source pixels
    head_top_y: float
    head_bottom_y: float   # lowest row of the head layer

    @property
    def shoulder_width(self) -> float:
        (x1, y1), (x2, y2) = self.points["l_shoulder"], self.points["r_shoulder"]
        return math.hypot(x1 - x2, y1 - y2)

    def mid(self, a: str, b: str) -> tuple[float, float]:
        (x1, y1), (x2, y2) = self.points[a], self.points[b]
        return (x1 + x2) / 2, (y1 + y2) / 2


def smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def segment(rgb: np.ndarray, model_path: str) -> tuple[np.ndarray, np.ndarray]:
    """MediaPipe Pose (IMAGE mode) on one photo: (33x2 landmark pixels, float mask 0..1)."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=model_path),
                                        running_mode=vision.RunningMode.IMAGE, num_poses=1,
                                        output_segmentation_masks=True)
    landmarker = vision.PoseLandmarker.create_from_options(opts)
    try:
        result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)))
    finally:
        landmarker.close()
    if not result.pose_landmarks:
        raise RuntimeError("MediaPipe found no person in a source photo")
    h, w = rgb.shape[:2]
    pts = np.array([(p.x * w, p.y * h) for p in result.pose_landmarks[0]], dtype=np.float64)
    mask = np.array(result.segmentation_masks[0].numpy_view(), dtype=np.float32).reshape(h, w)
    return pts, mask


def _extend_mask(mask: np.ndarray, pad: int, slope: float, inset: int = 4) -> np.ndarray:
    """Continue a body cut by the photo's left/right edge: copy the mask of a column near the edge
    outward, sliding it down by `slope` px per px (a shoulder line that keeps falling), and continue
    the bottom row downward. The canvas grows by `pad` on the left, right and bottom."""
    h, w = mask.shape
    out = np.zeros((h + pad, w + 2 * pad), np.float32)
    out[:h, pad:pad + w] = mask
    ys = np.arange(h)
    for col, step in ((inset, -1), (w - 1 - inset, 1)):
        edge = (mask[:, col] > 0.5).astype(np.float32)
        for e in range(1, pad + inset + 1):
            x = pad + col + step * e
            m = edge[np.clip(ys - int(round(slope * e)), 0, h - 1)] * (ys >= slope * e)
            out[:h, x] = np.maximum(out[:h, x], m) if e <= inset else m  # e <= inset: the soft border
    out[h:] = out[h - 1]
    return out


def _bleed(img: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Fill everything outside `core` with colours pulled from inside it (push-pull blur), so the
    feathered edge fades the person's own colours, not the photo's old background."""
    filled = img.copy()
    todo = core < 0.5
    for sigma in (2, 4, 8, 16, 32, 64, 128):
        num = cv2.GaussianBlur(img * core[..., None], (0, 0), sigma)
        den = cv2.GaussianBlur(core, (0, 0), sigma)[..., None]
        ok = todo & (den[..., 0] > 1e-3)
        filled[ok] = (num / np.maximum(den, 1e-6))[ok]
        todo &= ~ok
    return filled


def prepare(name: str, rgb: np.ndarray, model_path: str, pad: int = 160, slope: float = 1.6) -> PersonPhoto:
    pts, mask = segment(rgb, model_path)
    mask = np.round(mask * 64) / 64  # shed last-bit differences between MediaPipe builds
    h, w = mask.shape
    img = np.zeros((h + pad, w + 2 * pad, 3), np.float32)
    img[:h, pad:pad + w] = rgb[..., ::-1]
    core = np.zeros(img.shape[:2], np.float32)
    core[:h, pad:pad + w] = mask > 0.85
    mask = _extend_mask(mask, pad, slope)
    pts = pts + np.array([pad, 0.0])
    bgr = _bleed(img, core)  # the extension takes the body's own colours, smoothly
    alpha = np.clip((mask - 0.35) / 0.4, 0, 1)
    alpha = cv2.GaussianBlur(cv2.erode(alpha, np.ones((3, 3), np.uint8)), (0, 0), 1.2)
    p = {"nose": pts[NOSE], "l_eye": pts[LEFT_EYE], "r_eye": pts[RIGHT_EYE], "l_ear": pts[LEFT_EAR],
         "r_ear": pts[RIGHT_EAR], "l_mouth": pts[MOUTH_LEFT], "r_mouth": pts[MOUTH_RIGHT],
         "l_shoulder": pts[LEFT_SHOULDER], "r_shoulder": pts[RIGHT_SHOULDER]}
    p = {k: (float(v[0]), float(v[1])) for k, v in p.items()}
    eye_y = (p["l_eye"][1] + p["r_eye"][1]) / 2
    mouth_x = (p["l_mouth"][0] + p["r_mouth"][0]) / 2
    mouth_y = (p["l_mouth"][1] + p["r_mouth"][1]) / 2
    p["chin"] = (mouth_x, mouth_y + 0.75 * (mouth_y - eye_y))
    # Head outline from the mask: widest extent between the top of the head and the nose.
    cx = int(round((p["l_ear"][0] + p["r_ear"][0]) / 2))
    rows = (mask[: int(p["nose"][1])] > 0.5)
    top = int(np.argmax(rows[:, cx])) if rows[:, cx].any() else 0
    half = 0.0
    for y in range(top, rows.shape[0]):
        run = rows[y]
        left = cx - int(np.argmin(run[cx::-1])) if not run[cx::-1].all() else 0
        right = cx + int(np.argmin(run[cx:])) if not run[cx:].all() else run.size
        half = max(half, (right - left) / 2)
    # Layers: a head zone (a column as wide as the head, down to the upper neck) and the rest.
    h, w = mask.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    chin_y = p["chin"][1]
    neck = p["l_shoulder"][1] / 2 + p["r_shoulder"][1] / 2 - chin_y
    # The head zone: a column as wide as the hair above the ears, closing below them into a jaw-shaped
    # U that ends just under the chin. The head layer's U ends a little lower than the hole cut into
    # the body layer, so the head always covers the seam and a dropped chin overlaps the neck.
    ear_y = (p["l_ear"][1] + p["r_ear"][1]) / 2
    ear_half = abs(p["l_ear"][0] - p["r_ear"][0]) / 2
    head_bottom = chin_y + 0.12 * neck

    def zone(bottom_y: float) -> np.ndarray:
        s = np.clip((yy - ear_y) / max(bottom_y - ear_y, 1.0), 0, 1)
        width = 1.1 * half + (1.15 * ear_half - 1.1 * half) * smoothstep(s / 0.55)
        zone_half = width * np.sqrt(np.clip(1 - s * s, 0, 1)) - 0.12 * half * (yy > bottom_y)
        return 1 - smoothstep((np.abs(xx - cx) - zone_half) / (0.12 * half))

    head_zone = zone(head_bottom)
    body_cut = zone(chin_y - 0.12 * neck)
    # Above the chin the body layer keeps only the confident part of the mask: the segmentation's
    # soft halo around the head would otherwise stay behind as a ghost when the head moves.
    body_alpha = alpha * (1 - body_cut)
    tight = np.clip((mask - 0.6) / 0.25, 0, 1)
    body_alpha = np.where(yy < chin_y, np.minimum(body_alpha, tight), body_alpha)
    colour = np.clip(bgr, 0, 255).astype(np.uint8)
    head = np.dstack([colour, np.round(255 * alpha * head_zone).astype(np.uint8)])
    body = np.dstack([colour, np.round(255 * body_alpha).astype(np.uint8)])
    return PersonPhoto(name, head, body, p, float(half), float(top), float(head_bottom))
