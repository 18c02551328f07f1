"""The report as one self-contained HTML page: inline CSS and SVG, nothing fetched.

`render_html(report) -> str`. The page makes no network request: no scripts, no external
fonts, styles or images, and a Content-Security-Policy that forbids loading anything. It reads
on a phone (one column, a compact timeline) and prints (no shadows, no page breaks inside a card).
"""

from __future__ import annotations

from datetime import tzinfo
from html import escape

from posture_watch import __version__
from posture_watch.core import report_words as words
from posture_watch.core.break_effect import effect_words
from posture_watch.core.day_report import DayReport, Stretch
from posture_watch.report.asymmetry_card import card as sides_card
from posture_watch.report.charts import COLORS, hours_svg, timeline_svg, trend_svg

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
:root { --ink:#1f2933; --muted:#6b7785; --line:#e4e8ee; --bg:#f4f6f8; --card:#fff;
  --good:%(good)s; --poor:%(poor)s; --away:%(away)s; --unknown:%(unknown)s; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%%; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.45;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 40px; }
header h1 { font-size: 1.55rem; margin: 0 0 2px; letter-spacing: -0.01em; }
header .sub { color: var(--muted); font-size: .92rem; margin: 0 0 14px; }
.summary { font-size: 1.02rem; margin: 0 0 18px; max-width: 60em; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px;
  margin: 0 0 16px; box-shadow: 0 1px 2px rgba(16,24,40,.04); break-inside: avoid; }
.card h2 { font-size: 1.02rem; margin: 0 0 10px; }
.card p.note { color: var(--muted); font-size: .9rem; margin: 8px 0 0; }
.stats { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; margin: 0 0 16px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 12px 14px; }
.stat .label { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
.stat .value { font-size: 1.6rem; font-weight: 650; margin: 2px 0 0; font-variant-numeric: tabular-nums; }
.stat .value small { font-size: .95rem; font-weight: 500; color: var(--muted); }
.stat .hint { color: var(--muted); font-size: .82rem; }
.stat.good .value { color: var(--good); }
.stat.poor .value { color: var(--poor); }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin: 0 0 16px; }
.grid2 .card { margin: 0; }
svg.chart { width: 100%%; height: auto; display: block; }
.compact { display: none; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: .85rem; color: var(--muted); margin: 8px 0 0; }
.legend span::before { content: ""; display: inline-block; width: 11px; height: 11px; border-radius: 3px;
  margin-right: 6px; vertical-align: -1px; background: var(--c); }
table { width: 100%%; border-collapse: collapse; font-size: .95rem; }
th, td { text-align: left; padding: 8px 6px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { color: var(--muted); font-weight: 550; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.dominant td:first-child { font-weight: 650; }
.bar { height: 8px; background: var(--line); border-radius: 4px; min-width: 60px; overflow: hidden; }
.bar i { display: block; height: 100%%; background: var(--poor); border-radius: 4px; }
ol.tips { margin: 0; padding-left: 1.3em; }
ol.tips li { margin: 0 0 8px; }
.empty { text-align: center; padding: 40px 20px; }
.card h3.sub { font-size: .9rem; color: var(--muted); font-weight: 550; margin: 14px 0 6px; }
#sides-words p { margin: 0 0 6px; }
#sides-tips { margin-top: 12px; }
.empty p { font-size: 1.1rem; max-width: 34em; margin: 0 auto; }
footer { color: var(--muted); font-size: .85rem; margin-top: 22px; border-top: 1px solid var(--line); padding-top: 12px; }
@media (max-width: 760px) {
  .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .grid2 { grid-template-columns: 1fr; }
}
@media (max-width: 560px) {
  main { padding: 16px 12px 28px; }
  header h1 { font-size: 1.3rem; }
  .stat .value { font-size: 1.35rem; }
  .wide { display: none; }
  .compact { display: block; }
  .card { padding: 14px 12px; }
  th.optional, td.optional { display: none; }
  table { font-size: .9rem; }
  th { font-size: .7rem; letter-spacing: .02em; }
  th, td { padding: 7px 4px; }
}
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .card, .stat { box-shadow: none; border-color: #ccc; }
  .wide { display: block !important; }
  .compact { display: none !important; }
  .stats { grid-template-columns: repeat(4, 1fr); }
  .grid2 { grid-template-columns: 1fr 1fr; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""" % COLORS


def _stat(label: str, value: str, hint: str = "", cls: str = "") -> str:
    return (f'<div class="stat {cls}"><div class="label">{escape(label)}</div>'
            f'<div class="value">{value}</div><div class="hint">{escape(hint)}</div></div>')


def _stretch_hint(stretch: Stretch | None, tz: tzinfo, multi_day: bool) -> str:
    if stretch is None:
        return "none"
    return words.clock_span(stretch.start_t, stretch.end_t, tz, weekday=multi_day)


def _stats(r: DayReport, tz: tzinfo) -> str:
    multi = r.days > 1
    score = "-" if r.score is None else f"{r.score:.0f}<small>/100</small>"
    escal = f"+ {r.escalations} follow-ups" if r.escalations else "long poor stretches"
    cards = [
        _stat("Monitored", escape(words.duration(r.monitored_s)), f"{words.duration(r.away_s)} away"),
        _stat("Upright", escape(words.pct(r.upright_share)), "of the judged time", "good"),
        _stat("Score", score, "100 = your baseline, 50 = warning level"),
        _stat("Warnings", str(r.warnings), escal, "poor" if r.warnings else ""),
        _stat("Longest poor stretch", escape(words.duration(r.longest_poor.duration_s if r.longest_poor else 0)),
              _stretch_hint(r.longest_poor, tz, multi), "poor"),
        _stat("Longest upright streak", escape(words.duration(r.longest_upright.duration_s if r.longest_upright else 0)),
              _stretch_hint(r.longest_upright, tz, multi), "good"),
        _stat("Breaks", f"{r.breaks.taken}<small> taken, {r.breaks.due} due</small>",
              f"one per {words.duration(r.breaks.every_s)} at the desk"),
        _stat("Longest without a break", escape(words.duration(r.breaks.longest_sitting_s)),
              f"a break = away {words.duration(r.breaks.min_away_s)} or more"),
    ]
    return f'<section class="stats" aria-label="Numbers">{"".join(cards)}</section>'


def _legend() -> str:
    names = {"good": "Upright", "poor": "Poor posture", "away": "Away", "unknown": "Not judged"}
    spans = "".join(f'<span style="--c:{COLORS[k]}">{v}</span>' for k, v in names.items())
    return f'<div class="legend">{spans}<span style="--c:transparent;">blank: not monitored</span></div>'


def _faults(r: DayReport) -> str:
    rows = []
    for f in sorted(r.faults, key=lambda f: (-f.lead_s, -f.duration_s)):
        share = f.share_of_poor or 0.0
        size = escape(f.size_words) if f.size_words else "-"
        cls = ' class="dominant"' if f.fault == r.dominant_fault else ""
        rows.append(
            f"<tr{cls}><td>{escape(f.label)}</td>"
            f"<td class=\"num\">{escape(words.duration(f.duration_s)) if f.duration_s > 0 else 'none'}</td>"
            f'<td class="optional"><div class="bar" title="{share * 100:.0f} % of poor time">'
            f'<i style="width:{min(share, 1) * 100:.1f}%"></i></div></td>'
            f'<td class="num">{size}</td></tr>')
    return (
        '<section class="card" id="faults"><h2>Fault breakdown</h2><table>'
        '<thead><tr><th>Fault</th><th>Time</th><th class="optional">Share of poor time</th>'
        '<th>Typical size</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
        '<p class="note">Time with each fault (a moment with two faults counts for both; the main fault is '
        'the one most often the most severe) and its typical (median) size against your calibrated baseline '
        'while it lasted.</p></section>'
    )


def _profiles(r: DayReport) -> str:
    if len(r.profiles) < 2:
        return ""
    rows = "".join(
        f"<tr><td>{escape(p.name)}</td><td class=\"num\">{p.sessions}</td>"
        f"<td class=\"num\">{escape(words.duration(p.monitored_s))}</td><td class=\"num\">{escape(words.pct(p.upright_share))}</td></tr>"
        for p in r.profiles)
    return ('<section class="card" id="profiles"><h2>Profiles used</h2><table><thead><tr><th>Profile</th>'
            '<th>Sessions</th><th>Monitored</th><th>Upright</th></tr></thead>'
            f'<tbody>{rows}</tbody></table><p class="note">Each session is judged against the baseline of its '
            'own profile.</p></section>')


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main>{body}</main></body></html>\n"
    )


def render_html(report: DayReport) -> str:
    """One self-contained HTML page for the report."""
    r = report
    tz = r.zone
    header = (f"<header><h1>{escape(r.title)}</h1>"
              f'<p class="sub">posture-watch {escape(__version__)} · times in {escape(r.tz)}'
              f"{' · ' + str(r.sessions) + (' session' if r.sessions == 1 else ' sessions') if r.sessions else ''}</p></header>")
    footer = f'<footer><p id="disclaimer">{escape(r.disclaimer)}</p></footer>'
    if not r.has_data:
        body = (header + f'<section class="card empty" id="no-data"><p>{escape(r.summary)}</p></section>' + footer)
        return _page(r.title, body)

    tips = "".join(f"<li>{escape(t)}</li>" for t in r.tips)
    this = "this day" if r.days == 1 else "the days of this report"
    body = "".join([
        header,
        f'<p class="summary" id="summary">{escape(r.summary)}</p>',
        _stats(r, tz),
        '<section class="card" id="timeline"><h2>Timeline</h2>',
        f'<div class="wide">{timeline_svg(r)}</div><div class="compact">{timeline_svg(r, compact=True)}</div>',
        _legend(), "</section>",
        '<div class="grid2">',
        '<section class="card" id="hours"><h2>Poor posture, hour by hour</h2>', hours_svg(r),
        f'<p class="note" id="fatigue">{escape(r.fatigue.words)}</p>',
        f'<p class="note" id="break-effect">{escape(effect_words(r.break_effects, r.weeks))}</p></section>',
        f'<section class="card" id="trend"><h2>Upright share, last {len(r.trend)} days</h2>', trend_svg(r),
        f'<p class="note">Share of the judged time spent upright each day; the darker bar is {this}, '
        "the dashed line the average of the earlier days.</p></section>",
        "</div>",
        _faults(r),
        sides_card(r),
        _profiles(r),
        f'<section class="card" id="tips"><h2>Tips for tomorrow</h2><ol class="tips">{tips}</ol></section>',
        footer,
    ])
    return _page(r.title, body)
