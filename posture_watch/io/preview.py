"""`run --preview`: an OpenCV window with the landmarks and, in words, what the monitor sees.

Off by default. Without a display it refuses in one sentence before the monitor starts. The window opens
at the camera picture's size, but never narrower than `min_width_px` (the picture is enlarged to it and
the text is drawn at that size, so it stays readable). The header says what a person understands:
"Head forward, about 12°" (posture_watch.core.fault_words, the same words as the notifications and the
report) and, below, how long and what comes next. While monitoring holds (paused, snoozed, screen
locked, camera lost) the window stays open and says so on a dark panel: no picture is shown, the
camera is off. The frame is drawn on a copy in memory and never written anywhere. `q` or Esc closes
the window (the monitor keeps running).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import cv2
import numpy as np

from posture_watch.core import fault_words, messages
from posture_watch.core.domain import (AWAY, GOOD, LEFT_EAR, LEFT_HIP, LEFT_SHOULDER, NOSE, POOR, RIGHT_EAR, RIGHT_HIP,
                                       RIGHT_SHOULDER, Detection, Frame, Reading)
from posture_watch.core.errors import UserError

WINDOW = "posture-watch preview"
COLOURS = {GOOD: (80, 200, 80), POOR: (60, 60, 240), AWAY: (170, 170, 170)}
UNKNOWN_COLOUR = (0, 200, 230)
DETAIL_COLOUR = (235, 235, 235)
BONES = ((LEFT_EAR, RIGHT_EAR), (LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_SHOULDER, LEFT_HIP),
         (RIGHT_SHOULDER, RIGHT_HIP), (LEFT_HIP, RIGHT_HIP), (LEFT_EAR, LEFT_SHOULDER), (RIGHT_EAR, RIGHT_SHOULDER))
POINTS = (NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)
MIN_VISIBILITY = 0.3
CLOSE_KEYS = (27, ord("q"))   # Esc, q
HELD = {"paused": "Paused", "snoozed": "Snoozed", "screen locked": "Screen locked", "asleep": "Asleep",
        "camera lost": "Camera lost", "camera covered": "Camera covered"}


@dataclass(frozen=True)
class PreviewConfig:
    """[preview] in config.toml.

    min_width_px:   the window opens at the camera picture's size, but at least this wide (the picture is
                    enlarged): at 800 px the header's letters are about 20 px tall.
    text_px_per_800px: height of the header's capital letters for a window 800 px wide (scales with it).
    events_every_s: between samples (up to seconds apart) the window handles its events this often (moving,
                    resizing, closing it), so the window manager never finds it hung.
    """

    min_width_px: int = 800
    text_px_per_800px: float = 20.0
    events_every_s: float = 0.1

    def __post_init__(self) -> None:
        if not 200 <= self.min_width_px <= 4000:
            raise ValueError("preview.min_width_px must be between 200 and 4000 px.")
        if not 8 <= self.text_px_per_800px <= 80:
            raise ValueError("preview.text_px_per_800px must be between 8 and 80 px.")
        if not 0.01 <= self.events_every_s <= 1.0:
            raise ValueError("preview.events_every_s must be between 0.01 and 1 s.")


def display_problem() -> str | None:
    """Why no window can be opened here, or None."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "--preview needs a graphical display, and there is none here (DISPLAY and WAYLAND_DISPLAY are not set)."
    return None


def display_size(width: int, height: int, min_width_px: int) -> tuple[int, int]:
    """The window's size for a picture of width x height: the same, or enlarged to min_width_px wide."""
    if width >= min_width_px or width <= 0:
        return width, height
    return min_width_px, round(height * min_width_px / width)


def header_lines(reading: Reading, status: Mapping[str, Any]) -> list[str]:
    """The header in words: the headline ('Head forward, about 12°'), other faults ('also slouching') when
    there are, and the detail ('for 45 s; sitting for 12 min; next break in 18 min')."""
    also = ""
    if reading.state == POOR:
        faults = list(reading.faults) or [None]
        head = fault_words.phrase(faults[0], reading.deviations, capital=True)
        if len(faults) > 1:
            also = "also " + " and ".join(fault_words.name(f) for f in faults[1:])
    elif reading.state == GOOD:
        head = "Sitting well" + (f" (score {reading.score:.0f} of 100)" if reading.score is not None else "")
    elif reading.state == AWAY:
        head = "Away from the desk"
    elif "uncalibrated" in reading.flags:
        head = "No profile: posture is not judged (run `posture-watch calibrate`)"
    else:
        head = "Cannot judge posture: face or shoulders not clearly visible"
    detail = []
    stretch = status.get("current_stretch_s") or 0.0
    if reading.state == POOR and stretch >= 5:
        detail.append(f"for {messages.minutes_text(stretch)}")
    if status.get("sitting_s"):
        detail.append(f"sitting for {messages.minutes_text(status['sitting_s'])}")
    reminder = status.get("next_break_reminder_in_s")
    if reminder is not None and reading.state != AWAY:
        detail.append(f"next break in {messages.minutes_text(reminder)}")
    return [head] + ([also] if also else []) + ["; ".join(detail)]


def held_lines(status: Mapping[str, Any]) -> list[str]:
    """[headline, detail] while monitoring holds: 'Paused' / 'until 14:05; the camera is off'."""
    condition = str(status.get("condition") or "paused")
    head = HELD.get(condition, condition.capitalize())
    if condition == "paused":
        until = status.get("paused_until")
        detail = f"until {messages.clock_text(until)}" if until else "until you resume (posture-watch resume)"
    elif condition == "snoozed":
        detail = f"no warnings until {messages.clock_text(status.get('snoozed_until'))}"
    elif condition in ("screen locked", "asleep"):
        detail = "monitoring starts again when you are back"
    elif condition == "camera lost":
        detail = str(status.get("lost_reason") or "reconnecting").rstrip(".")
    else:
        detail = "not monitoring until it is uncovered"
    if status.get("live") and not status.get("camera_open"):
        detail += "; the camera is off"
    return [head, detail]


def _scales(width: int, config: PreviewConfig) -> tuple[float, float, int]:
    """(headline font scale, detail font scale, line height) for a picture `width` px wide."""
    cap_px = config.text_px_per_800px * width / 800.0
    head = cap_px / 22.0      # FONT_HERSHEY_SIMPLEX capitals are ~22 px tall at scale 1
    return head, head * 0.75, int(cap_px * 1.9)


def _put(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int]) -> None:
    thick = max(1, round(scale * 2.2))
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)


def _fit(text: str, scale: float, width: int) -> str:
    """`text`, shortened with '...' to fit `width` px."""
    while text and cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)[0][0] > width:
        text = text[:-4].rstrip(" ,;") + "..."
    return text


def _header(out: np.ndarray, lines: list[str], colour: tuple[int, int, int], config: PreviewConfig) -> None:
    """The headline in the state's colour, then the smaller lines, on a dark band across the top."""
    w = out.shape[1]
    head_scale, detail_scale, line_h = _scales(w, config)
    rest = [line for line in lines[1:] if line]
    band = int(line_h * (1.5 + 0.95 * len(rest)))
    overlay = out.copy()
    cv2.rectangle(overlay, (0, 0), (w, band), (25, 25, 25), -1)
    out[:band] = cv2.addWeighted(overlay[:band], 0.65, out[:band], 0.35, 0)
    margin = int(line_h * 0.5)
    y = int(line_h * 1.1)
    _put(out, _fit(lines[0], head_scale, w - 2 * margin), (margin, y), head_scale, colour)
    for line in rest:
        y += int(line_h * 0.95)
        _put(out, _fit(line, detail_scale, w - 2 * margin), (margin, y), detail_scale, DETAIL_COLOUR)


def draw(image: np.ndarray, detection: Detection, reading: Reading, status: Mapping[str, Any] | None = None,
         config: PreviewConfig = PreviewConfig()) -> np.ndarray:
    """The window's picture: `image` enlarged to the display size (a new array), the first person's key
    landmarks, and the header in words."""
    h, w = image.shape[:2]
    size = display_size(w, h, config.min_width_px)
    out = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR) if size != (w, h) else image.copy()
    if out.ndim == 2:
        out = cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)
    dw, dh = size
    colour = COLOURS.get(reading.state, UNKNOWN_COLOUR)
    if detection.poses:
        lm = detection.poses[0].landmarks
        radius, thick = max(4, dw // 160), max(2, dw // 320)

        def point(i: int) -> tuple[int, int] | None:
            if lm[i, 3] < MIN_VISIBILITY:
                return None
            return int(lm[i, 0] * dw), int(lm[i, 1] * dh)

        for a, b in BONES:
            pa, pb = point(a), point(b)
            if pa and pb:
                cv2.line(out, pa, pb, colour, thick, cv2.LINE_AA)
        for i in POINTS:
            p = point(i)
            if p:
                cv2.circle(out, p, radius, colour, -1, cv2.LINE_AA)
    _header(out, header_lines(reading, status or {}), colour, config)
    return out


def held_picture(size: tuple[int, int], status: Mapping[str, Any], config: PreviewConfig = PreviewConfig()) -> np.ndarray:
    """What the window shows while monitoring holds: a dark panel (no camera picture) with the reason."""
    w, h = size
    out = np.full((h, w, 3), 40, dtype=np.uint8)
    head, detail = held_lines(status)
    head_scale, detail_scale, line_h = _scales(w, config)
    big = head_scale * 2.0
    (tw, _), _ = cv2.getTextSize(head, cv2.FONT_HERSHEY_SIMPLEX, big, 3)
    _put(out, head, ((w - tw) // 2, h // 2), big, (90, 200, 255))
    detail = _fit(detail, detail_scale * 1.2, w - line_h)
    (dw_, _), _ = cv2.getTextSize(detail, cv2.FONT_HERSHEY_SIMPLEX, detail_scale * 1.2, 2)
    _put(out, detail, ((w - dw_) // 2, h // 2 + int(line_h * 1.6)), detail_scale * 1.2, DETAIL_COLOUR)
    return out


class Preview:
    """The window. `show` and `held` return False once the user closed it."""

    def __init__(self, config: PreviewConfig = PreviewConfig()) -> None:
        problem = display_problem()
        if problem:
            raise UserError(problem)
        self.config = config
        self.size: tuple[int, int] | None = None
        try:
            cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise UserError(f"--preview could not open a window on this display ({str(exc).strip().splitlines()[-1]}).") from None
        cv2.resizeWindow(WINDOW, *display_size(640, 480, config.min_width_px))  # until the first picture says
        cv2.waitKey(1)   # the toolkit applies the size at its next event: now, not at the first picture
        self.open = True

    def show(self, frame: Frame, detection: Detection, reading: Reading, status: Mapping[str, Any]) -> bool:
        if not self.open:
            return False
        return self._put(draw(frame.image, detection, reading, status, self.config))

    def held(self, status: Mapping[str, Any]) -> bool:
        """Say why monitoring holds (paused, snoozed, locked, camera lost) in the open window."""
        if not self.open:
            return False
        size = self.size or display_size(640, 480, self.config.min_width_px)
        return self._put(held_picture(size, status, self.config))

    def responsive(self, sleep: Callable[[float], bool]) -> Callable[[float], bool]:
        """`sleep` (a Waker's: True when cut short) in slices of `events_every_s`, the window handling its
        events in between, so it can be moved, resized or closed (q or Esc, too) while the monitor waits for
        the next sample."""
        def wait(seconds: float) -> bool:
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0:
                if sleep(min(left, self.config.events_every_s)):
                    return True
                if self.open and (cv2.waitKey(1) & 0xFF) in CLOSE_KEYS:
                    self.close()   # the monitor sees it closed at its next sample and goes on without it
            return False
        return wait

    def _put(self, picture: np.ndarray) -> bool:
        size = (picture.shape[1], picture.shape[0])
        if size != self.size:
            self.size = size
            cv2.resizeWindow(WINDOW, *size)   # the picture's size, not Qt's 400x300
        return show_in(WINDOW, picture)

    def close(self) -> None:
        if self.open:
            close_window(WINDOW)
            self.open = False


def show_in(window: str, picture: np.ndarray) -> bool:
    """Show `picture` in `window`; False once the user closed it or pressed q or Esc."""
    cv2.imshow(window, picture)
    key = cv2.waitKey(1) & 0xFF
    if key in CLOSE_KEYS:
        return False
    try:
        return cv2.getWindowProperty(window, cv2.WND_PROP_VISIBLE) >= 1
    except cv2.error:
        return False


def close_window(window: str) -> None:
    try:
        cv2.destroyWindow(window)
        cv2.waitKey(1)
    except cv2.error:
        pass
