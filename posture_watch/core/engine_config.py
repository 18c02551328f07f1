"""EngineConfig: the engine's thresholds, with units in the names and the reason for each default.

The `[engine]` table of config.toml overrides these (see posture_watch.io.config); a bad value
raises ValueError with one sentence, which the config loader turns into a ConfigError.
Quiet hours are not here: the notifier decides delivery, the engine only says what happened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class EngineConfig:
    """Thresholds of the posture engine (all times in seconds of the caller's clock).

    Posture warnings
    alert_window_s = 180, alert_fill_ratio = 0.75
        Warn when poor posture fills >= 75 % of the last 3 min of observed posture. A static
        posture held for more than 1 min is the ergonomic red flag in RULA; 3 min at 75 % keeps
        brief glances and fidgets out while still catching a real slump within a few minutes.
        The window counts *observed* time (good + poor readings); away, "unknown" and gaps
        do not move it.
    min_poor_stretch_s = 20
        The current poor run must be at least this long: glances shorter than ~20 s (reading
        the phone, reaching for a cup) never warn, whatever the window says.
    good_blip_s = 2
        Good posture shorter than this inside a poor run does not end the run (a single
        judge flicker must not restart the 20 s count).
    stretch_reset_good_s = 30
        Good posture for this long ends a warned episode: the next poor stretch is a new one
        (a new warning, after the cooldown) rather than an escalation.
    cooldown_s = 900
        At least 15 min between the last warning/escalation and a new warning: a reminder
        every few minutes is nagging, and people disable nagging tools.
    escalate_after_s = 300
        While a warned stretch goes on, an escalation (level 2, 3, ...) every 5 min.

    Presence and breaks
    away_after_s = 5
        Absent this long before we say "away": one missed detection, or leaning out of frame
        for a moment, is not leaving the desk.
    break_min_away_s = 60
        Away for at least a minute counts as a break: long enough to stand up, stretch or walk
        a few steps, which is what relieves static load; shorter absences are mostly reaching
        out of frame. A break resets the sitting clock and the posture window.
    break_reminder_after_s = 1800, break_reminder_repeat_s = 600
        Remind after 30 min of continuous presence (microbreaks every 20-30 min reduced
        discomfort in McLean et al. 2001, Applied Ergonomics 32:225), then every 10 min while
        the user keeps sitting.

    Breaks brought forward by fatigue (posture_watch.core.engine_fatigue)
    fatigue_window_s = 3600, fatigue_rise_pts = 15
        Bring the next break forward when the poor share over the last hour (since the last break)
        is at least 15 percentage points above your own poor share earlier that day: posture
        worsens as people tire, and a break then helps more than one on the clock.
    fatigue_min_judged_s = 1200
        The last hour and the earlier part of the day each need 20 min of judged posture first.
    fatigue_min_gap_s = 900
        Never sooner than 15 min after the last break or the last break reminder.
    fatigue_day_reset_s = 10800
        Away (or unseen) this long starts a new day's level: a night, not a lunch.

    Time accounting
    max_sample_s = 10
        One reading stands for at most 10 s before it (twice the slowest polling the monitor
        uses while the user is away); a stalled pipeline cannot stretch one reading over minutes.
    max_gap_s = 30
        A jump of more than 30 s between readings (suspend/resume, clock change, camera gap)
        counts as nothing: not sitting, not poor, not a break, and the posture evidence before
        it is dropped as stale.
    window_resolution_s = 1
        Poor time in the window is kept as segments of at most 1 s, which bounds memory
        (about alert_window_s / window_resolution_s segments) whatever the sample rate.
    """

    alert_window_s: float = 180.0
    alert_fill_ratio: float = 0.75
    min_poor_stretch_s: float = 20.0
    good_blip_s: float = 2.0
    stretch_reset_good_s: float = 30.0
    cooldown_s: float = 900.0
    escalate_after_s: float = 300.0
    away_after_s: float = 5.0
    break_min_away_s: float = 60.0
    break_reminder_after_s: float = 1800.0
    break_reminder_repeat_s: float = 600.0
    fatigue_window_s: float = 3600.0
    fatigue_rise_pts: float = 15.0
    fatigue_min_judged_s: float = 1200.0
    fatigue_min_gap_s: float = 900.0
    fatigue_day_reset_s: float = 10800.0
    max_sample_s: float = 10.0
    max_gap_s: float = 30.0
    window_resolution_s: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"engine.{f.name} must be a finite number, not {value!r}.")
            if f.name != "alert_fill_ratio" and value <= 0:
                raise ValueError(f"engine.{f.name} must be more than 0 s, not {value!r}.")
        if not 0 < self.alert_fill_ratio <= 1:
            raise ValueError(f"engine.alert_fill_ratio must be in (0, 1], not {self.alert_fill_ratio!r}.")
        if self.min_poor_stretch_s > self.alert_window_s:
            raise ValueError("engine.min_poor_stretch_s must not be longer than engine.alert_window_s.")
        if self.away_after_s > self.break_min_away_s:
            raise ValueError("engine.away_after_s must not be longer than engine.break_min_away_s.")
        if self.max_sample_s > self.max_gap_s:
            raise ValueError("engine.max_sample_s must not be longer than engine.max_gap_s.")
        if self.fatigue_rise_pts > 100:
            raise ValueError("engine.fatigue_rise_pts is in percentage points: at most 100.")
        if self.window_resolution_s > self.alert_window_s:
            raise ValueError("engine.window_resolution_s must not be longer than engine.alert_window_s.")
