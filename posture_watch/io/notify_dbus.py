"""Desktop notifications on Linux, straight over D-Bus (org.freedesktop.Notifications).

Why not desktop-notifier here: it always sends `replaces_id = 0` (every warning would stack) and
it only hears a button click while its loop happens to run. This channel keeps one connection
on a `BusLoop`, so:

- a new warning (or escalation) replaces the previous one, and a new break reminder the previous
  reminder, instead of stacking (`replaces_id`);
- where the server lists the "actions" capability, a warning carries the buttons "Snooze 30 min"
  and "I'll take a break" (a break reminder: "Start the routine" and "I'll take a break"); a click
  arrives as `ActionInvoked` and is handed to `on_action(key)` on a thread of its own (it may wait for
  the monitor); without the capability the message's `without_buttons` line (how to start the
  routine) is added to the body;
- every notification carries the bundled icon (`assets/posture-watch.svg`, the tray's too);
- with `--sound`, posture-watch plays the sound itself (`posture_watch.io.sound`) and asks the server
  not to add one of its own (`suppress-sound`), so it is heard once, and heard at all on servers
  that ignore `sound-name`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable

from posture_watch.io.dbus_loop import BusLoop, BusUnavailable
from posture_watch.io.desktop_actions import BREAK, ROUTINE, SNOOZE
from posture_watch.core.domain import EV_BREAK_REMINDER, EV_ESCALATION, EV_WARNING
from posture_watch.core.messages import Message

log = logging.getLogger(__name__)

APP_NAME = "posture-watch"
BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
ASSETS = Path(__file__).resolve().parents[1] / "assets"
APP_ICON = ASSETS / "posture-watch.svg"

ACTION_SNOOZE, ACTION_BREAK, ACTION_ROUTINE = SNOOZE, BREAK, ROUTINE  # the keys are the desktop actions they start
BUTTON_TITLES = {ACTION_SNOOZE: "Snooze 30 min", ACTION_BREAK: "I'll take a break", ACTION_ROUTINE: "Start the routine"}
# which buttons a notification about each event kind carries, and which earlier one it replaces
BUTTONS: dict[str, tuple[str, ...]] = {
    EV_WARNING: (ACTION_SNOOZE, ACTION_BREAK),
    EV_ESCALATION: (ACTION_SNOOZE, ACTION_BREAK),
    EV_BREAK_REMINDER: (ACTION_ROUTINE, ACTION_BREAK),
}
SLOTS = {EV_WARNING: "posture", EV_ESCALATION: "posture", EV_BREAK_REMINDER: "break"}
URGENCY_BYTES = {"low": 0, "normal": 1, "critical": 2}


def action_list(kind: str, server_has_actions: bool) -> list[str]:
    """The `actions` argument of Notify: [key, title, key, title, ...] (empty without the capability)."""
    if not server_has_actions:
        return []
    out: list[str] = []
    for key in BUTTONS.get(kind, ()):
        out += [key, BUTTON_TITLES[key]]
    return out


class FreedesktopChannel:
    """The `desktop` channel of `Notifier` on Linux: send(message) -> bool, unavailable_reason, close()."""

    name = "desktop"

    def __init__(self, timeout_s: float, loop: BusLoop | None = None,
                 on_action: Callable[[str], None] | None = None, sound: bool = False) -> None:
        self.timeout_s = timeout_s
        self.sound = sound  # posture-watch plays the sound itself (posture_watch.io.sound): the server must not
        self.on_action = on_action
        self._loop = loop or BusLoop("posture-watch-notify")
        self._own_loop = loop is None
        self._listening_on: Any = None
        self._capabilities: frozenset[str] | None = None
        self._slots: dict[str, int] = {}   # slot -> id of the notification shown in it
        self._ours: set[int] = set()
        self.unavailable_reason = ""
        self._loop.on_disconnect(self._forget_connection)

    # --- sending (called from the notifier's worker thread) -----------------------------------

    def send(self, message: Message) -> bool:
        try:
            self._loop.run(self._send(message), self.timeout_s)
        except TimeoutError:
            self.unavailable_reason = f"the notification server did not answer within {self.timeout_s:g} s"
            return False
        except BusUnavailable as exc:
            self.unavailable_reason = str(exc)
            return False
        except _ServerError as exc:
            self.unavailable_reason = str(exc)
            return False
        return True

    async def _send(self, message: Message) -> None:
        from dbus_fast import Variant

        bus = await self._loop.bus()
        await self._listen(bus)
        caps = await self._server_capabilities(bus)
        slot = SLOTS.get(message.kind)
        replaces = self._slots.get(slot, 0) if slot else 0
        hints = {"urgency": Variant("y", URGENCY_BYTES.get(message.urgency, 1))}
        if self.sound:
            hints["suppress-sound"] = Variant("b", True)
        actions = action_list(message.kind, "actions" in caps and self.on_action is not None)
        text = message.body if actions or not message.without_buttons else f"{message.body}\n{message.without_buttons}"
        body = [APP_NAME, replaces, APP_ICON.as_uri() if APP_ICON.exists() else "", message.title, text, actions,
                hints, -1]
        reply = await _call(bus, "Notify", "susssasa{sv}i", body)
        nid = int(reply[0])
        if slot:
            self._ours.discard(self._slots.get(slot, 0))
            self._slots[slot] = nid
        self._ours.add(nid)

    async def _server_capabilities(self, bus: Any) -> frozenset[str]:
        if self._capabilities is None:
            try:
                self._capabilities = frozenset((await _call(bus, "GetCapabilities", "", []))[0])
            except _ServerError as exc:
                if "ServiceUnknown" in str(exc) or "NameHasNoOwner" in str(exc):
                    raise
                self._capabilities = frozenset()  # an old server without the method: plain notifications
        return self._capabilities

    # --- what the server tells us ---------------------------------------------------------------

    async def _listen(self, bus: Any) -> None:
        if self._listening_on is bus:
            return
        from dbus_fast import Message as DBusMessage

        rule = f"type='signal',interface='{BUS_NAME}',path='{OBJECT_PATH}'"
        await bus.call(DBusMessage(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                                   interface="org.freedesktop.DBus", member="AddMatch", signature="s", body=[rule]))
        bus.add_message_handler(self._on_message)
        self._listening_on = bus

    def _on_message(self, msg: Any) -> None:
        if msg.interface != BUS_NAME or msg.path != OBJECT_PATH or msg.message_type.name != "SIGNAL":
            return
        if msg.member == "ActionInvoked" and msg.body and int(msg.body[0]) in self._ours:
            key = str(msg.body[1])
            log.info("notification button: %s", BUTTON_TITLES.get(key, key))
            if self.on_action is not None and key in BUTTON_TITLES:
                threading.Thread(target=self._act, args=(key,), name="posture-watch-action", daemon=True).start()
        elif msg.member == "NotificationClosed" and msg.body:
            nid = int(msg.body[0])
            self._ours.discard(nid)
            for slot, shown in list(self._slots.items()):
                if shown == nid:
                    del self._slots[slot]  # closed: the next one is new, not a replacement

    def _act(self, key: str) -> None:
        try:
            assert self.on_action is not None
            self.on_action(key)
        except Exception as exc:  # a click must never take anything down
            log.warning("could not do what the notification button asked (%s): %s", key, exc)

    def _forget_connection(self) -> None:
        self._listening_on, self._capabilities = None, None

    def close(self) -> None:
        if self._own_loop:
            self._loop.close()


class _ServerError(Exception):
    """The bus answered with an error (no server, a refused call)."""


async def _call(bus: Any, member: str, signature: str, body: list[Any]) -> list[Any]:
    from dbus_fast import Message as DBusMessage, MessageType

    reply = await bus.call(DBusMessage(destination=BUS_NAME, path=OBJECT_PATH, interface=BUS_NAME, member=member,
                                       signature=signature, body=body))
    if reply.message_type == MessageType.ERROR:
        detail = reply.body[0] if reply.body else ""
        raise _ServerError(f"{reply.error_name}: {detail}".rstrip(": "))
    return list(reply.body)
