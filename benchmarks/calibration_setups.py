"""The calibration verdict for each set-up, good and bad: printed, not pass/fail.

    python benchmarks/calibration_setups.py            # the table (about a minute on two cores)

Each row is a clip made in a temporary folder from the sample clips (tests/wizard_clips.py: the same
pixel transforms the wizard tests use) and calibrated by the command an outside script runs,
`posture-watch calibrate --source CLIP --profile P --non-interactive`; then the simulator's upright
stick figure (tests/kinematics.py) in each view, through the same capture checks. Nothing is read
from shared/; nothing is written outside the temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import kinematics as k  # noqa: E402
import wizard_clips as clips  # noqa: E402
from posture_watch.calibration import capture_checks as cc  # noqa: E402
from posture_watch.calibration import setup_checks as sc  # noqa: E402
from posture_watch.core.geometry import measure  # noqa: E402

SAMPLES = ROOT / "sample_videos"
# calibration.mp4 follows the wizard's prompts: upright first, then a look down and a slouch
UPRIGHT_S = f'{json.loads((SAMPLES / "calibration.labels.json").read_text())["segments"][0]["end_s"]:g}'


def _face_darkened(src: Path, out: Path, factor: float) -> Path:
    """The face box of every frame at `factor` of its brightness (found once on the first frame: the
    sample calibration clip holds still), the rest of the picture left alone."""
    from posture_watch.core.domain import Frame
    from posture_watch.io import models
    from posture_watch.io.pose import PoseEstimator

    frames, _ = clips._frames(src)
    with PoseEstimator(models.ensure("lite")) as estimator:
        det = estimator.detect(Frame(0.0, frames[0]))
    h, w = frames[0].shape[:2]
    x0, y0, x1, y1 = sc.head_box(det.poses[0], (w, h)) or (0, 0, 0, 0)

    def darker(i: int, f: np.ndarray) -> np.ndarray:
        f = f.copy()
        f[y0:y1, x0:x1] = (f[y0:y1, x0:x1] * factor).astype(np.uint8)
        return f
    return clips.transformed(src, out, darker)


def _still_photo(out: Path) -> Path:
    import cv2
    import skimage.data
    return clips.write_clip([cv2.cvtColor(skimage.data.camera(), cv2.COLOR_GRAY2BGR)] * 60, 10.0, out)


def _shrunk(src: Path, out: Path, by: int) -> Path:
    import cv2
    return clips.transformed(src, out, lambda i, f: cv2.resize(f, (f.shape[1] // by, f.shape[0] // by),
                                                              interpolation=cv2.INTER_AREA))


def clip_rows(d: Path) -> list[tuple[str, Path, str | None]]:
    """(set-up, clip, the words the refusal must hold, or None for accepted). Clips made from calibration.mp4
    are calibrated on its upright part (UPRIGHT_S), as the scripted command would be."""
    cal = SAMPLES / "calibration.mp4"
    return [
        ("upright, well lit (calibration.mp4, its upright part)", cal, None),
        ("another person upright (grace_calibration.mp4)", SAMPLES / "grace_calibration.mp4", None),
        ("face at half its brightness, room unchanged", _face_darkened(cal, d / "face50.mp4", 0.5), None),
        ("face at a third of its brightness, room unchanged", _face_darkened(cal, d / "face33.mp4", 0.33), None),
        ("person dimmed to 25 %, a white window round them", clips.backlit(cal, d / "backlit.mp4"), None),
        ("a still photo at an angle, held 6 s (cameraman)", _still_photo(d / "still.mp4"), None),
        ("a small figure: the upright clip at a sixth of its size", _shrunk(cal, d / "small.mp4", 6), None),
        ("nobody there (empty_room.mp4)", SAMPLES / "empty_room.mp4", "nobody"),
        ("lights off (6 % of the light)", clips.darkened(cal, d / "dark.mp4", 0.06), "too dark"),
        ("lights nearly off (10 % of the light)", clips.darkened(cal, d / "dark10.mp4", 0.10), "too dark"),
        ("head only, shoulders cut off", clips.top_third(cal, d / "top.mp4"), "shoulders"),
        ("two people side by side (two_people.mp4)", SAMPLES / "two_people.mp4", "two people"),
        ("shaking camera (60 px)", clips.shaken(cal, d / "shaken.mp4"), "moved too much"),
        ("moving about (heavy motion)", clips.heavy_motion(cal, d / "motion.mp4"), "moved too much"),
        ("upright, then leaning in and slouching (desk_session 0-100 s)", SAMPLES / "desk_session.mp4",
         "posture changed"),
    ]


def calibrate(clip: Path, home: Path, row: int, seconds: str | None) -> tuple[bool, str]:
    args = [sys.executable, "-m", "posture_watch", "calibrate", "--non-interactive", "--source", str(clip),
            "--profile", str(home / f"p{row}.json")]
    if seconds:
        args += ["--seconds", seconds]
    proc = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "POSTURE_WATCH_HOME": str(home)})
    if proc.returncode == 0:
        notes = [line for line in proc.stdout.splitlines()[1:2] if not line.startswith("  ")]
        return True, "accepted" + (f" ({notes[0]})" if notes else "")
    return False, proc.stderr.strip().splitlines()[-1].removeprefix("posture-watch: ")


def sim_rows() -> list[tuple[str, str | None, str]]:
    views = {"frontal": k.Camera("frontal", distance_m=0.6, height_m=-0.1, aim_drop_m=0.08),
             "side": k.SIDE, "three-quarter": k.Camera("oblique", distance_m=0.9, azimuth_deg=45.0),
             "side, whole body at 2.5 m (640x480)": k.Camera("side", distance_m=2.5, height_m=-0.1, hfov_deg=65.0,
                                                               image_size=(640, 480), aim_drop_m=0.4)}
    rows = []
    for name, cam in views.items():
        for shake in (0.0, 0.3):
            rng = np.random.default_rng(11)
            jolts = np.random.default_rng(3).uniform(-shake, shake, 60)
            samples, body = [], None
            for i in range(51):
                det = k.simulate(k.UPRIGHT, cam, t_s=i / 10, noise_px=0.4, rng=rng)
                m0 = measure(det)
                body = body or m0.get("body_size_frac") or 0.0
                det = k.nudged(det, shift=(float(jolts[i]) * body, 0.0))
                m = measure(det)
                samples.append(cc.Sample(i / 10, m, sc.observe(det, m, 120.0, 120.0), det.poses[0].landmarks))
            problem = cc.capture_problem(samples)
            rows.append((f"simulator, {name}, {'still' if not shake else 'shaking'}",
                         None if not shake else "moved too much", "accepted" if problem is None else problem))
    return rows


def main() -> int:
    print("Calibration verdict by set-up (calibrate --non-interactive on clips made from the sample videos; "
          "the simulator through the same capture checks)\n")
    print(f"| set-up | expected | verdict |\n|---|---|---|")
    wrong = 0
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for i, (name, clip, expected) in enumerate(clip_rows(d)):
            seconds = "100" if "desk_session" in name else None if clip.parent == SAMPLES or "photo" in name else UPRIGHT_S
            ok, verdict = calibrate(clip, d, i, seconds or (UPRIGHT_S if clip.name == "calibration.mp4" else None))
            right = (expected is None and ok) or (expected is not None and not ok and expected in verdict.lower())
            wrong += not right
            print(f"| {name} | {expected or 'accepted'} | {verdict}{'' if right else '  <-- WRONG'} |", flush=True)
    for name, expected, verdict in sim_rows():
        right = (expected is None and verdict == "accepted") or (expected is not None and expected in verdict.lower())
        wrong += not right
        print(f"| {name} | {expected or 'accepted'} | {verdict}{'' if right else '  <-- WRONG'} |")
    print(f"\n{wrong} verdict(s) differ from the expected one.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
