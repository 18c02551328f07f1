"""One-sided habits in words: a sentence per measure and window, and tips for the side measured.

Pure text. Left and right are always the user's own (see posture_watch.core.asymmetry), never
the picture's. A window whose measures a side view cannot see gives no words at all.
"""

from __future__ import annotations

from posture_watch.core.asymmetry import (CLEAR, LEFT, NOT_ENOUGH, NOT_SEEN, RIGHT, Asymmetry, SideStat,
                                          WindowSides)

TITLE = "Left and right"
_OTHER = {LEFT: RIGHT, RIGHT: LEFT}


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f} %"


def _minutes(seconds: float) -> str:
    m = int(round(seconds / 60))
    return f"{m} min" if m < 60 else f"{m // 60} h" if m % 60 == 0 else f"{m // 60} h {m % 60:02d} min"


def size_words(stat: SideStat) -> str:
    if stat.typical is None:
        return ""
    if stat.measure == "lean_side_pct":
        return f"typically {stat.typical:.0f} % of a shoulder width"
    return f"typically {stat.typical:.0f}°"


def _claim(stat: SideStat) -> str:
    side = stat.side
    return {"shoulder_side_deg": f"Your {side} shoulder sat lower",
            "head_side_deg": f"Your head tilted to your {side}",
            "lean_side_pct": f"Your head and upper body sat to your {side}"}[stat.measure]


def sentence(stat: SideStat, when: str) -> str:
    """'Your right shoulder sat lower 78 % of the judged time this day (typically 6°).', or '' when the
    measure has no clear side."""
    if stat.status == NOT_SEEN:
        return ""
    if stat.status == CLEAR:
        share = stat.left_share if stat.side == LEFT else stat.right_share
        return f"{_claim(stat)} {_pct(share)} of the judged time {when} ({size_words(stat)})."
    return ""   # said only when the data is clear: no side held, or too little time, is no claim


def not_enough(window: WindowSides, min_s: float, when: str) -> str:
    """The 'not enough data' sentence of a window, or '' when it has enough (or nothing is seen)."""
    stat = window.shoulder
    if stat.status != NOT_ENOUGH or stat.judged_s <= 0:
        return ""
    return (f"Not enough data {when} to tell left from right: {_minutes(stat.measured_s)} judged from the "
            f"front, at least {_minutes(min_s)} needed.")


def seen(window: WindowSides) -> bool:
    """Whether anything about sides can be said of the window (judged from the front at all)."""
    return any(s.status != NOT_SEEN and s.judged_s > 0 for s in window.stats)


def window_words(window: WindowSides, min_s: float, when: str) -> tuple[str, ...]:
    if not seen(window):
        return ()
    short = not_enough(window, min_s, when)
    if short:
        return (short,)
    return tuple(s for s in (sentence(st, when) for st in window.stats) if s)


def period_when(days: int) -> str:
    return "this day" if days == 1 else f"these {days} days"


def weeks_when(asym: Asymmetry) -> str:
    n = len(asym.daily)
    return f"over the last {n // 7} weeks" if n % 7 == 0 else f"over the last {n} days"


def sentences(asym: Asymmetry, days: int) -> tuple[str, ...]:
    """The report's sentences: the period's, then the weeks' (nothing for a side view)."""
    out = window_words(asym.period, asym.min_period_s, period_when(days))
    if len(asym.daily) > days:
        out += window_words(asym.weeks, asym.min_weeks_s, weeks_when(asym))
    return out


_TIPS = {
    "shoulder_side_deg": (
        "Your {side} shoulder sits lower: set both armrests to the same height (or the {side} one a little "
        "higher) so you do not prop on your {side} elbow, and keep the mouse right beside the keyboard so "
        "your {side} arm does not reach down and out."),
    "head_side_deg": (
        "Your head tilts to your {side}: if papers, a phone or a second screen sit to your {side}, put them in "
        "front of you below the main screen; for calls, use a headset instead of a phone held on your "
        "{side} shoulder."),
    "lean_side_pct": (
        "You sit over to your {side}: centre the screen and the keyboard in front of you, and if the screen is "
        "off centre to your {other}, move it to the middle; sit square with both feet flat."),
}


def tips(asym: Asymmetry) -> tuple[str, ...]:
    """A tip for each measure with a clear side over the weeks (else over the report's days)."""
    out = []
    for weeks_stat, period_stat in zip(asym.weeks.stats, asym.period.stats):
        stat = weeks_stat if weeks_stat.status == CLEAR else period_stat
        if stat.status == CLEAR:
            out.append(_TIPS[stat.measure].format(side=stat.side, other=_OTHER[stat.side]))
    return tuple(out)
