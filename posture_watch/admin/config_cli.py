"""`posture-watch config show [KEY]` and `posture-watch config set KEY VALUE [KEY VALUE ...]`.

Every key of config.toml comes from the settings dataclasses (posture_watch.io.config and the classes
it names per section); its unit comes from its name (`_s` seconds, `_hz`, `_pct`, `_deg`, ...) and
its one line of meaning from the class itself: the field's trailing comment, or its entry in the
class docstring (`name: meaning`, or `name = default` with the meaning on the lines below). So a
new setting is explained where it is defined, and `config show` cannot drift from it.

`set` checks each value as its use will (`check_value`), then all the pairs together the way loading the
file would (type, range, the class's own checks, pairs such as the quiet hours), then writes them at once to
config.toml with tomlkit, which keeps the file's comments and layout; the file is replaced
atomically and stays private (0600).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from posture_watch.io import config as cfgmod
from posture_watch.io import paths
from posture_watch.io.config import ConfigError, SENSITIVITY_SCALES

TOP_MEANINGS = {
    "model_variant": "the pose model: lite (fastest), full or heavy (slower, steadier landmarks)",
    "model_path": "a pose model .task file to use instead of the downloaded one ('' = the cache)",
    "camera": "the camera to watch: an index (0, 1, ...) or a device path such as /dev/video2",
    "sensitivity": "how strictly posture is judged: gentle (tolerances x1.3), normal, strict (x0.75)",
}
# fields whose class says nothing of them, or says it together with another field
EXTRA_MEANINGS = {
    "sampling.unchanged_below_grey": "a picture changed less than this (mean grey levels) reuses the model's last answer",
    "engine.alert_fill_ratio": "share of alert_window_s that poor posture must fill to warn",
    "engine.break_reminder_after_s": "remind you to take a break after this much continuous sitting",
    "engine.break_reminder_repeat_s": "then remind again this often while you keep sitting",
    "notify.quiet_hours_start": "quiet hours begin ('HH:MM' local time, '' = none): warnings only go to the log",
    "notify.quiet_hours_end": "quiet hours end ('HH:MM' local time)",
    "monitor.reconnect_first_s": "first wait before reopening a lost camera (doubles each try)",
    "monitor.reconnect_max_s": "longest wait between tries to reopen a lost camera",
    "sampling.away_slow_after_s": "away this long: poll only every away_poll_s",
    "judge.shoulder_tilt_tol_deg": "shoulder line tilted this much more than in the baseline",
    "judge.trunk_inclination_tol_deg": "side view: trunk leaning forward this much more than in the baseline",
    "judge.max_size_ratio": "a person larger than this * the calibrated size is not the user",
}
_UNITS = (("_s", "s"), ("_hz", "Hz"), ("_pct", "%"), ("_deg", "°"), ("_min", "min"), ("_px", "px"),
          ("_frac", "fraction"), ("_ratio", "ratio"), ("_weight", "weight"))


@dataclass(frozen=True)
class Key:
    """One setting: `section.name` (section '' for the top level)."""

    section: str
    name: str
    default: Any
    current: Any
    unit: str
    meaning: str

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}" if self.section else self.name


def unit_of(name: str, default: Any) -> str:
    if isinstance(default, bool):
        return "true/false"
    for suffix, unit in _UNITS:
        if name.endswith(suffix):
            return unit
    return "text" if isinstance(default, str) else "number"


DEVELOPER_NOTE = re.compile(r"\s*\((?:see |since |from )?issues? \d+[^)]*\)", re.I)   # "(issue 14)"


def _first_sentence(text: str) -> str:
    """The text up to its first '.' or ';' outside brackets (not 'et al.', 'e.g.'), whole, without
    developer notes such as '(issue 14)'."""
    text = DEVELOPER_NOTE.sub("", " ".join(text.split()))
    lead = len(text) - len(text.lstrip("."))  # "... and below which": the dots are no sentence end
    depth, end = 0, len(text)
    for i, ch in enumerate(text):
        if i < lead:
            continue
        depth += ch in "([" and 1 or 0
        depth -= ch in ")]" and 1 or 0
        if depth == 0 and ch in ".;" and (i + 1 == len(text) or text[i + 1] == " ") \
                and not re.search(r"(\bal|\be\.g|\bi\.e|\bcf)$", text[:i]):
            end = i
            break
    return text[:end].strip()


def meanings(cls: type) -> dict[str, str]:
    """field name -> one line of meaning, read from the class's source (trailing comments) and docstring."""
    names = [f.name for f in dataclasses.fields(cls)]
    out: dict[str, str] = {}
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        source = ""
    for name in names:
        m = re.search(rf"^\s+{name}\s*:[^=\n]+=[^#\n]*#\s*(.+)$", source, re.M)
        if m:
            out[name] = _first_sentence(m.group(1))
    lines = (inspect.getdoc(cls) or "").splitlines()
    for i, line in enumerate(lines):
        head, sep, rest = line.partition(":")
        if sep and rest.strip():
            for name in _names_in(head, names):
                out.setdefault(name, _first_sentence(rest + " " + " ".join(_continuation(lines, i))))
        elif "=" in line:  # "alert_window_s = 180, alert_fill_ratio = 0.75" with the meaning below
            below = " ".join(_continuation(lines, i))
            for name in _names_in(line, names):
                out.setdefault(name, _first_sentence(below))
    return out


def _names_in(head: str, names: list[str]) -> list[str]:
    """Field names a docstring entry's head mentions: 'a / b', 'quiet_hours_start/_end', 'a = 1, b = 2'."""
    found, last = [], ""
    for token in re.findall(r"[A-Za-z_][\w]*", head):
        if token.startswith("_") and last:  # quiet_hours_start/_end
            token = last.rsplit("_", 1)[0] + token
        if token in names:
            found.append(token)
            last = token
    return found


def _continuation(lines: list[str], i: int) -> Iterator[str]:
    """The more indented lines after lines[i] (an entry's wrapped text)."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    for line in lines[i + 1:]:
        if not line.strip() or len(line) - len(line.lstrip()) <= indent:
            break
        yield line.strip()


def _sections() -> dict[str, type]:
    out: dict[str, type] = {"sampling": cfgmod.SamplingConfig}
    for name, (module, cls) in cfgmod._SECTIONS.items():  # noqa: SLF001 - the same package's registry
        out[name] = getattr(importlib.import_module(module), cls)
    return out


def all_keys(config: cfgmod.Config) -> list[Key]:
    """Every setting, top level first, with the file's value (or the default) as current."""
    defaults = cfgmod.Config()
    keys = [Key("", name, getattr(defaults, name), getattr(config, name), unit_of(name, getattr(defaults, name)),
                TOP_MEANINGS.get(name, "")) for name in cfgmod.TOP_KEYS]
    for section, cls in _sections().items():
        default = cls()
        try:
            current = config.sampling if section == "sampling" else cfgmod._build(  # noqa: SLF001
                cls, config.sections.get(section, {}), section)
        except ConfigError as exc:
            raise ConfigError(cfgmod.in_file(str(exc), config.source) if config.source else str(exc)) from None
        said = meanings(cls)
        for f in dataclasses.fields(cls):
            value = getattr(default, f.name)
            keys.append(Key(section, f.name, value, getattr(current, f.name), unit_of(f.name, value),
                            EXTRA_MEANINGS.get(f"{section}.{f.name}") or said.get(f.name, "")))
    return keys


def _show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return f"{value:g}" if isinstance(value, float) else str(value)


def _with_unit(key: Key, value: Any) -> str:
    unit = "" if key.unit in ("text", "number", "true/false", "fraction", "ratio", "weight") else \
        ("°" if key.unit == "°" else f" {key.unit}")
    return f"{_show_value(value)}{unit}"


def render(keys: list[Key], sensitivity: str, width: int | None = None) -> str:
    """One line a key: name, current value with unit, default, meaning (wrapped to `width`, the terminal's
    by default); '*' marks a value the file sets."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    name_w = max(len(k.name) for k in keys)
    value_w = max(len(_with_unit(k, k.current)) for k in keys)
    default_w = max(len(_with_unit(k, k.default)) for k in keys) + len("default ")
    lines, section = [], None
    for k in keys:
        if k.section != section:
            section = k.section
            lines.append(f"[{section}]" if section else "(top level)")
        mark = "*" if k.current != k.default else " "
        meaning = k.meaning
        if sensitivity != "normal" and k.section == "judge" and (
                "_tol_" in k.name or k.name in cfgmod._TOLERANCE_SHAPERS):  # noqa: SLF001
            meaning += f" [x{SENSITIVITY_SCALES[sensitivity]:g}: sensitivity {sensitivity}]"
        head = f"{mark} {k.name:<{name_w}}  {_with_unit(k, k.current):<{value_w}}  " \
               f"{'default ' + _with_unit(k, k.default):<{default_w}}  "
        # the meaning whole, wrapped under its own column (never cut off)
        wrapped = textwrap.wrap(meaning, max(40, width - len(head))) or [""]
        lines.append(head + wrapped[0])
        lines.extend(" " * len(head) + more for more in wrapped[1:])
    lines.append("")
    lines.append("Values marked * are set in the config file. Change one with `posture-watch config set SECTION.KEY VALUE`.")
    return "\n".join(lines)


def find_key(keys: list[Key], dotted: str) -> Key:
    for k in keys:
        if k.dotted == dotted:
            return k
    near = [k.dotted for k in keys if k.name == dotted.rsplit(".", 1)[-1]]
    hint = f" Did you mean {near[0]}?" if near else " `posture-watch config show` lists them."
    raise ConfigError(f"There is no setting {dotted!r}.{hint}")


def parse_value(key: Key, text: str) -> Any:
    """The typed value of `text` for `key`, or ConfigError with one sentence."""
    kind = type(key.default)
    if kind is bool:
        low = text.strip().lower()
        if low in ("true", "yes", "on", "1"):
            return True
        if low in ("false", "no", "off", "0"):
            return False
        raise ConfigError(f"{key.dotted} is true or false, not {text!r}.")
    if kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            unit = "" if key.unit in ("number", "fraction", "ratio", "weight") else f" ({key.unit})"
            raise ConfigError(f"{key.dotted} must be {what}{unit}, not {text!r}.") from None
        if kind is float and value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(f"{key.dotted} must be a finite number, not {text!r}.")
        return value
    return text


def set_values(path: Path, pairs: list[tuple[str, str]]) -> list[Key]:
    """Check each `KEY VALUE` of `pairs`, then all of them together as loading the file will (types, ranges,
    pairs such as quiet hours, the values' own rules), and write them into the TOML file at `path` in one
    go (comments kept). Nothing is written unless the whole file, with them, is good; a bad value already
    in the file is named with its key and the file (`config set` is how to fix it)."""
    import tomlkit

    keys = all_keys(cfgmod.Config())
    chosen = [(find_key(keys, dotted), text) for dotted, text in pairs]
    changed = [dataclasses.replace(key, current=check_value(key, parse_value(key, text))) for key, text in chosen]
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path} ({exc.strerror}).") from None
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix or delete it.") from None
    before = doc.unwrap()
    for key in changed:
        if key.section:
            if key.section not in doc:
                doc[key.section] = tomlkit.table()
            doc[key.section][key.name] = key.current
        else:
            doc[key.name] = key.current  # tomlkit puts a new top-level key before the first table
    reason = _problem(doc.unwrap())
    if reason:
        names = " and ".join(k.dotted for k in changed)
        if reason == _problem(before):  # a bad value already in the file, not one of these
            reason = cfgmod.in_file(reason, path)
        raise ConfigError(f"{names} {'was' if len(changed) == 1 else 'were'} not changed: {reason}")
    from posture_watch.io.files import write_private_atomic

    if path == paths.config_path():
        paths.ensure_private_dir(path.parent)
    elif not path.parent.is_dir():
        raise ConfigError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    try:
        write_private_atomic(path, tomlkit.dumps(doc))
    except OSError as exc:
        raise ConfigError(f"Cannot write the config file {path} ({exc.strerror}).") from None
    return changed


def _problem(data: dict[str, Any]) -> str | None:
    """What loading a file with these values would refuse (its checks, then each section's own), or None."""
    try:
        checked = cfgmod.parse_config(data)
        for section in checked.sections:
            checked.section(section)
    except ConfigError as exc:
        return re.sub(r"^Bad value in \[\w+\] of the config file: ", "", str(exc))
    return None


def check_value(key: Key, value: Any) -> Any:
    """The rules of the value's use that the file's types do not say: a camera that is an index, a device
    or a file that is there, a model file that is a pose model."""
    camera = str(value).strip()
    if key.dotted == "camera" and not (camera.isdigit() or camera.startswith("/dev/") or Path(camera).expanduser().exists()):
        raise ConfigError(f"camera must be a camera index (0, 1, ...) or a device path such as /dev/video2, and "
                          f"{value} does not exist.")
    if key.dotted == "model_path" and value:
        from posture_watch.io import models

        model = Path(str(value)).expanduser()
        if not model.is_file():
            raise ConfigError(f"model_path must be a pose model .task file, and {model} is not a file.")
        if models.identify(model) is None:
            raise ConfigError(f"model_path must be a known pose_landmarker .task file, and {model} is not one "
                              "(size or checksum differ).")
    return value


def cmd_config(args: argparse.Namespace) -> int:
    given = getattr(args, "config", None)
    path = Path(given).expanduser() if given else paths.config_path()
    if args.action == "show":
        if args.value is not None or getattr(args, "more", None):
            raise ConfigError("`config show` takes at most one KEY.")
        config = cfgmod.load_config(path)
        keys = all_keys(config)
        if args.key:
            keys = [find_key(keys, args.key)]
        print(f"Settings from {path}" + ("" if path.exists() else " (no file yet: all defaults)") + ":")
        print(render(keys, config.sensitivity))
        return 0
    words = [w for w in (args.key, args.value) if w is not None] + list(getattr(args, "more", None) or [])
    if not words or len(words) % 2:
        raise ConfigError("`config set` needs KEY VALUE pairs, e.g. `posture-watch config set sensitivity gentle` or "
                          "`posture-watch config set notify.quiet_hours_start 22:00 notify.quiet_hours_end 07:00`.")
    pairs = list(zip(words[::2], words[1::2]))
    dotted = [key for key, _ in pairs]
    twice = next((key for key in dotted if dotted.count(key) > 1), None)
    if twice:
        raise ConfigError(f"`config set` was given {twice} twice; give each setting once.")
    for key in set_values(path, pairs):
        print(f"{key.dotted} = {_with_unit(key, key.current)} written to {path}.")
    return 0
