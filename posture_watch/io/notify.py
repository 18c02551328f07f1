"""Telling the user: desktop notification, else terminal (a bell and one line), else the log.

`Notifier.notify(message, t_epoch)` returns at once; a worker thread delivers, so a slow or
missing notification server never stalls the monitor. Desktop notifications go through
desktop-notifier (D-Bus org.freedesktop.Notifications on Linux, native on macOS/Windows).
Quiet hours (local time of the event) send to the log only. `close()` waits for what is queued.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, TextIO

from posture_watch.core.messages import ESCALATION_WORDINGS, Message

log = logging.getLogger(__name__)

APP_NAME = "posture-watch"
LINUX_SOUND_NAME = "message-new-instant"  # freedesktop sound naming spec


def parse_clock(text: str, name: str) -> dt.time | None:
    """'22:30' -> time(22, 30); '' -> None. ValueError with one sentence otherwise."""
    if not text:
        return None
    try:
        hours, minutes = text.strip().split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"notify.{name} must be a time like 22:30, not {text!r}.") from None


def in_quiet_hours(local: dt.time, start: dt.time | None, end: dt.time | None) -> bool:
    """Is `local` inside [start, end)? The span may wrap past midnight (22:00-07:00)."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


@dataclass(frozen=True)
class NotifyConfig:
    """[notify] in config.toml.

    enabled:            desktop notifications (`--no-notify` turns them off; the terminal/log still get them).
    terminal:           when no desktop notification can be shown, ring the bell and print one line.
    sound:              ask the notification server to play a sound (`--sound`).
    quiet_hours_start/_end: 'HH:MM' local time; in between, warnings go to the log only.
    escalation_wording: 'firmer' (escalations say "Still ..." and the third is urgent) or 'same'.
    break_stand_up_min: the break a reminder asks for ("stand up for 2 min").
    send_timeout_s:     a desktop notification that takes longer counts as failed (fallback).
    desktop_retry_s:    after a failed desktop notification, use the fallback this long before trying again.
    tray:               show a tray icon (StatusNotifierItem) with the state and a menu, where the desktop has a tray.
    do_not_disturb:     hold warnings while a window is full screen or the desktop's do-not-disturb is on;
                        they come afterwards if the stretch still goes on.
    dnd_poll_s:         how often the full-screen window and the desktop's do-not-disturb setting are checked.
    """

    enabled: bool = True
    terminal: bool = True
    sound: bool = False
    quiet_hours_start: str = ""
    quiet_hours_end: str = ""
    escalation_wording: str = "firmer"
    break_stand_up_min: float = 2.0
    send_timeout_s: float = 5.0
    desktop_retry_s: float = 300.0
    tray: bool = True
    do_not_disturb: bool = True
    dnd_poll_s: float = 2.0

    def __post_init__(self) -> None:
        start = parse_clock(self.quiet_hours_start, "quiet_hours_start")
        end = parse_clock(self.quiet_hours_end, "quiet_hours_end")
        if (start is None) != (end is None):
            raise ValueError("notify.quiet_hours_start and notify.quiet_hours_end must be set together.")
        if self.escalation_wording not in ESCALATION_WORDINGS:
            raise ValueError(f"notify.escalation_wording must be one of {', '.join(ESCALATION_WORDINGS)}, "
                             f"not {self.escalation_wording!r}.")
        if not self.break_stand_up_min > 0:
            raise ValueError("notify.break_stand_up_min must be more than 0 minutes.")
        if not self.send_timeout_s > 0:
            raise ValueError("notify.send_timeout_s must be more than 0 s.")
        if not self.dnd_poll_s > 0:
            raise ValueError("notify.dnd_poll_s must be more than 0 s.")

    @property
    def quiet_hours(self) -> tuple[dt.time | None, dt.time | None]:
        return parse_clock(self.quiet_hours_start, "quiet_hours_start"), parse_clock(self.quiet_hours_end, "quiet_hours_end")


class _CaptureFailure(logging.Handler):
    """desktop-notifier logs a failed send as a warning with a traceback; keep one line of it instead."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.last: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        self.last = f"{type(exc).__name__}: {exc}" if exc is not None else record.getMessage()


class DesktopChannel:
    """desktop-notifier in one asyncio loop owned by the calling (worker) thread."""

    name = "desktop"

    def __init__(self, sound: bool, timeout_s: float) -> None:
        self.sound = sound
        self.timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._notifier = None
        self._failure = _CaptureFailure()
        self.unavailable_reason = ""

    def _setup(self) -> bool:
        if self._notifier is not None:
            return True
        try:
            from desktop_notifier.main import DesktopNotifier, get_backend_class
            from desktop_notifier.backends.dummy import DummyNotificationCenter
        except Exception as exc:  # pragma: no cover - a broken install
            self.unavailable_reason = f"desktop-notifier cannot be imported ({exc})"
            return False
        for name in ("desktop_notifier", "desktop_notifier.backends.base", "desktop_notifier.main"):
            logger = logging.getLogger(name)
            logger.propagate = log.isEnabledFor(logging.DEBUG)
            if self._failure not in logger.handlers:
                logger.addHandler(self._failure)
        if get_backend_class() is DummyNotificationCenter:
            self.unavailable_reason = "this platform gives desktop-notifier no notification centre"
            return False
        self._loop = asyncio.new_event_loop()
        self._notifier = DesktopNotifier(app_name=APP_NAME, app_icon=None)
        return True

    def send(self, message: Message) -> bool:
        if not self._setup():
            return False
        from desktop_notifier import Sound, Urgency

        dispatched = threading.Event()
        urgency = {"low": Urgency.Low, "critical": Urgency.Critical}.get(message.urgency, Urgency.Normal)
        sound = Sound(name=LINUX_SOUND_NAME if sys.platform.startswith("linux") else "default") if self.sound else None
        self._failure.last = ""
        coro = self._notifier.send(title=message.title, message=message.body, urgency=urgency, sound=sound,
                                   on_dispatched=dispatched.set)
        try:
            assert self._loop is not None
            self._loop.run_until_complete(asyncio.wait_for(coro, self.timeout_s))
        except asyncio.TimeoutError:
            self.unavailable_reason = f"the notification server did not answer within {self.timeout_s:g} s"
            self._reset()
            return False
        except Exception as exc:
            self.unavailable_reason = f"{type(exc).__name__}: {exc}"
            self._reset()
            return False
        if not dispatched.is_set():
            self.unavailable_reason = self._failure.last or "the notification was not dispatched"
            self._reset()
            return False
        return True

    def _reset(self) -> None:
        """Drop the connection (closing the D-Bus socket) so the next try starts afresh."""
        loop, notifier = self._loop, self._notifier
        self._loop, self._notifier = None, None
        if loop is None:
            return
        try:
            bus = getattr(getattr(notifier, "_backend", None), "bus", None)
            if bus is not None and getattr(bus, "connected", False):
                bus.disconnect()
                loop.run_until_complete(asyncio.wait_for(bus.wait_for_disconnect(), 2.0))
        except Exception as exc:  # already gone, or never connected
            log.debug("closing the D-Bus connection: %s", exc)
        try:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    def close(self) -> None:
        self._reset()


def desktop_channel(config: NotifyConfig, loop: Any = None, on_action: Callable[[str], None] | None = None) -> Any:
    """The desktop channel for this platform: straight D-Bus on Linux (buttons, replacing), else
    desktop-notifier. `loop`: a shared BusLoop; `on_action(key)`: a notification button was clicked."""
    if sys.platform.startswith("linux"):
        from posture_watch.io.notify_dbus import FreedesktopChannel

        return FreedesktopChannel(config.send_timeout_s, loop=loop, on_action=on_action, sound=config.sound)
    return DesktopChannel(config.sound, config.send_timeout_s)


@dataclass
class Delivery:
    """What happened to one message (kept for `status` and tests)."""

    message: Message
    channel: str  # desktop | terminal | log | quiet
    t_epoch: float
    reason: str = ""


class Notifier:
    """Queue messages; a worker thread delivers each one through the first channel that works."""

    def __init__(self, config: NotifyConfig | None = None, stream: TextIO | None = None,
                 desktop: DesktopChannel | None = None, clock: Callable[[], float] = time.monotonic,
                 log_fallback_level: int = logging.WARNING, sound: Any = None) -> None:
        self.config = config or NotifyConfig()
        self._sound = sound  # a posture_watch.io.sound.SoundPlayer: `--sound`, played with each message shown
        self.log_fallback_level = log_fallback_level
        self._stream = stream
        self._desktop = desktop if desktop is not None else desktop_channel(self.config)
        self._clock = clock
        self._queue: "queue.Queue[tuple[Message, float] | None]" = queue.Queue()
        self._thread: threading.Thread | None = None
        self._desktop_down_until = -float("inf")
        self._warned_fallback = False
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()

    def notify(self, message: Message, t_epoch: float) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="posture-watch-notify", daemon=True)
            self._thread.start()
        self._queue.put((message, t_epoch))

    def close(self, timeout_s: float = 10.0) -> None:
        """Deliver what is queued (waiting at most `timeout_s`), then stop the worker."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("some notifications were still being delivered at exit")
        self._thread = None

    # --- the worker ------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                message, t_epoch = item
                try:
                    delivery = self._deliver(message, t_epoch)
                except Exception as exc:  # a sink must never take the monitor down
                    log.warning("could not deliver a notification (%s): %s", exc, message.body)
                    delivery = Delivery(message, "log", t_epoch, str(exc))
                with self._lock:
                    self.deliveries.append(delivery)
        finally:
            self._desktop.close()

    def _deliver(self, message: Message, t_epoch: float) -> Delivery:
        start, end = self.config.quiet_hours
        local = dt.datetime.fromtimestamp(t_epoch).time()
        if in_quiet_hours(local, start, end):
            log.info("quiet hours: %s: %s", message.title, message.body)
            return Delivery(message, "quiet", t_epoch)
        if self._sound is not None:
            self._sound.play()
        reason = "desktop notifications are off"
        if self.config.enabled:
            if self._clock() >= self._desktop_down_until:
                if self._desktop.send(message):
                    log.info("notified: %s: %s", message.title, message.body)
                    return Delivery(message, "desktop", t_epoch)
                self._desktop_down_until = self._clock() + self.config.desktop_retry_s
                reason = self._desktop.unavailable_reason
                if not self._warned_fallback:
                    log.log(self.log_fallback_level, "desktop notifications are not available (%s); using the %s "
                            "instead", reason, "terminal" if self._terminal() else "log")
                    self._warned_fallback = True
            else:
                reason = self._desktop.unavailable_reason
        stream = self._terminal()
        if stream is not None:
            try:
                line = f"{message.body} {message.without_buttons}" if message.without_buttons else message.body
                stream.write(f"\a{message.title}: {line}\n")
                stream.flush()
                return Delivery(message, "terminal", t_epoch, reason)
            except (OSError, ValueError):
                pass
        log.log(self.log_fallback_level, "%s: %s", message.title, message.body)
        return Delivery(message, "log", t_epoch, reason)

    def _terminal(self) -> TextIO | None:
        if not self.config.terminal:
            return None
        if self._stream is not None:
            return self._stream
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None and stream.isatty():
                    return stream
            except (AttributeError, ValueError):
                continue
        return None
