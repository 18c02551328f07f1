"""`python peak_rss.py REPORT CMD...`: run CMD, pass SIGTERM/SIGINT on to it, and write its peak resident
memory (MB) and exit status as JSON to REPORT.

Why a launcher: on Linux a child's ru_maxrss (from wait4) starts from the resident memory of the
process it was forked from, because exec records the old address space's high-water mark. Started
straight from benchmarks/run.py (which holds clips and results, ~300 MB), every command read as at
least that much. This launcher imports nothing heavy (~10 MB), so the figure is the command's own.
"""

import json
import os
import signal
import subprocess
import sys


def main() -> int:
    report, cmd = sys.argv[1], sys.argv[2:]
    child = subprocess.Popen(cmd)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    with open(report, "w") as fh:
        json.dump({"peak_rss_mb": usage.ru_maxrss / 1024, "exit_code": code}, fh)
    return 0 if code in (0, -signal.SIGTERM) else 1


if __name__ == "__main__":
    raise SystemExit(main())
