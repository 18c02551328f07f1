"""Input fuzzed with hypothesis: profile files, config files and command lines. Each is either taken or
refused with one sentence (a UserError); what is taken then works (the judge, the engine and the
sampling run on it without an exception). Never a traceback, never an "unexpected error"."""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, sample
from posture_watch import cli
from posture_watch.core import engine
from posture_watch.io.config import ConfigError, load_config, parse_config
from posture_watch.core.domain import Frame
from posture_watch.core.errors import UserError
from posture_watch.core.geometry import measure
from posture_watch.core.judge import Judge
from posture_watch.io.profile_files import load_profile
from posture_watch.core.sampling import SamplingInput, next_interval_s
from posture_watch.io.sources import VideoFileSource

SAMPLE_PROFILE = json.loads((ROOT / "calibration" / "sample_profile.json").read_text())
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def metrics(model_path):
    """Real measures of upright, slouched and empty pictures (one MediaPipe pass, then reused)."""
    from posture_watch.io.pose import PoseEstimator

    out = []
    with PoseEstimator(model_path) as est:
        for clip, times in (("desk_session.mp4", (2.0, 3.0, 100.0, 101.0, 300.0, 380.0, 381.0)),):
            with VideoFileSource(sample(clip)) as src:
                for t in times:
                    frame = src.read(t)
                    out.append(measure(est.detect(Frame(t - times[0], frame.image))))
    return out


def _use(profile, judge_config, engine_config, sampling, metrics) -> None:
    """What the monitor does with a profile and settings, on real measures."""
    judge = Judge(profile, judge_config)
    state = engine.initial_state(engine_config)
    t0 = time.time()
    for i, m in enumerate(metrics * 3):
        reading = judge.update(m)
        assert reading.state in ("good", "poor", "away", "unknown")
        assert reading.score is None or 0 <= reading.score <= 100 or math.isnan(reading.score) is False
        state, _ = engine.step(state, reading, t0 + i)
        interval = next_interval_s(sampling, SamplingInput(state=reading.state, since_change_s=float(i)))
        assert interval > 0
    engine.status(state, t0 + 100)


# --- profiles -----------------------------------------------------------------------------------------

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                  st.dictionaries(st.text(max_size=10), inner,
                                                                                  max_size=4)), max_leaves=12)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


PROFILE_PATHS = [p for p in _paths(SAMPLE_PROFILE) if p]


@st.composite
def mutated_profiles(draw):
    data = json.loads(json.dumps(SAMPLE_PROFILE))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PROFILE_PATHS))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(JSON_VALUES)
            elif action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=12))] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed or replaced this path
    return data


def _check_profile_file(path, metrics, from_config=None) -> None:
    try:
        profile = load_profile(path)
    except UserError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return
    cfg = from_config or parse_config({})
    _use(profile, cfg.section("judge"), cfg.section("engine"), cfg.sampling, metrics)


@FUZZ
@given(data=mutated_profiles())
def test_fuzzed_profile_is_taken_and_works_or_refused_in_one_sentence(tmp_path, metrics, data):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data, allow_nan=True))
    _check_profile_file(path, metrics)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=300), JSON_VALUES.map(lambda v: json.dumps(v).encode()),
                     st.text(max_size=300).map(str.encode)))
def test_profile_of_random_bytes_is_refused_in_one_sentence(tmp_path, metrics, raw):
    path = tmp_path / "profile.json"
    path.write_bytes(raw)
    _check_profile_file(path, metrics)


# --- config files -------------------------------------------------------------------------------------

def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    return "[" + ", ".join(_toml_value(x) for x in v) + "]"


def _known_keys() -> dict[str, list[str]]:
    import dataclasses

    cfg = parse_config({})
    keys = {"sampling": [f.name for f in dataclasses.fields(cfg.sampling)]}
    for name in ("judge", "engine", "notify", "monitor"):
        keys[name] = [f.name for f in dataclasses.fields(cfg.section(name))]
    return keys


KNOWN = _known_keys()
TOML_SCALARS = st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                         st.text(max_size=12), st.sampled_from(["08:30", "22:00", "gentle", "firmer", "lite", "0"]))
TOML_VALUES = st.one_of(TOML_SCALARS, st.lists(TOML_SCALARS.filter(lambda v: not isinstance(v, float)), max_size=3))


@st.composite
def config_texts(draw):
    lines = []
    for top in draw(st.lists(st.sampled_from(["model_variant", "model_path", "camera", "typo_key"]), max_size=2,
                             unique=True)):
        lines.append(f"{top} = {_toml_value(draw(TOML_VALUES))}")
    for section in draw(st.lists(st.sampled_from(sorted(KNOWN) + ["nonsense"]), max_size=3, unique=True)):
        lines.append(f"[{section}]")
        names = KNOWN.get(section, []) + ["not_a_setting"]
        for key in draw(st.lists(st.sampled_from(names), max_size=4, unique=True)):
            lines.append(f"{key} = {_toml_value(draw(TOML_VALUES))}")
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 9)) == 0:  # now and then, damage the text itself
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=5)) + text[cut:]
    return text


@FUZZ
@given(text=config_texts())
def test_fuzzed_config_is_taken_and_works_or_refused_in_one_sentence(tmp_path, metrics, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    try:
        cfg = load_config(path)
        sections = {name: cfg.section(name) for name in ("judge", "engine", "notify", "monitor")}
    except UserError as exc:
        assert str(exc).strip() and "\n" not in str(exc), text
        return
    _use(load_profile(ROOT / "calibration" / "sample_profile.json"), sections["judge"], sections["engine"],
         cfg.sampling, metrics)


# --- command lines ------------------------------------------------------------------------------------

WORDS = ["analyze", "calibrate", "run", "status", "pause", "resume", "snooze", "report", "model", "doctor",
         "profiles", "data", "autostart", "--profile", "--rate", "--every-frame", "--fps", "--jsonl", "--seconds",
         "--quiet", "--speed", "--no-notify", "--date", "--days", "--json", "--csv", "--variant", "--name",
         "--source", "--config", "--non-interactive", "--check", "-v", "--yes", "list", "use", "delete", "where",
         "verify", "path", "show", "-", "0", "-1", "nan", "inf", "1e309", "2026-02-30", "2026-13-01", "99999",
         "/nonexistent/x.mp4", "/dev/null", "", " ", "é", "--", "--help-me", "0x10", "5", "1.5"]
# Not fuzzed (they would wait for input, fetch from the network, run a long demo or touch the
# user's login files): the interactive wizard, model fetch, demo, autostart install/remove.
UNSAFE = [("calibrate",), ("model", "fetch"), ("demo",), ("autostart", "install"), ("autostart", "remove")]


def _safe(argv: list[str]) -> bool:
    words = [w for w in argv if not w.startswith("-")]
    if not words:
        return True
    if words[0] == "calibrate":
        return "--non-interactive" in argv and "--source" in argv
    if words[0] in ("demo", "run"):
        return "--source" in argv and words[0] == "run"
    if words[0] == "model" and "fetch" in argv:
        return False
    if words[0] == "autostart" and ("install" in argv or "remove" in argv):
        return False
    return True


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(argv=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=6))
def test_fuzzed_command_line_is_never_a_traceback(argv, capsys, tmp_path):
    if not _safe(argv):
        return
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out, (argv, err)
    assert "unexpected error" not in err, (argv, err)
    assert code in (0, 1, 2, 3, 130), (argv, code, err)
    if code == 2 and not err.strip():
        assert out.startswith("usage:"), (argv, out)  # no command: the help
    elif code == 2:
        assert len([line for line in err.splitlines() if line.strip()]) == 1, (argv, err)


VALUES = st.one_of(st.sampled_from(["0", "-1", "1", "2.5", "nan", "inf", "-inf", "1e309", "2026-02-30", "2026-03-29",
                                    "1970-01-01", "9999-12-31", "", "x", "lite", "full", "heavy", "default", "../x",
                                    "a/b", ".summary", "CON", "é"]),
                   st.text(max_size=10), st.integers(-10**9, 10**9).map(str), st.floats().map(str))


@st.composite
def command_lines(draw):
    v = lambda: draw(VALUES)  # noqa: E731
    return draw(st.sampled_from([
        ["report", "--date", v(), "--days", v()],
        ["report", "--date", v(), "--json", "-"],
        ["report", "--days", v(), "--csv", "-"],
        ["pause", v()], ["snooze", v()], ["resume"], ["status"],
        ["profiles", "use", v()], ["profiles", "delete", v()], ["profiles", "list"],
        ["model", "verify", "--variant", v()], ["model", "path", "--variant", v()],
        ["analyze", v(), "--rate", v()], ["analyze", "/nonexistent.mp4", "--seconds", v(), "--fps", v()],
        ["run", "--source", v(), "--speed", v()], ["calibrate", "--non-interactive", "--source", v(), "--seconds", v()],
        ["data", "where"], ["autostart", "show"], ["--config", v(), "status"],
    ]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(argv=command_lines())
@example(argv=["report", "--date", "9999-12-31", "--json", "-"])  # found by a fresh run (issue 23): OverflowError
@example(argv=["report", "--date", "0001-01-01", "--days", "1"])
def test_fuzzed_option_values_are_never_a_traceback(argv, capsys, private_home):
    if argv[0] in ("run", "calibrate", "analyze") and argv[1 + (argv[0] != "analyze")] in ("0", "-1", "1", "5"):
        return  # a camera index: there is none here, but do not wait for one
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out, (argv, err)
    assert "unexpected error" not in err, (argv, err)
    assert code in (0, 1, 2, 3), (argv, code, err)
    if code == 2:
        assert len([line for line in err.splitlines() if line.strip()]) == 1, (argv, err)
