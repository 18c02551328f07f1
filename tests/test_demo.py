"""`posture-watch demo` (what `make demo` runs), end to end as a new user sees it."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli, sample


@pytest.mark.slow
def test_demo_replays_warns_breaks_reports_and_keeps_out_of_real_history(private_home):
    sample("desk_session.mp4")
    proc = run_cli("demo", "--speed", "400", "--no-notify", timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = proc.stdout
    assert out.count("Warning: Head forward") == 1
    assert "Break: away from the desk" in out
    assert "not medical advice" in " ".join(out.split())  # rich wraps lines at 80 columns
    html_line = [line for line in out.splitlines() if line.startswith("HTML report: ")]
    assert len(html_line) == 1
    demo_home = private_home / "data" / "demo"
    assert html_line[0].split(": ", 1)[1].startswith(str(demo_home))
    assert (demo_home / "data" / "posture.sqlite3").exists()
    assert not (private_home / "data" / "posture.sqlite3").exists()  # the user's own history is untouched
