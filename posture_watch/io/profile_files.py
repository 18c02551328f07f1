"""A calibration profile's file: read and validated, or written atomically and private.

Files are written atomically (temporary file in the same folder, fsync, rename) with mode 0600:
a profile describes a body and stays private. The values and their validation are pure
(`posture_watch.core.profile`); named profiles and which one is in use are `profile_store`.
"""

from __future__ import annotations

import json
from pathlib import Path

from posture_watch.core.errors import ProfileError
from posture_watch.core.profile import Profile, validate_profile_dict
from posture_watch.io.files import write_private_atomic


def load_profile(path: Path | str) -> Profile:
    """Read and validate a profile file. Raises ProfileError (one sentence) for every problem."""
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProfileError(f"The profile {path} does not exist; create it with "
                           f"`posture-watch calibrate --profile {path}`.") from None
    except IsADirectoryError:
        raise ProfileError(f"The profile path {path} is a folder; give the path of a profile file.") from None
    except OSError as exc:
        raise ProfileError(f"Cannot read the profile {path} ({exc.strerror}); check its permissions.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProfileError(f"The profile {path} is corrupt (not valid JSON); calibrate again with "
                           "`posture-watch calibrate`.") from None
    return validate_profile_dict(data, path)


PROFILE_KIND = "posture-watch-profile"


def refuse_to_replace_other_files(path: Path | str) -> None:
    """A profile is written over a profile (of any version, even a damaged one) or into a new file, never
    over another file: that is ProfileError, said before anything is captured."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ProfileError(f"The profile path {path} is a folder; give a file path with --profile.")
    if not (path.exists() or path.is_symlink()):
        return
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not (isinstance(data, dict) and data.get("kind") == PROFILE_KIND):
        raise ProfileError(f"{path} is not a calibration profile, and calibrating would overwrite it; it was "
                           "left alone: give --profile a new file (or a profile to replace).")


def save_profile(profile: Profile, path: Path | str) -> Path:
    """Write atomically with mode 0600 (parent folders are created private). Returns the path."""
    path = Path(path).expanduser()
    try:
        if not path.parent.exists():
            from posture_watch.io.paths import ensure_private_dir
            ensure_private_dir(path.parent)     # every folder it creates 0700, not only the last
        text = json.dumps(profile.to_json(), indent=2, sort_keys=False) + "\n"
        write_private_atomic(path, text)
    except IsADirectoryError:
        raise ProfileError(f"Cannot write the profile to {path}: it is a folder; give a file path.") from None
    except OSError as exc:
        raise ProfileError(f"Cannot write the profile {path} ({exc.strerror}); choose another place "
                           "with --profile.") from None
    return path


__all__ = ["load_profile", "save_profile"]
