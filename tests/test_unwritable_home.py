"""A read-only or full POSTURE_WATCH_HOME: one sentence naming the folder, exit 2, from every command
that writes (never `unexpected error: OSError`), and `doctor` says "cannot be written".

The home is a real small tmpfs, mounted read-only or filled up (mounting needs root; skipped otherwise)."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT, assert_one_sentence_error, run_cli, sample

PROFILE = ROOT / "calibration" / "sample_profile.json"


@contextlib.contextmanager
def _mounted(tmp_path: Path, how: str) -> Iterator[Path]:
    mount = tmp_path / "home"
    mount.mkdir()
    options = "size=256k,ro" if how == "read-only" else "size=256k"
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {proc.stderr.strip()}")
    try:
        if how == "full":
            try:
                with open(mount / "filler", "wb") as fh:
                    while True:
                        fh.write(b"\0" * 4096)
                        fh.flush()
            except OSError:  # ENOSPC: full
                pass
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture(params=["read-only", "full"])
def home(request, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    with _mounted(tmp_path, request.param) as mount:
        yield mount, request.param


def test_every_writing_command_names_the_folder(home) -> None:
    folder, how = home
    env = {"POSTURE_WATCH_HOME": str(folder)}
    why = "read-only file system" if how == "read-only" else "is full"
    commands = {
        "model fetch": ["model", "fetch"],
        "run": ["run", "--source", str(sample("calibration.mp4")), "--speed", "1000", "--profile", str(PROFILE),
                "--no-notify"],
        "demo": ["demo", "--no-notify"],
    }
    for name, args in commands.items():
        for model in ("", None) if name != "model fetch" else ("",):  # the model still to fetch, and one given
            extra = dict(env, POSTURE_WATCH_MODEL="") if model == "" else env
            line = assert_one_sentence_error(run_cli(*args, env=extra))
            assert str(folder) in line and why.split()[-1] in line and "unexpected" not in line, (name, line)


def test_doctor_says_cannot_be_written(tmp_path: Path) -> None:
    with _mounted(tmp_path, "read-only") as folder:
        proc = run_cli("doctor", env={"POSTURE_WATCH_HOME": str(folder)})
    assert proc.returncode == 1
    data = next(line for line in proc.stdout.splitlines() if line.startswith("data folder"))
    assert "cannot be written" in data and "PROBLEM" in data and "not created yet" not in proc.stdout
