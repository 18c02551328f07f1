"""The tray's "Recalibrate" runs the calibration with the settings the monitor runs with: a monitor
started with `--config FILE` recalibrates with FILE, not with the per-user config.toml."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

from conftest import ROOT, sample
from posture_watch.io.desktop_actions import recalibration_for
from posture_watch.core.judge import JudgeConfig


def _thresholds(command, profile: Path) -> list[str]:
    proc = subprocess.run([*command, "--seconds", "6"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert profile.exists()
    return [line for line in proc.stdout.splitlines() if "warn at" in line.lower()]


def test_recalibrate_uses_the_monitors_config_file(private_home: Path, tmp_path: Path) -> None:
    config = tmp_path / "desk.toml"
    config.write_text('sensitivity = "gentle"\n')   # widens every tolerance: the thresholds it prints change
    profile = tmp_path / "p.json"
    resolved = SimpleNamespace(name=None, path=profile)
    plain = recalibration_for(str(sample("calibration.mp4")), False, resolved, JudgeConfig(), str(profile))
    with_config = recalibration_for(str(sample("calibration.mp4")), False, resolved, JudgeConfig(), str(profile),
                                    config_file=str(config))
    assert "--config" not in plain.command
    i = list(with_config.command).index("--config")
    assert with_config.command[i + 1] == str(config.resolve()) and list(with_config.command).index("calibrate") > i
    normal = _thresholds(plain.command, profile)
    gentle = _thresholds(with_config.command, profile)
    assert normal and gentle and normal != gentle
