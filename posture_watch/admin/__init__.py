"""The housekeeping use: `config`, `model`, `data`, `profiles`, `sessions` and `doctor`.

Thin command handlers over `posture_watch.io` (config_cli, model_cli, profiles_cli, sessions_cli,
doctor); none of them watches posture.

May import: `posture_watch.core` and `posture_watch.io`, never monitor, calibration or report.
"""
