"""Talking to the running monitor: one monitor per user, and `status | pause [MIN] | resume | snooze MIN`,
and the break routine's `routine` request (`posture-watch break`).

The monitor holds an exclusive lock on `runtime_dir()/monitor.lock` (released by the kernel when
the process dies, even on kill -9) and listens on the Unix socket `runtime_dir()/monitor.sock`.
The folder is mode 0700 and the socket 0600, and the server checks the peer's uid where the
platform tells it (SO_PEERCRED), so only this user can reach it. Where Python has no AF_UNIX
(Windows), the monitor listens on 127.0.0.1 and writes the port and a random token to
`runtime_dir()/monitor.port`, readable by this user only.

Protocol: one JSON line each way. Request {"cmd": "status"|"pause"|"resume"|"snooze", "minutes": x}, or
{"cmd": "routine", "phase": "start"|"done"|"stopped", "minutes": x} (start: warnings and the camera wait at
most x minutes; done: the routine counts as a break; stopped: monitoring goes on, no break);
reply {"ok": true|false, "text": "...", "status": {...}}.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import logging
import os
import queue
import secrets
import socket
import struct
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from posture_watch.io import paths
from posture_watch.core.errors import UserError

log = logging.getLogger(__name__)

LOCK_NAME = "monitor.lock"
SOCKET_NAME = "monitor.sock"
PORT_NAME = "monitor.port"
COMMANDS = ("status", "pause", "resume", "snooze", "routine")
ROUTINE_PHASES = ("start", "done", "stopped")
MAX_REQUEST_BYTES = 4096
MAX_SOCKET_PATH = 100  # sun_path is 104-108 bytes depending on the platform
HAS_UNIX = hasattr(socket, "AF_UNIX")


class AlreadyRunning(UserError):
    """Another monitor holds the instance lock."""


class NotRunning(UserError):
    """No monitor answers on the control socket."""


# --- single instance ---------------------------------------------------------------------------


class InstanceLock:
    """An exclusive, non-blocking lock on a file; the kernel drops it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @classmethod
    def acquire(cls, path: Path | None = None) -> "InstanceLock":
        path = path or paths.ensure_private_dir(paths.runtime_dir()) / LOCK_NAME
        paths.ensure_private_dir(path.parent)
        lock = cls(path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_fd(fd)
        except OSError:
            os.close(fd)
            pid = _read_pid(path)
            who = f" (pid {pid})" if pid else ""
            raise AlreadyRunning(f"Another posture-watch monitor is already running{who}; stop it first, or talk "
                                 "to it with `posture-watch status`, `pause`, `resume` or `snooze`.") from None
        try:  # the pid is only for the "already running" message: a full disk must not stop the monitor
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError as exc:
            log.debug("could not write the pid into %s: %s", path, exc)
        lock._fd = fd
        return lock

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    def __enter__(self) -> "InstanceLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


# --- addresses ---------------------------------------------------------------------------------


def socket_path() -> Path:
    """The control socket; a short private fallback path when the runtime folder's path is too long."""
    path = paths.runtime_dir() / SOCKET_NAME
    if len(os.fsencode(str(path))) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(os.fsencode(str(path))).hexdigest()[:16]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"posture-watch-{uid}" / f"{digest}.sock"


def _private_parent(path: Path) -> None:
    paths.ensure_private_dir(path.parent)
    st = path.parent.stat()
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
        raise UserError(f"The folder {path.parent} is not private to you; remove it and start again.")


# --- the server side ---------------------------------------------------------------------------


@dataclass
class Command:
    """A request waiting for the monitor loop to answer it."""

    request: dict[str, Any]
    reply: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)


class CommandQueue:
    """Requests from the control thread to the monitor loop, which owns all state and answers them."""

    def __init__(self, wake: Callable[[], None] = lambda: None) -> None:
        self._queue: "queue.Queue[Command]" = queue.Queue()
        self._wake = wake
        self.snapshot: dict[str, Any] = {"ok": True, "text": "posture-watch is starting.", "status": {}}

    def submit(self, request: dict[str, Any], timeout_s: float = 10.0) -> dict[str, Any]:
        command = Command(request)
        self._queue.put(command)
        self._wake()
        try:
            return command.reply.result(timeout_s)
        except concurrent.futures.TimeoutError:
            if request.get("cmd") == "status":
                return dict(self.snapshot, note="the monitor is busy; this is its last known status")
            return {"ok": False, "text": "The monitor did not answer in time; try again in a moment."}

    def drain(self, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
        """Answer every waiting request with `handle` (called by the monitor loop). Returns how many."""
        n = 0
        while True:
            try:
                command = self._queue.get_nowait()
            except queue.Empty:
                return n
            try:
                reply = handle(command.request)
            except UserError as exc:
                reply = {"ok": False, "text": str(exc)}
            except Exception as exc:  # never let a bad request take the monitor down
                log.warning("control request %r failed: %s", command.request, exc, exc_info=True)
                reply = {"ok": False, "text": f"The monitor could not do that ({type(exc).__name__}: {exc})."}
            if not command.reply.done():
                command.reply.set_result(reply)
            n += 1


def validate_request(request: Any) -> dict[str, Any]:
    """A well-formed request, or UserError with one sentence."""
    if not isinstance(request, dict) or request.get("cmd") not in COMMANDS:
        raise UserError(f"Unknown request; expected one of {', '.join(COMMANDS)}.")
    cmd = request["cmd"]
    minutes = request.get("minutes")
    if cmd == "snooze" and minutes is None:
        raise UserError("snooze needs a number of minutes.")
    phase = request.get("phase")
    if cmd == "routine" and (phase not in ROUTINE_PHASES or (phase == "start" and minutes is None)):
        raise UserError("routine needs a phase (start with minutes, done or stopped).")
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes <= 7 * 24 * 60:
            raise UserError("Minutes must be a number between 0 and one week.")
    out = {"cmd": cmd, "minutes": None if minutes is None else float(minutes)}
    return dict(out, phase=phase) if cmd == "routine" else out


class ControlServer:
    """Accepts local connections in a daemon thread; each request is answered through `handler`."""

    def __init__(self, handler: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self.handler = handler
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._token = ""
        self.address: str = ""
        self._path: Path | None = None

    def start(self) -> "ControlServer":
        if HAS_UNIX:
            path = socket_path()
            _private_parent(path)
            try:
                path.unlink()  # a stale socket from a monitor that died (we hold the instance lock)
            except FileNotFoundError:
                pass
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old = os.umask(0o177)
            try:
                sock.bind(str(path))
            finally:
                os.umask(old)
            os.chmod(path, 0o600)
            self._path, self.address = path, str(path)
        else:  # pragma: no cover - Windows
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            self._token = secrets.token_hex(16)
            port_file = paths.ensure_private_dir(paths.runtime_dir()) / PORT_NAME
            port_file.write_text(f"{sock.getsockname()[1]} {self._token}\n")
            self._path, self.address = port_file, f"127.0.0.1:{sock.getsockname()[1]}"
        sock.listen(8)
        sock.settimeout(0.5)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="posture-watch-control", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(2.0)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._path is not None:
            try:
                self._path.unlink()
            except OSError:
                pass

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                assert self._sock is not None
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                if self._stopping.is_set():
                    return
                continue
            with conn:
                try:
                    self._answer(conn)
                except Exception as exc:  # one broken client must not stop the server
                    log.debug("control connection failed: %s", exc)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        if HAS_UNIX and not _same_user(conn):
            _send(conn, {"ok": False, "text": "Only the user who started the monitor can control it."})
            return
        try:
            request = json.loads(_read_line(conn).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            _send(conn, {"ok": False, "text": "The request was not JSON."})
            return
        if self._token and (not isinstance(request, dict) or request.get("token") != self._token):
            _send(conn, {"ok": False, "text": "Wrong control token."})
            return
        try:
            request = validate_request(request)
        except UserError as exc:
            _send(conn, {"ok": False, "text": str(exc)})
            return
        _send(conn, self.handler(request))


def _same_user(conn: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # macOS/BSD: the 0700 folder and 0600 socket already keep others out
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(1024)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise ValueError("request too long")
    return data.split(b"\n", 1)[0]


def _send(conn: socket.socket, reply: dict[str, Any]) -> None:
    conn.sendall((json.dumps(reply) + "\n").encode("utf-8"))


# --- the client side ---------------------------------------------------------------------------


def request(cmd: str, minutes: float | None = None, timeout_s: float = 15.0, **extra: Any) -> dict[str, Any]:
    """Send one request to the running monitor; NotRunning if there is none."""
    body: dict[str, Any] = {"cmd": cmd, **extra}
    if minutes is not None:
        body["minutes"] = minutes
    not_running = NotRunning("No posture-watch monitor is running; start one with `posture-watch run`.")
    try:
        if HAS_UNIX:
            path = socket_path()
            if not path.exists():
                raise not_running
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: Any = str(path)
        else:  # pragma: no cover - Windows
            port_file = paths.runtime_dir() / PORT_NAME
            try:
                port, token = port_file.read_text().split()
            except (OSError, ValueError):
                raise not_running from None
            body["token"] = token
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            target = ("127.0.0.1", int(port))
        with sock:
            sock.settimeout(timeout_s)
            sock.connect(target)
            _send(sock, body)
            line = _read_line(sock)
    except (ConnectionRefusedError, FileNotFoundError):
        raise not_running from None
    except socket.timeout:
        raise UserError("The posture-watch monitor did not answer in time; it may be busy, try again.") from None
    except OSError as exc:
        raise UserError(f"Could not talk to the posture-watch monitor ({exc.strerror or exc}).") from None
    try:
        reply = json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise UserError("The posture-watch monitor gave an answer that could not be read.") from None
    if not isinstance(reply, dict):
        raise UserError("The posture-watch monitor gave an answer that could not be read.")
    return reply


def _print_reply(reply: dict[str, Any]) -> int:
    text = str(reply.get("text", "")).strip()
    if not reply.get("ok", False):
        raise UserError(text or "The monitor refused the request.")
    if text:
        print(text)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    try:
        reply = request("status")
    except NotRunning:
        print("posture-watch is not running (start it with `posture-watch run`).")
        return 3  # LSB: program is not running
    if getattr(args, "json", False):
        print(json.dumps(reply.get("status", {}), indent=2, sort_keys=True))
        return 0
    return _print_reply(reply)


def cmd_pause(args: argparse.Namespace) -> int:
    return _print_reply(request("pause", getattr(args, "minutes", None)))


def cmd_resume(args: argparse.Namespace) -> int:
    return _print_reply(request("resume"))


def cmd_snooze(args: argparse.Namespace) -> int:
    return _print_reply(request("snooze", args.minutes))

