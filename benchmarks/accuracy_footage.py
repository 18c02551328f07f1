"""`accuracy.py --section footage`: real video of real people, through the installed commands.

For every case of `../shared/dev-data/footage/labels.json` it runs, as an outside script would
(`sys.executable -m posture_watch`, POSTURE_WATCH_HOME a temporary folder):

    posture-watch calibrate --source CAL --profile P --non-interactive
    posture-watch analyze EVAL --profile P --every-frame --jsonl OUT
    posture-watch analyze CAL --every-frame --jsonl CALOUT      (no profile: the peers' calibration values)

and prints one row per case: calibration accepted or its refusal sentence; the balanced accuracy per
sample (mean of the recall on labelled poor and on labelled good; away/unknown count as wrong;
unlabelled time is not scored); the four peer rules of `--section real` on the same frames (their
inputs from the JSONL metrics: nose and ear heights, ear distance, shoulder width, neck length); and
the fault attribution: the share of samples in each labelled poor span whose named (main) fault is the
span's labelled fault. It ends with: calibration accepted N of M, accuracy mean and worst, the
leave-one-person-out line for the constants chosen by fitting (FITTED), the same for every other
numeric constant of the judge (one at a time at 0.5-2 times its stated value: the accuracy at each
multiple, the held-out mean when each person's value is chosen on the others, and how often the stated
value is chosen), and the worst person.

`--force-calibration` (development only): a refused calibration is replaced by a profile built from
the same capture without the capture checks (`benchmarks/force_profile.py`), so the judge is scored
on every case. `--fast` (development only): no commands, the judge in-process on landmarks cached in
`--cache` (every frame through the same model); its table says so and is not the benchmark's.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from accuracy_real import balanced, peer_rules_on

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOOTAGE_DIR = ROOT.parent / "shared" / "dev-data" / "footage"
_FRONTAL_SHOULDER_PER_NECK = 1.6     # geometry.torso_yaw_deg's constant: sw = 1.6 neck cos(yaw)

# JudgeConfig fields chosen by fitting on the footage -> the candidate values the leave-one-person-out
# line chooses from (on the other people only). Empty: every constant is a stated human amount.
FITTED: dict[str, tuple[float, ...]] = {"head_tilt_tol_deg": (8.0, 10.0, 12.0, 15.0),
                                        "head_sink_tol_pct": (20.0, 15.0, 12.0)}


@dataclass
class CaseResult:
    name: str
    view: str
    person: str
    accepted: bool
    sentence: str = ""
    scored: bool = False
    project: float = math.nan
    peers: dict[str, float] = field(default_factory=dict)
    spans: list[tuple[str, float, int]] = field(default_factory=list)   # (labelled fault, share named, n)
    profile: Path | None = None


# --- the peers' inputs, from a JSONL line's metrics ------------------------------------------------

def peer_inputs_of(m: Mapping[str, float | None], size: tuple[int, int]) -> dict[str, float | None]:
    """nose_y, face_width, head_drop and side_angle (accuracy_real's peer inputs) from the metrics of
    one `analyze` line: head_drop = ear height above the shoulders / shoulder width, in pixels (the
    shoulder width from shoulder_width_frac, or where a side view omits it, from the neck length and
    the torso's yaw as geometry.torso_yaw_deg defines it); side_angle = the ear-to-shoulder line
    against vertical, its horizontal part from the neck length."""
    w, h = size
    out: dict[str, float | None] = {"nose_y": m.get("nose_y_frac"), "face_width": m.get("face_width_frac"),
                                    "head_drop": None, "side_angle": None}
    ey, sy, neck = m.get("ear_y_frac"), m.get("shoulder_y_frac"), m.get("neck_length_frac")
    if ey is None or sy is None or neck is None:
        return out
    dy = (sy - ey) * h
    sw = m.get("shoulder_width_frac")
    yaw = m.get("torso_yaw_deg")
    sw_px = sw * w if sw is not None else (
        _FRONTAL_SHOULDER_PER_NECK * neck * w * math.cos(math.radians(yaw)) if yaw is not None else None)
    if sw_px and sw_px > 1e-9:
        out["head_drop"] = dy / sw_px
    dx = math.sqrt(max(0.0, (neck * w) ** 2 - dy ** 2))
    out["side_angle"] = math.degrees(math.atan2(dx, dy))
    return out


def _size(path: Path) -> tuple[int, int]:
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    finally:
        cap.release()


# --- the commands -----------------------------------------------------------------------------------

def _env(home: Path) -> dict[str, str]:
    from posture_watch.io import models

    env = dict(os.environ, POSTURE_WATCH_HOME=str(home), PYTHONPATH=str(ROOT))
    model = models.find()          # the user's verified model: the temporary home has none
    if model is not None and "POSTURE_WATCH_MODEL" not in env:
        env["POSTURE_WATCH_MODEL"] = str(model)
    return env


def _cli(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "posture_watch", *args], env=dict(env),
                          capture_output=True, text=True)


def _sentence(proc: subprocess.CompletedProcess) -> str:
    text = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    line = text[-1].strip() if text else f"exit {proc.returncode}"
    return line.removeprefix("posture-watch: ")


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def calibrate(cal: Path, profile: Path, env: Mapping[str, str], force: bool) -> tuple[bool, str, Path | None]:
    proc = _cli("calibrate", "--source", str(cal), "--profile", str(profile), "--non-interactive", env=env)
    if proc.returncode == 0:
        return True, "", profile
    sentence = _sentence(proc)
    if not force:
        return False, sentence, None
    forced = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "force_profile.py"), str(cal), str(profile)],
                            env=dict(env), capture_output=True, text=True)
    return False, sentence, profile if forced.returncode == 0 else None


def analyze(src: Path, profile: Path | None, out: Path, env: Mapping[str, str]) -> list[dict]:
    extra = ["--profile", str(profile)] if profile is not None else []
    proc = _cli("analyze", str(src), *extra, "--every-frame", "--jsonl", str(out), "--quiet", env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"analyze {src.name}: {_sentence(proc)}")
    return _rows(out)


# --- the same in-process, on cached landmarks (development: --fast, and the leave-one-person-out) ---

def tracked_detections(src: Path, profile, cache: Path) -> list:
    """Every frame's detection as `analyze --every-frame` makes it for this profile: the pose model's
    tracking dropped where the judge (default settings) found a pose that could not be the person
    (monitor/tracking.py), so the in-process judge sees the pictures the command saw. Cached per clip
    and profile, landmarks only."""
    import hashlib
    import pickle

    from posture_watch.core.judge import Judge
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.io.sources import open_source
    from posture_watch.monitor.analyze import iter_readings

    stat = src.stat()
    key = hashlib.sha1(pickle.dumps(profile)).hexdigest()[:12]
    from accuracy import pose_code_key

    path = cache / f"{src.stem}-{stat.st_size}-{int(stat.st_mtime)}-tracked-{key}-{pose_code_key()}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())

    class Recording(PoseEstimator):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list = []

        def detect_prepared(self, prepared):
            d = super().detect_prepared(prepared)
            self.seen.append(d)
            return d

    with open_source(str(src)) as source, Recording() as estimator:
        for _ in iter_readings(source, estimator, Judge(profile), None):
            pass
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(estimator.seen))
    return estimator.seen


def inprocess_rows(src: Path, profile, cache: Path, config=None) -> list[dict]:
    from accuracy import detect_clip
    from posture_watch.core.geometry import measure
    from posture_watch.core.judge import Judge, JudgeConfig

    judge = Judge(profile, config or JudgeConfig()) if profile is not None else None
    out = []
    for d in (tracked_detections(src, profile, cache) if profile is not None else detect_clip(src, cache)):
        m = measure(d)
        out.append(judge.update(m).to_json() if judge else {"t": d.t_s, "metrics": dict(m.values)})
    return out


def inprocess_profile(cal: Path, cache: Path):
    """The profile `calibrate --non-interactive` makes of this clip, without its capture checks: the same
    capture (calibrate.capture: its sampling, the same picture's same answer, the careful second looks).
    Cached per clip, as measures (keyed by the pose and geometry code)."""
    import pickle

    from posture_watch.calibration.calibrate import CalibrationConfig, build_profile, capture
    from posture_watch.io.pose import PoseEstimator
    from posture_watch.io.sources import open_source

    stat = cal.stat()
    from accuracy import measure_code_key

    path = cache / f"{cal.stem}-{stat.st_size}-{int(stat.st_mtime)}-capture-{measure_code_key()}.pkl"
    if path.exists():
        metrics = pickle.loads(path.read_bytes())
    else:
        config = CalibrationConfig()
        with open_source(str(cal)) as source, PoseEstimator() as estimator:
            metrics = capture(source, estimator, sample_hz=config.sample_hz, max_samples=config.max_samples,
                              second_look_every=config.second_look_every)
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(metrics))
    return build_profile(metrics, camera=cal.name)


# --- scoring ------------------------------------------------------------------------------------------

def truth_of(lab: Mapping, t: float) -> bool | None:
    if any(a <= t <= b for a, b in lab.get("poor", [])):
        return True
    if any(a <= t <= b for a, b in lab.get("good", [])):
        return False
    return None


def score(res: CaseResult, lab: Mapping, rows: Sequence[dict], cal_rows: Sequence[dict], size: tuple[int, int]) -> None:
    truth = [truth_of(lab, r["t"]) for r in rows]
    res.project = balanced(truth, [r["state"] == "poor" for r in rows], [r["state"] == "good" for r in rows])
    rules = peer_rules_on([peer_inputs_of(r["metrics"], size) for r in cal_rows])
    inputs = [peer_inputs_of(r["metrics"], size) for r in rows]
    res.peers = {k: balanced(truth, [fn(x) for x in inputs]) for k, fn in rules.items()}
    faults = lab.get("faults") or []
    for (a, b), fault in zip(lab.get("poor", []), faults):
        span = [r for r in rows if a <= r["t"] <= b]
        named = sum(1 for r in span if r["state"] == "poor" and r["faults"] and r["faults"][0] == fault)
        res.spans.append((fault, named / len(span) if span else math.nan, len(span)))
    res.scored = True


def _best(peers: Mapping[str, float]) -> tuple[str, float]:
    ok = {k: v for k, v in peers.items() if not math.isnan(v)}
    return max(ok.items(), key=lambda kv: kv[1]) if ok else ("-", math.nan)


# --- the section --------------------------------------------------------------------------------------

def run_case(name: str, lab: Mapping, footage: Path, work: Path, env: Mapping[str, str], force: bool,
             fast: bool, cache: Path) -> CaseResult:
    cal, ev = footage / lab["cal"], footage / lab["eval"]
    res = CaseResult(name, lab.get("view", ""), lab.get("person", name), accepted=False)
    if fast:
        profile = inprocess_profile(cal, cache)
        res.accepted, res.sentence = True, "(in-process, no checks)"
        rows, cal_rows = inprocess_rows(ev, profile, cache), inprocess_rows(cal, None, cache)
        res.profile = None
    else:
        res.accepted, res.sentence, res.profile = calibrate(cal, work / f"{name}.json", env, force)
        if res.profile is None:
            return res
        rows = analyze(ev, res.profile, work / f"{name}.jsonl", env)
        cal_rows = analyze(cal, None, work / f"{name}_cal.jsonl", env)
    score(res, lab, rows, cal_rows, _size(ev))
    return res


def _fmt(v: float) -> str:
    return "   -  " if math.isnan(v) else f"{v:6.3f}"


def print_row(r: CaseResult) -> None:
    cal = "accepted" if r.accepted else ("FORCED  " if r.scored else "refused ")
    if not r.scored:
        print(f"  {r.name:26s} {r.view:13s} {cal} {'':6s}   refused: {r.sentence}")
        return
    best_name, best = _best(r.peers)
    verdict = ("ties" if abs(r.project - best) < 1e-9 else "beats" if r.project > best else "BEHIND")
    spans = [s for _, s, n in r.spans if n]
    attr = f"faults named {min(spans):4.0%} min / {np.mean(spans):4.0%} mean" if spans else "faults -"
    print(f"  {r.name:26s} {r.view:13s} {cal} {_fmt(r.project)} " + " ".join(_fmt(v) for v in r.peers.values())
          + f"  {verdict:6s} {best_name} {_fmt(best).strip()}  {attr}")
    if not r.accepted:
        print(f"  {'':26s} refused: {r.sentence}")


def _judged(samples: Sequence, profile, lab: Mapping, config) -> float:
    """Balanced accuracy of the in-process judge (this config) on one case's measured samples."""
    from posture_watch.core.judge import Judge

    judge = Judge(profile, config)
    states = [judge.update(m).state for m in samples]
    truth = [truth_of(lab, m.t_s) for m in samples]
    return balanced(truth, [s == "poor" for s in states], [s == "good" for s in states])


def _held_out(acc: Mapping[tuple[int, str], float], n_choices: int, scored: Sequence[CaseResult],
              default: int | None = None) -> tuple[dict[str, float], list[int]]:
    """For each person, the choice best on the OTHER people (within 0.001 of the best: the default), scored on
    that person's cases."""
    held: dict[str, float] = {}
    chosen: list[int] = []
    for person in sorted({r.person for r in scored}):
        others = [r.name for r in scored if r.person != person]
        best = max(range(n_choices), key=lambda i: (round(np.nanmean([acc[(i, n)] for n in others]), 3), i == default))
        chosen.append(best)
        for r in scored:
            if r.person == person:
                held[r.name] = acc[(best, r.name)]
    return held, chosen


# every other constant of the judge, at these multiples of its stated value (the timing constants too)
EVERY_CONSTANT_MULTIPLES = (0.5, 0.75, 1.0, 1.33, 2.0)


def leave_one_person_out(results: Sequence[CaseResult], labels: Mapping, footage: Path, cache: Path) -> None:
    """Two lines. The constants fitted on the footage (FITTED), chosen on the other people. Then every
    numeric constant of JudgeConfig, one at a time at EVERY_CONSTANT_MULTIPLES of its stated value: the
    multiple best on the other people, scored on the person left out; a rule fitted to the people it was
    tuned on shows as a held-out mean below the stated values' and a choice that moves from fold to fold.
    In-process, on the profiles the commands made and the frames analyze saw (cached landmarks)."""
    from posture_watch.core.geometry import measure
    from posture_watch.core.judge import JudgeConfig
    from posture_watch.io.profile_files import load_profile

    scored = [r for r in results if r.scored]
    profiles = {r.name: load_profile(r.profile) if r.profile else inprocess_profile(footage / labels[r.name]["cal"], cache)
                for r in scored}
    samples = {r.name: [measure(d) for d in tracked_detections(footage / labels[r.name]["eval"], profiles[r.name], cache)]
               for r in scored}

    def accuracies(configs: Sequence) -> dict[tuple[int, str], float]:
        # the stated config (judged first) is judged once: the judge is deterministic
        return {(i, r.name): stated[(0, r.name)] if stated and cfg == JudgeConfig()
                else _judged(samples[r.name], profiles[r.name], labels[r.name], cfg)
                for i, cfg in enumerate(configs) for r in scored}

    people = sorted({r.person for r in scored})
    stated: dict[tuple[int, str], float] = {}
    stated = accuracies([JudgeConfig()])
    stated_mean = np.mean([stated[(0, r.name)] for r in scored])
    if FITTED:
        grid = [dict(zip(FITTED, vals)) for vals in np.array(np.meshgrid(*FITTED.values())).T.reshape(-1, len(FITTED))]
        held, chosen = _held_out(accuracies([replace(JudgeConfig(), **{k: float(v) for k, v in values.items()})
                                             for values in grid]), len(grid), scored)
        labels_of = [", ".join(f"{k} {float(v):g}" for k, v in grid[i].items()) for i in chosen]
        worst = min(held, key=held.get)
        print(f"  leave-one-person-out ({', '.join(FITTED)} chosen on the other people, {len(people)} people): "
              f"mean {np.mean(list(held.values())):.3f}, worst {held[worst]:.3f} ({worst}); chosen: "
              + "; ".join(f"{k} in {labels_of.count(k)} of {len(people)} folds" for k in dict.fromkeys(labels_of)))
    else:
        print("  leave-one-person-out: no constant is fitted on the footage (FITTED is empty)")
    moved, flat, lines = [], [], []
    base = JudgeConfig()
    for f in fields(JudgeConfig):
        value = getattr(base, f.name)
        if f.name in FITTED or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        configs, multiples = [], []
        for k in EVERY_CONSTANT_MULTIPLES:
            try:
                configs.append(replace(base, **{f.name: type(value)(value * k)}))
                multiples.append(k)
            except ValueError:      # outside what the setting allows (poor_exit above poor_enter)
                pass
        _one_constant(f.name, value, multiples, accuracies(configs), scored, len(people), lines, flat, moved, 28)
    _print_constants(f"every other constant, one at a time at x{', x'.join(f'{k:g}' for k in EVERY_CONSTANT_MULTIPLES)} of "
                     f"its value, chosen on the other people (stated values: mean {stated_mean:.3f}); mean over all cases "
                     f"at each multiple, and the held-out mean:", lines, flat, moved)

    # the judge's constants outside JudgeConfig: the deviation table's weights and pitch discounts, and the
    # deviation module's own named constants (patched in the module while judged, then put back)
    moved, flat, lines = [], [], []
    for name, get, put in module_constants():
        value = get()
        try:
            acc = {}
            for i, k in enumerate(EVERY_CONSTANT_MULTIPLES):
                put(value * k)
                acc.update({(i, r.name): stated[(0, r.name)] if k == 1.0 else
                            _judged(samples[r.name], profiles[r.name], labels[r.name], base) for r in scored})
        finally:
            put(value)
        _one_constant(name, value, list(EVERY_CONSTANT_MULTIPLES), acc, scored, len(people), lines, flat, moved, 34)
    _print_constants("the judge's constants outside JudgeConfig (core/deviation*.py: the table's weights and pitch "
                     "discounts, the modules' named constants), the same way:", lines, flat, moved)


def _print_constants(header: str, lines: Sequence[str], flat: Sequence[str], moved: Sequence[str]) -> None:
    print(f"  {header}")
    for line in lines:
        print(line)
    print(f"  no effect on this footage at x0.5-x2 ({len(flat)}): {', '.join(flat)}")
    print(f"  chosen away from the stated value in most folds ({len(moved)}): {', '.join(moved) or 'none'}")


def _one_constant(name: str, value: float, multiples: Sequence[float], acc: Mapping[tuple[int, str], float],
                  scored: Sequence[CaseResult], n_people: int, lines: list[str], flat: list[str], moved: list[str],
                  width: int) -> None:
    """One constant's line (its accuracy at each multiple, the held-out mean, how often the stated value is chosen),
    or its name in `flat` (no effect); in `moved` too when chosen away from the stated value in most folds."""
    means = [np.mean([acc[(i, r.name)] for r in scored]) for i in range(len(multiples))]
    held, chosen = _held_out(acc, len(multiples), scored, default=list(multiples).index(1.0))
    if max(means) - min(means) < 5e-4:
        flat.append(name)
        return
    stay = sum(multiples[i] == 1.0 for i in chosen)
    lines.append(f"    {name:{width}s} {value:g}: " + " ".join(f"x{k:g} {m:.3f}" for k, m in zip(multiples, means))
                 + f"; held out {np.mean(list(held.values())):.3f}, the stated value chosen in {stay} of {n_people}")
    if stay * 2 < n_people:
        moved.append(name)


def module_constants() -> list[tuple[str, object, object]]:
    """(name, get, put) of every numeric constant of the judge that is not a JudgeConfig field: each deviation's
    weight (where its group has another member: alone, a weight divides out) and non-zero pitch discount in
    the deviation table (core/deviation_table.COMPONENTS), and the deviation modules' own named numeric constants
    (UPPER_CASE), each set in every deviation module that reads it."""
    from posture_watch.core import deviation, deviation_confounds, deviation_slump, deviation_table

    modules = (deviation, deviation_table, deviation_confounds, deviation_slump)

    def set_everywhere(name: str, value: object) -> None:
        for module in modules:
            if hasattr(module, name):
                setattr(module, name, value)

    def component(dev: str, measure: str, attr: str):
        def get() -> float:
            return next(getattr(c, attr) for c in deviation_table.COMPONENTS
                        if (c.deviation, c.measure) == (dev, measure))

        def put(v: float) -> None:
            set_everywhere("COMPONENTS", tuple(replace(c, **{attr: v}) if (c.deviation, c.measure) == (dev, measure)
                                               else c for c in deviation_table.COMPONENTS))
        return get, put

    out = []
    table = deviation_table.COMPONENTS
    for c in table:
        name = c.deviation if sum(o.deviation == c.deviation for o in table) == 1 else f"{c.deviation} ({c.measure})"
        if sum(o.group == c.group for o in table) > 1:
            out.append((f"{name} weight", *component(c.deviation, c.measure, "weight")))
        if c.pitch_discount:
            out.append((f"{name} pitch_discount", *component(c.deviation, c.measure, "pitch_discount")))
    constants = {name: module for module in modules for name, value in vars(module).items()
                 if name.lstrip("_").isupper() and isinstance(value, (int, float)) and not isinstance(value, bool)}
    for name, module in sorted(constants.items()):
        out.append((name, (lambda n=name, m=module: getattr(m, n)), (lambda v, n=name: set_everywhere(n, v))))
    return out


# --variant: the same people made new to the pose model, to see whether a rule holds for what it was not
# tuned on: the picture mirrored (a person facing the other way; the model is not mirror-symmetric), or
# at a half or a quarter of its resolution (a cheaper webcam, or the person farther away).
VARIANTS = {
    "mirror": lambda img: __import__("cv2").flip(img, 1),
    "half": lambda img: __import__("cv2").resize(img, (img.shape[1] // 2, img.shape[0] // 2),
                                                 interpolation=__import__("cv2").INTER_AREA),
    "quarter": lambda img: __import__("cv2").resize(img, (img.shape[1] // 4, img.shape[0] // 4),
                                                    interpolation=__import__("cv2").INTER_AREA),
    # a camera mounted 5 degrees off level (calibration and evaluation alike), and a dim room
    "tilted": lambda img: _rotated(img, 5.0),
    "dim": lambda img: (img.astype("float32") * 0.35 + 4).clip(0, 255).astype("uint8"),
    # a grainy webcam (sensor noise, sigma 10/255, new in every picture but the same every run) and a camera framed
    # closer (the middle 70 % of the width and the top 70 % of the height, scaled back up: hips and hands leave)
    "noisy": lambda img: _noisy(img, 10.0),
    "close": lambda img: _closer(img, 0.7),
}


# what each variant does, in words: the footage run's header and accuracy.py's --variant help
VARIANT_WORDS = {"mirror": "mirrored", "half": "at half size", "quarter": "at quarter size",
                 "tilted": "turned 5 degrees (a camera off level)", "dim": "at 35 % brightness",
                 "noisy": "with sensor noise (sigma 10/255)",
                 "close": "framed closer (top 70 % of the height, middle 70 % of the width)"}


def _noisy(img, sigma: float):
    import numpy as np

    rng = np.random.default_rng(int(img[::7, ::7].sum(dtype=np.int64)))   # seeded by the picture itself
    return (img.astype("float32") + rng.normal(0.0, sigma, img.shape)).clip(0, 255).astype("uint8")


def _closer(img, keep: float):
    import cv2

    h, w = img.shape[:2]
    x0, cw, ch = int(w * (1 - keep) / 2), int(w * keep), int(h * keep)
    return cv2.resize(img[:ch, x0:x0 + cw], (w, h), interpolation=cv2.INTER_LINEAR)


def _rotated(img, deg: float):
    import cv2

    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def variant_of(footage: Path, variant: str, out: Path) -> Path:
    """A copy of the footage folder in `out` (a temporary folder, never the repository) with every clip
    transformed by VARIANTS[variant], and the same labels."""
    import cv2

    labels = json.loads((footage / "labels.json").read_text())
    out.mkdir(parents=True, exist_ok=True)
    for lab in labels.values():
        for key in ("cal", "eval"):
            cap, writer = cv2.VideoCapture(str(footage / lab[key])), None
            fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
            while True:
                ok, img = cap.read()
                if not ok:
                    break
                img = VARIANTS[variant](img)
                if writer is None:
                    writer = cv2.VideoWriter(str(out / lab[key]), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                                             (img.shape[1], img.shape[0]))
                writer.write(img)
            cap.release()
            if writer is not None:
                writer.release()
    (out / "labels.json").write_text(json.dumps(labels))
    return out


def run_footage(footage: Path = DEFAULT_FOOTAGE_DIR, force: bool = False, fast: bool = False,
                only: Sequence[str] | None = None, cache: Path | None = None, variant: str | None = None) -> list[CaseResult]:
    if not (footage / "labels.json").exists():
        print(f"[footage] {footage} not found; skipped")
        return []
    if variant:
        with tempfile.TemporaryDirectory(prefix=f"pw-footage-{variant}-") as tmp:
            print(f"[footage] every clip {VARIANT_WORDS[variant]} (written to a temporary folder, removed afterwards)")
            return run_footage(variant_of(footage, variant, Path(tmp)), force, fast, only, cache)
    labels = json.loads((footage / "labels.json").read_text())
    cache = cache or Path(tempfile.gettempdir()) / "posture-watch-footage-cache"
    how = ("IN-PROCESS on cached landmarks, no capture checks (--fast: development, not the benchmark)" if fast
           else "through `calibrate --non-interactive` and `analyze --every-frame`"
           + (" (--force-calibration: a refused capture judged on a profile built without the checks)" if force else ""))
    print(f"[footage] {footage}: {how}")
    print("  balanced accuracy per sample (away/unknown wrong, unlabelled time not scored); peers on the same frames")
    peers = ("postured", "dorso", "head-drop", "side-angle")
    print(f"  {'case':26s} {'view':13s} {'calib.':8s} {'project':>6s} " + " ".join(f"{p[:6]:>6s}" for p in peers)
          + "  vs best peer")
    results = []
    with tempfile.TemporaryDirectory(prefix="pw-footage-") as tmp:
        work = Path(tmp)
        env = _env(work / "home")
        for name, lab in labels.items():
            if only and name not in only:
                continue
            r = run_case(name, lab, footage, work, env, force, fast, cache)
            print_row(r)
            sys.stdout.flush()
            results.append(r)
        scored = [r for r in results if r.scored]
        print(f"  calibration accepted {sum(r.accepted for r in results)} of {len(results)}"
              + ("" if fast or all(r.accepted for r in results)
                 else "; refused: " + "; ".join(sorted({r.sentence for r in results if not r.accepted}))))
        if scored:
            vals = [r.project for r in scored]
            worst = min(scored, key=lambda r: r.project)
            beats = sum(r.project > _best(r.peers)[1] + 1e-9 or (r.project >= 1 - 1e-9) for r in scored)
            spans = [s for r in scored for _, s, n in r.spans if n]
            print(f"  accuracy over {len(scored)} scored cases: mean {np.mean(vals):.3f}, worst {worst.project:.3f} "
                  f"({worst.name}); beats or ties at 1.00 the best peer on {beats} of {len(scored)}")
            print(f"  fault attribution: {sum(s >= 0.8 for s in spans)} of {len(spans)} labelled poor spans named "
                  f"with their labelled fault in >= 80 % of their samples (mean {np.mean(spans):.0%})")
            leave_one_person_out(results, labels, footage, cache)
            by_person: dict[str, list[float]] = {}
            for r in scored:
                by_person.setdefault(r.person, []).append(r.project)
            wp = min(by_person, key=lambda p: np.mean(by_person[p]))
            print(f"  worst person: {wp} (mean {np.mean(by_person[wp]):.3f} over {len(by_person[wp])} case(s))")
    return results
