"""The core: pure values in, values out -- the posture domain and every decision about it.

Landmarks -> measures (geometry) -> deviations from the calibrated baseline (deviation, with its table and tolerances in
deviation_table, what a deviation forgives in deviation_confounds, the slump's signs in deviation_slump) -> a judged
Reading (judge, judge_config) -> events (engine: engine_state, engine_window, engine_config, breaks
brought forward by fatigue in engine_fatigue, the break routine's pause in engine_breaks); the
camera's health, another such state machine (camera_health, with the monitor's settings in
monitor_config); how often to look (sampling); the profile's values and whether it still fits (profile, profile_fit); what is said
(messages, fault_words); the day's report as numbers and words (day_report, report_intervals,
report_words), with its left and right (asymmetry, asymmetry_words) and what the breaks did (break_effect);
the break routine as data (routine); the sample clips' ground truth (labels); the errors a user can cause (errors).

May import: the standard library, numpy, and other `posture_watch.core` modules only -- no files, no
camera, no clock of its own (tests/test_architecture.py checks it).
Start reading at domain.py (the values that flow), then judge.py and engine.py.
"""
