"""The calibration wizard's step engine, shared by the preview window and the terminal flow.

Pure, after the engine pattern: `advance(state, sample, config) -> (state, effects)` and
`end_of_source(state, config) -> (state, effects)`. A sample is one measured frame (its
Metrics and its set-up observation); time is the sample's own `t_s` (source time for a file,
seconds since open for a camera), so a recorded source drives the same steps as a live camera:
a step that asks the user to change posture simply uses the next seconds of the source.

Steps:
  setup          the set-up check (`setup_checks.evaluate`) must pass over `setup_window_s`;
                 gives up after `setup_timeout_s` with the advice for the commonest problem.
  upright        sit upright for `upright_s`; the capture is then checked for stability
                 and the set-up problems (`capture_checks.capture_problem`, the same checks as the
                 scripted calibration); if it fails, the step
                 is redone with the reason, at most `max_redos` times.
  range_screen   look at the bottom edge of the screen for `range_screen_s`,
  range_keyboard then at the keyboard for `range_keyboard_s`: reading is not slouching.
  slouch         (optional) show your usual slouch for `slouch_s`.
  done / failed

Every step first waits `settle_s` (the person moves into the asked posture), which is shown but
not captured. Effects are values (`Prompt`, `Redo`, `StepDone`, `Failed`, `Finished`) for the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from posture_watch.calibration import setup_checks as sc
from posture_watch.calibration.calibrate import CalibrationConfig
from posture_watch.calibration.capture_checks import CaptureCheckConfig, Sample, capture_problem, movement  # noqa: F401

SETUP, UPRIGHT, RANGE_SCREEN, RANGE_KEYBOARD, SLOUCH, DONE, FAILED = (
    "setup", "upright", "range_screen", "range_keyboard", "slouch", "done", "failed")
CAPTURE_STEPS = (UPRIGHT, RANGE_SCREEN, RANGE_KEYBOARD, SLOUCH)

TITLES = {
    SETUP: "Set-up check",
    UPRIGHT: "Sit upright",
    RANGE_SCREEN: "Look at the bottom of the screen",
    RANGE_KEYBOARD: "Look at the keyboard",
    SLOUCH: "Show your usual slouch",
}
PROMPTS = {
    SETUP: "Sit where you usually work, facing the screen, with your head and both shoulders in the picture.",
    UPRIGHT: "Sit upright and comfortable, look at the middle of the screen, and keep still.",
    RANGE_SCREEN: "Keep sitting as you are and look at the bottom edge of your screen.",
    RANGE_KEYBOARD: "Now look down at your keyboard, as when you type.",
    SLOUCH: "Now slouch the way you usually do when you get tired, and hold it.",
}


@dataclass(frozen=True)
class WizardConfig:
    setup_window_s: float = 2.0     # the set-up check must pass over this much time
    setup_timeout_s: float = 30.0   # then give up with the advice of the commonest problem
    upright_s: float = 8.0          # N seconds of upright posture: ~40 samples for a robust median and MAD
    range_screen_s: float = 3.0
    range_keyboard_s: float = 3.0
    slouch_s: float = 4.0
    settle_s: float = 1.0           # after each prompt: moving into the posture, not captured
    max_redos: int = 2              # upright redone at most this often, then the reason is final
    min_range_present_frac: float = 0.5   # a range/slouch step with fewer present samples is dropped
    min_optional_s: float = 1.0     # a range/slouch step cut short by the end of the source keeps
                                    # what it has if it spans at least this much
    include_slouch: bool = True
    sample_hz: float = 5.0          # samples per second the runner feeds in (at most): ~40 in the upright step
    setup: sc.SetupConfig = field(default_factory=sc.SetupConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)
    checks: CaptureCheckConfig = field(default_factory=CaptureCheckConfig)   # the upright capture's limits


# --- effects (what the UI should show or do) --------------------------------------------------

@dataclass(frozen=True)
class Prompt:
    step: str
    title: str
    text: str
    duration_s: float | None       # None for the open-ended set-up check
    attempt: int = 1


@dataclass(frozen=True)
class Redo:
    step: str
    reason: str
    attempt: int


@dataclass(frozen=True)
class StepDone:
    step: str
    samples: int
    note: str = ""


@dataclass(frozen=True)
class Failed:
    reason: str                     # one sentence with the fix


@dataclass(frozen=True)
class Finished:
    captures: dict[str, tuple[Sample, ...]]     # step -> its captured samples (present person only
    notes: tuple[str, ...]                      # for the optional steps)


Effect = Prompt | Redo | StepDone | Failed | Finished


@dataclass(frozen=True)
class WizardState:
    step: str = SETUP
    step_start_t: float | None = None    # set by the first sample of the step
    attempt: int = 1
    window: tuple[Sample, ...] = ()      # setup: the recent window; capture steps: the captured samples
    captures: dict[str, tuple[Sample, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    last_advice: str = ""
    failure: str = ""
    setup_seen: tuple[sc.SetupObservation, ...] = ()   # every set-up observation, for the final advice

    @property
    def finished(self) -> bool:
        return self.step in (DONE, FAILED)


def start(config: WizardConfig = WizardConfig()) -> tuple[WizardState, list[Effect]]:
    """The initial state and the first prompt."""
    return WizardState(), [Prompt(SETUP, TITLES[SETUP], PROMPTS[SETUP], None)]


def _duration(step: str, cfg: WizardConfig) -> float:
    return {UPRIGHT: cfg.upright_s, RANGE_SCREEN: cfg.range_screen_s, RANGE_KEYBOARD: cfg.range_keyboard_s,
            SLOUCH: cfg.slouch_s}[step]


def _next_step(step: str, cfg: WizardConfig) -> str:
    order = [SETUP, UPRIGHT, RANGE_SCREEN, RANGE_KEYBOARD] + ([SLOUCH] if cfg.include_slouch else []) + [DONE]
    return order[order.index(step) + 1]


def _enter(state: WizardState, step: str, cfg: WizardConfig, effects: list[Effect],
           attempt: int = 1) -> WizardState:
    if step == DONE:
        effects.append(Finished(dict(state.captures), state.notes))
        return replace(state, step=DONE, step_start_t=None, window=())
    effects.append(Prompt(step, TITLES[step], PROMPTS[step], _duration(step, cfg), attempt))
    return replace(state, step=step, step_start_t=None, attempt=attempt, window=())


def progress(state: WizardState, t_s: float, cfg: WizardConfig) -> tuple[str, float | None]:
    """(phase, seconds left) for a UI: phase is 'settle' (getting into position), 'capture' or 'check'."""
    if state.step == SETUP or state.step_start_t is None:
        return "check", None
    elapsed = t_s - state.step_start_t
    if state.step in CAPTURE_STEPS:
        if elapsed < cfg.settle_s:
            return "settle", cfg.settle_s - elapsed
        return "capture", max(0.0, cfg.settle_s + _duration(state.step, cfg) - elapsed)
    return "check", None


def advance(state: WizardState, sample: Sample, config: WizardConfig = WizardConfig()) -> tuple[WizardState, list[Effect]]:
    """Pure: feed one sample; returns the new state and what the UI should show."""
    cfg = config
    effects: list[Effect] = []
    if state.finished:
        return state, effects
    if state.step_start_t is None:
        state = replace(state, step_start_t=sample.t_s)
    if state.step == SETUP:
        return _setup(state, sample, cfg, effects)
    elapsed = sample.t_s - state.step_start_t
    if elapsed < cfg.settle_s:
        return state, effects
    state = replace(state, window=state.window + (sample,))
    if elapsed >= cfg.settle_s + _duration(state.step, cfg) - 1e-9:
        return _close_step(state, cfg, effects, complete=True)
    return state, effects


def end_of_source(state: WizardState, config: WizardConfig = WizardConfig()) -> tuple[WizardState, list[Effect]]:
    """The source ended: finish with what was captured, or fail if the upright capture is incomplete."""
    cfg = config
    effects: list[Effect] = []
    if state.finished:
        return state, effects
    if state.step == SETUP:
        verdict = sc.evaluate(state.setup_seen, cfg.setup)
        reason = verdict.advice or state.last_advice
        if not state.setup_seen:
            reason = "The source ended before anyone could be seen; check the camera or the file and try again."
        elif verdict.ok or not reason:
            reason = "The source ended during the set-up check; give a longer recording or use the camera."
        return _fail(state, reason, effects)
    if state.step == UPRIGHT:
        if state.last_advice and state.attempt > 1:
            return _fail(state, state.last_advice, effects)   # the reason of the redo still stands
        return _fail(state, f"The source ended before {cfg.upright_s:g} seconds of upright posture were "
                            "captured; give a longer recording (or a larger --seconds) and try again.", effects)
    return _close_step(state, cfg, effects, complete=False)


def _fail(state: WizardState, reason: str, effects: list[Effect]) -> tuple[WizardState, list[Effect]]:
    effects.append(Failed(reason))
    return replace(state, step=FAILED, failure=reason), effects


def _setup(state: WizardState, sample: Sample, cfg: WizardConfig, effects: list[Effect]) -> tuple[WizardState, list[Effect]]:
    window = tuple(s for s in state.window if s.t_s > sample.t_s - cfg.setup_window_s - 1e-9) + (sample,)
    verdict = sc.evaluate([s.setup for s in window], cfg.setup)
    state = replace(state, window=window, last_advice=verdict.advice or state.last_advice,
                    setup_seen=state.setup_seen + (sample.setup,))
    spans = window[-1].t_s - window[0].t_s >= cfg.setup_window_s * 0.9 - 1e-9
    if spans and verdict.ok:
        effects.append(StepDone(SETUP, len(window)))
        return _enter(state, UPRIGHT, cfg, effects), effects
    assert state.step_start_t is not None
    if sample.t_s - state.step_start_t >= cfg.setup_timeout_s:
        overall = sc.evaluate(state.setup_seen, cfg.setup)   # the commonest problem of the whole check
        advice = overall.advice or verdict.advice or "The set-up check did not pass; make sure you alone sit in the middle of the picture."
        return _fail(state, advice, effects)
    return state, effects


def upright_problem(samples: Sequence[Sample], cfg: WizardConfig) -> str | None:
    """Pure: why this upright capture cannot be a baseline (one sentence), or None: the checks
    shared with the scripted calibration (capture_checks.capture_problem)."""
    return capture_problem(samples, cfg.checks, cfg.calibration)


def _close_step(state: WizardState, cfg: WizardConfig, effects: list[Effect],
                complete: bool) -> tuple[WizardState, list[Effect]]:
    step, samples = state.step, state.window
    if step == UPRIGHT:
        reason = upright_problem(samples, cfg)
        if reason is not None:
            if state.attempt > cfg.max_redos:
                return _fail(state, reason, effects)
            effects.append(Redo(UPRIGHT, reason, state.attempt + 1))
            state = replace(state, last_advice=reason)
            return _enter(state, UPRIGHT, cfg, effects, attempt=state.attempt + 1), effects
        captures = {**state.captures, UPRIGHT: tuple(samples)}
        effects.append(StepDone(UPRIGHT, len(samples)))
        return _enter(replace(state, captures=captures), _next_step(step, cfg), cfg, effects), effects
    # optional steps: keep what is usable, note what is not
    present = [s for s in samples if s.metrics.person_present]
    span = samples[-1].t_s - samples[0].t_s if len(samples) > 1 else 0.0
    note = ""
    captures = dict(state.captures)
    if not samples or (not complete and span < cfg.min_optional_s):
        note = f"{TITLES[step]}: skipped (the source ended)."
    elif len(present) < cfg.min_range_present_frac * len(samples) or len(present) < 3:
        note = f"{TITLES[step]}: skipped (you were not in view)."
    else:
        captures[step] = tuple(present)
    effects.append(StepDone(step, len(present), note))
    state = replace(state, captures=captures, notes=state.notes + ((note,) if note else ()))
    if not complete:
        later, nxt = [], _next_step(step, cfg)
        while nxt != DONE:
            later.append(f"{TITLES[nxt]}: skipped (the source ended).")
            nxt = _next_step(nxt, cfg)
        return _enter(replace(state, notes=state.notes + tuple(later)), DONE, cfg, effects), effects
    return _enter(state, _next_step(step, cfg), cfg, effects), effects


# --- what the UIs show while a step runs (pure) ------------------------------------------------

def step_number(step: str, cfg: WizardConfig) -> tuple[int, int]:
    """(n, of) for "step n of N" (the summary counts as the last step)."""
    order = [SETUP, UPRIGHT, RANGE_SCREEN, RANGE_KEYBOARD] + ([SLOUCH] if cfg.include_slouch else [])
    n = order.index(step) + 1 if step in order else len(order) + 1
    return n, len(order) + 1


def upright_reference(state: WizardState) -> float | None:
    """The median head height (head_drop_ratio) of the upright capture, once there is one."""
    values = [v for s in state.captures.get(UPRIGHT, ()) if (v := s.metrics.get("head_drop_ratio")) is not None]
    return float(np.median(values)) if values else None


def steadiness(samples: Sequence[Sample], last_s: float = 2.0) -> float | None:
    """Robust spread of the head position over the last `last_s` seconds, in % of the body size (the
    stillness check's own measure, capture_checks.movement), or None with too few samples."""
    if not samples:
        return None
    t_end = samples[-1].t_s
    return movement([s for s in samples if s.t_s >= t_end - last_s])[0]


def live_readout(state: WizardState, sample: Sample, cfg: WizardConfig) -> str:
    """The one-line live readout: phase and time left, the current measure, and what is wrong now."""
    phase, left = progress(state, sample.t_s, cfg)
    parts = []
    if state.step == SETUP:
        parts.append("checking")
    elif phase == "settle" and left is not None:
        parts.append(f"get ready {left:3.1f} s")
    elif left is not None:
        parts.append(f"capturing {left:3.1f} s left")
    m = sample.metrics
    if not m.person_present:
        parts.append(sc.readout(sample.setup))
    else:
        hd = m.get("head_drop_ratio")
        ref = upright_reference(state)
        if hd is not None and ref:
            parts.append(f"head height {100 * hd / ref:3.0f}% of upright")
        elif hd is not None:
            parts.append(f"head height {hd:.2f} shoulder widths")
        elif (cva := m.get("cva_deg")) is not None:
            parts.append(f"neck angle {cva:.0f}°")
        sw = m.get("shoulder_width_frac")
        if sw is not None:
            parts.append(f"shoulders {100 * sw:.0f}% of the width")
        if state.step == UPRIGHT and phase == "capture":
            spread = steadiness(state.window)
            if spread is not None:
                parts.append("steady" if spread < 0.5 * cfg.checks.max_move_pct else "moving")
    problem = sample.setup.problems[0] if sample.setup.problems else None
    if problem and state.step == SETUP:
        parts.append(f"! {sc.ADVICE[problem]}")
    return " | ".join(parts)
