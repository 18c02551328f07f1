"""The installation: one OpenCV, importable; the console script where outside scripts expect it."""

from __future__ import annotations

import importlib.metadata as md
import subprocess
import sys
from pathlib import Path

OPENCV_DISTS = ("opencv-python", "opencv-contrib-python", "opencv-python-headless", "opencv-contrib-python-headless")


def installed(name: str) -> bool:
    try:
        md.distribution(name)
        return True
    except md.PackageNotFoundError:
        return False


def test_import_cv2_works_after_a_clean_install():
    proc = subprocess.run([sys.executable, "-c", "import cv2, numpy; print(cv2.__version__); "
                           "print(cv2.cvtColor(numpy.zeros((2, 2, 3), numpy.uint8), cv2.COLOR_BGR2GRAY).shape)"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == "(2, 2)"


def test_exactly_one_opencv_distribution():
    """mediapipe brings opencv-contrib-python; a second cv2 distribution would overwrite the same folder."""
    present = [d for d in OPENCV_DISTS if installed(d)]
    assert present == ["opencv-contrib-python"], present


def test_console_script_is_in_the_venv():
    script = Path(sys.executable).parent / "posture-watch"
    assert script.exists()
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("posture-watch ")
