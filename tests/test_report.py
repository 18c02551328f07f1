"""The daily report's aggregation, with hand-made rows and numbers worked out by hand.

Rows are the store's own row types. A helper lays samples out at a fixed step; every expected
number below is arithmetic on the durations written in the test, not a re-run of the report.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from posture_watch.core import fault_words
from posture_watch.core.domain import EV_BREAK, EV_ESCALATION, EV_WARNING, FORWARD_LEAN, LATERAL_LEAN, THORACIC_SLOUCH
from posture_watch.core.day_report import ReportConfig, build_report
from posture_watch.report.export import HOURS_CSV_COLUMNS, hours_csv, report_dict, report_json
from posture_watch.report.terminal import render_text
from posture_watch.io.store import EventRow, SampleRow, SessionRow

BERLIN = ZoneInfo("Europe/Berlin")
SCORE = {"good": 90.0, "poor": 40.0, "away": None, "unknown": None}


def at(day: date, hh: int, mm: int = 0, tz=BERLIN, fold: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz, fold=fold).timestamp()


def lay(session_id: int, start_t: float, spec, step_s: float = 1.0):
    """Samples every `step_s` for each (state, seconds[, faults[, deviations]]); returns (rows, end_t)."""
    rows, t = [], start_t
    for state, seconds, *rest in spec:
        faults = tuple(rest[0]) if rest else ()
        devs = rest[1] if len(rest) > 1 else {}
        for _ in range(int(round(seconds / step_s))):
            rows.append(SampleRow(session_id, t, state, SCORE[state], faults, devs))
            t += step_s
    return rows, t


def session(sid: int, start_t: float, end_t: float | None, profile: str | None = "desk") -> SessionRow:
    return SessionRow(sid, start_t, end_t, "camera 0", profile, None, "CET")


def event(kind: str, t: float) -> EventRow:
    return EventRow(1, t, kind, None, None, None, 1)


DAY = date(2025, 6, 3)


def simple_day():
    """09:00-10:00: 20 min good, 10 min poor (forward lean), 5 min away, 25 min good."""
    start = at(DAY, 9)
    rows, end = lay(1, start, [
        ("good", 1200),
        ("poor", 600, [FORWARD_LEAN], {"head_drop_pct": 12.0}),
        ("away", 300),
        ("good", 1500),
    ])
    return rows, [session(1, start, end)], start, end


def test_simple_day_numbers():
    rows, sessions, start, end = simple_day()
    events = [event(EV_WARNING, start + 1500), event(EV_ESCALATION, start + 1700),
              event(EV_WARNING, start - 3600)]  # the last one is outside the window's samples but inside the day
    r = build_report(rows, events, sessions, day=DAY, tz=BERLIN)
    assert r.has_data
    assert r.monitored_s == pytest.approx(3600)
    assert r.away_s == pytest.approx(300)
    assert r.present_s == pytest.approx(3300)
    assert r.good_s == pytest.approx(2700) and r.poor_s == pytest.approx(600)
    assert r.upright_share == pytest.approx(2700 / 3300)
    assert r.score == pytest.approx((2700 * 90 + 600 * 40) / 3300)
    assert (r.warnings, r.escalations) == (2, 1)
    assert r.longest_poor.duration_s == pytest.approx(600)
    assert r.longest_poor.start_t == pytest.approx(start + 1200)
    assert r.longest_upright.duration_s == pytest.approx(1500)
    assert r.breaks.taken == 1 and r.breaks.due == 1  # 3300 s at the desk, one due per 1800 s
    assert r.breaks.longest_sitting_s == pytest.approx(1800)  # 20 + 10 min before the break
    assert r.dominant_fault == FORWARD_LEAN
    fl = next(f for f in r.faults if f.fault == FORWARD_LEAN)
    assert fl.duration_s == pytest.approx(600) and fl.share_of_poor == pytest.approx(1.0)
    assert fl.measure == "head_drop_pct" and fl.median_deviation == pytest.approx(12.0)
    assert fl.size_words == fault_words.how_much(FORWARD_LEAN, {"head_drop_pct": 12.0})  # degrees, as everywhere
    assert fl.size_words.startswith("about ") and fl.size_words.endswith("°")
    assert [s.state for s in r.timeline] == ["good", "poor", "away", "good"]
    assert r.hours[9].monitored_s == pytest.approx(3600) and r.hours[9].poor_share == pytest.approx(600 / 3300)
    assert sum(h.monitored_s for h in r.hours) == pytest.approx(3600)
    assert r.profiles[0].name == "desk" and r.sessions == 1
    assert 1 <= len(r.tips) <= 3 and "screen" in r.tips[0]  # forward lean -> screen height
    assert "not medical advice" in r.disclaimer
    assert "1 h 00 min" in r.summary and f"main fault was head forward, {fl.size_words}" in r.summary


def test_a_sample_covers_until_the_next_one_but_not_across_a_gap():
    start = at(DAY, 14)
    rows = [SampleRow(1, start + dt, "good", 90.0, ()) for dt in (0, 4, 8, 60, 61)]
    r = build_report(rows, [], [session(1, start, start + 62)], day=DAY, tz=BERLIN)
    # 4 + 4 + 10 (capped: 52 s to the next) + 1 + 1 (until the session's end)
    assert r.monitored_s == pytest.approx(20)
    assert [round(s.end_t - s.start_t) for s in r.timeline] == [18, 2]
    # The gap ends the upright streak.
    assert r.longest_upright.duration_s == pytest.approx(18)


def test_crashed_session_last_sample_covers_nothing():
    start = at(DAY, 14)
    rows = [SampleRow(1, start + dt, "poor", 40.0, (THORACIC_SLOUCH,)) for dt in range(5)]
    r = build_report(rows, [], [session(1, start, None)], day=DAY, tz=BERLIN)
    assert r.monitored_s == pytest.approx(4)


def test_unknown_neither_ends_nor_extends_a_poor_stretch():
    start = at(DAY, 10)
    rows, end = lay(1, start, [("poor", 60, [FORWARD_LEAN]), ("unknown", 20), ("poor", 30, [FORWARD_LEAN]),
                               ("good", 5), ("poor", 70, [FORWARD_LEAN])])
    r = build_report(rows, [], [session(1, start, end)], day=DAY, tz=BERLIN)
    assert r.longest_poor.duration_s == pytest.approx(90)
    assert r.longest_poor.end_t - r.longest_poor.start_t == pytest.approx(110)
    assert r.unknown_s == pytest.approx(20)
    assert r.observed_s == pytest.approx(165)


def test_empty_day_has_a_clear_message_and_zero_numbers():
    r = build_report([], [], [], day=DAY, tz=BERLIN)
    assert not r.has_data
    assert r.monitored_s == 0 and r.upright_share is None and r.score is None
    assert r.summary.startswith("No posture data on Tuesday 3 June 2025")
    assert "posture-watch run" in r.summary
    assert r.tips == () and r.longest_poor is None
    assert len(r.hours) == 24 and all(h.monitored_s == 0 and h.poor_share is None for h in r.hours)
    assert [d.upright_share for d in r.trend] == [None] * 7
    data = json.loads(report_json(r))
    assert data["monitored_s"] == 0 and data["has_data"] is False and data["breaks"]["taken"] == 0
    assert "No posture data" in render_text(r)


def test_an_empty_day_to_come_is_not_a_day_the_monitor_missed():
    from conftest import run_cli

    ahead = (datetime.now().date() + timedelta(days=30)).isoformat()
    proc = run_cli("report", "--date", ahead)
    assert proc.returncode == 0, proc.stderr
    assert "not come yet" in proc.stdout and "did not run then" not in proc.stdout, proc.stdout
    assert "not come yet" in build_report([], [], [], day=DAY, tz=BERLIN, days=3, today=DAY - timedelta(days=3)).summary
    past = build_report([], [], [], day=DAY, tz=BERLIN, today=DAY + timedelta(days=1)).summary
    assert "did not run then" in past and "posture-watch run" in past


def test_session_across_midnight_is_split_in_local_time():
    start = at(DAY, 23, 30)
    rows, end = lay(1, start, [("good", 1800), ("poor", 1800, [LATERAL_LEAN])], step_s=2.0)
    sessions = [session(1, start, end)]
    first = build_report(rows, [], sessions, day=DAY, tz=BERLIN)
    second = build_report(rows, [], sessions, day=DAY + timedelta(days=1), tz=BERLIN)
    assert first.monitored_s == pytest.approx(1800) and first.poor_s == 0
    assert first.hours[23].good_s == pytest.approx(1800)
    assert second.monitored_s == pytest.approx(1800) and second.good_s == 0
    assert second.hours[0].poor_s == pytest.approx(1800)
    assert second.dominant_fault == LATERAL_LEAN
    # The previous day shows up in the second day's trend.
    assert second.trend[-2].day == DAY and second.trend[-2].monitored_s == pytest.approx(1800)
    assert second.trend[-2].upright_share == pytest.approx(1.0)


def test_midnight_split_uses_the_zone_not_utc():
    tokyo = ZoneInfo("Asia/Tokyo")  # UTC+9: local midnight is 15:00 UTC
    start = at(DAY, 23, 0, tz=tokyo)
    rows, end = lay(1, start, [("good", 7200)], step_s=5.0)
    r = build_report(rows, [], [session(1, start, end)], day=DAY, tz=tokyo)
    assert r.monitored_s == pytest.approx(3600)
    assert r.hours[23].monitored_s == pytest.approx(3600)


def test_spring_forward_day_has_23_hours_and_no_local_2_oclock():
    day = date(2025, 3, 30)  # Berlin: 02:00 CET -> 03:00 CEST
    start = at(day, 1)
    rows, end = lay(1, start, [("good", 3600), ("poor", 3600, [FORWARD_LEAN])], step_s=2.0)
    r = build_report(rows, [], [session(1, start, end)], day=day, tz=BERLIN)
    assert r.end_t - r.start_t == pytest.approx(23 * 3600)
    assert r.hours[1].good_s == pytest.approx(3600)
    assert r.hours[2].monitored_s == 0
    assert r.hours[3].poor_s == pytest.approx(3600)
    assert r.monitored_s == pytest.approx(7200)


def test_fall_back_day_adds_the_repeated_hour_into_one_bucket():
    day = date(2025, 10, 26)  # Berlin: 03:00 CEST -> 02:00 CET, 02:xx happens twice
    start = at(day, 1, 30)
    rows, end = lay(1, start, [("good", 3 * 3600)], step_s=5.0)
    r = build_report(rows, [], [session(1, start, end)], day=day, tz=BERLIN)
    assert r.end_t - r.start_t == pytest.approx(25 * 3600)
    assert r.hours[1].monitored_s == pytest.approx(1800)
    assert r.hours[2].monitored_s == pytest.approx(7200)
    assert r.hours[3].monitored_s == pytest.approx(1800)


def test_half_hour_zone_buckets_on_local_hours():
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+5:30
    start = at(DAY, 9, 45, tz=kolkata)
    rows, end = lay(1, start, [("good", 1800)], step_s=3.0)
    r = build_report(rows, [], [session(1, start, end)], day=DAY, tz=kolkata)
    assert r.hours[9].monitored_s == pytest.approx(900)
    assert r.hours[10].monitored_s == pytest.approx(900)


def test_day_with_two_profiles():
    a0 = at(DAY, 9)
    morning, a1 = lay(1, a0, [("good", 3000), ("poor", 600, [FORWARD_LEAN])], step_s=2.0)
    b0 = at(DAY, 14)
    afternoon, b1 = lay(2, b0, [("good", 600), ("poor", 1200, [THORACIC_SLOUCH])], step_s=2.0)
    sessions = [session(1, a0, a1, "desk"), session(2, b0, b1, "laptop")]
    r = build_report(morning + afternoon, [], sessions, day=DAY, tz=BERLIN)
    assert r.monitored_s == pytest.approx(5400)
    assert {p.name: round(p.monitored_s) for p in r.profiles} == {"desk": 3600, "laptop": 1800}
    by_name = {p.name: p for p in r.profiles}
    assert by_name["desk"].upright_share == pytest.approx(3000 / 3600)
    assert by_name["laptop"].upright_share == pytest.approx(600 / 1800)
    assert r.sessions == 2
    assert "desk" in r.summary and "laptop" in r.summary
    # A new session restarts the sitting clock: 3600 s and 1800 s, never 5400 s.
    assert r.breaks.longest_sitting_s == pytest.approx(3600)
    assert r.dominant_fault == THORACIC_SLOUCH
    assert any("extension" in tip or "backrest" in tip for tip in r.tips)


def test_breaks_need_a_minute_away_and_reset_the_sitting_clock():
    start = at(DAY, 8)
    rows, end = lay(1, start, [("good", 2400), ("away", 30), ("good", 1200), ("away", 90), ("good", 2000)],
                    step_s=2.0)
    r = build_report(rows, [], [session(1, start, end)], day=DAY, tz=BERLIN)
    assert r.breaks.taken == 1
    assert r.breaks.taken_at == (pytest.approx(start + 3630),)
    assert r.breaks.due == 3  # 5600 s at the desk // 1800
    assert r.breaks.longest_sitting_s == pytest.approx(3600)  # a 30 s absence is not a break
    cfg = ReportConfig(break_min_away_s=20, break_every_s=3000)
    r2 = build_report(rows, [], [session(1, start, end)], day=DAY, tz=BERLIN, config=cfg)
    assert (r2.breaks.taken, r2.breaks.due) == (2, 1)
    assert r2.breaks.longest_sitting_s == pytest.approx(2400)


def test_fault_breakdown_duration_and_median_size():
    start = at(DAY, 11)
    rows, end = lay(1, start, [
        ("poor", 100, [FORWARD_LEAN], {"head_drop_pct": 10.0, "face_size_pct": 4.0}),
        ("poor", 50, [FORWARD_LEAN, LATERAL_LEAN], {"head_drop_pct": 30.0, "shoulder_tilt_deg": 7.0}),
        ("good", 100),
        ("poor", 40, [LATERAL_LEAN], {"shoulder_tilt_deg": 5.0}),
    ])
    r = build_report(rows, [], [session(1, start, end)], day=DAY, tz=BERLIN)
    stats = {f.fault: f for f in r.faults}
    assert stats[FORWARD_LEAN].duration_s == pytest.approx(150)
    assert stats[LATERAL_LEAN].duration_s == pytest.approx(90)
    assert stats[THORACIC_SLOUCH].duration_s == 0 and stats[THORACIC_SLOUCH].measure is None
    assert stats[FORWARD_LEAN].median_deviation == pytest.approx(10.0)   # 100 x 10, 50 x 30
    assert stats[FORWARD_LEAN].medians["face_size_pct"] == pytest.approx(4.0)
    assert stats[LATERAL_LEAN].measure == "shoulder_tilt_deg"
    assert stats[LATERAL_LEAN].median_deviation == pytest.approx(7.0)   # 50 x 7, 40 x 5
    assert stats[FORWARD_LEAN].share_of_poor == pytest.approx(150 / 190)
    assert r.dominant_fault == FORWARD_LEAN


def test_dominant_fault_is_the_one_named_first_most():
    start = at(DAY, 11)
    rows, end = lay(1, start, [
        ("poor", 100, [THORACIC_SLOUCH, FORWARD_LEAN], {"shoulder_drop_pct": 9.0}),
        ("poor", 60, [FORWARD_LEAN], {"head_drop_pct": 12.0}),
    ])
    r = build_report(rows, [], [session(1, start, end)], day=DAY, tz=BERLIN)
    stats = {f.fault: f for f in r.faults}
    assert stats[FORWARD_LEAN].duration_s == pytest.approx(160) and stats[FORWARD_LEAN].lead_s == pytest.approx(60)
    assert stats[THORACIC_SLOUCH].duration_s == pytest.approx(100) and stats[THORACIC_SLOUCH].lead_s == pytest.approx(100)
    assert r.dominant_fault == THORACIC_SLOUCH


def test_fatigue_compares_first_and_last_two_hours():
    start = at(DAY, 9)
    # 6 h: first 2 h 10 % poor, middle 2 h 30 %, last 2 h 50 %, in 10-minute cycles.
    spec = []
    for poor_min in [1] * 12 + [3] * 12 + [5] * 12:
        spec += [("good", (10 - poor_min) * 60), ("poor", poor_min * 60, [FORWARD_LEAN])]
    rows, end = lay(1, start, spec, step_s=4.0)
    r = build_report(rows, [], [session(1, start, end)], day=DAY, tz=BERLIN)
    assert r.fatigue.verdict == "worse"
    assert r.fatigue.early_poor_share == pytest.approx(0.10)
    assert r.fatigue.late_poor_share == pytest.approx(0.50)
    assert "worse late in the day" in r.fatigue.words and "10 %" in r.fatigue.words and "50 %" in r.fatigue.words
    assert "worse late in the day" in r.summary
    assert any("late in the day" in tip for tip in r.tips)
    assert r.hours[9].poor_share == pytest.approx(0.10) and r.hours[14].poor_share == pytest.approx(0.50)


def test_fatigue_over_several_days_compares_within_each_day():
    rows, sessions = [], []
    for back, late_poor_min in ((1, 5), (0, 5)):
        d = DAY - timedelta(days=back)
        spec = []
        for poor_min in [1] * 12 + [3] * 12 + [late_poor_min] * 12:
            spec += [("good", (10 - poor_min) * 60), ("poor", poor_min * 60, [FORWARD_LEAN])]
        t0 = at(d, 9)
        day_rows, t1 = lay(back + 1, t0, spec, step_s=5.0)
        rows += day_rows
        sessions.append(session(back + 1, t0, t1))
    r = build_report(rows, [], sessions, day=DAY, tz=BERLIN, days=2)
    # Each morning against its own afternoon, not the first morning against the last afternoon.
    assert r.fatigue.early_poor_share == pytest.approx(0.10)
    assert r.fatigue.late_poor_share == pytest.approx(0.50)
    assert r.hours[9].poor_share == pytest.approx(0.10)


def test_fatigue_needs_a_long_enough_day():
    rows, sessions, _, _ = simple_day()
    r = build_report(rows, [], sessions, day=DAY, tz=BERLIN)
    assert r.fatigue.verdict == "unknown" and "too short" in r.fatigue.words


def test_trend_has_seven_days_and_compares_with_earlier_days():
    rows, sessions = [], []
    for back, poor_s in ((3, 360), (1, 720), (0, 1800)):
        d = DAY - timedelta(days=back)
        t0 = at(d, 10)
        day_rows, t1 = lay(10 + back, t0, [("good", 3600 - poor_s), ("poor", poor_s, [FORWARD_LEAN])], step_s=4.0)
        rows += day_rows
        sessions.append(session(10 + back, t0, t1))
    r = build_report(rows, [], sessions, day=DAY, tz=BERLIN)
    assert [d.day for d in r.trend] == [DAY - timedelta(days=k) for k in range(6, -1, -1)]
    shares = [None if d.upright_share is None else round(d.upright_share, 3) for d in r.trend]
    assert shares == [None, None, None, 0.9, None, 0.8, 0.5]
    assert "worse than the previous 2 days" in r.summary and "85 %" in r.summary
    # A two-day report covers both days and still shows (at least) seven days of trend.
    two = build_report(rows, [], sessions, day=DAY, tz=BERLIN, days=2)
    assert two.first_day == DAY - timedelta(days=1) and two.monitored_s == pytest.approx(7200)
    assert len(two.trend) == 7


def test_the_trend_weighs_earlier_days_by_their_judged_time():
    """Ten minutes judged on one earlier day do not weigh as much as two hours on another."""
    rows, sessions = [], []
    for back, good_s, poor_s in ((2, 7200 * 0.9, 7200 * 0.1), (1, 60, 540), (0, 3000, 600)):
        d = DAY - timedelta(days=back)
        t0 = at(d, 10)
        day_rows, t1 = lay(20 + back, t0, [("good", good_s), ("poor", poor_s, [FORWARD_LEAN])], step_s=4.0)
        rows += day_rows
        sessions.append(session(20 + back, t0, t1))
    r = build_report(rows, [], sessions, day=DAY, tz=BERLIN)
    # (0.9 * 7200 + 0.1 * 600) / 7800 = 84 %, where the plain mean of the two days (0.9, 0.1) was 50 %
    assert "(84 % upright)" in r.summary, r.summary
    assert "about the same as the previous 2 days" in r.summary
    assert [round(d.judged_s) for d in r.trend[-3:]] == [7200, 600, 3600]


def test_warnings_count_only_inside_the_day():
    rows, sessions, start, _ = simple_day()
    midnight = at(DAY + timedelta(days=1), 0)
    events = [event(EV_WARNING, start + 10), event(EV_WARNING, midnight + 1), event(EV_BREAK, start + 20)]
    r = build_report(rows, events, sessions, day=DAY, tz=BERLIN)
    assert r.warnings == 1


def test_json_keys_are_stable_and_csv_has_24_hours():
    rows, sessions, _, _ = simple_day()
    r = build_report(rows, [], sessions, day=DAY, tz=BERLIN)
    data = report_dict(r)
    for key in ("monitored_s", "upright_share", "warnings", "breaks", "hours"):
        assert key in data
    assert list(data) == list(report_dict(build_report([], [], [], day=DAY, tz=BERLIN)))  # same keys, same order
    assert data["monitored_s"] == 3600.0 and data["breaks"]["taken"] == 1 and data["breaks"]["due"] == 1
    assert len(data["hours"]) == 24 and data["hours"][9]["monitored_s"] == 3600.0
    assert data["longest_poor"]["start"].startswith("2025-06-03T09:20:00")
    assert json.loads(report_json(r)) == json.loads(json.dumps(data))
    table = list(csv.DictReader(io.StringIO(hours_csv(r))))
    assert len(table) == 24 and tuple(table[0]) == HOURS_CSV_COLUMNS
    assert float(table[9]["poor_s"]) == 600.0 and table[3]["poor_share"] == ""
    assert {row["day"] for row in table} == {DAY.isoformat()}


def test_a_multi_day_csv_has_each_days_own_hours():
    rows, sessions = [], []
    for back, poor_s in ((1, 720), (0, 1800)):
        d = DAY - timedelta(days=back)
        t0 = at(d, 10)
        day_rows, t1 = lay(30 + back, t0, [("good", 3600 - poor_s), ("poor", poor_s, [FORWARD_LEAN])], step_s=4.0)
        rows += day_rows
        sessions.append(session(30 + back, t0, t1))
    r = build_report(rows, [], sessions, day=DAY, tz=BERLIN, days=2)
    table = list(csv.DictReader(io.StringIO(hours_csv(r))))
    assert len(table) == 48 and [row["day"] for row in table[::24]] == [(DAY - timedelta(days=1)).isoformat(), DAY.isoformat()]
    ten = {row["day"]: float(row["poor_s"]) for row in table if row["hour"] == "10"}
    assert ten == {(DAY - timedelta(days=1)).isoformat(): pytest.approx(720, abs=8), DAY.isoformat(): pytest.approx(1800, abs=8)}
    assert r.hours[10].poor_s == pytest.approx(2520, abs=16)          # the period's hours sum the days


def test_terminal_summary_shows_the_numbers():
    rows, sessions, _, _ = simple_day()
    text = render_text(build_report(rows, [], sessions, day=DAY, tz=BERLIN), width=100)
    assert "1 h 00 min" in text and "Upright" in text and "Head forward" in text
    assert "Breaks taken / due" in text and "not medical advice" in text


def test_load_report_reads_trend_days_cheaply_with_the_same_numbers(tmp_path):
    """report_cli.load_report reads the trend days with Store.sample_states_between (no faults or
    deviations); the numbers must equal a report built from the full rows of the real database."""
    from posture_watch.core.domain import Reading
    from posture_watch.report.command import load_report
    from posture_watch.io.store import Store

    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as store:
        for back, spec in ((2, [("good", 600), ("poor", 300, [FORWARD_LEAN], {"head_drop_pct": 11.0})]),
                           (0, [("poor", 200, [THORACIC_SLOUCH], {"shoulder_drop_pct": 8.0}), ("away", 90),
                                ("good", 400)])):
            t0 = at(DAY - timedelta(days=back), 23, 50)  # the first day's session runs past midnight
            rows, t1 = lay(0, t0, spec, step_s=2.0)
            sid = store.start_session(t0, "test", "desk", None)
            for r in rows:
                store.add_sample(sid, Reading(t_s=0, state=r.state, score=r.score, faults=r.faults,
                                              deviations=r.deviations), r.t)
            store.end_session(sid, t1)
    cheap = load_report(DAY, 1, BERLIN, ReportConfig(), db_path=db)
    with Store.open(db, readonly=True) as store:
        full = build_report(store.samples_between(0, 2e9), store.events_between(0, 2e9),
                            store.sessions_between(0, 2e9), day=DAY, tz=BERLIN)
    assert report_dict(cheap) == report_dict(full)
    # Each session starts at 23:50 and runs past midnight: 600 s fall on its own day.
    assert cheap.monitored_s == pytest.approx(600) and cheap.away_s == pytest.approx(90)
    assert [round(d.monitored_s) for d in cheap.trend[-3:]] == [600, 300, 600]
    assert load_report(DAY, 1, BERLIN, ReportConfig(), db_path=tmp_path / "none.sqlite3").has_data is False
    assert not (tmp_path / "none.sqlite3").exists()


def test_demo_hook_prints_the_day_and_writes_a_private_html_report(private_home, monkeypatch):
    """What `posture-watch demo` ends with: the terminal summary and the HTML report's path."""
    import stat

    from posture_watch.io import paths
    from posture_watch.core.domain import Reading
    from posture_watch.report.command import show_session_day
    from posture_watch.io.store import Store

    monkeypatch.setenv("TZ", "Europe/Berlin")
    start = at(DAY, 15)
    rows, end = lay(0, start, [("good", 300), ("poor", 200, [FORWARD_LEAN], {"head_drop_pct": 14.0})])
    with Store.open() as store:
        sid = store.start_session(start, "video", "sample", None)
        for r in rows:
            store.add_sample(sid, Reading(t_s=0, state=r.state, score=r.score, faults=r.faults,
                                          deviations=r.deviations), r.t)
        store.end_session(sid, end)
    out = io.StringIO()
    path = show_session_day(start, out)
    text = out.getvalue()
    assert path == paths.reports_dir() / "posture-2025-06-03.html"
    assert str(private_home) in str(path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"HTML report: {path}" in text and "8 min 20 s" in text and "Head forward" in text
    assert 'id="chart-timeline"' in path.read_text(encoding="utf-8")


def test_the_report_writes_html_only_when_asked(private_home, tmp_path):
    """`report` prints the day; it writes an HTML page only with --html (there) or --open (to the
    reports folder, then opens it)."""
    from conftest import run_cli
    from posture_watch.core.domain import Reading
    from posture_watch.io.store import Store

    start = at(DAY, 15)
    rows, end = lay(0, start, [("good", 300), ("poor", 200, [FORWARD_LEAN], {"head_drop_pct": 14.0})])
    with Store.open() as store:
        sid = store.start_session(start, "video", "sample", None)
        for r in rows:
            store.add_sample(sid, Reading(t_s=0, state=r.state, score=r.score, faults=r.faults,
                                          deviations=r.deviations), r.t)
        store.end_session(sid, end)
    env = {"TZ": "Europe/Berlin", "BROWSER": "true"}
    proc = run_cli("report", "--date", DAY.isoformat(), env=env)
    assert proc.returncode == 0 and "Head forward" in proc.stdout, proc.stderr
    assert "HTML report" not in proc.stdout and not list(private_home.rglob("*.html"))
    proc = run_cli("report", "--date", DAY.isoformat(), "--html", str(tmp_path / "day.html"), env=env)
    assert proc.returncode == 0 and (tmp_path / "day.html").exists() and not list(private_home.rglob("*.html"))
    proc = run_cli("report", "--date", DAY.isoformat(), "--open", env=env)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in private_home.rglob("*.html")] == [f"posture-{DAY.isoformat()}.html"]


def test_report_cli_without_data_and_with_bad_input(private_home, tmp_path):
    from conftest import assert_one_sentence_error, run_cli

    proc = run_cli("report", "--date", "2025-06-03", "--json", str(tmp_path / "r.json"), env={"TZ": "UTC"})
    assert proc.returncode == 0, proc.stderr
    assert "No posture data on Tuesday 3 June 2025" in proc.stdout
    assert not (private_home / "data" / "posture.sqlite3").exists()  # the report never creates the database
    assert json.loads((tmp_path / "r.json").read_text())["monitored_s"] == 0
    assert "--date must be a day" in assert_one_sentence_error(run_cli("report", "--date", "3/6/2025"))
    assert "--days must be between" in assert_one_sentence_error(run_cli("report", "--days", "0"))
    missing = tmp_path / "no" / "such" / "r.html"
    assert "does not exist" in assert_one_sentence_error(run_cli("report", "--html", str(missing)))


def test_overlapping_sessions_are_one_timeline():
    """Two sessions that overlap (replays stamped ahead of the clock, two machines syncing one
    folder): the same 22 minutes, half a second apart. Before, every switch between their samples
    ended a stretch (longest poor 0.5 s, no break) and the time was counted twice."""
    start = at(DAY, 9)
    spec = [("good", 600), ("poor", 300, [FORWARD_LEAN]), ("away", 120), ("good", 300)]
    first, end_a = lay(1, start, spec)
    second, end_b = lay(2, start + 0.5, spec)
    sessions = [session(1, start, end_a), session(2, start + 0.5, end_b)]
    r = build_report(first + second, [], sessions, day=DAY, tz=BERLIN)
    assert r.monitored_s == pytest.approx(end_b - start)      # the union, not the sum
    assert r.poor_s == pytest.approx(300)
    assert r.away_s == pytest.approx(120)
    assert r.longest_poor.duration_s == pytest.approx(300)
    assert r.longest_poor.start_t == pytest.approx(start + 600)
    assert r.breaks.taken == 1 and r.breaks.taken_at == (pytest.approx(start + 900),)
    assert r.longest_upright.duration_s == pytest.approx(600)
    assert r.sessions == 2


def test_sessions_one_after_the_other_still_end_a_stretch():
    """Overlap handling must not join sessions that do not overlap: the second starts after the first ended."""
    start = at(DAY, 9)
    first, end_a = lay(1, start, [("poor", 200, [FORWARD_LEAN])])
    second, end_b = lay(2, end_a, [("poor", 100, [FORWARD_LEAN])])
    r = build_report(first + second, [], [session(1, start, end_a), session(2, end_a, end_b)], day=DAY, tz=BERLIN)
    assert r.poor_s == pytest.approx(300)
    assert r.longest_poor.duration_s == pytest.approx(200)
