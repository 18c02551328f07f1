"""The report for other tools: JSON with stable keys, CSV of the hourly numbers. Pure text.

JSON (`report_json(report)`, format "posture-watch-report" version 1). Seconds are floats
rounded to 0.1 s, shares are 0..1 rounded to 4 places, times are epoch seconds plus ISO local
time. Keys (always present; null where a value does not exist):

    format, version, first_day, last_day, days, tz, start_t, end_t, has_data,
    monitored_s, away_s, present_s, observed_s, good_s, poor_s, unknown_s,
    upright_share, score, warnings, escalations, break_reminders, sessions,
    longest_poor   {start_t, end_t, start, end, duration_s} | null
    longest_upright (same),
    breaks         {taken, due, every_s, min_away_s, longest_sitting_s, taken_at: [iso...]},
    faults         [{fault, label, duration_s, lead_s, share_of_poor, measure, median_deviation, medians}],
    dominant_fault,
    hours          24 x {hour, monitored_s, observed_s, good_s, poor_s, away_s, poor_share},
    fatigue        {verdict, early_poor_share, late_poor_share, window_s, words},
    timeline       [{start_t, end_t, state}],
    trend          [{day, monitored_s, upright_share, score}],
    profiles       [{name, sessions, monitored_s, observed_s, upright_share}],
    title, summary, tips, disclaimer,
    break_effect   {period, weeks: {breaks, window_s, upright_before, upright_after}}: the upright share
                   in the 20 min before and after each break (time-weighted over the breaks),
    asymmetry      {left_right, min_measured_s {day, period, weeks}, period, weeks, days: [...],
                    words, tips} | null; each window {first_day, last_day, shoulder, head, lean}, each
                   measure {status: clear|balanced|not_enough_data|not_seen, side: left|right|none,
                   left_share, right_share (of the measured time), typical (median size on the named
                   side), unit (deg or pct_shoulder_width), measured_s, judged_s}. Left and right are
                   the user's own, not the picture's.

CSV (`hours_csv(report)`): one row per local day and hour (0..23), oldest first, columns
HOURS_CSV_COLUMNS: a report of N days has 24 N rows, each day's own (the JSON's `hours` sum them).
The side columns hold that hour's left and right shares of the measured time (empty when the hour
had no judged time seen from the front) and the side named ('left', 'right', 'none').
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, tzinfo
from typing import Any

from posture_watch.core.asymmetry import SideStat, WindowSides
from posture_watch.core.day_report import DayReport, Stretch

FORMAT = "posture-watch-report"
VERSION = 1
HOURS_CSV_COLUMNS = ("day", "hour", "monitored_s", "observed_s", "good_s", "poor_s", "away_s", "poor_share",
                     "side_measured_s", "shoulder_lower_side", "shoulder_left_lower_share", "shoulder_right_lower_share",
                     "head_tilt_side", "head_left_tilt_share", "head_right_tilt_share",
                     "lean_side", "lean_left_share", "lean_right_share")


def _s(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _iso(t: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(t, tz).isoformat(timespec="seconds")


def _stretch(s: Stretch | None, tz: tzinfo) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"start_t": round(s.start_t, 3), "end_t": round(s.end_t, 3), "start": _iso(s.start_t, tz),
            "end": _iso(s.end_t, tz), "duration_s": _s(s.duration_s)}


def _side(stat: SideStat) -> dict[str, Any]:
    return {"status": stat.status, "side": stat.side, "left_share": _share(stat.left_share),
            "right_share": _share(stat.right_share),
            "typical": None if stat.typical is None else round(stat.typical, 1),
            "unit": "pct_shoulder_width" if stat.measure == "lean_side_pct" else "deg",
            "measured_s": _s(stat.measured_s), "judged_s": _s(stat.judged_s)}


def _window(w: WindowSides) -> dict[str, Any]:
    return {"first_day": w.first_day.isoformat(), "last_day": w.last_day.isoformat(),
            "shoulder": _side(w.shoulder), "head": _side(w.head), "lean": _side(w.lean)}


def asymmetry_dict(r: DayReport) -> dict[str, Any] | None:
    a = r.asymmetry
    if a is None:
        return None
    return {"left_right": "the user's own, not the picture's",
            "min_measured_s": {"day": a.min_day_s, "period": a.min_period_s, "weeks": a.min_weeks_s},
            "period": _window(a.period), "weeks": _window(a.weeks), "days": [_window(w) for w in a.daily],
            "words": list(r.asymmetry_words), "tips": list(r.asymmetry_tips)}


def report_dict(r: DayReport) -> dict[str, Any]:
    tz = r.zone
    return {
        "format": FORMAT,
        "version": VERSION,
        "first_day": r.first_day.isoformat(),
        "last_day": r.last_day.isoformat(),
        "days": r.days,
        "tz": r.tz,
        "start_t": r.start_t,
        "end_t": r.end_t,
        "has_data": r.has_data,
        "monitored_s": _s(r.monitored_s),
        "away_s": _s(r.away_s),
        "present_s": _s(r.present_s),
        "observed_s": _s(r.observed_s),
        "good_s": _s(r.good_s),
        "poor_s": _s(r.poor_s),
        "unknown_s": _s(r.unknown_s),
        "upright_share": _share(r.upright_share),
        "score": None if r.score is None else round(r.score, 1),
        "warnings": r.warnings,
        "escalations": r.escalations,
        "break_reminders": r.break_reminders,
        "sessions": r.sessions,
        "longest_poor": _stretch(r.longest_poor, tz),
        "longest_upright": _stretch(r.longest_upright, tz),
        "breaks": {
            "taken": r.breaks.taken, "due": r.breaks.due, "every_s": r.breaks.every_s,
            "min_away_s": r.breaks.min_away_s, "longest_sitting_s": _s(r.breaks.longest_sitting_s),
            "taken_at": [_iso(t, tz) for t in r.breaks.taken_at],
        },
        "faults": [
            {"fault": f.fault, "label": f.label, "duration_s": _s(f.duration_s), "lead_s": _s(f.lead_s),
             "share_of_poor": _share(f.share_of_poor),
             "measure": f.measure, "median_deviation": None if f.median_deviation is None else round(f.median_deviation, 2),
             "medians": {k: round(v, 2) for k, v in f.medians.items()}}
            for f in r.faults
        ],
        "dominant_fault": r.dominant_fault,
        "hours": [
            {"hour": h.hour, "monitored_s": _s(h.monitored_s), "observed_s": _s(h.observed_s), "good_s": _s(h.good_s),
             "poor_s": _s(h.poor_s), "away_s": _s(h.away_s), "poor_share": _share(h.poor_share)}
            for h in r.hours
        ],
        "fatigue": {"verdict": r.fatigue.verdict, "early_poor_share": _share(r.fatigue.early_poor_share),
                    "late_poor_share": _share(r.fatigue.late_poor_share), "window_s": r.fatigue.window_s,
                    "words": r.fatigue.words},
        "timeline": [{"start_t": round(s.start_t, 3), "end_t": round(s.end_t, 3), "state": s.state} for s in r.timeline],
        "trend": [{"day": d.day.isoformat(), "monitored_s": _s(d.monitored_s), "upright_share": _share(d.upright_share),
                   "score": None if d.score is None else round(d.score, 1)} for d in r.trend],
        "profiles": [{"name": p.name, "sessions": p.sessions, "monitored_s": _s(p.monitored_s),
                      "observed_s": _s(p.observed_s), "upright_share": _share(p.upright_share)} for p in r.profiles],
        "title": r.title,
        "summary": r.summary,
        "tips": list(r.tips),
        "disclaimer": r.disclaimer,
        "asymmetry": asymmetry_dict(r),
        "break_effect": dict(zip(("period", "weeks"), (
            {"breaks": e.breaks, "window_s": e.window_s, "upright_before": _share(e.before_upright),
             "upright_after": _share(e.after_upright)} for e in r.break_effects))),
    }


def report_json(r: DayReport) -> str:
    return json.dumps(report_dict(r), indent=2, ensure_ascii=False) + "\n"


def hours_csv(r: DayReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HOURS_CSV_COLUMNS)
    sides = dict(r.asymmetry.hours) if r.asymmetry is not None else {}
    for day, hours in r.day_hours or ((r.last_day, r.hours),):
        hour_sides = sides.get(day, ())
        for h in hours:
            w.writerow([day.isoformat(), h.hour, f"{h.monitored_s:.1f}", f"{h.observed_s:.1f}", f"{h.good_s:.1f}",
                        f"{h.poor_s:.1f}", f"{h.away_s:.1f}", "" if h.poor_share is None else f"{h.poor_share:.4f}",
                        *_side_cells(hour_sides[h.hour] if h.hour < len(hour_sides) else None)])
    return buf.getvalue()


def _side_cells(w: WindowSides | None) -> list[str]:
    if w is None or w.shoulder.measured_s <= 0:
        return [""] * 10
    cells = [f"{w.shoulder.measured_s:.1f}"]
    for stat in w.stats:
        cells += [stat.side if stat.measured_s > 0 else "", *("" if v is None else f"{v:.4f}"
                                                              for v in (stat.left_share, stat.right_share))]
    return cells
