"""How fast the pure engine steps, and how big its state gets, over a full day.

Method: a synthetic 8-hour day sampled at a fixed rate (default 4 Hz, twice the monitor's fast
rate, i.e. 115,200 readings; a worst case, since the monitor runs at 1 Hz or slower while upright):
random spells of good / poor (one or two faults, varying deviations) / unknown / away of
5 s to 5 min. The readings are built first; only `engine.step` is timed
(time.perf_counter), `--repeat` times, median and best reported. Also reported: the
largest number of poor segments the window held, the events emitted, and the size of
`repr(state)` at the end of the day.

Run: .venv/bin/python benchmarks/engine_bench.py [--hours 8] [--hz 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from posture_watch.core.domain import AWAY, FORWARD_LEAN, GOOD, POOR, THORACIC_SLOUCH, UNKNOWN, Reading  # noqa: E402
from posture_watch.core.engine import initial_state, step  # noqa: E402


def make_day(hours: float, hz: float, seed: int = 1) -> list[Reading]:
    rng = random.Random(seed)
    readings: list[Reading] = []
    t, end = 0.0, hours * 3600.0
    while t < end:
        state = rng.choice([GOOD, GOOD, POOR, POOR, UNKNOWN, AWAY])
        seconds = rng.choice([5.0, 20.0, 60.0, 180.0, 300.0])
        faults = tuple(rng.sample([FORWARD_LEAN, THORACIC_SLOUCH], k=rng.randint(1, 2))) if state == POOR else ()
        for i in range(int(seconds * hz)):
            dev = {"head_forward_deg": rng.uniform(5, 20)} if state == POOR else {}
            readings.append(Reading(t_s=t + (i + 1) / hz, state=state, score=None, faults=faults, deviations=dev))
        t += seconds
    return readings


def run_once(readings: list[Reading]) -> tuple[float, int, Counter, int]:
    state = initial_state(now=0.0)
    events: Counter = Counter()
    biggest = 0
    start = time.perf_counter()
    for reading in readings:
        state, new = step(state, reading, reading.t_s)
        for event in new:
            events[event.kind] += 1
        segments = len(state.posture.window.segments)
        if segments > biggest:
            biggest = segments
    elapsed = time.perf_counter() - start
    return elapsed, biggest, events, len(repr(state))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--hz", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    readings = make_day(args.hours, args.hz)
    times = []
    for _ in range(args.repeat):
        elapsed, biggest, events, repr_size = run_once(readings)
        times.append(elapsed)
    median = statistics.median(times)
    print(f"readings           {len(readings)} ({args.hours:g} h at {args.hz:g} Hz)")
    print(f"step total         median {median:.2f} s, best {min(times):.2f} s")
    print(f"per step           {1e6 * median / len(readings):.1f} us")
    print(f"max poor segments  {biggest}")
    print(f"repr(state) chars  {repr_size}")
    print(f"events             {dict(sorted(events.items()))}")


if __name__ == "__main__":
    main()
