"""A guided break routine as data: steps with a duration, one instruction and a cited source each.

Pure: `routine_from_dict(data, where)` checks a parsed TOML table and returns a `Routine`, or raises
UserError with one sentence naming the file and the field. Reading the file is the
caller's (posture_watch/monitor/routine.py). `at(routine, elapsed_s)` says which step is on and how
long it has left: the terminal shows one instruction at a time with that timer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from posture_watch.core.errors import UserError

MIN_STEP_S, MAX_STEP_S = 5.0, 300.0


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    say: str
    source: str


@dataclass(frozen=True)
class Routine:
    title: str
    disclaimer: str
    steps: tuple[Step, ...]

    @property
    def total_s(self) -> float:
        return sum(s.seconds for s in self.steps)


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"The routine {where} needs a text `{key}`.")
    return " ".join(value.split())


def routine_from_dict(data: Mapping[str, Any], where: str) -> Routine:
    steps_data = data.get("step")
    if not isinstance(steps_data, list) or not steps_data:
        raise UserError(f"The routine {where} has no [[step]]; each step needs name, seconds, say and source.")
    steps = []
    for i, table in enumerate(steps_data, 1):
        if not isinstance(table, Mapping):
            raise UserError(f"Step {i} of the routine {where} is not a table.")
        at = f"{where} (step {i})"
        seconds = table.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not MIN_STEP_S <= seconds <= MAX_STEP_S:
            raise UserError(f"The routine {at} needs `seconds` between {MIN_STEP_S:.0f} and {MAX_STEP_S:.0f}.")
        steps.append(Step(_text(table, "name", at), float(seconds), _text(table, "say", at), _text(table, "source", at)))
    return Routine(_text(data, "title", where), _text(data, "disclaimer", where), tuple(steps))


def at(routine: Routine, elapsed_s: float) -> tuple[int, float] | None:
    """(index of the step on at `elapsed_s`, its seconds left), or None once the routine is over."""
    start = 0.0
    for i, step in enumerate(routine.steps):
        if elapsed_s < start + step.seconds:
            return i, start + step.seconds - elapsed_s
        start += step.seconds
    return None
