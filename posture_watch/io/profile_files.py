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
