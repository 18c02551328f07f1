"""Real footage (landmark traces of real people): the project against the peers' rules.

    python benchmarks/accuracy.py --section real [--real-dir DIR] [--neck-dir DIR]

Reads `../shared/dev-data/real-seated/` (cases with a calibration trace, an evaluation trace
and labelled good/poor spans) and `../shared/dev-data/neck-levels/` (one person, six head
positions: calibrated on the even frames of case4; cases 1, 2 poor; the odd frames of case4
and case5 good; case6 (chin up) reported apart: it must not be called a forward lean or a
slouch of the back). The traces are development data: the project's tests never read them.

For every case it prints the project's balanced accuracy per sample (the mean of "upright
judged good" and "poor judged poor"; a case with one class only: that class's recall) next to
each peer rule on the same frames, each rule calibrated on the same calibration frames:

    postured    nose y more than 5 % of the frame height below its calibrated median
    dorso       face width (ear to ear) more than 1.05 x its calibrated maximum, or postured's rule
    head-drop   (shoulder-mid y - ear-mid y) / shoulder width fallen 15 % below its calibrated median
    side-angle  the ear-to-shoulder line's angle from vertical grown 15 degrees over its calibrated median

Then the nudged camera: the evaluation frames only (never the calibration frames) are moved as a
camera moved after calibration would (rotated +-3 and +-6 degrees about the image centre, shifted
+-5 % and +-10 % of the width sideways and up/down, scaled +-10 % about the centre; world landmarks
rotated with the image). Printed: the share of upright samples judged good, judged poor, and
reported as a moved camera (flag `camera_moved`), and the share of poor samples judged poor.

Then the short calibration: the first 1.5 s of the calibration trace only.

Then leave-one-person-out: for each tolerance floor of the judge, the smallest floor at which the
other people's upright samples stay good (chosen on them, with a 20 % margin), and whether it still
holds (upright stays good, poor is still found) for the person left out.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from posture_watch.calibration.calibrate import build_profile
from posture_watch.core.domain import GOOD, POOR, Detection, Pose
from posture_watch.core.geometry import measure
from posture_watch.core.judge import Judge, JudgeConfig
from kinematics import nudged as moved  # tests/ is on the path (accuracy.py puts it there)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REAL_DIR = ROOT.parent / "shared" / "dev-data" / "real-seated"
DEFAULT_NECK_DIR = ROOT.parent / "shared" / "dev-data" / "neck-levels"
from posture_watch.core.judge import CAMERA_MOVED  # noqa: E402

L_EAR, R_EAR, L_SH, R_SH, NOSE = 7, 8, 11, 12, 0


@dataclass(frozen=True)
class Case:
    name: str
    view: str
    cal: list[Detection]
    eval: list[Detection]
    truth: list[bool | None]        # per eval frame: True poor, False upright, None unlabelled
    extra: dict[str, list[Detection]] | None = None    # reported apart (neck-levels case6)


def _detections(rows: Sequence[dict], hz: float) -> list[Detection]:
    out = []
    for i, row in enumerate(rows):
        poses: tuple[Pose, ...] = ()
        if row.get("landmarks"):
            world = np.array(row["world_landmarks"], float) if row.get("world_landmarks") else None
            poses = (Pose(np.array(row["landmarks"], float), world),)
        w, h = row["image_size"]
        t = float(row["t"]) if "t" in row else i / hz
        out.append(Detection(t_s=t, image_size=(int(w), int(h)), poses=poses, brightness=128.0))
    return out


def _read(path: Path, hz: float = 10.0) -> list[Detection]:
    return _detections([json.loads(line) for line in path.read_text().splitlines() if line.strip()], hz)


def load_real_cases(real_dir: Path, neck_dir: Path, neck_hz: float = 2.0) -> list[Case]:
    cases = []
    if (real_dir / "labels.json").exists():
        labels = json.loads((real_dir / "labels.json").read_text())
        for name, lab in labels.items():
            ev = _read(real_dir / lab["eval"])

            def label(t: float) -> bool | None:
                if any(a <= t <= b for a, b in lab.get("poor", [])):
                    return True
                if any(a <= t <= b for a, b in lab.get("good", [])):
                    return False
                return None
            cases.append(Case(name, lab.get("view", ""), _read(real_dir / lab["cal"]), ev, [label(d.t_s) for d in ev]))
    if neck_dir.exists() and (neck_dir / "case4.jsonl").exists():
        raw = {int(p.stem[4:]): [json.loads(x) for x in p.read_text().splitlines() if x.strip()]
               for p in sorted(neck_dir.glob("case*.jsonl"))}
        cal = _detections(raw[4][::2], neck_hz)
        streams, truth = [], []
        t0 = 0.0
        for c, poor in ((4, False), (5, False), (1, True), (2, True)):
            rows = raw[c][1::2] if c == 4 else raw[c]
            dets = _detections(rows, neck_hz)
            # one stream with a 10 s gap between cases: each case is judged on its own
            streams += [replace(d, t_s=d.t_s + t0) for d in dets]
            truth += [poor] * len(dets)
            t0 = streams[-1].t_s + 10.0
        extra = {"case6 (chin up)": _detections(raw[6], neck_hz)} if 6 in raw else None
        cases.append(Case("neck-levels", "frontal", cal, streams, truth, extra))
    return cases


# --- scoring ---------------------------------------------------------------------------------

def balanced(truth: Sequence[bool | None], poor: Sequence[bool], good: Sequence[bool] | None = None) -> float:
    """Mean recall of 'poor judged poor' and 'upright judged good' over the labelled samples
    (one class only: its recall). `good` defaults to `not poor` (a peer rule is binary)."""
    good = [not p for p in poor] if good is None else good
    pos = [p for t, p in zip(truth, poor) if t is True]
    neg = [g for t, g in zip(truth, good) if t is False]
    recalls = [sum(v) / len(v) for v in (pos, neg) if v]
    return float(np.mean(recalls)) if recalls else math.nan


# (id of the calibration list, its length) -> (the list, kept alive so its id is not reused; its profile)
_PROFILES: dict[tuple[int, int], tuple] = {}


def project_states(case_cal: Sequence[Detection], case_eval: Sequence[Detection],
                   config: JudgeConfig) -> list:
    """The judged readings of `case_eval` against a profile built from `case_cal` (built once per
    calibration: the transforms and the leave-one-out judge the same one again and again)."""
    key = (id(case_cal), len(case_cal))
    if key not in _PROFILES:
        _PROFILES[key] = (case_cal, build_profile([measure(d) for d in case_cal], camera="trace"))
    judge = Judge(_PROFILES[key][1], config)
    return [judge.update(measure(d)) for d in case_eval]


# --- the peers' rules, on raw landmarks --------------------------------------------------------

def _lm(d: Detection) -> np.ndarray | None:
    return None if not d.poses else np.asarray(d.poses[0].landmarks, float)


def _px(d: Detection, lm: np.ndarray, i: int) -> np.ndarray:
    return lm[i, :2] * d.image_size


def nose_y(d: Detection) -> float | None:
    lm = _lm(d)
    return None if lm is None else float(lm[NOSE, 1])


def face_width(d: Detection) -> float | None:
    lm = _lm(d)
    return None if lm is None else float(np.linalg.norm(_px(d, lm, L_EAR) - _px(d, lm, R_EAR)) / d.image_size[0])


def _mids(d: Detection) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(shoulder-mid, ear-mid, shoulder width) in pixels, or None without a pose."""
    lm = _lm(d)
    if lm is None:
        return None
    sm = (_px(d, lm, L_SH) + _px(d, lm, R_SH)) / 2
    em = (_px(d, lm, L_EAR) + _px(d, lm, R_EAR)) / 2
    return sm, em, float(np.linalg.norm(_px(d, lm, L_SH) - _px(d, lm, R_SH)))


def head_drop(d: Detection) -> float | None:
    m = _mids(d)
    return None if m is None or m[2] <= 1e-9 else float((m[0][1] - m[1][1]) / m[2])


def side_angle(d: Detection) -> float | None:
    m = _mids(d)
    return None if m is None else float(math.degrees(math.atan2(abs(m[1][0] - m[0][0]), m[0][1] - m[1][1])))


PEER_INPUTS: dict[str, Callable[[Detection], float | None]] = {
    "nose_y": nose_y, "face_width": face_width, "head_drop": head_drop, "side_angle": side_angle}


def peer_inputs(d: Detection) -> dict[str, float | None]:
    """The four values the peers' rules read, from one sample's landmarks."""
    return {k: fn(d) for k, fn in PEER_INPUTS.items()}


def _calibrated(cal: Sequence[Mapping[str, float | None]], key: str, how: str) -> float:
    vals = [v for row in cal if (v := row.get(key)) is not None]
    return float(np.max(vals) if how == "max" else np.median(vals)) if vals else math.nan


def peer_rules_on(cal: Sequence[Mapping[str, float | None]]) -> dict[str, Callable[[Mapping], bool]]:
    """The peers' rules calibrated on the calibration samples' peer inputs (`peer_inputs`); each rule
    takes one sample's peer inputs and says poor (True) or not."""
    ny = _calibrated(cal, "nose_y", "median")
    fw = _calibrated(cal, "face_width", "max")
    hd = _calibrated(cal, "head_drop", "median")
    sa = _calibrated(cal, "side_angle", "median")

    def postured(x: Mapping) -> bool:
        v = x.get("nose_y")
        return v is not None and v > ny + 0.05

    def dorso(x: Mapping) -> bool:
        v = x.get("face_width")
        return (v is not None and v > 1.05 * fw) or postured(x)

    def head_drop_rule(x: Mapping) -> bool:
        v = x.get("head_drop")
        return v is not None and v < 0.85 * hd

    def side_rule(x: Mapping) -> bool:
        v = x.get("side_angle")
        return v is not None and v > sa + 15.0

    return {"postured": postured, "dorso": dorso, "head-drop": head_drop_rule, "side-angle": side_rule}


def peer_rules(cal: Sequence[Detection]) -> dict[str, Callable[[Detection], bool]]:
    rules = peer_rules_on([peer_inputs(d) for d in cal])
    return {k: (lambda d, fn=fn: fn(peer_inputs(d))) for k, fn in rules.items()}


# --- a camera moved after calibration ------------------------------------------------------------

TRANSFORMS: dict[str, dict] = {
    "rotate -6": {"rotate_deg": -6}, "rotate -3": {"rotate_deg": -3},
    "rotate +3": {"rotate_deg": 3}, "rotate +6": {"rotate_deg": 6},
    "shift x -10%": {"shift": (-0.10, 0)}, "shift x -5%": {"shift": (-0.05, 0)},
    "shift x +5%": {"shift": (0.05, 0)}, "shift x +10%": {"shift": (0.10, 0)},
    "shift y -10%": {"shift": (0, -0.10)}, "shift y -5%": {"shift": (0, -0.05)},
    "shift y +5%": {"shift": (0, 0.05)}, "shift y +10%": {"shift": (0, 0.10)},
    "scale 0.9": {"scale": 0.9}, "scale 1.1": {"scale": 1.1},
}


def _shares(truth: Sequence[bool | None], readings: Sequence) -> tuple[float, float, float, float]:
    up = [r for t, r in zip(truth, readings) if t is False]
    bad = [r for t, r in zip(truth, readings) if t is True]
    f = (lambda rs, fn: sum(map(fn, rs)) / len(rs) if rs else math.nan)
    return (f(up, lambda r: r.state == GOOD), f(up, lambda r: r.state == POOR),
            f(up, lambda r: CAMERA_MOVED in r.flags), f(bad, lambda r: r.state == POOR))


# --- leave one person out --------------------------------------------------------------------------

FLOOR_FIELDS = ("head_drop_tol_pct", "face_size_tol_pct", "lean_in_tol_pct", "shoulder_drop_tol_pct",
                "shoulder_tilt_tol_deg", "head_tilt_tol_deg", "cva_tol_deg", "trunk_inclination_tol_deg",
                "neck_bend_tol_deg", "neck_shortening_tol_pct", "back_rounding_tol_pct", "trunk_recline_tol_deg",
                "head_sink_tol_pct")


def _upright_good(cases: Sequence[Case], config: JudgeConfig) -> float:
    good, n = 0, 0
    for c in cases:
        for t, r in zip(c.truth, project_states(c.cal, c.eval, config)):
            if t is False:
                n += 1
                good += r.state == GOOD
    return good / n if n else math.nan


def leave_one_out(cases: Sequence[Case], config: JudgeConfig) -> None:
    fields = [f for f in FLOOR_FIELDS if hasattr(config, f)]
    print("  leave one person out: each floor lowered step by step (x0.9) while the OTHER people's upright "
          "samples stay >= 0.97 good; then the left-out person judged with those floors x1.2")
    for left in cases:
        others = [c for c in cases if c is not left]
        if not any(t is False for c in others for t in c.truth):
            continue
        cfg = config
        for f in fields:
            while True:
                trial = replace(cfg, **{f: getattr(cfg, f) * 0.9})
                if getattr(trial, f) < 0.2 * getattr(config, f) or _upright_good(others, trial) < 0.97:
                    break
                cfg = trial
        chosen = replace(cfg, **{f: getattr(cfg, f) * 1.2 for f in fields})
        rs = project_states(left.cal, left.eval, chosen)
        b = balanced(left.truth, [r.state == POOR for r in rs], [r.state == GOOD for r in rs])
        floors = ", ".join(f"{f.replace('_tol', '')} {getattr(chosen, f):.1f}" for f in fields
                           if abs(getattr(chosen, f) - getattr(config, f) * 1.2) > 1e-9)
        print(f"    left out {left.name:16s}: balanced {b:.3f} with floors chosen on the others"
              f" ({floors or 'every floor as configured x1.2'})")


# --- the section --------------------------------------------------------------------------------------

def run_real(real_dir: Path, neck_dir: Path, config: JudgeConfig, neck_hz: float = 2.0) -> dict[str, float]:
    cases = load_real_cases(real_dir, neck_dir, neck_hz)
    if not cases:
        print(f"[real] no traces in {real_dir} or {neck_dir}; skipped")
        return {}
    print("[real] real people as landmark traces: balanced accuracy per sample, project vs the peers' rules")
    print(f"  {'case':16s} {'view':8s} {'n':>4s} {'project':>8s} " + " ".join(f"{k:>10s}" for k in peer_rules([])))
    results = {}
    for c in cases:
        rs = project_states(c.cal, c.eval, config)
        proj = balanced(c.truth, [r.state == POOR for r in rs], [r.state == GOOD for r in rs])
        rules = peer_rules(c.cal)
        peers = {k: balanced(c.truth, [fn(d) for d in c.eval]) for k, fn in rules.items()}
        best = max(v for v in peers.values() if not math.isnan(v))
        n = sum(t is not None for t in c.truth)
        verdict = "beats" if proj > best else ("ties" if abs(proj - best) < 1e-9 else "BEHIND")
        print(f"  {c.name:16s} {c.view:8s} {n:4d} {proj:8.3f} " + " ".join(f"{v:10.3f}" for v in peers.values())
              + f"   {verdict} the best peer ({best:.3f})")
        faults: dict[str, int] = {}
        for t, r in zip(c.truth, rs):
            if t is True:
                for f in r.faults:
                    faults[f] = faults.get(f, 0) + 1
        print(f"  {'':16s} faults named on the poor samples: {faults or '-'}")
        results[c.name] = proj
        for name, dets in (c.extra or {}).items():
            xs = project_states(c.cal, dets, config)
            fs: dict[str, int] = {}
            for r in xs:
                for f in r.faults:
                    fs[f] = fs.get(f, 0) + 1
            print(f"  {'':16s} {name}: {sum(r.state == POOR for r in xs)}/{len(xs)} poor, faults {fs or '-'}")
    print(f"  mean over the cases: {np.mean(list(results.values())):.3f}")

    print("  nudged camera (evaluation frames moved, calibration not): upright good / upright poor / "
          "upright camera_moved / poor found")
    for tname, kw in TRANSFORMS.items():
        cells = []
        for c in cases:
            rs = project_states(c.cal, [moved(d, **kw) for d in c.eval], config)
            g_, p_, m_, f_ = _shares(c.truth, rs)
            cells.append(f"{c.name[:12]} {_pct(g_)}/{_pct(p_)}/{_pct(m_)}/{_pct(f_)}")
        print(f"    {tname:13s} " + "  ".join(cells))

    print("  short calibration (the first 1.5 s of the calibration trace):")
    for c in cases:
        t0 = c.cal[0].t_s
        short = [d for d in c.cal if d.t_s - t0 <= 1.5]
        rs = project_states(short, c.eval, config)
        b = balanced(c.truth, [r.state == POOR for r in rs], [r.state == GOOD for r in rs])
        print(f"    {c.name:16s} {len(short):3d} frames: balanced {b:.3f}")
    leave_one_out(cases, config)
    return results


def _pct(v: float) -> str:
    return "  - " if math.isnan(v) else f"{100 * v:3.0f}%"
