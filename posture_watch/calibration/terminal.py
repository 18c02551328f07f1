"""The wizard's terminal flow: text prompts, a countdown and a live one-line readout.

On a terminal the readout line is rewritten in place (carriage return) a few times a second;
when the output is not a terminal (a pipe, a log), only the prompts and results are printed, one
per line. Questions are asked only when both input and output are terminals; otherwise the
default answer is taken, so scripts and CI never hang.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from posture_watch.calibration import steps as ws
from posture_watch.core.domain import Detection, Frame


class TerminalUI:
    def __init__(self, out: TextIO | None = None, inp: TextIO | None = None, refresh_s: float = 0.2) -> None:
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin
        self.cancelled = False
        self.config = ws.WizardConfig()
        self.live = False
        self._tty = bool(getattr(self.out, "isatty", lambda: False)())
        self._interactive = self._tty and bool(getattr(self.inp, "isatty", lambda: False)())
        self._refresh_s = refresh_s
        self._last_line_at = 0.0
        self._line_open = False
        self._last_countdown: int | None = None
        self._last_phase: tuple | None = None   # a new step or phase always shows its first readout

    # --- output helpers -------------------------------------------------------------------------
    def _end_line(self) -> None:
        if self._line_open:
            self.out.write("\r\033[K")
            self._line_open = False

    def say(self, text: str = "") -> None:
        self._end_line()
        self.out.write(text + "\n")
        self.out.flush()

    def _status(self, text: str, force: bool = False) -> None:
        if not self._tty:
            return
        now = time.monotonic()
        if now - self._last_line_at < self._refresh_s and not force:
            return
        self._last_line_at = now
        width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
        self.out.write("\r\033[K" + text[:width])
        self.out.flush()
        self._line_open = True

    # --- WizardUI ---------------------------------------------------------------------------------
    def begin(self, description: str, live: bool, config: ws.WizardConfig) -> None:
        self.config, self.live = config, live
        self.say(f"Calibrating with the {description}." + ("" if live else
                 " (A recording: each step uses the next seconds of it.)"))
        self.say("Press Ctrl-C at any time to stop; nothing is saved until the end.")

    def effects(self, effects: list[ws.Effect], state: ws.WizardState) -> None:
        for e in effects:
            if isinstance(e, ws.Prompt):
                n, of = ws.step_number(e.step, self.config)
                length = f" ({e.duration_s:g} s)" if e.duration_s else ""
                again = f", attempt {e.attempt}" if e.attempt > 1 else ""
                self.say()
                self.say(f"Step {n} of {of}: {e.title}{length}{again}")
                self.say(f"  {e.text}")
                self._last_countdown = None
            elif isinstance(e, ws.Redo):
                self.say(f"  Again, please: {e.reason}")
            elif isinstance(e, ws.StepDone):
                self.say(f"  Done ({e.samples} samples)." + (f" {e.note}" if e.note else ""))
            elif isinstance(e, ws.Failed):
                self._end_line()   # the reason itself is the command's one-sentence error (stderr)

    def update(self, frame: Frame, detection: Detection, sample: ws.Sample, state: ws.WizardState,
               effects: list[ws.Effect]) -> None:
        self.effects(effects, state)
        if state.finished:
            return
        phase, left = ws.progress(state, sample.t_s, self.config)
        if not self._tty and phase == "settle" and left is not None and self.live:
            count = int(left) + 1
            if count != self._last_countdown:
                self._last_countdown = count
                self.say(f"  {count}...")
        key = (state.step, state.attempt, phase)
        self._status("  " + ws.live_readout(state, sample, self.config), force=key != self._last_phase)
        self._last_phase = key

    @property
    def interactive(self) -> bool:
        """Someone can answer questions (a terminal on both ends)."""
        return self._interactive

    def ask(self, question: str, default: str) -> str:
        if not self._interactive:
            return default
        self._end_line()
        self.out.write(f"{question} [{default}]: ")
        self.out.flush()
        line = self.inp.readline()
        if not line:
            return default
        answer = line.strip()
        return answer if answer else default

    def finish(self, lines: list[str]) -> None:
        self.say()
        for line in lines:
            self.say(line)

    def close(self) -> None:
        self._end_line()
        self.out.flush()
