"""`posture-watch calibrate --check`: how well the current profile fits the last minutes.

Reads the samples of the latest monitoring session (running, or ended within `recent_s`) from
the store, read-only, and hands them to the pure `profile_fit.assess_fit`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from posture_watch.core.errors import UserError
from posture_watch.core.profile_fit import FitReport, FitSample, assess_fit

CHECK_WINDOW_S = 600.0     # the last 10 minutes of monitoring
RECENT_S = 3600.0          # a session that ended more than an hour ago is not "recent"
LOOKBACK_S = 86400.0       # never read more than a day of samples


def latest_session_fit(store, now: float, window_s: float = CHECK_WINDOW_S,
                       recent_s: float = RECENT_S) -> tuple[object, list[FitSample]]:
    """(the latest recent session, its samples of the last `window_s` of monitoring)."""
    sessions = store.sessions_between(now - recent_s, now + LOOKBACK_S)
    if not sessions:
        raise UserError("There is no running or recent monitoring session to check against; run "
                        "`posture-watch run` for a few minutes, then check again.")
    session = max(sessions, key=lambda s: (s.started_at, s.id))
    t0 = max(session.started_at, (session.ended_at or now) - LOOKBACK_S)
    rows = [r for r in store.samples_between(t0, t0 + 2 * LOOKBACK_S) if r.session_id == session.id]
    if not rows:
        raise UserError("The latest monitoring session has no samples yet; let it run for a few minutes, "
                        "then check again.")
    end = rows[-1].t
    recent = [FitSample(r.t - end, r.state, r.deviations) for r in rows if r.t > end - window_s]
    return session, recent


def check(store, now: float, profile_name: str | None = None, window_s: float = CHECK_WINDOW_S) -> FitReport:
    session, samples = latest_session_fit(store, now, window_s)
    name = profile_name or getattr(session, "profile_name", None) or \
        (Path(session.profile_path).stem if getattr(session, "profile_path", None) else "in use")
    return assess_fit(samples, name, window_s / 60)


def cmd_check(args: argparse.Namespace) -> int:
    from posture_watch.io.store import Store

    with Store.open(readonly=True) as store:   # the profile checked is the one the session used
        report = check(store, time.time())
    for line in report.lines:
        print(line)
    return 0
