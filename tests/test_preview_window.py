"""The `run --preview` window on a real X server (Xvfb) with a real window manager (openbox): its size on
screen, its header, and what it shows while paused, read back from screenshots of the screen (`import`).

Set PW_SCREENSHOT_DIR=DIR to keep the screenshots (the README's picture comes from here)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
import pytest

from conftest import ROOT, run_cli, sample
from x_desktop import x_desktop
from posture_watch.io.preview import WINDOW, PreviewConfig

TOOLS = ("Xvfb", "openbox", "import", "xwininfo", "xprop")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason="Xvfb, openbox, imagemagick or x11-utils missing (scripts/install-system-deps.sh)")


def _until(predicate, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def window_geometry(display: str) -> tuple[int, int, int, int] | None:
    """(x, y, width, height) of the preview's drawing area on the screen, None while it is not mapped."""
    proc = subprocess.run(["xwininfo", "-name", WINDOW], env=dict(os.environ, DISPLAY=display),
                          capture_output=True, text=True)
    if proc.returncode != 0 or "IsViewable" not in proc.stdout:
        return None
    get = {k: int(v) for k, v in re.findall(r"(Absolute upper-left [XY]|Width|Height):\s+(-?\d+)", proc.stdout)}
    return get["Absolute upper-left X"], get["Absolute upper-left Y"], get["Width"], get["Height"]


def screenshot(display: str, path: Path, geometry: tuple[int, int, int, int]) -> np.ndarray:
    """The screen (the window manager's frame included) saved to `path`; returns the window's drawing area."""
    subprocess.run(["import", "-window", "root", str(path)], env=dict(os.environ, DISPLAY=display), check=True,
                   capture_output=True, timeout=30)
    screen = cv2.imread(str(path))
    x, y, w, h = geometry
    return screen[y:y + h, x:x + w]


def _keep(path: Path, geometry: tuple[int, int, int, int]) -> None:
    """With PW_SCREENSHOT_DIR set: the window with its title bar, cut out of the screenshot, kept there."""
    keep = os.environ.get("PW_SCREENSHOT_DIR")
    if keep:
        x, y, w, h = geometry
        screen = cv2.imread(str(path))
        cv2.imwrite(str(Path(keep) / path.name), screen[max(0, y - 22):y + h + 2, max(0, x - 2):x + w + 2])


def test_the_preview_window_is_big_readable_and_says_paused(private_home, tmp_path):
    with x_desktop() as display:
        env = dict(os.environ, DISPLAY=display)
        proc = subprocess.Popen([sys.executable, "-m", "posture_watch", "run", "--source", str(sample("desk_session.mp4")),
                                 "--speed", "2", "--preview", "--no-notify", "--profile",
                                 str(ROOT / "calibration" / "sample_profile.json")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # the clip is 640x480: the window is enlarged to 800 px, the picture's shape kept. (The toolkit maps a
            # new window at its own 400x300 and applies the size at its next event, which a loaded machine showed
            # first: so the size is waited for, and a window that never gets it times out here.)
            big = (PreviewConfig().min_width_px, 600)
            _until(lambda: (window_geometry(display) or (0, 0, 0, 0))[2:] == big or proc.poll() is not None, 90)
            geometry = window_geometry(display)
            assert geometry is not None, proc.stderr.read() if proc.poll() is not None else "no window"
            x, y, w, h = geometry
            assert (w, h) == big

            def green_headline() -> bool:   # the clip opens upright: once judged, "Sitting well" in green
                band = screenshot(display, tmp_path / "preview-watching.png", geometry)[: h // 7]
                return int(((band[..., 1] > 150) & (band[..., 0] < 120) & (band[..., 2] < 120)).sum()) > 300
            # the first samples may still be unjudged (yellow) on a loaded machine: wait for the judgement
            _until(green_headline, 60)
            watching = cv2.imread(str(tmp_path / "preview-watching.png"))[y:y + h, x:x + w]
            band, below = watching[: h // 7], watching[h // 7:]
            assert band.mean() < below.mean() - 20           # the dark header band across the top
            assert (band.min(axis=2) > 200).sum() > 300      # the detail line in white

            paused = run_cli("pause", env=env)
            assert paused.returncode == 0, paused.stderr
            time.sleep(1.5)
            assert window_geometry(display) == geometry      # still open, same size and place
            held = screenshot(display, tmp_path / "preview-paused.png", geometry)
            grey = np.abs(held.astype(int) - 40).max(axis=2) <= 2
            assert grey.mean() > 0.9                        # a dark panel: no camera picture while paused
            orange = (held[..., 2] > 200) & (held[..., 1] > 150) & (held[..., 0] < 140)
            assert orange.sum() > 500                       # the big "Paused"
            resumed = run_cli("resume", env=env)
            assert resumed.returncode == 0, resumed.stderr
            _until(lambda: (np.abs(screenshot(display, tmp_path / "preview-resumed.png", geometry).astype(int) - 40)
                            .max(axis=2) > 2).mean() > 0.5, 30)

            def red_headline() -> bool:   # the clip's held forward lean (from 45 s) is called poor, in red
                band = screenshot(display, tmp_path / "preview-poor.png", geometry)[: h // 7]
                return int(((band[..., 2] > 200) & (band[..., 1] < 110) & (band[..., 0] < 110)).sum()) > 300
            _until(red_headline, 60)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, proc.stderr.read()
        for name in ("preview-poor.png", "preview-paused.png"):
            _keep(tmp_path / name, geometry)


@contextlib.contextmanager
def slow_preview(home: Path) -> Iterator[tuple[dict[str, str], subprocess.Popen, str]]:
    """`run --preview` on desk_session with samples 10 s apart, under Xvfb + openbox: yields (env, the
    process, the window's id) once the first sample is shown; stops the monitor (Ctrl-C) afterwards and
    checks that it ended well."""
    config = home / "config" / "config.toml"
    config.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    config.write_text("[sampling]\nslow_hz = 0.1\nfast_hz = 0.1\nsettled_hz = 0.1\n")
    with x_desktop() as display:
        env = dict(os.environ, DISPLAY=display)
        proc = subprocess.Popen([sys.executable, "-m", "posture_watch", "run", "--source", str(sample("desk_session.mp4")),
                                 "--preview", "--no-notify", "--profile", str(ROOT / "calibration" / "sample_profile.json")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _until(lambda: window_geometry(display) is not None or proc.poll() is not None, 90)
            assert window_geometry(display) is not None, proc.stderr.read() if proc.poll() is not None else "no window"
            time.sleep(2.0)    # the first sample is shown; the next comes 10 s later
            window = subprocess.run(["xdotool", "search", "--name", WINDOW], env=env, capture_output=True,
                                    text=True, check=True).stdout.split()[0]
            yield env, proc, window
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, proc.stderr.read()


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is missing (scripts/install-system-deps.sh)")
def test_the_window_redraws_when_resized_between_samples(private_home, tmp_path):
    """Samples 10 s apart: resized in between, the window repaints at its new size within a second (it
    handles its events while the monitor waits), instead of hanging until the next sample."""
    with slow_preview(private_home) as (env, proc, window):
        subprocess.run(["xdotool", "windowsize", window, "1000", "750"], env=env, check=True)
        time.sleep(1.0)
        geometry = window_geometry(env["DISPLAY"])
        assert geometry is not None and geometry[2:] == (1000, 750)
        shown = screenshot(env["DISPLAY"], tmp_path / "resized.png", geometry)
        grown = shown[610:740, 810:990]           # outside the old 800x600: painted only by a redraw
        assert grown.std() > 10 and grown.mean() > 30, (grown.mean(), grown.std())


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is missing (scripts/install-system-deps.sh)")
@pytest.mark.parametrize("key", ["q", "Escape"])
def test_q_or_esc_closes_the_window_and_the_monitor_goes_on(private_home, key):
    """Samples 10 s apart: a real key press between two samples closes the window at once (the README's
    promise), and the monitor keeps running until it is stopped."""
    with slow_preview(private_home) as (env, proc, window):
        subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, check=True, timeout=10)
        subprocess.run(["xdotool", "key", "--clearmodifiers", key], env=env, check=True, timeout=10)
        pressed = time.monotonic()
        _until(lambda: window_geometry(env["DISPLAY"]) is None, 5)
        assert time.monotonic() - pressed < 3.0          # closed before the next sample, not at it
        time.sleep(1.0)
        assert proc.poll() is None, proc.stderr.read()   # the monitor goes on without its window
        status = run_cli("status", env=env)
        assert status.returncode == 0, status.stderr
