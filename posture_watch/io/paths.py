"""Where posture-watch keeps its files.

`POSTURE_WATCH_HOME=DIR` moves everything the program writes or caches under DIR:
DIR/config, DIR/data (database, replay database, profiles), DIR/cache (pose model), DIR/reports, DIR/run (socket, lock).
Without it, platformdirs' per-user folders are used.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "posture-watch"
HOME_ENV = "POSTURE_WATCH_HOME"


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def _dir(sub: str, fallback: str) -> Path:
    home = _home()
    return home / sub if home is not None else Path(fallback)


def config_dir() -> Path:
    return _dir("config", platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return _dir("data", platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    return _dir("cache", platformdirs.user_cache_dir(APP))


def reports_dir() -> Path:
    return _dir("reports", str(Path(platformdirs.user_data_dir(APP)) / "reports"))


def runtime_dir() -> Path:
    """Socket and lock live here; private to the user (mode 0700)."""
    home = _home()
    if home is not None:
        return home / "run"
    base = os.environ.get("XDG_RUNTIME_DIR")
    return Path(base) / APP if base else Path(platformdirs.user_state_dir(APP)) / "run"


def profiles_dir() -> Path:
    return data_dir() / "profiles"


def database_path() -> Path:
    return data_dir() / "posture.sqlite3"


def replay_database_path() -> Path:
    """Where `run --source FILE` keeps replayed sessions, apart from the user's own history."""
    return data_dir() / "replays.sqlite3"


def config_path() -> Path:
    return config_dir() / "config.toml"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` readable only by the user (mode 0700), and every folder above it that has to be
    created with it (`mkdir(parents=True)` would give those the umask's 0755, and a listing of
    posture-watch's own folders to everyone). Folders that already exist above it are left as they are.
    Health data lives here."""
    missing = []
    probe = path
    while not probe.exists() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            from posture_watch.core.errors import cannot_write

            raise cannot_write(folder.parent, exc) from None
    try:
        path.chmod(0o700)
    except OSError:
        pass
    return path


def writable_state(folder: Path) -> str:
    """"ok", "not created yet" (its nearest existing parent can be written) or "cannot be written"."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        return "cannot be written"
    return "ok" if probe == folder else "not created yet"


def all_dirs() -> dict[str, Path]:
    return {
        "config": config_dir(),
        "data": data_dir(),
        "cache": cache_dir(),
        "reports": reports_dir(),
        "runtime": runtime_dir(),
    }
