"""Replays stay apart from the user's history; `sessions list | delete ID` on real SQLite files."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from conftest import ROOT, assert_one_sentence_error, run_cli, sample
from posture_watch.core.domain import EV_WARNING, Event, Reading
from posture_watch.io.store import Store

PROFILE = ROOT / "calibration" / "sample_profile.json"


def _sessions(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    finally:
        conn.close()


def test_a_replay_goes_to_the_replay_database_not_the_history(private_home: Path) -> None:
    replay = ["run", "--source", str(sample("calibration.mp4")), "--speed", "1000", "--profile", str(PROFILE),
              "--no-notify"]
    proc = run_cli(*replay)
    assert proc.returncode == 0, proc.stderr
    history, replays = private_home / "data" / "posture.sqlite3", private_home / "data" / "replays.sqlite3"
    assert not history.exists()
    assert _sessions(replays) == 1
    # the user's day has no data; the replay's does, when asked for
    own = json.loads(run_cli("report", "--json", "-").stdout)
    assert own["has_data"] is False
    # the replay's own day (not today's date read again: a run across midnight would look at the next day)
    conn = sqlite3.connect(replays)
    try:
        started_at = conn.execute("SELECT started_at FROM sessions").fetchone()[0]
    finally:
        conn.close()
    replay_day = datetime.fromtimestamp(started_at).date().isoformat()
    replayed = json.loads(run_cli("report", "--replays", "--date", replay_day, "--json", "-").stdout)
    assert replayed["has_data"] is True
    listed = run_cli("sessions", "list", "--replays")
    assert listed.returncode == 0 and "calibration.mp4" in listed.stdout
    assert "No monitoring sessions yet" in run_cli("sessions", "list").stdout
    # by choice, into the history
    proc = run_cli(*replay, "--into-history")
    assert proc.returncode == 0, proc.stderr
    assert _sessions(history) == 1 and _sessions(replays) == 1


def _reading(state: str) -> Reading:
    return Reading(t_s=0.0, state=state, score=80.0 if state == "good" else None)


def _two_sessions(db: Path) -> tuple[int, int]:
    with Store.open(db) as store:
        ids = []
        for start in (1_000_000.0, 1_010_000.0):
            sid = store.start_session(start, "camera 0", "desk")
            for k in range(30):
                store.add_sample(sid, _reading("good"), start + k)
            store.add_event(sid, Event(kind=EV_WARNING, t_s=start + 10), start + 10)
            store.end_session(sid, start + 30)
            ids.append(sid)
    return ids[0], ids[1]


def _counts(db: Path, sid: int) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {key} = ?", (sid,)).fetchone()[0]
                     for table, key in (("sessions", "id"), ("samples", "session_id"), ("events", "session_id")))
    finally:
        conn.close()


def test_sessions_list_and_delete(private_home: Path) -> None:
    db = private_home / "data" / "posture.sqlite3"
    first, second = _two_sessions(db)
    listed = run_cli("sessions", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [(int(r[0]), r[4]) for r in rows] == [(first, "30"), (second, "30")]
    # no terminal to ask in, no --yes: refused, nothing removed
    line = assert_one_sentence_error(run_cli("sessions", "delete", str(first)))
    assert "--yes" in line
    assert _counts(db, first) == (1, 30, 1)
    assert "no session 99" in assert_one_sentence_error(run_cli("sessions", "delete", "99", "--yes"))
    proc = run_cli("sessions", "delete", str(first), "--yes")
    assert proc.returncode == 0, proc.stderr
    assert _counts(db, first) == (0, 0, 0)
    assert _counts(db, second) == (1, 30, 1)  # the other session is untouched
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
