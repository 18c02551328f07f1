"""Ground-truth labels of the sample clips (`sample_videos/NAME.labels.json`), for tests and benchmarks.

    labels = load_labels("sample_videos/desk_session.labels.json")
    seg = label_at(labels, 123.4)     # the Segment covering t = 123.4 s, or None outside the clip
    if seg is not None and seg.scored:
        expected = seg.state          # "good" | "poor" | "away"

A segment's state is "good", "poor", "away", or "transition" (ramps and cuts: leave them out of
accuracy). The files are written by `sample_videos/generate.py` from the same timeline that renders
the clip. Pure values: reading the file is the only I/O here.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from posture_watch.core.errors import UserError

LABEL_STATES = ("good", "poor", "away", "transition")
TRANSITION = "transition"


class LabelsError(UserError):
    """A labels file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    label: str                      # e.g. "upright", "slouch", "glance", "lateral_lean", "away"
    state: str                      # one of LABEL_STATES
    faults: tuple[str, ...] = ()
    people: int = 1                 # how many people are in view
    posture: Mapping[str, float] = field(default_factory=dict)  # rendering target (lean, pitch, tilt_deg, out)

    @property
    def scored(self) -> bool:
        """False for transitions, which accuracy figures leave out."""
        return self.state != TRANSITION

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class ClipLabels:
    clip: str
    fps: float
    duration_s: float
    segments: tuple[Segment, ...]
    expected_warnings: tuple[Mapping[str, Any], ...] = ()
    expected_breaks: tuple[Mapping[str, Any], ...] = ()
    frames: int | None = None
    size: tuple[int, int] | None = None
    people: tuple[str, ...] = ()
    description: str = ""

    def segment(self, label: str) -> Segment:
        """The one segment with this label (as named by expected_warnings / expected_breaks)."""
        found = [s for s in self.segments if s.label == label]
        if len(found) != 1:
            raise KeyError(f"{self.clip}: {len(found)} segments are labelled {label!r}, expected one")
        return found[0]

    def scored_seconds(self, state: str | None = None) -> float:
        """Seconds of non-transition segments (of one state, if given)."""
        return sum(s.duration_s for s in self.segments if s.scored and (state is None or s.state == state))


def parse_labels(data: Mapping[str, Any], origin: str = "labels") -> ClipLabels:
    """Validate a decoded labels document: known states, contiguous segments from 0 to duration_s."""
    try:
        segments = tuple(
            Segment(float(s["start_s"]), float(s["end_s"]), str(s["label"]), str(s["state"]),
                    tuple(s.get("faults", ())), int(s.get("people", 1)), dict(s.get("posture", {})))
            for s in data["segments"])
        labels = ClipLabels(
            clip=str(data["clip"]), fps=float(data["fps"]), duration_s=float(data["duration_s"]),
            segments=segments,
            expected_warnings=tuple(dict(w) for w in data.get("expected_warnings", ())),
            expected_breaks=tuple(dict(b) for b in data.get("expected_breaks", ())),
            frames=int(data["frames"]) if data.get("frames") is not None else None,
            size=tuple(data["size"]) if data.get("size") else None,
            people=tuple(data.get("people", ())), description=str(data.get("description", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LabelsError(f"{origin} is not a valid labels file ({type(exc).__name__}: {exc}).") from None
    problem = _problem(labels)
    if problem:
        raise LabelsError(f"{origin} is not a valid labels file: {problem}.")
    return labels


def _problem(labels: ClipLabels) -> str | None:
    if not labels.segments:
        return "it has no segments"
    t = 0.0
    for s in labels.segments:
        if s.state not in LABEL_STATES:
            return f"segment {s.label!r} has unknown state {s.state!r}"
        if abs(s.start_s - t) > 1e-6 or s.end_s <= s.start_s:
            return f"segment {s.label!r} at {s.start_s} s does not continue the previous one (ends at {t} s)"
        t = s.end_s
    if abs(t - labels.duration_s) > 1e-6:
        return f"the segments end at {t} s, not at duration_s {labels.duration_s}"
    return None


def load_labels(path: Path | str) -> ClipLabels:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabelsError(f"The labels file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelsError(f"The labels file {path} cannot be read ({exc}).") from None
    if not isinstance(data, dict):
        raise LabelsError(f"{path} is not a valid labels file (not a JSON object).")
    return parse_labels(data, str(path))


def label_at(labels: ClipLabels, t_s: float) -> Segment | None:
    """The segment covering `t_s` (start inclusive, end exclusive; the clip's last instant belongs
    to the last segment), or None before 0 or after the end."""
    if t_s < 0 or t_s > labels.duration_s:
        return None
    starts = [s.start_s for s in labels.segments]
    i = bisect.bisect_right(starts, t_s) - 1
    return labels.segments[max(i, 0)]
