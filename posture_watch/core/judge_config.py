"""JudgeConfig: the judge's thresholds, with units in the names and the reason for each default.

Its own module so that the per-sample assessment (deviation) and the judge over time (judge) both use
it without importing each other; `posture_watch.core.judge` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JudgeConfig:
    """Thresholds of the judge. A deviation equal to its tolerance has severity 1."""

    window_s: float = 0.25              # smoothing window of the severities (median): lag ~0.1 s
    presence_window_s: float = 1.0      # window of the share of present samples (away reacts in ~half)
    poor_enter: float = 1.0             # smoothed severity at which posture becomes poor
    poor_exit: float = 0.7              # ... and below which it is good again (hysteresis)
    presence_min_frac: float = 0.5      # share of present samples in the window to count as present
    hold_posture_s: float = 3.0         # keep the last good/poor through gaps without a usable measure
    # tolerance floors, in the units of each deviation
    head_drop_tol_pct: float = 9.0      # ears this much closer to the shoulder line (of its baseline height)
    face_size_tol_pct: float = 12.0     # ear distance this much larger relative to shoulder width
    lean_in_tol_pct: float = 16.0       # face/shoulders this much larger in the frame (leaning in)
    shoulder_drop_tol_pct: float = 14.0  # shoulders sinking in the frame, % of baseline shoulder width
    shoulder_tilt_tol_deg: float = 7.0
    # the head tilted to one side (the ear line against its upright): chosen leave-one-person-out on
    # the dev footage from 8/10/12/15 (accuracy_footage.FITTED: 8 in every fold); upright webcams stayed within 4-5 degrees of
    # their own upright there, sideways leans and head tilts were 14-29 degrees off it
    head_tilt_tol_deg: float = 8.0      # the ear line tilted sideways by this much beyond its upright (head tilt)
    cva_tol_deg: float = 8.0            # side view: craniovertebral-angle proxy smaller by this
    trunk_inclination_tol_deg: float = 15.0   # ISO 11226:2000 accepts trunk inclination up to 20 deg for static work
    # Camera-independent floors (world landmarks). Sources: ISO 11226:2000 (static working postures)
    # accepts neck flexion up to 25 deg only for short holds and calls a held forward bend of the
    # head a risk; Hansraj 2014 (Surg Technol Int 25:277) puts the load on the neck at 12 kg at 15 deg
    # of flexion against 5 kg upright. 10 deg more than one's own upright is well inside both and
    # above the 2-4 deg frame-to-frame noise of the model on the real frontal traces (dev-data). The
    # lengths: on the real traces the world neck length shrank 6-12 % in forward-head and slumped
    # holds and stayed within +-4 % upright (chin up included); the trunk length shrank 10 % in a
    # rounded-back slump and stayed within +-3 % upright in one continuous video; but between two
    # upright photos of the same person seen from the side (dev footage: nvinay, kaazima) it differed
    # by 5 %, more than a continuous video shows: the floor sits between that and the 10 % slump
    # (set between the two, not fitted: the footage alone would take 10 and miss that slump).
    # The neck's angle from the front: 20 degrees more than one's upright (ISO 11226's 25 for short holds
    # only), not 10: the model's 3-D guess of it from the front wanders 10-16 degrees between upright webcam
    # pictures of one person (dev footage: phone photos at a desk, the same people mirrored or turned 5
    # degrees), and the footage's leave-one-person-out chose twice 10 in most folds (20 then in 14 of 14; with
    # the bend a sign of a slump too, the folds lean to 27, 0.001 better); the neck's length, the head's drop and
    # the CVA still see a forward head (real traces: every forward-head sample still poor)
    neck_bend_tol_deg: float = 20.0     # frontal: the neck bent forward against the trunk by this much
    # (at 9.3 or 14 the dev footage gains 0.001-0.002, but the stress set's mild slouch is missed more, 0.938 -> 0.934,
    # and at 14 a real side trace's hunch is no longer named a forward lean: tried 2026-12-07, kept at 7)
    neck_shortening_tol_pct: float = 7.0   # ear-to-shoulder distance (metres) shorter by this share
    back_rounding_tol_pct: float = 8.0  # shoulder-to-hip distance (metres) shorter: the spine rounded
    trunk_recline_tol_deg: float = 10.0  # side view: trunk reclined behind its upright by this much ...
    # the head's sink, % of the body's size (about 9 cm from the side): chosen leave-one-person-out on the dev
    # footage from 20/15/12 (accuracy_footage.FITTED: 20 in every fold once the trunk's recline counts as
    # a slump's main sign as well; 15 and 12 had been chosen while the sink was the only one)
    head_sink_tol_pct: float = 20.0     # ... or the head lower in the picture
    # the hips slid forward on the seat, % of the upright trunk's length (hip to shoulder, about 50 cm): 20 is
    # about 10 cm, a slide down the chair, past the hips' place between two upright photos of one person (dev
    # footage: within 7 %); a sign of a slump only, never a fault alone (sitting at the seat's front edge is not one)
    seat_slide_tol_pct: float = 20.0    # side view: hips slid forward on the seat, % of the trunk's length (a recline's sign)
    slump_gate_severity: float = 0.5    # a sink is a slump when a sign in the body (trunk reclined, back rounded, neck bent or shortened) shows this much
    explained_by_severity: float = 0.8  # a sink while leaning in this much counts as the lean
    camera_moved_roll_deg: float = 3.0  # the camera turned this much since calibration: said (flag)
    second_group_weight: float = 0.5    # a second group showing the same fault adds this share of its severity
    noise_k: float = 4.0                # a tolerance is at least this many baseline spreads
    reading_margin: float = 1.25        # the reading capture's deviations stay below the tolerance
    max_widen: float = 2.0              # ... but noise or reading widen a tolerance to this * its floor at most
    slouch_fraction: float = 0.5        # personal threshold: this share of the slouch sample's deviation
    min_size_ratio: float = 0.55        # a person smaller than this * the calibrated size is not the user
    max_size_ratio: float = 2.6
    min_shoulder_ratio: float = 0.5     # frontal shoulder width needed, of the calibrated
    min_world_length_ratio: float = 0.6  # the model's metric shoulder width within 0.6-1.67x of the calibrated

    def __post_init__(self) -> None:
        if not 0 < self.poor_exit <= self.poor_enter:
            raise ValueError("judge.poor_exit must be positive and not above judge.poor_enter")
        if self.window_s < 0 or self.presence_window_s < 0:
            raise ValueError("judge windows must not be negative")
