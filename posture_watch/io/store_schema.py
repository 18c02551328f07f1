"""The posture database's schema and rows: the tables (schema v2 and its migrations), the typed rows
the report reads, and the pure conversion of a Reading or an Event into the row it becomes.

Tables: meta, sessions, samples, events. Times are UNIX epoch seconds (float, UTC). A sample keeps a
few key measures (KEY_METRICS), never an image.

Schema 2 adds to each sample its view and its signed sides against the user's upright
(posture_watch.core.asymmetry.sides: shoulder_side_deg, head_side_deg, lean_side_pct, positive
towards the user's left). Samples written before it keep every value they had; their new columns
are NULL (no sides known), so the report counts them as judged time without a side.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from posture_watch.core.domain import Event, Reading

APP_ID = "posture-watch"
SCHEMA_VERSION = 2
SQLITE_HEADER = b"SQLite format 3\x00"

# Metrics kept with each sample (a few key measures, never an image). Other metrics are dropped.
KEY_METRICS = (
    "head_drop_ratio",
    "nose_drop_ratio",
    "face_size_ratio",
    "shoulder_width_frac",
    "trunk_foreshortening_ratio",
    "shoulder_tilt_deg",
    "lateral_offset_ratio",
    "head_yaw_deg",
    "cva_deg",
    "neck_flexion_deg",
    "trunk_inclination_deg",
    "neck_flexion_world_deg",
    "neck_length_world_m",
    "trunk_length_world_m",
    "torso_yaw_deg",
)

# version -> statements that bring a database from version-1 to version.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at REAL NOT NULL, ended_at REAL,
            source TEXT NOT NULL,
            profile_name TEXT, profile_path TEXT,
            tz TEXT)""",
        """CREATE TABLE samples (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            t REAL NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('good','poor','away','unknown')),
            score REAL,
            faults TEXT NOT NULL DEFAULT '',
            deviations TEXT NOT NULL DEFAULT '{}',
            metrics TEXT NOT NULL DEFAULT '{}')""",
        "CREATE INDEX samples_t ON samples(t)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            t REAL NOT NULL,
            kind TEXT NOT NULL,
            fault TEXT, duration_s REAL, window_s REAL, level INTEGER NOT NULL DEFAULT 1,
            deviation TEXT NOT NULL DEFAULT '{}', detail TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX events_t ON events(t)",
        f"INSERT INTO meta(key, value) VALUES ('app', '{APP_ID}')",
    ),
    2: (
        "ALTER TABLE samples ADD COLUMN view TEXT",
        "ALTER TABLE samples ADD COLUMN shoulder_side_deg REAL",
        "ALTER TABLE samples ADD COLUMN head_side_deg REAL",
        "ALTER TABLE samples ADD COLUMN lean_side_pct REAL",
    ),
}

SIDE_COLUMNS = ("view", "shoulder_side_deg", "head_side_deg", "lean_side_pct")


@dataclass(frozen=True)
class SessionRow:
    id: int
    started_at: float
    ended_at: float | None
    source: str
    profile_name: str | None
    profile_path: str | None
    tz: str | None


@dataclass(frozen=True)
class SampleRow:
    session_id: int
    t: float
    state: str
    score: float | None
    faults: tuple[str, ...]
    deviations: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    view: str | None = None
    shoulder_side_deg: float | None = None
    head_side_deg: float | None = None
    lean_side_pct: float | None = None


class SampleState(NamedTuple):
    """A sample read without its faults, deviations and metrics (see Store.sample_states_between),
    with its view and sides (schema 2; None for older rows)."""

    session_id: int
    t: float
    state: str
    score: float | None
    view: str | None = None
    shoulder_side_deg: float | None = None
    head_side_deg: float | None = None
    lean_side_pct: float | None = None

    @property
    def faults(self) -> tuple[str, ...]:
        return ()

    @property
    def deviations(self) -> Mapping[str, float]:
        return {}


@dataclass(frozen=True)
class EventRow:
    session_id: int | None
    t: float
    kind: str
    fault: str | None
    duration_s: float | None
    window_s: float | None
    level: int
    deviation: Mapping[str, float] = field(default_factory=dict)
    detail: str = ""


def _to_json(mapping: Mapping[str, Any], digits: int) -> str:
    clean: dict[str, float] = {}
    for key, value in mapping.items():
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            clean[str(key)] = round(number, digits)
    return json.dumps(clean, separators=(",", ":"), sort_keys=True)


def mapping_from_json(text: str | None) -> dict[str, float]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def sample_values(session_id: int, reading: Reading, t_epoch: float,
                  sides: Mapping[str, float | None] | None = None) -> tuple[Any, ...]:
    """The row a Reading becomes (pure); `sides` from posture_watch.core.asymmetry.sides."""
    metrics = {k: v for k, v in reading.metrics.items() if k in KEY_METRICS}
    score = _finite(reading.score)
    return (
        session_id,
        float(t_epoch),
        reading.state,
        None if score is None else round(score, 1),
        ",".join(reading.faults),
        _to_json(reading.deviations, 2),
        _to_json(metrics, 4),
        reading.view,
        *(_finite((sides or {}).get(name)) for name in SIDE_COLUMNS[1:]),
    )


def event_values(session_id: int | None, event: Event, t_epoch: float) -> tuple[Any, ...]:
    return (
        session_id,
        float(t_epoch),
        event.kind,
        event.fault,
        _finite(event.duration_s),
        _finite(event.window_s),
        int(event.level),
        _to_json(event.deviation, 2),
        event.detail or "",
    )
