"""The adaptive sampling policy, as a table: what was seen -> seconds until the next analysed frame."""

from __future__ import annotations

import pytest

from posture_watch.config import SamplingConfig
from posture_watch.sampling import SamplingInput, next_interval_s, rate_label

CFG = SamplingConfig()  # slow 1 Hz, fast 4 Hz, away poll 5 s after 120 s away, fast 10 s after a change
SLOW, FAST, POLL = 1.0, 0.25, 5.0


@pytest.mark.parametrize("seen, interval", [
    (SamplingInput(state=None, since_change_s=0.0), FAST),                        # nothing judged yet
    (SamplingInput(state="good", since_change_s=60.0), SLOW),                     # steady good
    (SamplingInput(state="good", since_change_s=3.0), FAST),                      # just became good
    (SamplingInput(state="poor", since_change_s=300.0), FAST),                    # poor: always fast
    (SamplingInput(state="unknown", since_change_s=60.0), SLOW),                  # head turned: steady
    (SamplingInput(state="away", since_change_s=1.0, away_s=1.0), SLOW),          # just left: not fast
    (SamplingInput(state="away", since_change_s=119.0, away_s=119.0), SLOW),
    (SamplingInput(state="away", since_change_s=121.0, away_s=121.0), POLL),      # away for long: poll
    (SamplingInput(state=None, since_change_s=0.0, covered=True), POLL),          # lens covered: poll
])
def test_next_interval(seen: SamplingInput, interval: float) -> None:
    assert next_interval_s(CFG, seen) == pytest.approx(interval)


def test_rates_come_from_the_config() -> None:
    cfg = SamplingConfig(slow_hz=0.5, fast_hz=8.0, away_poll_s=30.0)
    assert next_interval_s(cfg, SamplingInput(state="good", since_change_s=60.0)) == pytest.approx(2.0)
    assert next_interval_s(cfg, SamplingInput(state="poor", since_change_s=60.0)) == pytest.approx(0.125)
    assert next_interval_s(cfg, SamplingInput(state="away", since_change_s=600.0, away_s=600.0)) == 30.0
    assert [rate_label(cfg, x) for x in (0.125, 2.0, 30.0)] == ["fast", "slow", "poll"]
