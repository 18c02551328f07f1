"""The report use: `posture-watch report` -- a day's posture in a terminal, as HTML, JSON or CSV.

command.py reads the stored rows and picks the output; the numbers and words come from the core
(day_report, report_intervals, report_words); terminal.py, html_page.py (with charts.py and
asymmetry_card.py, the "Left and right" card) and export.py only render them.

May import: `posture_watch.core` and `posture_watch.io`, never monitor, calibration or admin.
Start reading at command.py (`cmd_report`).
"""
