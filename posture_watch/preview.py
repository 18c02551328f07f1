"""`run --preview`: an OpenCV window with the landmarks, the judged state and the current deviation.

Off by default. Without a display it refuses in one sentence before the monitor starts. The frame
is drawn on a copy in memory and never written anywhere. `q` or Esc closes the window (the monitor
keeps running).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import cv2
import numpy as np

from posture_watch.domain import (AWAY, GOOD, LEFT_EAR, LEFT_HIP, LEFT_SHOULDER, NOSE, POOR, RIGHT_EAR, RIGHT_HIP,
                                  RIGHT_SHOULDER, Detection, Frame, Reading)
from posture_watch.errors import UserError

WINDOW = "posture-watch preview"
COLOURS = {GOOD: (80, 200, 80), POOR: (40, 40, 230), AWAY: (160, 160, 160)}
BONES = ((LEFT_EAR, RIGHT_EAR), (LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_SHOULDER, LEFT_HIP),
         (RIGHT_SHOULDER, RIGHT_HIP), (LEFT_HIP, RIGHT_HIP), (LEFT_EAR, LEFT_SHOULDER), (RIGHT_EAR, RIGHT_SHOULDER))
POINTS = (NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)
MIN_VISIBILITY = 0.3


def display_problem() -> str | None:
    """Why no window can be opened here, or None."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "--preview needs a graphical display, and there is none here (DISPLAY and WAYLAND_DISPLAY are not set)."
    return None


def draw(image: np.ndarray, detection: Detection, reading: Reading) -> np.ndarray:
    """A copy of `image` with the first person's key landmarks, the state and the largest deviation."""
    out = image.copy()
    h, w = out.shape[:2]
    colour = COLOURS.get(reading.state, (0, 200, 230))
    if detection.poses:
        lm = detection.poses[0].landmarks

        def point(i: int) -> tuple[int, int] | None:
            if lm[i, 3] < MIN_VISIBILITY:
                return None
            return int(lm[i, 0] * w), int(lm[i, 1] * h)

        for a, b in BONES:
            pa, pb = point(a), point(b)
            if pa and pb:
                cv2.line(out, pa, pb, colour, 2, cv2.LINE_AA)
        for i in POINTS:
            p = point(i)
            if p:
                cv2.circle(out, p, 4, colour, -1, cv2.LINE_AA)
    label = reading.state if reading.score is None else f"{reading.state} {reading.score:.0f}"
    if reading.faults:
        label += "  " + ", ".join(f.replace("_", " ") for f in reading.faults)
    lines = [label]
    if reading.deviations:
        name, value = max(reading.deviations.items(), key=lambda kv: abs(kv[1]))
        lines.append(f"{name.replace('_', ' ')}: {value:+.1f}")
    for k, text in enumerate(lines):
        y = 28 + 26 * k
        cv2.putText(out, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(out, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, colour, 2, cv2.LINE_AA)
    return out


class Preview:
    """The window. `show` returns False once the user closed it."""

    def __init__(self) -> None:
        problem = display_problem()
        if problem:
            raise UserError(problem)
        try:
            cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)
        except cv2.error as exc:
            raise UserError(f"--preview could not open a window on this display ({str(exc).strip().splitlines()[-1]}).") from None
        self.open = True

    def show(self, frame: Frame, detection: Detection, reading: Reading, status: dict[str, Any]) -> bool:
        if not self.open:
            return False
        cv2.imshow(WINDOW, draw(frame.image, detection, reading))
        key = cv2.waitKey(1) & 0xFF
        if key in (27, ord("q")):
            return False
        try:
            return cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) >= 1
        except cv2.error:
            return False

    def close(self) -> None:
        if self.open:
            try:
                cv2.destroyWindow(WINDOW)
                cv2.waitKey(1)
            except cv2.error:
                pass
            self.open = False
