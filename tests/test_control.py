"""The control channel on its own: single-instance lock, private socket, request/reply, refusals.
(pause/resume/snooze against the real monitor loop are in test_monitor.py.)"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import assert_one_sentence_error, run_cli
from posture_watch.io import control, paths
from posture_watch.io.control import AlreadyRunning, CommandQueue, ControlServer, InstanceLock, NotRunning

HOLDER = """
import sys, time
from posture_watch.io.control import InstanceLock
lock = InstanceLock.acquire()
print("held", flush=True)
time.sleep(120)
"""


def _holder() -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_instance_is_refused_until_the_first_dies(private_home: Path) -> None:
    proc = _holder()
    try:
        with pytest.raises(AlreadyRunning) as info:
            InstanceLock.acquire()
        assert f"pid {proc.pid}" in str(info.value)
        assert "\n" not in str(info.value)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with InstanceLock.acquire() as lock:  # the kernel dropped the dead process's lock
        assert lock.path.read_text().strip() == str(os.getpid())
    lock_file = paths.runtime_dir() / control.LOCK_NAME
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.runtime_dir().stat().st_mode) == 0o700


def _server(handler=None) -> tuple[ControlServer, CommandQueue, threading.Thread, threading.Event]:
    commands = CommandQueue()
    stop = threading.Event()

    def loop() -> None:  # stands in for the monitor loop: answers requests as they come
        while not stop.is_set():
            commands.drain(handler or (lambda req: {"ok": True, "text": f"did {req['cmd']} {req['minutes']}"}))
            stop.wait(0.01)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    server = ControlServer(lambda req: commands.submit(req, timeout_s=5)).start()
    return server, commands, thread, stop


def test_requests_reach_the_loop_over_a_private_socket(private_home: Path) -> None:
    server, _, thread, stop = _server()
    try:
        path = control.socket_path()
        assert path.parent == paths.runtime_dir()
        assert stat.S_ISSOCK(path.stat().st_mode)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert control.request("pause", 10) == {"ok": True, "text": "did pause 10.0"}
        assert control.request("resume")["text"] == "did resume None"
        proc = run_cli("snooze", "15")
        assert (proc.returncode, proc.stdout) == (0, "did snooze 15.0\n"), proc.stderr
        proc = run_cli("status")
        assert (proc.returncode, proc.stdout) == (0, "did status None\n"), proc.stderr
    finally:
        stop.set()
        thread.join()
        server.stop()
    assert not control.socket_path().exists()


def test_bad_requests_get_one_sentence(private_home: Path) -> None:
    server, _, thread, stop = _server()
    try:
        for raw in (b"not json\n", b'{"cmd": "format-disk"}\n', b'{"cmd": "snooze"}\n',
                    b'{"cmd": "pause", "minutes": -3}\n'):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.connect(str(control.socket_path()))
                sock.sendall(raw)
                reply = sock.makefile().readline()
            assert '"ok": false' in reply, (raw, reply)
        assert control.request("status")["ok"]  # still serving
    finally:
        stop.set()
        thread.join()
        server.stop()


def test_a_refusal_from_the_monitor_is_a_user_error(private_home: Path) -> None:
    server, _, thread, stop = _server(lambda req: {"ok": False, "text": "Nothing is paused."})
    try:
        proc = run_cli("resume")
        assert assert_one_sentence_error(proc) == "posture-watch: Nothing is paused."
    finally:
        stop.set()
        thread.join()
        server.stop()


def test_no_monitor_running(private_home: Path) -> None:
    with pytest.raises(NotRunning):
        control.request("status")
    proc = run_cli("status")
    assert proc.returncode == 3 and "not running" in proc.stdout, (proc.stdout, proc.stderr)
    for args in (("pause",), ("pause", "5"), ("resume",), ("snooze", "10")):
        line = assert_one_sentence_error(run_cli(*args))
        assert "No posture-watch monitor is running" in line


def test_stale_socket_of_a_dead_monitor_means_not_running(private_home: Path) -> None:
    path = control.socket_path()
    paths.ensure_private_dir(path.parent)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))  # bound, never listening, then closed: what kill -9 leaves behind
    assert path.exists()
    with pytest.raises(NotRunning):
        control.request("status")


def test_long_runtime_path_falls_back_to_a_short_private_socket(tmp_path: Path, monkeypatch) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    monkeypatch.setenv("POSTURE_WATCH_HOME", str(deep))
    path = control.socket_path()
    assert len(str(path)) <= control.MAX_SOCKET_PATH
    server, _, thread, stop = _server()
    try:
        assert control.request("status")["ok"]
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        stop.set()
        thread.join()
        server.stop()


def test_status_falls_back_to_the_last_snapshot_when_the_loop_is_busy() -> None:
    commands = CommandQueue()
    commands.snapshot = {"ok": True, "text": "posture-watch is monitoring.", "status": {"condition": "monitoring"}}
    reply = commands.submit({"cmd": "status", "minutes": None}, timeout_s=0.05)
    assert reply["text"] == "posture-watch is monitoring." and "busy" in reply["note"]
    reply = commands.submit({"cmd": "pause", "minutes": 5.0}, timeout_s=0.05)
    assert reply["ok"] is False
