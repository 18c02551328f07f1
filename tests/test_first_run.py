"""First run: every command that needs the pose model fetches it the same way (`calibrate` too, the
first thing a new user runs), and a plain `pip install .` into a fresh venv calibrates.

The model is served by a real HTTP server on 127.0.0.1 laid out like Google's model storage
(POSTURE_WATCH_MODEL_BASE_URL), so the real download code runs without the internet."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from conftest import CALIBRATION_UPRIGHT_S, MODEL_PATH, ROOT, run_cli, sample
from posture_watch.io import models


@pytest.fixture
def model_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    lite = models.variant("lite")
    root = tmp_path / "mirror"
    target = root / f"pose_landmarker_{lite.name}" / "float16" / "1" / lite.filename
    target.parent.mkdir(parents=True)
    shutil.copyfile(MODEL_PATH, target)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"POSTURE_WATCH_MODEL": "", "POSTURE_WATCH_MODEL_BASE_URL": f"http://127.0.0.1:{server.server_port}",
               "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": ""}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _fetched(home: Path) -> bool:
    cached = home / "cache" / "models" / models.variant("lite").filename
    return cached.exists() and models.sha256_of(cached) == models.variant("lite").sha256


def test_scripted_calibration_fetches_the_missing_model(private_home: Path, tmp_path: Path, model_server) -> None:
    assert not _fetched(private_home)
    proc = run_cli("calibrate", "--non-interactive", "--source", str(sample("calibration.mp4")), "--profile",
                   str(tmp_path / "me.json"), "--seconds", CALIBRATION_UPRIGHT_S, env=model_server)
    assert proc.returncode == 0, proc.stderr
    assert _fetched(private_home) and (tmp_path / "me.json").exists()
    assert "fetched it once" in proc.stderr


def test_the_wizard_fetches_the_missing_model(private_home: Path, model_server) -> None:
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--name", "first", "--no-slouch",
                   env=dict(model_server, DISPLAY="", WAYLAND_DISPLAY=""))
    assert proc.returncode == 0, proc.stderr
    assert _fetched(private_home) and (private_home / "data" / "profiles" / "first.json").exists()


@pytest.mark.slow
def test_pip_install_into_a_fresh_venv_then_calibrate(private_home: Path, tmp_path: Path, model_server) -> None:
    """`pip install .` of a clean copy of the source; the heavy dependencies (mediapipe, opencv...) come from
    this venv through a .pth file instead of being downloaded again."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "sample_videos", "*.egg-info",
                                                             "build", "__pycache__", ".pytest_cache", "benchmarks"))
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "deps-from-dev-venv.pth").write_text(ours + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")}
    proc = subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                           str(src)], capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    exe = venv / "bin" / "posture-watch"
    located = subprocess.run([str(py), "-c", "import posture_watch; print(posture_watch.__file__)"],
                             capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert located.startswith(str(venv)), located  # the installed copy, not the source tree
    proc = subprocess.run([str(exe), "calibrate", "--non-interactive", "--source", str(sample("calibration.mp4")),
                           "--profile", str(tmp_path / "me.json"), "--seconds", CALIBRATION_UPRIGHT_S], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, **model_server), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _fetched(private_home) and (tmp_path / "me.json").exists()
