"""MediaPipe Pose Landmarker behind a small interface: Frame in, Detection out.

VIDEO running mode (the model tracks between frames, which is cheaper than detecting every frame),
monotonic millisecond timestamps, one model per estimator. `num_poses=1` by default: the detector runs
only when the track of the one person is lost, about half the CPU of `num_poses=2`, which runs it on
every frame. The two-people check of calibration takes its census with `look_for_others` instead. A
profile records the mode it was measured in (`mode_for`): old profiles (2) are judged in theirs. MediaPipe's native log noise is kept off the user's terminal, and the landmarker is
closed explicitly (use it as a context manager), so nothing is printed at interpreter exit.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import logging
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from posture_watch.io import models  # noqa: E402
from posture_watch.core.domain import Detection, Frame, Pose  # noqa: E402
from posture_watch.core.errors import ModelError  # noqa: E402
from posture_watch.core.profile import TRACKING_NUM_POSES, Profile  # noqa: E402
from posture_watch.core.sampling import SamplingConfig, is_cut, picture_change  # noqa: E402
from posture_watch.io.native import quiet_native_stderr  # noqa: E402,F401  (re-exported)

log = logging.getLogger(__name__)

# OpenCV's own thread pool, on the small pictures posture-watch handles (a colour conversion, a
# 160x120 copy), costs more CPU than it saves: one thread halves image_facts' CPU (0.28 -> 0.15 ms)
# and leaves the second core to the pose model and the decoder.
cv2.setNumThreads(1)


def small_grey(image: np.ndarray) -> np.ndarray:
    """The picture in grey at 160x120: what the light/blur check and the change gate look at.
    Grey first, then shrink: the same numbers (both steps are averages) for 0.4 ms instead of 0.6 ms."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return cv2.resize(grey, (160, 120), interpolation=cv2.INTER_AREA)


def image_facts(image: np.ndarray, small: np.ndarray | None = None) -> tuple[float, float]:
    """(mean luma 0..255, variance of the Laplacian) on the small grey copy: cheap light/blur checks."""
    small = small_grey(image) if small is None else small
    return float(small.mean()), float(cv2.Laplacian(small, cv2.CV_32F).var())


def thumbnail(small: np.ndarray) -> np.ndarray:
    """The tiny grey thumbnail (32x24, float) the change gate compares: each of its pixels averages a
    20x20 block of a 640x480 picture, so a sensor's noise all but cancels and a moving body does not."""
    return cv2.resize(small, (32, 24), interpolation=cv2.INTER_AREA).astype(np.float32)


def mode_for(profile: Profile | None) -> int:
    """The num_poses to judge `profile` in: the one its baseline was measured with (tracking without one)."""
    return TRACKING_NUM_POSES if profile is None else profile.num_poses


# Parts of the mediapipe package that `import mediapipe` loads and pose estimation never uses: the
# drawing helpers pull in matplotlib.pyplot and the audio tasks sounddevice (together ~1 s of start-up
# and ~65 MB of resident memory). They are loaded lazily: on first use, if anyone ever uses them.
_UNUSED_MEDIAPIPE_PARTS = frozenset({"mediapipe.tasks.python.audio", "mediapipe.tasks.python.vision.drawing_utils",
                                     "mediapipe.tasks.python.vision.drawing_styles"})


class _LazyUnusedParts(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name not in _UNUSED_MEDIAPIPE_PARTS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def import_mediapipe() -> Any:
    """`import mediapipe`, without loading its drawing and audio parts until they are used."""
    if "mediapipe" in sys.modules:
        return sys.modules["mediapipe"]
    finder = _LazyUnusedParts()
    sys.meta_path.insert(0, finder)
    try:
        import mediapipe
    finally:
        sys.meta_path.remove(finder)
    return mediapipe


def _poses(result) -> tuple[Pose, ...]:
    poses = []
    worlds = result.pose_world_landmarks or []
    for i, lms in enumerate(result.pose_landmarks or []):
        arr = np.array([(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in lms], dtype=np.float64)
        world = None
        if i < len(worlds) and worlds[i]:
            world = np.array([(p.x, p.y, p.z) for p in worlds[i]], dtype=np.float64)
        poses.append(Pose(arr, world))
    return tuple(poses)


# The pose model's person detector misses some people outright in some pictures, and finds them in the
# same picture mirrored, or zoomed out (shown smaller in a larger canvas). Dev footage variants, the
# IMAGE-mode model on every picture of a calibration clip: a woman at a cafe table framed closer, found in
# 0 of 55 pictures as seen and 55 of 55 mirrored; a backlit side view with sensor noise 0 of 55, zoomed out
# 55 of 55; a frontal webcam with a drawn face mask 12 of 55, mirrored 51 of 55 (the three variants that
# calibration refused as "Nobody is in the picture"). So a picture in which nobody is found is looked at
# again that way (OTHER_LOOKS, in order) once the direct look has missed for OTHER_LOOK_AFTER_S; a pose found there is
# mapped back onto the picture, and the model goes on tracking the person in that look (cheaper than a
# search every picture) until it loses them or its hold (OTHER_LOOK_HOLD_S, doubling) has passed.
DIRECT, MIRRORED, ZOOMED_OUT = "direct", "mirrored", "zoomed out"
OTHER_LOOKS = (MIRRORED, ZOOMED_OUT)
ZOOM_OUT = 1.5                 # the picture shrunk 1.5 times in the middle of a canvas of its size
OTHER_LOOK_AFTER_S = 1.0       # tried once the direct look has not found the person in every picture for this
                               # long (source time): the model's landmarks differ a little between looks (it is not
                               # mirror-symmetric), so a person it finds directly is followed directly, as
                               # calibrated (dev footage, 40 clips: the direct look's misses before it found the
                               # person lasted 0.1-0.2 s, and it then found them in every picture)
OTHER_LOOK_PAUSE_S = 2.0       # after other looks found nobody either, the next ones wait this long, and for a
                               # picture the change gate would not call unchanged (core/sampling): an empty room
                               # costs the detector 10 ms a look (lite model, this machine)
OTHER_LOOK_HOLD_S = 3.0        # a person followed in another look is searched for directly again after this long
                               # (a fresh search, ~70 ms): found there, they are followed directly again, as
                               # calibrated; each direct search that misses them again doubles the next hold, up to
                               # OTHER_LOOK_HOLD_MAX_S (someone the direct look never finds costs one search a minute).
                               # The looks' landmarks differ (the model is not mirror-symmetric): a webcam user at 35 %
                               # brightness, calibrated directly and found directly in 9 pictures of 10, was followed
                               # mirrored for 10 s at a time and judged 0.708 (dev footage, dim variant); 0.836 with 3 s
OTHER_LOOK_HOLD_MAX_S = 60.0
_UNCHANGED_GREY = SamplingConfig().unchanged_below_grey
# MediaPipe's left/right landmark pairs (eyes, ears, mouth, arms, hands, legs, feet): in a mirrored
# picture the person's left side is seen as a right side
_MIRROR_ORDER = np.array([0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19, 22, 21, 24, 23,
                          26, 25, 28, 27, 30, 29, 32, 31])


def _zoomed_box(w: int, h: int) -> tuple[int, int, int, int]:
    """Where the picture lies, shrunk ZOOM_OUT times, in the middle of a canvas of its own size: x, y, w, h."""
    w2, h2 = round(w / ZOOM_OUT), round(h / ZOOM_OUT)
    return (w - w2) // 2, (h - h2) // 2, w2, h2


def shown(rgb: np.ndarray, look: str) -> np.ndarray:
    """The picture as the model is shown it in this look (the same size: the model keeps its buffers)."""
    if look == MIRRORED:
        return cv2.flip(rgb, 1)
    if look == ZOOMED_OUT:
        h, w = rgb.shape[:2]
        x, y, w2, h2 = _zoomed_box(w, h)
        small = cv2.resize(rgb, (w2, h2), interpolation=cv2.INTER_AREA)
        fill = [int(v) for v in cv2.mean(rgb)[:3]]       # the picture's mean colour, truncated
        return cv2.copyMakeBorder(small, y, h - h2 - y, x, w - w2 - x, cv2.BORDER_CONSTANT, value=fill)
    return rgb


def seen_back(pose: Pose, look: str, image_size: tuple[int, int]) -> Pose:
    """A pose found in a look, as it lies in the picture itself: normalised x, y (and z, on x's scale) and
    the world landmarks (metres about the hips; the mirror flips their x), left and right as the person's."""
    lm = pose.landmarks.copy()
    world = None if pose.world is None else pose.world.copy()
    if look == MIRRORED:
        lm[:, 0] = 1.0 - lm[:, 0]
        lm = lm[_MIRROR_ORDER]
        if world is not None:
            world[:, 0] = -world[:, 0]
            world = world[_MIRROR_ORDER]
    elif look == ZOOMED_OUT:
        w, h = image_size
        x, y, w2, h2 = _zoomed_box(w, h)
        lm[:, 0] = (lm[:, 0] * w - x) / w2
        lm[:, 1] = (lm[:, 1] * h - y) / h2
        lm[:, 2] = lm[:, 2] * w / w2
    return Pose(lm, world)


class BadFrame(ValueError):
    """A picture the pose model cannot take (empty, tiny, wrong type or channels): skip it."""


MIN_SIDE_PX = 32  # a picture smaller than this on a side cannot show a person's posture


def as_bgr(image: object) -> np.ndarray:
    """The picture as 8-bit BGR (grey and BGRA converted), or BadFrame saying what is wrong with it."""
    if not isinstance(image, np.ndarray):
        raise BadFrame(f"the frame holds no picture ({type(image).__name__})")
    if image.ndim not in (2, 3) or image.size == 0:
        raise BadFrame(f"the picture is empty or not an image (shape {image.shape})")
    if image.dtype != np.uint8:
        raise BadFrame(f"the picture is not 8-bit ({image.dtype})")
    h, w = image.shape[:2]
    if min(h, w) < MIN_SIDE_PX:
        raise BadFrame(f"the picture is only {w}x{h} pixels")
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels == 1:
        return cv2.cvtColor(image.reshape(h, w), cv2.COLOR_GRAY2BGR)
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if channels != 3:
        raise BadFrame(f"the picture has {channels} colour channels")
    return image


WARMUP_LOOKS = 4        # more looks at the picture a person was just found in (detect_prepared)
WARMUP_STEP_MS = 100    # ... on the model's clock, as at 10 pictures a second


@dataclass(frozen=True)
class Prepared:
    """A picture ready for the pose model (PoseEstimator.prepare): its time, size, MediaPipe image, and
    the light and blur facts of the Detection it will become."""

    t_s: float
    image_size: tuple[int, int]
    mp_image: Any
    brightness: float
    sharpness: float | None
    thumb: np.ndarray | None = None   # the picture's `thumbnail`: a cut drops the tracking (core/sampling.is_cut)
    rgb: np.ndarray | None = None     # the picture (RGB), for the other looks (OTHER_LOOKS)


class PoseEstimator:
    """`with PoseEstimator() as est: detection = est.detect(frame)`."""

    def __init__(self, model_path: Path | str | None = None, num_poses: int = TRACKING_NUM_POSES,
                 min_detection_confidence: float = 0.5, min_presence_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, variant: str = models.DEFAULT_VARIANT,
                 other_looks: bool = True) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.variant = variant
        self.num_poses = num_poses
        self._conf = (min_detection_confidence, min_presence_confidence, min_tracking_confidence)
        self._landmarker = None
        self._mp: Any = None
        self._image_landmarker = None  # IMAGE mode, created on first second look
        self._path: Path | None = None
        self._last_ts_ms = -1
        self._calls_with_pose = 0  # native notices stay quiet until the landmark model has run twice
        self._retrack = False      # set by retrack(), from any thread: the next detection searches afresh
        self._seen: tuple[float, np.ndarray] | None = None   # (t_s, thumbnail) of the picture before
        self._last_cut_t = -math.inf
        self._tracking = False     # the landmarker's last picture had a pose: it follows that person
        self._blank: dict[tuple[int, int], Any] = {}   # blank pictures by size (dropping the tracking)
        self.fresh_searches = 0    # how often the tracking was dropped (retrack, cuts)
        self._ts_shift_ms = 0      # the model's clock runs ahead of the source's by the warm-up looks
        self._look = DIRECT        # how the model is shown the pictures: the look it last found the person in
        self._missed_since: float | None = None   # source time of the direct look's first miss (see detect_prepared)
        self._found_since: float | None = None    # ... and of its first find in a row
        self._other_looks_after = -math.inf       # source time before which no other look is tried again
        self._look_until = math.inf               # source time at which another look gives way to a direct search
        self._hold_s = OTHER_LOOK_HOLD_S          # how long the next other look holds (doubles after a failed search)
        self._rechecking = False                  # the direct search after a hold is on
        self._nobody_thumb: np.ndarray | None = None   # thumbnail of the picture the other looks last found nobody in
        self.other_looks = other_looks

    def open(self) -> "PoseEstimator":
        path = self.model_path or models.ensure(self.variant, allow_fetch=False)
        if models.identify(path) is None:
            raise ModelError(f"The model file {path} failed verification; re-fetch it with {models.fetch_command(self.variant)}.")
        with quiet_native_stderr():
            mp = import_mediapipe()
            from mediapipe.tasks.python import BaseOptions, vision

            self._mp = mp
            self._path = Path(path)
            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(path)),
                running_mode=vision.RunningMode.VIDEO,
                num_poses=self.num_poses,
                min_pose_detection_confidence=self._conf[0],
                min_pose_presence_confidence=self._conf[1],
                min_tracking_confidence=self._conf[2],
                output_segmentation_masks=False,
            )
            try:
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"MediaPipe could not load the model {path} ({exc}); re-fetch it with "
                                 f"{models.fetch_command(self.variant)}.") from None
        return self

    def prepare(self, frame: Frame, small: np.ndarray | None = None) -> "Prepared":
        """Everything of a detection that is not the model: the picture checked and converted for
        MediaPipe, and the light and blur facts. Touches no model state, so `analyze` runs it on its
        decoding thread while the model works on the picture before (the numbers are the same either
        way). Raises BadFrame for a picture that cannot be analysed."""
        if self._mp is None:
            self.open()
        image = as_bgr(frame.image)
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        small = small_grey(image) if small is None else small
        brightness, sharpness = image_facts(image, small)
        h, w = image.shape[:2]
        return Prepared(frame.t_s, (w, h), self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb),
                        brightness, sharpness, thumbnail(small), rgb)

    def retrack(self) -> None:
        """Drop the tracking: the next picture is searched for a person afresh, as the first one was. VIDEO
        mode can lock on to a wrong pose and keep it (see monitor/tracking.py); the caller decides when.
        Safe to call from another thread than the one detecting (it only sets a flag)."""
        self._retrack = True

    def detect_prepared(self, prepared: "Prepared") -> Detection:
        """The pose model on a prepared picture (in source order: VIDEO mode tracks from one to the next).
        A cut (core/sampling.is_cut) drops the tracking before this picture, as `retrack` does. A picture
        in which nobody is found is looked at the other ways (OTHER_LOOKS) when the rules above them allow."""
        if prepared.thumb is not None:
            if self._seen is not None and is_cut(picture_change(prepared.thumb, self._seen[1]),
                                                 prepared.t_s - self._seen[0], prepared.t_s - self._last_cut_t):
                self._retrack, self._last_cut_t = True, prepared.t_s
            elif self._seen is not None and prepared.t_s < self._seen[0]:
                self._last_cut_t = -math.inf                      # time went backwards: a new source
                self._missed_since = self._found_since = self._nobody_thumb = None
                self._other_looks_after, self._hold_s = -math.inf, OTHER_LOOK_HOLD_S
                self._retrack = self._retrack or self._look != DIRECT
            self._seen = (prepared.t_s, prepared.thumb)
        if self._landmarker is None:
            self.open()
        if self._look != DIRECT and prepared.t_s >= self._look_until:
            self._retrack = self._rechecking = True
        if self._retrack:
            self._retrack = False
            if self._tracking:
                # One look at a blank picture of the same size: nobody there, so the model loses the track
                # and searches the next picture from scratch, its landmark filter reset (the same landmarks
                # as a new model's, to the last digit). Closing and reopening the model did the same for
                # 90 ms, and its memory grew by 20 MB over the 8-hour replayed day (make bench).
                blank = self._blank.get(prepared.image_size)
                if blank is None:
                    w, h = prepared.image_size
                    blank = self._blank[prepared.image_size] = self._mp.Image(
                        image_format=self._mp.ImageFormat.SRGB, data=np.zeros((h, w, 3), np.uint8))
                self._run(blank, self._last_ts_ms + 1)
                self.fresh_searches += 1
            self._tracking = False
            self._look = DIRECT
        image = self._image_in(prepared, self._look)
        poses = self._run(image, int(round(prepared.t_s * 1000)) + self._ts_shift_ms)
        new_track = not self._tracking
        if self._look == DIRECT:
            # the misses count from the first one after the direct look last found the person in every picture
            # for OTHER_LOOK_AFTER_S: a person it finds in one picture of five is not followed that way
            if not poses:
                self._found_since = None
                self._missed_since = prepared.t_s if self._missed_since is None else self._missed_since
            else:
                self._hold_s, self._rechecking = OTHER_LOOK_HOLD_S, False     # found directly: holds start short
                if self._found_since is None:
                    self._found_since = prepared.t_s
                elif prepared.t_s - self._found_since >= OTHER_LOOK_AFTER_S:
                    self._missed_since = None
        if (not poses and self.other_looks and prepared.rgb is not None and self._missed_since is not None
                and prepared.t_s - self._missed_since >= OTHER_LOOK_AFTER_S and prepared.t_s >= self._other_looks_after
                and (self._nobody_thumb is None or prepared.thumb is None
                     or picture_change(prepared.thumb, self._nobody_thumb) >= _UNCHANGED_GREY)):
            # nobody found: the other looks (OTHER_LOOKS), and the look it was tracked in if the track was lost
            # in this picture (the detector has not searched it then)
            for look in (DIRECT, *OTHER_LOOKS):
                if look == self._look and not self._tracking:
                    continue
                image = self._image_in(prepared, look)
                poses = self._run(image, self._last_ts_ms + 1)
                if poses:
                    if self._rechecking:       # the direct search after the hold missed them again
                        self._hold_s = min(2.0 * self._hold_s, OTHER_LOOK_HOLD_MAX_S)
                    self._look, self._other_looks_after, new_track, self._rechecking = look, -math.inf, True, False
                    self._look_until, self._nobody_thumb = prepared.t_s + self._hold_s, None
                    break
            else:
                self._look, self._other_looks_after, self._rechecking = DIRECT, prepared.t_s + OTHER_LOOK_PAUSE_S, False
                self._nobody_thumb = prepared.thumb
        if poses and new_track:
            # A person just found (a new track: the first picture, after a fresh search, or someone back):
            # the landmark model has looked through the person detector's rough box, and it refines its
            # own box over the next pictures. Dev footage, the first picture of each evaluation clip: the
            # landmarks 7-12 % of the trunk's length away from where they settle, 1-4 % after four more
            # looks at the same picture (a still at 10 looks a second: their timing hardly matters). So
            # look WARMUP_LOOKS more times now (about 15 ms each), on a clock shifted past them.
            for _ in range(WARMUP_LOOKS):
                poses = self._run(image, self._last_ts_ms + WARMUP_STEP_MS) or poses
            self._ts_shift_ms = self._last_ts_ms - int(round(prepared.t_s * 1000))
        if poses and self._look != DIRECT:
            poses = tuple(seen_back(p, self._look, prepared.image_size) for p in poses)
        self._tracking = bool(poses)
        return Detection(t_s=prepared.t_s, image_size=prepared.image_size, poses=poses,
                         brightness=prepared.brightness, sharpness=prepared.sharpness)

    def _image_in(self, prepared: "Prepared", look: str) -> Any:
        if look == DIRECT or prepared.rgb is None:
            return prepared.mp_image
        return self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=shown(prepared.rgb, look))

    def _run(self, mp_image: Any, ts_ms: int) -> tuple[Pose, ...]:
        ts_ms = max(ts_ms, self._last_ts_ms + 1)
        self._last_ts_ms = ts_ms
        # MediaPipe's native code prints one-time notices on fd 2 on its first inferences and on the
        # first runs of the landmark model, which waits for the first person found (an empty room first,
        # then someone: they came out in the middle of a one-sentence error). A call with a pose has run
        # both models, so two of them cover every first run.
        if self._calls_with_pose < 2:
            with quiet_native_stderr():
                result = self._landmarker.detect_for_video(mp_image, ts_ms)
        else:
            result = self._landmarker.detect_for_video(mp_image, ts_ms)
        poses = _poses(result)
        self._calls_with_pose += bool(poses)
        return poses

    def detect(self, frame: Frame, small: np.ndarray | None = None) -> Detection:
        """Raises BadFrame for a picture that cannot be analysed (the caller skips it). `small`: the
        picture's `small_grey` when the caller has made it already (the change gate)."""
        return self.detect_prepared(self.prepare(frame, small))

    def look_for_others(self, frame: Frame, detection: Detection) -> Detection:
        """A second, more careful look for another person: the census of the two-people check of
        calibration and set-up (not the hot path).

        In tracking mode (num_poses=1) the model follows one person and never reports a second, and
        even with num_poses=2 the lite model's detector often reports only the most salient of two
        people side by side. Hide the band of the image the found person occupies and look again (IMAGE mode); any
        pose found there is a second person. Costs one extra inference.
        """
        if len(detection.poses) != 1:
            return detection
        lm = detection.poses[0].landmarks
        seen = lm[:25][lm[:25, 3] > 0.3]
        if len(seen) < 3:
            return detection
        x0, x1 = float(seen[:, 0].min()), float(seen[:, 0].max())
        centre, half = (x0 + x1) / 2, max(x1 - x0, 0.05) * 0.75
        image = frame.image.copy()
        w = image.shape[1]
        left, right = max(0, int((centre - half) * w)), min(w, int((centre + half) * w))
        image[:, left:right] = np.median(image.reshape(-1, image.shape[2]), axis=0).astype(image.dtype)
        if self._image_landmarker is None:
            from mediapipe.tasks.python import BaseOptions, vision

            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(self._path)),
                running_mode=vision.RunningMode.IMAGE, num_poses=1,
                min_pose_detection_confidence=self._conf[0], min_pose_presence_confidence=self._conf[1])
            with quiet_native_stderr():
                self._image_landmarker = vision.PoseLandmarker.create_from_options(options)
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        with quiet_native_stderr():
            result = self._image_landmarker.detect(self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb))
        others = _poses(result)
        if not others:
            return detection
        return Detection(t_s=detection.t_s, image_size=detection.image_size, poses=detection.poses + others,
                         brightness=detection.brightness, sharpness=detection.sharpness)

    def close(self) -> None:
        with quiet_native_stderr():
            for attr in ("_landmarker", "_image_landmarker"):
                landmarker = getattr(self, attr)
                if landmarker is not None:
                    landmarker.close()
                    setattr(self, attr, None)

    def __enter__(self) -> "PoseEstimator":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()
