"""Development only: a profile from a calibration clip WITHOUT the capture checks.

    python benchmarks/force_profile.py CAL.mp4 PROFILE.json

The same capture and profile as `posture-watch calibrate --source CAL --profile P --non-interactive`
(calibrate.capture at the scripted sample rate, build_profile, the estimator's pose mode), minus
capture_checks.capture_problem: so that `accuracy.py --section footage --force-calibration` can
score the judge on a case whose calibration is still refused. Never a user's path.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_watch.calibration.calibrate import CalibrationConfig, build_profile, capture  # noqa: E402
from posture_watch.core.profile import with_field  # noqa: E402
from posture_watch.io import models  # noqa: E402
from posture_watch.io.pose import PoseEstimator  # noqa: E402
from posture_watch.io.profile_files import save_profile  # noqa: E402
from posture_watch.io.sources import open_source  # noqa: E402


def main(argv: list[str]) -> int:
    cal, out = argv
    cfg = CalibrationConfig()
    with open_source(cal) as source, PoseEstimator(models.ensure()) as estimator:
        metrics = capture(source, estimator, sample_hz=cfg.sample_hz, max_samples=cfg.max_samples,
                          second_look_every=cfg.second_look_every)
        profile = with_field(build_profile(metrics, camera=cal), num_poses=estimator.num_poses)
    save_profile(profile, Path(out))
    print(f"forced profile ({profile.view} view, {profile.samples} samples) written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
