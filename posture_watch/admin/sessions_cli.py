"""`posture-watch sessions list | delete ID [--replays] [--yes]`: the monitoring sessions stored.

`--replays` works on the replay database (`run --source FILE` without `--into-history`) instead of
your own history. A delete removes the session with its samples and events in one transaction,
after a confirmation (`--yes` for scripts); the running monitor's session cannot be deleted.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from posture_watch.io import paths
from posture_watch.core.errors import UserError


def database(args: argparse.Namespace) -> Path:
    return paths.replay_database_path() if getattr(args, "replays", False) else paths.database_path()


def _when(t: float | None) -> str:
    return "-" if t is None else datetime.fromtimestamp(t).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _length(started: float, ended: float | None) -> str:
    if ended is None:
        return "running or cut off"
    minutes, seconds = divmod(int(round(max(0.0, ended - started))), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def cmd_sessions(args: argparse.Namespace) -> int:
    from posture_watch.io.store import Store

    db = database(args)
    kind = "replay" if getattr(args, "replays", False) else "monitoring"
    if args.action == "list":
        if not db.exists() or db.stat().st_size == 0:
            print(f"No {kind} sessions yet ({db} does not exist).")
            return 0
        with Store.open(db, readonly=True) as store:
            rows = store.session_summaries()
        if not rows:
            print(f"No {kind} sessions in {db}.")
            return 0
        print(f"{kind.capitalize()} sessions in {db}:")
        print(f"{'ID':>5}  {'started':<19}  {'length':<18}  {'samples':>7}  profile / source")
        damaged = []
        for row, samples in rows:
            try:
                when, length, _ = _when(row.started_at), _length(row.started_at, row.ended_at), _when(row.ended_at)
            except (OverflowError, ValueError, OSError, TypeError):   # a time no clock can show (inf, 1e300)
                when, length = "damaged", "damaged"
                damaged.append(row)
            print(f"{row.id:>5}  {when:<19}  {length:<18}  {samples:>7}  {row.profile_name or '-'} / {row.source}")
        for row in damaged:
            print(f"Session {row.id} is damaged: its start ({row.started_at!r}) or end ({row.ended_at!r}) is not a "
                  f"time; `posture-watch sessions delete {row.id}{' --replays' if kind == 'replay' else ''}` removes it.")
        return 0
    if args.id is None:
        raise UserError("Say which session: `posture-watch sessions delete ID` (see `posture-watch sessions list`).")
    if not db.exists():
        raise UserError(f"There is no session {args.id}: {db} does not exist.")
    with Store.open(db) as store:
        found = {row.id: (row, n) for row, n in store.session_summaries()}
        if args.id not in found:
            raise UserError(f"There is no session {args.id} in {db}; see `posture-watch sessions list`.")
        row, samples = found[args.id]
        if row.ended_at is None and _is_running(row.id, found):
            raise UserError(f"Session {args.id} belongs to the running monitor; stop it first with "
                            "`posture-watch stop`.")
        if not args.yes:
            if not sys.stdin.isatty():
                raise UserError("Refusing to delete a session without confirmation; add --yes.")
            try:
                when = _when(row.started_at)
            except (OverflowError, ValueError, OSError, TypeError):
                when = "damaged"
            answer = input(f"Delete session {row.id} ({when}, {samples} samples)? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 1
        store.delete_session(row.id)
    print(f"Deleted session {row.id} ({samples} samples) from {db}.")
    return 0


def _is_running(session_id: int, found: dict) -> bool:
    """The newest open session is the running monitor's when a monitor runs."""
    from posture_watch.io.lifecycle import running_pid

    newest = max(found.values(), key=lambda item: (item[0].started_at, item[0].id))[0]
    return newest.id == session_id and running_pid() is not None
