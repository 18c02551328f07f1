"""A 3D upper-body stick figure seen through a pinhole camera, producing Detections.

Not a test of anything by itself: the geometry and judge tests use it to make landmarks of
known postures. The figure's proportions follow MediaPipe's own world landmarks of a real
sitter (shoulders 34 cm apart, ears 18 cm above them and 15 cm apart, nose 12 cm ahead of
the ears), so the measures land where the real model puts them.

Body frame (metres): origin at the hip midpoint, x to the subject's LEFT, y up, z forward (towards
the desk). Posture parameters, all in degrees except the distances:

  trunk_flexion_deg     the whole trunk leans forward at the hips
  thoracic_flexion_deg  the upper back rounds (the thoracic segment bends further forward and the
                        shoulders roll forward)
  neck_flexion_deg      the neck bends forward from the upper trunk (forward head)
  head_pitch_deg        the gaze: the head's own pitch in the world, positive = looking down
  lateral_lean_deg      the upper body leans sideways, positive towards the subject's left
  forward_shift_m       the whole sitter moves this far towards the camera (distance to camera)
  sink_m                the sitter slides down in the chair: the upper body comes down this much
                        while the hips, held at the seat's height, slide forward as much
  head_yaw_deg          the head turns, positive towards the subject's left
  shrug_m               the shoulders rise this much (tension), the head stays

A Camera is fixed in the room: it is aimed once, at the UPRIGHT sitter, and stays put while
the posture changes, as a laptop or monitor camera does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from posture_watch.core.domain import Detection, Pose

N_LANDMARKS = 33


@dataclass(frozen=True)
class Posture:
    trunk_flexion_deg: float = 0.0
    thoracic_flexion_deg: float = 0.0
    neck_flexion_deg: float = 0.0
    head_pitch_deg: float = 0.0
    lateral_lean_deg: float = 0.0
    forward_shift_m: float = 0.0
    sink_m: float = 0.0
    head_yaw_deg: float = 0.0
    shrug_m: float = 0.0


UPRIGHT = Posture()
# Slumped in the chair: hips slid forward, trunk reclined against the backrest, the back rounded,
# chin down; the whole upper body lower and farther back.
SLUMPED_BACK = Posture(trunk_flexion_deg=-18, sink_m=0.08, thoracic_flexion_deg=20, neck_flexion_deg=15)


@dataclass(frozen=True)
class Camera:
    """view: 'frontal' (in front of the sitter), 'side' (at the sitter's right) or 'oblique'
    (between the two, `azimuth_deg` round from the front towards the sitter's right).
    distance_m: horizontal distance from the upright eyes; height_m: camera height above the
    upright eyes (negative = below, as on a laptop); aim_drop_m: the camera looks at a point this
    far below the upright eyes."""

    view: str = "frontal"
    distance_m: float = 0.55
    height_m: float = -0.22
    hfov_deg: float = 70.0
    image_size: tuple[int, int] = (1280, 720)
    aim_drop_m: float = 0.16
    azimuth_deg: float = 45.0


LAPTOP = Camera("frontal", distance_m=0.55, height_m=-0.22, hfov_deg=70.0, aim_drop_m=0.16)
DESKTOP = Camera("frontal", distance_m=0.75, height_m=0.03, hfov_deg=65.0, aim_drop_m=0.18)
TIGHT_LAPTOP = Camera("frontal", distance_m=0.5, height_m=-0.2, hfov_deg=70.0, aim_drop_m=0.0)   # face framed
SIDE = Camera("side", distance_m=1.1, height_m=-0.15, hfov_deg=65.0, aim_drop_m=0.3)


def _rot_x(deg: float) -> np.ndarray:
    """Rotation that tips +y towards +z (forward flexion) by `deg`."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def _rot_y(deg: float) -> np.ndarray:
    """Turn about the vertical axis, positive turns the face towards the subject's left."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def _rot_z(deg: float) -> np.ndarray:
    """Rotation that tips +y towards +x (lean to the subject's left) by `deg`."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])


# Head points relative to the head pivot (top of the neck), head frame: x left, y up, z forward.
_HEAD = {
    0: (0.0, -0.01, 0.12),                            # nose
    1: (0.018, 0.035, 0.092), 2: (0.032, 0.035, 0.09), 3: (0.046, 0.035, 0.083),   # left eye in/centre/out
    4: (-0.018, 0.035, 0.092), 5: (-0.032, 0.035, 0.09), 6: (-0.046, 0.035, 0.083),
    7: (0.078, 0.025, -0.005), 8: (-0.078, 0.025, -0.005),   # ears: just above the nodding axis
    9: (0.025, -0.045, 0.10), 10: (-0.025, -0.045, 0.10),     # mouth
}
LUMBAR_M, THORACIC_M, NECK_M = 0.20, 0.24, 0.13
NECK_NEUTRAL_DEG = 15.0


@dataclass(frozen=True)
class Build:
    """A body's proportions as factors of the average sitter (1.0 = average)."""

    shoulders: float = 1.0
    trunk: float = 1.0
    neck: float = 1.0
    head: float = 1.0


AVERAGE = Build()


def body_points(p: Posture, build: Build = AVERAGE) -> np.ndarray:
    """(33, 3) landmark positions in the body frame for a posture."""
    pts = np.zeros((N_LANDMARKS, 3))
    up = np.array([0.0, 1.0, 0.0])
    lean = _rot_z(p.lateral_lean_deg)
    r_lumbar = lean @ _rot_x(p.trunk_flexion_deg)
    r_thorax = lean @ _rot_x(p.trunk_flexion_deg + p.thoracic_flexion_deg)
    hip = np.zeros(3)
    t12 = hip + r_lumbar @ up * LUMBAR_M * build.trunk
    c7 = t12 + r_thorax @ up * THORACIC_M * build.trunk
    protraction = 0.12 * math.sin(math.radians(max(0.0, p.thoracic_flexion_deg)))
    for idx, side in ((11, 1.0), (12, -1.0)):
        pts[idx] = c7 + r_thorax @ np.array([side * 0.168 * build.shoulders * (1 - 0.4 * protraction),
                                                     -0.02 + p.shrug_m, 0.02 + protraction])
    r_neck = lean @ _rot_x(p.trunk_flexion_deg + p.thoracic_flexion_deg + p.neck_flexion_deg + NECK_NEUTRAL_DEG)
    pivot = c7 + r_neck @ up * NECK_M * build.neck
    r_head = lean @ _rot_x(p.head_pitch_deg) @ _rot_y(p.head_yaw_deg)
    for idx, local in _HEAD.items():
        pts[idx] = pivot + r_head @ np.array(local) * build.head
    for idx, side in ((13, 1.0), (14, -1.0)):      # elbows, wrists, hands: arms towards the desk
        pts[idx] = pts[idx - 2] + np.array([side * 0.03, -0.27, 0.08])
        pts[idx + 2] = pts[idx] + np.array([-side * 0.06, -0.02, 0.25])
        for k in (17, 19, 21):
            pts[k + (0 if side > 0 else 1)] = pts[idx + 2] + np.array([-side * 0.02, 0.0, 0.07])
    for idx, side in ((23, 1.0), (24, -1.0)):      # hips, knees, ankles, feet (seated)
        pts[idx] = hip + np.array([side * 0.113, 0.0, 0.0])
        pts[idx + 2] = pts[idx] + np.array([0.0, 0.0, 0.45])
        pts[idx + 4] = pts[idx + 2] + np.array([0.0, -0.45, 0.0])
        pts[idx + 6] = pts[idx + 4] + np.array([0.0, -0.03, -0.05])
        pts[idx + 8] = pts[idx + 4] + np.array([0.0, -0.05, 0.15])
    pts[:, 2] += p.forward_shift_m
    # sliding down in the chair: the seat keeps the hips at its height while they slide forward, the
    # pelvis rolls back and the upper body comes down (a camera moved down moves everything alike)
    pts[:23, 1] -= p.sink_m
    pts[23:, 2] += p.sink_m
    return pts


_UPRIGHT_PTS = body_points(UPRIGHT)
EYE_Y = float((_UPRIGHT_PTS[2, 1] + _UPRIGHT_PTS[5, 1]) / 2)
EYE_Z = float((_UPRIGHT_PTS[2, 2] + _UPRIGHT_PTS[5, 2]) / 2)


def camera_pose(cam: Camera) -> tuple[np.ndarray, np.ndarray]:
    """(position, rotation rows right/down/forward) of a camera, aimed at the upright sitter."""
    target = np.array([0.0, EYE_Y - cam.aim_drop_m, EYE_Z * 0.5])
    if cam.view == "frontal":
        pos = np.array([0.0, EYE_Y + cam.height_m, EYE_Z + cam.distance_m])
    elif cam.view == "side":
        pos = np.array([-cam.distance_m, EYE_Y + cam.height_m, EYE_Z * 0.5])
    elif cam.view == "oblique":
        a = math.radians(cam.azimuth_deg)
        pos = np.array([-cam.distance_m * math.sin(a), EYE_Y + cam.height_m, EYE_Z * 0.5 + cam.distance_m * math.cos(a)])
    else:
        raise ValueError(cam.view)
    fwd = target - pos
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    return pos, np.stack([right, down, fwd])


def project(points: np.ndarray, cam: Camera) -> tuple[np.ndarray, np.ndarray]:
    """Pinhole projection: (N, 2) pixel coordinates and (N,) depths along the optical axis."""
    pos, rot = camera_pose(cam)
    local = (points - pos) @ rot.T
    w, h = cam.image_size
    f = (w / 2) / math.tan(math.radians(cam.hfov_deg) / 2)
    depth = local[:, 2]
    px = np.stack([w / 2 + f * local[:, 0] / depth, h / 2 + f * local[:, 1] / depth], axis=1)
    return px, depth


def simulate(posture: Posture, camera: Camera = LAPTOP, t_s: float = 0.0, noise_px: float = 0.0,
             rng: np.random.Generator | None = None, hips_visible: bool | None = None,
             brightness: float = 120.0, extra_poses: tuple[Pose, ...] = (),
             edge_pull: float = 0.0, build: Build = AVERAGE) -> Detection:
    """One Detection of the stick figure in `posture` seen by `camera`.

    Landmarks outside the image keep their (extrapolated) position, as MediaPipe does, with a
    low visibility. Hips are hidden by the desk in frontal views unless `hips_visible`.
    In a side view the far side (the subject's left) is half visible. `edge_pull` (0..1) makes
    the guesses for landmarks outside the image fall short of the truth, towards the edge, as a
    model that cannot see them tends to do (plus extra noise)."""
    rng = rng or np.random.default_rng(0)
    pts = body_points(posture, build)
    px, depth = project(pts, camera)
    if noise_px > 0:
        px = px + rng.normal(0.0, noise_px, px.shape)
    w, h = camera.image_size
    norm = px / (w, h)
    vis = np.full(N_LANDMARKS, 0.99)
    inside = (norm[:, 0] >= 0) & (norm[:, 0] <= 1) & (norm[:, 1] >= 0) & (norm[:, 1] <= 1)
    if edge_pull > 0:
        edge = np.clip(norm, 0.0, 1.0)
        norm = np.where(inside[:, None], norm, edge + (norm - edge) * (1.0 - edge_pull))
        norm = norm + np.where(inside[:, None], 0.0, rng.normal(0.0, 3 * max(noise_px, 1.0) / w, norm.shape))
    vis[~inside] = 0.2
    if hips_visible is None:
        hips_visible = camera.view == "side"
    if not hips_visible:
        vis[23:] = np.minimum(vis[23:], 0.1)
    if camera.view == "side":
        far = [1, 2, 3, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]   # the subject's left
        vis[far] = np.minimum(vis[far], 0.45)
    f = (w / 2) / math.tan(math.radians(camera.hfov_deg) / 2)
    hip_depth = float((depth[23] + depth[24]) / 2)
    z = (depth - hip_depth) * f / (hip_depth * w)
    landmarks = np.column_stack([norm, z, vis, np.clip(vis + 0.005, 0, 1)])
    _, rot = camera_pose(camera)
    world = (pts - (pts[23] + pts[24]) / 2) @ rot.T           # MediaPipe world: x right, y down, z away
    if noise_px > 0:     # the model's 3-D guess is noisy too: ~3 mm a landmark per pixel of image noise
        # (its own generator, so that adding it changed no other draw of existing tests and benchmarks)
        world_rng = np.random.default_rng(int(abs(t_s) * 1000) * 7919 + int(noise_px * 1000))
        world = world + world_rng.normal(0.0, 0.003 * noise_px, world.shape)
    poses = (Pose(landmarks, world),) + tuple(extra_poses)
    return Detection(t_s=t_s, image_size=(w, h), poses=poses, brightness=brightness)


def false_pose(image_size: tuple[int, int] = (1280, 720), centre: tuple[float, float] = (0.7, 0.35),
               shoulder_width_frac: float = 0.04, rng: np.random.Generator | None = None) -> Pose:
    """A small, confident pose of the kind MediaPipe finds on a cartoon or a poster: a tiny
    human-shaped landmark set (shoulders 1-6% of the frame wide)."""
    rng = rng or np.random.default_rng(1)
    pts = body_points(UPRIGHT)
    scale = shoulder_width_frac / 0.336
    w, h = image_size
    norm = np.column_stack([centre[0] + pts[:, 0] * scale, centre[1] - (pts[:, 1] - EYE_Y) * scale * w / h])
    norm = norm + rng.normal(0.0, 0.002, norm.shape)
    vis = np.full(N_LANDMARKS, 0.9)
    return Pose(np.column_stack([norm, np.zeros(N_LANDMARKS), vis, vis]), None)


def with_posture(base: Posture, **changes: float) -> Posture:
    return replace(base, **changes)


def nudged(d: Detection, rotate_deg: float = 0.0, shift: tuple[float, float] = (0.0, 0.0),
           scale: float = 1.0) -> Detection:
    """The detection as a camera moved after calibration would have seen it: turned about its
    axis (the picture rotated about its centre), shifted (fractions of the width) and zoomed
    (about the centre). The world landmarks, which MediaPipe gives in the camera's axes, turn
    with the picture. Used by the tests and by `benchmarks/accuracy.py --section real`."""
    if not d.poses:
        return d
    w, h = d.image_size
    a = math.radians(rotate_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    poses = []
    for p in d.poses:
        lm = np.array(p.landmarks, float)
        xy = lm[:, :2] * (w, h) - (w / 2, h / 2)
        xy = (xy @ rot.T) * scale + (w / 2, h / 2) + (shift[0] * w, shift[1] * w)
        lm[:, :2] = xy / (w, h)
        world = None
        if p.world is not None:
            world = np.array(p.world, float)
            world[:, :2] = world[:, :2] @ rot.T
        poses.append(Pose(lm, world))
    return replace(d, poses=tuple(poses))
