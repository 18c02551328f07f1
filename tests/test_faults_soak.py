"""Soak: an 8-hour working day replayed at high speed through the whole monitor (runner.run_monitor:
real MediaPipe on every sample, SQLite, engine, control server, JSONL), from pictures held in memory.
Memory stays bounded and every count agrees: pictures read = samples judged = rows stored = JSON lines.

The sampling is slowed down in this test's config (every 20 s while settled, 1 Hz at most) so that
8 hours cost about two thousand model runs; the default rates are soaked by `make bench`."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import ROOT
from fault_rig import Scripted, clip_pictures
from posture_watch.io.config import load_config
from posture_watch.monitor.runner import RunOptions, run_monitor

HOUR = 3600.0


def _rss_mb() -> float:
    import resource

    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


@pytest.mark.slow
def test_an_8_hour_day_replayed_keeps_memory_bounded_and_counts_exact(private_home, model_path):
    (private_home / "config").mkdir(parents=True, exist_ok=True)
    (private_home / "config" / "config.toml").write_text(
        "[sampling]\nfast_hz = 1.0\nslow_hz = 0.2\nsettled_hz = 0.05\naway_poll_s = 20.0\n")
    upright = clip_pictures("calibration.mp4", 0.0, 6.0)
    slouch = clip_pictures("desk_session.mp4", 60.0, 6.0)
    away = clip_pictures("empty_room.mp4", 0.0, 4.9)

    def scene(t: float) -> list:
        minute = (t % HOUR) / 60.0  # each hour: 55 min at the desk, 1 min slouched among them, 4 min away
        return away if minute >= 56 else slouch if 30 <= minute < 31 else upright

    rss: dict[int, float] = {}

    def picture(t: float):
        hour = int(t // HOUR)
        if hour not in rss:
            rss[hour] = _rss_mb()
        pictures = scene(t)
        return pictures[int(t * 10) % len(pictures)]

    source = Scripted(picture, until_s=8 * HOUR, description="an 8-hour day")
    out = private_home / "day.jsonl"
    opts = RunOptions(profile=str(ROOT / "calibration" / "sample_profile.json"), no_notify=True,
                      quiet_fallback=True, speed=1e6, jsonl=str(out), into_history=True)
    summary = run_monitor(opts, load_config(), source=source)
    rss[8] = _rss_mb()

    assert summary.reason == "end of source"
    assert summary.ended_at - summary.started_at == pytest.approx(8 * HOUR, abs=30)
    # counts: every picture read was judged, stored once and written once
    conn = sqlite3.connect(private_home / "data" / "posture.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = conn.execute("SELECT COUNT(*) FROM samples WHERE session_id = ?", (summary.session_id,)).fetchone()[0]
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert source.reads == summary.samples == rows == len(lines) > 1500
    assert summary.bad_frames == 0
    # the day's events: a break every hour, reminders while sitting, no warning for a 1-minute slouch
    kinds = [k for (k,) in conn.execute("SELECT kind FROM events WHERE session_id = ? ORDER BY t, id",
                                        (summary.session_id,))]
    assert kinds[0] == "session_start" and kinds[-1] == "session_end"
    assert kinds.count("break") == 7 and "warning" not in kinds and "camera_lost" not in kinds
    assert len(summary.events) == len(kinds)
    # memory: after the first hour (caches, SQLite pages, the model's buffers) it does not grow
    assert rss[8] - rss[1] <= 15.0, rss
