"""One asyncio loop in a daemon thread, holding one connection to the D-Bus session bus.

The desktop parts (notifications with buttons, the tray icon, do-not-disturb) need a loop that
keeps running between calls, so that signals (a button clicked, a menu item chosen, a setting
changed) arrive when they happen. The monitor's thread never waits on the bus for long: every
call goes through `run(coro, timeout_s)`, which gives up after `timeout_s`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from typing import Any, Awaitable, Callable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class BusUnavailable(Exception):
    """No session bus to connect to (no DBUS_SESSION_BUS_ADDRESS, or it does not answer)."""


class BusLoop:
    """`run(coro)` from any thread; `bus()` (inside the loop) is the shared session connection."""

    def __init__(self, name: str = "posture-watch-dbus") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._bus: Any = None
        self._lock = threading.Lock()
        self._on_disconnect: list[Callable[[], None]] = []

    def _ensure_thread(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=self._name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Awaitable[T], timeout_s: float = 5.0) -> T:
        """Run `coro` on the loop and wait for it; TimeoutError after `timeout_s`."""
        loop = self._ensure_thread()
        future = asyncio.run_coroutine_threadsafe(coro, loop)  # type: ignore[arg-type]
        try:
            return future.result(timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"the session bus did not answer within {timeout_s:g} s") from None

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Schedule a plain callable on the loop (from any thread)."""
        self._ensure_thread().call_soon_threadsafe(fn, *args)

    def on_disconnect(self, fn: Callable[[], None]) -> None:
        """`fn()` runs (on the loop) when the connection is lost, so a part can forget what it set up."""
        self._on_disconnect.append(fn)

    async def bus(self) -> Any:
        """The session bus connection (made on first use; made again after it was lost)."""
        if self._bus is not None and self._bus.connected:
            return self._bus
        from dbus_fast import BusType
        from dbus_fast.aio import MessageBus

        try:
            bus = await MessageBus(bus_type=BusType.SESSION).connect()
        except Exception as exc:  # no address, a dead socket, refused authentication
            raise BusUnavailable(f"no D-Bus session bus ({type(exc).__name__}: {exc})") from None
        self._bus = bus
        asyncio.ensure_future(self._watch(bus))
        return bus

    async def _watch(self, bus: Any) -> None:
        try:
            await bus.wait_for_disconnect()
        except Exception as exc:  # the connection ended with an error: the same as ended
            log.debug("session bus connection ended: %s", exc)
        if self._bus is bus:
            self._bus = None
        for fn in list(self._on_disconnect):
            try:
                fn()
            except Exception as exc:  # one part's clean-up must not stop the others'
                log.debug("clean-up after the bus went away failed: %s", exc)

    def close(self, timeout_s: float = 2.0) -> None:
        """Disconnect and stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def _shutdown() -> None:
            bus, self._bus = self._bus, None
            if bus is not None and bus.connected:
                bus.disconnect()
                try:
                    await asyncio.wait_for(bus.wait_for_disconnect(), timeout_s)
                except Exception as exc:  # already gone
                    log.debug("disconnecting from the session bus: %s", exc)
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run(_shutdown(), timeout_s + 1.0)
        except Exception as exc:  # a loop that is stuck: the thread is a daemon, it dies with us
            log.debug("closing the D-Bus loop: %s", exc)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout_s)
        if not thread.is_alive():
            loop.close()
        self._loop, self._thread = None, None
