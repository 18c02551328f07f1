"""What `posture-watch run` says in its terminal: one line at the start (camera, profile, where the
data goes, how to stop), one line at each change (the judged posture, warnings, breaks, away and
back, camera lost, pause...), and one at the stop. `--quiet` keeps it silent.

The lines are built from values (the monitor's description, events, readings); only `write`
touches the stream.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from posture_watch.core import fault_words, messages
from posture_watch.core.domain import (AWAY, EV_PROFILE, EV_SESSION_END, EV_SESSION_START, GOOD, POOR, UNKNOWN, Event,
                                       Reading)

SILENT_EVENTS = (EV_SESSION_START, EV_PROFILE, EV_SESSION_END)  # said by the start and stop lines
POSTURE_WORDS = {GOOD: "Posture: upright.", POOR: "Posture: poor", UNKNOWN: "Posture: cannot be judged right now."}


def start_line(source: str, profile: str, database: Any, replay: bool) -> str:
    what = "Replaying" if replay else "Watching"
    return (f"posture-watch: {what} {source} with profile {profile}; data goes to {database}. "
            "Stop with Ctrl-C or `posture-watch stop`.")


def posture_line(reading: Reading) -> str:
    text = POSTURE_WORDS.get(reading.state, f"Posture: {reading.state}.")
    if reading.state == POOR:
        text += f" ({', '.join(fault_words.name(f) for f in reading.faults)})." if reading.faults else "."
    return text


def stop_line(reason: str, samples: int, seconds: float, unsaved: int = 0) -> str:
    """'posture-watch: stopped (the recording ended) after 1 min 27 s and 85 samples; ...' (no reason
    when it was simply stopped); samples the database could not take are counted, not said saved."""
    why = {"end of source": " (the recording ended)", "stopped": ""}.get(reason, f" ({reason})")
    saved = f"{unsaved} of them could not be saved." if unsaved else "the data is saved."
    return f"posture-watch: stopped{why} after {messages.minutes_text(seconds)} and {samples} samples; {saved}"


class TerminalReport:
    """Feeds the lines to `out` (nothing at all when `quiet`)."""

    def __init__(self, out: TextIO, quiet: bool = False) -> None:
        self.out, self.quiet = out, quiet
        self._posture: tuple[str, str | None] | None = None

    def write(self, t_epoch: float | None, text: str) -> None:
        if self.quiet:
            return
        stamp = time.strftime("%H:%M:%S ", time.localtime(t_epoch)) if t_epoch is not None else ""
        self.out.write(stamp + text + "\n")
        self.out.flush()

    def on_start(self, monitor: Any) -> None:
        profile = f"'{monitor.profile_name}'" if monitor.profile_name else str(monitor.profile_path)
        database = getattr(monitor.store, "path", "nowhere (no database)")
        self.write(None, start_line(monitor.source.description, profile, database, monitor.replay))

    def on_event(self, event: Event, text: str) -> None:
        if event.kind not in SILENT_EVENTS:
            self.write(event.t_s, text)

    def on_reading(self, reading: Reading, t_epoch: float) -> None:
        """A line when the judged posture changes, and when the fault a poor stretch is called by changes
        (the judge calls it by its most severe fault so far: the later line corrects the earlier one).
        Being away is said by the away and back events."""
        said = (reading.state, reading.faults[0] if reading.state == POOR and reading.faults else None)
        if said == self._posture:
            return
        self._posture = said
        if reading.state != AWAY:
            self.write(t_epoch, posture_line(reading))

    def on_stop(self, summary: Any) -> None:
        self.write(None, stop_line(summary.reason, summary.samples, max(0.0, summary.ended_at - summary.started_at),
                                   getattr(summary, "unsaved_samples", 0)))
