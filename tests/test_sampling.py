"""The adaptive sampling policy, as a table: what was seen -> seconds until the next analysed frame."""

from __future__ import annotations

import numpy as np
import pytest

from posture_watch.io.config import SamplingConfig
from posture_watch.core.sampling import (Pacing, SamplingInput, after_reading, gate_holds, model_needed, next_interval_s,
                                         next_rate, picture_change, polling, start_pacing)

CFG = SamplingConfig()  # slow 1 Hz, fast 2 Hz, away poll 5 s after 120 s away, fast 10 s after a change,
                        # settled (good for 60 s) every 10 s
SLOW, FAST, POLL, SETTLED = 1.0, 0.5, 5.0, 10.0


@pytest.mark.parametrize("seen, interval", [
    (SamplingInput(state=None, since_change_s=0.0), FAST),                        # nothing judged yet
    (SamplingInput(state="good", since_change_s=30.0), SLOW),                     # steady good
    (SamplingInput(state="good", since_change_s=60.0), SETTLED),                  # good for a minute
    (SamplingInput(state="good", since_change_s=3600.0), SETTLED),
    (SamplingInput(state="good", since_change_s=3.0), FAST),                      # just became good
    (SamplingInput(state="poor", since_change_s=3.0), FAST),                      # a poor stretch begins: fast
    (SamplingInput(state="poor", since_change_s=300.0), SLOW),                    # held: its end to within 1 s
    (SamplingInput(state="unknown", since_change_s=60.0), SLOW),                  # head turned: not settled
    (SamplingInput(state="away", since_change_s=1.0, away_s=1.0), SLOW),          # just left: not fast
    (SamplingInput(state="away", since_change_s=119.0, away_s=119.0), SLOW),
    (SamplingInput(state="away", since_change_s=121.0, away_s=121.0), POLL),      # away for long: poll
    (SamplingInput(state=None, since_change_s=0.0, covered=True), POLL),          # lens covered: poll
])
def test_next_interval(seen: SamplingInput, interval: float) -> None:
    assert next_interval_s(CFG, seen) == pytest.approx(interval)


def test_rates_come_from_the_config() -> None:
    cfg = SamplingConfig(slow_hz=0.5, fast_hz=8.0, away_poll_s=30.0)
    assert next_interval_s(cfg, SamplingInput(state="good", since_change_s=30.0)) == pytest.approx(2.0)
    assert next_interval_s(cfg, SamplingInput(state="poor", since_change_s=5.0)) == pytest.approx(0.125)
    held = SamplingConfig(poor_held_hz=4.0)   # the rate of a held poor stretch is a setting of its own
    assert next_interval_s(held, SamplingInput(state="poor", since_change_s=60.0)) == pytest.approx(0.25)
    assert next_interval_s(cfg, SamplingInput(state="away", since_change_s=600.0, away_s=600.0)) == 30.0
    assert next_rate(cfg, SamplingInput(state="poor", since_change_s=5.0))[1] == "fast"
    assert next_rate(cfg, SamplingInput(state="away", since_change_s=600.0, away_s=600.0))[1] == "poll"
    # the defaults: the away poll (5 s) is shorter than the settled interval (10 s) and still called a poll
    assert next_rate(CFG, SamplingInput(state="away", since_change_s=600.0, away_s=600.0)) == (POLL, "poll")
    assert next_rate(CFG, SamplingInput(state="good", since_change_s=600.0)) == (SETTLED, "settled")


def test_a_rate_is_named_by_the_rule_that_chose_it_not_by_its_interval() -> None:
    """Set slow and fast alike: a steady good posture is still "slow", and the change gate works there."""
    alike = SamplingConfig(slow_hz=2.0, fast_hz=2.0)
    assert next_rate(alike, SamplingInput(state="good", since_change_s=30.0)) == (0.5, "slow")
    assert next_rate(alike, SamplingInput(state="good", since_change_s=3.0)) == (0.5, "fast")
    thumb = np.zeros((24, 32), np.float32)
    pacing = start_pacing(alike)
    assert pacing.rate == "fast" and not gate_holds(alike, pacing, thumb, 0.0)  # the start: always the model
    pacing = Pacing(gate_t=29.0, gate_thumb=thumb, changed_t=0.0, last_state="good")  # good since 0 s
    pacing = after_reading(alike, pacing, 30.0, "good")
    assert pacing.rate == "slow" and pacing.interval_s == 0.5 and gate_holds(alike, pacing, thumb, 30.5)


def test_a_covered_lens_is_polled_and_said_to_be() -> None:
    pacing = polling(CFG, start_pacing(CFG), 12.0)
    assert (pacing.next_t, pacing.interval_s, pacing.rate) == (12.0 + POLL, POLL, "poll")


def test_settled_rate_comes_from_the_config_and_is_never_faster_than_slow() -> None:
    cfg = SamplingConfig(settled_after_s=600.0, settled_hz=0.1)
    assert next_interval_s(cfg, SamplingInput(state="good", since_change_s=599.0)) == pytest.approx(1.0)
    assert next_interval_s(cfg, SamplingInput(state="good", since_change_s=600.0)) == pytest.approx(10.0)
    assert next_rate(cfg, SamplingInput(state="good", since_change_s=600.0))[1] == "settled"
    eager = SamplingConfig(slow_hz=0.25, settled_hz=2.0)
    assert next_interval_s(eager, SamplingInput(state="good", since_change_s=3600.0)) == pytest.approx(4.0)


@pytest.mark.parametrize("change, since_model_s, needed", [
    (None, 0.0, True),                                   # nothing judged to compare with
    (0.0, 1.0, False),                                   # the same picture: reuse the reading
    (CFG.unchanged_below_grey * 0.99, 14.0, False),      # hardly changed, and recent
    (CFG.unchanged_below_grey, 1.0, True),               # changed enough: judge it
    (0.0, CFG.unchanged_max_s, True),                    # unchanged, but the model has not run for too long
])
def test_the_gate_runs_the_model_on_a_changed_picture_or_after_the_maximum_interval(change, since_model_s, needed):
    assert model_needed(CFG, change, since_model_s) is needed


def test_picture_change_is_the_mean_absolute_difference_in_grey_levels() -> None:
    a = np.zeros((24, 32), np.float32)
    b = a.copy()
    b[:12] = 10.0                                        # half the thumbnail 10 grey levels brighter
    assert picture_change(b, a) == pytest.approx(5.0) == picture_change(a, b)
