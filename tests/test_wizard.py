"""The calibration wizard: the pure step engine with simulated samples, then every step driven by
recorded sources (the sample clips and bad set-ups made from them), through the real CLI, a real
pseudo-terminal, and the preview rendering (and the window itself under Xvfb when it is there).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import kinematics as k
import wizard_clips as clips
from conftest import ROOT, assert_one_sentence_error, run_cli, sample
from posture_watch.calibration import setup_checks as sc
from posture_watch.calibration import steps as ws
from posture_watch.core.geometry import measure
from posture_watch.core.profile import SCHEMA_VERSION
from posture_watch.io.profile_files import load_profile
from posture_watch.calibration.summary import make_profile, thresholds

CAM = k.Camera("frontal", distance_m=0.6, height_m=-0.1, hfov_deg=70.0, image_size=(1280, 720), aim_drop_m=0.08)
CFG = ws.WizardConfig(settle_s=0.5)


# --- the pure step engine ----------------------------------------------------------------------

def make_sample(t: float, posture: k.Posture = k.UPRIGHT, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0,
                rng: np.random.Generator | None = None) -> ws.Sample:
    det = k.simulate(posture, CAM, t_s=t, noise_px=1.0, rng=rng)
    lm = det.poses[0].landmarks.copy()
    lm[:, 0] = 0.5 + (lm[:, 0] - 0.5) * scale + dx
    lm[:, 1] = 0.5 + (lm[:, 1] - 0.5) * scale + dy
    det = replace(det, poses=(replace(det.poses[0], landmarks=lm),))
    m = measure(det)
    return ws.Sample(t, m, sc.observe(det, m, 120.0, 120.0), lm)


def feed(samples, cfg: ws.WizardConfig = CFG, end: bool = True):
    state, effects = ws.start(cfg)
    for s in samples:
        state, eff = ws.advance(state, s, cfg)
        effects += eff
        if state.finished:
            return state, effects
    if end:
        state, eff = ws.end_of_source(state, cfg)
        effects += eff
    return state, effects


def steady(seconds: float, t0: float = 0.0, hz: float = 6.0, posture: k.Posture = k.UPRIGHT):
    rng = np.random.default_rng(1)
    return [make_sample(t0 + i / hz, posture, rng=rng) for i in range(int(seconds * hz))]


def test_a_steady_person_goes_through_every_step():
    state, effects = feed(steady(40))
    prompts = [e.step for e in effects if isinstance(e, ws.Prompt)]
    assert prompts == [ws.SETUP, ws.UPRIGHT, ws.RANGE_SCREEN, ws.RANGE_KEYBOARD, ws.SLOUCH]
    assert state.step == ws.DONE
    finished = [e for e in effects if isinstance(e, ws.Finished)]
    assert len(finished) == 1
    captures = finished[0].captures
    assert set(captures) == {ws.UPRIGHT, ws.RANGE_SCREEN, ws.RANGE_KEYBOARD, ws.SLOUCH}
    n_upright = len(captures[ws.UPRIGHT])
    assert 6 * CFG.upright_s - 2 <= n_upright <= 6 * CFG.upright_s + 2


def test_the_slouch_step_can_be_left_out():
    state, effects = feed(steady(40), replace(CFG, include_slouch=False))
    assert ws.SLOUCH not in [e.step for e in effects if isinstance(e, ws.Prompt)]
    assert state.step == ws.DONE


def test_moving_during_the_upright_step_redoes_it_with_the_reason_then_gives_up():
    rng = np.random.default_rng(5)
    samples = steady(3)
    t = samples[-1].t_s
    for i in range(1, 200):
        samples.append(make_sample(t + i / 6, dx=rng.uniform(-0.12, 0.12), dy=rng.uniform(-0.08, 0.08),
                                   scale=rng.uniform(0.85, 1.15)))
    state, effects = feed(samples)
    redos = [e for e in effects if isinstance(e, ws.Redo)]
    assert [r.attempt for r in redos] == [2, 3]
    assert all("moved too much" in r.reason for r in redos)
    assert state.step == ws.FAILED and "moved too much" in state.failure
    assert isinstance(effects[-1], ws.Failed)


def test_a_set_up_problem_that_stays_ends_with_its_advice_after_the_timeout():
    samples = [make_sample(i / 6, dy=0.35) for i in range(int(6 * (CFG.setup_timeout_s + 1)))]
    state, effects = feed(samples, end=False)
    assert state.step == ws.FAILED
    assert state.failure == sc.ADVICE[sc.SHOULDERS_CUT]


def test_the_source_ending_during_the_upright_step_fails_and_during_the_range_keeps_the_upright():
    state, _ = feed(steady(6))
    assert state.step == ws.FAILED and "ended before" in state.failure
    assert "--seconds" not in state.failure and "keep sitting upright" in state.failure   # no option it lacks
    state, effects = feed(steady(14))
    assert state.step == ws.DONE
    done = [e for e in effects if isinstance(e, ws.Finished)][0]
    assert ws.UPRIGHT in done.captures and ws.RANGE_KEYBOARD not in done.captures
    assert any("skipped" in n for n in done.notes)


def test_live_readout_counts_down_and_compares_with_the_upright_head_height():
    samples = steady(20)
    state, _ = ws.start(CFG)
    lines = []
    for s in samples:
        state, _ = ws.advance(state, s, CFG)
        lines.append(ws.live_readout(state, s, CFG))
    assert any(re.search(r"capturing \d\.\d s left", line) for line in lines)
    assert any("get ready" in line for line in lines)
    assert any(re.search(r"head height 1\d\d% of upright|head height 9\d% of upright", line) for line in lines)


def test_a_slouch_like_the_upright_posture_is_not_learnt_and_a_real_one_is():
    upright = steady(10)
    same = steady(4, t0=20)
    slouched = steady(4, t0=20, posture=k.Posture(neck_flexion_deg=30, thoracic_flexion_deg=15))
    profile, notes = make_profile({ws.UPRIGHT: upright, ws.SLOUCH: same}, camera="0")
    assert profile.slouch is None and any("not used" in n for n in notes)
    profile, notes = make_profile({ws.UPRIGHT: upright, ws.SLOUCH: slouched}, camera="0")
    assert profile.slouch is not None and profile.schema_version == SCHEMA_VERSION


def test_thresholds_read_as_sentences_with_degrees():
    profile, _ = make_profile({ws.UPRIGHT: steady(10)}, camera="0")
    texts = [t.text for t in thresholds(profile)]
    head = [t for t in texts if t.startswith("warn at head forward")]
    assert head and re.fullmatch(r"warn at head forward, about \d+°", head[0])


# --- recorded sources through the real CLI -----------------------------------------------------

@pytest.fixture(scope="module")
def bad_clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad-clips")
    src = clips.upright_part(sample("calibration.mp4"), d / "upright.mp4")   # bad set-ups of someone sitting upright
    return {
        "dark": clips.darkened(src, d / "dark.mp4", 0.06),
        "top_third": clips.top_third(src, d / "top.mp4"),
        "side_by_side": clips.side_by_side(src, d / "pair.mp4"),
        "person_gone": clips.person_gone(src, d / "gone.mp4"),
        "heavy_motion": clips.heavy_motion(src, d / "motion.mp4"),
    }


def _profiles(home: Path) -> list[Path]:
    folder = home / "data" / "profiles"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_good_clip_gives_a_named_profile_and_a_summary_picture(private_home):
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--name", "desk")
    assert proc.returncode == 0, proc.stderr
    path = private_home / "data" / "profiles" / "desk.json"
    data = json.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["reading"] is not None                         # the range step used the next seconds
    profile = load_profile(path)
    assert profile.samples >= 30 and profile.duration_s < 60
    schema = ROOT / "calibration" / "profile.schema.json"
    if schema.exists():
        import jsonschema
        jsonschema.validate(data, json.loads(schema.read_text()))
    image = private_home / "data" / "profiles" / "desk.summary.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert oct(image.stat().st_mode & 0o777) == "0o600"
    out = proc.stdout
    assert "Step 1 of 6: Set-up check" in out and "Step 2 of 6: Sit upright" in out
    assert re.search(r"warn at head forward, about \d+°", out)
    assert "Profile saved to" in out
    listed = run_cli("profiles", "list")
    assert listed.returncode == 0 and "desk" in listed.stdout and "default" in listed.stdout


def test_the_sample_clip_takes_a_new_user_through_every_step_of_the_wizard(private_home):
    """calibration.mp4 follows the wizard's prompts: no step is skipped for want of footage, the look at the
    keyboard widens the reading range and the slouch is learnt."""
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--name", "whole",
                   env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert proc.returncode == 0, proc.stderr
    for step in ("Step 4 of 6: Look at the keyboard", "Step 5 of 6: Show your usual slouch"):
        assert step in proc.stdout, proc.stdout
    assert "skipped" not in proc.stdout and "not used" not in proc.stdout, proc.stdout
    data = json.loads((private_home / "data" / "profiles" / "whole.json").read_text())
    assert data["reading"] is not None and data["slouch"] is not None


@pytest.mark.parametrize("clip, advice", [
    ("dark", sc.ADVICE[sc.TOO_DARK]),
    ("top_third", sc.ADVICE[sc.SHOULDERS_CUT]),
    ("side_by_side", sc.ADVICE[sc.TWO_PEOPLE]),
    ("person_gone", sc.ADVICE[sc.NO_PERSON]),
    ("heavy_motion", "You moved too much"),
])
def test_each_bad_set_up_is_refused_with_its_own_advice(bad_clips, private_home, clip, advice):
    proc = run_cli("calibrate", "--source", str(bad_clips[clip]), "--name", "bad")
    line = assert_one_sentence_error(proc, 2)
    assert advice.rstrip(".") in line
    assert _profiles(private_home) == []


@pytest.mark.parametrize("name, advice", [
    ("two_people.mp4", sc.ADVICE[sc.TWO_PEOPLE]),
    ("empty_room.mp4", sc.ADVICE[sc.NO_PERSON]),
])
def test_the_sample_clips_of_bad_set_ups_are_refused(private_home, name, advice):
    proc = run_cli("calibrate", "--source", str(sample(name)), "--name", "bad")
    assert advice.rstrip(".") in assert_one_sentence_error(proc, 2)
    assert _profiles(private_home) == []


def test_a_camera_that_cannot_be_opened_is_one_sentence(private_home):
    proc = run_cli("calibrate", "--source", "57")
    line = assert_one_sentence_error(proc, 2)
    assert "no other program is using it" in line
    assert _profiles(private_home) == []


def test_non_interactive_is_still_handed_to_the_scriptable_calibration(private_home, tmp_path):
    out = tmp_path / "p.json"
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--profile", str(out),
                   "--non-interactive", "--seconds", "5")
    assert proc.returncode == 0, proc.stderr
    assert "Step 1" not in proc.stdout
    assert load_profile(out).schema_version == SCHEMA_VERSION


# --- the terminal flow, driven for real through a pseudo-terminal ------------------------------

def test_the_terminal_flow_in_a_pseudo_terminal(private_home):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, COLUMNS="160", LINES="40")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    child = pexpect.spawn(sys.executable, ["-m", "posture_watch", "calibrate", "--source",
                                           str(sample("calibration.mp4"))],
                          cwd=str(ROOT), env=env, encoding="utf-8", timeout=180, dimensions=(40, 160))
    try:
        child.expect(r"slouch step .*\[y\]: ")
        child.sendline("n")
        child.expect("Step 1 of 5: Set-up check")
        child.expect("Step 2 of 5: Sit upright")
        child.expect(r"capturing \d\.\d s left")           # the live one-line readout
        child.expect(r"head height")
        child.expect("Step 3 of 5: Look at the bottom of the screen")
        child.expect(r"Save this profile under the name \[default\]: ")
        child.sendline("laptop")
        child.expect("Profile saved to")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert (private_home / "data" / "profiles" / "laptop.json").exists()
    assert (private_home / "data" / "profiles" / "laptop.summary.png").exists()


def test_the_wizard_asks_before_replacing_a_profile_of_that_name(private_home):
    """Enter on the offered name of an existing profile (another person's, another camera) asks first;
    "n" offers a free name instead, and the old profile and the default stay as they were."""
    from posture_watch.io import profile_store

    pexpect = pytest.importorskip("pexpect")
    other = private_home / "data" / "profiles" / "desk.json"
    (private_home / "data" / "profiles").mkdir(parents=True)
    other.write_bytes((ROOT / "calibration" / "sample_profile.json").read_bytes())
    profile_store.use_profile("desk")
    state_before = (private_home / "config" / "profiles.json").read_bytes()
    before = other.read_bytes()
    env = dict(os.environ, COLUMNS="160", LINES="40")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    child = pexpect.spawn(sys.executable, ["-m", "posture_watch", "calibrate", "--no-slouch", "--source",
                                           str(sample("calibration.mp4"))],
                          cwd=str(ROOT), env=env, encoding="utf-8", timeout=180, dimensions=(40, 160))
    try:
        child.expect(r"Save this profile under the name \[desk\]: ")
        child.sendline("")
        child.expect(r"A profile named 'desk' already exists .*Replace it .*\[n\]: ")
        child.sendline("")
        child.expect(r"Save this profile under the name \[desk-2\]: ")
        child.sendline("")
        child.expect("Profile saved to")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert other.read_bytes() == before
    assert (private_home / "data" / "profiles" / "desk-2.json").exists()
    assert json.loads((private_home / "config" / "profiles.json").read_bytes())["default"] == \
        json.loads(state_before)["default"] == "desk"


def test_the_terminal_flow_refuses_a_bad_set_up_in_a_pseudo_terminal(private_home, bad_clips):
    pexpect = pytest.importorskip("pexpect")
    env = {key: v for key, v in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    child = pexpect.spawn(sys.executable, ["-m", "posture_watch", "calibrate", "--no-slouch", "--source",
                                           str(bad_clips["dark"])], cwd=str(ROOT), env=env, encoding="utf-8",
                          timeout=180)
    try:
        child.expect("Step 1 of 5: Set-up check")
        child.expect(r"too dark")                             # the readout says it while it looks
        child.expect(re.escape(sc.ADVICE[sc.TOO_DARK]))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 2
    assert _profiles(private_home) == []


# --- the preview --------------------------------------------------------------------------------

def test_the_preview_frame_shows_landmarks_guide_prompt_and_measure(tmp_path):
    import cv2
    from posture_watch.calibration.preview import render_preview

    samples = steady(8)
    state, _ = ws.start(CFG)
    for s in samples:
        state, _ = ws.advance(state, s, CFG)
    assert state.step == ws.UPRIGHT
    image = np.full((720, 1280, 3), 90, np.uint8)
    frame = render_preview(image, samples[-1], state, CFG, "")
    assert frame.shape == image.shape and (image == 90).all()       # drawn on a copy
    changed = np.any(frame != 90, axis=2)
    lm = samples[-1].landmarks
    x, y = int(lm[11, 0] * 1280), int(lm[11, 1] * 720)
    assert changed[y - 3:y + 4, x - 3:x + 4].any()                     # a shoulder landmark is drawn
    assert changed[: int(0.24 * 720)].mean() > 0.5                    # the prompt band
    assert cv2.imwrite(str(tmp_path / "preview.png"), frame)


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed (scripts/install-system-deps.sh)")
def test_with_a_display_the_wizard_runs_in_the_preview_window(private_home):
    proc = subprocess.run(["xvfb-run", "-a", sys.executable, "-m", "posture_watch", "-v", "calibrate", "--source",
                           str(sample("calibration.mp4")), "--name", "shown"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "calibrating in the preview window" in proc.stderr
    assert "Step 1 of" not in proc.stdout                               # not the terminal flow
    assert (private_home / "data" / "profiles" / "shown.json").exists()


# --- the runner in-process, on frames held in memory -------------------------------------------

def test_run_steps_on_frames_in_memory(model_path):
    import io

    import cv2
    from posture_watch.core.errors import CaptureRejected
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.io.sources import MemorySource
    from posture_watch.calibration.wizard import run_steps
    from posture_watch.calibration.terminal import TerminalUI

    cap = cv2.VideoCapture(str(sample("calibration.mp4")))
    fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    cfg = replace(CFG, include_slouch=False)
    out = io.StringIO()
    with PoseEstimator(model_path) as est, MemorySource(frames, fps=fps) as src:
        ui = TerminalUI(out=out)
        ui.begin(src.description, False, cfg)
        finished = run_steps(src, est, ui, cfg)
    assert len(finished.captures[ws.UPRIGHT]) >= 30
    assert all(s.landmarks is not None for s in finished.captures[ws.UPRIGHT])
    text = out.getvalue()
    assert "Step 2 of 5: Sit upright" in text and "\r" not in text      # not a terminal: plain lines only

    dark = [(f * 0.06).astype(np.uint8) for f in frames]
    with PoseEstimator(model_path) as est, MemorySource(dark, fps=fps) as src:
        with pytest.raises(CaptureRejected, match="too dark"):
            run_steps(src, est, TerminalUI(out=io.StringIO()), cfg)


@pytest.mark.parametrize("camera, view", [(CAM, "frontal"), (k.Camera("side", 1.2, -0.15, 65.0, (1280, 720), 0.35), "side")])
def test_the_summary_picture_is_drawn_for_each_view(tmp_path, camera, view):
    from posture_watch.calibration.summary_image import render_summary, write_png

    rng = np.random.default_rng(2)
    upright = []
    for i in range(30):
        det = k.simulate(k.UPRIGHT, camera, t_s=i / 6, noise_px=1.0, rng=rng)
        m = measure(det)
        upright.append(ws.Sample(i / 6, m, sc.observe(det, m, 120.0, 120.0), det.poses[0].landmarks))
    profile, notes = make_profile({ws.UPRIGHT: upright}, camera="0")
    assert profile.view == view
    png = write_png(render_summary(profile, upright, "desk", notes=notes), tmp_path / "desk.summary.png")
    import cv2
    image = cv2.imread(str(png))
    assert image is not None and image.shape[1] == 1000 and image.std() > 10


def test_step_lengths_for_a_camera_and_for_short_recordings():
    import argparse

    from posture_watch.calibration.wizard import LIVE_SETTLE_S, wizard_config
    MIN_UPRIGHT_S = ws.WizardConfig().checks.min_capture_s

    args = argparse.Namespace(upright_seconds=None, no_slouch=False)
    live = wizard_config(args, live=True)
    assert live.settle_s == LIVE_SETTLE_S and live.upright_s == ws.WizardConfig().upright_s
    assert wizard_config(args, live=False, duration_s=60.0).upright_s == ws.WizardConfig().upright_s
    short = wizard_config(args, live=False, duration_s=10.0)
    assert MIN_UPRIGHT_S <= short.upright_s < ws.WizardConfig().upright_s
    assert short.setup_window_s + short.settle_s + short.upright_s < 10.0
    assert wizard_config(args, live=False, duration_s=3.0).upright_s == MIN_UPRIGHT_S
    asked = argparse.Namespace(upright_seconds=12.0, no_slouch=True)
    cfg = wizard_config(asked, live=False, duration_s=10.0)
    assert cfg.upright_s == 12.0 and not cfg.include_slouch


def test_the_terminal_counts_down_before_each_live_step_when_it_is_not_a_tty():
    import io

    from posture_watch.calibration.terminal import TerminalUI

    cfg = replace(CFG, settle_s=3.0, include_slouch=False)
    out = io.StringIO()
    ui = TerminalUI(out=out)
    ui.begin("camera 0", True, cfg)
    state, effects = ws.start(cfg)
    ui.effects(effects, state)
    for s in steady(20):
        state, effects = ws.advance(state, s, cfg)
        ui.update(None, None, s, state, effects)
    text = out.getvalue()
    upright = text[text.index("Step 2 of 5: Sit upright"):]
    assert re.search(r"3\.\.\.\n.*2\.\.\.\n.*1\.\.\.\n", upright, re.S)
    assert "Done (" in upright
