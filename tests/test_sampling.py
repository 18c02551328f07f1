"""The adaptive sampling policy, as a table: what was seen -> seconds until the next analysed frame."""

from __future__ import annotations

import pytest

from posture_watch.config import SamplingConfig
from posture_watch.sampling import SamplingInput, next_interval_s, rate_label

CFG = SamplingConfig()  # slow 1 Hz, fast 4 Hz, away poll 5 s after 120 s away, fast 10 s after a change,
                        # settled (good for 60 s) every 3 s
SLOW, FAST, POLL, SETTLED = 1.0, 0.25, 5.0, 1 / 0.33


@pytest.mark.parametrize("seen, interval", [
    (SamplingInput(state=None, since_change_s=0.0), FAST),                        # nothing judged yet
    (SamplingInput(state="good", since_change_s=30.0), SLOW),                     # steady good
    (SamplingInput(state="good", since_change_s=60.0), SETTLED),                  # good for a minute
    (SamplingInput(state="good", since_change_s=3600.0), SETTLED),
    (SamplingInput(state="good", since_change_s=3.0), FAST),                      # just became good
    (SamplingInput(state="poor", since_change_s=300.0), FAST),                    # poor: always fast
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
    assert next_interval_s(cfg, SamplingInput(state="poor", since_change_s=60.0)) == pytest.approx(0.125)
    assert next_interval_s(cfg, SamplingInput(state="away", since_change_s=600.0, away_s=600.0)) == 30.0
    assert [rate_label(cfg, x) for x in (0.125, 2.0, 30.0)] == ["fast", "slow", "poll"]


def test_settled_rate_comes_from_the_config_and_is_never_faster_than_slow() -> None:
    cfg = SamplingConfig(settled_after_s=600.0, settled_hz=0.1)
    assert next_interval_s(cfg, SamplingInput(state="good", since_change_s=599.0)) == pytest.approx(1.0)
    assert next_interval_s(cfg, SamplingInput(state="good", since_change_s=600.0)) == pytest.approx(10.0)
    assert rate_label(cfg, 10.0) == "settled"
    eager = SamplingConfig(slow_hz=0.25, settled_hz=2.0)
    assert next_interval_s(eager, SamplingInput(state="good", since_change_s=3600.0)) == pytest.approx(4.0)
