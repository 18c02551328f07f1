"""Commands follow what the user set (issue 23, section 2): the profile in use and profile names,
several settings at once, values checked as their use checks them, scripted calibration over a
stored profile, replay speeds, and a damaged session row. Real CLI, real files, real SQLite."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import CALIBRATION_UPRIGHT_S, ROOT, assert_one_sentence_error, run_cli, sample

SAMPLE_PROFILE = ROOT / "calibration" / "sample_profile.json"


def _store(name: str, use: bool = True) -> None:
    from posture_watch.io import profile_store
    from posture_watch.io.profile_files import load_profile

    profile_store.save_named(load_profile(SAMPLE_PROFILE), name, use=use)


def _states(stdout: str) -> dict[str, int]:
    line = next(x for x in stdout.splitlines() if "states:" in x)
    return {part.split()[0]: int(part.split()[1]) for part in line.split(":", 1)[1].split(",")}


# --- analyze and --profile NAME ---------------------------------------------------------------------

def test_analyze_without_profile_judges_against_the_profile_in_use(private_home):
    _store("default")
    clip = str(sample("desk_session.mp4"))
    implicit = run_cli("analyze", clip, "--seconds", "30")
    explicit = run_cli("analyze", clip, "--seconds", "30", "--profile", str(SAMPLE_PROFILE))
    assert implicit.returncode == 0 and explicit.returncode == 0, implicit.stderr + explicit.stderr
    assert _states(implicit.stdout) == _states(explicit.stdout)
    assert _states(implicit.stdout)["unknown"] < _states(implicit.stdout)["good"] + _states(implicit.stdout)["poor"]


def test_analyze_with_no_profile_at_all_says_why_nothing_was_judged(private_home):
    proc = run_cli("analyze", str(sample("desk_session.mp4")), "--seconds", "5")
    assert proc.returncode == 0, proc.stderr
    assert "nothing could be judged good or poor: there is no calibration profile" in proc.stdout


def test_analyze_of_an_empty_room_says_nobody_was_there(private_home):
    _store("default")
    proc = run_cli("analyze", str(sample("empty_room.mp4")), "--seconds", "3")
    assert proc.returncode == 0, proc.stderr
    assert "nothing could be judged good or poor: nobody was found in the picture" in proc.stdout


@pytest.mark.parametrize("command", [["run", "--source", "{clip}", "--speed", "1000", "--no-notify", "--quiet"],
                                     ["analyze", "{clip}", "--seconds", "3"]])
def test_a_stored_profile_is_taken_by_its_name(private_home, tmp_path, command):
    _store("default")
    _store("second", use=False)
    argv = [a.replace("{clip}", str(sample("calibration.mp4"))) for a in command]
    proc = run_cli(*argv, "--profile", "second", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_name_gets_advice_that_makes_the_named_profile(private_home, tmp_path):
    line = assert_one_sentence_error(run_cli("run", "--profile", "third", "--source", str(sample("calibration.mp4")),
                                             cwd=tmp_path))
    assert "no profile named 'third'" in line and "calibrate --name third" in line
    # the advice does what it says: the named profile exists afterwards, and `run --profile third` takes it
    proc = run_cli("calibrate", "--non-interactive", "--source", str(sample("calibration.mp4")), "--name", "third",
                   "--seconds", CALIBRATION_UPRIGHT_S, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []
    proc = run_cli("run", "--profile", "third", "--source", str(sample("calibration.mp4")), "--speed", "1000",
                   "--no-notify", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_a_file_path_is_still_a_file(private_home, tmp_path):
    mine = tmp_path / "second"           # a file without .json, named like a profile that is not stored
    shutil.copy(SAMPLE_PROFILE, mine)
    proc = run_cli("analyze", str(sample("calibration.mp4")), "--seconds", "3", "--profile", "second", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(mine.read_text())


# --- config set: several pairs, each value checked as its use checks it, a bad value in the file named --------

def _config_file(home):
    return home / "config" / "config.toml"


def test_config_set_writes_quiet_hours_start_and_end_together(private_home):
    proc = run_cli("config", "set", "notify.quiet_hours_start", "22:00", "notify.quiet_hours_end", "07:00")
    assert proc.returncode == 0, proc.stderr
    from posture_watch.io.config import load_config

    notify = load_config(_config_file(private_home)).section("notify")
    assert (notify.quiet_hours_start, notify.quiet_hours_end) == ("22:00", "07:00")
    before = _config_file(private_home).read_text()
    # one bad pair: nothing of the command is written
    line = assert_one_sentence_error(run_cli("config", "set", "sensitivity", "gentle", "notify.quiet_hours_end", "25:99"))
    assert "not changed" in line
    assert _config_file(private_home).read_text() == before
    assert "KEY VALUE" in assert_one_sentence_error(run_cli("config", "set", "sensitivity", "gentle", "camera"))


@pytest.mark.parametrize("key, value", [("model_variant", "huge"), ("camera", "abc"), ("camera", "-1"),
                                        ("model_path", "/etc/hostname")])
def test_config_set_refuses_a_value_its_use_would_refuse(private_home, key, value):
    line = assert_one_sentence_error(run_cli("config", "set", key, value))
    assert key in line
    assert not _config_file(private_home).exists()


def test_a_bad_value_already_in_the_file_is_named_with_its_key_and_the_file(private_home):
    path = _config_file(private_home)
    path.parent.mkdir(parents=True)
    path.write_text('model_variant = "huge"  # set by hand\n')
    doctor = run_cli("doctor", env={"DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": ""})
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr, doctor.stderr
    settings = next(line for line in doctor.stdout.splitlines() if line.startswith("settings"))
    assert "PROBLEM" in settings and "model_variant" in settings and str(path) in settings
    assert "folder" in doctor.stdout          # the checks that need no settings still ran
    for argv in (["report"], ["analyze", str(sample("calibration.mp4"))], ["config", "show"],
                 ["config", "set", "sensitivity", "gentle"]):
        line = assert_one_sentence_error(run_cli(*argv))
        assert "model_variant" in line and str(path) in line, (argv, line)
    # and `config set` is how to mend it: the comment stays
    assert run_cli("config", "set", "model_variant", "lite").returncode == 0
    assert "# set by hand" in path.read_text() and run_cli("doctor").stdout.startswith("settings       ok")


# --- scripted calibration over what is there ----------------------------------------------------------

def _calibrate(*extra: str, cwd=None):
    return run_cli("calibrate", "--non-interactive", "--source", str(sample("calibration.mp4")), "--seconds", "5",
                   *extra, cwd=cwd)


def test_scripted_calibration_over_a_named_profile_needs_yes_and_keeps_a_backup(private_home):
    _store("desk")
    stored = private_home / "data" / "profiles" / "desk.json"
    before = stored.read_bytes()
    line = assert_one_sentence_error(_calibrate("--name", "desk"))
    assert "'desk' already exists" in line and "--yes" in line
    assert stored.read_bytes() == before
    proc = _calibrate("--name", "desk", "--yes")
    assert proc.returncode == 0, proc.stderr
    backups = list((private_home / "data" / "profiles" / "backups").iterdir())
    assert [b.read_bytes() for b in backups] == [before]
    assert "it replaces is kept in" in proc.stdout and str(backups[0].parent) in proc.stdout


def test_scripted_calibration_never_overwrites_a_file_that_is_not_a_profile(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    line = assert_one_sentence_error(_calibrate("--profile", str(notes)))
    assert "not a calibration profile" in line
    assert notes.read_text() == "my notes\n"
    mine = tmp_path / "mine.json"          # a profile file is replaced, and that is said
    shutil.copy(SAMPLE_PROFILE, mine)
    proc = _calibrate("--profile", str(mine))
    assert proc.returncode == 0, proc.stderr
    assert "replaces the profile" in proc.stdout and json.loads(mine.read_text())["samples"] < 100


# --- replay speed and a damaged session row ----------------------------------------------------------------

@pytest.mark.parametrize("speed", ["inf", "Infinity", "nan", "0", "-2"])
def test_a_replay_speed_that_is_not_a_finite_positive_number_is_refused(private_home, speed):
    line = assert_one_sentence_error(run_cli("run", "--source", str(sample("calibration.mp4")), "--speed", speed,
                                             "--profile", str(SAMPLE_PROFILE), "--no-notify"))
    assert "finite number greater than zero" in line
    assert not (private_home / "data" / "replays.sqlite3").exists()


@pytest.mark.parametrize("ended_at", [float("inf"), 1e300])
def test_sessions_list_survives_a_damaged_row_and_names_it(private_home, ended_at):
    import sqlite3

    from posture_watch.core.domain import Reading
    from posture_watch.io.store import Store

    db = private_home / "data" / "posture.sqlite3"
    with Store.open(db) as store:
        good = store.start_session(1_000_000.0, "camera 0", "desk")
        store.add_sample(good, Reading(t_s=0.0, state="good", score=90.0), 1_000_000.0)
        store.end_session(good, 1_000_060.0)
        bad = store.start_session(1_000_100.0, "video x.mp4", "desk")   # what `run --speed inf` stored
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (ended_at, bad))
    conn.commit()
    conn.close()
    listed = run_cli("sessions", "list")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines() if line.strip()[:1].isdigit()}
    assert "0:01:00" in rows[str(good)] and "damaged" in rows[str(bad)]
    assert f"Session {bad} is damaged" in listed.stdout and f"sessions delete {bad}" in listed.stdout
    assert run_cli("sessions", "delete", str(bad), "--yes").returncode == 0
    assert "damaged" not in run_cli("sessions", "list").stdout


def test_calibrate_profile_name_of_a_stored_profile_recalibrates_it(private_home, tmp_path):
    _store("second", use=False)
    line = assert_one_sentence_error(_calibrate("--profile", "second", cwd=tmp_path))
    assert "'second' already exists" in line            # the stored profile, asked about as --name is
    proc = _calibrate("--profile", "second", "--yes", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []               # no file named 'second' in the current folder
    assert "kept in" in proc.stdout
