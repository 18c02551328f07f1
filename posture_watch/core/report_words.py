"""The report in words: titles, durations, the summary, the fatigue sentence, tips. Pure text."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Mapping

from posture_watch.core import fault_words
from posture_watch.core.domain import FAULTS, FORWARD_LEAN, LATERAL_LEAN, SLUMPED, THORACIC_SLOUCH

DISCLAIMER = ("posture-watch compares you with your own calibrated baseline; it is not medical advice. "
              "If you have pain or numbness, talk to a health professional.")

# the same names as the notifications and the preview say (posture_watch.core.fault_words)
FAULT_LABELS: dict[str, str] = {fault: fault_words.title(fault) for fault in FAULTS}

# Human names of the judge's deviations (posture_watch.core.deviation.COMPONENTS).
MEASURE_LABELS: dict[str, str] = {
    "head_drop_pct": "head drop",
    "face_size_pct": "head forward (face size)",
    "face_scale_pct": "lean towards the screen",
    "shoulder_scale_pct": "lean towards the screen",
    "shoulder_drop_pct": "shoulder sink",
    "trunk_foreshortening_pct": "trunk bend",     # judged before 2026-12-06; kept for the history recorded then
    "shoulder_tilt_deg": "shoulder tilt",
    "head_tilt_deg": "head tilted sideways",
    "head_forward_deg": "head forward angle",
    "trunk_forward_deg": "trunk forward angle",
    "neck_bend_deg": "neck bent forward",
    "neck_shortening_pct": "head down towards the shoulders",
    "back_rounding_pct": "upper-back rounding",
    "trunk_recline_deg": "trunk reclined",
    "head_sink_pct": "head sunk in the picture",
}

_UNITS: tuple[tuple[str, str], ...] = (("_deg", "°"), ("_pct", " %"), ("_cm", " cm"), ("_mm", " mm"), ("_ratio", ""))


def _fault_measures() -> dict[str, tuple[str, ...]]:
    """fault -> its deviations, in the judge's order (most telling group first)."""
    from posture_watch.core.deviation import COMPONENTS, GROUP_FAULT

    out: dict[str, list[str]] = {}
    for comp in COMPONENTS:
        out.setdefault(GROUP_FAULT[comp.group], []).append(comp.deviation)
    return {fault: tuple(names) for fault, names in out.items()}


FAULT_MEASURES: dict[str, tuple[str, ...]] = _fault_measures()


def primary_measure(fault: str, counts: Mapping[str, int], medians: Mapping[str, float]) -> str | None:
    """The deviation that sizes `fault`: the first of fault_words.SIZE_MEASURES that was recorded (so the
    report says a fault in the unit every other surface uses), else of the fault's own deviations the one
    seen most often (the judge's order breaks ties); any deviation seen if none of its own was recorded."""
    for name in fault_words.SIZE_MEASURES.get(fault, ()):
        if counts.get(name):
            return name
    own = [name for name in FAULT_MEASURES.get(fault, ()) if counts.get(name)]
    if own:
        return max(own, key=lambda name: (counts[name], -own.index(name)))
    if not counts:
        return None
    return max(sorted(counts), key=lambda k: (counts[k], abs(medians.get(k, 0.0))))


def measure_label(name: str) -> tuple[str, str]:
    """("head drop", " %") from "head_drop_pct"."""
    for suffix, unit in _UNITS:
        if name.endswith(suffix):
            return MEASURE_LABELS.get(name, name[: -len(suffix)].replace("_", " ")), unit
    return MEASURE_LABELS.get(name, name.replace("_", " ")), ""


def size_words(fault: str, measure: str | None, median: float | None) -> str:
    """The typical size of a fault, said as everywhere else ('about 12°'), or the measure's own words
    ('median lean towards the screen 8 % from your baseline') when it is not one that sizes the fault."""
    if measure is None or median is None:
        return ""
    said = fault_words.how_much(fault, {measure: median})
    if said or measure in fault_words.SIZE_MEASURES.get(fault, ()):
        return said
    label, unit = measure_label(measure)
    digits = 2 if unit == "" and abs(median) < 1 else 0 if abs(median) >= 10 else 1
    return f"median {label} {median:.{digits}f}{unit} from your baseline"


def duration(seconds: float | None) -> str:
    """'6 h 05 min', '42 min', '7 min 24 s', '35 s'."""
    if seconds is None:
        return "-"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 600:
        return f"{s // 60} min" if s % 60 == 0 else f"{s // 60} min {s % 60:02d} s"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def clock_span(start_t: float, end_t: float, tz: tzinfo, weekday: bool = False) -> str:
    """'from 06:21 to 06:24' for 2 min 53 s from 06:20:40: to the minute, and consistent with the duration.
    The start is rounded to the nearest minute and the end is that start plus the duration in whole
    minutes (rounded), so the span read off the clock is the duration said next to it; under half a
    minute it is 'at 06:21'."""
    minute = timedelta(minutes=1)
    start = datetime.fromtimestamp(math.floor(start_t / 60.0 + 0.5) * 60.0, tz)
    minutes = math.floor(max(0.0, end_t - start_t) / 60.0 + 0.5)   # half a minute rounds up, always
    day = "%a " if weekday else ""
    if minutes == 0:
        return f"at {start.strftime(day + '%H:%M')}"
    end = datetime.fromtimestamp(start.timestamp() + minutes * minute.total_seconds(), tz)
    return f"from {start.strftime(day + '%H:%M')} to {end.strftime('%H:%M')}"


def pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f} %"


def day_name(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def title(first: date, last: date) -> str:
    if first == last:
        return f"Posture on {day_name(first)}"
    return f"Posture from {day_name(first)} to {day_name(last)}"


def no_data_message(first: date, last: date, today: date | None = None) -> str:
    """Why a report is empty: a day to come is not one the monitor missed."""
    when = f"on {day_name(first)}" if first == last else f"between {day_name(first)} and {day_name(last)}"
    if today is not None and first > today:
        return f"No posture data {when}: {'that day has' if first == last else 'those days have'} not come yet."
    why = "the monitor has not run yet today" if first == last == today else "the monitor did not run then"
    return f"No posture data {when}: {why}. Start it with `posture-watch run` (or try `posture-watch demo`)."


def fatigue_words(verdict: str, early: float | None, late: float | None, window_s: float) -> str:
    hours = duration(window_s).replace(" 00 min", "").replace("2 h", "two hours").replace("1 h", "one hour")
    if verdict == "unknown":
        return "No monitoring, so no early/late comparison."
    if verdict == "short":
        return f"The monitored part of the day was too short to compare the first and last {hours}."
    if verdict == "sparse":
        return f"Too little judged posture in the first or last {hours} to compare them."
    numbers = f"{pct(early)} poor in the first {hours}, {pct(late)} in the last {hours}"
    if verdict == "worse":
        return f"Posture got worse late in the day: {numbers}. Fatigue late in the day is the typical pattern."
    if verdict == "better":
        return f"Posture got better late in the day: {numbers}."
    return f"Posture held steady through the day: {numbers}."


@dataclass(frozen=True)
class Facts:
    """What the sentences are made from (a flat view of the report)."""

    first_day: date
    last_day: date
    monitored_s: float
    away_s: float
    observed_s: float
    upright_share: float | None
    score: float | None
    warnings: int
    longest_poor_s: float
    breaks_taken: int
    breaks_due: int
    break_every_s: float
    dominant_fault: str | None
    dominant_size: str
    dominant_s: float
    fatigue: str
    fatigue_words: str
    trend_upright: tuple[float | None, ...]  # earlier days, oldest first
    profiles: tuple[str, ...]
    trend_judged_s: tuple[float, ...] = ()   # the earlier days' judged time (weighs the comparison)
    today: date | None = None                # the local day the report is made on (None: not known)


def summary(f: Facts) -> str:
    if f.monitored_s <= 0:
        return no_data_message(f.first_day, f.last_day, f.today)
    parts = [f"Monitored for {duration(f.monitored_s)}, {duration(f.away_s)} of it away from the desk."]
    if f.upright_share is None:
        parts.append("Your posture could not be judged in that time (face or shoulders not visible).")
    else:
        score = f" (score {f.score:.0f}/100)" if f.score is not None else ""
        parts.append(f"You sat upright {pct(f.upright_share)} of the judged time{score}.")
    if f.dominant_fault:
        size = f", {f.dominant_size} (typical)" if f.dominant_size else ""
        parts.append(f"The main fault was {fault_words.name(f.dominant_fault)}{size}: "
                     f"{duration(f.dominant_s)} in all.")
    warned = "no warning" if f.warnings == 0 else "one warning" if f.warnings == 1 else f"{f.warnings} warnings"
    longest = f"; the longest poor stretch lasted {duration(f.longest_poor_s)}" if f.longest_poor_s > 0 else ""
    parts.append(f"The monitor gave {warned}{longest}.")
    breaks = "break" if f.breaks_taken == 1 else "breaks"
    parts.append(f"You took {f.breaks_taken} {breaks} of at least a minute; {f.breaks_due} were due "
                 f"(one per {duration(f.break_every_s)} at the desk).")
    if f.fatigue in ("worse", "better", "same"):
        parts.append(f.fatigue_words.split(":")[0] + ".")
    weights = f.trend_judged_s or (1.0,) * len(f.trend_upright)
    earlier = [(u, w) for u, w in zip(f.trend_upright, weights) if u is not None and w > 0]
    if earlier and f.upright_share is not None:
        # the earlier days' upright share over their judged time together: ten minutes on a Sunday
        # count for ten minutes, not for a day
        mean = sum(u * w for u, w in earlier) / sum(w for _, w in earlier)
        change = (f.upright_share - mean) * 100
        how = "better than" if change >= 5 else "worse than" if change <= -5 else "about the same as"
        days = "day" if len(earlier) == 1 else f"{len(earlier)} days"
        parts.append(f"That is {how} the previous {days} with data ({pct(mean)} upright).")
    if len(f.profiles) > 1:
        parts.append(f"Recorded with {len(f.profiles)} profiles ({', '.join(f.profiles)}).")
    return " ".join(parts)


_FAULT_TIPS: dict[str, tuple[str, ...]] = {
    FORWARD_LEAN: (
        "Raise the screen so its top line is at eye level, about an arm's length away; "
        "a laptop needs a stand and a separate keyboard.",
        "If you lean in to read, make the text bigger (Ctrl and +) instead of bringing your head to it.",
        "Chin tucks: glide your head straight back over your shoulders, hold 5 s, ten times, twice a day.",
    ),
    THORACIC_SLOUCH: (
        "Thoracic extension: hands behind your head, lean your upper back over the top of the chair "
        "back and look up gently; hold 5 s, five times.",
        "Breathing reset: sit tall, breathe in slowly through the nose into the lower ribs for 4 s, "
        "out for 6 s; five breaths.",
        "Sit all the way back so the backrest supports your lower back; a small cushion helps.",
    ),
    SLUMPED: (
        "Sit all the way back: hips against the backrest, feet flat; a slump starts when the hips slide forward.",
        "If the chair is too deep, put a cushion behind your lower back so you can sit back without slumping.",
        "Stand up for a minute: slumping usually means you have sat too long.",
    ),
    LATERAL_LEAN: (
        "Centre the screen and keyboard in front of you; working off to one side pulls you sideways.",
        "Set both armrests to the same height, or remove them, so you do not prop on one elbow.",
        "Keep both feet flat on the floor: crossing the legs tilts the pelvis.",
    ),
}

_BREAK_TIP = ("Take a short break every 30 minutes: stand up, walk a few steps, look into the distance; "
              "the monitor counts an absence of a minute or more as a break.")
_FATIGUE_TIP = "Your posture slipped late in the day: plan a longer break or a short walk before the last hours."


def tips(f: Facts) -> tuple[str, ...]:
    """One to three tips: the dominant fault's first, then breaks or fatigue when they apply."""
    if f.monitored_s <= 0:
        return ()
    out: list[str] = []
    fault_tips = _FAULT_TIPS.get(f.dominant_fault or "", ())
    if fault_tips:
        out.append(fault_tips[0])
    if f.breaks_due > f.breaks_taken:
        out.append(_BREAK_TIP.replace("30 minutes", duration(f.break_every_s)))
    if f.fatigue == "worse":
        out.append(_FATIGUE_TIP)
    for extra in fault_tips[1:]:
        if len(out) >= 3:
            break
        out.append(extra)
    if not out:
        out.append(_BREAK_TIP.replace("30 minutes", duration(f.break_every_s)))
    return tuple(out[:3])
