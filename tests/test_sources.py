"""Frame sources through their one interface: files, folders, memory, pacing, and bad input."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from posture_watch.core.errors import SourceError
from posture_watch.io.sources import (Backoff, ImageFolderSource, MemorySource, PacedSource, VideoFileSource,
                                      WebcamSource, open_source)


def numbered_frames(n: int, size=(160, 120)) -> list[np.ndarray]:
    """Frames whose brightness encodes their index (robust to lossy codecs)."""
    w, h = size
    return [np.full((h, w, 3), 10 + 20 * i, np.uint8) for i in range(n)]


def frame_index(image: np.ndarray) -> int:
    return int(round((float(image.mean()) - 10) / 20))


def write_video(path: Path, frames: list[np.ndarray], fps: float) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    return path


@pytest.fixture
def video(tmp_path) -> Path:
    return write_video(tmp_path / "clip.mp4", numbered_frames(12), fps=10)


def read_all(source, step: float) -> list[tuple[float, int]]:
    out, next_t = [], 0.0
    with source:
        while (frame := source.read(next_t)) is not None:
            out.append((round(frame.t_s, 3), frame_index(frame.image)))
            next_t = frame.t_s + step if step else frame.t_s + 1e-6
    return out


def test_video_every_frame(video):
    got = read_all(VideoFileSource(video), 0)
    assert [t for t, _ in got] == [round(i / 10, 3) for i in range(12)]
    assert [i for _, i in got] == list(range(12))


def test_video_sampled_at_a_rate_skips_frames(video):
    got = read_all(VideoFileSource(video), 0.25)  # 4 Hz from a 10 fps clip
    assert [i for _, i in got] == [0, 3, 6, 9]
    assert [t for t, _ in got] == [0.0, 0.3, 0.6, 0.9]


def test_video_reports_fps_size_duration(video):
    with VideoFileSource(video) as src:
        assert src.fps == pytest.approx(10)
        assert src.size == (160, 120)
        assert src.duration_s == pytest.approx(1.2)


def test_missing_video(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        VideoFileSource(tmp_path / "nope.mp4").open()


def test_unreadable_video(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x01 this is not a video" * 50)
    with pytest.raises(SourceError, match="not a video that can be decoded"):
        VideoFileSource(bad).open()


def test_image_folder_sorted_with_fps(tmp_path):
    frames = numbered_frames(5)
    for i, f in reversed(list(enumerate(frames))):
        cv2.imwrite(str(tmp_path / f"img_{i:03d}.png"), f)
    (tmp_path / "notes.txt").write_text("not an image")
    got = read_all(ImageFolderSource(tmp_path, fps=2), 0)
    assert got == [(0.0, 0), (0.5, 1), (1.0, 2), (1.5, 3), (2.0, 4)]
    got = read_all(ImageFolderSource(tmp_path, fps=2), 1.0)
    assert [i for _, i in got] == [0, 2, 4]


def test_image_folder_skips_a_broken_image(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), numbered_frames(1)[0])
    (tmp_path / "b.png").write_bytes(b"broken")
    assert [i for _, i in read_all(ImageFolderSource(tmp_path, fps=1), 0)] == [0]


def test_empty_image_folder(tmp_path):
    with pytest.raises(SourceError, match="holds no pictures"):
        ImageFolderSource(tmp_path).open()


def test_a_folder_is_said_to_be_played_as_pictures_and_a_folder_of_videos_is_no_folder_of_pictures(tmp_path):
    """`--source DIR` plays the pictures in it, and says so (the run's first line shows the
    description); a folder that holds a video instead says to give the file."""
    for i, frame in enumerate(numbered_frames(3)):
        cv2.imwrite(str(tmp_path / f"{i}.png"), frame)
    source = ImageFolderSource(tmp_path, fps=2)
    source.open()
    assert source.description == f"the 3 pictures in {tmp_path}, in name order, 1/2 s each (--fps sets the pace)"
    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / "desk.mp4").write_bytes(b"")
    with pytest.raises(SourceError, match=r"give the file itself \(--source .*desk\.mp4\)"):
        open_source(str(videos)).open()


def test_camera_index_that_does_not_exist():
    with pytest.raises(SourceError, match="No camera could be opened"):
        WebcamSource(57).open()


def test_camera_device_path_that_does_not_exist():
    with pytest.raises(SourceError, match="no camera at /dev/video57"):
        open_source("/dev/video57").open()


def test_open_source_picks_the_kind(tmp_path, video):
    assert isinstance(open_source("0"), WebcamSource)
    assert isinstance(open_source(str(video)), VideoFileSource)
    assert isinstance(open_source(str(tmp_path)), ImageFolderSource)


def test_memory_source_loops_and_skips():
    src = MemorySource(numbered_frames(3), fps=10, loop_s=1.0)
    got = read_all(src, 0.2)
    assert [t for t, _ in got] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert [i for _, i in got] == [0, 2, 1, 0, 2]


class FakeClock:
    """Virtual time for pacing: sleep advances the clock instead of waiting."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def test_paced_source_replays_at_speed(video):
    clock = FakeClock()
    got = read_all(PacedSource(VideoFileSource(video), speed=4, clock=clock, sleep=clock.sleep), 0.5)
    assert [t for t, _ in got] == [0.0, 0.5, 1.0]
    # 1.5 s of source asked for (the last request finds the end) in 1.5 / 4 s of wall time
    assert clock.now - 100.0 == pytest.approx(1.5 / 4)


def test_live_memory_source_sleeps_until_asked_time():
    clock = FakeClock()
    src = MemorySource(numbered_frames(10), fps=30, loop_s=10, live=True, clock=clock, sleep=clock.sleep)
    src.open()
    frame = src.read(2.0)
    assert frame.t_s == pytest.approx(2.0)
    assert clock.sleeps == [pytest.approx(2.0)]


def test_backoff_doubles_and_caps():
    b = Backoff(first_s=1, max_s=8)
    assert [b.next_delay() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    b.reset()
    assert b.next_delay() == 1
