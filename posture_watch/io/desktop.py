"""The desktop parts of a running monitor, set up and taken down together.

Like Safe Eyes' plugins, each integration is a small part of its own with the same life: made
from the settings, started, fed the monitor's status, closed. Here they are:

- notify_dbus.FreedesktopChannel: notifications with buttons that replace each other;
- tray.Tray: the StatusNotifierItem icon and its menu;
- dnd.DoNotDisturb: a full-screen window or the desktop's do-not-disturb holds warnings back;
- sound.SoundPlayer: `--sound` through a player that is present.

They share one D-Bus connection (dbus_loop.BusLoop); every click goes to DesktopActions, which
talks to the monitor through its CommandQueue, the same path `posture-watch pause` takes.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

from posture_watch.io.dbus_loop import BusLoop
from posture_watch.io.desktop_actions import DesktopActions, Recalibration

log = logging.getLogger(__name__)


@dataclass
class Desktop:
    """What `start_desktop` made; `close()` takes it all down, in reverse order."""

    loop: BusLoop | None = None
    actions: DesktopActions | None = None
    channel: Any = None
    tray: Any = None
    dnd: Any = None
    sound: Any = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def on_status(self, status: dict[str, Any]) -> None:
        if self.tray is not None:
            self.tray.update(status)

    def close(self) -> None:
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception as exc:  # taking one part down must not keep the others up
                log.debug("closing a desktop part failed: %s", exc)


def start_desktop(notify_cfg: Any, submit: Callable[[dict[str, Any]], dict[str, Any]] | None,
                  recalibration: Recalibration | None = None, replays: bool = False) -> Desktop:
    """Make the desktop parts `notify_cfg` asks for. `submit`: the monitor's CommandQueue.submit
    (None, as in the demo: no buttons, no tray, nothing to control). `replays`: the monitor writes
    into the replay database, so the tray's report and upright share come from there."""
    desktop = Desktop()
    linux = sys.platform.startswith("linux")
    if linux:
        desktop.loop = BusLoop()
        desktop._closers.append(desktop.loop.close)
    if submit is not None:
        desktop.actions = DesktopActions(submit, recalibration, replays=replays)
    if notify_cfg.sound:
        from posture_watch.io.sound import SoundPlayer

        desktop.sound = SoundPlayer()
    if linux:
        from posture_watch.io.notify import desktop_channel

        on_action = desktop.actions.do if desktop.actions is not None else None
        desktop.channel = desktop_channel(notify_cfg, desktop.loop, on_action)
        if notify_cfg.tray and desktop.actions is not None:
            from posture_watch.io.tray import Tray

            desktop.tray = Tray(desktop.loop, desktop.actions)
            desktop.tray.start()
        if notify_cfg.do_not_disturb:
            from posture_watch.io.dnd import DoNotDisturb

            desktop.dnd = DoNotDisturb(desktop.loop, poll_s=notify_cfg.dnd_poll_s)
            desktop.dnd.start()
            desktop._closers.append(desktop.dnd.close)
    return desktop
