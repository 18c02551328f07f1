"""Table and stream tests for the pure posture engine (posture_watch.core.engine).

Streams are built from (seconds, state[, faults[, deviations]]) segments; by default sampled
the way the monitor samples (1 Hz while good/unknown/away, 4 Hz while poor). Expected times
come from the spec ("warn when poor fills 75 % of a 180 s window" -> 135 s of poor), not from
the engine's code.
"""

from __future__ import annotations

import random
from typing import Iterable, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posture_watch.io.config import ConfigError, parse_config
from posture_watch.core.domain import (
    AWAY,
    EV_AWAY,
    EV_BACK,
    EV_BREAK,
    EV_BREAK_REMINDER,
    EV_ESCALATION,
    EV_PAUSED,
    EV_RESUMED,
    EV_SNOOZED,
    EV_WARNING,
    FORWARD_LEAN,
    GOOD,
    POOR,
    THORACIC_SLOUCH,
    UNKNOWN,
    Event,
    Reading,
)
from posture_watch.core.engine import EngineConfig, EngineState, initial_state, pause, resume, snooze, status, step

CFG = EngineConfig()
# Seconds of poor that fill the window enough to warn: 0.75 * 180 = 135.
FILL_S = CFG.alert_fill_ratio * CFG.alert_window_s
MONITOR_HZ = {GOOD: 1.0, POOR: 4.0, UNKNOWN: 1.0, AWAY: 1.0}
HEAD_FWD = {"head_forward_deg": 12.0}


def stream(segments: Iterable[Sequence], hz: float | None = None, start: float = 0.0) -> list[Reading]:
    """Readings for (seconds, state[, faults[, deviations]]) segments, one after the other."""
    readings: list[Reading] = []
    seg_start = start
    for seg in segments:
        seconds, state = seg[0], seg[1]
        faults = tuple(seg[2]) if len(seg) > 2 else ((FORWARD_LEAN,) if state == POOR else ())
        deviations = seg[3] if len(seg) > 3 else (HEAD_FWD if state == POOR else {})
        rate = hz or MONITOR_HZ[state]
        count = int(seconds * rate + 1e-9)  # never past the segment's end: time only moves forward
        for i in range(count):
            t = seg_start + (i + 1) / rate
            readings.append(Reading(t_s=t, state=state, score=None, faults=faults, deviations=deviations))
        seg_start += seconds
    return readings


def run(readings: Iterable[Reading], state: EngineState | None = None) -> tuple[EngineState, list[Event]]:
    state = state if state is not None else initial_state(CFG, now=0.0)
    events: list[Event] = []
    for reading in readings:
        state, new = step(state, reading, reading.t_s)
        events.extend(new)
    return state, events


def of(events: Iterable[Event], *kinds: str) -> list[Event]:
    return [e for e in events if e.kind in kinds]


def times(events: Iterable[Event], *kinds: str) -> list[float]:
    return [e.t_s for e in of(events, *kinds)]


# --- warnings --------------------------------------------------------------------------------


def test_long_stretch_warns_once_at_expected_time() -> None:
    _, events = run(stream([(60, GOOD), (240, POOR)]))
    warnings = of(events, EV_WARNING)
    assert len(warnings) == 1
    w = warnings[0]
    assert w.t_s == pytest.approx(60 + FILL_S, abs=0.25)  # +-1 sample at 4 Hz
    assert w.fault == FORWARD_LEAN
    assert w.level == 1
    assert w.duration_s == pytest.approx(FILL_S, abs=0.25)
    assert w.window_s == pytest.approx(CFG.alert_window_s)
    assert w.deviation == {"head_forward_deg": pytest.approx(12.0)}
    assert of(events, EV_ESCALATION, EV_BREAK_REMINDER, EV_AWAY, EV_BREAK) == []


def test_warning_reports_median_deviation_and_dominant_fault() -> None:
    # 100 s slouch at 9 deg, then 60 s forward lean at 12 deg and 40 s at 30 deg (a spike).
    segments = [
        (100, POOR, [THORACIC_SLOUCH], {"trunk_flexion_deg": 9.0}),
        (60, POOR, [FORWARD_LEAN], {"head_forward_deg": 12.0}),
        (40, POOR, [FORWARD_LEAN, THORACIC_SLOUCH], {"head_forward_deg": 30.0, "trunk_flexion_deg": 9.0}),
    ]
    _, events = run(stream(segments))
    w = of(events, EV_WARNING)[0]
    # At 135 s of poor: 100 s slouch + 35 s lean -> slouch dominates.
    assert w.fault == THORACIC_SLOUCH
    assert w.deviation["trunk_flexion_deg"] == pytest.approx(9.0)
    # With a longer lean, lean dominates and the median ignores the 30 deg spike.
    segments2 = [(20, GOOD), (90, POOR, [FORWARD_LEAN], {"head_forward_deg": 12.0}),
                 (45, POOR, [FORWARD_LEAN], {"head_forward_deg": 30.0})]
    _, events2 = run(stream(segments2))
    w2 = of(events2, EV_WARNING)[0]
    assert w2.fault == FORWARD_LEAN
    assert w2.deviation["head_forward_deg"] == pytest.approx(12.0)  # mean would be ~18


def test_glances_never_warn() -> None:
    # 18 s poor / 4 s good for an hour: poor fills 82 % of every window, but no stretch >= 20 s.
    _, events = run(stream([(18, POOR), (4, GOOD)] * 160))
    assert of(events, EV_WARNING, EV_ESCALATION) == []


def test_fidgets_below_fill_ratio_never_warn() -> None:
    # Long poor stretches but only 60 % of the time.
    _, events = run(stream([(60, POOR), (40, GOOD)] * 30))
    assert of(events, EV_WARNING, EV_ESCALATION) == []


def test_cooldown_between_warnings() -> None:
    # warn at 195; 60 s good ends the episode; poor again: the next warning waits for the cooldown.
    _, events = run(stream([(60, GOOD), (240, POOR), (60, GOOD), (1000, POOR)]))
    assert of(events, EV_ESCALATION) == []
    first, second = times(events, EV_WARNING)
    assert first == pytest.approx(60 + FILL_S, abs=0.25)
    assert second == pytest.approx(first + CFG.cooldown_s, abs=0.25)


def test_escalation_while_stretch_goes_on() -> None:
    _, events = run(stream([(60, GOOD), (900, POOR)]))
    alerts = of(events, EV_WARNING, EV_ESCALATION)
    assert [e.kind for e in alerts] == [EV_WARNING, EV_ESCALATION, EV_ESCALATION]
    assert [e.level for e in alerts] == [1, 2, 3]
    warn_t = alerts[0].t_s
    assert [e.t_s for e in alerts[1:]] == pytest.approx(
        [warn_t + CFG.escalate_after_s, warn_t + 2 * CFG.escalate_after_s], abs=0.25
    )
    # An escalation reports the whole stretch since the warning's window began.
    assert alerts[1].duration_s == pytest.approx(FILL_S + CFG.escalate_after_s, abs=0.5)
    assert alerts[1].window_s == pytest.approx(CFG.alert_window_s + CFG.escalate_after_s, abs=0.5)
    assert alerts[2].duration_s > alerts[1].duration_s


def test_brief_good_does_not_reset_the_stretch_but_a_longer_one_does() -> None:
    brief = stream([(60, GOOD), (240, POOR), (10, GOOD), (400, POOR)])
    _, events = run(brief)
    assert [e.kind for e in of(events, EV_WARNING, EV_ESCALATION)] == [EV_WARNING, EV_ESCALATION]
    longer = stream([(60, GOOD), (240, POOR), (40, GOOD), (400, POOR)])
    _, events = run(longer)
    # The episode ended; a new stretch is a new warning, which the cooldown holds back.
    assert [e.kind for e in of(events, EV_WARNING, EV_ESCALATION)] == [EV_WARNING]


def test_irregular_sampling_gives_the_same_warning_time() -> None:
    segments = [(60, GOOD), (300, POOR)]
    regular = times(run(stream(segments, hz=4.0))[1], EV_WARNING)
    monitor = times(run(stream(segments))[1], EV_WARNING)  # 1 Hz good, 4 Hz poor
    slow = times(run(stream(segments, hz=1.0))[1], EV_WARNING)
    rng = random.Random(7)
    t, jittered = 0.0, []
    while t < 360:
        t += rng.uniform(0.1, 1.5)
        jittered.append(Reading(t_s=t, state=GOOD if t <= 60 else POOR, score=None,
                                faults=() if t <= 60 else (FORWARD_LEAN,)))
    irregular = times(run(jittered)[1], EV_WARNING)
    assert len(regular) == len(monitor) == len(slow) == len(irregular) == 1
    assert monitor[0] == pytest.approx(regular[0], abs=0.25)
    assert slow[0] == pytest.approx(regular[0], abs=1.0)
    assert irregular[0] == pytest.approx(regular[0], abs=1.5)


# --- unknown ---------------------------------------------------------------------------------


def test_unknown_readings_neither_fill_nor_dilute_the_window() -> None:
    # 100 s poor, 10 min unknown, then poor: 35 more seconds of poor complete the 135 s.
    _, events = run(stream([(100, POOR), (600, UNKNOWN), (100, POOR)]))
    (warning,) = of(events, EV_WARNING)
    assert warning.t_s == pytest.approx(700 + (FILL_S - 100), abs=0.25)
    assert of(events, EV_AWAY, EV_BREAK) == []


def test_unknown_only_never_warns_but_counts_as_presence() -> None:
    state, events = run(stream([(2000, UNKNOWN)]))
    assert of(events, EV_WARNING, EV_AWAY) == []
    assert times(events, EV_BREAK_REMINDER) == pytest.approx([CFG.break_reminder_after_s], abs=1.0)
    assert status(state, 2000)["poor_share"] is None


# --- presence, breaks, reminders -------------------------------------------------------------


def test_away_becomes_a_break_and_resets_the_sitting_clock() -> None:
    state, events = run(stream([(1200, GOOD), (120, AWAY), (60, GOOD)]))
    assert [e.kind for e in events] == [EV_AWAY, EV_BACK, EV_BREAK]
    away, back, brk = events
    assert away.t_s == pytest.approx(1200 + CFG.away_after_s, abs=1.0)
    assert back.duration_s == pytest.approx(120, abs=1.0)
    assert brk.duration_s == pytest.approx(120, abs=1.0)
    assert status(state, 1380)["sitting_s"] == pytest.approx(60, abs=1.0)
    # The next reminder comes 30 min after the break, not 30 min after the start.
    _, later = run(stream([(1900, GOOD)], start=1380), state)
    assert times(later, EV_BREAK_REMINDER) == pytest.approx([1320 + CFG.break_reminder_after_s], abs=1.0)


def test_short_absence_is_away_and_back_but_no_break() -> None:
    state, events = run(stream([(600, GOOD), (30, AWAY), (60, GOOD)]))
    assert [e.kind for e in events] == [EV_AWAY, EV_BACK]
    assert status(state, 690)["sitting_s"] == pytest.approx(660, abs=1.0)


def test_missed_detection_is_not_away() -> None:
    _, events = run(stream([(600, GOOD), (3, AWAY), (60, GOOD)]))
    assert events == []


def test_break_resets_the_poor_window_but_a_short_absence_does_not() -> None:
    _, short = run(stream([(100, POOR), (30, AWAY), (100, POOR)]))
    assert times(short, EV_WARNING) == pytest.approx([130 + (FILL_S - 100)], abs=0.25)
    _, long = run(stream([(100, POOR), (90, AWAY), (200, POOR)]))
    assert times(long, EV_WARNING) == pytest.approx([190 + FILL_S], abs=0.25)


def test_break_reminder_after_continuous_presence_and_repeats() -> None:
    _, events = run(stream([(CFG.break_reminder_after_s + 2 * CFG.break_reminder_repeat_s + 30, GOOD)]))
    reminders = of(events, EV_BREAK_REMINDER)
    expected = [CFG.break_reminder_after_s + k * CFG.break_reminder_repeat_s for k in range(3)]
    assert [e.t_s for e in reminders] == pytest.approx(expected, abs=1.0)
    assert [e.duration_s for e in reminders] == pytest.approx(expected, abs=1.0)


def test_absent_at_start_makes_no_away_or_break() -> None:
    _, events = run(stream([(300, AWAY), (60, GOOD)]))
    assert events == []


# --- gaps and clock changes ------------------------------------------------------------------


def test_clock_jump_creates_no_stretch_sitting_or_break() -> None:
    before = stream([(60, GOOD), (100, POOR)])
    after = stream([(100, POOR), (60, POOR)], start=160 + 7200)
    state, events = run(before + after)
    assert of(events, EV_AWAY, EV_BACK, EV_BREAK, EV_BREAK_REMINDER) == []
    # The 100 s of poor before the jump are stale: the warning needs 135 s after it.
    assert times(events, EV_WARNING) == pytest.approx([160 + 7200 + FILL_S], abs=0.25)
    assert status(state, 160 + 7200 + 160)["sitting_s"] == pytest.approx(320, abs=1.0)


def test_gap_counts_as_a_break_when_the_caller_says_so() -> None:
    state, _ = run(stream([(600, GOOD)]))
    state, events = step(state, Reading(t_s=600 + 3600, state=GOOD, score=None), 600 + 3600,
                         away_during_gap=True)
    assert [e.kind for e in events] == [EV_AWAY, EV_BACK, EV_BREAK]
    assert events[2].duration_s == pytest.approx(3600)
    assert status(state, 4200)["sitting_s"] == pytest.approx(0.0)


def test_clock_going_back_is_reanchored() -> None:
    state, events = run(stream([(60, GOOD), (240, POOR)]))
    (warning,) = of(events, EV_WARNING)
    # At t=300 the clock is set back by an hour; the user keeps slouching.
    back_by = 3600
    state, later = run(stream([(500, POOR)], start=300 - back_by), state)
    assert of(later, EV_BREAK, EV_AWAY, EV_WARNING) == []
    assert all(e.duration_s is None or e.duration_s >= 0 for e in later)
    # The stretch goes on: the escalation keeps its cadence on the new clock.
    assert times(later, EV_ESCALATION) == pytest.approx(
        [warning.t_s - back_by + k * CFG.escalate_after_s for k in (1, 2)], abs=0.5
    )
    assert status(state, 800 - back_by)["sitting_s"] == pytest.approx(60 + 240 + 500, abs=1.0)


def test_snooze_deadline_moves_with_a_clock_set_back() -> None:
    state, _ = run(stream([(60, GOOD)]))
    state, _ = snooze(state, 60, minutes=10)
    state, _ = step(state, Reading(t_s=60 - 1000, state=GOOD, score=None), 60 - 1000)
    assert status(state, 60 - 1000 + 599)["snoozed"] is True
    assert status(state, 60 - 1000 + 601)["snoozed"] is False


def test_stalled_reading_stands_for_at_most_max_sample_s() -> None:
    state, _ = run(stream([(10, GOOD)]))
    state, _ = step(state, Reading(t_s=10 + 25, state=GOOD, score=None), 10 + 25)
    assert status(state, 35)["sitting_s"] == pytest.approx(10 + CFG.max_sample_s)


# --- controls --------------------------------------------------------------------------------


def test_snooze_suppresses_without_queueing() -> None:
    state, _ = run(stream([(60, GOOD), (40, POOR)]))
    state, ev = snooze(state, 100, minutes=5)
    assert [e.kind for e in ev] == [EV_SNOOZED] and ev[0].duration_s == 300
    # Poor all through the snooze (until t=400), then poor a bit longer: warned once, at the end.
    state, events = run(stream([(300, POOR), (60, POOR)], start=100), state)
    assert times(events, EV_WARNING) == pytest.approx([400], abs=0.25)
    # A stretch that ends inside a snooze is not told afterwards.
    state2, _ = run(stream([(60, GOOD), (40, POOR)]))
    state2, _ = snooze(state2, 100, minutes=5)
    state2, events2 = run(stream([(200, POOR), (200, GOOD)], start=100), state2)
    assert of(events2, EV_WARNING, EV_ESCALATION) == []
    assert status(state2, 300)["snoozed"] is False


def test_snooze_still_tracks_presence() -> None:
    state, _ = run(stream([(600, GOOD)]))
    state, _ = snooze(state, 600, minutes=30)
    state, events = run(stream([(120, AWAY), (10, GOOD)], start=600), state)
    assert [e.kind for e in events] == [EV_AWAY, EV_BACK, EV_BREAK]


def test_pause_ignores_readings_and_resume_starts_fresh() -> None:
    state, _ = run(stream([(60, GOOD), (100, POOR)]))
    state, ev = pause(state, 160)
    assert [e.kind for e in ev] == [EV_PAUSED]
    state, events = run(stream([(600, POOR), (200, AWAY)], start=160), state)
    assert events == []
    assert status(state, 960)["paused"] is True
    assert status(state, 960)["sitting_s"] == pytest.approx(160, abs=1.0)
    state, ev = resume(state, 960)
    assert [e.kind for e in ev] == [EV_RESUMED]
    state, events = run(stream([(200, POOR)], start=960), state)
    # No clock ran while paused and the old poor time is stale: 135 s of new poor needed.
    assert times(events, EV_WARNING) == pytest.approx([960 + FILL_S], abs=0.25)
    assert of(events, EV_AWAY, EV_BACK, EV_BREAK) == []


def test_timed_pause_ends_by_itself() -> None:
    state, _ = run(stream([(60, GOOD)]))
    state, _ = pause(state, 60, until=120)
    assert status(state, 100)["paused_until"] == 120
    state, events = run(stream([(120, GOOD)], start=60), state)
    assert [e.kind for e in events] == [EV_RESUMED]
    assert events[0].t_s == 120
    assert status(state, 180)["paused"] is False
    assert status(state, 180)["sitting_s"] == pytest.approx(120, abs=1.0)


def test_resume_without_pause_or_snooze_says_nothing() -> None:
    state = initial_state(CFG, now=0.0)
    assert resume(state, 10)[1] == ()
    state, _ = snooze(state, 10, minutes=1)
    state, ev = resume(state, 20)
    assert [e.kind for e in ev] == [EV_RESUMED]
    assert status(state, 20)["snoozed"] is False


@pytest.mark.parametrize(
    "call",
    [
        lambda s: snooze(s, 0, minutes=0),
        lambda s: snooze(s, 0, minutes=-5),
        lambda s: snooze(s, 0, minutes="soon"),
        lambda s: pause(s, 100, until=50),
        lambda s: step(s, Reading(t_s=1, state="sleepy", score=None), 1),
        lambda s: step(s, Reading(t_s=1, state=GOOD, score=None), float("nan")),
    ],
)
def test_bad_control_input_is_a_value_error(call) -> None:
    with pytest.raises(ValueError):
        call(initial_state(CFG, now=0.0))


# --- status and config -----------------------------------------------------------------------


def test_status_summary() -> None:
    state, _ = run(stream([(60, GOOD), (100, POOR)]))
    s = status(state, 160)
    assert s["presence"] == "present"
    assert s["posture"] == POOR
    assert s["current_stretch_s"] == pytest.approx(100, abs=0.3)
    assert s["window_s"] == pytest.approx(160, abs=0.5)
    assert s["poor_share"] == pytest.approx(100 / 160, abs=0.01)
    assert s["sitting_s"] == pytest.approx(160, abs=0.5)
    assert s["last_warning_t"] is None and s["alert_level"] == 0
    assert status(initial_state(CFG), 0)["presence"] == "unknown"
    away_state, _ = run(stream([(60, GOOD), (20, AWAY)]))
    assert status(away_state, 80)["presence"] == "away"
    assert status(away_state, 80)["away_s"] == pytest.approx(20, abs=1.0)


@pytest.mark.parametrize(
    "overrides",
    [
        {"alert_fill_ratio": 1.5},
        {"cooldown_s": -1.0},
        {"away_after_s": 120.0},  # longer than break_min_away_s
        {"min_poor_stretch_s": 600.0},  # longer than the window
        {"max_gap_s": float("inf")},
    ],
)
def test_config_rejects_nonsense(overrides) -> None:
    with pytest.raises(ValueError):
        EngineConfig(**overrides)


def test_config_file_engine_table() -> None:
    cfg = parse_config({"engine": {"cooldown_s": 600, "alert_window_s": 240}}).section("engine")
    assert isinstance(cfg, EngineConfig) and cfg.cooldown_s == 600.0 and cfg.alert_window_s == 240.0
    with pytest.raises(ConfigError):
        parse_config({"engine": {"alert_fill_ratio": 2.0}}).section("engine")


def test_custom_config_changes_timing() -> None:
    cfg = EngineConfig(alert_window_s=60, alert_fill_ratio=0.5, min_poor_stretch_s=10)
    state = initial_state(cfg, now=0.0)
    _, events = run(stream([(10, GOOD), (60, POOR)]), state)
    assert times(events, EV_WARNING) == pytest.approx([10 + 30], abs=0.25)


# --- bounded memory --------------------------------------------------------------------------


def _size(state: EngineState) -> int:
    return len(state.posture.window.segments)


def test_state_stays_bounded_over_an_8_hour_day_at_4_hz() -> None:
    rng = random.Random(3)
    segments = []
    total = 0.0
    while total < 8 * 3600:
        kind = rng.choice([GOOD, POOR, POOR, UNKNOWN, AWAY])
        seconds = rng.choice([5, 20, 60, 300])
        faults = rng.sample([FORWARD_LEAN, THORACIC_SLOUCH], k=rng.randint(1, 2))
        segments.append((seconds, kind, faults, {"head_forward_deg": rng.uniform(0, 20)}))
        total += seconds
    state = initial_state(CFG, now=0.0)
    biggest = 0
    for reading in stream(segments, hz=4.0):
        state, _ = step(state, reading, reading.t_s)
        biggest = max(biggest, _size(state))
    bound = CFG.alert_window_s / CFG.window_resolution_s
    assert biggest <= 2 * bound + 2
    assert len(repr(state)) < 100_000


# --- properties ------------------------------------------------------------------------------

segment_st = st.tuples(
    st.floats(min_value=1, max_value=400),
    st.sampled_from([GOOD, POOR, POOR, UNKNOWN, AWAY]),
    st.sampled_from([[FORWARD_LEAN], [THORACIC_SLOUCH], [FORWARD_LEAN, THORACIC_SLOUCH]]),
    st.fixed_dictionaries({"head_forward_deg": st.floats(min_value=0, max_value=40)}),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(segment_st, min_size=1, max_size=40), st.sampled_from([None, 1.0, 2.0, 4.0]))
def test_alerts_respect_cooldown_fill_and_stretch(segments, hz) -> None:
    _, events = run(stream(segments, hz=hz))
    warnings = times(events, EV_WARNING)
    assert all(b - a >= CFG.cooldown_s - 1e-6 for a, b in zip(warnings, warnings[1:]))
    alerts = times(events, EV_WARNING, EV_ESCALATION)
    assert all(b - a >= CFG.escalate_after_s - 1e-6 for a, b in zip(alerts, alerts[1:]))
    for w in of(events, EV_WARNING):
        assert w.duration_s >= FILL_S - 1e-6
        assert w.duration_s <= w.window_s + 1e-6 <= CFG.alert_window_s + 2e-6


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.5, max_value=CFG.min_poor_stretch_s - 1.0),  # a glance
            st.floats(min_value=CFG.good_blip_s + 0.5, max_value=30.0),  # looking back up
        ),
        min_size=1,
        max_size=200,
    ),
    st.sampled_from([None, 2.0, 4.0]),
)
def test_no_warning_without_a_long_enough_poor_stretch(glances, hz) -> None:
    segments = [seg for poor_s, good_s in glances for seg in ((poor_s, POOR), (good_s, GOOD))]
    _, events = run(stream(segments, hz=hz))
    assert of(events, EV_WARNING, EV_ESCALATION) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(segment_st, min_size=1, max_size=20))
def test_paused_engine_emits_nothing_and_keeps_its_state(segments) -> None:
    state, _ = run(stream([(30, GOOD)]))
    state, _ = pause(state, 30)
    paused_state, events = run(stream(segments, start=30), state)
    assert events == []
    assert paused_state == state


def test_unseen_time_makes_no_stretch_no_sitting_and_no_break() -> None:
    """Screen locked or asleep (engine.unseen): 15 s of poor before and 10 s after a 20 s lock are two
    runs, neither long enough to warn; the lock is neither sitting nor a break."""
    from posture_watch.core.engine import unseen

    state, events = run(stream([(60, GOOD), (15, POOR)]))
    sitting, run_s = state.presence.sitting_s, state.posture.poor_run_s
    assert run_s == pytest.approx(15, abs=0.5)
    state = unseen(state)
    assert state.last_t is None and state.posture.poor_run_s == 0 and state.presence.sitting_s == sitting
    state, after = run(stream([(10, POOR)], start=95.0), state)     # 20 s later, after the unlock
    assert state.posture.poor_run_s == pytest.approx(10, abs=0.5)   # a new run: not 15 + 20 + 10
    assert state.presence.sitting_s == pytest.approx(sitting + 10, abs=0.5)
    assert not of(events + after, EV_WARNING, EV_BREAK, EV_AWAY)
    # the same readings without the lock in between would have been one run long enough to warn
    whole, events = run(stream([(60, GOOD), (15, POOR), (10, POOR)]))
    assert whole.posture.poor_run_s > CFG.min_poor_stretch_s
