"""`posture-watch run` in a terminal: a start line, a line per change, a stop line; `--quiet` is silent."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_cli, sample

PROFILE = ROOT / "calibration" / "sample_profile.json"


def test_run_says_what_it_does_each_change_and_the_stop(private_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "run.jsonl"
    proc = run_cli("run", "--source", str(sample("grace_desk.mp4")), "--speed", "1000", "--profile", str(PROFILE),
                   "--no-notify", "--jsonl", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    first, last = lines[0], lines[-1]
    assert "grace_desk.mp4" in first and str(PROFILE) in first
    assert str(private_home / "data" / "replays.sqlite3") in first and "posture-watch stop" in first
    assert last.startswith("posture-watch: stopped (the recording ended)") and "data is saved" in last
    # one line per change of the judged posture (away is said by the away/back lines), as the JSON lines show it
    states = [json.loads(x)["state"] for x in out.read_text().splitlines()]
    changes = [s for i, s in enumerate(states) if s != "away" and (i == 0 or s != states[i - 1])]
    posture_lines = [line for line in lines if "Posture: " in line]
    assert len(posture_lines) == len(changes) and len(changes) >= 1
    assert any(line.endswith("Away from the desk.") for line in lines)
    assert any("Back at the desk" in line for line in lines)


def test_quiet_run_prints_nothing(tmp_path: Path) -> None:
    proc = run_cli("run", "--source", str(sample("calibration.mp4")), "--speed", "1000", "--profile", str(PROFILE),
                   "--no-notify", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


def test_run_help_says_it_runs_in_the_terminal() -> None:
    proc = run_cli("run", "--help")
    assert "in this terminal" in proc.stdout and "--quiet" in proc.stdout
    assert "stop" in run_cli("--help").stdout


def test_every_subcommand_and_every_action_says_what_it_does() -> None:
    """`posture-watch X --help` explains X and each of its actions (model fetch/verify/path, ...):
    every argument of every subcommand has a help text, and each action is named in it."""
    import argparse

    from posture_watch.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    missing = []
    for name, parser in sub.choices.items():
        if not helps.get(name):
            missing.append(name)
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not action.help:
                missing.append(f"{name} {action.dest}")
            elif action.choices and not isinstance(action.choices, dict):
                missing += [f"{name} {c}" for c in action.choices if f"{c}:" not in action.help]
    assert missing == []
    assert "checksum" in run_cli("model", "--help").stdout
