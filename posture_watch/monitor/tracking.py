"""When to make the pose model search the picture afresh (`PoseEstimator.retrack`).

In VIDEO mode MediaPipe follows the person from one picture to the next and runs its person detector
again only when it loses them. It can lock on to a wrong pose instead and keep it: on the dev footage a
side view bent deep over the desk became a pose lying on its side, then stayed one through two slumps and
the upright that followed, 8 s judged "away" with the person sitting there (the footage at half its
resolution: 112 samples away, balanced accuracy 0.51). The same pictures searched afresh (IMAGE mode) held
the person in every one, and one fresh search at the first lost second gave 0.94 (16 samples away).

So: a pose was found but could not be the calibrated person (NOT_THE_USER: the wrong size or proportions)
or any seated person (IMPLAUSIBLE_POSE) for `after_s`, then the tracking is dropped, at most once every
`every_s` (a re-search costs about 60 ms of CPU more than a tracked picture: someone else in the picture
for an hour costs 0.6 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posture_watch.core.domain import AWAY, Reading
from posture_watch.core.geometry import IMPLAUSIBLE_POSE
from posture_watch.core.judge import NOT_THE_USER

AFTER_S = 1.0
EVERY_S = 10.0


@dataclass
class TrackingWatch:
    """`if watch.update(reading): estimator.retrack()`."""

    after_s: float = AFTER_S
    every_s: float = EVERY_S
    lost_since: float | None = None
    last_retrack: float = -math.inf

    def update(self, reading: Reading) -> bool:
        t = reading.t_s
        if t < self.last_retrack or (self.lost_since is not None and t < self.lost_since):
            self.lost_since, self.last_retrack = None, -math.inf       # time went backwards: a new source
        lost = reading.state == AWAY and (NOT_THE_USER in reading.flags or IMPLAUSIBLE_POSE in reading.flags)
        if not lost:
            self.lost_since = None
            return False
        if self.lost_since is None:
            self.lost_since = t
        if t - self.lost_since >= self.after_s and t - self.last_retrack >= self.every_s:
            self.last_retrack = t
            return True
        return False
