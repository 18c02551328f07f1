from posture_watch.cli import entry

raise SystemExit(entry())
