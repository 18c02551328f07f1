"""The monitor through its real loop on the sample clips, at high speed: real MediaPipe, real SQLite,
a real D-Bus session bus with a recording notification server.

One full replay of the desk session (module fixture) feeds several checks: the expected warning and
nothing else reaches the bus, the away stretch is a break, sampling adapts, and the database agrees
with the JSON lines. Other tests stop a run mid-way (SIGTERM, kill -9), refuse a second instance,
and drive failure modes in-process through FrameSource wrappers (a camera that fails for 10 s, a
privacy shutter, a clock jump).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CALIBRATION_UPRIGHT_S, ROOT, assert_one_sentence_error, run_cli, sample
from dbus_recorder import recording_bus
from posture_watch.io.config import SamplingConfig
from posture_watch.core.engine import EngineConfig

FULL_SPEED = "1000"  # far faster than the CPU can go: the replay runs as fast as it can be analysed


def _labels(name: str) -> dict:
    return json.loads(sample(name).with_suffix(".labels.json").read_text())


def _segments(labels: dict, label: str) -> list[dict]:
    return [s for s in labels["segments"] if s["label"] == label]


@pytest.fixture(scope="session")
def sample_profile(tmp_path_factory) -> Path:
    """The committed sample profile if there is one, else one calibrated from calibration.mp4."""
    committed = ROOT / "calibration" / "sample_profile.json"
    if committed.exists():
        return committed
    path = tmp_path_factory.mktemp("profile") / "sample_profile.json"
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--profile", str(path),
                   "--non-interactive", "--seconds", CALIBRATION_UPRIGHT_S)
    assert proc.returncode == 0, proc.stderr
    return path


def _db(home: Path) -> sqlite3.Connection:
    """The database a replayed file writes into: the replay database, apart from the user's history."""
    return sqlite3.connect(home / "data" / "replays.sqlite3")


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def _spawn(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    full = dict(os.environ, POSTURE_WATCH_HOME=str(home), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "posture_watch", *args], cwd=ROOT, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, timeout_s: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the monitor ended early ({proc.returncode}): {proc.stderr.read()}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the monitor")
        time.sleep(0.1)


# --- one full replay of the desk session -------------------------------------------------------


@dataclass
class DeskRun:
    home: Path
    proc: subprocess.CompletedProcess
    calls: list[dict]
    jsonl: list[dict]
    started_at: float
    events: list[tuple]  # (t from session start, kind, fault, duration_s, window_s)
    samples: list[tuple]  # (t from session start, state, score, faults)


@pytest.fixture(scope="module")
def desk_run(tmp_path_factory, sample_profile) -> DeskRun:
    if shutil.which("dbus-run-session") is None:
        pytest.skip("dbus-run-session is missing (make test installs the Debian package dbus)")
    home = tmp_path_factory.mktemp("desk-home")
    out = home / "run.jsonl"
    with recording_bus(tmp_path_factory.mktemp("bus")) as bus:
        proc = run_cli("run", "--source", str(sample("desk_session.mp4")), "--speed", FULL_SPEED,
                       "--profile", str(sample_profile), "--jsonl", str(out),
                       env={"POSTURE_WATCH_HOME": str(home), **bus.env})
        calls = bus.calls()
    db = _db(home)
    started_at = db.execute("SELECT started_at FROM sessions").fetchone()[0]
    events = db.execute("SELECT t - ?, kind, fault, duration_s, window_s FROM events ORDER BY t, id",
                        (started_at,)).fetchall()
    samples = db.execute("SELECT t - ?, state, score, faults FROM samples ORDER BY t, id", (started_at,)).fetchall()
    return DeskRun(home, proc, calls, _jsonl(out), started_at, events, samples)


def test_replay_exits_0_and_leaves_a_sound_database(desk_run: DeskRun) -> None:
    assert desk_run.proc.returncode == 0, desk_run.proc.stderr
    assert "Traceback" not in desk_run.proc.stderr
    db = _db(desk_run.home)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    (source, ended_at) = db.execute("SELECT source, ended_at FROM sessions").fetchone()
    assert source.endswith("desk_session.mp4 at 1000x")
    duration = _labels("desk_session.mp4")["duration_s"]
    assert ended_at - desk_run.started_at == pytest.approx(duration, abs=2.0)  # source time, not wall time
    kinds = [e[1] for e in desk_run.events]
    assert kinds[:2] == ["session_start", "profile"] and kinds[-1] == "session_end"


def test_exactly_the_expected_warnings_reach_the_bus(desk_run: DeskRun) -> None:
    labels = _labels("desk_session.mp4")
    expected = labels["expected_warnings"]
    warnings = [e for e in desk_run.events if e[1] in ("warning", "escalation")]
    assert [w[2] for w in warnings] == [x["fault"] for x in expected]
    # every notification the bus received is one of those warnings: no glance, lateral lean, away or
    # break produced one
    assert len(desk_run.calls) == len(expected), desk_run.calls
    for call, want in zip(desk_run.calls, expected):
        assert call["app_name"] == "posture-watch"
        assert call["summary"] == "Posture: head forward"
        assert re.match(r"Head forward, about \d+°, for 2 of the last 3 minutes\.", call["body"]), call["body"]
        assert "Tip:" in call["body"]


def test_warning_timing_within_one_sample_of_the_labels(desk_run: DeskRun) -> None:
    cfg, sampling = EngineConfig(), SamplingConfig()
    labels = _labels("desk_session.mp4")
    (slouch,) = _segments(labels, labels["expected_warnings"][0]["segment"])
    (lean_in,) = _segments(labels, "lean_in")
    needed_s = cfg.alert_fill_ratio * cfg.alert_window_s
    one_sample = 1.0 / sampling.slow_hz
    (t_warn,) = [e[0] for e in desk_run.events if e[1] == "warning"]
    # by the labels alone: poor starts somewhere in the lean-in, and the warning comes `needed_s` later
    assert lean_in["start_s"] + needed_s - one_sample <= t_warn <= slouch["start_s"] + needed_s + one_sample
    assert t_warn < slouch["end_s"]
    # by the judged onset: poor from the first poor sample on, so the warning is due needed_s later
    onset = next(s[0] for s in desk_run.samples if s[1] == "poor")
    between = {s[1] for s in desk_run.samples if onset <= s[0] <= t_warn}
    assert between <= {"poor", "unknown"}, between
    assert abs(t_warn - (onset + needed_s)) <= one_sample


def test_a_break_is_recorded_for_the_away_stretch(desk_run: DeskRun) -> None:
    cfg = EngineConfig()
    labels = _labels("desk_session.mp4")
    (away,) = _segments(labels, labels["expected_breaks"][0]["segment"])
    breaks = [e for e in desk_run.events if e[1] == "break"]
    assert len(breaks) == 1, desk_run.events
    t, _, _, duration, _ = breaks[0]
    length = away["end_s"] - away["start_s"]
    assert duration >= cfg.break_min_away_s
    assert abs(duration - length) <= 8.0, (duration, length)  # the walk out and back are 3 s ramps
    assert away["end_s"] <= t <= away["end_s"] + 6.0
    kinds = [e[1] for e in desk_run.events]
    assert kinds.index("away") < kinds.index("back") <= kinds.index("break")


def test_sampling_adapts(desk_run: DeskRun) -> None:
    labels = _labels("desk_session.mp4")
    (slouch,) = _segments(labels, "slouch")
    final_upright = labels["segments"][-1]

    def rate(seg: dict, skip_s: float = 15.0) -> float:
        t0, t1 = seg["start_s"] + skip_s, seg["end_s"]
        n = sum(1 for s in desk_run.samples if t0 <= s[0] < t1)
        return n / (t1 - t0)

    sampling = SamplingConfig()
    assert rate(slouch) >= 0.9 * sampling.poor_held_hz     # a held poor stretch: its end timed to 1 s
    assert rate(final_upright) <= 1.2 * sampling.slow_hz   # steady good: slow
    total_rate = len(desk_run.samples) / labels["duration_s"]
    assert total_rate < 0.5 * labels["fps"]


def test_database_rows_agree_with_the_jsonl(desk_run: DeskRun) -> None:
    assert len(desk_run.samples) == len(desk_run.jsonl) > 0
    for (t, state, score, faults), line in zip(desk_run.samples, desk_run.jsonl):
        assert t == pytest.approx(line["t"], abs=1e-3)
        assert state == line["state"]
        assert (score is None) == (line["score"] is None)
        if score is not None:
            assert score == pytest.approx(line["score"], abs=0.051)
        assert faults == ",".join(line["faults"])


def test_database_agrees_with_analyze(desk_run: DeskRun, sample_profile: Path, tmp_path: Path) -> None:
    """`analyze` samples at a fixed rate, the monitor adaptively; the judged states still agree."""
    out = tmp_path / "analyze.jsonl"
    proc = run_cli("analyze", str(sample("desk_session.mp4")), "--profile", str(sample_profile), "--rate", "1",
                   "--jsonl", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    lines = _jsonl(out)
    times = [line["t"] for line in lines]
    import bisect

    agree = total = 0
    for t, state, _, _ in desk_run.samples:
        i = bisect.bisect_left(times, t)
        near = min((j for j in (i - 1, i) if 0 <= j < len(lines)), key=lambda j: abs(times[j] - t))
        if abs(times[near] - t) <= 0.3:
            total += 1
            agree += lines[near]["state"] == state
    assert total > 0.3 * len(desk_run.samples)
    assert agree / total >= 0.9, (agree, total)


# --- stopping --------------------------------------------------------------------------------


def test_sigterm_mid_run_stops_cleanly(tmp_path: Path, sample_profile: Path) -> None:
    out = tmp_path / "run.jsonl"
    proc = _spawn(tmp_path, "run", "--source", str(sample("desk_session.mp4")), "--speed", "20", "--profile",
                  str(sample_profile), "--no-notify", "--jsonl", str(out))
    _wait_for(lambda: len(_jsonl(out)) >= 40, proc=proc)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    db = _db(tmp_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    started, ended = db.execute("SELECT started_at, ended_at FROM sessions").fetchone()
    assert ended is not None and ended - started < _labels("desk_session.mp4")["duration_s"] - 30
    assert db.execute("SELECT detail FROM events WHERE kind='session_end'").fetchone()[0] == "stopped"
    # everything analysed was written before exit
    assert db.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == len(_jsonl(out))


def test_kill_9_mid_run_keeps_all_but_the_last_seconds(tmp_path: Path, sample_profile: Path) -> None:
    from posture_watch.monitor.loop import MonitorConfig

    speed = 5.0
    out = tmp_path / "run.jsonl"
    proc = _spawn(tmp_path, "run", "--source", str(sample("desk_session.mp4")), "--speed", str(speed),
                  "--profile", str(sample_profile), "--no-notify", "--jsonl", str(out))
    _wait_for(lambda: (_jsonl(out) or [{"t": 0}])[-1]["t"] >= 50, proc=proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    lines = _jsonl(out)
    db = _db(tmp_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    started, ended = db.execute("SELECT started_at, ended_at FROM sessions").fetchone()
    assert ended is None  # it never got to say goodbye
    rows = db.execute("SELECT t - ?, state FROM samples ORDER BY t", (started,)).fetchall()
    assert 0 < len(rows) <= len(lines)
    assert [r[1] for r in rows] == [line["state"] for line in lines[: len(rows)]]
    lost_source_s = lines[-1]["t"] - rows[-1][0]
    # at most flush_every_s of wall time (plus slack for a loaded machine) is lost, i.e. that times the speed
    assert lost_source_s <= (MonitorConfig().flush_every_s + 3.0) * speed, lost_source_s
    # the next monitor starts: the lock died with the process and the stale socket is replaced
    proc2 = run_cli("run", "--source", str(sample("empty_room.mp4")), "--speed", FULL_SPEED, "--profile",
                    str(sample_profile), "--no-notify", env={"POSTURE_WATCH_HOME": str(tmp_path)})
    assert proc2.returncode == 0, proc2.stderr
    assert _db(tmp_path).execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2


# --- control of a running monitor --------------------------------------------------------------


def test_second_instance_refused_and_control_commands(tmp_path: Path, sample_profile: Path) -> None:
    proc = _spawn(tmp_path, "run", "--source", str(sample("desk_session.mp4")), "--speed", "1",
                  "--profile", str(sample_profile), "--no-notify")
    env = {"POSTURE_WATCH_HOME": str(tmp_path)}
    try:
        _wait_for(lambda: run_cli("status", env=env).returncode == 0, timeout_s=60, proc=proc)
        _wait_for(lambda: run_cli("status", env=env).stdout.startswith("Monitoring."), timeout_s=30, proc=proc)

        second = run_cli("run", "--source", str(sample("desk_session.mp4")), "--profile", str(sample_profile),
                         env=env)
        line = assert_one_sentence_error(second)
        assert "already running" in line and f"pid {proc.pid}" in line

        status = run_cli("status", env=env)
        assert status.returncode == 0 and "Source video" in status.stdout and f"pid {proc.pid}" in status.stdout

        paused = run_cli("pause", "5", env=env)
        assert (paused.returncode, paused.stdout.strip()) == (0, "Paused for 5 min."), paused.stderr
        assert run_cli("status", env=env).stdout.startswith("Paused until ")
        resumed = run_cli("resume", env=env)
        assert (resumed.returncode, resumed.stdout.strip()) == (0, "Resumed.")
        _wait_for(lambda: run_cli("status", env=env).stdout.startswith("Monitoring."), timeout_s=30, proc=proc)

        snoozed = run_cli("snooze", "10", env=env)
        assert snoozed.returncode == 0 and snoozed.stdout.startswith("Snoozed for 10 min: no warnings")
        assert run_cli("status", env=env).stdout.startswith("Snoozed until ")
        assert run_cli("resume", env=env).stdout.strip() == "Resumed."

        indefinitely = run_cli("pause", env=env)
        assert indefinitely.stdout.strip() == "Paused until you resume."
        assert "Paused until you resume" in run_cli("status", env=env).stdout
        assert run_cli("resume", env=env).returncode == 0
        nothing = run_cli("resume", env=env)
        assert nothing.returncode == 0 and "nothing to resume" in nothing.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    kinds = [r[0] for r in _db(tmp_path).execute("SELECT kind FROM events ORDER BY t, id")]
    assert [k for k in kinds if k in ("paused", "resumed", "snoozed")] == [
        "paused", "resumed", "snoozed", "resumed", "paused", "resumed"]
    assert run_cli("status", env=env).returncode == 3  # gone, and says so


# --- refusals ----------------------------------------------------------------------------------


def test_bad_source_is_one_sentence_and_touches_nothing(private_home: Path) -> None:
    line = assert_one_sentence_error(run_cli("run", "--source", "/nonexistent/clip.mp4"))
    assert "/nonexistent/clip.mp4" in line
    assert not (private_home / "data" / "posture.sqlite3").exists()
    assert not (private_home / "data" / "replays.sqlite3").exists()


def test_speed_on_a_camera_is_refused() -> None:
    line = assert_one_sentence_error(run_cli("run", "--source", "0", "--speed", "5"))
    assert "--speed" in line


def test_preview_without_a_display_is_one_sentence(sample_profile: Path) -> None:
    line = assert_one_sentence_error(run_cli("run", "--source", str(sample("empty_room.mp4")), "--profile",
                                             str(sample_profile), "--preview",
                                             env={"DISPLAY": "", "WAYLAND_DISPLAY": ""}))
    assert "display" in line


def test_foreign_database_is_refused_untouched(private_home: Path, sample_profile: Path) -> None:
    db = private_home / "data" / "posture.sqlite3"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    line = assert_one_sentence_error(run_cli("run", "--source", str(sample("empty_room.mp4")), "--profile",
                                             str(sample_profile), "--no-notify", "--into-history"))
    assert "not a posture-watch database" in line
    assert db.read_bytes() == before
