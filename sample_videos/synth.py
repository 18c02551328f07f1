"""Rendering for the sample-video generator: a posed person in a synthetic room, one frame at a time.

Pure image code, no files: `generate.py` owns the clip list and the files, `timeline.py` the
phases. A frame is the room plus, per person, two BGRA layers of a segmented portrait (photo.py)
drawn with `cv2.remap` from backward maps computed on a coarse grid:

    output pixel --(whole-person move)^-1--> upright canonical frame --> source photo pixel

The body layer follows B (breathing, sway, and for a forward lean: grow ~6 %, sink a little); the
head layer follows H = B o H_rel (drop by ~1/4 shoulder width, grow ~10 %, small roll and drift),
drawn over the body so a dropped chin covers the neck. A lateral lean rotates both about a point
below the frame; walking away slides both out. A glance at the keyboard is a head pitch seen from
the front: the face slides down inside the head outline while the ears and hair stay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from sample_videos.photo import PersonPhoto, prepare, smoothstep  # noqa: F401 (re-exported)

GRID_STEP_PX = 4  # backward maps are computed on a 4-px grid, then upsampled (they are smooth)


@dataclass(frozen=True)
class Look:
    """How strongly each posture shows in the picture (the generator's tunable constants)."""

    head_drop_sw: float = 0.24     # forward lean: head drop relative to the shoulders, shoulder widths
    head_growth: float = 0.10      # forward lean: head scale gain (closer to the camera)
    body_growth: float = 0.06      # forward lean: shoulders/torso scale gain
    body_sink_sw: float = 0.04     # forward lean: whole upper body sinks, shoulder widths
    pitch_nose_drop_eye: float = 0.35  # glance: the nose slides down by this many eye distances
    out_shift_w: float = 1.2       # walking away: sideways travel, frame widths
    noise_sigma: float = 3.0       # sensor noise, grey levels
    light_drift: float = 0.05      # slow global brightness drift, fraction
    exposure_jitter: float = 0.006  # frame-to-frame gain flicker, fraction (keeps the encoder from
                                    # freezing a static background into identical frames)
    breath_px: float = 1.8         # shoulders rise and fall, pixels
    head_wobble_px: float = 3.0    # small head movements, pixels
    head_roll_deg: float = 1.6     # small head roll, degrees


@dataclass(frozen=True)
class Posture:
    """One instant of a timeline. All zero = seated upright, in view."""

    lean: float = 0.0      # 0 upright .. 1 full forward lean with head drop
    pitch: float = 0.0     # 0 .. 1 head pitched down (glance at the keyboard)
    tilt_deg: float = 0.0  # lateral lean of the upper body; + leans toward the frame's right
    out: float = 0.0       # 0 seated in view .. 1 walked out of the frame

    def mix(self, other: "Posture", a: float) -> "Posture":
        return Posture(*(x + (y - x) * a for x, y in zip(
            (self.lean, self.pitch, self.tilt_deg, self.out),
            (other.lean, other.pitch, other.tilt_deg, other.out))))


@dataclass(frozen=True)
class Placement:
    """Where a person sits in the frame while upright: shoulder midpoint and shoulder width."""

    center_x_frac: float = 0.5
    shoulder_y_frac: float = 0.70
    shoulder_width_frac: float = 0.42


# ---------------------------------------------------------------- the room

def room(size: tuple[int, int], seed: int) -> np.ndarray:
    """A plausible, person-free home-office wall: window, shelf with books, framed print, sideboard."""
    w, h = size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array([168, 184, 198], np.float32)  # warm beige, BGR
    light = 1.0 - 0.18 * (yy / h) ** 1.5 - 0.12 * (xx / w)
    wall = base * light[..., None]
    tex = cv2.resize(rng.normal(0, 1, (h // 16, w // 16)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    wall += 3.5 * tex[..., None]
    img = wall
    cv2.rectangle(img, (0, 0), (w, int(0.035 * h)), (150, 160, 170), -1)  # ceiling shadow line
    # Window on the left: bright pane, frame, mullions.
    x0, y0, x1, y1 = int(0.03 * w), int(0.09 * h), int(0.24 * w), int(0.46 * h)
    sky = np.linspace(245, 225, y1 - y0, dtype=np.float32)[:, None, None] * np.array([1.0, 0.98, 0.93])
    img[y0:y1, x0:x1] = sky
    for (a, b, c, d) in ((x0, y0, x1, y1),):
        cv2.rectangle(img, (a, b), (c, d), (215, 222, 228), 6)
    cv2.line(img, ((x0 + x1) // 2, y0), ((x0 + x1) // 2, y1), (215, 222, 228), 4)
    cv2.line(img, (x0, (y0 + y1) // 2), (x1, (y0 + y1) // 2), (215, 222, 228), 4)
    # Shelf with books on the right.
    sy = int(0.36 * h)
    cv2.rectangle(img, (int(0.70 * w), sy), (w, sy + 9), (70, 95, 125), -1)
    x = int(0.72 * w)
    palette = [(60, 60, 150), (140, 90, 40), (40, 120, 60), (150, 150, 150), (30, 60, 110), (90, 40, 90)]
    while x < w - 12:
        bw, bh = int(rng.integers(10, 22)), int(rng.integers(38, 62))
        col = np.array(palette[int(rng.integers(len(palette)))], np.float32) * rng.uniform(0.8, 1.1)
        cv2.rectangle(img, (x, sy - bh), (x + bw, sy - 1), col.tolist(), -1)
        cv2.line(img, (x + bw, sy - bh), (x + bw, sy - 1), (40, 40, 40), 1)
        x += bw + int(rng.integers(0, 4))
    # A framed landscape print.
    px0, py0, px1, py1 = int(0.60 * w), int(0.10 * h), int(0.74 * w), int(0.25 * h)
    grad = np.linspace(0, 1, py1 - py0, dtype=np.float32)[:, None, None]
    img[py0:py1, px0:px1] = (1 - grad) * np.array([200, 170, 120]) + grad * np.array([70, 120, 80])
    cv2.rectangle(img, (px0, py0), (px1, py1), (40, 45, 50), 5)
    # A low sideboard along the bottom (no rounded dark blob: MediaPipe's tracker would take an empty
    # office-chair back for a head and shoulders once the person has left).
    by = int(0.88 * h)
    cv2.rectangle(img, (0, by), (w, h), (62, 88, 118), -1)
    cv2.line(img, (0, by), (w, by), (92, 122, 150), 3)
    for x in (int(0.33 * w), int(0.66 * w)):
        cv2.line(img, (x, by + 6), (x, h), (48, 70, 95), 2)
    img = cv2.GaussianBlur(img, (0, 0), 0.8)
    vignette = 1.0 - 0.22 * (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2) / 2
    return np.clip(img * vignette[..., None], 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- small movements

class Wobble:
    """Seeded smooth small movements: head roll and drift, body sway, breathing."""

    CHANNELS = ("head_dx", "head_dy", "head_roll", "head_scale", "body_dx", "pitch")

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.freqs = rng.uniform(0.02, 0.25, (len(self.CHANNELS), 3))
        self.phases = rng.uniform(0, 2 * math.pi, (len(self.CHANNELS), 3))
        self.breath_hz = rng.uniform(0.22, 0.28)
        self.breath_phase = rng.uniform(0, 2 * math.pi)

    def at(self, t: float) -> dict[str, float]:
        s = np.sin(2 * math.pi * self.freqs * t + self.phases).sum(axis=1) / 1.8  # about -1..1
        out = dict(zip(self.CHANNELS, s.tolist()))
        out["breath"] = math.sin(2 * math.pi * self.breath_hz * t + self.breath_phase)
        return out


# ---------------------------------------------------------------- geometry helpers

def _similarity(scale: float = 1.0, angle_deg: float = 0.0, center=(0.0, 0.0), shift=(0.0, 0.0)) -> np.ndarray:
    """3x3 matrix: p -> R(angle) * scale * (p - center) + center + shift (y down, + angle = clockwise)."""
    a = math.radians(angle_deg)
    c, s = math.cos(a) * scale, math.sin(a) * scale
    cx, cy = center
    return np.array([[c, -s, cx - c * cx + s * cy + shift[0]],
                     [s, c, cy - s * cx - c * cy + shift[1]],
                     [0, 0, 1]], np.float64)


def _apply(m: np.ndarray, x, y):
    return m[0, 0] * x + m[0, 1] * y + m[0, 2], m[1, 0] * x + m[1, 1] * y + m[1, 2]


class PersonRig:
    """One photo placed in the frame; `layers(posture, wobble)` renders it for one frame."""

    def __init__(self, photo: PersonPhoto, place: Placement, size: tuple[int, int], look: Look) -> None:
        self.photo, self.look, self.size = photo, look, size
        w, h = size
        self.sw = place.shoulder_width_frac * w                      # canonical shoulder width, px
        self.k = self.sw / photo.shoulder_width                       # source -> canonical scale
        mx, my = photo.mid("l_shoulder", "r_shoulder")
        self.off = (place.center_x_frac * w - self.k * mx, place.shoulder_y_frac * h - self.k * my)
        c = self.canon
        self.shoulder = (place.center_x_frac * w, place.shoulder_y_frac * h)
        self.chin = c(*photo.points["chin"])
        self.nose = c(*photo.points["nose"])
        self.eye_y = (c(*photo.points["l_eye"])[1] + c(*photo.points["r_eye"])[1]) / 2
        self.eye_dist = abs(photo.points["l_eye"][0] - photo.points["r_eye"][0]) * self.k
        ear_x = (photo.points["l_ear"][0] + photo.points["r_ear"][0]) / 2
        self.anchor = c(ear_x, photo.points["chin"][1])              # the head scales/rolls about the chin
        hw = photo.head_half_w * 1.4
        self.head_box = [c(ear_x + dx, y) for dx in (-hw, hw) for y in (photo.head_top_y - 8, photo.head_bottom_y + 8)]

    def canon(self, x: float, y: float) -> tuple[float, float]:
        return self.k * x + self.off[0], self.k * y + self.off[1]

    def transforms(self, p: Posture, wob: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """(body, head): canonical -> output pixels, the whole-person move already applied."""
        look, (w, h), sw = self.look, self.size, self.sw
        sx, sy = self.shoulder
        lean = p.lean
        body = _similarity(1 + look.body_growth * lean + 0.004 * wob["breath"], 0.0, (sx, h),
                           (1.2 * wob["body_dx"], look.body_sink_sw * sw * lean - look.breath_px * wob["breath"]))
        rel_scale = (1 + look.head_growth * lean) / (1 + look.body_growth * lean) * (1 + 0.01 * wob["head_scale"])
        head_rel = _similarity(rel_scale, look.head_roll_deg * wob["head_roll"], self.anchor,
                               (look.head_wobble_px * wob["head_dx"],
                                look.head_drop_sw * sw * lean + 0.6 * look.head_wobble_px * wob["head_dy"]))
        out = p.out * p.out * (3 - 2 * p.out)
        whole = _similarity(1.0, p.tilt_deg, (sx, 1.3 * h), (look.out_shift_w * w * out, -0.12 * h * out))
        return whole @ body, whole @ body @ head_rel

    def key_points(self, p: Posture, wob: dict[str, float]) -> dict[str, tuple[float, float]]:
        """Where the rig puts the photo's landmarks in the output frame (pitch ignored)."""
        body, head = self.transforms(p, wob)
        return {name: tuple(float(v) for v in _apply(body if "shoulder" in name else head, *self.canon(x, y)))
                for name, (x, y) in self.photo.points.items()}

    def _grid(self, x0: int, y0: int, x1: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
        s = GRID_STEP_PX
        gx = x0 + np.arange(-(-(x1 - x0) // s), dtype=np.float64) * s + (s - 1) / 2
        gy = y0 + np.arange(-(-(y1 - y0) // s), dtype=np.float64) * s + (s - 1) / 2
        return np.meshgrid(gx, gy)

    def _maps(self, cx: np.ndarray, cy: np.ndarray, roi: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Canonical coordinates on the coarse grid -> full-resolution source maps for the ROI."""
        x0, y0, x1, y1 = roi
        gw, gh = cx.shape[1] * GRID_STEP_PX, cx.shape[0] * GRID_STEP_PX
        maps = []
        for v, o in ((cx, self.off[0]), (cy, self.off[1])):
            m = ((v - o) / self.k).astype(np.float32)
            maps.append(cv2.resize(m, (gw, gh), interpolation=cv2.INTER_LINEAR)[: y1 - y0, : x1 - x0])
        return maps[0], maps[1]

    def _pitch(self, hx: np.ndarray, hy: np.ndarray, pitch: float) -> np.ndarray:
        """Glance at the keyboard, a head pitch seen from the front: the face slides down inside the
        head outline, most at the eyes and nose, less at the chin (it foreshortens); the crown of the
        head stretches to fill and the ears stay (they sit near the pitch axis)."""
        e = self.eye_dist
        u = np.abs(hx - self.nose[0]) / e
        fx = 1 - smoothstep((u - 0.70) / 0.32)
        top = self.canon(0.0, self.photo.head_top_y)[1]
        knots_y = [top, self.eye_y - 0.3 * e, self.nose[1], self.chin[1], self.chin[1] + 0.8 * e]
        fy = np.interp(hy, knots_y, [0.0, 0.9, 1.0, 0.6, 0.0])
        return hy - pitch * self.look.pitch_nose_drop_eye * e * fx * fy

    def layers(self, p: Posture, wob: dict[str, float]) -> list[tuple[np.ndarray, tuple[int, int]]]:
        """BGRA patches with their top-left corners, to be drawn in order (body, then head)."""
        w, h = self.size
        body, head = self.transforms(p, wob)
        out = []
        gx, gy = self._grid(0, 0, w, h)
        cx, cy = _apply(np.linalg.inv(body), gx, gy)
        mx, my = self._maps(cx, cy, (0, 0, w, h))
        out.append((cv2.remap(self.photo.body, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT), (0, 0)))
        corners = np.array([_apply(head, x, y) for x, y in self.head_box])
        x0, y0 = np.floor(corners.min(axis=0)).astype(int)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return out
        gx, gy = self._grid(x0, y0, x1, y1)
        hx, hy = _apply(np.linalg.inv(head), gx, gy)
        pitch = min(1.0, max(0.0, p.pitch + 0.06 * wob["pitch"]))
        if pitch > 0:
            hy = self._pitch(hx, hy, pitch)
        mx, my = self._maps(hx, hy, (x0, y0, x1, y1))
        out.append((cv2.remap(self.photo.head, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT), (x0, y0)))
        return out


# ---------------------------------------------------------------- the camera

class Camera:
    """Lighting drift and sensor noise, both seeded: nothing in a clip is pixel-static."""

    def __init__(self, size: tuple[int, int], seed: int, look: Look, bank: int = 6, margin: int = 32) -> None:
        rng = np.random.default_rng(seed)
        w, h = size
        self.size, self.look, self.margin, self.seed = size, look, margin, seed
        self.noise = [np.round(rng.normal(0, look.noise_sigma, (h + margin, w + margin, 3))).astype(np.int16)
                      for _ in range(bank)]
        self.light_f = rng.uniform(1 / 120, 1 / 50, 2)
        self.light_p = rng.uniform(0, 2 * math.pi, 3)

    def expose(self, img: np.ndarray, t: float, frame_index: int) -> np.ndarray:
        d = self.look.light_drift
        gain = 1 + d * (0.7 * math.sin(2 * math.pi * self.light_f[0] * t + self.light_p[0])
                        + 0.3 * math.sin(2 * math.pi * self.light_f[1] * t + self.light_p[1]))
        warm = 0.012 * math.sin(2 * math.pi * self.light_f[0] * 0.7 * t + self.light_p[2])
        rng = np.random.default_rng([self.seed, frame_index])
        gain *= 1 + self.look.exposure_jitter * float(rng.standard_normal())  # auto-exposure flicker
        img = cv2.transform(img, np.diag([gain * (1 - warm), gain, gain * (1 + warm)]).astype(np.float32))
        k, dx, dy = rng.integers(len(self.noise)), rng.integers(self.margin), rng.integers(self.margin)
        w, h = self.size
        return cv2.add(img, self.noise[k][dy:dy + h, dx:dx + w], dtype=cv2.CV_8U)


def compose(background: np.ndarray, patches: list[tuple[np.ndarray, tuple[int, int]]]) -> np.ndarray:
    """Alpha-blend BGRA patches over a copy of the background, in order (integer arithmetic, only
    inside each patch's non-transparent bounding box)."""
    out = background.copy()
    for bgra, (px, py) in patches:
        x, y, w, h = cv2.boundingRect(bgra[..., 3])
        if w == 0 or h == 0:
            continue
        sub = bgra[y:y + h, x:x + w]
        a = cv2.cvtColor(sub[..., 3], cv2.COLOR_GRAY2BGR)
        region = out[py + y:py + y + h, px + x:px + x + w]
        fg = cv2.multiply(cv2.cvtColor(sub, cv2.COLOR_BGRA2BGR), a, scale=1 / 255)
        region[:] = cv2.add(fg, cv2.multiply(region, 255 - a, scale=1 / 255))
    return out
