"""The calibration profile: a person's own upright baseline, stored as JSON.

A profile holds, for every named measure of `posture_watch.core.geometry`, a robust centre and
spread (median and MAD scaled to a standard deviation) from an upright capture; optionally
the same for a range capture (looking at the bottom of the screen or the keyboard: reading is
not slouching) and for a slouch sample (which teaches a personal threshold). The JSON Schema is
`calibration/profile.schema.json`; `validate_profile_dict` below enforces the same rules without
a third-party validator, so a broken file always ends in one ProfileError sentence.

Pure: values and their validation only. Reading and writing a profile file is
`posture_watch.io.profile_files` (load_profile, save_profile).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from posture_watch.core.errors import ProfileError

SCHEMA_VERSION = 1
KIND = "posture-watch-profile"
VIEWS = ("frontal", "side", "three_quarter")
MAD_TO_SD = 1.4826   # MAD of a normal distribution * this = its standard deviation
# MediaPipe's num_poses the baseline was measured with: the landmarks differ systematically between
# the two modes, so a profile is judged in its own. 1 (tracking) since issue 14; files without the
# field were all measured with 2.
TRACKING_NUM_POSES, LEGACY_NUM_POSES = 1, 2


@dataclass(frozen=True)
class MeasureStats:
    """Robust summary of one measure over a capture. `spread` is MAD * 1.4826 (a robust SD)."""

    median: float
    spread: float
    n: int

    def to_json(self) -> dict[str, Any]:
        return {"median": _r(self.median), "spread": _r(self.spread), "n": self.n}


def _r(x: float) -> float:
    return float(round(x, 6))


def summarize(samples: Iterable[float | None], min_n: int = 3) -> MeasureStats | None:
    """Median and MAD-based spread of the finite values, or None if fewer than `min_n`."""
    values = sorted(float(v) for v in samples if v is not None and math.isfinite(v))
    if len(values) < min_n:
        return None
    med = _median(values)
    mad = _median(sorted(abs(v - med) for v in values))
    return MeasureStats(median=med, spread=mad * MAD_TO_SD, n=len(values))


def _median(sorted_values: list[float]) -> float:
    n = len(sorted_values)
    mid = n // 2
    return sorted_values[mid] if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2


def summarize_all(rows: Iterable[Mapping[str, float | None]], min_n: int = 3) -> dict[str, MeasureStats]:
    """Summaries of every measure that has at least `min_n` values across `rows`."""
    columns: dict[str, list[float | None]] = {}
    for row in rows:
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
    out = {}
    for key, values in columns.items():
        stats = summarize(values, min_n)
        if stats is not None:
            out[key] = stats
    return out


@dataclass(frozen=True)
class Profile:
    """A person's calibrated baseline for one camera position.

    baseline: measure name -> stats of the upright capture (required).
    reading:  the same for the optional range capture (looking at the keyboard/bottom of the screen).
    slouch:   the same for the optional slouch sample.
    view:     the camera's view of the person (frontal | side | three_quarter).
    """

    baseline: Mapping[str, MeasureStats]
    view: str = "frontal"
    resolution: tuple[int, int] = (0, 0)
    camera: str = ""
    created_at: str = ""
    reading: Mapping[str, MeasureStats] | None = None
    slouch: Mapping[str, MeasureStats] | None = None
    samples: int = 0
    duration_s: float = 0.0
    schema_version: int = SCHEMA_VERSION
    notes: str = ""
    num_poses: int = TRACKING_NUM_POSES

    def median(self, name: str) -> float | None:
        stats = self.baseline.get(name)
        return None if stats is None else stats.median

    def to_json(self) -> dict[str, Any]:
        def block(stats: Mapping[str, MeasureStats] | None) -> dict[str, Any] | None:
            return None if stats is None else {k: v.to_json() for k, v in sorted(stats.items())}
        return {
            "kind": KIND,
            "schema_version": self.schema_version,
            "created_at": self.created_at or now_iso(),
            "camera": self.camera,
            "resolution": list(self.resolution),
            "view": self.view,
            "samples": self.samples,
            "duration_s": _r(self.duration_s),
            "baseline": block(self.baseline),
            "reading": block(self.reading),
            "slouch": block(self.slouch),
            "notes": self.notes,
            "num_poses": self.num_poses,
        }


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# --- validation (mirrors calibration/profile.schema.json) ------------------------------------

_REQUIRED = ("kind", "schema_version", "created_at", "camera", "resolution", "view", "baseline")
_OPTIONAL = ("samples", "duration_s", "reading", "slouch", "notes", "num_poses")


def _fail(path: Path | str, what: str) -> ProfileError:
    return ProfileError(f"The profile {path} {what}; calibrate again with `posture-watch calibrate`.")


def _stats_block(data: Any, path: Path | str, name: str, required: bool) -> dict[str, MeasureStats] | None:
    if data is None and not required:
        return None
    if not isinstance(data, dict) or (required and not data):
        raise _fail(path, f"has no usable '{name}' section")
    out = {}
    for key, entry in data.items():
        if not (isinstance(key, str) and key[:1].isalpha() and key.replace("_", "").isalnum() and key == key.lower()):
            raise _fail(path, f"has a strange measure name in '{name}'")
        if not isinstance(entry, dict) or set(entry) != {"median", "spread", "n"}:
            raise _fail(path, f"has a broken entry '{key}' in '{name}'")
        med, spread, n = entry.get("median"), entry.get("spread"), entry.get("n")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (med, spread)) \
                or not isinstance(n, int) or isinstance(n, bool):
            raise _fail(path, f"has a broken entry '{key}' in '{name}'")
        if not (math.isfinite(med) and math.isfinite(spread)) or spread < 0 or n < 1:
            raise _fail(path, f"has an impossible value for '{key}' in '{name}'")
        out[key] = MeasureStats(float(med), float(spread), n)
    return out


def validate_profile_dict(data: Any, path: Path | str = "<profile>") -> Profile:
    """A parsed JSON document -> Profile, or ProfileError with one sentence saying what to do."""
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ProfileError(f"{path} is not a posture-watch profile; pass a file written by "
                           "`posture-watch calibrate` or calibrate again.")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(path, "has no valid schema_version")
    if version < SCHEMA_VERSION:
        raise ProfileError(f"The profile {path} is from an older version (schema {version}); "
                           "calibrate again with `posture-watch calibrate`.")
    if version > SCHEMA_VERSION:
        raise ProfileError(f"The profile {path} was written by a newer posture-watch (schema {version}); "
                           "upgrade posture-watch or calibrate again.")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise _fail(path, f"is missing '{missing[0]}'")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _fail(path, f"has an unknown field '{unknown[0]}'")
    res = data["resolution"]
    if not (isinstance(res, list) and len(res) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                                            for v in res)):
        raise _fail(path, "has a broken resolution")
    if data["view"] not in VIEWS:
        raise _fail(path, f"has an unknown view {data['view']!r}")
    for key in ("created_at", "camera"):
        if not isinstance(data[key], str):
            raise _fail(path, f"has a broken '{key}'")
    samples = data.get("samples", 0)
    duration = data.get("duration_s", 0.0)
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 0:
        raise _fail(path, "has a broken sample count")
    if not isinstance(duration, (int, float)) or isinstance(duration, bool) or not duration >= 0:
        raise _fail(path, "has a broken duration")
    num_poses = data.get("num_poses", LEGACY_NUM_POSES)
    if num_poses not in (1, 2) or isinstance(num_poses, bool):
        raise _fail(path, "has a broken num_poses")
    baseline = _stats_block(data["baseline"], path, "baseline", required=True)
    assert baseline is not None
    return Profile(
        baseline=baseline,
        view=data["view"],
        resolution=(res[0], res[1]),
        camera=data["camera"],
        created_at=data["created_at"],
        reading=_stats_block(data.get("reading"), path, "reading", required=False),
        slouch=_stats_block(data.get("slouch"), path, "slouch", required=False),
        samples=samples,
        duration_s=float(duration),
        schema_version=version,
        notes=str(data.get("notes", "")),
        num_poses=int(num_poses),
    )


def with_field(profile: Profile, **changes: Any) -> Profile:
    """A copy of `profile` with some fields replaced (e.g. reading=..., slouch=...)."""
    from dataclasses import replace
    return replace(profile, **changes)


__all__ = ["SCHEMA_VERSION", "MeasureStats", "Profile", "summarize", "summarize_all", "validate_profile_dict",
           "with_field", "now_iso"]
