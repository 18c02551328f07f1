"""Do not disturb: a real full-screen window under Xvfb with a real window manager (openbox), the
desktop's do-not-disturb through a portal written for the test on a real session bus, and the
engine holding a warning until it is over."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from pathlib import Path

import pytest
from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method

from dbus_recorder import recording_bus
from posture_watch.core import engine
from posture_watch.io.dbus_loop import BusLoop
from posture_watch.io.dnd import DESKTOP_DND, FULL_SCREEN, DoNotDisturb, FullScreenWindow
from posture_watch.core.domain import EV_WARNING, FORWARD_LEAN, POOR, Reading
from test_monitor import _wait_for
from x_desktop import x_desktop


@pytest.fixture
def x_display():
    if not all(shutil.which(tool) for tool in ("Xvfb", "openbox", "xprop")):
        pytest.skip("Xvfb, openbox and xprop are needed (scripts/install-system-deps.sh installs them)")
    with x_desktop(screen="1024x768x24") as display:
        yield display


def _full_screen(display, window, on: bool) -> None:
    """Ask the window manager, as an application does (EWMH _NET_WM_STATE client message)."""
    from Xlib import X
    from Xlib.protocol import event

    atom = display.intern_atom
    message = event.ClientMessage(window=window, client_type=atom("_NET_WM_STATE"),
                                  data=(32, [1 if on else 0, atom("_NET_WM_STATE_FULLSCREEN"), 0, 1, 0]))
    display.screen().root.send_event(message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
    display.flush()


def test_a_full_screen_window_means_do_not_disturb(x_display: str) -> None:
    from Xlib import X, display as xdisplay

    app = xdisplay.Display(x_display)
    window = app.screen().root.create_window(50, 50, 400, 300, 0, app.screen().root_depth, X.InputOutput,
                                             X.CopyFromParent, background_pixel=app.screen().white_pixel)
    window.set_wm_name("a presentation")
    window.map()
    app.flush()
    dnd = DoNotDisturb(None, window=FullScreenWindow(x_display))
    try:
        _wait_for(lambda: dnd.window.check() is not None, timeout_s=20)  # openbox made it the active window
        assert dnd.poll() is None
        _full_screen(app, window, True)
        _wait_for(lambda: dnd.poll() == FULL_SCREEN, timeout_s=20)
        _full_screen(app, window, False)
        _wait_for(lambda: dnd.poll() is None, timeout_s=20)
    finally:
        dnd.close()
        dnd.window.close()
        app.close()


class _Portal(ServiceInterface):
    """org.freedesktop.portal.Settings as GNOME's portal serves it: show-banners false = do not disturb."""

    def __init__(self) -> None:
        super().__init__("org.freedesktop.portal.Settings")
        self.show_banners = True

    @method()
    def ReadOne(self, namespace: "s", key: "s") -> "v":  # noqa: F821
        assert (namespace, key) == ("org.gnome.desktop.notifications", "show-banners")
        return Variant("b", self.show_banners)


@pytest.mark.skipif(shutil.which("dbus-run-session") is None, reason="dbus-run-session is missing")
def test_the_desktops_do_not_disturb_through_the_portal(tmp_path: Path, monkeypatch) -> None:
    with recording_bus(tmp_path / "bus") as bus:
        portal = _Portal()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()

        async def serve() -> MessageBus:
            conn = await MessageBus(bus_address=bus.address).connect()
            conn.export("/org/freedesktop/portal/desktop", portal)
            await conn.request_name("org.freedesktop.portal.Desktop")
            return conn

        conn = asyncio.run_coroutine_threadsafe(serve(), loop).result(10)
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        monkeypatch.delenv("DISPLAY", raising=False)
        bus_loop = BusLoop()
        dnd = DoNotDisturb(bus_loop)
        try:
            assert dnd.poll() is None
            portal.show_banners = False
            assert dnd.poll() == DESKTOP_DND
            portal.show_banners = True
            assert dnd.poll() is None
        finally:
            bus_loop.close()
            loop.call_soon_threadsafe(conn.disconnect)
            time.sleep(0.2)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)


def test_a_held_warning_comes_once_it_is_over_if_the_stretch_goes_on() -> None:
    poor = Reading(t_s=0.0, state=POOR, score=30.0, faults=(FORWARD_LEAN,), deviations={"head_forward_deg": 12.0})
    cfg = engine.EngineConfig()
    held = plain = engine.initial_state(cfg)
    t, step_s = 1000.0, 1.0
    held_events, plain_events = [], []
    hold_until = t + cfg.alert_window_s + 60.0  # do not disturb well past the moment the warning is due
    while t < hold_until + 10.0:
        held, ev = engine.step(held, poor, t, hold_alerts=t < hold_until)
        held_events += [(e.kind, e.t_s) for e in ev]
        plain, ev = engine.step(plain, poor, t)
        plain_events += [(e.kind, e.t_s) for e in ev]
        t += step_s
    first_plain = next(ts for kind, ts in plain_events if kind == EV_WARNING)
    assert first_plain < hold_until  # without do-not-disturb it would have come during it
    warnings = [ts for kind, ts in held_events if kind == EV_WARNING]
    assert warnings == [hold_until]  # held, not dropped: it comes at the first step after, once


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("dbus-run-session") is None, reason="dbus-run-session is missing")
def test_the_monitor_holds_its_warning_while_a_window_is_full_screen(x_display: str, tmp_path: Path) -> None:
    """End to end: the real monitor replays the desk session (its held lean is warned about once) on an
    X desktop where a window is full screen (a presentation) until well past the moment the warning is
    due; a recording notification server on a real session bus. Nothing pops up while it is full
    screen; the warning comes once the window leaves full screen, while the lean still goes on."""
    from Xlib import X, display as xdisplay

    from conftest import ROOT, sample
    from test_monitor import _jsonl, _spawn

    app = xdisplay.Display(x_display)
    window = app.screen().root.create_window(0, 0, 640, 480, 0, app.screen().root_depth, X.InputOutput,
                                             X.CopyFromParent, background_pixel=app.screen().black_pixel)
    window.set_wm_name("a presentation")
    window.map()
    app.flush()
    probe = FullScreenWindow(x_display)
    out = tmp_path / "run.jsonl"
    proc = None
    try:
        _wait_for(lambda: probe.check() is not None, timeout_s=20)     # openbox made it the active window
        _full_screen(app, window, True)
        _wait_for(lambda: probe.check() is True, timeout_s=20)
        with recording_bus(tmp_path / "bus") as bus:
            proc = _spawn(tmp_path / "home", "run", "--source", str(sample("desk_session.mp4")), "--speed", "5",
                          "--profile", str(ROOT / "calibration" / "sample_profile.json"), "--jsonl", str(out),
                          env={**bus.env, "DISPLAY": x_display})
            # the lean is held from 45 s to 207 s of the clip; without the window the warning is due by ~170 s
            _wait_for(lambda: (_jsonl(out) or [{"t": 0}])[-1]["t"] >= 190, timeout_s=240, proc=proc)
            assert bus.calls() == []                                   # nothing popped up over it
            _full_screen(app, window, False)
            _wait_for(lambda: bus.calls(), timeout_s=60, proc=proc)
            at = _jsonl(out)[-1]["t"]
            (call,) = bus.calls()
            assert call["summary"].startswith("Posture: head forward"), call
            assert at < 207 + 5                                        # while the lean still goes on
            proc.terminate()
            _, stderr = proc.communicate(timeout=60)
            assert proc.returncode == 0, stderr
            assert len(bus.calls()) == 1                               # held, then sent once
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()
        probe.close()
        app.close()
