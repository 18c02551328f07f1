"""CPU of the monitor at real time: `posture-watch run --source CLIP --speed 1` as a user runs it.

    python benchmarks/monitor_cpu.py                      # 120 s window of the desk session
    python benchmarks/monitor_cpu.py --seconds 460        # the whole 444 s clip

Method: start the monitor in a subprocess with a private POSTURE_WATCH_HOME; once it has written
its first sample (model loaded, loop running), read the process's user+system CPU time from
/proc/PID/stat, wait `--seconds` of wall time, read it again, then SIGTERM. The figure is
CPU seconds / wall seconds of that window (1.0 = one core busy). Startup (model load) is
reported separately. The number of analysed samples in the window comes from the --jsonl file,
so ms of CPU per sample is also given. Numbers, not pass/fail. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15 of stat)


def jsonl_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", default=str(ROOT / "sample_videos" / "desk_session.mp4"))
    p.add_argument("--profile", default=str(ROOT / "calibration" / "sample_profile.json"))
    p.add_argument("--seconds", type=float, default=120.0, help="wall seconds to measure")
    p.add_argument("--speed", type=float, default=1.0)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "run.jsonl"
        env = dict(os.environ, POSTURE_WATCH_HOME=home)
        t_start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "posture_watch", "run", "--source", args.source,
                                 "--speed", str(args.speed), "--profile", args.profile, "--no-notify",
                                 "--jsonl", str(out)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        while not jsonl_lines(out):
            if proc.poll() is not None:
                print(proc.stderr.read(), file=sys.stderr)
                return 1
            time.sleep(0.05)
        startup_wall = time.monotonic() - t_start
        startup_cpu = cpu_s(proc.pid)
        n0 = len(jsonl_lines(out))
        c0, w0 = cpu_s(proc.pid), time.monotonic()
        while time.monotonic() - w0 < args.seconds and proc.poll() is None:
            time.sleep(0.5)
            try:
                c1, w1 = cpu_s(proc.pid), time.monotonic()
            except (FileNotFoundError, ProcessLookupError):
                break
        n1 = len(jsonl_lines(out))
        lines = jsonl_lines(out)
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    window_s = w1 - w0
    samples = n1 - n0
    result = {
        "method": "user+system CPU s of the `run` process / wall s, between its first sample and +--seconds",
        "source": args.source, "speed": args.speed, "window_wall_s": round(window_s, 1),
        "window_cpu_s": round(c1 - c0, 2), "cpu_share_of_one_core": round((c1 - c0) / window_s, 4),
        "samples_in_window": samples, "samples_per_s": round(samples / window_s, 2),
        "cpu_ms_per_sample": round(1000 * (c1 - c0) / max(samples, 1), 1),
        "source_t_covered": [lines[n0 - 1]["t"] if n0 else 0.0, lines[n1 - 1]["t"] if n1 else 0.0],
        "startup_wall_s": round(startup_wall, 1), "startup_cpu_s": round(startup_cpu, 2),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    print(f"monitor at {args.speed:g}x: {100 * result['cpu_share_of_one_core']:.1f}% of one core over "
          f"{window_s:.0f} s ({samples} samples, {result['cpu_ms_per_sample']} ms CPU each)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
