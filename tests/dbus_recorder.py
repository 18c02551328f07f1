"""A tiny org.freedesktop.Notifications server that records every Notify call as a JSON line.

Run it as the only child of a private session bus:

    dbus-run-session -- python tests/dbus_recorder.py --out calls.jsonl --ready ready.txt

Once it owns the name, it writes the bus address to --ready; other processes that get
DBUS_SESSION_BUS_ADDRESS=<that address> send their notifications here. Each Notify call becomes
{"app_name", "replaces_id", "app_icon", "summary", "body", "actions", "hints", "expire_timeout",
"id", "received_at"}; a CloseNotification call becomes {"closed": id}. With --actions the server lists
the "actions" capability, and a test can play the user clicking a button: the method
org.posturewatch.TestControl.InvokeAction(id, key) on the same object emits ActionInvoked. A Notify
with a replaces_id it knows keeps that id (the spec's replacement). SIGTERM stops it (and
dbus-run-session with it).
"""

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

from dbus_fast import BusType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal as dbus_signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def _plain(value):
    if isinstance(value, Variant):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class Recorder(ServiceInterface):
    def __init__(self, out: Path, delay_s: float = 0.0, actions: bool = False) -> None:
        super().__init__(NAME)
        self.out = out
        self.delay_s = delay_s
        self.actions = actions
        self.next_id = 1
        self.shown: set[int] = set()

    def _record(self, record: dict) -> None:
        with open(self.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    @method()
    def GetCapabilities(self) -> "as":  # noqa: F722,F821
        return ["body", "sound"] + (["actions"] if self.actions else [])

    @method()
    def GetServerInformation(self) -> "ssss":  # noqa: F722,F821
        return ["posture-watch-test-recorder", "posture-watch", "1.0", "1.2"]

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s", body: "s",  # noqa: F821
               actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":  # noqa: F722,F821
        if self.delay_s:
            time.sleep(self.delay_s)  # a server that hangs: the client must give up and fall back
        if replaces_id in self.shown:
            nid = replaces_id
        else:
            nid = self.next_id
            self.next_id += 1
        self.shown.add(nid)
        # written a moment after the reply has gone out, so that a test that reads it and "clicks" at
        # once cannot beat the client to its own notification id (no person clicks that fast)
        asyncio.get_running_loop().call_later(0.2 if self.actions else 0.0, self._record, {"app_name": app_name, "replaces_id": replaces_id, "app_icon": app_icon, "summary": summary,
                      "body": body, "actions": list(actions), "hints": _plain(hints), "expire_timeout": expire_timeout,
                      "id": nid, "received_at": time.time()})
        return nid

    @method()
    def CloseNotification(self, nid: "u") -> None:  # noqa: F821
        self._record({"closed": nid})
        self.shown.discard(nid)
        self.NotificationClosed(nid, 3)

    @dbus_signal()
    def NotificationClosed(self, nid: "u", reason: "u") -> "uu":  # noqa: F821
        return [nid, reason]

    @dbus_signal()
    def ActionInvoked(self, nid: "u", action_key: "s") -> "us":  # noqa: F821
        return [nid, action_key]


class TestControl(ServiceInterface):
    """What a person does with a notification, played by the test."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__("org.posturewatch.TestControl")
        self.recorder = recorder

    @method()
    def InvokeAction(self, nid: "u", key: "s") -> None:  # noqa: F821
        """The user clicks the button `key` of notification `nid`: the server says so, then closes it."""
        self.recorder.ActionInvoked(nid, key)
        self.recorder.shown.discard(nid)
        self.recorder.NotificationClosed(nid, 2)


async def serve(out: Path, ready: Path, delay_s: float, no_server: bool, actions: bool) -> None:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    if not no_server:
        recorder = Recorder(out, delay_s, actions)
        bus.export(PATH, recorder)
        bus.export(PATH, TestControl(recorder))
        await bus.request_name(NAME)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    tmp.replace(ready)
    await stop.wait()
    bus.disconnect()


@contextlib.contextmanager
def recording_bus(folder: Path, timeout_s: float = 20.0, delay_s: float = 0.0,
                  no_server: bool = False, actions: bool = False) -> Iterator["Recording"]:
    """Start a private session bus with this recorder on it; yield a Recording (address + calls).
    delay_s: the server sleeps this long in each Notify; no_server: a bus where nobody owns the name;
    actions: the server supports buttons (and `Recording.click` plays a click)."""
    folder.mkdir(parents=True, exist_ok=True)
    out, ready = folder / "notifications.jsonl", folder / "bus-ready.txt"
    extra = ["--delay-s", str(delay_s)] + (["--no-server"] if no_server else []) + (["--actions"] if actions else [])
    proc = subprocess.Popen(["dbus-run-session", "--", sys.executable, __file__, "--out", str(out),
                             "--ready", str(ready), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own process group: the bus daemon and the recorder
    # die with it (a SIGTERM to dbus-run-session alone left both running, re-parented to init)
    try:
        deadline = time.monotonic() + timeout_s
        while not ready.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"the D-Bus recorder did not start: {proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                raise RuntimeError("the D-Bus recorder did not start in time")
            time.sleep(0.05)
        yield Recording(ready.read_text().strip(), out)
    finally:
        end_group(proc)


def end_group(proc: subprocess.Popen, wait_s: float = 10.0) -> None:
    """SIGTERM to the whole process group `proc` leads, then SIGKILL to what is left of it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and _group_alive(proc.pid):
            proc.poll()
            time.sleep(0.05)
        if not _group_alive(proc.pid):
            break
    proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie leader counts as gone once reaped; look for living members
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


class Recording:
    def __init__(self, address: str, out: Path) -> None:
        self.address = address
        self.out = out

    @property
    def env(self) -> dict[str, str]:
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def calls(self) -> list[dict]:
        """Every Notify call (CloseNotification calls are in `closed()`)."""
        return [r for r in self.records() if "closed" not in r]

    def closed(self) -> list[int]:
        return [r["closed"] for r in self.records() if "closed" in r]

    def records(self) -> list[dict]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line.strip()]

    def click(self, nid: int, key: str) -> None:
        """Play the user clicking button `key` of notification `nid` (a D-Bus call from this process)."""
        asyncio.run(self._click(nid, key))

    async def _click(self, nid: int, key: str) -> None:
        from dbus_fast import Message

        bus = await MessageBus(bus_address=self.address).connect()
        try:
            reply = await bus.call(Message(destination=NAME, path=PATH, interface="org.posturewatch.TestControl",
                                           member="InvokeAction", signature="us", body=[nid, key]))
            if reply.message_type.name == "ERROR":
                raise RuntimeError(f"InvokeAction failed: {reply.body}")
        finally:
            bus.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--ready", required=True, type=Path)
    parser.add_argument("--delay-s", type=float, default=0.0)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--actions", action="store_true")
    args = parser.parse_args()
    args.out.touch()
    asyncio.run(serve(args.out, args.ready, args.delay_s, args.no_server, args.actions))


if __name__ == "__main__":
    main()
