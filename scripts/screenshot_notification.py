"""Screenshot of a posture-watch warning as a real notification server draws it (for the README).

    dbus-run-session -- python scripts/screenshot_notification.py OUT.png

Needs Xvfb, openbox, ImageMagick's `import` and xfce4-notifyd (Debian: xfce4-notifyd; not a test
dependency, so not in scripts/install-system-deps.sh). It starts an X desktop, the notification server on
the session bus, sends the warning the monitor sends for a held forward lean through the monitor's own
channel (notify_dbus.FreedesktopChannel, with its two buttons), and saves the top right of the screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from x_desktop import end, x_desktop  # noqa: E402

from posture_watch.core.domain import EV_WARNING, FORWARD_LEAN, Event  # noqa: E402
from posture_watch.core.messages import describe  # noqa: E402
from posture_watch.io.notify_dbus import FreedesktopChannel  # noqa: E402

NOTIFYD = "/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd"


def main(out: str) -> int:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        print("run me under dbus-run-session", file=sys.stderr)
        return 2
    with x_desktop() as display:
        os.environ["DISPLAY"] = display
        server = subprocess.Popen([NOTIFYD], env=dict(os.environ, DISPLAY=display),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        channel = None
        try:
            time.sleep(2.0)
            channel = FreedesktopChannel(timeout_s=60.0, on_action=lambda key: None)   # buttons need a taker
            message = describe(Event(kind=EV_WARNING, t_s=0.0, fault=FORWARD_LEAN, duration_s=160.0, window_s=180.0,
                                     deviation={"head_forward_deg": 14.0}))
            assert channel.send(message), channel.unavailable_reason
            time.sleep(2.0)
            full = Path(out).with_suffix(".full.png")
            subprocess.run(["import", "-window", "root", str(full)], env=dict(os.environ, DISPLAY=display), check=True)
            subprocess.run(["convert", str(full), "-crop", "440x156+838+6", "+repage", out], check=True)
            full.unlink()
        finally:
            if channel is not None:
                channel.close()
            end(server)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "notification.png"))
