"""`posture-watch report [--date D] [--days N] [--html OUT] [--json OUT] [--csv OUT] [--open]`.

The edge around the pure report: picks the local time zone and "today", reads the rows from
the store (read-only; a missing database is a day with no data, never created here), prints
the terminal summary and writes the requested files, each with mode 0600. The HTML page is
written only when asked for: to --html, or, with --open alone, to the reports folder
(POSTURE_WATCH_HOME/reports) and opened.
"""

from __future__ import annotations

import argparse
import logging
import os
import webbrowser
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from posture_watch.io.files import write_private_atomic
from posture_watch.io import paths
from posture_watch.core.errors import UserError
from posture_watch.core.day_report import DayReport, ReportConfig, build_report
from posture_watch.core.report_intervals import day_bounds

log = logging.getLogger(__name__)

MAX_DAYS = 366


def local_zone() -> tzinfo:
    """The user's time zone with its DST rules: $TZ, else /etc/localtime, else a fixed offset."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            if not name.startswith("/"):
                return ZoneInfo(name)
            with open(name, "rb") as fh:
                return ZoneInfo.from_file(fh, key=Path(name).name)
        except (OSError, ValueError, ZoneInfoNotFoundError):
            log.info("TZ=%s is not a zone name this system knows; trying /etc/localtime", name)
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return ZoneInfo(target.split("zoneinfo/", 1)[1])
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass
    try:
        key = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if key:
            return ZoneInfo(key)
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass
    try:
        with open("/etc/localtime", "rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError):
        pass
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")


def parse_day(text: str | None, today: date) -> date:
    if not text or text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--date must be a day written as YYYY-MM-DD (or today, yesterday), not '{text}'.") from None


def check_reportable(day: date, days: int, tz: tzinfo, config: ReportConfig) -> None:
    """A report needs the local midnights from its trend's first day to the day after `day`: a day
    at either end of the calendar (0001-01-01, 9999-12-31) has none to compute, which is one sentence."""
    try:
        day_bounds(day - timedelta(days=max(days, config.trend_days) - 1), tz)
        day_bounds(day, tz)
    except (OverflowError, ValueError, OSError):
        raise UserError(f"--date {day.isoformat()} is too close to the end of the calendar for a report "
                        f"(it needs the {max(days, config.trend_days)} days up to it and the day after); "
                        "give a day between the years 2 and 9998.") from None


def report_config(args: argparse.Namespace | None = None) -> ReportConfig:
    """Break rules and the sample cap follow the engine's settings (config.toml [engine])."""
    from posture_watch.io.config import config_for, load_config

    engine = (config_for(args) if args is not None else load_config()).section("engine")
    return ReportConfig(max_sample_gap_s=engine.max_sample_s, break_min_away_s=engine.break_min_away_s,
                        break_every_s=engine.break_reminder_after_s)


def load_report(day: date, days: int, tz: tzinfo, config: ReportConfig, db_path: Path | None = None) -> DayReport:
    """Read what the report needs from the store and build it (no rows if there is no database)."""
    from posture_watch.io.store import Store

    db_path = db_path or paths.database_path()
    samples: list[Any] = []
    events: list[Any] = []
    sessions: list[Any] = []
    if db_path.exists() and db_path.stat().st_size > 0:
        gap = config.max_sample_gap_s
        trend_first = day - timedelta(days=max(days, config.history_days) - 1)
        trend_t, _ = day_bounds(trend_first, tz)
        start_t, _ = day_bounds(day - timedelta(days=days - 1), tz)
        _, end_t = day_bounds(day, tz)
        with Store.open(db_path, readonly=True) as store:
            # Days only in the trend and the weeks of left and right need totals and sides, not faults or
            # deviations: the cheap read.
            samples = store.sample_states_between(trend_t - gap, start_t - gap)
            samples += store.samples_between(start_t - gap, end_t)
            events = store.events_between(trend_t, end_t)   # break routines over the weeks; counts are the period's
            sessions = store.sessions_between(trend_t - gap, end_t)
    return build_report(samples, events, sessions, day=day, tz=tz, days=days, config=config,
                        today=datetime.now(tz).date())


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, readable only by the user (0600)."""
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to write the report to.")
    parent = path.parent
    if not parent.is_dir():
        raise UserError(f"The folder {parent} does not exist; create it or write the report somewhere else.")
    try:
        write_private_atomic(path, text)
    except OSError as exc:
        raise UserError(f"Cannot write {path} ({exc.strerror or exc}).") from None


def default_html_path(report: DayReport) -> Path:
    name = (f"posture-{report.last_day.isoformat()}.html" if report.days == 1
            else f"posture-{report.first_day.isoformat()}_to_{report.last_day.isoformat()}.html")
    return paths.ensure_private_dir(paths.reports_dir()) / name


def cmd_report(args: argparse.Namespace) -> int:
    from rich.console import Console

    from posture_watch.report.export import hours_csv, report_json
    from posture_watch.report.html_page import render_html
    from posture_watch.report.terminal import print_report

    tz = local_zone()
    day = parse_day(getattr(args, "date", None), datetime.now(tz).date())
    days = getattr(args, "days", None)
    days = 1 if days is None else int(days)
    if not 1 <= days <= MAX_DAYS:
        raise UserError(f"--days must be between 1 and {MAX_DAYS}, not {days}.")
    db = paths.replay_database_path() if getattr(args, "replays", False) else None
    config = report_config(args)
    check_reportable(day, days, tz, config)
    report = load_report(day, days, tz, config, db)

    to_stdout = "-" in (args.json, args.csv)
    console = Console(stderr=to_stdout, highlight=False)
    if not to_stdout:
        print_report(report, console)
    if args.json:
        _emit(args.json, report_json(report))
    if args.csv:
        _emit(args.csv, hours_csv(report))
    html_path: Path | None = None
    if args.html or (getattr(args, "open", False) and report.has_data):
        html_path = Path(args.html).expanduser() if args.html else default_html_path(report)
        write_private(html_path, render_html(report))
        console.print(f"\nHTML report: {html_path}", highlight=False, soft_wrap=True)
    if args.json and args.json != "-":
        console.print(f"JSON: {args.json}", highlight=False, soft_wrap=True)
    if args.csv and args.csv != "-":
        console.print(f"CSV: {args.csv}", highlight=False, soft_wrap=True)
    if to_stdout and not report.has_data:
        console.print(report.summary, highlight=False)
    if getattr(args, "open", False):
        if html_path is None:
            console.print("No HTML report to open (no data for that day).")
        elif not webbrowser.open(html_path.resolve().as_uri()):
            console.print(f"Could not start a web browser; open {html_path} yourself.", highlight=False)
    return 0


def show_session_day(started_at: float, out: TextIO) -> Path | None:
    """After a replay (`posture-watch demo`): print the summary of the session's local day and
    write the HTML report to the reports folder; returns its path (None without data)."""
    from rich.console import Console

    from posture_watch.report.html_page import render_html
    from posture_watch.report.terminal import print_report

    tz = local_zone()
    report = load_report(datetime.fromtimestamp(started_at, tz).date(), 1, tz, report_config())
    console = Console(file=out, highlight=False)
    console.print()
    print_report(report, console)
    if not report.has_data:
        return None
    path = default_html_path(report)
    write_private(path, render_html(report))
    console.print(f"\nHTML report: {path}", highlight=False, soft_wrap=True)
    return path


def _emit(target: str, text: str) -> None:
    if target == "-":
        import sys

        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_private(Path(target).expanduser(), text)
