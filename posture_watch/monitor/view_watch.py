"""Does the camera see the person from the side the profile was made from? Decided in the first seconds.

A side-view profile cannot judge a frontal picture (and the other way round): every sample would be
"unknown" for ever. `ViewWatch` (pure: views in, a verdict out) collects the view of the first
present samples and, once `view_check_samples` of them agree on one view (at least
`view_check_share` of them), compares it with the profile's (profile_store.view_problem: a
three-quarter view fits both). The monitor stops with that sentence, and exit 2, when they differ.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from posture_watch.core.profile import Profile


@dataclass
class ViewWatch:
    profile: Profile
    name: str = ""
    samples: int = 8        # MonitorConfig.view_check_samples
    share: float = 0.75     # MonitorConfig.view_check_share
    seen: list[str] = field(default_factory=list)
    decided: bool = False

    def update(self, view: str | None) -> str | None:
        """The problem sentence once the view is known not to match; None otherwise (and after)."""
        from posture_watch.io.profile_store import view_problem

        if self.decided or not view:
            return None
        self.seen.append(view)
        if len(self.seen) < self.samples:
            return None
        top, count = Counter(self.seen[-self.samples:]).most_common(1)[0]
        if count < self.share * self.samples:
            return None  # still turning this way and that: keep looking
        self.decided = True
        return view_problem(self.profile, top, self.name)
