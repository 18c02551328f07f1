"""`posture-watch calibrate` (interactive): the guided set-up, run by one step engine
(`steps`) through either a preview window (with a display) or the terminal.

    FrameSource -> PoseEstimator (+ a careful second look for another person during the set-up
    and the upright capture) -> geometry.measure -> setup_checks.observe -> steps.advance
    -> UI (preview window or terminal) ; at the end: summary.make_profile -> profile_store
    -> summary_image next to the profile.

With a recorded source (`--source FILE`) the same steps run on the file: a step that asks for
another posture uses the next seconds of the file. `--non-interactive` is handed to
`scripted.cmd_calibrate`; `--check` to `check.cmd_check`.
"""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from posture_watch.io import profile_store
from posture_watch.calibration import steps as ws
from posture_watch.calibration.capture_checks import sample_of
from posture_watch.core.domain import Detection, Frame
from posture_watch.core.errors import CaptureRejected, UserError
from posture_watch.io.interrupts import DeferredInterrupt
from posture_watch.core.profile import Profile
from posture_watch.io.profile_files import load_profile, refuse_to_replace_other_files, save_profile

log = logging.getLogger(__name__)

LIVE_SETTLE_S = 3.0        # a person needs about 3 s to read a prompt and change posture
FILE_SETTLE_S = 0.5        # a recording made by following the prompts: skip the transition
CAREFUL_LOOK_EVERY = 3     # during the upright capture, look carefully for a second person every 3rd sample


class WizardCancelled(UserError):
    exit_code = 1


class WizardUI(Protocol):
    cancelled: bool

    def begin(self, description: str, live: bool, config: ws.WizardConfig) -> None: ...
    def effects(self, effects: list[ws.Effect], state: ws.WizardState) -> None: ...
    def update(self, frame: Frame, detection: Detection, sample: ws.Sample, state: ws.WizardState,
               effects: list[ws.Effect]) -> None: ...
    def ask(self, question: str, default: str) -> str: ...
    def finish(self, lines: list[str]) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class WizardResult:
    profile: Profile
    path: Path
    image_path: Path | None
    name: str | None
    lines: tuple[str, ...]


def run_steps(source, estimator, ui: WizardUI, config: ws.WizardConfig,
              until_s: float | None = None, guard: "DeferredInterrupt | None" = None) -> ws.Finished:
    """Drive the step engine with an open source. Returns the captures, or raises CaptureRejected
    (one sentence of advice) when the wizard fails, WizardCancelled when the user quits."""
    from posture_watch.core.geometry import measure
    from posture_watch.io.pose import quiet_native_stderr

    state, effects = ws.start(config)
    ui.effects(effects, state)
    next_t, n = 0.0, 0
    finished: ws.Finished | None = None
    while not state.finished:
        if guard is not None:
            guard.check()     # Ctrl-C acts here, between frames, never inside MediaPipe or OpenCV
        frame = source.read(next_t)
        if frame is None or (until_s is not None and frame.t_s > until_s + 1e-9):
            state, effects = ws.end_of_source(state, config)
            ui.effects(effects, state)
        else:
            next_t = frame.t_s + 1.0 / config.sample_hz - 1e-6
            careful = state.step == ws.SETUP or (state.step == ws.UPRIGHT and n % CAREFUL_LOOK_EVERY == 0)
            with quiet_native_stderr():   # MediaPipe's native warnings must not break the readout line
                detection = estimator.detect(frame)
                if careful:
                    detection = estimator.look_for_others(frame, detection)
            sample = sample_of(frame.t_s, frame.image, detection, measure(detection), config.setup)
            state, effects = ws.advance(state, sample, config)
            ui.update(frame, detection, sample, state, effects)
            n += 1
        if ui.cancelled:
            raise WizardCancelled("Calibration cancelled; no profile was written.")
        for effect in effects:
            if isinstance(effect, ws.Failed):
                raise CaptureRejected(effect.reason)
            if isinstance(effect, ws.Finished):
                finished = effect
    assert finished is not None
    return finished


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def make_ui(args: argparse.Namespace):
    """The preview window when there is a display (and it opens), else the terminal."""
    from posture_watch.calibration.terminal import TerminalUI

    if has_display() and not getattr(args, "terminal", False):
        try:
            from posture_watch.calibration.preview import PreviewUI
            ui = PreviewUI()
            log.info("calibrating in the preview window")
            return ui
        except Exception as exc:   # noqa: BLE001 - no usable GUI backend: the terminal flow works everywhere
            log.info("no preview window (%s); using the terminal", exc)
    return TerminalUI()


def _choose_name(args: argparse.Namespace, ui: WizardUI, camera: str) -> str | None:
    """The profile name: --name, else (no --profile) the name the user types, defaulting to the
    profile already used for this camera (recalibrating replaces it) or 'default'."""
    if getattr(args, "profile", None):
        return args.name
    if args.name:
        name = profile_store.validate_name(args.name)
        if not _may_replace(args, ui, name):
            raise UserError(f"Nothing saved: the profile '{name}' was kept; choose another --name.")
        return name
    state = profile_store.read_state()
    default = state.camera_map().get(profile_store.camera_key(camera)) or state.default or "default"
    while True:
        answer = ui.ask("Save this profile under the name", default).strip() or default
        try:
            name = profile_store.validate_name(answer)
        except UserError as exc:
            if answer == default:
                raise
            ui.finish([str(exc)])
            continue
        if _may_replace(args, ui, name):
            return name
        default = _free_name(name)


def _may_replace(args: argparse.Namespace, ui: WizardUI, name: str) -> bool:
    """A profile `name` exists: ask before replacing it (the old one is kept as a backup either way).
    Without anyone to ask (no terminal) or with --yes, replace it."""
    path = profile_store.profile_path(name)
    if not path.exists() or getattr(args, "yes", False) or not getattr(ui, "interactive", False):
        return True
    try:
        old = load_profile(path)
        about = f"made {old.created_at[:10]} with {old.camera or 'a camera'} at {old.resolution[0]}x{old.resolution[1]}"
    except UserError:
        about = "unreadable"
    answer = ui.ask(f"A profile named '{name}' already exists ({about}). Replace it (the old one is kept "
                    "as a backup)? y/n", "n")
    return answer.strip().lower().startswith("y")


def _free_name(name: str) -> str:
    n = 2
    while profile_store.profile_path(f"{name}-{n}").exists():
        n += 1
    return f"{name}-{n}"


def save_result(profile: Profile, name: str | None, explicit: str | None, captures, notes: list[str],
                judge_config) -> WizardResult:
    from posture_watch.calibration.summary_image import render_summary, write_png
    from posture_watch.calibration.summary import summary_text

    if explicit:
        path = Path(explicit).expanduser()
        if path.is_dir():
            raise UserError(f"The profile path {path} is a folder; give a file path with --profile.")
        save_profile(profile, path)
    else:
        assert name is not None
        replaced = profile_store.profile_path(name).exists()
        path = profile_store.save_named(profile, name)
        if replaced:
            notes = [*notes, f"The profile '{name}' it replaces is kept in {profile_store.backups_dir()}."]
    label = name or path.stem
    lines = summary_text(profile, label, judge_config, notes)
    image_path: Path | None = profile_store.summary_image_path(path)
    try:
        write_png(render_summary(profile, captures.get(ws.UPRIGHT, ()), label, judge_config, notes), image_path)
    except OSError as exc:
        log.warning("could not write the summary picture %s (%s)", image_path, exc)
        image_path = None
    return WizardResult(profile, path, image_path, name, tuple(lines))


def wizard_config(args: argparse.Namespace, live: bool, duration_s: float | None = None) -> ws.WizardConfig:
    """The step lengths for this run. A short recording (like a 10 s calibration clip) gets an
    upright step that fits it, down to the capture checks' min_capture_s, unless --upright-seconds says otherwise."""
    cfg = ws.WizardConfig(settle_s=LIVE_SETTLE_S if live else FILE_SETTLE_S)
    if getattr(args, "upright_seconds", None):
        cfg = replace(cfg, upright_s=float(args.upright_seconds))
    elif not live and duration_s:
        room = duration_s - cfg.setup_window_s - cfg.settle_s - 2.0 / cfg.sample_hz
        if room < cfg.upright_s:
            cfg = replace(cfg, upright_s=max(cfg.checks.min_capture_s, round(room, 1)))
    if getattr(args, "no_slouch", False):
        cfg = replace(cfg, include_slouch=False)
    return cfg


def cmd_wizard(args: argparse.Namespace) -> int:
    """The interactive calibration (see the module docstring)."""
    from posture_watch.io.config import config_for
    from posture_watch.io.sources import open_source

    cfg = config_for(args)
    spec = args.source if args.source is not None else cfg.camera
    if getattr(args, "profile", None):
        refuse_to_replace_other_files(args.profile)   # a folder, or a file that is not a profile
    if args.name:
        profile_store.validate_name(args.name)
    judge_config = cfg.section("judge")
    source = open_source(spec, fps=getattr(args, "fps", None))
    with DeferredInterrupt() as guard:   # the model and the window close in order, whatever Ctrl-C does
        return _wizard(args, cfg, spec, judge_config, source, guard)


def _wizard(args: argparse.Namespace, cfg, spec, judge_config, source, guard: DeferredInterrupt) -> int:
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.calibration.summary import make_profile

    ui = None
    try:
        with source:   # a missing file or a busy camera fails here, in one sentence
            ui = make_ui(args)
            duration = source.duration_s
            if args.seconds is not None:
                duration = min(duration or args.seconds, args.seconds)
            config = wizard_config(args, source.live, duration)
            if config.include_slouch and not getattr(args, "no_slouch", False):
                with guard.immediate():
                    answer = ui.ask("Include the optional slouch step (it teaches a personal threshold)? y/n", "y")
                if answer.strip().lower().startswith("n"):
                    config = replace(config, include_slouch=False)
            ui.begin(source.description, source.live, config)
            from posture_watch.io import models

            # fetched like `run` and `analyze` do (with the progress bar) when it is not here yet
            with guard.immediate():   # (a download is Python: Ctrl-C may stop it at once)
                model_path = models.ensure(cfg.model_variant)
            with PoseEstimator(model_path, variant=cfg.model_variant) as estimator:
                finished = run_steps(source, estimator, ui, config, until_s=args.seconds, guard=guard)
        profile, notes = make_profile(finished.captures, camera=str(spec), config=judge_config)
        profile = replace(profile, num_poses=estimator.num_poses)  # the mode it was measured in
        notes = list(finished.notes) + notes
        with guard.immediate():
            name = _choose_name(args, ui, str(spec))
        result = save_result(profile, name, getattr(args, "profile", None), finished.captures, notes, judge_config)
        where = f"Profile saved to {result.path}"
        if result.image_path is not None:
            where += f" (summary picture: {result.image_path})"
        ui.finish([*result.lines, where + "."])
    finally:
        if ui is not None:
            ui.close()
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """`posture-watch calibrate`: --check, --non-interactive, or the wizard."""
    if getattr(args, "check", False):
        from posture_watch.calibration.check import cmd_check
        return cmd_check(args)
    stored_name = getattr(args, "profile", None)
    if stored_name and not args.name and profile_store.looks_like_name(stored_name) \
            and profile_store.profile_path(stored_name).exists():
        # `--profile desk` names the stored profile, as in `run` and `analyze` (profile_store.explicit_entry)
        args.name, args.profile = stored_name, None
    if getattr(args, "non_interactive", False):
        from posture_watch.calibration.scripted import cmd_calibrate as non_interactive
        return non_interactive(args)
    return cmd_wizard(args)

