"""The tray icon: a StatusNotifierItem with a com.canonical.dbusmenu menu, on the session bus.

KDE, GNOME with the AppIndicator extension and most Linux panels show these. The item is
registered with `org.kde.StatusNotifierWatcher`; with no watcher or no tray host on the bus
this is said once in the log and the monitor carries on (a watcher that turns up later, e.g. a
panel restarted, gets the item registered then).

- The icon shows the state (upright, poor, away, paused, snoozed, camera lost): icon names from
  posture_watch/assets, which is the item's IconThemePath; the tooltip says it in words with
  today's upright share (posture_watch.io.tray_view).
- The menu: Pause/Resume, Snooze 30 min, Take a break now, Recalibrate, Open today's report, Quit;
  a click becomes a DesktopActions action (the same control path as `posture-watch pause`).

`update(status)` is called by the monitor thread after every sample; only a change of what is
shown goes to the bus.
"""


import asyncio
import logging
import os
import time
from typing import Any, Callable

from dbus_fast import PropertyAccess, Variant
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

from posture_watch.io import desktop_actions as act
from posture_watch.io.dbus_loop import BusLoop, BusUnavailable
from posture_watch.io.notify_dbus import ASSETS
from posture_watch.io.tray_view import TrayView, view

log = logging.getLogger(__name__)

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
ITEM_PATH = "/StatusNotifierItem"
MENU_PATH = "/MenuBar"
SHARE_EVERY_S = 120.0  # today's upright share is read from the database at most this often

# menu item id -> (label, action); 0 is the root, None a separator
MENU: tuple[tuple[int, str | None, str | None], ...] = (
    (1, "Pause", act.PAUSE), (2, "Snooze 30 min", act.SNOOZE), (3, "Take a break now", act.BREAK),
    (4, None, None), (5, "Recalibrate", act.RECALIBRATE), (6, "Open today's report", act.REPORT),
    (7, None, None), (8, "Quit", act.QUIT))


class _Item(ServiceInterface):
    """org.kde.StatusNotifierItem (the name every host and watcher use)."""

    def __init__(self, tray: "Tray") -> None:
        super().__init__("org.kde.StatusNotifierItem")
        self.tray = tray

    @dbus_property(access=PropertyAccess.READ)
    def Category(self) -> "s":  # noqa: F821
        return "ApplicationStatus"

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> "s":  # noqa: F821
        return "posture-watch"

    @dbus_property(access=PropertyAccess.READ)
    def Title(self) -> "s":  # noqa: F821
        return self.tray.view.title

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> "s":  # noqa: F821
        return self.tray.view.status

    @dbus_property(access=PropertyAccess.READ)
    def WindowId(self) -> "i":  # noqa: F821
        return 0

    @dbus_property(access=PropertyAccess.READ)
    def IconName(self) -> "s":  # noqa: F821
        return self.tray.view.icon

    @dbus_property(access=PropertyAccess.READ)
    def AttentionIconName(self) -> "s":  # noqa: F821
        return self.tray.view.icon

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> "s":  # noqa: F821
        return str(ASSETS)

    @dbus_property(access=PropertyAccess.READ)
    def IconPixmap(self) -> "a(iiay)":  # noqa: F821
        return []

    @dbus_property(access=PropertyAccess.READ)
    def ToolTip(self) -> "(sa(iiay)ss)":  # noqa: F821
        return [self.tray.view.icon, [], self.tray.view.title, self.tray.view.tooltip]

    @dbus_property(access=PropertyAccess.READ)
    def ItemIsMenu(self) -> "b":  # noqa: F821
        return True  # a click opens the menu: there is no window to show

    @dbus_property(access=PropertyAccess.READ)
    def Menu(self) -> "o":  # noqa: F821
        return MENU_PATH

    @method()
    def Activate(self, x: "i", y: "i") -> None:  # noqa: F821
        return None

    @method()
    def SecondaryActivate(self, x: "i", y: "i") -> None:  # noqa: F821
        return None

    @method()
    def ContextMenu(self, x: "i", y: "i") -> None:  # noqa: F821
        return None

    @method()
    def Scroll(self, delta: "i", orientation: "s") -> None:  # noqa: F821
        return None

    @signal()
    def NewTitle(self) -> None:
        return None

    @signal()
    def NewIcon(self) -> None:
        return None

    @signal()
    def NewAttentionIcon(self) -> None:
        return None

    @signal()
    def NewToolTip(self) -> None:
        return None

    @signal()
    def NewStatus(self, status: str) -> "s":  # noqa: F821
        return status


class _Menu(ServiceInterface):
    """com.canonical.dbusmenu: a flat menu of six items and two separators."""

    def __init__(self, tray: "Tray") -> None:
        super().__init__("com.canonical.dbusmenu")
        self.tray = tray
        self.revision = 1

    def _props(self, item_id: int) -> dict[str, Variant]:
        if item_id == 0:
            return {"children-display": Variant("s", "submenu")}
        label = next(label for i, label, _ in MENU if i == item_id)
        if label is None:
            return {"type": Variant("s", "separator")}
        if item_id == 1 and self.tray.view.paused:
            label = "Resume"
        return {"label": Variant("s", label), "enabled": Variant("b", True), "visible": Variant("b", True)}

    def _node(self, item_id: int, depth: int) -> list[Any]:
        children = [] if item_id != 0 or depth == 0 else \
            [Variant("(ia{sv}av)", self._node(i, depth - 1)) for i, _, _ in MENU]
        return [item_id, self._props(item_id), children]

    @method()
    def GetLayout(self, parent_id: "i", recursion_depth: "i", property_names: "as") -> "u(ia{sv}av)":  # noqa: F722,F821
        return [self.revision, self._node(parent_id, 1 if recursion_depth < 0 else recursion_depth)]

    @method()
    def GetGroupProperties(self, ids: "ai", property_names: "as") -> "a(ia{sv})":  # noqa: F722,F821
        known = {i for i, _, _ in MENU} | {0}
        return [[i, self._props(i)] for i in (ids or sorted(known)) if i in known]

    @method()
    def GetProperty(self, item_id: "i", name: "s") -> "v":  # noqa: F821
        return self._props(item_id).get(name, Variant("s", ""))

    @method()
    def Event(self, item_id: "i", event_id: "s", data: "v", timestamp: "u") -> None:  # noqa: F821
        if event_id == "clicked":
            self.tray.clicked(item_id)

    @method()
    def EventGroup(self, events: "a(isvu)") -> "ai":  # noqa: F722,F821
        for item_id, event_id, _data, _ts in events:
            if event_id == "clicked":
                self.tray.clicked(item_id)
        return []

    @method()
    def AboutToShow(self, item_id: "i") -> "b":  # noqa: F821
        return False

    @method()
    def AboutToShowGroup(self, ids: "ai") -> "aiai":  # noqa: F722,F821
        return [[], []]

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> "u":  # noqa: F821
        return 3

    @dbus_property(access=PropertyAccess.READ)
    def TextDirection(self) -> "s":  # noqa: F821
        return "ltr"

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> "s":  # noqa: F821
        return "normal"

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> "as":  # noqa: F722,F821
        return [str(ASSETS)]

    @signal()
    def LayoutUpdated(self, revision: int, parent: int) -> "ui":  # noqa: F821
        return [revision, parent]

    @signal()
    def ItemsPropertiesUpdated(self, updated: list, removed: list) -> "a(ia{sv})a(ias)":  # noqa: F722,F821
        return [updated, removed]


class Tray:
    """start() registers the icon (or says once why there is none); update(status) from any thread."""

    def __init__(self, loop: BusLoop, actions: act.DesktopActions,
                 upright_share: Callable[[], float | None] | None = None) -> None:
        self.loop = loop
        self.actions = actions
        self.upright_share = upright_share or (lambda: act.today_upright_share(*actions.report_args))
        self.view: TrayView = view({"condition": "starting"})
        self.registered = False
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        self._item, self._menu = _Item(self), _Menu(self)
        self._bus: Any = None
        self._status: dict[str, Any] = {"condition": "starting"}
        self._share: float | None = None
        self._share_at = -float("inf")
        self._said_no_host = False

    # --- setting up -----------------------------------------------------------------------------

    def start(self, timeout_s: float = 5.0) -> bool:
        """Export the item and register it; False (said once in the log) when nothing shows it."""
        try:
            return self.loop.run(self._start(), timeout_s)
        except (BusUnavailable, TimeoutError) as exc:
            self._no_tray(str(exc))
            return False

    async def _start(self) -> bool:
        bus = await self.loop.bus()
        if self._bus is not bus:
            bus.export(ITEM_PATH, self._item)
            bus.export(MENU_PATH, self._menu)
            await bus.request_name(self.name)
            await _add_match(bus, f"type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',"
                                  f"arg0='{WATCHER}'")
            bus.add_message_handler(self._on_message)
            self._bus = bus
        return await self._register(bus)

    async def _register(self, bus: Any) -> bool:
        from dbus_fast import Message, MessageType

        reply = await bus.call(Message(destination=WATCHER, path=WATCHER_PATH, interface=WATCHER,
                                       member="RegisterStatusNotifierItem", signature="s", body=[self.name]))
        if reply.message_type == MessageType.ERROR:
            self._no_tray(f"no StatusNotifierWatcher on the session bus ({reply.error_name})")
            return False
        host = await bus.call(Message(destination=WATCHER, path=WATCHER_PATH, interface="org.freedesktop.DBus.Properties",
                                      member="Get", signature="ss", body=[WATCHER, "IsStatusNotifierHostRegistered"]))
        if host.message_type != MessageType.ERROR and not host.body[0].value:
            self._no_tray("the StatusNotifierWatcher has no tray host to show it")
        self.registered = True
        log.info("tray icon registered as %s", self.name)
        return True

    def _no_tray(self, why: str) -> None:
        if not self._said_no_host:
            log.info("no tray icon: %s; carrying on without it (pause, resume and snooze from the terminal "
                        "or the notification buttons)", why)
            self._said_no_host = True

    def _on_message(self, msg: Any) -> None:
        if msg.member == "NameOwnerChanged" and msg.body and msg.body[0] == WATCHER and msg.body[2]:
            asyncio.ensure_future(self._register(self._bus))  # a tray (re)appeared: show the icon there

    # --- state ----------------------------------------------------------------------------------

    def update(self, status: dict[str, Any]) -> None:
        now = time.monotonic()
        if self.registered and now - self._share_at >= SHARE_EVERY_S:
            self._share_at = now
            self.loop.call_soon(self._refresh_share)
        self._status = status
        new = view(status, self._share)
        if new != self.view:
            self.loop.call_soon(self._show, new)

    def _refresh_share(self) -> None:
        async def read() -> None:
            try:
                self._share = await asyncio.get_running_loop().run_in_executor(None, self.upright_share)
            except Exception as exc:  # a locked or missing database: the tooltip goes without it
                log.debug("today's upright share: %s", exc)
                return
            self._show(view(self._status, self._share))

        asyncio.ensure_future(read())

    def _show(self, new: TrayView) -> None:
        old, self.view = self.view, new
        if self._bus is None:
            return
        if new.icon != old.icon:
            self._item.NewIcon()
            self._item.NewAttentionIcon()
        if new.title != old.title:
            self._item.NewTitle()
        if new.status != old.status:
            self._item.NewStatus(new.status)
        if new.tooltip != old.tooltip or new.icon != old.icon:
            self._item.NewToolTip()
        if new.paused != old.paused:
            self._menu.revision += 1
            self._menu.LayoutUpdated(self._menu.revision, 0)

    def clicked(self, item_id: int) -> None:
        action = next((a for i, _, a in MENU if i == item_id), None)
        if action == act.PAUSE and self.view.paused:
            action = act.RESUME
        if action is not None:
            log.info("tray menu: %s", action)
            self.actions.do(action)


async def _add_match(bus: Any, rule: str) -> None:
    from dbus_fast import Message

    await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                           interface="org.freedesktop.DBus", member="AddMatch", signature="s", body=[rule]))
