"""Real MediaPipe on real frames: one person, two people, nobody; quiet native logs; clean close."""

from __future__ import annotations

import subprocess
import sys

import cv2
import matplotlib.cbook
import numpy as np
import pytest
import skimage.data

from posture_watch.core.domain import LEFT_EAR, LEFT_SHOULDER, RIGHT_EAR, RIGHT_SHOULDER, Frame
from posture_watch.io.pose import PoseEstimator, image_facts


def astronaut() -> np.ndarray:
    return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)


def grace_hopper() -> np.ndarray:
    return cv2.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def on_canvas(*people: np.ndarray, size=(640, 480)) -> np.ndarray:
    w, h = size
    canvas = np.full((h, w, 3), 90, np.uint8)
    slot = w // len(people)
    for i, person in enumerate(people):
        scale = min(slot / person.shape[1], h / person.shape[0])
        p = cv2.resize(person, (int(person.shape[1] * scale), int(person.shape[0] * scale)))
        x = i * slot + (slot - p.shape[1]) // 2
        canvas[h - p.shape[0]:, x:x + p.shape[1]] = p
    return canvas


@pytest.fixture(scope="module")
def estimator(model_path):
    with PoseEstimator(model_path) as est:
        yield est


def test_finds_one_person_with_head_and_shoulders(model_path):
    with PoseEstimator(model_path) as est:
        det = est.detect(Frame(0.0, on_canvas(astronaut())))
    assert det.image_size == (640, 480)
    assert len(det.poses) == 1
    lm = det.poses[0].landmarks
    assert lm.shape == (33, 5)
    for i in (LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER):
        assert lm[i, 3] > 0.9, f"landmark {i} not visible"
    assert lm[LEFT_SHOULDER, 1] > lm[LEFT_EAR, 1]  # shoulders below ears
    assert det.poses[0].world is not None and det.poses[0].world.shape == (33, 3)


@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
@pytest.mark.parametrize("swap", [False, True])
def test_a_second_look_notices_a_second_person(model_path, size, swap):
    people = (grace_hopper(), astronaut()) if swap else (astronaut(), grace_hopper())
    frame = Frame(0.0, on_canvas(*people, size=size))
    with PoseEstimator(model_path) as est:
        det = est.look_for_others(frame, est.detect(frame))
    assert len(det.poses) == 2
    xs = sorted(p.landmarks[0, 0] for p in det.poses)
    assert xs[0] < 0.5 < xs[1]


def test_a_second_look_finds_nobody_else_beside_one_person(model_path):
    frame = Frame(0.0, on_canvas(astronaut()))
    with PoseEstimator(model_path) as est:
        det = est.look_for_others(frame, est.detect(frame))
    assert len(det.poses) == 1


def test_nobody_in_an_empty_frame(model_path):
    with PoseEstimator(model_path) as est:
        det = est.detect(Frame(0.0, np.full((480, 640, 3), 90, np.uint8)))
    assert det.poses == ()


def test_video_mode_accepts_repeated_timestamps(model_path):
    img = on_canvas(astronaut())
    with PoseEstimator(model_path) as est:
        for t in (0.0, 0.0, 0.1, 0.05, 0.2):  # not strictly increasing: made monotonic inside
            assert len(est.detect(Frame(t, img)).poses) == 1


def test_image_facts_light_and_blur():
    black = np.zeros((480, 640, 3), np.uint8)
    assert image_facts(black) == (0.0, 0.0)
    b, s = image_facts(on_canvas(astronaut()))
    assert 40 < b < 200 and s > 10


def test_no_native_noise_on_the_terminal(model_path, tmp_path):
    """Creating, using and closing the estimator prints nothing, also at interpreter exit."""
    script = (
        "import numpy as np\n"
        "from posture_watch.io.pose import PoseEstimator\n"
        "from posture_watch.core.domain import Frame\n"
        f"with PoseEstimator({str(model_path)!r}) as e:\n"
        "    for i in range(3): e.detect(Frame(i / 10, np.full((480, 640, 3), 90, np.uint8)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and proc.stdout == ""
