"""The calibration profile: robust summaries, JSON round trip, schema, and every broken-file error."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import jsonschema
import pytest

from posture_watch.core.errors import ProfileError
from posture_watch.core.profile import SCHEMA_VERSION, MeasureStats, Profile, summarize, summarize_all, validate_profile_dict
from posture_watch.io.profile_files import load_profile, save_profile

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "calibration" / "profile.schema.json").read_text())


def make_profile(**changes) -> Profile:
    base = dict(
        baseline={"head_drop_ratio": MeasureStats(0.6, 0.01, 40), "face_size_ratio": MeasureStats(0.4, 0.008, 40)},
        view="frontal", resolution=(1280, 720), camera="0", created_at="2024-05-01T09:00:00+00:00",
        samples=40, duration_s=10.0,
    )
    base.update(changes)
    return Profile(**base)


@pytest.mark.parametrize("values, median, spread, n", [
    ([1.0, 2.0, 3.0], 2.0, 1.4826, 3),
    ([1.0, 1.0, 1.0, 100.0], 1.0, 0.0, 4),             # an outlier moves neither
    ([None, 2.0, float("nan"), 4.0, 6.0], 4.0, 2.9652, 3),   # missing values are skipped
])
def test_summarize_is_median_and_scaled_mad(values, median, spread, n):
    s = summarize(values)
    assert s is not None
    assert s.median == pytest.approx(median)
    assert s.spread == pytest.approx(spread)
    assert s.n == n


def test_summarize_needs_enough_values():
    assert summarize([1.0, None, 2.0]) is None
    assert summarize_all([{"a": 1.0, "b": None}] * 5) == {"a": MeasureStats(1.0, 0.0, 5)}


def test_round_trip_keeps_everything(tmp_path):
    profile = make_profile(reading={"head_drop_ratio": MeasureStats(0.55, 0.02, 20)},
                           slouch={"head_drop_ratio": MeasureStats(0.45, 0.02, 20)}, notes="desk")
    path = save_profile(profile, tmp_path / "p.json")
    assert load_profile(path) == profile


def test_saved_file_is_private_and_matches_the_schema(tmp_path):
    path = save_profile(make_profile(), tmp_path / "sub" / "p.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    jsonschema.validate(json.loads(path.read_text()), SCHEMA)
    assert [p.name for p in path.parent.iterdir()] == ["p.json"]      # no temporary file left behind


def test_schema_accepts_optional_blocks_and_rejects_unknown_fields(tmp_path):
    data = make_profile(reading={"cva_deg": MeasureStats(70.0, 2.0, 10)}).to_json()
    jsonschema.validate(data, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "surprise": 1}, SCHEMA)
    with pytest.raises(ProfileError):
        validate_profile_dict({**data, "surprise": 1})


def test_save_replaces_an_existing_profile(tmp_path):
    path = tmp_path / "p.json"
    save_profile(make_profile(camera="old"), path)
    save_profile(make_profile(camera="new"), path)
    assert load_profile(path).camera == "new"


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "profile.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _good_dict() -> dict:
    return make_profile().to_json()


@pytest.mark.parametrize("content, words", [
    ("{not json", "corrupt"),
    (b"\xff\xfe\x00garbage", "corrupt"),
    ("", "corrupt"),
    ("[1, 2, 3]", "not a posture-watch profile"),
    (json.dumps({"kind": "something-else", "schema_version": 1}), "not a posture-watch profile"),
    (json.dumps({"app": "posturr", "threshold": 0.3}), "not a posture-watch profile"),
    (json.dumps({**_good_dict(), "schema_version": 0}), "older version"),
    (json.dumps({**_good_dict(), "schema_version": SCHEMA_VERSION + 1}), "newer posture-watch"),
    (json.dumps({**_good_dict(), "schema_version": "1"}), "schema_version"),
    (json.dumps({k: v for k, v in _good_dict().items() if k != "baseline"}), "missing 'baseline'"),
    (json.dumps({**_good_dict(), "baseline": {}}), "baseline"),
    (json.dumps({**_good_dict(), "baseline": {"head_drop_ratio": {"median": "x", "spread": 0, "n": 1}}}), "broken entry"),
    (json.dumps({**_good_dict(), "baseline": {"head_drop_ratio": {"median": 1, "spread": -1, "n": 1}}}), "impossible"),
    (json.dumps({**_good_dict(), "view": "upside-down"}), "unknown view"),
    (json.dumps({**_good_dict(), "resolution": [1280]}), "resolution"),
])
def test_broken_files_give_one_sentence_with_what_to_do(tmp_path, content, words):
    path = _write(tmp_path, content)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert words in message
    assert "calibrate" in message or "upgrade" in message
    assert "\n" not in message and message.endswith(".")


def test_missing_file_and_folder_are_user_errors(tmp_path):
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "nope.json")
    with pytest.raises(ProfileError, match="folder"):
        load_profile(tmp_path)


def test_unwritable_place_is_a_user_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ProfileError, match="Cannot write"):
        save_profile(make_profile(), blocker / "p.json")


def test_sample_profile_loads_and_matches_the_schema():
    path = ROOT / "calibration" / "sample_profile.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: make it with `posture-watch calibrate` on sample_videos/calibration.mp4")
    profile = load_profile(path)
    jsonschema.validate(json.loads(path.read_text()), SCHEMA)
    assert profile.view == "frontal" and profile.samples > 0
    assert os.path.getsize(path) < 20_000


def test_a_profile_records_the_pose_mode_and_an_old_one_keeps_its_own(tmp_path):
    from posture_watch.io.pose import mode_for
    from posture_watch.core.profile import LEGACY_NUM_POSES, TRACKING_NUM_POSES

    new = load_profile(save_profile(make_profile(), tmp_path / "new.json"))
    assert json.loads((tmp_path / "new.json").read_text())["num_poses"] == TRACKING_NUM_POSES
    assert mode_for(new) == TRACKING_NUM_POSES
    data = make_profile().to_json()
    del data["num_poses"]                       # a file written before the mode was recorded
    jsonschema.validate(data, SCHEMA)
    old = validate_profile_dict(data)
    assert mode_for(old) == LEGACY_NUM_POSES and old.baseline == new.baseline
    assert mode_for(None) == TRACKING_NUM_POSES  # no profile: nothing to match, take the lighter mode


@pytest.mark.parametrize("value", [3, 0, True, "1", None])
def test_a_broken_pose_mode_is_one_sentence(value):
    data = dict(make_profile().to_json(), num_poses=value)
    with pytest.raises(ProfileError, match="broken num_poses"):
        validate_profile_dict(data, "p.json")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
