"""What the user reads: events -> notification text, tables of cases."""

from __future__ import annotations

import datetime as dt

import pytest

from posture_watch.io.config import ConfigError, parse_config
from posture_watch.core.domain import (EV_BACK, EV_BREAK, EV_BREAK_REMINDER, EV_CAMERA_COVERED, EV_CAMERA_LOST, EV_ESCALATION,
                                       EV_RESUMED, EV_WARNING, FORWARD_LEAN, LATERAL_LEAN, SLUMPED, THORACIC_SLOUCH, Event)
from posture_watch.core import fault_words
from posture_watch.core.messages import describe, line, minutes_text, share_text
from posture_watch.core.report_words import duration
from posture_watch.io.notify import NotifyConfig, in_quiet_hours


@pytest.mark.parametrize("poor_s, window_s, text", [
    (240, 300, "for 4 of the last 5 minutes"),
    (135, 180, "for 2 of the last 3 minutes"),
    (175, 180, "for most of the last 3 minutes"),
    (180, 180, "for 3 of the last 3 minutes"),
    (75, 180, "for 1 min 15 s of the last 3 minutes"),
    (40, 60, "for 40 of the last 60 seconds"),
    (120, None, "for 2 min"),
])
def test_share_text(poor_s, window_s, text) -> None:
    assert share_text(poor_s, window_s) == text


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (1, "1 s"), (42, "42 s"), (60, "1 min"), (87, "1 min 27 s"),
    (3000, "50 min"), (3600, "1 h 00 min"), (3900, "1 h 05 min"), (7260, "2 h 01 min"),
])
def test_minutes_text(seconds, text) -> None:
    assert minutes_text(seconds) == text


@pytest.mark.parametrize("seconds", [0, 7, 59, 60, 87, 125, 599, 600, 3599, 3600, 3900, 86_000])
def test_a_duration_reads_the_same_in_the_terminal_and_in_the_report(seconds) -> None:
    """'Back at the desk after 1 min 27 s' where the report says '1 min 27 s' (not 'after 85 seconds')."""
    said = duration(seconds)
    assert line(Event(kind=EV_BACK, t_s=0, duration_s=seconds)) == f"Back at the desk after {said}."
    assert line(Event(kind=EV_BREAK, t_s=0, duration_s=seconds)) == f"Break: away from the desk for {said}."


@pytest.mark.parametrize("detail, text", [("resumed", "Resumed."), (None, "Resumed."),
                                          ("pause ended", "Resumed (pause ended)."),
                                          ("snooze ended", "Resumed (snooze ended).")])
def test_resumed_does_not_repeat_itself(detail, text) -> None:
    assert line(Event(kind=EV_RESUMED, t_s=0, detail=detail)) == text


@pytest.mark.parametrize("reason, start", [("stopped", "posture-watch: stopped after 1 min 27 s and 12 samples"),
                                           ("end of source", "posture-watch: stopped (the recording ended) after")])
def test_the_stop_line_says_why_once_and_the_length_as_the_report_does(reason, start) -> None:
    from posture_watch.monitor.terminal import stop_line

    text = stop_line(reason, 12, 87.0)
    assert text.startswith(start) and "(stopped)" not in text and text.count("stopped") == 1, text


@pytest.mark.parametrize("fault, title, start", [
    (FORWARD_LEAN, "Posture: head forward", "Head forward for 4 of the last 5 minutes"),
    (THORACIC_SLOUCH, "Posture: slouching", "Slouching for 4 of the last 5 minutes"),
    (LATERAL_LEAN, "Posture: leaning to one side", "Leaning to one side for 4 of the last 5 minutes"),
    (None, "Posture: poor posture", "Poor posture for 4 of the last 5 minutes"),
])
def test_warning_names_fault_and_duration_with_a_tip(fault, title, start) -> None:
    message = describe(Event(kind=EV_WARNING, t_s=0, fault=fault, duration_s=240, window_s=300))
    assert message.title == title
    assert message.body.startswith(start + ". Tip: ")
    assert message.body.count(".") >= 2 and len(message.body) < 160


@pytest.mark.parametrize("fault, deviation, said", [
    (FORWARD_LEAN, {"head_forward_deg": 12.4, "head_drop_pct": 30.0, "mystery": 99.0}, "Head forward, about 12°, "),
    (FORWARD_LEAN, {"head_drop_pct": 30.2}, "Head forward, about "),   # said in degrees, as everywhere
    (FORWARD_LEAN, {"head_forward_deg": 0.4}, "Head forward "),
    (FORWARD_LEAN, {"head_forward_deg": -5.0}, "Head forward "),
    (THORACIC_SLOUCH, {"head_forward_deg": 9.0, "back_rounding_pct": 8.0}, "Slouching, back rounded, the trunk 8 % shorter, "),
    (SLUMPED, {"shoulder_drop_pct": 16.0}, "Slumped in the chair, shoulders sunk by 16 % of their width, "),
    (LATERAL_LEAN, {"shoulder_tilt_deg": -8.2}, "Leaning to one side, shoulders tilted about 8°, "),
])
def test_warning_mentions_the_size_of_its_fault(fault, deviation, said) -> None:
    message = describe(Event(kind=EV_WARNING, t_s=0, fault=fault, duration_s=150, window_s=180, deviation=deviation))
    head = message.body.split(" Tip: ")[0]
    assert head.startswith(said) and head.endswith("for 2 of the last 3 minutes."), head
    assert head.startswith(fault_words.phrase(fault, deviation, capital=True))


def test_escalation_wording() -> None:
    ev2 = Event(kind=EV_ESCALATION, t_s=0, fault=THORACIC_SLOUCH, duration_s=480, window_s=540, level=2)
    ev3 = Event(kind=EV_ESCALATION, t_s=0, fault=THORACIC_SLOUCH, duration_s=780, window_s=840, level=3)
    assert describe(ev2).title == "Still slouching"
    assert describe(ev2).body.startswith("Still slouching for 8 of the last 9 minutes.")
    assert (describe(ev2).urgency, describe(ev3).urgency) == ("normal", "critical")
    same = describe(ev3, escalation_wording="same")
    assert same.title == "Posture: slouching" and same.urgency == "normal"


def test_break_reminder() -> None:
    message = describe(Event(kind=EV_BREAK_REMINDER, t_s=0, duration_s=3000))
    assert message.title == "Time for a break"
    assert message.body == "You have been sitting for 50 min — stand up for 2 min."
    assert describe(Event(kind=EV_BREAK_REMINDER, t_s=0, duration_s=1800), stand_up_min=1).body.endswith(
        "stand up for 1 min.")


@pytest.mark.parametrize("event, text", [
    (Event(kind=EV_BREAK, t_s=0, duration_s=360), "Break: away from the desk for 6 min."),
    (Event(kind=EV_CAMERA_COVERED, t_s=0), "Camera covered (the picture is black); not monitoring until it is uncovered."),
    (Event(kind=EV_CAMERA_LOST, t_s=0, detail="The camera 0 stopped delivering frames."),
     "Camera lost: The camera 0 stopped delivering frames."),
])
def test_lines_for_events_that_are_not_notified(event, text) -> None:
    assert describe(event) is None
    assert line(event) == text


def test_every_notified_event_has_a_labelled_line() -> None:
    assert line(Event(kind=EV_WARNING, t_s=0, fault=FORWARD_LEAN, duration_s=240, window_s=300)).startswith(
        "Warning: Head forward for 4 of the last 5 minutes")


T = dt.time


@pytest.mark.parametrize("now, start, end, quiet", [
    (T(12, 0), None, None, False),
    (T(23, 0), T(22, 0), T(7, 0), True),
    (T(6, 59), T(22, 0), T(7, 0), True),
    (T(7, 0), T(22, 0), T(7, 0), False),
    (T(12, 0), T(22, 0), T(7, 0), False),
    (T(12, 30), T(12, 0), T(13, 0), True),
    (T(13, 0), T(12, 0), T(13, 0), False),
    (T(12, 0), T(12, 0), T(12, 0), False),
])
def test_quiet_hours(now, start, end, quiet) -> None:
    assert in_quiet_hours(now, start, end) is quiet


def test_notify_section_of_the_config_file() -> None:
    cfg = parse_config({"notify": {"quiet_hours_start": "22:00", "quiet_hours_end": "07:30", "sound": True}})
    notify = cfg.section("notify")
    assert isinstance(notify, NotifyConfig)
    assert notify.quiet_hours == (T(22, 0), T(7, 30)) and notify.sound
    for bad in ({"quiet_hours_start": "late"}, {"quiet_hours_start": "22:00"}, {"escalation_wording": "shouty"},
                {"sound": "yes"}):
        with pytest.raises(ConfigError):
            parse_config({"notify": bad}).section("notify")
