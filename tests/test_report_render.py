"""The HTML report rendered by a real headless Chromium: not blank, charts there, no network.

A working day is written through the real Store into a temporary SQLite file and read back by
the report CLI's loader, so the page shows what a user would get. Screenshots go to tmp_path.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from posture_watch.core.domain import AWAY, EV_WARNING, FORWARD_LEAN, GOOD, POOR, THORACIC_SLOUCH, Event, Reading
from posture_watch.core.day_report import ReportConfig, build_report
from posture_watch.report.charts import COLORS
from posture_watch.report.command import load_report
from posture_watch.report.html_page import CSP, render_html
from posture_watch.io.store import Store

pytestmark = pytest.mark.slow

TZ = ZoneInfo("Europe/Berlin")
DAY = date(2025, 5, 14)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _write_day(store: Store, day: date, blocks: list[tuple[int, int]], poor_every: int, profile: str) -> None:
    """Sessions over the given local (start hour, end hour) blocks at 2 s steps: 12-minute cycles of
    upright, then a poor spell every `poor_every` cycles, and a 3-minute break each hour."""
    for h0, h1 in blocks:
        t = datetime(day.year, day.month, day.day, h0, tzinfo=TZ).timestamp()
        end = datetime(day.year, day.month, day.day, h1, tzinfo=TZ).timestamp()
        sid = store.start_session(t, "test", profile, None)
        cycle = 0
        while t < end:
            minute = int((t % 3600) // 60)
            if minute < 3:
                state, faults, score = AWAY, (), None
            else:
                in_cycle = ((t % 720) // 60)
                poor = cycle % poor_every == 0 and in_cycle >= 8
                fault = FORWARD_LEAN if (t // 3600) % 3 else THORACIC_SLOUCH
                state, faults, score = (POOR, (fault,), 45.0) if poor else (GOOD, (), 88.0)
            deviations = {"head_drop_pct": 15.0} if faults == (FORWARD_LEAN,) else \
                {"shoulder_drop_pct": 9.0} if faults else {}
            store.add_sample(sid, Reading(t_s=0, state=state, score=score, faults=faults, deviations=deviations), t)
            if t % 720 == 0:
                cycle += 1
            if state == POOR and t % 900 == 0:
                store.add_event(sid, Event(kind=EV_WARNING, t_s=0, fault=faults[0]), t)
            t += 2.0
        store.end_session(sid, end)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    db = tmp_path_factory.mktemp("render-db") / "posture.sqlite3"
    with Store.open(db) as store:
        _write_day(store, DAY - timedelta(days=2), [(9, 12), (13, 17)], poor_every=3, profile="desk")
        _write_day(store, DAY - timedelta(days=1), [(10, 12)], poor_every=2, profile="desk")
        _write_day(store, DAY, [(8, 12), (13, 17)], poor_every=2, profile="desk")
    r = load_report(DAY, 1, TZ, ReportConfig(), db_path=db)
    assert r.has_data and r.monitored_s == pytest.approx(8 * 3600, abs=4)
    return r


@pytest.fixture(scope="module")
def page(report, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("render-html") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def chromium(tmp: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.fail("headless Chromium is missing: run scripts/install-system-deps.sh (apt-get install chromium)")
    profile = tmp / f"chromium-profile-{uuid.uuid4().hex}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    shutil.rmtree(profile, ignore_errors=True)
    return proc


def screenshot(tmp: Path, page: Path, width: int, height: int, name: str) -> np.ndarray:
    png = tmp / name
    proc = chromium(tmp, f"--screenshot={png}", f"--window-size={width},{height}", page.as_uri())
    assert png.exists(), proc.stderr[-2000:]
    image = np.asarray(Image.open(png).convert("RGB"))
    assert image.shape[:2] == (height, width)
    return image


def pixels_near(image: np.ndarray, hex_color: str, tolerance: int = 12) -> int:
    rgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image.astype(int) - rgb).max(axis=2) <= tolerance).sum())


@pytest.mark.parametrize("width,height", [(1280, 2000), (390, 2400)], ids=["desktop", "phone"])
def test_screenshot_is_not_blank_and_shows_the_charts(page, tmp_path, width, height):
    image = screenshot(tmp_path, page, width, height, f"report-{width}.png")
    grey = image.mean(axis=2)
    assert grey.std() > 20, "the page looks blank"
    assert (grey < 80).sum() > 2000, "no dark text on the page"
    # The timeline and the bars are drawn in the state colours.
    assert pixels_near(image, COLORS["good"]) > 1500
    assert pixels_near(image, COLORS["poor"]) > 500
    # Nothing is wider than the window (no sideways scrolling on a phone): the right edge is background.
    edge = image[:, -3:, :].reshape(-1, 3)
    assert (np.abs(edge.astype(int) - edge[0].astype(int)).max(axis=1) < 10).mean() > 0.98


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svg_stack: list[str] = []
        self.shapes: dict[str, int] = {}
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "svg":
            self.svg_stack.append(a.get("id") or "")
            self.shapes.setdefault(self.svg_stack[-1], 0)
        elif self.svg_stack and tag in ("path", "rect", "use"):
            self.shapes[self.svg_stack[-1]] += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self.svg_stack.pop()

    def handle_endtag(self, tag):
        if tag == "svg" and self.svg_stack:
            self.svg_stack.pop()


def test_rendered_dom_has_the_charts_and_the_words(page, report, tmp_path):
    proc = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = _Dom()
    dom.feed(proc.stdout)
    for chart in ("chart-timeline", "chart-timeline-compact", "chart-hours", "chart-trend"):
        assert dom.shapes.get(chart, 0) >= 10, (chart, dom.shapes)
    for section in ("summary", "timeline", "hours", "fatigue", "trend", "faults", "tips", "disclaimer"):
        assert section in dom.ids, section
    text = re.sub(r"<[^>]+>", " ", proc.stdout)
    assert "not medical advice" in text
    assert "8 h 00 min" in text
    assert report.tips[0].split(":")[0][:30] in text


def test_html_fetches_nothing_by_construction(page):
    html = page.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<(script|link|iframe|object|embed|img|video|audio|source)\b", html, re.I)
    assert not re.search(r"\ssrc\s*=", html, re.I)
    assert "@import" not in html
    assert all(h.startswith("#") for h in re.findall(r'href\s*=\s*"([^"]*)"', html))
    assert all(u.startswith("#") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", html))
    assert f'content="{CSP}"' in html and "default-src 'none'" in CSP
    assert 'name="viewport"' in html and "@media print" in html and "@media (max-width" in html


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page asked the network stack for (Chromium's own service requests have no origin)."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for ev in data["events"]:
        params = ev.get("params") or {}
        if names.get(ev["type"]) == "URL_REQUEST_START_JOB" and params.get("initiator", "not an origin") != "not an origin":
            urls.append(params.get("url", "?"))
    return urls


def test_chromium_sees_no_network_request_even_without_the_csp(page, tmp_path):
    # The CSP would block a stray fetch; take it out so the page's own content is what is tested.
    bare = tmp_path / "bare.html"
    bare.write_text(page.read_text(encoding="utf-8").replace(CSP, ""), encoding="utf-8")
    control = tmp_path / "control.html"
    control.write_text('<html><body><img src="http://127.0.0.1:9/x.png"></body></html>', encoding="utf-8")
    found = {}
    for name, target in (("report", bare), ("control", control)):
        log = tmp_path / f"{name}.netlog.json"
        proc = chromium(tmp_path, f"--log-net-log={log}", "--dump-dom", target.as_uri())
        assert log.exists(), proc.stderr[-2000:]
        found[name] = _page_requests(log)
    assert any("127.0.0.1:9" in u for u in found["control"]), "the net-log check would not see a fetch"
    assert found["report"] == []


def test_empty_day_page_says_so(tmp_path):
    html = render_html(build_report([], [], [], day=DAY, tz=TZ))
    assert 'id="no-data"' in html and "No posture data on Wednesday 14 May 2025" in html
    assert "<svg" not in html and "not medical advice" in html
