"""Time faults on a live monitor: the wall clock jumps forward (suspend and resume) or back (a clock
set back) while the user slouches, and a daylight-saving change passes mid-session. None may create a
bogus stretch of poor posture, a bogus break or a negative duration. The camera's clock and the
monitor's monotonic clock follow the pictures' own time, so an hour passes in a second.
(An upright session with a +1 h jump is in test_monitor_failures.py.)"""

from __future__ import annotations

import calendar
import json
import logging
import time

import pytest

from conftest import run_cli
from fault_rig import Rig, Scripted, clip_pictures, looped, sample_profile
from posture_watch.io.config import SamplingConfig
from posture_watch.core.engine import EngineConfig
from posture_watch.io.store import Store


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return sample_profile(tmp_path_factory)


@pytest.fixture(scope="module")
def slouch():
    return clip_pictures("desk_session.mp4", 60.0, 15.0)


class Clocks:
    """Monotonic time = the camera's picture time; wall time = a start date + that + a jump after `at_s`."""

    def __init__(self, start_epoch: float, jump_s: float = 0.0, at_s: float = 1e12) -> None:
        self.start, self.jump_s, self.at_s, self.t = start_epoch, jump_s, at_s, 0.0

    def picture(self, pictures):
        loop = looped(pictures)

        def picture(t: float):
            self.t = t
            return loop(t)
        return picture

    def mono(self) -> float:
        return 1000.0 + self.t

    def wall(self) -> float:
        return self.start + self.t + (self.jump_s if self.t >= self.at_s else 0.0)


def _slouch_across_a_jump(tmp_path, profile, model_path, slouch, jump_s, caplog):
    clocks = Clocks(time.time(), jump_s=jump_s, at_s=40.0)
    rig = Rig(Scripted(clocks.picture(slouch), until_s=80.0, live=False), tmp_path, profile, model_path,
              replay=False, speed=1.0, wall=clocks.wall, clock=clocks.mono)
    with caplog.at_level(logging.WARNING, logger="posture_watch.monitor.loop"):
        summary = rig.run()
    with Store.open(rig.db, readonly=True) as st:
        states = [s.state for s in st.samples_between(0, 1e12)]
    return rig, summary, states


@pytest.mark.slow
@pytest.mark.parametrize("jump_s", [3600.0, -3600.0], ids=["suspend-resume", "clock-set-back"])
def test_a_clock_jump_while_slouching_is_no_stretch_and_no_break(tmp_path, profile, model_path, slouch, jump_s,
                                                                 caplog):
    """80 s of observed slouch: short of the 135 s a warning needs, unless the jump were counted."""
    rig, summary, states = _slouch_across_a_jump(tmp_path, profile, model_path, slouch, jump_s, caplog)
    assert any(f"clock jumped by {jump_s:+.0f} s" in r.getMessage() for r in caplog.records), caplog.text
    assert states.count("poor") > 0.8 * len(states)  # the pictures are judged a slouch ...
    kinds = [e.kind for e in summary.events]
    assert "warning" not in kinds  # ... but the hour is not poor posture
    assert "break" not in kinds and "away" not in kinds  # nor an absence
    cfg = EngineConfig()
    assert 80.0 * 0.9 - 40 <= rig.monitor.state.presence.sitting_s <= 80.0 + 1  # the hour is not sitting either
    assert rig.monitor.state.posture.window.total_s <= 80.0 + cfg.window_resolution_s
    assert all(e.duration_s is None or 0 <= e.duration_s <= 90 for e in summary.events)
    assert rig.monitor.source.opens == 2  # the camera was reopened after the jump


def test_daylight_saving_change_is_not_a_clock_jump(tmp_path, profile, model_path, monkeypatch, private_home,
                                                    caplog):
    """Europe/Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC. The epoch clock does not
    jump, so nothing happens to the session; the day's report counts 2 minutes, not an hour more or less."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        transition = calendar.timegm((2026, 3, 29, 1, 0, 0))
        clocks = Clocks(transition - 60.0)
        upright = clip_pictures("calibration.mp4", 0.0, 6.0)
        rig = Rig(Scripted(clocks.picture(upright), until_s=120.0), private_home, profile, model_path,
                  replay=False, speed=1.0, wall=clocks.wall, clock=clocks.mono, store=Store.open())
        with caplog.at_level(logging.WARNING, logger="posture_watch.monitor.loop"):
            summary = rig.run()
        assert not [r for r in caplog.records if "jumped" in r.getMessage()]
        assert [e.kind for e in summary.events if e.kind not in ("session_start", "profile", "session_end")] == []
        with Store.open(readonly=True) as st:
            times = [s.t for s in st.samples_between(0, 1e12)]
        assert rig.monitor.state.presence.sitting_s == pytest.approx(times[-1] - times[0], abs=0.5)
        assert times[0] < transition < times[-1]
        assert max(b - a for a, b in zip(times, times[1:])) <= 1.0 / SamplingConfig().settled_hz + 0.2  # no gap
        out = private_home / "day.json"
        proc = run_cli("report", "--date", "2026-03-29", "--json", str(out), env={"TZ": "Europe/Berlin"})
        assert proc.returncode == 0, proc.stderr
        day = json.loads(out.read_text())
        day = day[0] if isinstance(day, list) else day
        # the last sample covers the time up to it, so the end counts to within one settled interval
        within = 1.0 / SamplingConfig().settled_hz + 1.0
        assert day["monitored_s"] == pytest.approx(120.0, abs=within)
        hours = {h["hour"]: h["monitored_s"] for h in day["hours"] if h["monitored_s"]}
        assert set(hours) <= {1, 2, 3} and sum(hours.values()) == pytest.approx(120.0, abs=within)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
