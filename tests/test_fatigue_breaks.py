"""Breaks brought forward by fatigue, on an engine replay: a working day of 1 Hz readings through the pure
engine (posture_watch.core.engine.step), the user taking the break each time a reminder comes.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from posture_watch.core import messages
from posture_watch.core.domain import AWAY, EV_BREAK, EV_BREAK_REMINDER, FORWARD_LEAN, GOOD, POOR, Reading
from posture_watch.core.engine import EngineConfig, initial_state, snooze, step
from posture_watch.core.engine_breaks import routine_ended, routine_started

CFG = EngineConfig()
T0 = 1_700_000_000.0


def reading(t: float, state: str) -> Reading:
    return Reading(t_s=t, state=state, score=40.0 if state == POOR else 90.0 if state == GOOD else None,
                   faults=(FORWARD_LEAN,) if state == POOR else ())


def replay(poor_per_min_at, until_s: float, break_s: float = 300.0, hold=lambda t: False, cfg: EngineConfig = CFG):
    """Sit from T0 with `poor_per_min_at(t)` poor seconds in each minute (the start of each minute);
    on every break reminder the user walks away for `break_s`. Returns [(t from T0, event)]."""
    state = initial_state(cfg, T0)
    out, t, away_until = [], T0, None
    while t < T0 + until_s:
        if away_until is not None and t < away_until:
            r = reading(t, AWAY)
        else:
            away_until = None
            r = reading(t, POOR if (t - T0) % 60 < poor_per_min_at(t - T0) else GOOD)
        state, events = step(state, r, t, hold_alerts=hold(t - T0))
        for e in events:
            out.append((t - T0, e))
            if e.kind == EV_BREAK_REMINDER:
                away_until = t + break_s
        t += 1.0
    return out


def slips_after(minute: float, before: float = 6, after: float = 36):
    return lambda s: before if s < minute * 60 else after


def reminders(events):
    return [(round(t), e) for t, e in events if e.kind == EV_BREAK_REMINDER]


def test_a_steady_day_keeps_the_clock_and_a_slipping_one_brings_the_break_forward():
    steady = reminders(replay(lambda s: 6, 5 * 3600))
    assert steady and all(e.detail == "" for _, e in steady)           # every 30 min, no fatigue

    events = replay(slips_after(150), 5 * 3600)
    tired = [(t, e) for t, e in reminders(events) if e.detail == "fatigue"]
    assert tired and all(t > 150 * 60 for t, _ in tired)
    breaks = [t for t, e in events if e.kind == EV_BREAK]
    for t, e in tired:
        last_break = max((b for b in breaks if b < t), default=0)
        assert t - last_break < CFG.break_reminder_after_s            # earlier than the clock would have
        assert t - last_break >= CFG.fatigue_min_gap_s                # never within the minimum gap
        assert e.deviation["poor_pct_last_hour"] - e.deviation["poor_pct_earlier"] >= CFG.fatigue_rise_pts
        text = messages.describe(e).body
        assert text.startswith("Your posture has slipped over the last hour") and "a short break now" in text
    times = [t for t, _ in reminders(events)]
    assert min(b - a for a, b in zip(times, times[1:])) >= CFG.fatigue_min_gap_s


def test_a_small_rise_is_not_clear_enough():
    # 10 % -> 20 %: ten points, under the stated 15
    events = replay(slips_after(150, before=6, after=12), 5 * 3600)
    assert not [e for _, e in reminders(events) if e.detail == "fatigue"]


def test_ignored_it_comes_again_no_sooner_than_the_minimum_gap():
    cfg = replace(CFG, break_reminder_after_s=7200.0, break_reminder_repeat_s=7200.0)   # the clock out of the way
    events = replay(slips_after(120), 4 * 3600, break_s=0.0, cfg=cfg)       # reminded, never leaves
    tired = [t for t, e in reminders(events) if e.detail == "fatigue"]
    assert len(tired) >= 3
    assert min(b - a for a, b in zip(tired, tired[1:])) >= cfg.fatigue_min_gap_s


def test_do_not_disturb_and_a_snooze_still_hold():
    quiet = lambda s: 150 * 60 <= s < 4 * 3600          # do not disturb from the slip on
    events = replay(slips_after(150), 4 * 3600, hold=quiet)
    assert not [t for t, e in reminders(events) if 150 * 60 <= t < 4 * 3600]

    state = initial_state(CFG, T0)
    for i in range(int(3.5 * 3600)):
        t = T0 + i
        if i == 150 * 60:
            state, _ = snooze(state, t, 120)
        poor = (i % 60) < (6 if i < 150 * 60 else 40)
        state, events = step(state, reading(t, POOR if poor else GOOD), t)
        assert not (i >= 150 * 60 and any(e.kind == EV_BREAK_REMINDER for e in events))


def test_a_routine_done_is_a_break_and_a_night_starts_a_new_level():
    state = initial_state(CFG, T0)
    for i in range(1200):
        state, _ = step(state, reading(T0 + i, GOOD), T0 + i)
    state, ev = routine_started(state, T0 + 1200, 3)
    assert [e.detail for e in ev] == ["routine"]
    state, ev = routine_ended(state, T0 + 1320, done=True)
    assert [(e.kind, e.detail) for e in ev][-1] == (EV_BREAK, "routine") and state.presence.sitting_s == 0
    assert state.fatigue.buckets == () and state.fatigue.earlier_good_s == pytest.approx(1199)   # the first reading covers no time
    later = T0 + 1320 + CFG.fatigue_day_reset_s + 1
    state, _ = step(state, reading(later, GOOD), later)
    assert state.fatigue.earlier_good_s == 0                            # a new day's own level


def test_the_report_shows_the_upright_share_after_each_break_against_before(tmp_path):
    """A real SQLite day: 20 min mostly poor before each break, upright after; one break is a routine."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from posture_watch.core.day_report import ReportConfig
    from posture_watch.core.domain import Event
    from posture_watch.io.store import Store
    from posture_watch.report.command import load_report
    from posture_watch.report.export import report_dict
    from posture_watch.report.terminal import render_text

    tz, day = ZoneInfo("Europe/Berlin"), date(2025, 5, 14)
    t = datetime(2025, 5, 14, 9, tzinfo=tz).timestamp()
    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as store:
        sid = store.start_session(t, "test", "desk", None)
        for block in range(4):
            for i in range(0, 40 * 60, 5):      # 40 min: 20 upright, then 20 of which 15 poor
                minute = i // 60
                state = POOR if minute >= 20 and minute % 4 != 0 else GOOD
                store.add_sample(sid, reading(0, state), t + i)
            t += 40 * 60
            if block == 1:                       # a routine done at the desk (the monitor paused: no samples)
                store.add_event(sid, Event(kind=EV_BREAK, t_s=0, duration_s=120.0, detail="routine"), t + 120)
                t += 120
            else:
                for i in range(0, 300, 5):
                    store.add_sample(sid, reading(0, AWAY), t + i)
                t += 300
        store.end_session(sid, t)
    r = load_report(day, 1, tz, ReportConfig(), db_path=db)
    assert r.breaks.taken == 4                   # three away, one routine
    effect = report_dict(r)["break_effect"]["period"]
    assert effect["breaks"] == 3                  # the last has nothing after it
    assert effect["upright_before"] == pytest.approx(0.25, abs=0.02) and effect["upright_after"] == 1.0
    assert "After a break you sat upright 100 % of the next 20 min, against 25 %" in render_text(r, width=200)
