"""`posture-watch calibrate --non-interactive`: the whole source (or its first N seconds) is the upright capture.

`posture-watch calibrate --source SRC --profile PATH --non-interactive [--seconds N]` refuses an unusable
capture with one sentence of advice (exit 2, no profile written: the very checks the wizard's upright
step runs, capture_checks.capture_problem), and otherwise saves the profile and prints the thresholds
it chose, as the wizard does. Built on calibrate.py (capture, build_profile), capture_checks.py and
summary.py; the wizard hands it `--non-interactive` (wizard.cmd_calibrate).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from posture_watch.calibration.calibrate import CalibrationConfig, build_profile, capture
from posture_watch.calibration.capture_checks import CaptureCheckConfig, capture_notes, capture_problem, sample_of
from posture_watch.calibration.summary import summary_text
from posture_watch.core.errors import CaptureRejected, UserError
from posture_watch.core.profile import Profile, with_field
from posture_watch.io.profile_files import save_profile

log = logging.getLogger(__name__)


def calibrate_from_source(source: Any, estimator: Any, seconds: float | None = None,
                          config: CalibrationConfig = CalibrationConfig(), camera: str | None = None,
                          checks: Any = None, notes: list[str] | None = None) -> Profile:
    """Non-interactive calibration: the whole source (or its first `seconds`) is the upright capture.
    Raises CaptureRejected with one sentence of advice when the capture is unusable: the very checks
    the wizard's upright step runs (capture_checks.capture_problem)."""
    samples: list[Any] = []
    metrics = capture(source, estimator, seconds=seconds, sample_hz=config.sample_hz, max_samples=config.max_samples,
                      second_look_every=config.second_look_every,
                      on_frame=lambda frame, detection, m: samples.append(sample_of(frame.t_s, frame.image, detection, m)))
    problem = capture_problem(samples, checks or CaptureCheckConfig(), config)
    if problem is not None:
        raise CaptureRejected(problem)
    if notes is not None:
        notes.extend(capture_notes(samples))   # usable, but a dim or backlit picture is said
    name = camera if camera is not None else getattr(source, "description", "")
    profile = build_profile(metrics, camera=name)
    return with_field(profile, num_poses=getattr(estimator, "num_poses", profile.num_poses))  # the mode it was measured in


def cmd_calibrate(args: Any) -> int:
    """`posture-watch calibrate --non-interactive`: the whole source (or its first --seconds) is the
    upright capture; the profile goes to --profile, or is stored as the named profile in use
    (--name, default "default"). A refused capture writes nothing and exits 2 (CaptureRejected).
    `calibrate` without --non-interactive is the wizard's (`wizard.cmd_calibrate` hands this one the
    scripted case; nothing here calls back into the wizard)."""
    from posture_watch.io.config import config_for
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.io.sources import open_source

    cfg = config_for(args)
    spec = args.source if args.source is not None else cfg.camera
    out = Path(args.profile).expanduser() if args.profile else None
    if out is not None and out.is_dir():
        raise UserError(f"The profile path {out} is a folder; give a file path with --profile.")
    name = None
    if out is None:
        from posture_watch.io import profile_store
        name = profile_store.validate_name(getattr(args, "name", None) or "default")
    source = open_source(spec, fps=getattr(args, "fps", None))
    with source:
        if getattr(source, "live", False) and args.seconds is None:
            raise UserError("A camera needs a duration for non-interactive calibration; add --seconds 10.")
        from posture_watch.io import models

        # fetched like `run` and `analyze` do (with the progress bar) when it is not here yet
        with PoseEstimator(models.ensure(cfg.model_variant), variant=cfg.model_variant) as estimator:
            notes: list[str] = []
            profile = calibrate_from_source(source, estimator, seconds=args.seconds, camera=str(spec), notes=notes)
    if out is not None:
        written = save_profile(profile, out)
    else:
        from posture_watch.io import profile_store
        written = profile_store.save_named(profile, name or "default", use=True)
    log.info("profile written to %s", written)
    print(f"Calibrated on {profile.samples} samples ({profile.view} view); profile written to {written}.")
    for line in [*notes, *summary_text(profile, name or written.stem, cfg.section("judge"))[1:],
                 *CaptureCheckConfig().lines()]:
        print(line)
    return 0
