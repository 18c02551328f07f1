"""Ctrl-C during the wizard, at every moment of it (loading the model, the set-up check, the upright
capture, the range), many times, in the terminal and in the preview window on a real X server:
each run ends with "interrupted." and exit 130 (or finished, if the signal came after the end),
never a crash (a segmentation fault once in 13 tries, right after "interrupted.") and never a
profile half written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, sample
from x_desktop import end, x_desktop

DELAYS_S = (0.3, 0.8, 1.2, 1.6, 2.0, 2.4, 2.8, 3.2, 3.6, 4.0)


def _interrupted_runs(home, env: dict, delays) -> list[tuple[float, int, str]]:
    out = []
    for i, delay in enumerate(delays):
        name = f"ctrlc{i}"
        proc = subprocess.Popen([sys.executable, "-m", "posture_watch", "calibrate", "--source",
                                 str(sample("calibration.mp4")), "--name", name],
                                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            end(proc)
        saved = (home / "data" / "profiles" / f"{name}.json").exists()
        out.append((delay, proc.returncode, err, saved))
    return out


def _check(runs) -> None:
    for delay, rc, err, saved in runs:
        assert rc in (0, 130), f"Ctrl-C after {delay} s: exit {rc}\n{err}"
        assert "Traceback" not in err, err
        if rc == 130:
            assert err.strip().endswith("posture-watch: interrupted."), err
            assert not saved                       # no profile from an interrupted calibration
    assert sum(rc == 130 for _, rc, _, _ in runs) >= len(runs) // 2   # most of them were interrupted


def test_ctrl_c_at_each_step_of_the_terminal_wizard(private_home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    _check(_interrupted_runs(private_home, env, DELAYS_S))


@pytest.mark.skipif(any(shutil.which(t) is None for t in ("Xvfb", "openbox", "xprop")),
                    reason="Xvfb, openbox or x11-utils missing (scripts/install-system-deps.sh)")
def test_ctrl_c_at_each_step_of_the_wizard_in_the_preview_window(private_home):
    with x_desktop() as display:
        _check(_interrupted_runs(private_home, dict(os.environ, DISPLAY=display), DELAYS_S[::2]))


def test_a_ctrl_c_caught_inside_an_import_still_exits_130(tmp_path):
    """A Ctrl-C that lands while a module is imported passes through exec() of a string (dataclasses build
    their methods so); CPython then marks it unhandled although main() caught it, and a `python -m` process
    killed itself with SIGINT (exit -2, one run in four at 0.3 s in the preview test above). Here the
    interrupt is raised inside exec() on purpose, every time, under `-m` as `posture-watch` runs."""
    (tmp_path / "interrupted_in_exec.py").write_text(
        "import sys\n"
        "from posture_watch import cli\n"
        "def main(argv=None):\n"
        "    try:\n"
        "        exec('raise KeyboardInterrupt')\n"
        "    except KeyboardInterrupt:\n"
        "        print('posture-watch: interrupted.', file=sys.stderr)\n"
        "        return 130\n"
        "cli.main = main\n"
        "raise SystemExit(cli.entry())\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "interrupted_in_exec"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert proc.stderr.strip() == "posture-watch: interrupted."


def test_native_code_still_finishing_after_an_interrupt_prints_nothing_after_its_sentence(tmp_path):
    """A Ctrl-C while MediaPipe loads the model interrupts only the wait for it: the loading goes on on
    MediaPipe's own thread and printed its native log lines after "interrupted." (seen 2 runs in 14 with
    `analyze` interrupted 0.35-0.65 s after its start). A thread writing on fd 2 after main() stands in
    for it here."""
    (tmp_path / "native_after.py").write_text(
        "import os, sys, threading\n"
        "from posture_watch import cli\n"
        "go = threading.Event()\n"
        "def native():\n"
        "    go.wait(30)\n"
        "    os.write(2, b'INFO: [compiled_model.cc:1022] Flatbuffer model initialized\\n')\n"
        "def main(argv=None):\n"
        "    print('posture-watch: interrupted.', file=sys.stderr)\n"
        "    return 130\n"
        "cli.main = main\n"
        "t = threading.Thread(target=native)\n"
        "t.start()\n"
        "code = cli.entry()\n"
        "go.set()\n"
        "t.join()\n"
        "raise SystemExit(code)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "native_after"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert proc.stderr.strip() == "posture-watch: interrupted."
