"""A stand-in desktop on real D-Bus buses, for the screen lock and sleep tests.

`private_bus(folder)`: a dbus-daemon of its own (session configuration), ended when the block ends;
one plays the session bus, a second one the system bus (the real system bus is never touched).

Run as a script, this file serves on those buses what the real desktop would:

- system bus, name org.freedesktop.login1 (like systemd-logind):
  /org/freedesktop/login1         Manager.Inhibit(ssss) -> h (a pipe's end: the lock holds until it is
                                  closed; the test-only Manager.Inhibitors() -> u counts them),
                                  Manager.GetSession(s) -> o ("auto" and "7" are known; others fail
                                  with org.freedesktop.login1.NoSuchSession), Manager.Suspend(b) ->
                                  signal PrepareForSleep(true); the test-only Manager.Wake() -> signal
                                  PrepareForSleep(false) (logind sends it after resume)
  /org/freedesktop/login1/session/_37  Session.Lock() / Unlock() -> signals Lock / Unlock,
                                  Session.SetLockedHint(b) -> property LockedHint + PropertiesChanged
- session bus, name org.freedesktop.ScreenSaver: GetActive() -> b, SetActive(b) -> signal ActiveChanged(b).

(No `from __future__ import annotations` here: dbus-fast reads the signatures from the annotations.)
`desktop(system, session, folder)` starts it and ends it; `send(...)` calls a method with the real
`dbus-send` client, as another program on the desktop would.
"""


import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

from x_desktop import end

SESSION_PATH = "/org/freedesktop/login1/session/_37"
SESSION_IDS = ("auto", "7")


@contextlib.contextmanager
def private_bus(folder: Path, timeout_s: float = 10.0) -> Iterator[str]:
    """A private dbus-daemon; yields its address."""
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "bus.socket"
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address=unix:path={socket}",
                             "--print-address=1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + timeout_s
        address = proc.stdout.readline().strip()
        while not socket.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dbus-daemon did not start: {proc.stderr.read()}")
            time.sleep(0.02)
        yield address
    finally:
        end(proc)


@contextlib.contextmanager
def desktop(system: str | None, session: str | None, folder: Path, *, locked: bool = False,
            timeout_s: float = 20.0) -> Iterator[None]:
    """This script serving logind on `system` and the ScreenSaver on `session` (None: not served)."""
    folder.mkdir(parents=True, exist_ok=True)
    ready = folder / "desktop-ready"
    args = [sys.executable, __file__, "--ready", str(ready)]
    args += ["--system", system] if system else []
    args += ["--session", session] if session else []
    args += ["--locked"] if locked else []
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + timeout_s
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stand-in desktop did not start: {proc.stderr.read() if proc.poll() is not None else ''}")
            time.sleep(0.02)
        yield
    finally:
        end(proc)


def send(address: str, dest: str, path: str, method: str, *args: str) -> None:
    """`dbus-send` a method call (args in dbus-send's syntax, e.g. 'boolean:true') and wait for the reply."""
    subprocess.run(["dbus-send", f"--bus={address}", "--print-reply", f"--dest={dest}", path, method, *args],
                   check=True, capture_output=True, timeout=10)


def lock(system: str) -> None:
    send(system, "org.freedesktop.login1", SESSION_PATH, "org.freedesktop.login1.Session.Lock")


def unlock(system: str) -> None:
    send(system, "org.freedesktop.login1", SESSION_PATH, "org.freedesktop.login1.Session.Unlock")


def locked_hint(system: str, value: bool) -> None:
    send(system, "org.freedesktop.login1", SESSION_PATH, "org.freedesktop.login1.Session.SetLockedHint",
         f"boolean:{str(value).lower()}")


def suspend(system: str) -> None:
    send(system, "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager.Suspend",
         "boolean:false")


def wake(system: str) -> None:
    send(system, "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager.Wake")


def inhibitors(system: str) -> int:
    """How many inhibitor locks the stand-in logind holds now."""
    out = subprocess.run(["dbus-send", f"--bus={system}", "--print-reply", "--dest=org.freedesktop.login1",
                          "/org/freedesktop/login1", "org.freedesktop.login1.Manager.Inhibitors"],
                         check=True, capture_output=True, text=True, timeout=10).stdout
    return int(out.split()[-1])


def released_at(folder: Path) -> list[float]:
    """When each inhibitor lock was let go (time.time()), from the stand-in logind's log in `folder`."""
    log = folder / "inhibitors.log"
    return [float(line.split()[1]) for line in log.read_text().splitlines()] if log.exists() else []


def screensaver(session: str, active: bool) -> None:
    send(session, "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
         "org.freedesktop.ScreenSaver.SetActive", f"boolean:{str(active).lower()}")


# --- the services (this file run as a script) -------------------------------------------------

def _services(locked: bool, log_path: Path):
    from dbus_fast import DBusError
    from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method
    from dbus_fast.service import signal as dbus_signal

    class Manager(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.freedesktop.login1.Manager")
            self.held: dict[int, tuple[str, str, str]] = {}

        @method()
        def GetSession(self, session_id: "s") -> "o":  # noqa: F821
            if session_id not in SESSION_IDS:
                raise DBusError("org.freedesktop.login1.NoSuchSession", f"No session '{session_id}' known")
            return SESSION_PATH

        @method()
        def Suspend(self, interactive: "b") -> None:  # noqa: F821
            self.PrepareForSleep(True)

        @method()
        def Inhibit(self, what: "s", who: "s", why: "s", mode: "s") -> "h":  # noqa: F821
            """Like logind: the caller gets one end of a pipe; its lock holds until every copy is closed."""
            read_end, write_end = os.pipe()
            loop = asyncio.get_running_loop()
            self.held[read_end] = (what, who, mode)

            def released() -> None:
                if not os.read(read_end, 1):
                    loop.remove_reader(read_end)
                    os.close(read_end)
                    self.held.pop(read_end, None)
                    with open(log_path, "a", encoding="utf-8") as fh:
                        fh.write(f"released {time.time()!r} {who}\n")

            loop.add_reader(read_end, released)
            loop.call_later(0.5, os.close, write_end)   # our copy, once the reply has carried it over
            return write_end

        @method()
        def Inhibitors(self) -> "u":  # noqa: F821
            return len(self.held)

        @method()
        def Wake(self) -> None:
            self.PrepareForSleep(False)

        @dbus_signal()
        def PrepareForSleep(self, start: "b") -> "b":  # noqa: F821
            return start

    class Session(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.freedesktop.login1.Session")
            self._hint = locked

        @method()
        def Lock(self) -> None:
            self.LockSignal()

        @method()
        def Unlock(self) -> None:
            self.UnlockSignal()

        @method()
        def SetLockedHint(self, value: "b") -> None:  # noqa: F821
            self._hint = value
            self.emit_properties_changed({"LockedHint": value})

        @dbus_signal(name="Lock")
        def LockSignal(self) -> None:
            return None

        @dbus_signal(name="Unlock")
        def UnlockSignal(self) -> None:
            return None

        @dbus_property(access=PropertyAccess.READ)
        def LockedHint(self) -> "b":  # noqa: F821
            return self._hint

    class ScreenSaver(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.freedesktop.ScreenSaver")
            self._active = False

        @method()
        def GetActive(self) -> "b":  # noqa: F821
            return self._active

        @method()
        def SetActive(self, value: "b") -> "b":  # noqa: F821
            self._active = value
            self.ActiveChanged(value)
            return True

        @dbus_signal()
        def ActiveChanged(self, active: "b") -> "b":  # noqa: F821
            return active

    return Manager(), Session(), ScreenSaver()


async def _serve(system: str | None, session: str | None, ready: Path, locked: bool) -> None:
    from dbus_fast.aio import MessageBus

    manager, logind_session, saver = _services(locked, ready.with_name("inhibitors.log"))
    buses = []
    if system:
        bus = await MessageBus(bus_address=system, negotiate_unix_fd=True).connect()
        bus.export("/org/freedesktop/login1", manager)
        bus.export(SESSION_PATH, logind_session)
        await bus.request_name("org.freedesktop.login1")
        buses.append(bus)
    if session:
        bus = await MessageBus(bus_address=session).connect()
        bus.export("/org/freedesktop/ScreenSaver", saver)
        await bus.request_name("org.freedesktop.ScreenSaver")
        buses.append(bus)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(str(os.getpid()))
    tmp.replace(ready)
    await stop.wait()
    for bus in buses:
        bus.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--system")
    parser.add_argument("--session")
    parser.add_argument("--ready", required=True, type=Path)
    parser.add_argument("--locked", action="store_true", help="LockedHint is true from the start")
    args = parser.parse_args()
    asyncio.run(_serve(args.system, args.session, args.ready, args.locked))


if __name__ == "__main__":
    main()
