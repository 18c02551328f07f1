"""`posture-watch break`: the guided routine in a real terminal (tmux), against a real running monitor
(real MediaPipe on a sample clip, real control socket, real SQLite): one instruction at a time with a
timer, the monitor paused while it runs, a routine done stored as a break, Ctrl-C stops it without one.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, sample
from tmux_term import Tmux
from fault_rig import sample_profile as find_sample_profile
from posture_watch.core.errors import UserError
from posture_watch.io import paths
from posture_watch.core.routine import at, routine_from_dict
from posture_watch.monitor.routine import DEFAULT_ROUTINE, load_routine

SHORT = """title = "Short routine"
disclaimer = "This is not medical advice."
[[step]]
name = "Chin tucks"
seconds = 6
say = "Glide your chin straight back."
source = "Harman K et al. 2005."
[[step]]
name = "Breathing"
seconds = 6
say = "Breathe in for 4 s, out for 6 s."
source = "Ma X et al. 2017."
"""


def test_the_shipped_routine_is_two_minutes_of_cited_upper_back_steps():
    r = load_routine()
    assert r.total_s == 120
    names = " ".join(s.name.lower() for s in r.steps)
    for part in ("chin tuck", "thoracic extension", "shoulder-blade", "diaphragmatic breathing"):
        assert part in names
    assert all(len(s.source) > 40 and any(ch.isdigit() for ch in s.source) for s in r.steps)   # a citation with a year
    assert "not medical advice" in r.disclaimer
    assert at(r, 0) == (0, 30) and at(r, 31) == (1, 29) and at(r, 120) is None
    assert DEFAULT_ROUTINE.suffix == ".toml"


@pytest.mark.parametrize("data, words", [
    ({"title": "x", "disclaimer": "y"}, "has no [[step]]"),
    ({"title": "x", "disclaimer": "y", "step": [{"name": "a", "seconds": 1, "say": "s", "source": "q"}]}, "seconds"),
    ({"title": "x", "disclaimer": "y", "step": [{"name": "a", "seconds": 10, "say": "s"}]}, "`source`"),
])
def test_a_bad_routine_file_is_one_sentence(data, words, tmp_path):
    with pytest.raises(UserError, match=words.replace("[", r"\[").replace("]", r"\]")):
        routine_from_dict(data, "f.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("title = [", encoding="utf-8")
    proc = run_cli("break", "--routine", str(bad))
    assert proc.returncode == 2 and "not valid TOML" in proc.stderr and "Traceback" not in proc.stderr


def _pane_with(term: Tmux, session: str, *texts: str) -> str:
    pane = term.pane(session)
    return pane if all(t in pane for t in texts) else ""


def _wait(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_the_routine_runs_in_a_terminal_pauses_the_monitor_and_counts_as_a_break(tmp_path, tmp_path_factory,
                                                                                   private_home):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is missing (apt-get install tmux)")
    profile = find_sample_profile(tmp_path_factory)
    routine = tmp_path / "short.toml"
    routine.write_text(SHORT, encoding="utf-8")
    env = dict(os.environ)
    monitor = subprocess.Popen([sys.executable, "-m", "posture_watch", "run", "--source", str(sample("desk_session.mp4")),
                                "--speed", "1", "--profile", str(profile), "--no-notify"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    term = Tmux("break")
    session, again = "routine", "routine-again"
    try:
        _wait(lambda: run_cli("status").returncode == 0 and "Monitoring" in run_cli("status").stdout, 120, "the monitor")
        shell = (f"cd {ROOT} && POSTURE_WATCH_HOME={private_home} PYTHONPATH={os.environ.get('PYTHONPATH', '')} "
                 f"{sys.executable} -m posture_watch break --routine {routine}; echo EXIT=$?; sleep 60")
        term.start(session, shell, env=env)
        first = _wait(lambda: _pane_with(term, session, "[1/2] Chin tucks", " left"), 30,
                      "the first step")
        assert "Glide your chin straight back." in first and "Source: Harman K et al. 2005." in first
        assert "This is not medical advice." in first and "Paused while the routine runs" in first
        assert "[2/2]" not in first                                    # one instruction at a time
        assert "Paused" in run_cli("status").stdout
        timer_a = [ln for ln in term.pane(session).splitlines() if " left" in ln][-1]
        time.sleep(1.5)
        timer_b = [ln for ln in term.pane(session).splitlines() if " left" in ln][-1]
        assert timer_a != timer_b                                       # the timer counts down
        done = _wait(lambda: _pane_with(term, session, "EXIT="), 30, "the end of the routine")
        assert "[2/2] Breathing" in done and "Routine done. Counted as a break; monitoring again." in done
        assert "EXIT=0" in done
        _wait(lambda: "Monitoring" in run_cli("status").stdout, 30, "monitoring again")

        # Ctrl-C: stopped, monitoring goes on, no break counted
        # (the second session opens before the first is killed: the server never empties between them)
        term.start(again, shell, env=env)
        term.kill_session(session)
        _wait(lambda: "[1/2] Chin tucks" in term.pane(again), 30, "the first step again")
        term.keys(again, "C-c")
        stopped = _wait(lambda: _pane_with(term, again, "EXIT="), 30, "the stop")
        assert "Routine stopped; monitoring again (no break counted)." in stopped and "EXIT=130" in stopped
        assert "Traceback" not in stopped
    finally:
        term.close()
        monitor.send_signal(signal.SIGTERM)
        monitor.communicate(timeout=60)
    db = sqlite3.connect(paths.replay_database_path())   # a replayed file's own database
    events = db.execute("SELECT kind, detail FROM events WHERE kind IN ('paused', 'resumed', 'break') "
                        "ORDER BY t").fetchall()
    assert [e for e in events if e[0] == "paused"] == [("paused", "routine")] * 2
    assert [e for e in events if e[0] == "break"] == [("break", "routine")]


@pytest.mark.slow
@pytest.mark.skipif(any(shutil.which(t) is None for t in ("Xvfb", "openbox", "import", "xdotool", "xprop")),
                    reason="Xvfb, openbox, imagemagick or xdotool is missing (scripts/install-system-deps.sh)")
def test_with_preview_the_routine_runs_in_a_window_and_q_stops_it(tmp_path, private_home):
    import numpy as np
    from PIL import Image

    from x_desktop import end, x_desktop

    routine = tmp_path / "short.toml"
    routine.write_text(SHORT, encoding="utf-8")
    with x_desktop() as display:
        env = dict(os.environ, DISPLAY=display)
        proc = subprocess.Popen([sys.executable, "-m", "posture_watch", "break", "--preview", "--routine", str(routine)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            window = _wait(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "posture-watch break"],
                                                  env=env, capture_output=True, text=True).stdout.split(), 30,
                           "the routine's window")[0]
            time.sleep(1.0)
            shot = tmp_path / "routine-window.png"
            subprocess.run(["import", "-window", "root", str(shot)], env=env, check=True, capture_output=True)
            pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
            accent = np.all(np.abs(pixels.astype(int) - (80, 200, 80)) < 12, axis=1).sum()   # the name and the bar
            assert accent > 500, "the window shows no step"
            if os.environ.get("PW_SCREENSHOT_DIR"):
                shutil.copy(shot, Path(os.environ["PW_SCREENSHOT_DIR"]) / shot.name)
            subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, capture_output=True)
            subprocess.run(["xdotool", "key", "--window", window, "q"], env=env, check=True)
            out, err = proc.communicate(timeout=30)
        finally:
            end(proc)
    assert proc.returncode == 130 and "Routine stopped." in out and "Traceback" not in err
    assert "[1/2] Chin tucks" in out and "[2/2]" not in out
