"""`posture-watch break --preview`: the routine in a window, one instruction at a time, with its timer.

A dark panel (no camera picture: the routine needs none), the step's name, its instruction wrapped to
the width, the seconds left in large figures with a bar, and the step's source in small print. `q` or
Esc stops the routine, as Ctrl-C does in the terminal. Drawing helpers are the preview window's.
"""

from __future__ import annotations

import textwrap

import cv2
import numpy as np

from posture_watch.core.errors import UserError
from posture_watch.core.routine import Step
from posture_watch.io.preview import DETAIL_COLOUR, _fit, _put, close_window, display_problem, show_in

WINDOW = "posture-watch break"
SIZE = (900, 520)
ACCENT = (80, 200, 80)


def picture(step: Step, index: int, count: int, left_s: float, size: tuple[int, int] = SIZE) -> np.ndarray:
    """The panel for `step` (0-based `index` of `count`) with `left_s` seconds to go."""
    w, h = size
    out = np.full((h, w, 3), 32, np.uint8)
    margin = 36
    _put(out, _fit(f"{index + 1}/{count}  {step.name}", 1.0, w - 2 * margin), (margin, 60), 1.0, ACCENT)
    y = 110
    for line in textwrap.wrap(step.say, width=58)[:7]:
        _put(out, line, (margin, y), 0.72, DETAIL_COLOUR)
        y += 36
    s = max(0, int(left_s + 0.999))
    _put(out, f"{s // 60}:{s % 60:02d}", (margin, h - 120), 2.0, DETAIL_COLOUR)
    done = 1.0 - min(1.0, max(0.0, left_s / step.seconds))
    cv2.rectangle(out, (margin, h - 95), (w - margin, h - 80), (70, 70, 70), -1)
    cv2.rectangle(out, (margin, h - 95), (margin + int((w - 2 * margin) * done), h - 80), ACCENT, -1)
    for i, line in enumerate(textwrap.wrap("Source: " + step.source, width=110)[:2]):
        _small(out, line, (margin, h - 50 + 20 * i))
    _small(out, "q or Esc stops", (w - margin - 130, 30))
    return out


def _small(out: np.ndarray, text: str, org: tuple[int, int]) -> None:
    """Small grey print on the dark panel (no outline: it would smear letters this small)."""
    cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.45, (170, 170, 170), 1, cv2.LINE_AA)


class RoutineWindow:
    """`show(...)` returns False once the user closed the window (or pressed q / Esc)."""

    def __init__(self) -> None:
        problem = display_problem()
        if problem:
            raise UserError(problem)
        try:
            cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise UserError(f"--preview could not open a window on this display ({str(exc).strip().splitlines()[-1]}).") from None
        cv2.resizeWindow(WINDOW, *SIZE)
        self.open = True

    def show(self, step: Step, index: int, count: int, left_s: float) -> bool:
        if not self.open:
            return False
        return show_in(WINDOW, picture(step, index, count, left_s))

    def close(self) -> None:
        if self.open:
            close_window(WINDOW)
            self.open = False
