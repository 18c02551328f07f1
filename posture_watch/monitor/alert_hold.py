"""When warnings wait: the desktop asks not to be disturbed, or the user said "I'll take a break".

The monitor asks `waiting(now)` before each engine step and passes the answer on as the engine's
`hold_alerts`: warnings, escalations and break reminders are not said now, and (unlike a snooze)
not dropped either, so the engine says what is still due on the first step after. Samples are
still judged and counted. `dnd.quiet_reason()` (posture_watch.io.dnd) is read each time; it answers
from what its own thread last saw, so this never waits on the desktop.
"""

from __future__ import annotations

import logging
from typing import Iterable

from posture_watch.core.domain import AWAY, EV_BACK, Event, Reading
from posture_watch.monitor.ports import DoNotDisturb

log = logging.getLogger(__name__)


class AlertHold:
    def __init__(self, dnd: DoNotDisturb | None = None, break_wait_max_s: float = 900.0) -> None:
        self.dnd = dnd
        self.break_wait_max_s = break_wait_max_s
        self.dnd_reason: str | None = None
        self._break_since: float | None = None
        self._seen_away = False

    @property
    def on_break(self) -> bool:
        return self._break_since is not None

    def take_break(self, now: float) -> None:
        """Warnings wait until the user has been away and is back (or `break_wait_max_s` at most)."""
        self._break_since, self._seen_away = now, False

    def end_break(self) -> bool:
        """`resume` ends a break too; True if there was one."""
        was, self._break_since = self._break_since is not None, None
        return was

    def waiting(self, now: float) -> bool:
        reason = None
        if self.dnd is not None:
            try:
                reason = self.dnd.quiet_reason()
            except Exception as exc:  # a broken watcher means: nothing known to stop a warning
                log.debug("do-not-disturb check failed: %s", exc)
        if reason != self.dnd_reason:
            log.info("do not disturb (%s): warnings wait" if reason else "do not disturb is over%s: warnings "
                     "still due come now", reason or "")
            self.dnd_reason = reason
        if self._break_since is not None and now - self._break_since > self.break_wait_max_s:
            log.info("no break within %.0f min of asking for one; warnings are back", self.break_wait_max_s / 60)
            self._break_since = None
        return bool(reason) or self._break_since is not None

    def after_step(self, reading: Reading, events: Iterable[Event]) -> None:
        if self._break_since is None:
            return
        if reading.state == AWAY:
            self._seen_away = True
        if any(e.kind == EV_BACK for e in events) or (self._seen_away and reading.state != AWAY):
            log.info("back from the break; warnings are back")
            self._break_since = None
