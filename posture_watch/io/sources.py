"""Frame sources: a webcam, a video file, an image folder, or frames held in memory.

Every source yields `Frame(t_s, image)` through one call, `read(not_before_s)`: it skips frames
whose timestamp is earlier than `not_before_s` WITHOUT decoding them into images (`grab()` without
`retrieve()` for OpenCV captures, no `imread` for image folders), then returns the next frame, or
None at the end of a finite source. Timestamps are source time for files and wall time (seconds
since open) for a live camera, so a caller samples at any rate by asking for `last_t + 1/rate`.
"""

from __future__ import annotations

import logging
import math
import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import cv2
import numpy as np

from posture_watch.core.domain import Frame
from posture_watch.core.errors import SourceError, SourceLost
from posture_watch.io.native import quiet_native_stderr

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
_EPS = 1e-6


class FrameSource(ABC):
    """One small interface for every kind of camera-like input."""

    live: bool = False          # wall-clock timestamps, may be lost and reopened
    description: str = "source"

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def read(self, not_before_s: float = 0.0) -> Frame | None:
        """The first frame with t_s >= not_before_s (earlier ones skipped undecoded), or None at the end.
        Raises SourceLost when a live source stops delivering frames."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    def fps(self) -> float | None:
        return None

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) if known."""
        return None

    @property
    def duration_s(self) -> float | None:
        return None

    def __enter__(self) -> "FrameSource":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VideoFileSource(FrameSource):
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.description = f"video {self.path}"
        self._cap: cv2.VideoCapture | None = None
        self._fps = 0.0
        self._index = 0
        self._grabbed = False
        self._frames = 0
        self._size: tuple[int, int] | None = None

    def open(self) -> None:
        if not self.path.exists():
            raise SourceError(f"The video file {self.path} does not exist.")
        if not self.path.is_file():
            raise SourceError(f"{self.path} is not a file.")
        if not os.access(self.path, os.R_OK):
            raise SourceError(f"The video file {self.path} cannot be read (permission denied).")
        # One decoding thread: ~20% less CPU per frame than FFmpeg's frame threads (which also
        # compete with the pose model for the cores).
        threads = [cv2.CAP_PROP_N_THREADS, 1] if hasattr(cv2, "CAP_PROP_N_THREADS") else []
        with quiet_native_stderr():  # FFmpeg prints its own complaint about a broken file
            cap = cv2.VideoCapture(str(self.path), cv2.CAP_ANY, threads)
            usable = cap.isOpened() and cap.grab()
        if not usable:
            cap.release()
            raise SourceError(f"{self.path} is not a video that can be decoded (empty, corrupt or unknown format).")
        self._cap = cap
        self._grabbed = True
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = fps if fps and math.isfinite(fps) and 0.5 <= fps <= 240 else 30.0
        self._frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._size = (w, h) if w > 0 and h > 0 else None
        self._index = 0

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        cap = self._cap
        if cap is None:
            raise SourceError(f"{self.description} is not open.")
        while True:
            if not self._grabbed:
                if not cap.grab():
                    return None
                self._grabbed = True
            t = self._index / self._fps
            self._grabbed = False
            self._index += 1
            if t + _EPS < not_before_s:
                continue  # skipped: grabbed (demuxed) but never converted into an image
            ok, image = cap.retrieve()
            if not ok or image is None or image.size == 0:
                log.warning("frame %d of %s could not be decoded; skipping it", self._index - 1, self.path)
                continue
            return Frame(t, image)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    @property
    def fps(self) -> float | None:
        return self._fps or None

    @property
    def size(self) -> tuple[int, int] | None:
        return self._size

    @property
    def duration_s(self) -> float | None:
        return self._frames / self._fps if self._frames and self._fps else None


class ImageFolderSource(FrameSource):
    """Images in a folder, sorted by name, played at `fps` frames per second of source time."""

    def __init__(self, folder: Path | str, fps: float = 1.0) -> None:
        self.folder = Path(folder)
        self._fps = float(fps)
        self.description = f"image folder {self.folder}"
        self._files: list[Path] = []
        self._index = 0
        self._size: tuple[int, int] | None = None

    def open(self) -> None:
        if not self.folder.is_dir():
            raise SourceError(f"The image folder {self.folder} does not exist.")
        if not self._fps > 0:
            raise SourceError("--fps must be a positive number of frames per second.")
        self._files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if not self._files:
            videos = sorted(p.name for p in self.folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
            hint = (f"; to play a video, give the file itself (--source {self.folder / videos[0]})" if videos
                    else "; give a video file or a folder of pictures")
            raise SourceError(f"The folder {self.folder} holds no pictures (.png, .jpg, ...){hint}.")
        self._index = 0
        # said where the run starts: a folder is played as pictures, one after the other
        each = f"{1 / self._fps:g} s" if self._fps <= 1 else f"1/{self._fps:g} s"
        n = len(self._files)
        self.description = (f"the {n} picture{'' if n == 1 else 's'} in {self.folder}, in name order, {each} each "
                            "(--fps sets the pace)")

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        while self._index < len(self._files):
            t = self._index / self._fps
            path = self._files[self._index]
            self._index += 1
            if t + _EPS < not_before_s:
                continue  # skipped without reading the file
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                log.warning("%s is not a readable image; skipping it", path)
                continue
            if self._size is None:
                self._size = (image.shape[1], image.shape[0])
            return Frame(t, image)
        return None

    def close(self) -> None:
        self._files = []

    @property
    def fps(self) -> float | None:
        return self._fps

    @property
    def size(self) -> tuple[int, int] | None:
        return self._size

    @property
    def duration_s(self) -> float | None:
        return len(self._files) / self._fps if self._files else None


class WebcamSource(FrameSource):
    """A local camera by index (0, 1, ...) or device path (/dev/video0), at 640x480, buffer size 1.

    Timestamps are wall time since open. `read` sleeps until `not_before_s`, so a slow sampling rate
    costs no CPU; the camera keeps its own buffer of one frame, so the frame returned is fresh.
    """

    live = True

    def __init__(self, device: int | str, width: int = 640, height: int = 480,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.device = device
        self.width, self.height = width, height
        self.description = f"camera {device}"
        self._clock, self._sleep = clock, sleep
        self._cap: cv2.VideoCapture | None = None
        self._t0 = 0.0
        self._last_read = -math.inf
        self._size: tuple[int, int] | None = None

    def open(self) -> None:
        if isinstance(self.device, str) and not Path(self.device).exists():
            raise SourceError(f"There is no camera at {self.device}.")
        with quiet_native_stderr():  # V4L2/GStreamer warn on stderr about a missing device
            cap = cv2.VideoCapture(self.device)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"No camera could be opened at {self.description.split(' ', 1)[1]}; "
                              "check that it is plugged in and that no other program is using it.")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        ok, image = cap.read()
        if not ok or image is None:
            cap.release()
            raise SourceError(f"The {self.description} opened but gives no picture; it may be busy in another program.")
        self._size = (image.shape[1], image.shape[0])
        self._cap = cap
        if self._t0 == 0.0:
            self._t0 = self._clock()

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        if self._cap is None:
            raise SourceLost(f"The {self.description} is not open.")
        wait = not_before_s - (self._clock() - self._t0)
        if wait > 0:
            self._sleep(wait)
        # After a pause, the one buffered frame is stale: grab twice, decode once.
        grabs = 2 if self._clock() - self._last_read > 0.2 else 1
        for _ in range(grabs):
            if not self._cap.grab():
                self.close()
                raise SourceLost(f"The {self.description} stopped delivering frames.")
        ok, image = self._cap.retrieve()
        if not ok or image is None or image.size == 0:
            self.close()
            raise SourceLost(f"The {self.description} delivered an empty frame.")
        self._last_read = self._clock()
        return Frame(self._last_read - self._t0, image)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    @property
    def size(self) -> tuple[int, int] | None:
        return self._size


class MemorySource(FrameSource):
    """Frames held in memory, played at `fps` (a camera-like source for tests and benchmarks).

    With `loop_s` the frames repeat until that much source time has passed. `clock`/`sleep` make it
    live (wall-clock pacing, like a camera); without them it runs as fast as it is read.
    """

    def __init__(self, images: Sequence[np.ndarray], fps: float = 30.0, loop_s: float | None = None,
                 live: bool = False, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not images:
            raise SourceError("A memory source needs at least one frame.")
        self.images = list(images)
        self._fps = fps
        self.loop_s = loop_s
        self.live = live
        self.description = "memory frames"
        self._clock, self._sleep = clock, sleep
        self._index = 0
        self._t0 = 0.0

    def open(self) -> None:
        self._index = 0
        self._t0 = self._clock()

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        limit = self.loop_s if self.loop_s is not None else len(self.images) / self._fps
        if self.live:
            wait = not_before_s - (self._clock() - self._t0)
            if wait > 0:
                self._sleep(wait)
            t = self._clock() - self._t0
            if t >= limit:
                return None
            self._index = int(t * self._fps)
        else:
            self._index = max(self._index, math.ceil(not_before_s * self._fps - _EPS))
            t = self._index / self._fps
            if t >= limit - _EPS:
                return None
        image = self.images[self._index % len(self.images)]
        self._index += 1
        return Frame(t, image)

    def close(self) -> None:
        pass

    @property
    def fps(self) -> float | None:
        return self._fps

    @property
    def size(self) -> tuple[int, int] | None:
        h, w = self.images[0].shape[:2]
        return (w, h)


class PacedSource(FrameSource):
    """Replays a finite source at `speed` times real time (the `run --source FILE --speed X` path)."""

    def __init__(self, inner: FrameSource, speed: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not speed > 0:
            raise SourceError("--speed must be a positive number.")
        self.inner, self.speed = inner, speed
        self.description = f"{inner.description} at {speed:g}x"
        self._clock, self._sleep = clock, sleep
        self._t0 = 0.0

    def open(self) -> None:
        self.inner.open()
        self._t0 = self._clock()

    def read(self, not_before_s: float = 0.0) -> Frame | None:
        wait = not_before_s / self.speed - (self._clock() - self._t0)
        if wait > 0:
            self._sleep(wait)
        return self.inner.read(not_before_s)

    def close(self) -> None:
        self.inner.close()

    @property
    def fps(self) -> float | None:
        return self.inner.fps

    @property
    def size(self) -> tuple[int, int] | None:
        return self.inner.size

    @property
    def duration_s(self) -> float | None:
        return self.inner.duration_s


@dataclass
class Backoff:
    """Reconnect delays: 1, 2, 4, ... capped at `max_s`; `reset()` after a success."""

    first_s: float = 1.0
    max_s: float = 30.0
    _next: float = 0.0

    def next_delay(self) -> float:
        self._next = self.first_s if self._next <= 0 else min(self._next * 2, self.max_s)
        return self._next

    def reset(self) -> None:
        self._next = 0.0


def open_source(spec: str | int, fps: float | None = None) -> FrameSource:
    """Pick the source for a CLI argument: a camera index or /dev/video path, a folder, or a video file.
    The source is returned unopened."""
    text = str(spec).strip()
    if text.isdigit():
        return WebcamSource(int(text))
    if text.startswith("/dev/video"):
        return WebcamSource(text)
    path = Path(text).expanduser()
    if path.is_dir():
        return ImageFolderSource(path, fps=fps or 1.0)
    return VideoFileSource(path)
