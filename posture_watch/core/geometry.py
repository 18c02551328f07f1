"""Landmarks -> named, scale-free posture measures. Pure: a Detection in, Metrics out.

All image measures are taken in PIXELS (x * width, y * height), so a 16:9 frame does not
squash angles. Image y grows downwards; "up" below means towards the top of the image.
Landmark indices are MediaPipe Pose's (see `posture_watch.core.domain`); "ear-mid" is the midpoint
of the ears 7 and 8, "shoulder-mid" of the shoulders 11 and 12, "hip-mid" of the hips 23 and 24.
`sw` is the shoulder width: the pixel distance between landmarks 11 and 12.

Frontal and three-quarter views (`values` keys):
  head_drop_ratio      the height of ear-mid above the shoulder line, measured square to that line,
                       / sw. It SHRINKS when the head drops or pokes forward (7, 8, 11, 12). Being
                       taken against the shoulder line, a camera turned about its axis (or a whole
                       upper body leaning sideways) leaves it as it was. Confounds: the head
                       pitching down moves the ears a little (the judge forgives it), a shrug.
  nose_drop_ratio      the same for the nose; shrinks when the head drops or pitches down (0, 11, 12).
  face_size_ratio      ear-to-ear distance / sw; GROWS when the head comes forward of the
                       shoulders, towards the camera (7, 8, 11, 12).
  head_size_ratio      the same with the head's width as if seen face on (_Body.head_width: the ear
                       distance and the nose's offset, whatever the head's turn); what the judge reads
                       from a camera round the desk, where a turn of the head changes the ear distance
                       by sin(the camera's angle) per radian (0, 7, 8, 11, 12).
  shoulder_width_frac  sw / image width: the lean-in scale in frame units. The judge relates it
                       to the baseline (leaning in makes it grow) (11, 12).
  trunk_foreshortening_ratio  (hip-mid y - shoulder-mid y) / sw, hips visible only; shrinks
                       when the trunk bends towards or away from the camera (11, 12, 23, 24).
  shoulder_tilt_deg    angle of the shoulder line against horizontal, positive when the
                       subject's left shoulder (11) is lower than the right (12).
  head_roll_deg        the same for the ear line (7, 8): positive = head tilted to its left.
  lateral_offset_ratio sideways offset of ear-mid from shoulder-mid along the shoulder line,
                       / sw, positive towards the subject's left (7, 8, 11, 12).
  head_yaw_deg         atan(((nose x - ear-mid x) / (ear distance / 2)) / 1.45), signed
                       towards the subject's left; 1.45 = nose depth / ear half-width of an
                       average head. Used to gate the head measures (0, 7, 8).
  head_pitch_ratio     (nose y - ear-mid y) / ear distance; grows when looking down (0, 7, 8).
  nose_depth_world_m   world z of the nose - world z of shoulder-mid, metres, negative = in
                       front of the shoulders; a weak secondary signal (world landmarks 0, 11, 12).
Side-view measures, taken in EVERY view (the judge uses them only for a person calibrated from the side
or at three-quarter: a picture's own view is an estimate from the shoulders' width against the neck's
length, and a forward head seen from 55-60 degrees round the desk shortens the neck in the picture until
its pictures look frontal; with these measures taken only in side and three-quarter pictures, that forward
head was found in 5 of 16 samples of the simulator, now 16) ("ear", "shoulder", "hip" = the midpoints of
the left and right landmarks, which stay on the body's axes when the head or trunk turns a little; the
near side, the one whose ear+shoulder is more visible, decides whether the hips are seen; "forward" = the
way the chest points across the picture, from the world landmarks' shoulders (_body_facing), or the way the
nose points without them):
  cva_deg              craniovertebral-angle proxy: the shoulder->ear line against the forward
                       horizontal, degrees; SHRINKS with a forward head (7, 8, 11, 12).
  neck_flexion_deg     the shoulder->ear line against the trunk axis (hip->shoulder), or
                       against vertical when the hips are not visible; positive = forward.
  trunk_inclination_deg  the hip->shoulder line against vertical, positive = leaning forward (hips visible).
  trunk_length_frac    |shoulder-mid - hip-mid| / image width, hips visible: the person's size in the
                       picture that a forward hunch or a recline leaves (the neck's shrinks in a deep
                       hunch, and the judge took the hunched person for someone else by size).
  head_height_frac     100 (ear y - hip y) / body size, hips visible: the head's height above the
                       hips in percent of the body's size (negative; towards 0 as the head sinks).
                       Unlike ear_y_frac it does not move when the camera is moved up or down (the
                       hips move as much) or zoomed (the body's size scales as much).
  head_pitch_deg       the ear->nose line below the forward horizontal (looking down = positive).
  hip_x_frac           hip-mid x / image width, hips visible: where the hips sit on the seat. Against its
                       upright value, the way the shoulders moved against the hips taken as "back", it
                       tells the hips slid forward (a slump down the chair) from the trunk leaning back
                       about them (deviation_slump.seat_slide_pct). Frame-referenced: a camera moved sideways
                       moves it too.
  (Dropped: ear_shoulder_hip_deg, the angle at the shoulder between ear and hip. It equals 180 +
  neck_flexion_deg by construction, so it could not tell a rounded upper back from a head tilted
  back; trunk_length_world_m replaces it as the back's measure.)
  nose_ahead_ratio     (nose x - ear x) * facing / |ear - shoulder|: how far the nose is ahead of
                       the ear; it shrinks when the head turns away from the side-on camera.
Every view, from MediaPipe's WORLD landmarks (metres, origin between the hips; the model's own 3-D
estimate). Angles between body segments and lengths in metres do not depend on where the camera
is, how far it is, or how it is tilted or turned (checked on the real traces with the camera
moved after calibration: `benchmarks/accuracy.py --section real`). The hips are the model's guess
when a desk hides them; the segment angle still moved with the neck on the real frontal traces.
  neck_flexion_world_deg  the angle between the trunk (hip-mid -> shoulder-mid) and the neck
                       (shoulder-mid -> ear-mid) in the plane the face points in: positive when the
                       ears are ahead of the trunk line, "ahead" being the way the face points
                       (nose - ear-mid); the neck's sideways part is left out. It GROWS with a
                       forward head or a neck bent down over the desk; a head tilted back (chin up)
                       leaves it at its upright value or below, and a head bent towards a shoulder
                       leaves it. Confounds: an upper back that rounds carries the neck forward too
                       (both are poor posture).
  neck_length_world_m  |ear-mid - shoulder-mid| in metres; SHRINKS when the head drops or pokes
                       forward and down towards the shoulders; unchanged by chin up, a turned head
                       or a moved camera (7, 8, 11, 12).
  trunk_length_world_m |shoulder-mid - hip-mid| in metres, hips seen only; SHRINKS when the spine
                       rounds (a slouched, rounded upper back brings the shoulders towards the
                       hips); a forward lean on a straight back or a head movement leaves it.
                       This is the thoracic-curvature proxy: MediaPipe has no landmark on the spine.
  shoulder_width_world_m  |left - right shoulder| in metres: the person's build, whatever the view
                       or distance; the judge uses it to tell the calibrated person from a false
                       pose on a poster or a cartoon, whose metric proportions come out otherwise.
Every view (frame-referenced, for the judge to compare with a baseline from the same camera):
  ear_y_frac, nose_y_frac, shoulder_y_frac   vertical positions / image height (shoulder_y_frac
                       against its baseline is the shoulder elevation (shrug) measure);
  shoulder_x_frac      shoulder-mid x / image width (tells a camera turned about its axis from a
                       person leaning sideways: see deviation.camera_roll_deg);
  face_width_frac      ear-to-ear distance / image width;
  head_width_frac      the head's width as if seen face on / image width (see head_size_ratio);
  neck_length_frac     |ear-mid - shoulder-mid| / image width;
  body_size_frac       max(sw, 2 * neck length) / image width: a view-robust size of the person;
  torso_yaw_deg        acos(min(1, (sw / neck length) / 1.6)): 0 = square to the camera.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

import numpy as np

from posture_watch.core.domain import (
    LEFT_EAR, LEFT_EYE, LEFT_HIP, LEFT_SHOULDER, MOUTH_LEFT, MOUTH_RIGHT, NOSE, RIGHT_EAR,
    RIGHT_EYE, RIGHT_HIP, RIGHT_SHOULDER, Detection, Pose,
)

FRONTAL, SIDE, THREE_QUARTER = "frontal", "side", "three_quarter"
VIEWS = (FRONTAL, SIDE, THREE_QUARTER)

# Quality flags.
NO_POSE = "no_pose"
HEAD_NOT_VISIBLE = "head_not_visible"
HEAD_OUT_OF_FRAME = "head_out_of_frame"
SHOULDERS_NOT_VISIBLE = "shoulders_not_visible"
SHOULDERS_OUT_OF_FRAME = "shoulders_out_of_frame"
HIPS_NOT_VISIBLE = "hips_not_visible"
TWO_PEOPLE = "two_people"
IMPLAUSIBLE_POSE = "implausible_pose"
HEAD_TURNED = "head_turned"
TOO_DARK = "too_dark"

HEAD_POINTS = (NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR)
_NOSE_DEPTH_PER_EAR_HALF_WIDTH = 1.45   # average head: nose tip 11 cm ahead of the ear axis, ears 7.5 cm apart/2
_FRONTAL_SHOULDER_PER_NECK = 1.6        # sw / |ear-mid - shoulder-mid| of an upright adult facing the camera


@dataclass(frozen=True)
class GeometryConfig:
    visible_min: float = 0.5            # landmark visibility to count as seen
    frame_margin_frac: float = 0.0      # a landmark this far outside 0..1 is out of the frame
    min_body_size_frac: float = 0.08    # a person smaller than this (of image width) is not at the desk
    face_size_ratio_range: tuple[float, float] = (0.15, 1.1)   # plausible head width (face on) / sw, frontal
    head_turned_deg: float = 35.0
    frontal_max_yaw_deg: float = 35.0
    side_min_yaw_deg: float = 62.0
    too_dark_brightness: float = 15.0    # mean luma: a covered lens or lights off, not a dim room
    second_person_min_size: float = 0.4   # of the primary person's body size
    same_person_nose_dist: float = 0.6    # of the primary's body size: closer noses = one person twice
    same_person_inside_share: float = 0.6  # a second head-and-shoulders this much inside the first's outline


@dataclass(frozen=True)
class Metrics:
    """The named measures of one sample (see the module docstring for every formula).

    values:         name -> value, None where not measurable in this frame.
    view:           frontal | side | three_quarter, or None when nobody is there.
    flags:          quality flags (constants above).
    person_present: a plausible person was found (the judge may still reject them as not
                    the calibrated user, from the size against the profile).
    """

    t_s: float
    values: Mapping[str, float | None] = field(default_factory=dict)
    view: str | None = None
    flags: frozenset[str] = frozenset()
    person_present: bool = False
    image_size: tuple[int, int] = (0, 0)
    brightness: float | None = None
    n_people: int = 0

    def get(self, name: str) -> float | None:
        return self.values.get(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "t": round(self.t_s, 3),
            "values": {k: (None if v is None else round(float(v), 4)) for k, v in self.values.items()},
            "view": self.view,
            "flags": sorted(self.flags),
            "person_present": self.person_present,
            "image_size": list(self.image_size),
            "brightness": None if self.brightness is None else round(self.brightness, 1),
            "n_people": self.n_people,
        }


# ---------------------------------------------------------------------------------------------

class _Body:
    """Pixel coordinates and visibility of one pose."""

    def __init__(self, pose: Pose, size: tuple[int, int], cfg: GeometryConfig) -> None:
        w, h = size
        lm = np.asarray(pose.landmarks, dtype=float)
        self.px = lm[:, :2] * (w, h)
        self.norm = lm[:, :2]
        self.vis = lm[:, 3] if lm.shape[1] > 3 else np.ones(len(lm))
        self.world = None if pose.world is None else np.asarray(pose.world, dtype=float)
        self.w, self.h, self.cfg = w, h, cfg

    def p(self, i: int) -> np.ndarray:
        return self.px[i]

    def mid(self, i: int, j: int) -> np.ndarray:
        return (self.px[i] + self.px[j]) / 2.0

    def in_frame(self, i: int) -> bool:
        m = self.cfg.frame_margin_frac
        x, y = self.norm[i]
        return -m <= x <= 1 + m and -m <= y <= 1 + m

    def seen(self, i: int) -> bool:
        return bool(self.vis[i] >= self.cfg.visible_min) and self.in_frame(i)

    def shoulder_width(self) -> float:
        return float(np.linalg.norm(self.px[LEFT_SHOULDER] - self.px[RIGHT_SHOULDER]))

    def ear_distance(self) -> float:
        return float(np.linalg.norm(self.px[LEFT_EAR] - self.px[RIGHT_EAR]))

    def across(self) -> np.ndarray:
        """Unit vector along the shoulder line, to the subject's left."""
        sw = self.shoulder_width()
        return (self.px[LEFT_SHOULDER] - self.px[RIGHT_SHOULDER]) / sw if sw > 1e-9 else np.array([1.0, 0.0])

    def nose_offset(self) -> float:
        """The nose's offset from the ears' midpoint along the shoulder line, pixels (to the subject's left)."""
        return float(np.dot(self.px[NOSE] - self.mid(LEFT_EAR, RIGHT_EAR), self.across()))

    @cached_property
    def head_width(self) -> float:
        """The head's ear-to-ear width as if seen face on, whatever its turn: a turn by y shows the ears 2r cos(y)
        apart and the nose 1.45 r sin(y) to the side of their midpoint (the head model of head_yaw_deg), so
        2r = hypot(ear distance, 2 nose offset / 1.45). Computed once per pose: the frontal, frame and
        plausibility measures all read it."""
        return math.hypot(self.ear_distance(), 2.0 * self.nose_offset() / _NOSE_DEPTH_PER_EAR_HALF_WIDTH)

    def neck_length(self) -> float:
        return float(np.linalg.norm(self.mid(LEFT_EAR, RIGHT_EAR) - self.mid(LEFT_SHOULDER, RIGHT_SHOULDER)))

    def body_size(self) -> float:
        return max(self.shoulder_width(), 2.0 * self.neck_length())

    def head_seen(self) -> bool:
        return sum(self.seen(i) for i in HEAD_POINTS) >= 3 and (self.seen(LEFT_EAR) or self.seen(RIGHT_EAR))


def _deg(rad: float) -> float:
    return math.degrees(rad)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 1e-9 else None


def torso_yaw_deg(body: _Body) -> float:
    neck = body.neck_length()
    if neck < 1e-9:
        return 0.0
    return _deg(math.acos(min(1.0, body.shoulder_width() / neck / _FRONTAL_SHOULDER_PER_NECK)))


def classify_view(yaw_deg: float, cfg: GeometryConfig) -> str:
    if yaw_deg <= cfg.frontal_max_yaw_deg:
        return FRONTAL
    if yaw_deg >= cfg.side_min_yaw_deg:
        return SIDE
    return THREE_QUARTER


def head_above_frame(body: _Body) -> bool:
    """The head is cut off by the top edge (leaning in towards a low laptop camera) while both
    shoulders are plainly in view: a person, not an empty chair."""
    above = sum(body.norm[i][1] < 0.0 for i in HEAD_POINTS)
    shoulders = all(body.seen(i) for i in (LEFT_SHOULDER, RIGHT_SHOULDER))
    return above >= 2 and shoulders


def implausibility(body: _Body, view: str, cfg: GeometryConfig) -> str | None:
    """Why this pose cannot be a real person sitting at the desk, or None if it can be."""
    if not body.head_seen() and not head_above_frame(body):
        return "head not visible"
    if body.body_size() / body.w < cfg.min_body_size_frac:
        return "too small"
    em, sm = body.mid(LEFT_EAR, RIGHT_EAR), body.mid(LEFT_SHOULDER, RIGHT_SHOULDER)
    if sm[1] <= em[1]:
        return "shoulders above the ears"
    eyes_y = (body.p(LEFT_EYE)[1] + body.p(RIGHT_EYE)[1]) / 2
    mouth_y = (body.p(MOUTH_LEFT)[1] + body.p(MOUTH_RIGHT)[1]) / 2
    if mouth_y <= eyes_y:
        return "mouth above the eyes"
    shoulders_in = body.in_frame(LEFT_SHOULDER) and body.in_frame(RIGHT_SHOULDER)
    if view == FRONTAL and shoulders_in:   # out of the frame they are guesses: a slouch, not a cartoon
        lo, hi = cfg.face_size_ratio_range
        # the head's width face on: a head turned to profile (a second screen, a colleague) brings the ears
        # together in the picture, and by the ears alone it was out of proportion: nobody there
        fsr = _ratio(body.head_width, body.shoulder_width())
        if fsr is None or not lo <= fsr <= hi:
            return "head and shoulders out of proportion"
    return None


def _frontal_values(b: _Body) -> dict[str, float | None]:
    sw = b.shoulder_width()
    ls, rs, le, re_ = b.p(LEFT_SHOULDER), b.p(RIGHT_SHOULDER), b.p(LEFT_EAR), b.p(RIGHT_EAR)
    em, sm, nose = (le + re_) / 2, (ls + rs) / 2, b.p(NOSE)
    ear_d = b.ear_distance()
    across = b.across()
    up = np.array([across[1], -across[0]])    # square to the shoulder line, towards the head
    v: dict[str, float | None] = {
        "head_drop_ratio": _ratio(float(np.dot(em - sm, up)), sw),
        "nose_drop_ratio": _ratio(float(np.dot(nose - sm, up)), sw),
        "face_size_ratio": _ratio(ear_d, sw),
        "head_size_ratio": _ratio(b.head_width, sw),
        "shoulder_width_frac": sw / b.w,
        "shoulder_tilt_deg": _deg(math.atan2(ls[1] - rs[1], abs(ls[0] - rs[0]) + 1e-9)),
        "head_roll_deg": _deg(math.atan2(le[1] - re_[1], abs(le[0] - re_[0]) + 1e-9)),
        "lateral_offset_ratio": _ratio(float(np.dot(em - sm, across)), sw),
        "head_yaw_deg": None,
        "head_pitch_ratio": _ratio(nose[1] - em[1], ear_d),
        "trunk_foreshortening_ratio": None,
        "nose_depth_world_m": None,
    }
    if ear_d > 1e-9:
        lateral = b.nose_offset() / (ear_d / 2)
        v["head_yaw_deg"] = _deg(math.atan(lateral / _NOSE_DEPTH_PER_EAR_HALF_WIDTH))
    if b.seen(LEFT_HIP) and b.seen(RIGHT_HIP):
        v["trunk_foreshortening_ratio"] = _ratio(b.mid(LEFT_HIP, RIGHT_HIP)[1] - sm[1], sw)
    if b.world is not None:
        wz = b.world[:, 2]
        v["nose_depth_world_m"] = float(wz[NOSE] - (wz[LEFT_SHOULDER] + wz[RIGHT_SHOULDER]) / 2)
    return v


def _near_side(b: _Body) -> tuple[int, int, int]:
    left = b.vis[LEFT_EAR] + b.vis[LEFT_SHOULDER] + 0.5 * b.vis[LEFT_HIP]
    right = b.vis[RIGHT_EAR] + b.vis[RIGHT_SHOULDER] + 0.5 * b.vis[RIGHT_HIP]
    return (LEFT_EAR, LEFT_SHOULDER, LEFT_HIP) if left >= right else (RIGHT_EAR, RIGHT_SHOULDER, RIGHT_HIP)


def _body_facing(b: _Body) -> float | None:
    """+1 when the body faces the picture's right, -1 its left, from the world landmarks' shoulders: the
    trunk's forward normal (the left-to-right shoulder line crossed with up) has the sign of the way the
    chest points across the picture. A head turned towards the camera does not move it (the nose does:
    a head turned to face a three-quarter camera brings the nose level with the ears, and the nose's
    side of the ears flipped every side measure). On the dev footage's side views it agreed with the
    nose's side of the ears in every sample, photos taken from either side of a person included.
    None without world landmarks or with the chest square to the camera (no side to tell)."""
    if b.world is None or len(b.world) <= RIGHT_SHOULDER:
        return None
    across = b.world[LEFT_SHOULDER, :3] - b.world[RIGHT_SHOULDER, :3]   # right -> left shoulder
    # MediaPipe's world axes: x right, y down, z away from the camera; forward = across x up, and its
    # x part is across_y * up_z - across_z * up_y with up = (0, -1, 0): across_z
    fx = float(across[2])
    if not np.isfinite(fx) or abs(fx) < 1e-6:
        return None
    return 1.0 if fx > 0 else -1.0


def _side_values(b: _Body) -> dict[str, float | None]:
    ear_i, sh_i, hip_i = _near_side(b)
    # Midpoints of the left and right landmarks (the far one is the model's guess): they sit on
    # the head's and the trunk's own vertical axes, so a glance sideways (head yaw) does not swing
    # them forward or back the way it swings the near ear.
    ear, sh, nose = b.mid(LEFT_EAR, RIGHT_EAR), b.mid(LEFT_SHOULDER, RIGHT_SHOULDER), b.p(NOSE)
    hip = b.mid(LEFT_HIP, RIGHT_HIP)
    facing = _body_facing(b) or (1.0 if nose[0] >= ear[0] else -1.0)
    v: dict[str, float | None] = {"cva_deg": None, "neck_flexion_deg": None, "trunk_inclination_deg": None,
                                  "head_pitch_deg": None, "nose_ahead_ratio": None, "head_height_frac": None,
                                  "trunk_length_frac": None, "hip_x_frac": None}
    v["cva_deg"] = _deg(math.atan2(sh[1] - ear[1], (ear[0] - sh[0]) * facing))
    neck_from_vertical = _deg(math.atan2((ear[0] - sh[0]) * facing, sh[1] - ear[1]))
    v["neck_flexion_deg"] = neck_from_vertical
    v["head_pitch_deg"] = _deg(math.atan2(nose[1] - ear[1], abs(nose[0] - ear[0]) + 1e-9))
    v["nose_ahead_ratio"] = _ratio((nose[0] - ear[0]) * facing, float(np.linalg.norm(ear - sh)))
    if b.seen(hip_i):
        trunk = _deg(math.atan2((sh[0] - hip[0]) * facing, hip[1] - sh[1]))
        v["trunk_inclination_deg"] = trunk
        v["neck_flexion_deg"] = neck_from_vertical - trunk
        v["head_height_frac"] = 100.0 * (ear[1] - hip[1]) / max(b.body_size(), 1e-9)
        v["trunk_length_frac"] = float(np.linalg.norm(sh - hip)) / b.w
        v["hip_x_frac"] = hip[0] / b.w
    return v


def _world_values(b: _Body) -> dict[str, float | None]:
    """Segment angles and lengths from the world landmarks (see the module docstring)."""
    v: dict[str, float | None] = {"neck_flexion_world_deg": None, "neck_length_world_m": None,
                                  "trunk_length_world_m": None, "shoulder_width_world_m": None}
    if b.world is None or len(b.world) <= max(RIGHT_HIP, RIGHT_EAR):
        return v
    wl = b.world[:, :3]
    ear = (wl[LEFT_EAR] + wl[RIGHT_EAR]) / 2
    sh = (wl[LEFT_SHOULDER] + wl[RIGHT_SHOULDER]) / 2
    hip = (wl[LEFT_HIP] + wl[RIGHT_HIP]) / 2
    neck, trunk, face = ear - sh, sh - hip, wl[NOSE] - ear
    n_len, t_len = float(np.linalg.norm(neck)), float(np.linalg.norm(trunk))
    if not (np.isfinite(n_len) and np.isfinite(t_len)) or n_len < 1e-6 or t_len < 1e-6:
        return v
    v["neck_length_world_m"] = n_len
    v["shoulder_width_world_m"] = float(np.linalg.norm(wl[LEFT_SHOULDER] - wl[RIGHT_SHOULDER]))
    axis = trunk / t_len
    along = float(np.dot(neck, axis))
    across = neck - along * axis                       # the neck's part square to the trunk
    ahead = face - float(np.dot(face, axis)) * axis    # the way the face points, square to the trunk
    a_len = float(np.linalg.norm(ahead))
    if np.isfinite(a_len) and a_len > 1e-6:
        # only the neck's part along the way the face points: a head bent sideways (a lateral lean) is not a
        # neck bent forward, and its sideways part would otherwise count whichever way the sign fell
        v["neck_flexion_world_deg"] = _deg(math.atan2(float(np.dot(across, ahead)) / a_len, along))
    if b.seen(LEFT_HIP) or b.seen(RIGHT_HIP):
        v["trunk_length_world_m"] = t_len
    return v


def _frame_values(b: _Body) -> dict[str, float | None]:
    em, sm = b.mid(LEFT_EAR, RIGHT_EAR), b.mid(LEFT_SHOULDER, RIGHT_SHOULDER)
    return {
        "ear_y_frac": em[1] / b.h,
        "nose_y_frac": b.p(NOSE)[1] / b.h,
        "shoulder_y_frac": sm[1] / b.h,
        "shoulder_x_frac": sm[0] / b.w,
        "face_width_frac": b.ear_distance() / b.w,
        "head_width_frac": b.head_width / b.w,
        "neck_length_frac": b.neck_length() / b.w,
        "body_size_frac": b.body_size() / b.w,
    }


FRONTAL_KEYS = ("head_drop_ratio", "nose_drop_ratio", "face_size_ratio", "head_size_ratio", "shoulder_width_frac",
                "shoulder_tilt_deg", "head_roll_deg", "lateral_offset_ratio", "head_yaw_deg",
                "head_pitch_ratio", "trunk_foreshortening_ratio", "nose_depth_world_m")
SIDE_KEYS = ("cva_deg", "neck_flexion_deg", "trunk_inclination_deg", "head_pitch_deg", "nose_ahead_ratio",
             "head_height_frac", "trunk_length_frac", "hip_x_frac")
WORLD_KEYS = ("neck_flexion_world_deg", "neck_length_world_m", "trunk_length_world_m", "shoulder_width_world_m")
FRAME_KEYS = ("ear_y_frac", "nose_y_frac", "shoulder_y_frac", "shoulder_x_frac", "face_width_frac", "head_width_frac",
              "neck_length_frac", "body_size_frac", "torso_yaw_deg")
ALL_KEYS = FRONTAL_KEYS + SIDE_KEYS + WORLD_KEYS + FRAME_KEYS


def _empty_values() -> dict[str, float | None]:
    return {k: None for k in ALL_KEYS}


_TORSO_POINTS = (NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)


def _box(b: _Body, points: tuple[int, ...]) -> tuple[float, float, float, float]:
    xy = b.px[list(points)]
    return float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max())


def _inside_share(inner: _Body, outer: _Body) -> float:
    """The share of `inner`'s head-and-shoulders box that lies inside `outer`'s head-to-hips box."""
    ax0, ay0, ax1, ay1 = _box(inner, HEAD_POINTS[:1] + (LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER))
    bx0, by0, bx1, by1 = _box(outer, _TORSO_POINTS)
    area = max(ax1 - ax0, 1.0) * max(ay1 - ay0, 1.0)
    overlap = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    return overlap / area


def _is_duplicate(a: _Body, b: _Body, cfg: GeometryConfig) -> bool:
    """`a` is the person `b` seen again: its nose close to `b`'s, or its head and shoulders mostly inside
    `b`'s own outline (a second pose fitted to a part of the same body, from a high corner or so)."""
    gap = float(np.linalg.norm(a.p(NOSE) - b.p(NOSE)))
    return (gap < cfg.same_person_nose_dist * max(a.body_size(), 1e-9)
            or _inside_share(a, b) >= cfg.same_person_inside_share)


def _second_person(c: _Body, primary: _Body, cfg: GeometryConfig) -> bool:
    """A second pose counts as a person when it is plausible as one: comparable in size, its head and a
    shoulder seen with confidence, and not the first person seen again."""
    return (c.body_size() >= cfg.second_person_min_size * primary.body_size() and c.head_seen()
            and (c.seen(LEFT_SHOULDER) or c.seen(RIGHT_SHOULDER)) and not _is_duplicate(c, primary, cfg))


def measure(detection: Detection, config: GeometryConfig = GeometryConfig()) -> Metrics:
    """Pure: one Detection -> the Metrics of its most plausible (largest) person."""
    cfg = config
    size = detection.image_size
    flags: set[str] = set()
    if detection.brightness is not None and detection.brightness < cfg.too_dark_brightness:
        flags.add(TOO_DARK)
    base = dict(t_s=detection.t_s, image_size=size, brightness=detection.brightness)
    if not detection.poses or size[0] <= 0 or size[1] <= 0:
        return Metrics(values=_empty_values(), flags=frozenset(flags | {NO_POSE}), **base)

    candidates = []
    for pose in detection.poses:
        body = _Body(pose, size, cfg)
        yaw = torso_yaw_deg(body)
        view = classify_view(yaw, cfg)
        why = implausibility(body, view, cfg)
        candidates.append((why is None, body.body_size(), body, yaw, view, why))
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    ok, _, body, yaw, view, why = candidates[0]
    plausible = [c for c in candidates if c[0]]
    others = [c for c in plausible[1:] if _second_person(c[2], body, cfg)]
    if others:
        flags.add(TWO_PEOPLE)

    values = _empty_values()
    values.update(_frame_values(body))
    values["torso_yaw_deg"] = yaw
    values.update(_world_values(body))
    if view in (FRONTAL, THREE_QUARTER):
        values.update(_frontal_values(body))
    values.update(_side_values(body))

    if not ok:
        flags.add(IMPLAUSIBLE_POSE)
        if why == "head not visible":
            flags.add(HEAD_NOT_VISIBLE)
    elif head_above_frame(body):
        flags.add(HEAD_OUT_OF_FRAME)
    shoulders = (LEFT_SHOULDER, RIGHT_SHOULDER)
    if not all(body.in_frame(i) for i in shoulders):
        flags.add(SHOULDERS_OUT_OF_FRAME)
    elif not all(body.seen(i) for i in shoulders) and not (view == SIDE and any(body.seen(i) for i in shoulders)):
        flags.add(SHOULDERS_NOT_VISIBLE)
    if not (body.seen(LEFT_HIP) or body.seen(RIGHT_HIP)):
        flags.add(HIPS_NOT_VISIBLE)
    yaw_head = values.get("head_yaw_deg")
    if yaw_head is not None and abs(yaw_head) > cfg.head_turned_deg:
        flags.add(HEAD_TURNED)
    return Metrics(values=values, view=view if ok else None, flags=frozenset(flags), person_present=ok,
                   n_people=len(plausible), **base)
