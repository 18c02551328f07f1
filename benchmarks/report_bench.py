"""How long the daily report takes for a full 8-hour day (~40k samples), and for the 7-day trend.

Method: a synthetic but realistic week is written through the real Store into a temporary
SQLite file (8 h a day at ~1.4 samples/s, i.e. about 40k samples a day: 1 Hz while upright,
4 Hz while poor, a 5 s poll while away; poor episodes that grow longer in the afternoon;
breaks; three faults with deviations). Then, each repeated `--repeat` times and reported as
the median and the best wall time (time.perf_counter) and the median CPU time of the process
(time.process_time; other processes on a busy machine do not count in it):

  read_day      Store.samples_between/events_between/sessions_between for the day's span
  read_week     the same for all 7 days (full rows; the CLI does not do this, see load_report)
  aggregate     day_report.build_report on the week's full rows (day + 7-day trend)
  aggregate_day build_report on the day's rows only (trend days empty): the "one 8-hour day" figure
  load_report   report.command.load_report, the CLI's real path: full rows for the day, the cheap
                Store.sample_states_between for the 6 trend days, then build_report
  html          report.html_page.render_html (matplotlib SVG charts included)
  terminal      report.terminal.render into a string

Run: .venv/bin/python benchmarks/report_bench.py [--repeat 5] [--days 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from posture_watch.core.domain import (  # noqa: E402
    AWAY, EV_BREAK, EV_WARNING, FORWARD_LEAN, GOOD, LATERAL_LEAN, POOR, THORACIC_SLOUCH, Event, Reading,
)

DEVIATION_OF = {FORWARD_LEAN: "head_drop_pct", THORACIC_SLOUCH: "shoulder_drop_pct", LATERAL_LEAN: "shoulder_tilt_deg"}


def synthetic_day(store, day: date, tz, seed: int = 0, profile: str = "desk",
                  blocks: tuple[tuple[float, float], ...] = ((8.75, 12.2), (13.0, 17.6))) -> int:
    """Write one working day into `store`; return the number of samples written.

    Each block (local hours) is a session. Posture alternates between upright spells and poor
    episodes whose length and frequency grow through the day; a few breaks of 2-8 min.
    """
    rng = np.random.default_rng(seed)
    n = 0
    for b0, b1 in blocks:
        start = datetime.combine(day, datetime.min.time(), tzinfo=tz).timestamp() + b0 * 3600
        end = start + (b1 - b0) * 3600
        sid = store.start_session(start, "synthetic", profile, None)
        t = start
        next_break = t + rng.uniform(35, 70) * 60
        while t < end:
            hour = (t - start) / 3600 + b0
            fatigue = max(0.0, (hour - 9) / 8)
            if t >= next_break:
                away_until = t + rng.uniform(2, 8) * 60
                while t < min(away_until, end):
                    store.add_sample(sid, Reading(t_s=0, state=AWAY, score=None), t)
                    n, t = n + 1, t + 5.0
                store.add_event(sid, Event(kind=EV_BREAK, t_s=0, duration_s=away_until - next_break), t)
                next_break = t + rng.uniform(35, 80) * 60
                continue
            good_for = rng.exponential(240 * (1.2 - 0.7 * fatigue))
            stop = min(t + good_for, end, next_break)
            while t < stop:
                store.add_sample(sid, Reading(t_s=0, state=GOOD, score=float(rng.normal(85, 5))), t)
                n, t = n + 1, t + 1.0
            if t >= end or t >= next_break:
                continue
            fault = rng.choice([FORWARD_LEAN, THORACIC_SLOUCH, LATERAL_LEAN], p=[0.6, 0.3, 0.1])
            poor_for = rng.exponential(60 + 150 * fatigue)
            stop = min(t + poor_for, end)
            size = rng.uniform(8, 22)
            if poor_for > 150:
                store.add_event(sid, Event(kind=EV_WARNING, t_s=0, fault=str(fault), duration_s=150), t + 150)
            while t < stop:
                dev = {DEVIATION_OF[fault]: float(size + rng.normal(0, 2))}
                store.add_sample(sid, Reading(t_s=0, state=POOR, score=float(rng.normal(45, 8)),
                                              faults=(str(fault),), deviations=dev), t)
                n, t = n + 1, t + 0.5
        store.end_session(sid, end)
    store.flush()
    return n


def _time(fn, repeat: int) -> tuple[float, float, float]:
    """(median wall s, best wall s, median CPU s of this process) over `repeat` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--days", type=int, default=7)
    args = ap.parse_args()

    from posture_watch.core.day_report import ReportConfig, build_report
    from posture_watch.report.command import load_report
    from posture_watch.report.html_page import render_html
    from posture_watch.core.report_intervals import day_bounds
    from posture_watch.report.terminal import render_text
    from posture_watch.io.store import Store

    tz = ZoneInfo("Europe/Berlin")
    day = date(2025, 3, 28)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["POSTURE_WATCH_HOME"] = tmp
        db = Path(tmp) / "bench.sqlite3"
        store = Store.open(db)
        t0 = time.perf_counter()
        counts = [synthetic_day(store, day - timedelta(days=k), tz, seed=k) for k in range(args.days)]
        write_s = time.perf_counter() - t0
        cfg = ReportConfig()
        a, b = day_bounds(day, tz)
        wa, _ = day_bounds(day - timedelta(days=args.days - 1), tz)

        def read(x0: float, x1: float):
            return store.samples_between(x0 - cfg.max_sample_gap_s, x1), store.events_between(x0, x1), \
                store.sessions_between(x0 - cfg.max_sample_gap_s, x1)

        day_rows, week_rows = read(a, b), read(wa, b)
        report = build_report(*week_rows, day=day, tz=tz, config=cfg)
        results = {
            "read_day": _time(lambda: read(a, b), args.repeat),
            "read_week": _time(lambda: read(wa, b), args.repeat),
            "aggregate": _time(lambda: build_report(*week_rows, day=day, tz=tz, config=cfg), args.repeat),
            "aggregate_day": _time(lambda: build_report(*day_rows, day=day, tz=tz, config=cfg), args.repeat),
            "load_report": _time(lambda: load_report(day, 1, tz, cfg, db_path=db), args.repeat),
            "html": _time(lambda: render_html(report), args.repeat),
            "terminal": _time(lambda: render_text(report, width=100), args.repeat),
        }
        store.close()
    print(f"report benchmark: {counts[0]} samples on the day, {sum(counts)} in {args.days} days "
          f"(written through Store in {write_s:.1f} s); monitored {report.monitored_s / 3600:.2f} h; "
          f"repeat={args.repeat}; python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (wall times suffer under load; "
          "CPU time is this process only)")
    for name, (median, best, cpu) in results.items():
        print(f"  {name:14s} wall median {median * 1000:8.1f} ms  best {best * 1000:8.1f} ms   CPU median {cpu * 1000:8.1f} ms")
    html = render_html(report)
    print(f"  html size {len(html) / 1024:.0f} KiB, {len(report.timeline)} timeline segments")


if __name__ == "__main__":
    main()
