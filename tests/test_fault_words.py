"""One way to say a fault everywhere: the warning notification, the report (terminal and HTML, built by the
CLI from a real SQLite file), the profile's thresholds and the preview header use the same words and unit;
times of a stretch are shown to the minute, consistently with its duration."""

from __future__ import annotations

import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, run_cli
from posture_watch.core import fault_words, messages
from posture_watch.core.domain import EV_WARNING, FORWARD_LEAN, LATERAL_LEAN, SLUMPED, THORACIC_SLOUCH, Event, Reading
from posture_watch.io.preview import header_lines
from posture_watch.io.profile_files import load_profile
from posture_watch.core.report_words import clock_span, duration
from posture_watch.io.store import Store
from posture_watch.calibration.summary import summary_text, thresholds

CASES = [
    (FORWARD_LEAN, {"head_forward_deg": 12.4, "head_drop_pct": 21.0, "face_size_pct": 5.0}, "head forward, about 12°"),
    (SLUMPED, {"shoulder_drop_pct": 16.2, "neck_shortening_pct": 9.0},
     "slumped in the chair, shoulders sunk by 16 % of their width"),
    (THORACIC_SLOUCH, {"back_rounding_pct": 8.4}, "slouching, back rounded, the trunk 8 % shorter"),
    (LATERAL_LEAN, {"shoulder_tilt_deg": -9.3, "head_tilt_deg": 12.0}, "leaning to one side, shoulders tilted about 9°"),
]


@pytest.mark.parametrize("fault, deviations, said", CASES)
def test_notification_preview_and_phrase_agree(fault, deviations, said):
    assert fault_words.phrase(fault, deviations) == said
    message = messages.describe(Event(kind=EV_WARNING, t_s=0.0, fault=fault, duration_s=150.0, window_s=180.0,
                                      deviation=deviations))
    assert message.body.startswith(said[0].upper() + said[1:] + ", for 2 of the last 3 minutes.")
    reading = Reading(t_s=0.0, state="poor", score=40.0, faults=(fault,), deviations=deviations)
    assert header_lines(reading, {"condition": "monitoring"})[0] == said[0].upper() + said[1:]


def test_a_sideways_lean_says_its_side():
    """issue 22: a head tilt or a sideways lean on a webcam is named lateral_lean with the person's side."""
    assert fault_words.phrase(LATERAL_LEAN, {"head_tilt_deg": 18.0, "head_roll_deg": 18.0}) == \
        "leaning to your left, head tilted about 18°"
    assert fault_words.phrase(LATERAL_LEAN, {"head_tilt_deg": 12.0, "head_roll_deg": -12.0}, capital=True) == \
        "Leaning to your right, head tilted about 12°"
    assert fault_words.phrase(FORWARD_LEAN, {"head_forward_deg": 16.0, "head_roll_deg": 9.0}) == "head forward, about 16°"


def test_a_frontal_head_drop_is_said_in_degrees_like_the_side_view():
    side = fault_words.phrase(FORWARD_LEAN, {"head_forward_deg": 16.0})
    front = fault_words.phrase(FORWARD_LEAN, {"head_drop_pct": 30.0})
    assert re.fullmatch(r"head forward, about \d+°", side) and re.fullmatch(r"head forward, about \d+°", front)
    assert fault_words.phrase(FORWARD_LEAN, {"head_forward_deg": 0.3}) == "head forward"   # too small for a number


def test_the_report_says_each_fault_as_the_notification_does(private_home, monkeypatch):
    """A day in a real SQLite file: 10 min of each fault; `posture-watch report` (terminal and HTML)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2025, 6, 3, 9, 0, tzinfo=tz).timestamp()
    with Store.open() as store:
        sid = store.start_session(start, "camera 0", "desk", None)
        t = start
        for fault, deviations, _ in CASES:
            for _ in range(600):
                store.add_sample(sid, Reading(t_s=t, state="poor", score=40.0, faults=(fault,), deviations=deviations), t)
                t += 1.0
        store.end_session(sid, t)
    html = private_home / "day.html"
    proc = run_cli("report", "--date", "2025-06-03", "--html", str(html), env={"TZ": "Europe/Berlin", "COLUMNS": "160"})
    assert proc.returncode == 0, proc.stderr
    page = html.read_text(encoding="utf-8")
    for fault, deviations, said in CASES:
        title, amount = fault_words.title(fault), fault_words.how_much(fault, deviations)
        assert re.search(rf"{re.escape(title)}\s.*{re.escape(amount)}", proc.stdout), (title, amount, proc.stdout)
        assert re.search(rf"{re.escape(title)}</td>.*?{re.escape(amount)}</td>", page, re.S), (title, amount)
    assert "head drop" not in proc.stdout and "Forward lean" not in page


def test_the_profile_thresholds_use_the_same_words(private_home):
    texts = [t.text for t in thresholds(load_profile(ROOT / "calibration" / "sample_profile.json"))]
    firsts = {fault: [t for t in texts if t.startswith(f"warn at {fault_words.name(fault)}, ")]
              for fault in (FORWARD_LEAN, LATERAL_LEAN)}
    assert re.fullmatch(r"warn at head forward, about \d+°", firsts[FORWARD_LEAN][0])
    assert re.fullmatch(r"warn at leaning to one side, shoulders tilted about \d+°", firsts[LATERAL_LEAN][0])
    assert not any("%" in t and "°" in t for t in texts)  # one unit a sentence


def test_the_calibration_summary_tells_two_measures_of_one_fault_apart_and_explains_its_marks():
    profile = load_profile(ROOT / "calibration" / "sample_profile.json")
    lines = summary_text(profile, "sample")
    warns = [line.strip(" -") for line in lines if line.lstrip(" -").startswith("warn at")]
    head = [line for line in warns if line.startswith("warn at head forward, about")]
    assert len(head) >= 2        # the sample profile warns on two measures of a forward head
    shapes = [re.sub(r"\d+", "N", line.split("  [")[0]) for line in warns]
    assert len(set(shapes)) == len(shapes), warns          # no two lines read alike
    assert not any(re.search(r"  \[[a-z ]+\]$", line) for line in lines)   # no threshold of its own: no mark
    # the same person's neck angle twice as restless: that threshold widened by the person's own noise, and marked
    from dataclasses import replace
    neck = profile.baseline["neck_flexion_world_deg"]
    noisy = replace(profile, baseline={**profile.baseline, "neck_flexion_world_deg": replace(neck, spread=2 * neck.spread)})
    lines = summary_text(noisy, "sample")
    marks = {m for line in lines for m in re.findall(r"  \[([a-z ]+)\]$", line)}
    assert marks == {"your noise"}, lines
    for mark in marks:   # each mark is explained in words on a line of its own
        assert any(line.strip().startswith(f"[{mark}]: ") and len(line.split(": ", 1)[1]) > 20 for line in lines), lines


@pytest.mark.parametrize("start, length_s, shown", [
    ("06:20:40", 173, "from 06:21 to 06:24"),    # 2 min 53 s: three minutes on the clock, not two
    ("06:19:50", 173, "from 06:20 to 06:23"),
    ("06:20:10", 89, "from 06:20 to 06:21"),
    ("06:20:10", 25, "at 06:20"),
    ("23:59:20", 150, "from 23:59 to 00:02"),
])
def test_stretch_times_are_to_the_minute_and_match_the_duration(start, length_s, shown):
    tz = ZoneInfo("Europe/Berlin")
    t0 = datetime.strptime(f"2025-06-03 {start}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz).timestamp()
    text = clock_span(t0, t0 + length_s, tz)
    assert text == shown
    if text.startswith("from"):
        a, b = (datetime.strptime(x, "%H:%M") for x in re.findall(r"\d\d:\d\d", text))
        minutes = ((b - a).total_seconds() / 60) % (24 * 60)
        assert minutes == math.floor(length_s / 60 + 0.5)   # what the clock shows is the duration said next to it
    assert duration(length_s) in ("2 min 53 s", "1 min 29 s", "25 s", "2 min 30 s")


def test_run_terminal_lines_and_analyze_summary_use_the_same_fault_words(private_home):
    from posture_watch.monitor.terminal import posture_line

    for fault, deviations, said in CASES:
        line = posture_line(Reading(t_s=1.0, state="poor", score=40.0, faults=(fault,), deviations=deviations))
        assert f"({fault_words.name(fault)})" in line, line
    # analyze on a real clip with a held forward lean: its summary counts faults by the same names
    proc = run_cli("analyze", str(ROOT / "sample_videos" / "desk_session.mp4"), "--seconds", "120", "--profile",
                   str(ROOT / "calibration" / "sample_profile.json"))
    assert proc.returncode == 0, proc.stderr
    faults = next(line for line in proc.stdout.splitlines() if "faults" in line)
    names = re.findall(r"([a-z][a-z ]+?) \d+", faults.split(":", 1)[1])
    assert names and set(names) <= set(fault_words.FAULT_NAMES.values()), faults
    assert "_" not in faults
