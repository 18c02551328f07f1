"""Privacy: calibrate, analyze, run and report, as a user runs them, never write a picture. Every place
they could write (POSTURE_WATCH_HOME, the working folder, HOME, TMPDIR, the XDG folders) is a fresh
folder, scanned afterwards for image files by name and by content (JPEG/PNG/GIF/BMP/WebP/TIFF/PPM
signatures at the start of a file or anywhere inside it, raw or base64: a frame stored in the
database or a JSON line would be found too).

The one picture the program writes is the calibration wizard's summary next to the profile
(`NAME.summary.png`): a drawing of the calibrated landmarks, not a camera frame. It is allowed at
exactly that place, and checked to be a drawing (mostly the flat background colour, few colours)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import CALIBRATION_UPRIGHT_S, ROOT, sample

RASTER_MAGIC = {
    "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "gif": b"GIF8", "webp": b"WEBP",
    "tiff-le": b"II*\x00", "tiff-be": b"MM\x00*",
}
INSIDE = [b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb", b"\xff\xd8\xff\xee", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"GIF87a",
          b"iVBORw0KGgo", b"/9j/4", b"/9j/2", b"R0lGOD"]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pnm", ".npy",
                  ".npz", ".raw", ".yuv"}


def _env(root: Path) -> dict[str, str]:
    dirs = {name: root / name for name in ("home", "cwd", "user", "tmp", "xdg-config", "xdg-data", "xdg-cache",
                                           "xdg-state", "xdg-runtime")}
    for d in dirs.values():
        d.mkdir(mode=0o700)
    env = dict(os.environ, POSTURE_WATCH_HOME=str(dirs["home"]), HOME=str(dirs["user"]), TMPDIR=str(dirs["tmp"]),
               XDG_CONFIG_HOME=str(dirs["xdg-config"]), XDG_DATA_HOME=str(dirs["xdg-data"]),
               XDG_CACHE_HOME=str(dirs["xdg-cache"]), XDG_STATE_HOME=str(dirs["xdg-state"]),
               XDG_RUNTIME_DIR=str(dirs["xdg-runtime"]), PYTHONPATH=str(ROOT))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def _pw(root: Path, env: dict[str, str], *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "posture_watch", *args], cwd=root / "cwd", env=env,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, (args, proc.stderr)


def _pictures(root: Path) -> list[tuple[Path, str]]:
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if path.suffix.lower() in IMAGE_SUFFIXES:
            found.append((path, "image file name"))
        for kind, magic in RASTER_MAGIC.items():
            if data.startswith(magic) or (kind == "webp" and data[:4] == b"RIFF" and data[8:12] == magic):
                found.append((path, f"{kind} file"))
        if data[:2] == b"BM" and len(data) > 26 and int.from_bytes(data[2:6], "little") == len(data):
            found.append((path, "bmp file"))
        if data[:2] in (b"P5", b"P6") and data[2:3].isspace():
            found.append((path, "ppm file"))
        for magic in INSIDE:
            if magic in data[8:]:
                found.append((path, f"{magic!r} inside"))
    return sorted(set(found))


def _is_a_drawing(path: Path) -> bool:
    """Flat colours (the background and the plot area cover most of it) and few colours overall: a
    camera frame has sensor noise everywhere and tens of thousands of colours."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    pixels = image.reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    two_flat = np.sort(counts)[-2:].sum() / len(pixels)
    return bool(two_flat > 0.8 and len(colours) < 20000)


def test_the_scan_finds_a_frame_however_it_is_written(tmp_path):
    import base64

    frame = cv2.VideoCapture(str(sample("calibration.mp4"))).read()[1]
    ok, jpeg = cv2.imencode(".jpg", frame)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "frame.bin").write_bytes(cv2.imencode(".png", frame)[1].tobytes())  # a PNG by another name
    (tmp_path / "a" / "line.jsonl").write_text('{"image": "' + base64.b64encode(jpeg.tobytes()).decode() + '"}\n')
    (tmp_path / "a" / "blob.db").write_bytes(b"SQLite format 3\x00" + bytes(100) + jpeg.tobytes())
    found = {(p.name, why.split()[0]) for p, why in _pictures(tmp_path)}
    assert {"frame.bin", "line.jsonl", "blob.db"} <= {name for name, _ in found}, found
    assert not _is_a_drawing(tmp_path / "a" / "frame.bin")


@pytest.mark.slow
def test_no_picture_is_ever_written(tmp_path):
    env = _env(tmp_path)
    profile = ROOT / "calibration" / "sample_profile.json"
    calib, desk = str(sample("calibration.mp4")), str(sample("grace_desk.mp4"))
    _pw(tmp_path, env, "calibrate", "--source", calib, "--profile", "mine.json", "--non-interactive",
        "--seconds", CALIBRATION_UPRIGHT_S)
    _pw(tmp_path, env, "calibrate", "--source", calib, "--name", "desk", "--no-slouch")  # the wizard, no terminal
    _pw(tmp_path, env, "analyze", desk, "--profile", str(profile), "--jsonl", "analyze.jsonl", "--quiet")
    _pw(tmp_path, env, "analyze", desk, "--profile", "mine.json", "--every-frame", "--seconds", "15", "--jsonl",
        "every.jsonl", "--quiet")
    _pw(tmp_path, env, "run", "--source", desk, "--speed", "1000", "--profile", str(profile), "--no-notify",
        "--into-history", "--jsonl", "run.jsonl")
    _pw(tmp_path, env, "report", "--html", "report.html", "--json", "report.json", "--csv", "report.csv")
    assert (tmp_path / "cwd" / "run.jsonl").stat().st_size > 0 and (tmp_path / "cwd" / "report.html").exists()

    found = _pictures(tmp_path)
    summary = tmp_path / "home" / "data" / "profiles" / "desk.summary.png"
    assert summary.exists() and _is_a_drawing(summary)
    assert [f for f in found if f[0] != summary] == [], found


def test_analyze_jsonl_is_private_like_the_database(private_home, tmp_path):
    """The JSON lines hold the same health data as the database: 0600, for a new file and one that was
    left readable by others before."""
    from conftest import run_cli
    fresh, old = tmp_path / "fresh.jsonl", tmp_path / "old.jsonl"
    old.write_text("")
    old.chmod(0o644)
    for out in (fresh, old):
        proc = run_cli("analyze", str(sample("desk_session.mp4")), "--seconds", "3", "--profile",
                       str(ROOT / "calibration" / "sample_profile.json"), "--jsonl", str(out), "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert out.stat().st_size > 0
        assert out.stat().st_mode & 0o777 == 0o600, oct(out.stat().st_mode)
