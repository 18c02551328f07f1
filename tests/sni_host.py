"""A small StatusNotifierWatcher and tray host for the tests, on a private session bus.

It owns org.kde.StatusNotifierWatcher, says a host is there, and for every item that registers
it does what a panel does: reads the icon, title, status and tooltip, reads them again whenever the
item signals a change (each reading is kept in `seen`), reads the menu with GetLayout and sends
the menu's "clicked" events.
"""

import asyncio
import threading
import time
from typing import Any

from dbus_fast import Message, MessageType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"


class _Watcher(ServiceInterface):
    def __init__(self, host: "TrayHost") -> None:
        super().__init__(WATCHER)
        self.host = host

    @method()
    def RegisterStatusNotifierItem(self, service: "s") -> None:  # noqa: F821
        self.host.items.append(service)
        asyncio.ensure_future(self.host._follow(service))
        self.StatusNotifierItemRegistered(service)

    @method()
    def RegisterStatusNotifierHost(self, service: "s") -> None:  # noqa: F821
        return None

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> "as":  # noqa: F722,F821
        return list(self.host.items)

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> "b":  # noqa: F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> "i":  # noqa: F821
        return 0

    @signal()
    def StatusNotifierItemRegistered(self, service: str) -> "s":  # noqa: F821
        return service


class TrayHost:
    """Start with `TrayHost(address).start()`; `stop()` ends its thread and connection."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.items: list[str] = []
        self.seen: list[dict[str, Any]] = []  # every reading of the item's properties, in order
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._bus: Any = None

    def start(self) -> "TrayHost":
        self._thread.start()
        self._run(self._start())
        return self

    def _run(self, coro, timeout_s: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout_s)

    async def _start(self) -> None:
        self._bus = await MessageBus(bus_address=self.address).connect()
        self._bus.export("/StatusNotifierWatcher", _Watcher(self))
        await self._bus.request_name(WATCHER)

    async def _call(self, destination: str, path: str, interface: str, member: str, signature: str = "",
                    body: list | None = None) -> list:
        reply = await self._bus.call(Message(destination=destination, path=path, interface=interface, member=member,
                                             signature=signature, body=body or []))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{member}: {reply.error_name} {reply.body}")
        return reply.body

    async def _follow(self, service: str) -> None:
        await self._call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s",
                         [f"type='signal',interface='{ITEM}'"])
        self._bus.add_message_handler(lambda msg: self._on_signal(service, msg))
        await self._read(service)

    def _on_signal(self, service: str, msg: Any) -> None:
        if msg.message_type == MessageType.SIGNAL and msg.interface == ITEM and msg.member.startswith("New"):
            asyncio.ensure_future(self._read(service))

    async def _read(self, service: str) -> None:
        (props,) = await self._call(service, "/StatusNotifierItem", "org.freedesktop.DBus.Properties", "GetAll", "s",
                                    [ITEM])
        plain = {k: v.value for k, v in props.items()}
        icon, _pixmaps, title, text = plain["ToolTip"]
        self.seen.append({"icon": plain["IconName"], "status": plain["Status"], "title": plain["Title"],
                          "tooltip": f"{title}: {text}", "theme_path": plain["IconThemePath"],
                          "menu": plain["Menu"], "at": time.monotonic()})

    # --- what a person does with the tray ---------------------------------------------------------

    def icon(self) -> str | None:
        return self.seen[-1]["icon"] if self.seen else None

    def menu(self) -> dict[str, int]:
        """label -> id of the item's menu entries (separators left out)."""
        service = self.items[-1]

        async def layout() -> dict[str, int]:
            _rev, (_root, _props, children) = await self._call(service, "/MenuBar", "com.canonical.dbusmenu",
                                                                "GetLayout", "iias", [0, -1, []])
            out = {}
            for child in children:
                item_id, props, _ = child.value
                if "label" in props:
                    out[props["label"].value] = item_id
            return out

        return self._run(layout())

    def click(self, label: str) -> None:
        item_id = self.menu()[label]
        self._run(self._call(self.items[-1], "/MenuBar", "com.canonical.dbusmenu", "Event", "isvu",
                             [item_id, "clicked", Variant("s", ""), 0]))

    def stop(self) -> None:
        async def close() -> None:
            self._bus.disconnect()

        try:
            self._run(close(), 5.0)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5.0)
