"""Named calibration profiles: `paths.profiles_dir()/NAME.json` (+ `NAME.summary.png`), and which
one is in use, per camera, in `paths.config_dir()/profiles.json`:

    {"schema_version": 1, "default": "desk", "cameras": {"0": "laptop", "/dev/video2": "desk"}}

`run` asks `resolve_profile(camera, resolution)`: the profile recorded for that camera, else the
default one, else the only profile there is. A profile recorded at another resolution, or (once
the monitor has seen the person) in another view, is refused with advice, because its frame-based
measures (size and height in the picture) would not mean the same thing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posture_watch.io.files import write_private_atomic
from posture_watch.io import paths
from posture_watch.core.errors import ProfileError
from posture_watch.core.profile import Profile
from posture_watch.io.profile_files import load_profile, save_profile

STATE_SCHEMA_VERSION = 1
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
SUMMARY_SUFFIX = ".summary.png"


def state_path() -> Path:
    return paths.config_dir() / "profiles.json"


def validate_name(name: str) -> str:
    name = (name or "").strip()
    if name.endswith(".json"):
        name = name[:-5]
    if not NAME_RE.match(name) or name.endswith(".summary"):
        raise ProfileError(f"'{name}' cannot be a profile name; use letters, digits, '-', '_' or '.' "
                           "(up to 40), e.g. laptop or desk.")
    return name


def profile_path(name: str) -> Path:
    return paths.profiles_dir() / f"{validate_name(name)}.json"


def summary_image_path(profile_file: Path | str) -> Path:
    """The annotated summary image saved next to a profile: desk.json -> desk.summary.png."""
    p = Path(profile_file)
    return p.with_name(p.stem + SUMMARY_SUFFIX)


def camera_key(camera: str | int | None) -> str:
    """A stable key for a camera spec: '0', '/dev/video2'; a file path becomes its absolute path."""
    text = str(camera if camera is not None else "").strip()
    if text.isdigit() or text.startswith("/dev/video") or not text:
        return text
    if text.startswith("video ") or text.startswith("camera "):   # a source description
        text = text.split(" ", 1)[1]
    return str(Path(text).expanduser().resolve())


# --- the small state file ----------------------------------------------------------------------

@dataclass(frozen=True)
class StoreState:
    default: str | None = None
    cameras: dict[str, str] | None = None

    def camera_map(self) -> dict[str, str]:
        return dict(self.cameras or {})


def read_state() -> StoreState:
    path = state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StoreState(None, {})
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ProfileError(f"The profile choice file {path} is damaged; delete it and choose a profile "
                           "again with `posture-watch profiles use NAME`.") from None
    if not isinstance(data, dict):
        raise ProfileError(f"The profile choice file {path} is damaged; delete it and choose a profile "
                           "again with `posture-watch profiles use NAME`.")
    default = data.get("default") if isinstance(data.get("default"), str) else None
    cams = data.get("cameras") if isinstance(data.get("cameras"), dict) else {}
    return StoreState(default, {str(k): str(v) for k, v in cams.items() if isinstance(v, str)})


def write_state(state: StoreState) -> None:
    path = state_path()
    paths.ensure_private_dir(path.parent)
    text = json.dumps({"schema_version": STATE_SCHEMA_VERSION, "default": state.default,
                       "cameras": dict(sorted(state.camera_map().items()))}, indent=2) + "\n"
    write_private_atomic(path, text)


# --- listing, saving, choosing, deleting ---------------------------------------------------------

@dataclass(frozen=True)
class ProfileEntry:
    name: str
    path: Path
    profile: Profile | None          # None when the file is broken (see `problem`)
    problem: str = ""
    is_default: bool = False
    cameras: tuple[str, ...] = ()    # cameras for which this profile is recorded
    has_summary_image: bool = False


def profile_names() -> list[str]:
    folder = paths.profiles_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if p.is_file() and NAME_RE.match(p.stem))


def list_profiles() -> list[ProfileEntry]:
    state = read_state()
    cams = state.camera_map()
    out = []
    for name in profile_names():
        path = paths.profiles_dir() / f"{name}.json"
        try:
            profile, problem = load_profile(path), ""
        except ProfileError as exc:
            profile, problem = None, str(exc)
        out.append(ProfileEntry(name=name, path=path, profile=profile, problem=problem,
                                is_default=state.default == name,
                                cameras=tuple(sorted(k for k, v in cams.items() if v == name)),
                                has_summary_image=summary_image_path(path).exists()))
    return out


def load_named(name: str) -> Profile:
    path = profile_path(name)
    if not path.exists():
        raise ProfileError(f"There is no profile named '{name}'; see `posture-watch profiles list`.")
    return load_profile(path)


def backups_dir() -> Path:
    return paths.profiles_dir() / "backups"


def backups() -> list[Path]:
    """Profiles that a new calibration replaced, oldest first (`NAME.YYYYmmdd-HHMMSS.json`)."""
    folder = backups_dir()
    return sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []


def back_up(name: str) -> Path | None:
    """Move the profile `name` (if there is one) into the backups folder; its new path."""
    import time

    path = profile_path(name)
    if not path.exists():
        return None
    folder = paths.ensure_private_dir(backups_dir())
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(path.stat().st_mtime))
    target, n = folder / f"{name}.{stamp}.json", 1
    while target.exists():
        n += 1
        target = folder / f"{name}.{stamp}-{n}.json"
    try:
        path.replace(target)
    except OSError as exc:
        raise ProfileError(f"Cannot keep the old profile {path} as a backup ({exc.strerror}); nothing was "
                           "replaced.") from None
    return target


def save_named(profile: Profile, name: str, use: bool = True) -> Path:
    """Save a profile under `name`; a profile already there is kept in the backups folder first
    (see `backups`). With `use`, it becomes the profile of its camera, and the default when there
    is none yet."""
    back_up(name)
    path = save_profile(profile, profile_path(name))
    if use:
        state = read_state()
        cams = state.camera_map()
        if profile.camera:
            cams[camera_key(profile.camera)] = name
        default = state.default if state.default and profile_path(state.default).exists() else name
        write_state(StoreState(default, cams))
    return path


def use_profile(name: str, camera: str | None = None) -> Profile:
    """Make `name` the default, and the profile of `camera` (or of the camera it was recorded with)."""
    profile = load_named(name)
    state = read_state()
    cams = state.camera_map()
    key = camera_key(camera if camera is not None else profile.camera)
    if key:
        cams[key] = name
    write_state(StoreState(name, cams))
    return profile


def delete_profile(name: str) -> list[Path]:
    """Delete the profile file and its summary image; forget it as default and for any camera."""
    path = profile_path(name)
    if not path.exists():
        raise ProfileError(f"There is no profile named '{name}'; see `posture-watch profiles list`.")
    removed = []
    for p in (path, summary_image_path(path)):
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise ProfileError(f"Cannot delete {p} ({exc.strerror}); check its permissions.") from None
    state = read_state()
    cams = {k: v for k, v in state.camera_map().items() if v != name}
    write_state(StoreState(None if state.default == name else state.default, cams))
    return removed


# --- what `run` uses -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResolvedProfile:
    profile: Profile
    name: str | None       # None for an explicit path outside the profiles folder
    path: Path
    why: str               # "explicit", "camera", "default", "only"


def compatibility_problem(profile: Profile, resolution: tuple[int, int] | None, name: str = "") -> str | None:
    """Pure: why `profile` cannot judge frames of `resolution` (None if it can, or if either is unknown)."""
    if not resolution or not all(resolution) or not all(profile.resolution):
        return None
    if tuple(resolution) == tuple(profile.resolution):
        return None
    label = f"profile '{name}'" if name else "profile"
    pw, ph = profile.resolution
    return (f"The {label} was recorded at {pw}x{ph} but the camera now gives {resolution[0]}x{resolution[1]}; "
            f"calibrate again for this set-up (`posture-watch calibrate --name NAME`) or set the camera back to {pw}x{ph}.")


def view_problem(profile: Profile, observed_view: str | None, name: str = "") -> str | None:
    """Pure: why `profile` does not fit the view the monitor now sees (frontal vs side), or None.
    A three-quarter view is compatible with both (people turn)."""
    if observed_view is None or observed_view == profile.view or "three_quarter" in (observed_view, profile.view):
        return None
    label = f"profile '{name}'" if name else "profile"
    return (f"The {label} was recorded in a {profile.view.replace('_', '-')} view but the camera now sees you "
            f"from the {observed_view.replace('_', '-') if observed_view != 'frontal' else 'front'}; "
            "calibrate again in this position (`posture-watch calibrate --name NAME`).")


def check_view(resolved: ResolvedProfile | Profile, observed_view: str | None) -> None:
    """Raise ProfileError when the view the monitor settled on does not match the profile's."""
    profile = resolved.profile if isinstance(resolved, ResolvedProfile) else resolved
    name = (resolved.name or "") if isinstance(resolved, ResolvedProfile) else ""
    problem = view_problem(profile, observed_view, name)
    if problem:
        raise ProfileError(problem)


def looks_like_name(text: str) -> bool:
    """`--profile desk` names a stored profile; `desk.json`, `./desk` or `~/p.json` are files."""
    return "/" not in text and not text.endswith(".json") and bool(NAME_RE.match(text)) \
        and not text.endswith(".summary")


def explicit_entry(text: Path | str) -> ResolvedProfile:
    """`--profile NAME|FILE`: a stored profile's name (see `profiles list`) or a profile file's path.
    A name that is neither gets advice that makes the named profile."""
    text = str(text)
    if looks_like_name(text):
        path = profile_path(text)
        if path.exists():
            return ResolvedProfile(load_profile(path), text, path, "explicit")
        if not Path(text).exists():
            raise ProfileError(f"There is no profile named '{text}'; create it with `posture-watch calibrate "
                               f"--name {text}` (`posture-watch profiles list` shows the profiles there are).")
    path = Path(text).expanduser()
    profile = load_profile(path)
    name = path.stem if path.parent.resolve() == paths.profiles_dir().resolve() else None
    return ResolvedProfile(profile, name, path, "explicit")


def resolve_profile_entry(camera: str | int | None, resolution: tuple[int, int] | None = None,
                          explicit_path: Path | str | None = None, view: str | None = None) -> ResolvedProfile:
    """The profile `run` should use for `camera`, checked against `resolution` (and `view` if known)."""
    if explicit_path:
        resolved = explicit_entry(explicit_path)
    else:
        state = read_state()
        key = camera_key(camera)
        chosen, why = None, ""
        if key and key in state.camera_map():
            chosen, why = state.camera_map()[key], "camera"
            if not profile_path(chosen).exists():
                raise ProfileError(f"The profile '{chosen}' chosen for camera {key} no longer exists; choose "
                                   "another with `posture-watch profiles use NAME` or calibrate again.")
        elif state.default:
            chosen, why = state.default, "default"
            if not profile_path(chosen).exists():
                raise ProfileError(f"The default profile '{chosen}' no longer exists; choose another with "
                                   "`posture-watch profiles use NAME` or calibrate again.")
        else:
            names = profile_names()
            if len(names) == 1:
                chosen, why = names[0], "only"
            elif not names:
                raise ProfileError("There is no calibration profile yet; run `posture-watch calibrate` first.")
            else:
                raise ProfileError(f"There are {len(names)} profiles and none is chosen; pick one with "
                                   "`posture-watch profiles use NAME` (see `posture-watch profiles list`).")
        path = profile_path(chosen)
        resolved = ResolvedProfile(load_profile(path), chosen, path, why)
    problem = compatibility_problem(resolved.profile, resolution, resolved.name or "")
    if problem:
        raise ProfileError(problem)
    if view is not None:
        check_view(resolved, view)
    return resolved


def resolve_profile(camera: str | int | None, resolution: tuple[int, int] | None = None,
                    explicit_path: Path | str | None = None, view: str | None = None) -> Profile:
    """`resolve_profile_entry(...).profile`: the checked profile for this camera."""
    return resolve_profile_entry(camera, resolution, explicit_path, view).profile


def describe(entry: ProfileEntry) -> dict[str, Any]:
    """A JSON-able description of a listed profile (for `profiles list`)."""
    p = entry.profile
    return {
        "name": entry.name, "path": str(entry.path), "default": entry.is_default, "cameras": list(entry.cameras),
        "problem": entry.problem or None,
        "view": p.view if p else None, "resolution": list(p.resolution) if p else None,
        "camera": p.camera if p else None, "created_at": p.created_at if p else None,
        "has_reading": bool(p and p.reading), "has_slouch": bool(p and p.slouch),
    }
