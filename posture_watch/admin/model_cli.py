"""CLI handlers for the installation: `model fetch|verify|path`, `data where|delete` (`doctor` is doctor.py)."""

from __future__ import annotations

import argparse
import shutil
import sys

from posture_watch.io import models, paths
from posture_watch.io.config import config_for
from posture_watch.core.errors import ModelError, UserError


def _variant(args: argparse.Namespace) -> str:
    return args.variant or config_for(args).model_variant


def cmd_model(args: argparse.Namespace) -> int:
    name = _variant(args)
    if args.action == "path":
        path, problem = models.verify(name)
        print(path)
        return 0 if problem is None else 1
    if args.action == "verify":
        path, problem = models.verify(name)
        if problem:
            raise ModelError(f"The {name} model at {path} is unusable: {problem}; run {models.fetch_command(name)}.")
        v = models.variant(name)
        print(f"ok: {path} ({v.size_bytes:,} bytes, sha256 {v.sha256[:12]}…)")
        return 0
    path = models.find(name)
    if path is None:
        if sys.stderr.isatty():
            print(f"Fetching the {name} pose model…", file=sys.stderr)
        path = models.fetch(name)
    print(path)
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    dirs = paths.all_dirs()
    if args.action == "where":
        for name, folder in dirs.items():
            print(f"{name:<8} {folder}")
        return 0
    from posture_watch.io import autostart, lifecycle

    existing = [d for d in dict.fromkeys(dirs.values()) if d.exists()]
    running = lifecycle.running_pid()
    entry = autostart.own_entry()
    if not existing and running is None and entry is None:
        print("Nothing to delete: posture-watch has no files here.")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("Refusing to delete without confirmation; add --yes.")
        print("This deletes your posture history, profiles, settings and the cached model:")
        for d in existing:
            print(f"  {d}")
        if running is not None:
            print(f"It first stops the running monitor (pid {running}).")
        if entry is not None:
            print(f"It removes the autostart entry {entry}.")
        if input("Type 'delete' to confirm: ").strip() != "delete":
            print("Nothing deleted.")
            return 1
    # Nothing may go on writing or start again once the files are gone: stop first, unschedule, then delete.
    pid = lifecycle.stop_monitor()
    if pid is not None:
        print(f"Stopped the running monitor (pid {pid}).")
    if entry is not None:
        result = autostart.remove()
        print(f"Removed the autostart entry {result.path}.")
        for note in result.notes:
            print(note)
    for d in existing:
        shutil.rmtree(d, ignore_errors=True)
    left = [d for d in existing if d.exists()]
    if left:
        raise UserError(f"Could not delete {left[0]}; check its permissions and try again.")
    print("Deleted.")
    return 0
