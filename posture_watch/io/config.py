"""User settings: one TOML file, one frozen dataclass per concern, units in the names.

config.toml (all keys optional):

    model_variant = "lite"          # lite | full | heavy
    model_path = ""                 # a .task file to use instead of the cache
    camera = "0"                    # index or device path
    sensitivity = "normal"          # gentle | normal | strict: scales the judge's tolerances (see below)
    [sampling]
    slow_hz = 1.0                   # while posture is steady and good
    fast_hz = 2.0                   # while posture is changing or poor
    settled_hz = 0.1                # good posture unchanged for settled_after_s (60 s)
    analyze_hz = 2.0                # default rate of `analyze`
    [judge]    ... fields of posture_watch.core.judge.JudgeConfig
    [engine]   ... fields of posture_watch.core.engine.EngineConfig
    [notify]   ... fields of posture_watch.io.notify.NotifyConfig
    [monitor]  ... fields of posture_watch.core.monitor_config.MonitorConfig
    [preview]  ... fields of posture_watch.io.preview.PreviewConfig

Flags override the file; the file overrides the defaults. `posture-watch config show` lists every key
with its unit, default, current value and meaning; `posture-watch config set KEY VALUE [KEY VALUE ...]` changes
some, checked together. A bad value is named with its key and the file (`Config.source`).

Sensitivity. "gentle" widens every tolerance the judge derives from a profile by SENSITIVITY_SCALES
(x1.3), "strict" narrows them (x0.75): the floors ([judge] *_tol_*), the share of the baseline's own
noise (noise_k), the reading capture's margin and the share of the personal slouch sample. It is
applied here, in `Config.section("judge")`, on top of whatever [judge] sets.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posture_watch.io import paths
from posture_watch.core.errors import ConfigError  # noqa: F401  (re-exported: raised by every setting)
from posture_watch.core.sampling import SamplingConfig  # noqa: F401  (re-exported: the [sampling] table)


SENSITIVITY_SCALES: dict[str, float] = {"gentle": 1.3, "normal": 1.0, "strict": 0.75}
# JudgeConfig fields that, besides the *_tol_* floors, set how wide a tolerance is (deviation.tolerances)
_TOLERANCE_SHAPERS = ("noise_k", "reading_margin", "slouch_fraction")


def scale_tolerances(judge_config: Any, sensitivity: str) -> Any:
    """Pure: the JudgeConfig with every tolerance-setting field times the sensitivity's scale."""
    factor = SENSITIVITY_SCALES[sensitivity]
    if factor == 1.0:
        return judge_config
    names = [f.name for f in dataclasses.fields(judge_config)
             if "_tol_" in f.name or f.name in _TOLERANCE_SHAPERS]
    return dataclasses.replace(judge_config, **{n: getattr(judge_config, n) * factor for n in names})


# The pose model variants io.models can fetch and verify (its VARIANTS; tests/test_config_cli.py keeps the
# two equal: io.models reads this module, so this one cannot import it).
MODEL_VARIANTS = ("lite", "full", "heavy")

TOP_KEYS = ("model_variant", "model_path", "camera", "sensitivity")

# Settings of earlier versions that the judge no longer has: a config file that still sets one is read with
# that line ignored and said once on stderr (a monitor started at login must not stop on an old line).
RETIRED_SETTINGS: dict[str, str] = {
    "judge.lateral_offset_tol_pct": "a sideways lean is judged by the head's tilt, judge.head_tilt_tol_deg",
    "judge.side_head_turned_frac": "a head is turned when it turned since the upright capture",
    "judge.reading_max_widen": "every tolerance widens up to judge.max_widen",
    "judge.side_second_group_weight": "a second sign adds nothing in a side view",
    "judge.trunk_foreshortening_tol_pct": "the trunk's length in the picture is no longer judged",
    "judge.min_size_ratio_no_shoulders": "the person's size is judged by judge.min_size_ratio",
    "judge.out_of_frame_face_pct": "with the shoulders out of the picture a face counts as larger past judge.lean_in_tol_pct",
    "judge.out_of_frame_drop_pct": "with the shoulders out of the picture the ears count as lower past judge.shoulder_drop_tol_pct",
    "judge.out_of_frame_severity": "with the shoulders out of the picture the face's or the ears' own severity is the sink's",
}
_said_retired: set[tuple[str, str]] = set()

# section name -> (module, class) of the dataclass that holds it; imported lazily so that
# config stays independent of the modules that own those settings.
_SECTIONS: dict[str, tuple[str, str]] = {
    "judge": ("posture_watch.core.judge", "JudgeConfig"),
    "engine": ("posture_watch.core.engine", "EngineConfig"),
    "notify": ("posture_watch.io.notify", "NotifyConfig"),
    "monitor": ("posture_watch.core.monitor_config", "MonitorConfig"),
    "preview": ("posture_watch.io.preview", "PreviewConfig"),
}


@dataclass(frozen=True)
class Config:
    model_variant: str = "lite"
    model_path: str = ""
    camera: str = "0"
    sensitivity: str = "normal"
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    sections: dict[str, Any] = field(default_factory=dict)  # raw [judge]/[engine]/[notify] tables
    source: Path | None = field(default=None, compare=False)  # the file it was read from (None: defaults)
    retired: tuple[str, ...] = ()   # RETIRED_SETTINGS the file still sets (ignored)

    def section(self, name: str) -> Any:
        """The dataclass for a section ([judge], [engine], [notify]) with the file's overrides; a bad value
        is a ConfigError naming its key and the file."""
        module_name, class_name = _SECTIONS[name]
        cls = getattr(importlib.import_module(module_name), class_name)
        try:
            built = _build(cls, self.sections.get(name, {}), name)
        except ConfigError as exc:
            raise ConfigError(in_file(str(exc), self.source) if self.source else str(exc)) from None
        return scale_tolerances(built, self.sensitivity) if name == "judge" else built


def _build(cls: type, table: dict[str, Any], where: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"[{where}] in the config file must be a table.")
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(f"Unknown setting {where}.{unknown[0]} in the config file; known: {', '.join(known)}.")
    default = cls()
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = type(getattr(default, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected in (int, float, str, bool) and not isinstance(value, expected):
            raise ConfigError(f"Setting {where}.{key} must be a {expected.__name__}, not {value!r}.")
        values[key] = value
    try:
        return dataclasses.replace(default, **values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Bad value in [{where}] of the config file: {exc}") from None


def parse_config(data: dict[str, Any]) -> Config:
    """Pure: a parsed TOML table -> Config. Raises ConfigError with one sentence."""
    top_keys = {*TOP_KEYS, "sampling", *_SECTIONS}
    unknown = sorted(set(data) - top_keys)
    if unknown:
        raise ConfigError(f"Unknown setting '{unknown[0]}' in the config file.")
    sampling = _build(SamplingConfig, data.get("sampling", {}), "sampling")
    sections = {name: data[name] for name in _SECTIONS if name in data}
    retired = []
    for name, table in sections.items():
        if not isinstance(table, dict):
            raise ConfigError(f"[{name}] in the config file must be a table.")
        retired += [f"{name}.{key}" for key in table if f"{name}.{key}" in RETIRED_SETTINGS]
        sections[name] = {key: v for key, v in table.items() if f"{name}.{key}" not in RETIRED_SETTINGS}
    top = {k: data[k] for k in TOP_KEYS if k in data}
    for key, value in top.items():
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ConfigError(f"Setting {key} must be text, not {value!r}.")
        top[key] = str(value)
    if top.get("sensitivity", "normal") not in SENSITIVITY_SCALES:
        raise ConfigError(f"Setting sensitivity must be one of {', '.join(SENSITIVITY_SCALES)}, not {top['sensitivity']!r}.")
    if top.get("model_variant", "lite") not in MODEL_VARIANTS:
        raise ConfigError(f"Setting model_variant must be one of {', '.join(MODEL_VARIANTS)}, "
                          f"not {top['model_variant']!r}.")
    camera = top.get("camera", "0").strip()
    if not (camera.isdigit() or Path(camera).expanduser().is_absolute()):  # what `open_source` can open
        raise ConfigError(f"Setting camera must be a camera index (0, 1, ...) or a device path such as /dev/video2, "
                          f"not {top['camera']!r}.")
    return Config(sampling=sampling, sections=sections, retired=tuple(retired), **top)


def load_config(path: Path | None = None) -> Config:
    """Read config.toml (default location if `path` is None); missing file -> defaults."""
    path = path or paths.config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path} ({exc.strerror}).") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix or delete it.") from None
    try:
        config = dataclasses.replace(parse_config(data), source=path)
    except ConfigError as exc:
        raise ConfigError(in_file(str(exc), path)) from None
    for key in config.retired:
        if (str(path), key) not in _said_retired:
            _said_retired.add((str(path), key))
            print(f"posture-watch: the setting {key} in {path} is no longer used ({RETIRED_SETTINGS[key]}); "
                  "it is ignored, and you can delete its line.", file=sys.stderr)
    return config


def in_file(sentence: str, path: Path) -> str:
    """A config problem's sentence naming the file it is in (the value came from there, not from a flag)."""
    if "the config file" in sentence:
        return sentence.replace("the config file", f"the config file {path}", 1)
    return f"{sentence.rstrip('.')} (in the config file {path}; change it with `posture-watch config set` or edit the file)."


def config_for(args: Any) -> Config:
    """The config a CLI command should use: `--config FILE` if given, else the per-user file."""
    given = getattr(args, "config", None)
    if given:
        path = Path(given).expanduser()
        if not path.exists():
            raise ConfigError(f"The config file {path} does not exist.")
        return load_config(path)
    return load_config()
