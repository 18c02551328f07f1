"""Shared fixtures: a private POSTURE_WATCH_HOME per test, the real pose model, the sample clips."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests are deterministic in `make test` and CI: the same examples on every run (derandomized,
# no example database carried between runs), so a run passes or fails by the code, not by chance.
# `make fuzz` (HYPOTHESIS_PROFILE=fuzz) draws fresh random examples; a failure it finds becomes an
# explicit @example on the test.
# No deadline and no "too slow" health check either: both time the machine, and this one is shared.
_STEADY = dict(database=None, print_blob=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("ci", derandomize=True, **_STEADY)
hypothesis_settings.register_profile("fuzz", derandomize=False, **_STEADY)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"


def _resolve_model() -> Path:
    """The real lite model, fetched by `make` into the user's cache (resolved before any test
    moves POSTURE_WATCH_HOME)."""
    from posture_watch.io import models

    return models.ensure("lite")


MODEL_PATH = _resolve_model()
os.environ["POSTURE_WATCH_MODEL"] = str(MODEL_PATH)

# Every process a test starts inherits this mark; at the end of the run, none may still be alive.
RUN_MARK = "POSTURE_WATCH_TEST_RUN"
os.environ[RUN_MARK] = f"{os.getpid()}-{uuid.uuid4().hex}"


def leftover_processes(mark: str | None = None) -> list[tuple[int, str]]:
    """(pid, command line) of living processes, other than this one, that carry this run's mark."""
    needle = f"{RUN_MARK}={mark or os.environ[RUN_MARK]}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if state != "Z":
            found.append((int(entry.name), cmdline))
    return found


def pytest_collection_modifyitems(config, items) -> None:
    """Every hypothesis test carries the `property` mark, so `make fuzz` can run exactly them."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)


def pytest_sessionfinish(session, exitstatus) -> None:
    """The last check of a run: no process started by a test is left running (they are ended here
    and the run fails, so a fixture that forgets to end its process is found)."""
    if not Path("/proc/self/environ").exists():
        return
    deadline = time.monotonic() + 5.0
    left = leftover_processes()
    while left and time.monotonic() < deadline:  # a process ending right now
        time.sleep(0.1)
        left = leftover_processes()
    if not left:
        return
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    listing = "\n".join(f"  {pid}: {cmd}" for pid, cmd in left)
    sys.stderr.write(f"\nThe test run left {len(left)} process(es) running (now killed):\n{listing}\n")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch) -> Path:
    home = tmp_path_factory.mktemp("pw-home")
    monkeypatch.setenv("POSTURE_WATCH_HOME", str(home))
    monkeypatch.setenv("POSTURE_WATCH_MODEL", str(MODEL_PATH))
    return home


@pytest.fixture(scope="session")
def model_path() -> Path:
    return MODEL_PATH


def _upright_lead_s(clip: str) -> str:
    """How long a clip sits upright from its start, from its labels (calibration.mp4 then follows the
    wizard's other prompts): the --seconds of a scripted calibration on it."""
    import json

    first = json.loads((SAMPLES / clip.replace(".mp4", ".labels.json")).read_text())["segments"][0]
    assert first["label"] == "upright", first
    return f"{first['end_s']:g}"


CALIBRATION_UPRIGHT_S = _upright_lead_s("calibration.mp4")


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
