"""`posture-watch profiles list | use NAME | delete NAME`."""

from __future__ import annotations

import argparse
import sys

from posture_watch.io import profile_store as store
from posture_watch.core.errors import UserError


def _format_entry(entry: store.ProfileEntry) -> str:
    mark = "*" if entry.is_default else " "
    if entry.profile is None:
        return f"{mark} {entry.name:<16} BROKEN: {entry.problem}"
    p = entry.profile
    extras = []
    if p.reading:
        extras.append("range")
    if p.slouch:
        extras.append("slouch")
    used = []
    if entry.is_default:
        used.append("default")
    used += [f"camera {c}" for c in entry.cameras]
    created = p.created_at.replace("T", " ")[:16]
    res = f"{p.resolution[0]}x{p.resolution[1]}"
    line = (f"{mark} {entry.name:<16} {p.view.replace('_', '-'):<13} {res:<10} {created:<16}  "
            f"{'+'.join(['upright', *extras])}")
    if used:
        line += f"  (used: {', '.join(used)})"
    return line


def _print_backups() -> None:
    kept = store.backups()
    if kept:
        print(f"Replaced profiles kept as backups in {store.backups_dir()} (copy one back to use it again):")
        for path in kept:
            print(f"  {path.name}")


def _confirm_delete(name: str, yes: bool) -> None:
    path = store.profile_path(store.validate_name(name))
    if not path.exists() or yes:
        return  # a missing profile gets delete_profile's own sentence
    if not sys.stdin.isatty():
        raise UserError(f"Refusing to delete the profile '{name}' without confirmation; add --yes.")
    answer = input(f"Delete the profile '{name}' ({path})? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise UserError("Nothing deleted.")


def cmd_profiles(args: argparse.Namespace) -> int:
    action, name = args.action, getattr(args, "name", None)
    if action == "list":
        entries = store.list_profiles()
        if not entries:
            print("No profiles yet; make one with `posture-watch calibrate --name desk`.")
            return 0
        print(f"Profiles in {store.paths.profiles_dir()} (* = default):")
        for entry in entries:
            print(_format_entry(entry))
        _print_backups()
        return 0
    if not name:
        raise UserError(f"Say which profile: `posture-watch profiles {action} NAME` "
                        "(see `posture-watch profiles list`).")
    if action == "use":
        profile = store.use_profile(name)
        where = f" and for camera {store.camera_key(profile.camera)}" if store.camera_key(profile.camera) else ""
        print(f"Using profile '{store.validate_name(name)}' by default{where}.")
        return 0
    if action == "delete":
        _confirm_delete(name, bool(getattr(args, "yes", False)))
        was_default = store.read_state().default == store.validate_name(name)
        removed = store.delete_profile(name)
        print(f"Deleted profile '{store.validate_name(name)}' ({len(removed)} file{'s' if len(removed) != 1 else ''}).")
        if was_default:
            print("It was the default; choose another with `posture-watch profiles use NAME`.")
        return 0
    raise UserError(f"Unknown profiles action '{action}'; use list, use or delete.")
