"""Do not disturb: is a window full screen, or has the desktop silenced notifications?

`DoNotDisturb.quiet_reason()` answers at once from what its own thread last saw (every
`poll_s`), so the monitor never waits on X11 or D-Bus. It looks at:

- the active X11 window (also XWayland): `_NET_ACTIVE_WINDOW` of the root window and that window's
  `_NET_WM_STATE` holding `_NET_WM_STATE_FULLSCREEN` (a presentation, a film, a game), via
  python-xlib; without a display (or on pure Wayland) this source is silent;
- GNOME's do-not-disturb, the setting `org.gnome.desktop.notifications show-banners`, read through
  the desktop portal (`org.freedesktop.portal.Settings.ReadOne`), which GNOME's portal backend serves;
- the notification server's own inhibition (`Inhibited` property of org.freedesktop.Notifications,
  as KDE Plasma has it).

The monitor hands the answer to the engine as `hold_alerts`: warnings wait, and come afterwards if
the stretch still goes on (posture_watch.monitor.alert_hold).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from posture_watch.io.dbus_loop import BusLoop

log = logging.getLogger(__name__)

FULL_SCREEN = "a window is full screen"
DESKTOP_DND = "the desktop's do-not-disturb is on"
PORTAL = ("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop", "org.freedesktop.portal.Settings")
GNOME_KEY = ("org.gnome.desktop.notifications", "show-banners")
NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications", "org.freedesktop.Notifications")


class FullScreenWindow:
    """Is the active X11 window full screen? (None: cannot tell: no display, no window manager.)"""

    def __init__(self, display_name: str | None = None) -> None:
        self.display_name = display_name or os.environ.get("DISPLAY")
        self._display: Any = None
        self._atoms: dict[str, int] = {}

    def check(self) -> bool | None:
        if not self.display_name:
            return None
        try:
            if self._display is None:
                from Xlib import display as xdisplay

                self._display = xdisplay.Display(self.display_name)
                self._atoms = {name: self._display.intern_atom(name) for name in
                               ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN")}
            return self._active_is_full_screen()
        except Exception as exc:  # the X server went away, a window closed mid-read: ask again next time
            log.debug("full-screen check failed: %s", exc)
            self.close()
            return None

    def _active_is_full_screen(self) -> bool | None:
        from Xlib import X

        root = self._display.screen().root
        active = root.get_full_property(self._atoms["_NET_ACTIVE_WINDOW"], X.AnyPropertyType)
        if active is None or not active.value or not active.value[0]:
            return None
        window = self._display.create_resource_object("window", int(active.value[0]))
        state = window.get_full_property(self._atoms["_NET_WM_STATE"], X.AnyPropertyType)
        return bool(state is not None and self._atoms["_NET_WM_STATE_FULLSCREEN"] in list(state.value))

    def close(self) -> None:
        if self._display is not None:
            try:
                self._display.close()
            except Exception as exc:  # already broken
                log.debug("closing the X display: %s", exc)
            self._display = None


async def desktop_dnd_on(loop: BusLoop) -> bool | None:
    """True when GNOME hides banners or the notification server is inhibited; None: nobody says."""
    from dbus_fast import Message, MessageFlag, MessageType

    bus = await loop.bus()
    answers: list[bool] = []
    for destination, path, interface, member, signature, body in (
            (*PORTAL, "ReadOne", "ss", list(GNOME_KEY)),
            (NOTIFICATIONS[0], NOTIFICATIONS[1], "org.freedesktop.DBus.Properties", "Get", "ss",
             [NOTIFICATIONS[2], "Inhibited"])):
        reply = await bus.call(Message(destination=destination, path=path, interface=interface, member=member,
                                       signature=signature, body=body, flags=MessageFlag.NO_AUTOSTART))
        if reply.message_type == MessageType.ERROR:
            continue  # that desktop does not have it
        value = reply.body[0]
        while hasattr(value, "value"):  # ReadOne's v; the old Read's vv
            value = value.value
        if not isinstance(value, bool):
            continue
        answers.append(not value if member == "ReadOne" else value)  # show-banners false = do not disturb
    return any(answers) if answers else None


class DoNotDisturb:
    """start() a polling thread; quiet_reason() -> FULL_SCREEN | DESKTOP_DND | None."""

    def __init__(self, loop: BusLoop | None, poll_s: float = 2.0, window: FullScreenWindow | None = None) -> None:
        self.loop = loop
        self.poll_s = poll_s
        self.window = window or FullScreenWindow()
        self._reason: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def quiet_reason(self) -> str | None:
        return self._reason

    def start(self) -> "DoNotDisturb":
        self.poll()  # the first answer is there before the first sample
        self._thread = threading.Thread(target=self._run, name="posture-watch-dnd", daemon=True)
        self._thread.start()
        return self

    def poll(self) -> str | None:
        reason = None
        if self.window.check():
            reason = FULL_SCREEN
        elif self.loop is not None:
            try:
                if self.loop.run(desktop_dnd_on(self.loop), timeout_s=max(1.0, self.poll_s)):
                    reason = DESKTOP_DND
            except Exception as exc:  # no session bus: nothing known to stop a warning
                log.debug("desktop do-not-disturb: %s", exc, exc_info=True)
        self._reason = reason
        return reason

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.poll()
        self.window.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.poll_s + 2.0)
