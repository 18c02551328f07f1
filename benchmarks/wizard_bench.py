"""Calibration wizard timings (numbers, not pass/fail).

    .venv/bin/python benchmarks/wizard_bench.py

For the good sample clip and for each bad set-up made from it (the same variants the tests make),
runs the wizard's step engine in-process on the recorded source with the real pose model and the
terminal UI writing to memory, and prints: the outcome, how many seconds of SOURCE it took to
reach it (what a user in front of a camera would wait), the samples fed to the engine, and the
CPU and wall time per sample (pose model + careful second look + geometry + checks).
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import wizard_clips as clips  # noqa: E402
from posture_watch.io import models  # noqa: E402
from posture_watch.calibration import steps as ws  # noqa: E402
from posture_watch.core.errors import CaptureRejected  # noqa: E402
from posture_watch.io.pose import PoseEstimator  # noqa: E402
from posture_watch.io.sources import VideoFileSource  # noqa: E402
from posture_watch.calibration.wizard import FILE_SETTLE_S, run_steps  # noqa: E402
from posture_watch.calibration.terminal import TerminalUI  # noqa: E402


class CountingUI(TerminalUI):
    def __init__(self) -> None:
        super().__init__(out=io.StringIO())
        self.samples = 0
        self.last_t = 0.0

    def update(self, frame, detection, sample, state, effects) -> None:
        self.samples += 1
        self.last_t = sample.t_s
        super().update(frame, detection, sample, state, effects)


def run_one(path: Path, model: Path) -> tuple[str, float, int, float, float]:
    cfg = ws.WizardConfig(settle_s=FILE_SETTLE_S)
    ui = CountingUI()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with VideoFileSource(path) as src, PoseEstimator(model) as est:
        try:
            run_steps(src, est, ui, cfg)
            outcome = "profile"
        except CaptureRejected as exc:
            outcome = f"refused: {exc}"
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    n = max(ui.samples, 1)
    return outcome, ui.last_t, ui.samples, 1000 * cpu / n, 1000 * wall / n


def main() -> int:
    model = models.ensure("lite")
    whole = ROOT / "sample_videos" / "calibration.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        src = clips.upright_part(whole, d / "upright.mp4")   # the bad set-ups: someone sitting upright
        cases = {
            "good (calibration.mp4)": whole,
            "darkened to 6%": clips.darkened(src, d / "dark.mp4"),
            "top third only": clips.top_third(src, d / "top.mp4"),
            "two people side by side": clips.side_by_side(src, d / "pair.mp4"),
            "person gone": clips.person_gone(src, d / "gone.mp4"),
            "heavy motion": clips.heavy_motion(src, d / "motion.mp4"),
        }
        for name in ("two_people.mp4", "empty_room.mp4"):
            if (ROOT / "sample_videos" / name).exists():
                cases[name] = ROOT / "sample_videos" / name
        print(f"{'case':<26} {'source s':>8} {'samples':>7} {'CPU ms/sample':>13} {'wall ms/sample':>14}  outcome")
        for name, path in cases.items():
            outcome, t, n, cpu, wall = run_one(path, model)
            print(f"{name:<26} {t:8.1f} {n:7d} {cpu:13.0f} {wall:14.0f}  {outcome[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
