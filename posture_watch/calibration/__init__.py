"""The calibration use: `posture-watch calibrate`, the wizard and the scripted capture.

wizard.py (`cmd_calibrate`) runs the guided set-up through one step engine (steps.py) in a preview
window (preview.py) or in the terminal (terminal.py), and hands `--non-interactive` to scripted.py and
`--check` to check.py. calibrate.py captures and turns an upright capture into a Profile (it imports
no other calibration module); capture_checks.py and setup_checks.py are the checks every capture
passes; summary.py and summary_image.py say what was measured, in words and as a picture.

May import: `posture_watch.core` and `posture_watch.io`, never monitor, report or admin.
Start reading at wizard.py (`cmd_calibrate`), then steps.py.
"""
