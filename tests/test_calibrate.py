"""Non-interactive calibration through the real command: a usable capture makes a private profile,
an unusable one is refused with one sentence, exit 2, and no profile written."""

from __future__ import annotations


import json
import re
import stat
from pathlib import Path

import jsonschema
import pytest

from conftest import CALIBRATION_UPRIGHT_S, ROOT, assert_one_sentence_error, run_cli, sample
from posture_watch.core import geometry as g
from posture_watch.calibration import setup_checks as sc
from posture_watch.calibration.calibrate import CalibrationConfig, build_profile, check_capture
from posture_watch.core.errors import CaptureRejected
from posture_watch.core.geometry import Metrics
from posture_watch.io.profile_files import load_profile

SCHEMA = json.loads((ROOT / "calibration" / "profile.schema.json").read_text())


def test_calibrating_on_the_sample_clip_writes_a_private_valid_profile(tmp_path):
    out = tmp_path / "me.json"
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--profile", str(out),
                   "--non-interactive", "--seconds", "6")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    jsonschema.validate(json.loads(out.read_text()), SCHEMA)
    profile = load_profile(out)
    assert profile.view == "frontal" and profile.resolution == (640, 480)
    assert 50 <= profile.samples <= 62            # 10 samples per second of the first 6 s
    assert profile.duration_s <= 6.0
    assert 0.3 < profile.median("head_drop_ratio") < 1.0
    assert profile.num_poses == 1                  # measured in tracking mode, and the profile says so


def test_the_first_calibration_creates_every_folder_private(private_home):
    """The first `calibrate` on a new machine makes the data folders itself: each one 0700 (the
    folders above the profile used to get the umask's 0755 until a `run` fixed them)."""
    proc = run_cli("calibrate", "--source", str(sample("calibration.mp4")), "--non-interactive", "--seconds", "6")
    assert proc.returncode == 0, proc.stderr
    folders = [p for p in private_home.rglob("*") if p.is_dir()]
    profiles = [p for p in private_home.rglob("*.json")]
    assert folders and profiles
    assert {str(p.relative_to(private_home)): oct(stat.S_IMODE(p.stat().st_mode)) for p in folders} == \
        {str(p.relative_to(private_home)): "0o700" for p in folders}


@pytest.mark.parametrize("clip, words", [   # the wizard's set-up advice: both paths run the same checks
    ("empty_room.mp4", sc.ADVICE[sc.NO_PERSON]),
    ("two_people.mp4", sc.ADVICE[sc.TWO_PEOPLE]),
])
def test_an_unusable_capture_is_refused_and_nothing_is_written(tmp_path, clip, words):
    out = tmp_path / "me.json"
    proc = run_cli("calibrate", "--source", str(sample(clip)), "--profile", str(out), "--non-interactive")
    line = assert_one_sentence_error(proc, 2)
    assert words.rstrip(".") in line
    assert re.search(r"\(seen in \d+ of \d+ pictures\)\.$", line), line   # what it measured
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_refused_capture_keeps_the_previous_profile(tmp_path):
    out = tmp_path / "me.json"
    out.write_text("previous")
    proc = run_cli("calibrate", "--source", str(sample("empty_room.mp4")), "--profile", str(out), "--non-interactive")
    assert_one_sentence_error(proc, 2)
    assert out.read_text() == "previous"


def test_a_missing_source_is_one_sentence(tmp_path):
    proc = run_cli("calibrate", "--source", str(tmp_path / "nope.mp4"), "--profile", str(tmp_path / "p.json"),
                   "--non-interactive")
    assert_one_sentence_error(proc, 2)
    assert not (tmp_path / "p.json").exists()


# --- the checks on plain values (what the wizard reuses) ----------------------------------------

def person(t: float, **values) -> Metrics:
    base = {"head_drop_ratio": 0.6, "shoulder_width_frac": 0.4, "ear_y_frac": 0.35, "face_width_frac": 0.17}
    return Metrics(t_s=t, values={**base, **values}, view="frontal", person_present=True,
                   image_size=(640, 480), brightness=120.0)


def replace_flags(m: Metrics, *flags: str) -> Metrics:
    from dataclasses import replace
    return replace(m, flags=frozenset(flags))


def nobody(t: float, brightness: float = 120.0) -> Metrics:
    return Metrics(t_s=t, flags=frozenset({g.NO_POSE}), image_size=(640, 480), brightness=brightness)


@pytest.mark.parametrize("capture, words", [
    ([], "no frames"),
    ([nobody(i / 10, brightness=8.0) for i in range(30)], "too dark"),
    ([nobody(i / 10) for i in range(30)], "Nobody"),
    ([person(i / 10) for i in range(3)] + [nobody(i / 10) for i in range(30)], "Nobody"),
    ([replace_flags(person(i / 10), g.TWO_PEOPLE) for i in range(30)], "Two people"),
    ([replace_flags(person(i / 10), g.SHOULDERS_OUT_OF_FRAME) for i in range(30)], "shoulders"),
], ids=["empty", "dark", "nobody", "mostly-nobody", "two", "shoulders"])   # movement: capture_checks, in body sizes
def test_check_capture_refuses_with_advice(capture, words):
    with pytest.raises(CaptureRejected) as info:
        check_capture(capture, CalibrationConfig(second_look_every=1))
    assert words in str(info.value)
    assert str(info.value).endswith(".")


def test_a_still_capture_with_some_empty_frames_is_accepted():
    capture = [person(i / 10, head_drop_ratio=0.6 + 0.005 * (i % 3)) for i in range(40)] + [nobody(4 + i / 10) for i in range(10)]
    check_capture(capture)
    profile = build_profile(capture, camera="test")
    assert profile.samples == 40 and profile.median("head_drop_ratio") == pytest.approx(0.605)


def test_build_profile_keeps_reading_and_slouch_captures():
    up = [person(i / 10) for i in range(20)]
    reading = [person(i / 10, head_drop_ratio=0.55) for i in range(20)]
    slouch = [person(i / 10, head_drop_ratio=0.45) for i in range(20)]
    profile = build_profile(up, reading=reading, slouch=slouch)
    assert profile.reading["head_drop_ratio"].median == pytest.approx(0.55)
    assert profile.slouch["head_drop_ratio"].median == pytest.approx(0.45)


def test_sample_profile_is_the_sample_clip_calibration():
    profile = load_profile(ROOT / "calibration" / "sample_profile.json")
    assert Path(profile.camera).name == "calibration.mp4" and profile.resolution == (640, 480)


# --- the scripted path runs the wizard's capture checks (capture_checks.capture_problem) -------------

@pytest.mark.parametrize("clip, upright_s, held_s", [
    ("desk_session.mp4", 24, 100),   # 25 s upright, a 20 s lean-in, then the slouch held
    ("grace_desk.mp4", 11, 35),      # another person: 12 s upright, a 5 s lean-in, an 18 s slouch
])
def test_a_capture_that_leans_in_and_slouches_for_part_of_it_is_refused(tmp_path, clip, upright_s, held_s):
    out = tmp_path / "p.json"
    line = assert_one_sentence_error(run_cli("calibrate", "--non-interactive", "--source", str(sample(clip)),
                                             "--seconds", str(held_s), "--profile", str(out)))
    assert "posture changed during the capture" in line and not out.exists()
    proc = run_cli("calibrate", "--non-interactive", "--source", str(sample(clip)), "--seconds", str(upright_s),
                   "--profile", str(out))
    assert proc.returncode == 0, proc.stderr   # the upright stretch alone is a baseline


def test_a_shaking_clip_is_refused_by_both_paths(tmp_path, private_home):
    import wizard_clips

    shaky = wizard_clips.shaken(sample("calibration.mp4"), tmp_path / "shaky.mp4", amplitude_px=60)
    scripted = assert_one_sentence_error(run_cli("calibrate", "--non-interactive", "--source", str(shaky),
                                                 "--profile", str(tmp_path / "p.json")))
    wizard = assert_one_sentence_error(run_cli("calibrate", "--source", str(shaky), "--name", "shaky", "--no-slouch"))
    assert "You moved too much" in scripted and "You moved too much" in wizard
    assert not (tmp_path / "p.json").exists() and not (private_home / "data" / "profiles" / "shaky.json").exists()


def test_a_two_second_capture_is_refused(tmp_path):
    from posture_watch.calibration.capture_checks import CaptureCheckConfig

    line = assert_one_sentence_error(run_cli("calibrate", "--non-interactive", "--source", str(sample("calibration.mp4")),
                                             "--seconds", "2", "--profile", str(tmp_path / "p.json")))
    assert f"at least {CaptureCheckConfig().min_capture_s:g} seconds" in line


def test_the_scripted_path_prints_the_thresholds_it_chose(tmp_path):
    proc = run_cli("calibrate", "--non-interactive", "--source", str(sample("calibration.mp4")), "--profile",
                   str(tmp_path / "p.json"), "--seconds", CALIBRATION_UPRIGHT_S)
    assert proc.returncode == 0, proc.stderr
    assert "warn at head forward, about" in proc.stdout and "A warning comes only when" in proc.stdout
    assert "capture checks: at least" in proc.stdout


def test_the_census_is_what_tells_two_people_in_tracking_mode(model_path):
    """In tracking mode the model follows one person; the census (`look_for_others` on every other
    sample) is what finds the second one, and the capture is refused."""
    from posture_watch.calibration.scripted import calibrate_from_source
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.io.sources import open_source

    config = CalibrationConfig()
    with open_source(str(sample("two_people.mp4"))) as source, PoseEstimator(model_path, num_poses=1) as est:
        with pytest.raises(CaptureRejected, match="Two people"):
            calibrate_from_source(source, est, config=config)
    from dataclasses import replace
    with open_source(str(sample("two_people.mp4"))) as source, PoseEstimator(model_path, num_poses=1) as est:
        profile = calibrate_from_source(source, est, config=replace(config, second_look_every=0))
    assert profile.num_poses == 1              # without the census the same capture passes: the census decides
