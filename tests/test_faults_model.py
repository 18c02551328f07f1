"""A corrupt model file through every command that loads the model: refused before anything is
analysed or written, in one sentence that says how to get a good one (`posture-watch model fetch`).
(models.check/identify and `model verify` on a corrupt cache are in test_models.py.)"""

from __future__ import annotations

import pytest

from conftest import CALIBRATION_UPRIGHT_S, assert_one_sentence_error, run_cli, sample
from fault_rig import sample_profile


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return sample_profile(tmp_path_factory)


def _bad_models(model_path, tmp_path) -> dict:
    data = model_path.read_bytes()
    flipped = bytearray(data)
    for i in range(1000, len(flipped), 100_003):
        flipped[i] ^= 0xFF
    out = {"flipped bytes": bytes(flipped), "truncated": data[: len(data) // 3], "empty": b"",
           "garbage of the right size": bytes(len(data))}
    paths = {}
    for name, content in out.items():
        path = tmp_path / f"{name.replace(' ', '_')}.task"
        path.write_bytes(content)
        paths[name] = path
    folder = tmp_path / "folder.task"
    folder.mkdir()
    paths["a folder"] = folder
    return paths


def test_corrupt_model_is_refused_by_every_command_with_how_to_refetch(model_path, tmp_path, profile, private_home):
    clip = str(sample("empty_room.mp4"))
    commands = {
        "run": ["run", "--source", clip, "--speed", "1000", "--profile", str(profile), "--no-notify"],
        "analyze": ["analyze", clip, "--profile", str(profile), "--jsonl", str(tmp_path / "out.jsonl")],
        "calibrate": ["calibrate", "--source", str(sample("calibration.mp4")), "--profile", str(tmp_path / "p.json"),
                      "--non-interactive", "--seconds", CALIBRATION_UPRIGHT_S],
    }
    for what, bad in _bad_models(model_path, tmp_path).items():
        for name, args in commands.items():
            line = assert_one_sentence_error(run_cli(*args, env={"POSTURE_WATCH_MODEL": str(bad)}))
            assert "model fetch" in line, (what, name, line)
            assert str(bad) in line or bad.name in line, (what, name, line)
    # nothing was analysed or written on the way
    assert not (tmp_path / "out.jsonl").exists() or (tmp_path / "out.jsonl").read_text() == ""
    assert not (tmp_path / "p.json").exists()
    assert not (private_home / "data" / "posture.sqlite3").exists()
    assert not (private_home / "data" / "replays.sqlite3").exists()
