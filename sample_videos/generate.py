#!/usr/bin/env python3
"""Make the sample clips and their ground-truth labels from public-domain photos.

    python sample_videos/generate.py            # render what is missing or out of date
    python sample_videos/generate.py --force    # render everything again
    python sample_videos/generate.py --only desk_session.mp4 --out /tmp/clips
    python sample_videos/generate.py --labels-only   # rewrite the labels files, no rendering

Sources: scikit-image's `astronaut()` (Eileen Collins, NASA) and matplotlib's `grace_hopper.jpg`
(US Navy), both public domain and shipped inside those PyPI packages. The person is cut out once
per photo with MediaPipe's segmentation mask, then posed frame by frame in a synthetic room
(see synth.py). The same phase list (CLIPS below, timeline.py) renders a clip and writes its
`NAME.labels.json`, so labels and pixels cannot drift apart.

Deterministic (seeded) and idempotent: a clip is rendered again only when it is missing or when
the hash of everything that decides its pixels (the clip's phases, the look constants, the
rendering code, the MediaPipe and OpenCV versions) differs from the one stored in
`OUT/.generated.json`. Frames are written to a hidden partial file and renamed when complete.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import multiprocessing
import os
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sample_videos import synth, timeline  # noqa: E402
from sample_videos.synth import Placement, Posture  # noqa: E402
from sample_videos.timeline import AWAY, GOOD, POOR, PULSE, RAMP, TRANSITION  # noqa: E402
from sample_videos.timeline import ClipSpec, PersonSpec, Phase  # noqa: E402

log = logging.getLogger("sample_videos")

GENERATOR_VERSION = 1          # bump when this file changes how pixels are made
STAMP_NAME = ".generated.json"

FORWARD_LEAN, LATERAL_LEAN = "forward_lean", "lateral_lean"
UP = Posture()
SLOUCH = Posture(lean=1.0)
GLANCE = Posture(pitch=1.0)
SIDE = Posture(tilt_deg=-13.0)
GONE = Posture(out=1.0)

ASTRONAUT = PersonSpec("astronaut", Placement(0.5, 0.70, 0.42))
GRACE = PersonSpec("grace_hopper", Placement(0.5, 0.71, 0.42))


def _up(s: float) -> Phase:
    return Phase("upright", GOOD, s)


def _glance(s: float) -> Phase:
    return Phase("glance", GOOD, s, UP, GLANCE, PULSE)


def _leave(start: Posture) -> Phase:
    """3 s walking out, then 1 s of empty room still counted as transition: MediaPipe's VIDEO-mode
    tracker can hold a pose for a frame after the person has gone."""
    return Phase("leave", TRANSITION, 4, start, GONE, RAMP, ramp_s=3)


def _return() -> Phase:
    return Phase("return", TRANSITION, 4, GONE, UP, RAMP, lead_s=1)


def desk_session() -> ClipSpec:
    phases = (
        _up(25),
        Phase("lean_in", TRANSITION, 20, UP, SLOUCH, RAMP, (FORWARD_LEAN,)),
        Phase("slouch", POOR, 162, SLOUCH, faults=(FORWARD_LEAN,)),
        Phase("sit_up", TRANSITION, 4, SLOUCH, UP, RAMP),
        _up(12), _glance(4), _up(12), _glance(7), _up(10), _glance(3), _up(12), _glance(6), _up(12),
        Phase("lean_side", TRANSITION, 3, UP, SIDE, RAMP, (LATERAL_LEAN,)),
        Phase("lateral_lean", POOR, 24, SIDE, faults=(LATERAL_LEAN,)),
        Phase("lean_back", TRANSITION, 3, SIDE, UP, RAMP),
        _up(12),
        _leave(UP), Phase("away", AWAY, 82, GONE, people=0), _return(),
        _up(25),
    )
    return ClipSpec(
        "desk_session.mp4",
        "Desk session of the astronaut: upright, a 20 s lean-in to a forward lean with head drop held "
        "162 s (one warning expected under 'poor for >= 75% of 180 s'), upright with four short glances "
        "down at the keyboard (never a warning), a 13-degree lateral lean toward the image's left for 24 s, "
        "82 s away, back upright.",
        (ASTRONAUT,), phases, seed=11,
        expected_warnings=({"fault": FORWARD_LEAN, "segment": "slouch"},),
        expected_breaks=({"segment": "away"},),
    )


def calibration() -> ClipSpec:
    """Made by following the calibration wizard's prompts on a file (0.5 s to move into each posture):
    upright through the set-up check, the upright step and the look at the bottom of the screen, then a
    look down at the keyboard and the usual slouch, so every step of the wizard has its posture. The
    first 14 s are upright: `calibrate --non-interactive --seconds 14` takes only those."""
    phases = (
        _up(14),
        Phase("keyboard", GOOD, 3.6, UP, GLANCE, PULSE),
        Phase("slouch_in", TRANSITION, 0.6, UP, SLOUCH, RAMP, (FORWARD_LEAN,)),
        Phase("slouch", POOR, 5.8, SLOUCH, faults=(FORWARD_LEAN,)),
    )
    return ClipSpec("calibration.mp4", "The astronaut following the calibration wizard's prompts (same camera as "
                    "desk_session): 14 s upright, a 3.6 s look down at the keyboard, then a forward-lean slouch "
                    "with head drop held 5.8 s.", (ASTRONAUT,), phases, seed=12)


def grace_desk() -> ClipSpec:
    phases = (
        _up(12),
        Phase("lean_in", TRANSITION, 5, UP, SLOUCH, RAMP, (FORWARD_LEAN,)),
        Phase("slouch", POOR, 18, SLOUCH, faults=(FORWARD_LEAN,)),
        _leave(SLOUCH), Phase("away", AWAY, 10, GONE, people=0), _return(),
        _up(10),
    )
    return ClipSpec("grace_desk.mp4",
                    "A short session of Grace Hopper: upright, forward lean with head drop held 18 s "
                    "(too short for a warning), away 10 s, back upright.",
                    (GRACE,), phases, seed=13, expected_breaks=({"segment": "away"},))


def grace_calibration() -> ClipSpec:
    return ClipSpec("grace_calibration.mp4", "10 s of Grace Hopper sitting upright (same camera as grace_desk).",
                    (GRACE,), (_up(10),), seed=14)


def two_people() -> ClipSpec:
    # This arrangement: MediaPipe lite (num_poses=2) finds both people in nearly every frame; with the
    # astronaut on the left it mostly finds only Grace Hopper.
    people = (PersonSpec("astronaut", Placement(0.74, 0.66, 0.27)),
              PersonSpec("grace_hopper", Placement(0.26, 0.68, 0.27)))
    return ClipSpec("two_people.mp4", "The astronaut and Grace Hopper side by side, both upright.",
                    people, (Phase("two_people", GOOD, 5),), seed=15)


def empty_room() -> ClipSpec:
    return ClipSpec("empty_room.mp4", "The room with nobody in it.", (),
                    (Phase("away", AWAY, 5, GONE),), seed=16)


CLIPS: dict[str, ClipSpec] = {c.name: c for c in (desk_session(), calibration(), grace_desk(),
                                                  grace_calibration(), two_people(), empty_room())}


# ------------------------------------------------------------------------- files and hashes

def labels_path(out_dir: Path, clip_name: str) -> Path:
    return out_dir / (Path(clip_name).stem + ".labels.json")


def labels_text(spec: ClipSpec) -> str:
    return json.dumps(timeline.labels_for(spec), indent=2) + "\n"


def write_labels(spec: ClipSpec, out_dir: Path) -> bool:
    """Write NAME.labels.json if its content changed; True if written."""
    path, text = labels_path(out_dir, spec.name), labels_text(spec)
    if path.exists() and path.read_text() == text:
        return False
    tmp = path.with_name("." + path.name + ".partial")
    tmp.write_text(text)
    os.replace(tmp, path)
    return True


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def params_hash(spec: ClipSpec) -> str:
    """Hash of everything that decides a clip's pixels."""
    code = b"".join((HERE / f).read_bytes() for f in ("photo.py", "synth.py", "timeline.py"))
    blob = json.dumps({"spec": spec.params(), "generator": GENERATOR_VERSION,
                       "mediapipe": _version("mediapipe"), "opencv": _version("opencv-contrib-python"),
                       "skimage": _version("scikit-image"), "matplotlib": _version("matplotlib")},
                      sort_keys=True, default=str).encode()
    return hashlib.sha256(blob + hashlib.sha256(code).digest()).hexdigest()


def read_stamps(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / STAMP_NAME).read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_stamp(out_dir: Path, clip_name: str, digest: str) -> None:
    stamps = read_stamps(out_dir)
    stamps[clip_name] = digest
    tmp = out_dir / (STAMP_NAME + ".partial")
    tmp.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, out_dir / STAMP_NAME)


def up_to_date(spec: ClipSpec, out_dir: Path) -> bool:
    return (out_dir / spec.name).is_file() and read_stamps(out_dir).get(spec.name) == params_hash(spec)


# ------------------------------------------------------------------------- source photos

def load_photo_rgb(key: str):
    import cv2

    if key == "astronaut":
        from skimage import data

        return data.astronaut()
    if key == "grace_hopper":
        import matplotlib.cbook as cbook

        bgr = cv2.imread(str(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
        return bgr[:, :, ::-1].copy()
    raise KeyError(key)


def find_model(explicit: str | None) -> str:
    if explicit:
        return explicit
    from posture_watch.io import models

    return str(models.ensure("lite", allow_fetch=False))


def prepare_photos(keys: set[str], model_path: str) -> dict[str, synth.PersonPhoto]:
    from posture_watch.io.pose import quiet_native_stderr

    with quiet_native_stderr():
        return {k: synth.prepare(k, load_photo_rgb(k), model_path) for k in sorted(keys)}


# ------------------------------------------------------------------------- rendering

def generate(names: list[str], out_dir: Path, force: bool = False, jobs: int = 2,
             model: str | None = None) -> list[str]:
    """Render the named clips that are missing or stale (all of them with force); always (re)write
    their labels. Returns the names rendered."""
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [CLIPS[n] for n in names]
    for spec in specs:
        if write_labels(spec, out_dir):
            log.info("wrote %s", labels_path(out_dir, spec.name).name)
    todo = [s for s in specs if force or not up_to_date(s, out_dir)]
    for spec in specs:
        if spec not in todo:
            log.info("%s is up to date", spec.name)
    if not todo:
        return []
    t0 = time.perf_counter()
    keys = {p.photo for s in todo for p in s.people}
    photos = prepare_photos(keys, find_model(model)) if keys else {}
    if photos:
        log.info("segmented %d photo(s) in %.1f s", len(photos), time.perf_counter() - t0)
    jobs = min(jobs, len(todo))
    ordered = [(spec, str(out_dir)) for spec in sorted(todo, key=lambda s: -s.frames)]
    t1 = time.perf_counter()
    if jobs > 1:  # one whole clip per task: no frames cross process boundaries
        with multiprocessing.get_context("spawn").Pool(jobs, timeline.worker_init, (photos,)) as pool:
            results = pool.imap_unordered(timeline.render_to_file, ordered)
            _stamp_each(results, out_dir, t1)
    else:
        timeline.worker_init(photos)
        _stamp_each(map(timeline.render_to_file, ordered), out_dir, t1)
    return [s.name for s in todo]


def _stamp_each(results, out_dir: Path, t0: float) -> None:
    for name, cpu_s in results:
        spec = CLIPS[name]
        write_stamp(out_dir, name, params_hash(spec))
        log.info("rendered %s: %d frames (%.0f s of video), %.1f s CPU, done %.1f s after start",
                 name, spec.frames, spec.duration_s, cpu_s, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: sample_videos/)")
    parser.add_argument("--only", nargs="+", metavar="CLIP", choices=sorted(CLIPS), help="clips to make")
    parser.add_argument("--force", action="store_true", help="render even if up to date")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--model", help="pose_landmarker_lite.task (default: the one posture-watch uses)")
    parser.add_argument("--labels-only", action="store_true", help="write the labels files only")
    parser.add_argument("--check", action="store_true", help="exit 1 if a clip is missing or stale")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="sample_videos: %(message)s")
    names = args.only or list(CLIPS)
    try:
        if args.labels_only:
            for n in names:
                write_labels(CLIPS[n], args.out)
            return 0
        if args.check:
            stale = [n for n in names if not up_to_date(CLIPS[n], args.out)]
            for n in stale:
                log.info("%s is missing or stale", n)
            return 1 if stale else 0
        generate(names, args.out, force=args.force, jobs=max(1, args.jobs), model=args.model)
    except Exception as exc:  # a script at the edge: one sentence, no traceback
        from posture_watch.core.errors import UserError

        if isinstance(exc, UserError):
            log.error("%s", exc)
            return 2
        if isinstance(exc, (ImportError, OSError, RuntimeError)):
            log.error("cannot make the sample videos: %s", exc)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
