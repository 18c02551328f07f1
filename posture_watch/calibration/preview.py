"""The wizard's preview window (OpenCV): the camera picture with the landmarks, a framing guide,
the current measure, the step's prompt, a countdown bar, and the fix for the current problem.

`render_preview(image, sample, state, config, message)` draws on a copy of the frame and returns
it (the frame stays in memory; the window shows it and nothing is written). `PreviewUI` puts it in
a window; q or Esc cancels. The window needs a display; without one the wizard uses the terminal.
"""

from __future__ import annotations

import cv2
import numpy as np

from posture_watch.calibration import setup_checks as sc
from posture_watch.calibration import steps as ws
from posture_watch.core.domain import Detection, Frame
from posture_watch.io.preview import PreviewConfig, display_size

WINDOW = "posture-watch calibration"
GREEN, ORANGE, RED, WHITE, GREY = (120, 200, 80), (60, 160, 255), (70, 70, 235), (240, 240, 240), (205, 205, 205)
_EDGES = ((11, 12), (11, 13), (12, 14), (13, 15), (14, 16), (11, 23), (12, 24), (23, 24),
          (7, 2), (2, 0), (0, 5), (5, 8), (9, 10))
_POINTS = (0, 2, 5, 7, 8, 9, 10, 11, 12, 13, 14)


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour, thickness: int = 1) -> None:
    # a drop shadow of the same stroke (a thicker outline would be wider: OpenCV advances by stroke)
    cv2.putText(img, text, (org[0] + 1, org[1] + 1), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv2.LINE_AA)


def _wrap(text: str, width_px: int, scale: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        candidate = f"{line} {w}".strip()
        if cv2.getTextSize(candidate, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0] > width_px and line:
            lines.append(line)
            line = w
        else:
            line = candidate
    return lines + ([line] if line else [])


def framing_guide(size: tuple[int, int]) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """(head box, shoulder band) where a well-placed person sits: head centred in the upper half,
    shoulders across the middle of the picture, above its lower quarter."""
    w, h = size
    head = (int(0.38 * w), int(0.08 * h), int(0.62 * w), int(0.50 * h))
    shoulders = (int(0.22 * w), int(0.55 * h), int(0.78 * w), int(0.80 * h))
    return head, shoulders


def render_preview(image: np.ndarray, sample: ws.Sample | None, state: ws.WizardState,
                   config: ws.WizardConfig, message: str = "") -> np.ndarray:
    """The preview picture for one sample (a new array; `image` is not changed)."""
    out = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    h, w = out.shape[:2]
    scale = max(0.55, w / 1100)   # ~16 px capitals in an 800 px window
    head, shoulders = framing_guide((w, h))
    problems = sample.setup.problems if sample is not None else ()
    guide_colour = GREEN if not problems else ORANGE
    cv2.ellipse(out, ((head[0] + head[2]) // 2, (head[1] + head[3]) // 2),
                ((head[2] - head[0]) // 2, (head[3] - head[1]) // 2), 0, 0, 360, guide_colour, 1, cv2.LINE_AA)
    cv2.line(out, (shoulders[0], shoulders[1]), (shoulders[2], shoulders[1]), guide_colour, 1, cv2.LINE_AA)
    cv2.line(out, (shoulders[0], shoulders[3]), (shoulders[2], shoulders[3]), guide_colour, 1, cv2.LINE_AA)
    if sample is not None and sample.landmarks is not None:
        px = (sample.landmarks[:, :2] * (w, h)).astype(int)
        vis = sample.landmarks[:, 3]
        for a, b in _EDGES:
            if vis[a] > 0.5 and vis[b] > 0.5:
                cv2.line(out, tuple(px[a]), tuple(px[b]), WHITE, 2, cv2.LINE_AA)
        for i in _POINTS:
            if vis[i] > 0.5:
                cv2.circle(out, tuple(px[i]), 4, GREEN, -1, cv2.LINE_AA)
        ref = ws.upright_reference(state)
        if ref and sample.metrics.get("head_drop_ratio") is not None:
            # where the ears were, relative to the shoulders, in the upright capture
            sh_mid = (px[11] + px[12]) / 2
            sw = float(np.linalg.norm(px[11] - px[12]))
            y = int(sh_mid[1] - ref * sw)
            cv2.line(out, (int(sh_mid[0] - 0.4 * sw), y), (int(sh_mid[0] + 0.4 * sw), y), GREEN, 1, cv2.LINE_AA)
    # top band: step and prompt
    n, of = ws.step_number(ws.DONE if state.finished else state.step, config)
    title = ws.TITLES.get(state.step, "Summary")
    band_h = int(h * 0.24)
    overlay = out.copy()
    cv2.rectangle(overlay, (0, 0), (w, band_h), (20, 20, 20), -1)
    cv2.rectangle(overlay, (0, h - int(h * 0.12)), (w, h), (20, 20, 20), -1)
    out = cv2.addWeighted(overlay, 0.6, out, 0.4, 0)
    y = int(28 * scale / 0.6)
    _text(out, f"Step {n} of {of}: {title}", (10, y), scale * 1.1, WHITE, 2)
    for line in _wrap(ws.PROMPTS.get(state.step, ""), w - 20, scale)[:2]:
        y += int(26 * scale / 0.6)
        _text(out, line, (10, y), scale, GREY)
    if message:   # e.g. why a step is being redone
        y += int(26 * scale / 0.6)
        _text(out, _wrap(message, w - 20, scale)[0], (10, y), scale, ORANGE)
    # countdown bar
    if sample is not None:
        phase, left = ws.progress(state, sample.t_s, config)
        if phase == "capture" and left is not None and state.step in ws.CAPTURE_STEPS:
            total = ws._duration(state.step, config)   # noqa: SLF001 - same module family
            frac = 1.0 - left / total if total else 1.0
            cv2.rectangle(out, (0, band_h - 6), (int(w * frac), band_h), GREEN, -1)
        elif phase == "settle" and left is not None:
            _text(out, f"get ready... {left:.0f}", (w // 2 - int(60 * scale), h // 2), scale * 1.6, ORANGE, 2)
    # bottom band: the live measure, and the fix for the current problem
    readout = ws.live_readout(state, sample, config) if sample is not None else ""
    if sample is not None and problems and state.step == ws.SETUP:
        readout = sc.ADVICE[problems[0]]
    colour = ORANGE if (sample is not None and problems and state.step == ws.SETUP) else WHITE
    lines = _wrap(readout.replace("°", " deg"), w - 20, scale)[:2]
    y = h - int(h * 0.12) + int(24 * scale / 0.6)
    for line in lines:
        _text(out, line, (10, y), scale, colour)
        y += int(24 * scale / 0.6)
    return out


class PreviewUI:
    """The wizard in an OpenCV window. Raises on construction if no window can be opened."""

    def __init__(self) -> None:
        self.cancelled = False
        self.config = ws.WizardConfig()
        self._message = ""
        self._size: tuple[int, int] | None = None
        self.min_width_px = PreviewConfig().min_width_px
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        cv2.waitKey(1)

    def begin(self, description: str, live: bool, config: ws.WizardConfig) -> None:
        self.config = config

    def effects(self, effects: list[ws.Effect], state: ws.WizardState) -> None:
        for e in effects:
            if isinstance(e, ws.Redo):
                self._message = f"Again: {e.reason}"
            elif isinstance(e, ws.Prompt) and e.attempt == 1:
                self._message = ""

    def update(self, frame: Frame, detection: Detection, sample: ws.Sample, state: ws.WizardState,
               effects: list[ws.Effect]) -> None:
        self.effects(effects, state)
        h, w = frame.image.shape[:2]
        size = display_size(w, h, self.min_width_px)   # drawn at the window's size: the text stays readable
        image = cv2.resize(frame.image, size, interpolation=cv2.INTER_LINEAR) if size != (w, h) else frame.image
        if size != self._size:
            self._size = size
            cv2.resizeWindow(WINDOW, *size)
        cv2.imshow(WINDOW, render_preview(image, sample, state, self.config, self._message))
        key = cv2.waitKey(1) & 0xFF
        if key in (ord("q"), 27):
            self.cancelled = True

    def ask(self, question: str, default: str) -> str:
        return default

    def finish(self, lines: list[str]) -> None:
        for line in lines:
            print(line)

    def close(self) -> None:
        try:
            cv2.destroyWindow(WINDOW)
            cv2.waitKey(1)
        except cv2.error:
            pass
