"""Folders that hold posture history are the user's alone: every folder posture-watch creates is 0700."""

from __future__ import annotations

import stat

from conftest import ROOT, run_cli, sample
from posture_watch.io import paths


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_folder_created_on_the_way_is_private_and_existing_ones_are_left_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    leaf = paths.ensure_private_dir(shared / "posture-watch" / "demo" / "data")
    assert leaf == shared / "posture-watch" / "demo" / "data"
    for folder in (shared / "posture-watch", shared / "posture-watch" / "demo", leaf):
        assert _mode(folder) == 0o700, folder
    assert _mode(shared) == 0o755             # not ours: untouched
    assert paths.ensure_private_dir(leaf) == leaf  # again: no error, still private
    assert _mode(leaf) == 0o700


def test_a_run_into_a_new_home_creates_only_private_folders(tmp_path):
    home = tmp_path / "new" / "home"
    proc = run_cli("run", "--source", str(sample("empty_room.mp4")), "--speed", "1000", "--profile",
                   str(ROOT / "calibration" / "sample_profile.json"), "--no-notify",
                   env={"POSTURE_WATCH_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    assert (home / "data" / "replays.sqlite3").exists()  # a replay: apart from the history
    folders = [home.parent, home, *(p for p in home.rglob("*") if p.is_dir())]
    assert len(folders) >= 3
    assert {str(p.relative_to(tmp_path)): _mode(p) for p in folders} == \
        {str(p.relative_to(tmp_path)): 0o700 for p in folders}
