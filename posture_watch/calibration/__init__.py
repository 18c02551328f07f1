"""The calibration use: `posture-watch calibrate`, the wizard and the scripted capture.

wizard.py runs the guided set-up through one step engine (steps.py) in a preview window (preview.py) or in
the terminal (terminal.py); calibrate.py turns an upright capture into a Profile (the non-interactive
path); capture_checks.py and setup_checks.py are the checks every capture passes; summary.py and
summary_image.py say what was measured, in words and as a picture; check.py is `calibrate --check`.

May import: `posture_watch.core` and `posture_watch.io`, never monitor, report or admin.
Start reading at wizard.py (`cmd_calibrate`), then steps.py.
"""
