"""Bad input from a user: one plain sentence on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from tests.conftest import assert_one_sentence_error, run_cli
from tests.test_models import OFFLINE_ENV


@pytest.fixture
def blank_video(tmp_path):
    path = tmp_path / "blank.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for _ in range(10):
        writer.write(np.full((240, 320, 3), 80, np.uint8))
    writer.release()
    return path


def test_missing_video_file(tmp_path):
    line = assert_one_sentence_error(run_cli("analyze", str(tmp_path / "missing.mp4")))
    assert "does not exist" in line


def test_unreadable_video_file(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"garbage" * 100)
    line = assert_one_sentence_error(run_cli("analyze", str(bad)))
    assert "not a video that can be decoded" in line


def test_camera_index_that_does_not_exist():
    line = assert_one_sentence_error(run_cli("analyze", "57"))
    assert "No camera could be opened at 57" in line


def test_empty_image_folder(tmp_path):
    line = assert_one_sentence_error(run_cli("analyze", str(tmp_path)))
    assert "holds no pictures" in line


def test_missing_model_while_offline(blank_video):
    env = dict(OFFLINE_ENV, POSTURE_WATCH_MODEL="")
    line = assert_one_sentence_error(run_cli("analyze", str(blank_video), env=env, timeout=120))
    assert "Could not obtain the pose model" in line


def test_corrupt_profile(tmp_path, blank_video):
    prof = tmp_path / "p.json"
    prof.write_text("{not json")
    line = assert_one_sentence_error(run_cli("analyze", str(blank_video), "--profile", str(prof)))
    assert "profile" in line.lower()


def test_unwritable_jsonl_destination(tmp_path, blank_video):
    line = assert_one_sentence_error(run_cli("analyze", str(blank_video), "--jsonl", str(tmp_path / "no" / "out.jsonl")))
    assert "does not exist" in line


def test_bad_flag_value():
    proc = run_cli("analyze", "x.mp4", "--rate", "-3")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_corrupt_config_file(tmp_path, blank_video):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[sampling\nslow_hz = ")
    line = assert_one_sentence_error(run_cli("--config", str(cfg), "analyze", str(blank_video)))
    assert "not valid TOML" in line


def test_unknown_config_key(tmp_path, blank_video):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[sampling]\nslow_hzz = 1\n")
    line = assert_one_sentence_error(run_cli("--config", str(cfg), "analyze", str(blank_video)))
    assert "slow_hzz" in line


def test_nobody_in_the_video_is_away_not_an_error(blank_video, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run_cli("analyze", str(blank_video), "--every-frame", "--jsonl", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 10
    assert {x["state"] for x in lines} == {"away"}


def test_a_folder_whose_only_picture_is_unreadable_says_so_in_plain_words(tmp_path):
    """It said "The the 1 pictures in ... gave no frames to analyse." (the folder's description has its article)."""
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "0001.jpg").write_bytes(b"")
    proc = run_cli("analyze", str(folder), "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"posture-watch: The 1 picture in {folder}, in name order, 1 s each (--fps sets the pace) gave no frames to "
        "analyse.")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0001-01-03"])
def test_a_day_at_the_end_of_the_calendar_is_one_sentence(day):
    """Issue 23: the day after 9999-12-31 and the trend's week before 0001-01-01 cannot be computed."""
    line = assert_one_sentence_error(run_cli("report", "--date", day, "--json", "-"))
    assert day in line and "unexpected" not in line
