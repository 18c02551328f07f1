"""Shared fixtures: a private POSTURE_WATCH_HOME per test, the real pose model, the sample clips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"


def _resolve_model() -> Path:
    """The real lite model, fetched by `make` into the user's cache (resolved before any test
    moves POSTURE_WATCH_HOME)."""
    from posture_watch import models

    return models.ensure("lite")


MODEL_PATH = _resolve_model()
os.environ["POSTURE_WATCH_MODEL"] = str(MODEL_PATH)


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch) -> Path:
    home = tmp_path_factory.mktemp("pw-home")
    monkeypatch.setenv("POSTURE_WATCH_HOME", str(home))
    monkeypatch.setenv("POSTURE_WATCH_MODEL", str(MODEL_PATH))
    return home


@pytest.fixture(scope="session")
def model_path() -> Path:
    return MODEL_PATH


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make samples` (make test does it)")
    return path


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `posture-watch ARGS` as a user would, in a subprocess, capturing text output."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "posture_watch", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, input=input, cwd=cwd or ROOT)


def assert_one_sentence_error(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    """A user error: the given exit code, no traceback, one line on stderr."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]
