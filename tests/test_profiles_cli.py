"""Named profiles: list, use, delete through the CLI; what `run` would pick (resolve_profile);
profiles from another resolution or view refused with advice. Profiles are made with the real
profile writer from simulated captures (the wizard tests make them from clips)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import kinematics as k
from conftest import assert_one_sentence_error, run_cli
from posture_watch.io import profile_store as store
from posture_watch.calibration.calibrate import build_profile
from posture_watch.core.errors import ProfileError
from posture_watch.core.geometry import measure
from posture_watch.core.profile import Profile
from posture_watch.io.profile_files import save_profile


def make(camera: str = "0", view_camera: k.Camera = k.DESKTOP) -> Profile:
    ms = [measure(k.simulate(k.UPRIGHT, view_camera, t_s=i / 5, noise_px=1.0)) for i in range(20)]
    return build_profile(ms, camera=camera)


def test_an_empty_list_says_how_to_make_one():
    proc = run_cli("profiles", "list")
    assert proc.returncode == 0
    assert "No profiles yet" in proc.stdout and "calibrate" in proc.stdout


def test_list_use_delete(private_home):
    store.save_named(make("0"), "laptop")
    store.save_named(make("/dev/video2"), "desk")
    listed = run_cli("profiles", "list")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[1] if line.startswith("*") else line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert set(lines) == {"laptop", "desk"}
    assert lines["laptop"].startswith("*") and "default" in lines["laptop"] and "camera 0" in lines["laptop"]
    assert "camera /dev/video2" in lines["desk"]

    used = run_cli("profiles", "use", "desk")
    assert used.returncode == 0 and "desk" in used.stdout
    state = json.loads((private_home / "config" / "profiles.json").read_text())
    assert state["default"] == "desk" and state["cameras"] == {"0": "laptop", "/dev/video2": "desk"}

    gone = run_cli("profiles", "delete", "desk", "--yes")
    assert gone.returncode == 0 and "Deleted profile 'desk'" in gone.stdout and "was the default" in gone.stdout
    assert not (private_home / "data" / "profiles" / "desk.json").exists()
    state = json.loads((private_home / "config" / "profiles.json").read_text())
    assert state["default"] is None and state["cameras"] == {"0": "laptop"}
    assert "desk" not in run_cli("profiles", "list").stdout


def test_delete_removes_the_summary_picture_too(private_home):
    path = store.save_named(make(), "laptop")
    picture = store.summary_image_path(path)
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert run_cli("profiles", "delete", "laptop", "--yes").returncode == 0
    assert not path.exists() and not picture.exists()


@pytest.mark.parametrize("args, words", [
    (("profiles", "use", "nope"), "no profile named 'nope'"),
    (("profiles", "delete", "nope"), "no profile named 'nope'"),
    (("profiles", "use"), "Say which profile"),
    (("profiles", "use", "../etc/passwd"), "cannot be a profile name"),
])
def test_bad_profile_commands_are_one_sentence(args, words):
    line = assert_one_sentence_error(run_cli(*args), 2)
    assert words in line


def test_a_broken_profile_is_listed_as_broken_and_cannot_be_used(private_home):
    folder = private_home / "data" / "profiles"
    folder.mkdir(parents=True)
    (folder / "old.json").write_text("{not json")
    listed = run_cli("profiles", "list")
    assert listed.returncode == 0 and "BROKEN" in listed.stdout
    line = assert_one_sentence_error(run_cli("profiles", "use", "old"), 2)
    assert "corrupt" in line


def test_run_picks_the_profile_of_the_camera_else_the_default():
    store.save_named(make("0"), "laptop")
    store.save_named(make("/dev/video2"), "desk")
    assert store.resolve_profile_entry("0", (1280, 720)).name == "laptop"
    assert store.resolve_profile_entry("/dev/video2", (1280, 720)).name == "desk"
    other = store.resolve_profile_entry("3", (1280, 720))
    assert other.name == "laptop" and other.why == "default"
    store.use_profile("desk", camera="3")
    assert store.resolve_profile_entry("3", None).name == "desk"
    assert isinstance(store.resolve_profile("0", (1280, 720)), Profile)


def test_with_no_profile_or_several_unchosen_run_says_what_to_do():
    with pytest.raises(ProfileError, match="no calibration profile yet"):
        store.resolve_profile("0", (1280, 720))
    save_profile(make(), store.profile_path("a"))
    assert store.resolve_profile_entry("0", None).why == "only"
    save_profile(make(), store.profile_path("b"))
    with pytest.raises(ProfileError, match="profiles use NAME"):
        store.resolve_profile("0", None)


def test_a_profile_from_another_resolution_is_refused_with_advice():
    store.save_named(make("0"), "laptop")
    with pytest.raises(ProfileError) as err:
        store.resolve_profile("0", (640, 480))
    text = str(err.value)
    assert "1280x720" in text and "640x480" in text and "calibrate again" in text


def test_a_profile_from_another_view_is_refused_with_advice(tmp_path):
    side = make("0", k.SIDE)
    assert side.view == "side"
    path = save_profile(side, tmp_path / "side.json")
    with pytest.raises(ProfileError, match="side view .* from the front; calibrate again"):
        store.resolve_profile("0", (1280, 720), explicit_path=path, view="frontal")
    assert store.resolve_profile("0", (1280, 720), explicit_path=path, view="three_quarter").view == "side"
    assert store.view_problem(side, "side") is None


def test_an_explicit_path_wins_and_a_missing_recorded_profile_is_explained(tmp_path):
    store.save_named(make("0"), "laptop")
    other = save_profile(replace(make("0"), notes="explicit"), tmp_path / "x.json")
    assert store.resolve_profile("0", None, explicit_path=other).notes == "explicit"
    store.profile_path("laptop").unlink()
    with pytest.raises(ProfileError, match="'laptop' chosen for camera 0 no longer exists"):
        store.resolve_profile("0", None)


def test_delete_asks_first_and_without_anyone_to_ask_needs_yes(private_home):
    path = store.save_named(make(), "desk")
    line = assert_one_sentence_error(run_cli("profiles", "delete", "desk"))
    assert "--yes" in line and path.exists()
    assert run_cli("profiles", "delete", "desk", "--yes").returncode == 0
    assert not path.exists()


def test_a_replaced_profile_is_kept_as_a_backup_that_list_shows(private_home):
    first = make("0")
    store.save_named(first, "desk")
    before = (private_home / "data" / "profiles" / "desk.json").read_bytes()
    store.save_named(make("/dev/video2"), "desk")
    (kept,) = store.backups()
    assert kept.read_bytes() == before and kept.name.startswith("desk.")
    assert oct(kept.stat().st_mode & 0o777) == "0o600" and oct(kept.parent.stat().st_mode & 0o777) == "0o700"
    listed = run_cli("profiles", "list")
    assert kept.name in listed.stdout and "backups" in listed.stdout
