"""The background use: `posture-watch run`, `analyze`, `demo` and `break` (routine.py: the guided routine,
which tells the running monitor over the control socket).

loop.py (the Monitor) moves values between a frame source, the pose estimator, the judge, the engine and
the sinks; runner.py builds those parts for `run` and tears them down; analyze.py judges a recorded source
into JSON lines; demo.py replays the sample session (and then shows the report); terminal.py is what
`run` prints; ports.py types what the loop needs from each collaborator (Protocols); loop_types.py,
alert_hold.py and view_watch.py are the loop's small helpers. The camera's health and the engine the
loop drives are pure state machines in core (camera_health.py, engine.py).

May import: `posture_watch.core` and `posture_watch.io` (and the demo: the report's command), never
calibration, report or admin. Start reading at runner.py (`cmd_run`), then loop.py.
"""
