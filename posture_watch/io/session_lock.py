"""Screen lock and sleep: while the session is locked or the machine sleeps, the monitor holds.

What says "hold" (any one of them is enough):

- logind on the system bus: the session's `Lock` / `Unlock` signals and its `LockedHint`
  property (sent as PropertiesChanged by the screen locker), and the manager's
  `PrepareForSleep(true)` ... `PrepareForSleep(false)` around a suspend or hibernation;
- `ActiveChanged(bool)` of `org.freedesktop.ScreenSaver` (KDE, xfce, most lockers) or
  `org.gnome.ScreenSaver` (GNOME) on the session bus.

`apply(state, what, value)` is the pure part: the last word of each source wins (a `Lock`
request is undone by `Unlock` or by the locker clearing `LockedHint`). `ScreenWatch` is the edge:
one thread with its own asyncio loop and a dbus-fast connection to each bus, which calls
`on_change()` (the monitor's `Waker.wake`) whenever the answer of `reason()` changes. A bus or a
service that is not there is said once in the log; the others still work.

Before sleep. logind suspends right after PrepareForSleep(true) unless a program holds a "delay"
inhibitor lock (an open file descriptor from Manager.Inhibit). ScreenWatch holds one while the machine
is awake; the monitor calls `ready_to_sleep()` once it has released the camera, which lets the sleep
go on (logind waits at most InhibitDelayMaxSec, 5 s by default, for that). It takes a new one on resume.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from dataclasses import dataclass, replace
from typing import Any, Callable

log = logging.getLogger(__name__)

LOGIN1 = "org.freedesktop.login1"
LOGIN1_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION = "org.freedesktop.login1.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"
SCREENSAVERS = (("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
                ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"))

ASLEEP = "asleep"
LOCKED = "screen locked"


@dataclass(frozen=True)
class LockState:
    """What the desktop said last: the logind session locked, a screensaver active, asleep."""

    session_locked: bool = False
    screensaver_active: bool = False
    asleep: bool = False

    @property
    def reason(self) -> str | None:
        """Why the monitor must hold ("asleep", "screen locked"), or None."""
        if self.asleep:
            return ASLEEP
        if self.session_locked or self.screensaver_active:
            return LOCKED
        return None


def apply(state: LockState, what: str, value: bool = True) -> LockState:
    """Pure: the state after one desktop signal.

    what: "Lock" / "Unlock" (logind session signals), "LockedHint" (the property, with its value),
    "PrepareForSleep" (True before sleep, False after resume), "ActiveChanged" (a screensaver)."""
    if what == "Lock":
        return replace(state, session_locked=True)
    if what == "Unlock":
        return replace(state, session_locked=False)
    if what == "LockedHint":
        return replace(state, session_locked=bool(value))
    if what == "PrepareForSleep":
        return replace(state, asleep=bool(value))
    if what == "ActiveChanged":
        return replace(state, screensaver_active=bool(value))
    raise ValueError(f"Unknown desktop signal {what!r}.")


class ScreenWatch:
    """Follows lock and sleep on the real buses. `start()`, then `reason()` at any time, `stop()`.

    The buses are the usual ones (DBUS_SYSTEM_BUS_ADDRESS / DBUS_SESSION_BUS_ADDRESS, or the
    system socket); the logind session is $XDG_SESSION_ID, else logind's "auto" (the caller's
    session, or the user's graphical one when running as a service outside any session)."""

    def __init__(self, on_change: Callable[[], None] = lambda: None, *, session_id: str | None = None,
                 connect_timeout_s: float = 5.0) -> None:
        self.on_change = on_change
        self.session_id = session_id if session_id is not None else os.environ.get("XDG_SESSION_ID") or "auto"
        self.connect_timeout_s = connect_timeout_s
        self.listening: list[str] = []      # what is followed, e.g. "logind session", "logind sleep"
        self.session_path: str | None = None
        self._state = LockState()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._system: Any = None
        self._delay_fd: int | None = None   # logind's delay inhibitor lock for sleep (see the module doc)

    # --- the monitor's side ----------------------------------------------------------------

    def reason(self) -> str | None:
        with self._lock:
            return self._state.reason

    @property
    def state(self) -> LockState:
        with self._lock:
            return self._state

    def ready_to_sleep(self) -> None:
        """The camera is released: let a pending sleep go on (close the delay lock). Any thread."""
        with self._lock:
            fd, self._delay_fd = self._delay_fd, None
        if fd is not None:
            os.close(fd)
            log.info("camera released: the machine may sleep")

    @property
    def delaying_sleep(self) -> bool:
        with self._lock:
            return self._delay_fd is not None

    def start(self) -> "ScreenWatch":
        """Connect and subscribe (waits at most `connect_timeout_s` for both buses to answer)."""
        self._thread = threading.Thread(target=self._run, name="screen-watch", daemon=True)
        self._thread.start()
        self._ready.wait(self.connect_timeout_s)
        if not self.listening:
            log.info("screen lock and sleep are not followed: neither logind nor a screensaver answered")
        return self

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:  # the loop ended already
                pass
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        self.ready_to_sleep()  # never keep a sleep waiting after the monitor ended

    # --- the listener thread ---------------------------------------------------------------

    def _set(self, what: str, value: bool) -> None:
        with self._lock:
            before = self._state.reason
            self._state = apply(self._state, what, value)
            after = self._state.reason
        log.debug("desktop signal %s(%s): %s", what, value, after or "unlocked, awake")
        if after != before:
            log.info("%s", f"monitoring holds: {after}" if after else "screen unlocked and awake: monitoring again")
            self.on_change()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except Exception as exc:  # the monitor must go on without this
            log.warning("following screen lock and sleep stopped: %s", exc)
        finally:
            self._ready.set()
            loop.close()

    async def _main(self) -> None:
        from dbus_fast import BusType

        self._stop = asyncio.Event()
        buses = []
        for bus_type, name, follow in ((BusType.SYSTEM, "system", self._follow_logind),
                                       (BusType.SESSION, "session", self._follow_screensaver)):
            try:
                bus = await asyncio.wait_for(_connect(bus_type), self.connect_timeout_s)
            except Exception as exc:
                log.info("no D-Bus %s bus (%s): %s", name, _why(exc),
                         "lock and sleep come from the screensaver only" if name == "system"
                         else "the screensaver is not followed")
                continue
            buses.append(bus)
            if name == "system":
                self._system = bus
            try:
                await follow(bus)
            except Exception as exc:
                log.info("cannot follow the %s bus: %s", name, _why(exc))
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            for bus in buses:
                bus.disconnect()

    async def _follow_logind(self, bus: Any) -> None:
        (present,) = await _call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                 "NameHasOwner", "s", [LOGIN1])
        if not present:
            log.info("logind is not on the system bus: lock and sleep come from the screensaver only")
            return
        rules = [f"type='signal',sender='{LOGIN1}',interface='{MANAGER}',member='PrepareForSleep'"]
        try:
            (path,) = await _call(bus, LOGIN1, LOGIN1_PATH, MANAGER, "GetSession", "s", [self.session_id])
        except _CallFailed as exc:
            log.info("logind knows no session %r (%s): screen lock comes from the screensaver only",
                     self.session_id, exc)
            path = None
        if path is not None:
            self.session_path = path
            rules += [f"type='signal',sender='{LOGIN1}',interface='{SESSION}',path='{path}'",
                      f"type='signal',sender='{LOGIN1}',interface='{PROPERTIES}',member='PropertiesChanged',"
                      f"path='{path}',arg0='{SESSION}'"]
        bus.add_message_handler(self._on_system_message)
        for rule in rules:
            await _call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch",
                        "s", [rule])
        self.listening.append("logind sleep")
        await self._take_delay()
        if path is not None:
            self.listening.append("logind session")
            try:
                (hint,) = await _call(bus, LOGIN1, path, PROPERTIES, "Get", "ss", [SESSION, "LockedHint"])
                self._set("LockedHint", bool(hint.value))
            except _CallFailed as exc:
                log.debug("no LockedHint on %s: %s", path, exc)

    def _on_system_message(self, msg: Any) -> None:
        from dbus_fast import MessageType

        if msg.message_type != MessageType.SIGNAL:
            return
        if msg.interface == MANAGER and msg.member == "PrepareForSleep" and msg.body:
            self._set("PrepareForSleep", bool(msg.body[0]))
            if not msg.body[0]:
                asyncio.ensure_future(self._take_delay())  # awake again: hold off the next sleep too
        elif msg.path != self.session_path:
            return
        elif msg.interface == SESSION and msg.member in ("Lock", "Unlock"):
            self._set(msg.member, True)
        elif msg.interface == PROPERTIES and msg.member == "PropertiesChanged" and len(msg.body) >= 2:
            changed = msg.body[1]
            if "LockedHint" in changed:
                self._set("LockedHint", bool(changed["LockedHint"].value))

    async def _take_delay(self) -> None:
        """Ask logind for a delay lock on sleep (an fd); without one, sleep does not wait for the camera."""
        if self._system is None or self.delaying_sleep:
            return
        try:
            reply = await self._system.call(_message(LOGIN1, LOGIN1_PATH, MANAGER, "Inhibit", "ssss",
                                                     ["sleep", "posture-watch", "release the camera before sleeping",
                                                      "delay"]))
        except Exception as exc:  # a bus that went away
            log.debug("no sleep delay lock: %s", exc)
            return
        if reply is None or reply.body is None or not reply.unix_fds or reply.error_name:
            log.debug("logind gave no sleep delay lock (%s)", reply.error_name if reply is not None else "no reply")
            return
        fd = reply.unix_fds[reply.body[0]]
        for other in reply.unix_fds:
            if other != fd:
                os.close(other)
        with self._lock:
            self._delay_fd = fd

    async def _follow_screensaver(self, bus: Any) -> None:
        bus.add_message_handler(self._on_session_message)
        for interface, _path in SCREENSAVERS:
            await _call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s",
                        [f"type='signal',interface='{interface}',member='ActiveChanged'"])
        self.listening.append("screensaver")
        for interface, path in SCREENSAVERS:
            try:
                (active,) = await _call(bus, interface, path, interface, "GetActive", "", [])
            except _CallFailed:
                continue  # nobody owns that name on this desktop
            self._set("ActiveChanged", bool(active))

    def _on_session_message(self, msg: Any) -> None:
        from dbus_fast import MessageType

        if (msg.message_type == MessageType.SIGNAL and msg.member == "ActiveChanged" and msg.body
                and msg.interface in {interface for interface, _ in SCREENSAVERS}):
            self._set("ActiveChanged", bool(msg.body[0]))


class _CallFailed(Exception):
    pass


async def _connect(bus_type: Any) -> Any:
    from dbus_fast import BusType
    from dbus_fast.aio import MessageBus

    return await MessageBus(bus_type=bus_type, negotiate_unix_fd=bus_type == BusType.SYSTEM).connect()


def _message(destination: str, path: str, interface: str, member: str, signature: str, body: list[Any]) -> Any:
    from dbus_fast import Message

    return Message(destination=destination, path=path, interface=interface, member=member, signature=signature,
                   body=body)


async def _call(bus: Any, destination: str, path: str, interface: str, member: str, signature: str,
                body: list[Any]) -> list[Any]:
    from dbus_fast import MessageType

    reply = await bus.call(_message(destination, path, interface, member, signature, body))
    if reply is None or reply.message_type == MessageType.ERROR:
        detail = reply.body[0] if reply is not None and reply.body else ""
        raise _CallFailed(f"{reply.error_name if reply is not None else 'no reply'} {detail}".strip())
    return list(reply.body)


def _why(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
