"""The analyze loop: a recorded source is decoded ahead on a second thread and the model runs on a third
(one model in memory); the readings are the same as decoding and analysing one frame after the other."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import numpy as np
import pytest

from conftest import ROOT, sample
from posture_watch.monitor.analyze import _sampled_frames, iter_readings, read_ahead
from posture_watch.core.judge import Judge
from posture_watch.io.pose import PoseEstimator
from posture_watch.io.profile_files import load_profile
from posture_watch.io.sources import VideoFileSource


def _decode_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name in ("posture-watch-decode", "posture-watch-model")]


def test_read_ahead_keeps_every_item_in_order():
    assert list(read_ahead(iter(range(500)), depth=2)) == list(range(500))
    assert list(read_ahead(iter([]))) == []
    assert not _decode_threads()


def test_an_error_while_reading_reaches_the_reader_after_the_frames_before_it():
    def source():
        yield from range(5)
        raise OSError("the disk went away")

    got = []
    with pytest.raises(OSError, match="the disk went away"):
        for item in read_ahead(source()):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]
    assert not _decode_threads()


def test_closing_early_stops_the_decoder_without_reading_on():
    read = []

    def source():
        for i in range(10_000):
            read.append(i)
            yield i

    ahead = read_ahead(source(), depth=2)
    assert [next(ahead) for _ in range(3)] == [0, 1, 2]
    ahead.close()
    assert not _decode_threads()
    assert len(read) <= 3 + 2 + 1  # what was taken, what the buffer holds, one in hand


def test_closing_a_chain_early_stops_every_stage_from_the_end():
    """analyze chains two of them (decoding, then the model) and closes the last one first: every thread ends."""
    read = []

    def source():
        for i in range(10_000):
            read.append(i)
            yield i

    first = read_ahead(source(), depth=2)
    second = read_ahead((i * 10 for i in first), depth=2, nice=0, name="posture-watch-model")
    assert [next(second) for _ in range(3)] == [0, 10, 20]
    second.close()
    first.close()
    assert not _decode_threads()
    assert len(read) <= 3 + 2 * (2 + 1)  # taken, and in both buffers and hands


def test_an_error_in_the_first_stage_of_a_chain_reaches_the_reader_in_order():
    def source():
        yield from range(4)
        raise OSError("the disk went away")

    got = []
    with pytest.raises(OSError, match="the disk went away"):
        for item in read_ahead(read_ahead(source()), nice=0, name="posture-watch-model"):
            got.append(item)
    assert got == [0, 1, 2, 3]
    assert not _decode_threads()


def test_readings_equal_one_frame_after_the_other_on_a_real_clip():
    """Real MediaPipe on the first 30 s of the desk session at 2 Hz: the same frames reach the model in
    the same order, so every reading is identical to the plain sequential loop's."""
    profile = load_profile(ROOT / "calibration" / "sample_profile.json")
    clip = sample("desk_session.mp4")
    with VideoFileSource(clip) as src, PoseEstimator() as est:
        ahead = [r.to_json() for r in iter_readings(src, est, Judge(profile), 2.0, until_s=30.0)]
    from posture_watch.core.geometry import measure

    with VideoFileSource(clip) as src, PoseEstimator() as est:
        judge = Judge(profile)
        plain = [judge.update(measure(est.detect(f))).to_json() for f in _sampled_frames(src, 2.0, 30.0)]
    assert len(ahead) == len(plain) == 61
    assert ahead == plain
    assert not _decode_threads()
    with VideoFileSource(clip) as src, PoseEstimator() as est:
        readings = iter_readings(src, est, Judge(profile), 2.0)
        assert [next(readings).to_json() for _ in range(3)] == plain[:3]
        readings.close()  # given up early: the decoding and the model's threads end with it
        assert not _decode_threads()


class _WithABrokenPicture(VideoFileSource):
    """A recorded clip whose third sampled picture came out of the decoder as a 10x10 scrap."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.handed = 0

    def read(self, not_before_s: float = 0.0):
        frame = super().read(not_before_s)
        self.handed += frame is not None
        if frame is not None and self.handed == 3:
            return replace(frame, image=np.zeros((10, 10, 3), np.uint8))
        return frame


def test_an_unusable_picture_is_skipped_in_order_and_said_once(caplog):
    """The pictures are made ready for the model on the decoding thread: one it cannot take is skipped
    there, said once, and the readings before and after it are those of the plain loop."""
    profile = load_profile(ROOT / "calibration" / "sample_profile.json")
    clip = sample("calibration.mp4")
    with caplog.at_level(logging.WARNING, logger="posture_watch.monitor.analyze"):
        with _WithABrokenPicture(clip) as src, PoseEstimator() as est:
            got = [r.t_s for r in iter_readings(src, est, Judge(profile), 2.0, until_s=5.0)]
    with VideoFileSource(clip) as src:
        every = [f.t_s for f in _sampled_frames(src, 2.0, 5.0)]
    assert got == every[:2] + every[3:]
    said = [r.getMessage() for r in caplog.records if "unusable picture" in r.getMessage()]
    assert len(said) == 1 and "10x10" in said[0]
    assert not _decode_threads()
