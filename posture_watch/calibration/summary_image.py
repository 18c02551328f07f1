"""The annotated summary picture saved next to a profile (`desk.json` -> `desk.summary.png`).

A schematic, not a photo (frames never touch the disk): the median landmarks of the upright
capture drawn as a figure in the camera's frame, with the baseline and the warning line of each
threshold drawn where that posture would put the body, and the thresholds as text, e.g.
"warn when the head drops 9% (about 16°)". Rendered with matplotlib's Agg backend (no display).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

import numpy as np

from posture_watch.io.files import write_private_atomic
from posture_watch.core.domain import (
    LEFT_EAR, LEFT_ELBOW, LEFT_EYE, LEFT_HIP, LEFT_SHOULDER, MOUTH_LEFT, MOUTH_RIGHT, NOSE, RIGHT_EAR, RIGHT_ELBOW,
    RIGHT_EYE, RIGHT_HIP, RIGHT_SHOULDER,
)
from posture_watch.core.judge import JudgeConfig
from posture_watch.core.profile import Profile
from posture_watch.calibration.steps import Sample
from posture_watch.calibration.summary import engine_rule, thresholds

BASE_COLOUR = "#4cc38a"
WARN_COLOUR = "#ff9f43"
FIGURE_COLOUR = "#e8eef4"
BACKGROUND = "#1d2127"


def typical_landmarks(samples: Sequence[Sample]) -> np.ndarray | None:
    """Per-landmark median (x, y, visibility) of the upright samples, normalised to the image."""
    arrays = [s.landmarks[:, [0, 1, 3]] for s in samples if s.landmarks is not None]
    if not arrays:
        return None
    return np.median(np.stack(arrays), axis=0)


def _figure_canvas(w: int, h: int):
    import matplotlib
    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 10 * h / w + 3.2), dpi=100, facecolor=BACKGROUND)
    top = 3.2 / (10 * h / w + 3.2)
    ax = fig.add_axes((0.03, top, 0.94, 1 - top - 0.02))
    text_ax = fig.add_axes((0.03, 0.0, 0.94, top))
    text_ax.set_axis_off()
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_aspect("equal")
    ax.set_facecolor("#15181d")
    for spine in ax.spines.values():
        spine.set_color("#59626e")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig, ax, text_ax


def _label(ax, x: float, y: float, text: str, colour: str, va: str = "center", ha: str = "left") -> None:
    ax.text(x, y, text, color=colour, fontsize=11, va=va, ha=ha,
            bbox=dict(boxstyle="round,pad=0.25", fc=BACKGROUND, ec=colour, lw=0.8, alpha=0.9))


def _near_side(vis: np.ndarray) -> tuple[int, int, int]:
    """(ear, shoulder, hip) of the side nearer the camera (the more visible one)."""
    left = vis[LEFT_EAR] + vis[LEFT_SHOULDER] + 0.5 * vis[LEFT_HIP]
    right = vis[RIGHT_EAR] + vis[RIGHT_SHOULDER] + 0.5 * vis[RIGHT_HIP]
    return (LEFT_EAR, LEFT_SHOULDER, LEFT_HIP) if left >= right else (RIGHT_EAR, RIGHT_SHOULDER, RIGHT_HIP)


def _draw_figure(ax, px: np.ndarray, vis: np.ndarray, side_view: bool = False) -> None:
    def seg(a: int, b: int, lw: float = 3.0) -> None:
        ax.plot([px[a, 0], px[b, 0]], [px[a, 1], px[b, 1]], color=FIGURE_COLOUR, lw=lw, solid_capstyle="round")

    ear_mid = (px[LEFT_EAR] + px[RIGHT_EAR]) / 2
    sh_mid = (px[LEFT_SHOULDER] + px[RIGHT_SHOULDER]) / 2
    seg(LEFT_SHOULDER, RIGHT_SHOULDER, 4)
    for s, e in ((LEFT_SHOULDER, LEFT_ELBOW), (RIGHT_SHOULDER, RIGHT_ELBOW)):
        if vis[e] > 0.5:
            seg(s, e, 3)
    chin = (px[MOUTH_LEFT] + px[MOUTH_RIGHT]) / 2
    ax.plot([sh_mid[0], chin[0]], [sh_mid[1], chin[1]], color=FIGURE_COLOUR, lw=3, alpha=0.6)
    eyes = (px[LEFT_EYE] + px[RIGHT_EYE]) / 2
    eye_mouth = max(float(chin[1] - eyes[1]), 1.0)
    head_w = max(float(np.linalg.norm(px[LEFT_EAR] - px[RIGHT_EAR])) * 1.15, 2.0 * eye_mouth)
    head_c = (eyes[0], eyes[1] + 0.1 * eye_mouth)
    from matplotlib.patches import Ellipse
    if side_view:   # seen from the side the head is long front to back: size it from ear to nose
        ear = px[_near_side(vis)[0]]
        reach = max(float(np.linalg.norm(px[NOSE] - ear)), 1.0)
        head_c = (ear[0] + 0.3 * (px[NOSE, 0] - ear[0]), ear[1] - 0.25 * reach)
        ax.add_patch(Ellipse(head_c, 1.8 * reach, 2.1 * reach, fill=False, ec=FIGURE_COLOUR, lw=2.5))
        _, sh, hip = _near_side(vis)
        if vis[hip] > 0.5:
            seg(sh, hip, 4)
    else:
        ax.add_patch(Ellipse(head_c, head_w, 3.4 * eye_mouth, fill=False, ec=FIGURE_COLOUR, lw=2.5))
    for i in (NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR, MOUTH_LEFT, MOUTH_RIGHT, LEFT_SHOULDER, RIGHT_SHOULDER):
        ax.plot(px[i, 0], px[i, 1], "o", color=FIGURE_COLOUR, ms=5)
    ax.plot(*ear_mid, "o", color=BASE_COLOUR, ms=7)
    ax.plot(*sh_mid, "o", color=BASE_COLOUR, ms=7)


def render_summary(profile: Profile, upright: Sequence[Sample], name: str,
                   judge_config: JudgeConfig = JudgeConfig(), notes: Sequence[str] = ()) -> bytes:
    """The summary picture as PNG bytes."""
    w, h = profile.resolution if all(profile.resolution) else (1280, 720)
    fig, ax, text_ax = _figure_canvas(w, h)
    typical = typical_landmarks(upright)
    limits = {t.deviation: t for t in thresholds(profile, judge_config)}
    if typical is not None:
        px = typical[:, :2] * (w, h)
        vis = typical[:, 2]
        _draw_figure(ax, px, vis, side_view=profile.view == "side")
        ear_mid = (px[LEFT_EAR] + px[RIGHT_EAR]) / 2
        sh_mid = (px[LEFT_SHOULDER] + px[RIGHT_SHOULDER]) / 2
        sw = float(np.linalg.norm(px[LEFT_SHOULDER] - px[RIGHT_SHOULDER]))
        x0, x1 = min(px[LEFT_SHOULDER, 0], px[RIGHT_SHOULDER, 0]), max(px[LEFT_SHOULDER, 0], px[RIGHT_SHOULDER, 0])
        # labels go on the side of the figure with more room
        # labels sit at the edge of the picture on the side with more room, joined by a leader line
        room_right = w - x1 > x0
        label_x = 0.985 * w if room_right else 0.015 * w
        side = "right" if room_right else "left"
        line_end = x1 if room_right else x0
        if profile.view != "side" and sw > 1:
            hd = limits.get("head_drop_pct")
            ax.plot([x0, x1], [ear_mid[1]] * 2, "--", color=BASE_COLOUR, lw=1.5)
            ax.plot([line_end, label_x], [ear_mid[1]] * 2, ":", color=BASE_COLOUR, lw=0.8)
            _label(ax, label_x, ear_mid[1], "your upright head height", BASE_COLOUR, ha=side)
            if hd is not None:
                y = sh_mid[1] - (1 - hd.value / 100) * (sh_mid[1] - ear_mid[1])
                ax.plot([x0, x1], [y, y], color=WARN_COLOUR, lw=2)
                ax.plot([line_end, label_x], [y, y + 0.035 * h], ":", color=WARN_COLOUR, lw=0.8)
                ax.annotate("", xy=(ear_mid[0], y), xytext=(ear_mid[0], ear_mid[1]),
                            arrowprops=dict(arrowstyle="->", color=WARN_COLOUR, lw=1.5))
                _label(ax, label_x, y + 0.035 * h, hd.text, WARN_COLOUR, va="top", ha=side)
            sd = limits.get("shoulder_drop_pct")
            ax.plot([x0 - 0.05 * w, x1 + 0.02 * w], [sh_mid[1]] * 2, "--", color=BASE_COLOUR, lw=1.2, alpha=0.7)
            if sd is not None:
                y = sh_mid[1] + sd.value / 100 * sw
                ax.plot([x0 - 0.05 * w, x1 + 0.02 * w], [y, y], color=WARN_COLOUR, lw=1.5, alpha=0.8)
                _label(ax, max(0.01 * w, x0 - 0.05 * w), min(y + 0.02 * h, 0.97 * h), sd.text, WARN_COLOUR, va="top")
            lean = limits.get("shoulder_scale_pct")
            if lean is not None:
                half = sw * (1 + lean.value / 100) / 2
                ax.plot([sh_mid[0] - half] * 2, [sh_mid[1] - 0.03 * h, sh_mid[1] + 0.03 * h], color=WARN_COLOUR, lw=1.5)
                ax.plot([sh_mid[0] + half] * 2, [sh_mid[1] - 0.03 * h, sh_mid[1] + 0.03 * h], color=WARN_COLOUR, lw=1.5)
                ax.text(sh_mid[0] + half, sh_mid[1] - 0.035 * h, f"lean-in limit: {lean.value:.0f}% wider",
                        color=WARN_COLOUR, fontsize=9, ha="center", va="bottom")
        else:
            near_ear, near_sh, near_hip = _near_side(vis)
            ear, sh, hip = px[near_ear], px[near_sh], px[near_hip]
            ax.plot([sh[0], ear[0]], [sh[1], ear[1]], "--", color=BASE_COLOUR, lw=2)
            hf = limits.get("head_forward_deg")
            if hf is not None:
                facing = 1.0 if px[NOSE, 0] >= ear[0] else -1.0
                v = ear - sh
                a = np.radians(hf.value) * facing
                rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
                tip = sh + rot @ v
                ax.plot([sh[0], tip[0]], [sh[1], tip[1]], color=WARN_COLOUR, lw=2)
                _label(ax, 0.985 * w if facing > 0 else 0.015 * w, max(tip[1], 0.05 * h), hf.text, WARN_COLOUR,
                       ha="right" if facing > 0 else "left")
            tf = limits.get("trunk_forward_deg")
            if tf is not None and vis[near_hip] > 0.5:
                facing = 1.0 if px[NOSE, 0] >= ear[0] else -1.0
                a = np.radians(tf.value) * facing
                rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
                tip = hip + rot @ (sh - hip)
                ax.plot([hip[0], sh[0]], [hip[1], sh[1]], "--", color=BASE_COLOUR, lw=1.5)
                ax.plot([hip[0], tip[0]], [hip[1], tip[1]], color=WARN_COLOUR, lw=2)
                _label(ax, 0.985 * w if facing > 0 else 0.015 * w, (sh[1] + hip[1]) / 2, tf.text, WARN_COLOUR,
                       ha="right" if facing > 0 else "left")
    else:
        ax.text(w / 2, h / 2, "no landmarks to draw", color=FIGURE_COLOUR, ha="center")

    created = profile.created_at.replace("T", " ")[:16]
    lines = [(f"Profile '{name}'  -  {profile.view.replace('_', '-')} view, {w}x{h}, {created} UTC", FIGURE_COLOUR, 14)]
    for t in limits.values():
        tag = "" if t.source == "default" else f"   [{t.source}]"
        lines.append((f"- {t.text}{tag}", WARN_COLOUR if t.deviation == "head_drop_pct" else FIGURE_COLOUR, 12))
    lines.append((engine_rule(), "#aab4c0", 11))
    for n in notes:
        lines.append((n, "#aab4c0", 11))
    lines.append(("A drawing of your calibrated upright posture; no camera picture is stored.", "#7d8896", 10))
    y = 0.95
    step = min(0.1, 0.95 / max(len(lines), 1))
    for text, colour, size in lines:
        text_ax.text(0.0, y, text, color=colour, fontsize=size, va="top", ha="left", transform=text_ax.transAxes)
        y -= step
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor=BACKGROUND)
    return buf.getvalue()


def write_png(data: bytes, path: Path | str) -> Path:
    """Write atomically with mode 0600 (it shows a body's proportions: private, like the profile)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_atomic(path, data)
    return path
