"""Database faults: locked by another process (at start: one sentence, nothing lost; during a run: the
monitor goes on and writes everything once the lock is gone), damaged (one sentence, the file left as
it was), and a full disk while writing, twice: a real 4 MiB tmpfs filled to ENOSPC (needs root to mount,
as CI has), and RLIMIT_FSIZE in a child process (runs anywhere). Either way the monitor keeps running,
warns once, and writes everything when space returns."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, assert_one_sentence_error, run_cli, sample
from fault_rig import Rig, Scripted, clip_pictures, looped, sample_profile
from posture_watch.core.domain import Event, Reading
from posture_watch.io.store import Store


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return sample_profile(tmp_path_factory)


def _db_with_rows(path: Path, n: int = 2000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(path, flush_every_s=0.0) as st:
        sid = st.start_session(1_000_000.0, "earlier session")
        for i in range(n):
            st.add_sample(sid, Reading(t_s=float(i), state="good" if i % 7 else "poor", score=80.0,
                                       metrics={"head_drop_ratio": 0.6}), 1_000_000.0 + i)
        st.add_event(sid, Event(kind="warning", t_s=1_001_000.0, fault="forward_lean"), 1_001_000.0)
        st.end_session(sid, 1_000_000.0 + n)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT session_id, t, state, score FROM samples ORDER BY id").fetchall()
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


class Locker:
    """Another process holding the database's write lock until `release()`."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.communicate("\n", timeout=30)


def test_locked_at_start_is_one_sentence_and_loses_nothing(private_home, profile):
    db = private_home / "data" / "posture.sqlite3"
    _db_with_rows(db)
    before = _rows(db)
    locker = Locker(db)
    try:
        proc = run_cli("run", "--source", str(sample("empty_room.mp4")), "--speed", "1000", "--profile", str(profile),
                       "--no-notify", "--into-history")
    finally:
        locker.release()
    line = assert_one_sentence_error(proc)
    assert "locked by another program" in line
    assert _rows(db) == before
    # once the other program lets go, the monitor starts and adds its session to the same file
    proc = run_cli("run", "--source", str(sample("empty_room.mp4")), "--speed", "1000", "--profile", str(profile),
                   "--no-notify", "--into-history")
    assert proc.returncode == 0, proc.stderr
    after = _rows(db)
    assert after[: len(before)] == before and len(after) > len(before)


def test_locked_during_a_run_is_survived_and_everything_written(tmp_path, profile, model_path, caplog):
    pictures = clip_pictures("calibration.mp4", 0.0, 6.0)
    db = tmp_path / "posture.sqlite3"
    _db_with_rows(db, 50)
    before = _rows(db)
    lock: dict = {}

    def picture(t: float):
        if t >= 10.0 and "locker" not in lock:
            lock["locker"] = Locker(db)       # another program takes the lock ...
        if t >= 40.0 and "locker" in lock:
            lock["locker"].release()          # ... and lets go 30 s of session later
        return pictures[int(t * 10) % len(pictures)]

    store = Store.open(db, flush_every_s=0.2)
    store.retry_s = 0.5
    rig = Rig(Scripted(picture, until_s=60.0), tmp_path, profile, model_path, store=store)
    try:
        with caplog.at_level(logging.WARNING, logger="posture_watch.monitor.loop"):
            summary = rig.run()
    finally:
        if "locker" in lock:
            lock["locker"].release()
    assert summary.reason == "end of source"
    warned = [r.getMessage() for r in caplog.records if "locked by another program" in r.getMessage()]
    assert len(warned) == 1 and "Monitoring goes on" in warned[0]
    assert any("can be written again" in r.getMessage() for r in caplog.records)
    rows = _rows(db)
    assert rows[: len(before)] == before
    assert len(rows) - len(before) == summary.samples  # every sample, including those taken while locked
    times = [t - summary.started_at for _, t, _, _ in rows[len(before):]]
    assert any(10.0 < t < 40.0 for t in times)
    kinds = [k for (k,) in sqlite3.connect(db).execute("SELECT kind FROM events WHERE session_id = ?",
                                                        (summary.session_id,))]
    assert kinds[0] == "session_start" and kinds[-1] == "session_end"


def _corrupt(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    rnd = random.Random(7)
    if how == "header":
        data[16:18] = b"\x00\x07"                      # an impossible page size
    elif how == "schema":
        data[100:4096] = bytes(rnd.randrange(256) for _ in range(3996))
    elif how == "truncated":
        del data[len(data) // 2:]
    elif how == "rows":
        mid = len(data) // 2
        data[mid:mid + 4096] = bytes(rnd.randrange(256) for _ in range(4096))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["header", "schema", "truncated"])
def test_damaged_database_is_one_sentence_and_left_as_it_is(private_home, profile, how):
    db = private_home / "data" / "posture.sqlite3"
    _db_with_rows(db)
    _corrupt(db, how)
    digest = _digest(db)
    line = assert_one_sentence_error(run_cli("run", "--source", str(sample("empty_room.mp4")), "--speed", "1000",
                                             "--profile", str(profile), "--no-notify", "--into-history"))
    assert "damaged" in line and "move it away" in line
    line = assert_one_sentence_error(run_cli("report"))
    assert "damaged" in line
    assert _digest(db) == digest
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_damage_inside_the_rows_is_said_and_the_rest_kept(private_home, profile):
    """Damage that SQLite only meets when it reaches those rows: the run says so in one sentence (at the
    latest when it ends) and never rewrites what was there."""
    db = private_home / "data" / "posture.sqlite3"
    _db_with_rows(db)
    conn = sqlite3.connect(db)
    sessions_before = conn.execute("SELECT * FROM sessions").fetchall()
    events_before = conn.execute("SELECT * FROM events").fetchall()
    conn.close()
    _corrupt(db, "rows")
    proc = run_cli("run", "--source", str(sample("empty_room.mp4")), "--speed", "1000", "--profile", str(profile),
                   "--no-notify", "--into-history")
    assert "Traceback" not in proc.stderr
    if proc.returncode != 0:
        assert "damaged" in assert_one_sentence_error(proc)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT * FROM sessions").fetchall()[: len(sessions_before)] == sessions_before
    assert conn.execute("SELECT * FROM events").fetchall()[: len(events_before)] == events_before
    conn.close()


DISK_FULL_CHILD = """
import json, logging, resource, signal, sys, time
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from fault_rig import Rig, Scripted, clip_pictures
from posture_watch.io.store import Store
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # a write past the limit fails with EFBIG instead
logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(message)s")
tmp, profile, model = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
db = tmp / "posture.sqlite3"
pictures = clip_pictures("calibration.mp4", 0.0, 6.0)
full = {}

def picture(t):
    if t >= 10.0 and "from" not in full:           # the disk fills up: no file may grow any more
        limit = max(p.stat().st_size for p in tmp.glob("posture.sqlite3*"))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
        full["from"] = t
    if t >= 40.0 and "to" not in full:             # space returns
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        full["to"] = t
    return pictures[int(t * 10) % len(pictures)]

store = Store.open(db, flush_every_s=0.2)
store.retry_s = 0.5
rig = Rig(Scripted(picture, until_s=60.0), tmp, profile, model, store=store)
summary = rig.run()
print(json.dumps({"samples": summary.samples, "session": summary.session_id, "started": summary.started_at,
                  "reason": summary.reason, "full": full}))
"""


@pytest.mark.slow
def test_disk_full_while_writing_warns_once_and_writes_everything_later(tmp_path, profile, model_path):
    proc = subprocess.run([sys.executable, "-c", DISK_FULL_CHILD, str(ROOT), str(tmp_path), str(profile),
                           str(model_path)], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["reason"] == "end of source" and set(result["full"]) == {"from", "to"}
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("WARNING")]
    failed = [w for w in warnings if "could not be written" in w or "is full" in w]
    assert len(failed) == 1 and "Monitoring goes on" in failed[0], warnings
    _assert_survived_a_full_disk(tmp_path / "posture.sqlite3", warnings, result["session"], result["started"],
                                 result["samples"], result["full"], min_kept=1)


def _assert_survived_a_full_disk(db: Path, warnings: list[str], session_id: int, started_at: float, samples: int,
                                 full: dict, min_kept: int) -> None:
    """Space returned was said once; the file is intact and holds every sample of the session, at least
    `min_kept` of them from the time the disk was full (kept in memory, written later), and both ends of it."""
    assert sum("can be written again" in w for w in warnings) == 1, warnings
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        times = [t - started_at for (t,) in conn.execute("SELECT t FROM samples WHERE session_id = ?", (session_id,))]
        kinds = [k for (k,) in conn.execute("SELECT kind FROM events WHERE session_id = ? ORDER BY t, id",
                                            (session_id,))]
    finally:
        conn.close()
    assert len(times) == samples                                            # nothing lost
    assert sum(full["from"] < t < full["to"] for t in times) >= min_kept    # kept in memory, written later
    assert kinds[0] == "session_start" and kinds[-1] == "session_end"


def test_no_space_at_all_at_start_is_one_sentence(private_home, profile):
    def no_space() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))

    proc = subprocess.run([sys.executable, "-m", "posture_watch", "run", "--source", str(sample("empty_room.mp4")),
                           "--speed", "1000", "--profile", str(profile), "--no-notify"], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, preexec_fn=no_space, env=dict(os.environ))
    line = assert_one_sentence_error(proc)
    assert "posture database" in line and ("full" in line or "could not be written" in line or
                                           "cannot be written" in line), line


@pytest.fixture
def small_filesystem(tmp_path):
    """A real 4 MiB file system (tmpfs) mounted for this test: the database's disk, made to fill up.
    Mounting needs root (CI and the sessions run as root); elsewhere the RLIMIT_FSIZE test above covers it."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Write a filler file until the file system says it is full (ENOSPC); the filler is returned."""
    import errno

    filler = folder / "filler.bin"
    chunk = b"\0" * 4096
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


@pytest.mark.slow
def test_a_real_full_file_system_is_survived_and_everything_written_later(small_filesystem, tmp_path, profile,
                                                                          model_path, caplog):
    """The database on a real 4 MiB file system that fills up (ENOSPC from the kernel, not a seam) at 10 s
    of the session and gets its space back at 40 s: the monitor goes on, warns once, and every sample
    of the session is in the database at the end, with an intact file."""
    db = small_filesystem / "posture.sqlite3"
    pictures = clip_pictures("calibration.mp4", 0.0, 6.0)
    full: dict[str, float] = {}

    def picture(t: float):
        if t >= 10.0 and "from" not in full:
            full["from"], full["filler"] = t, _fill(small_filesystem)
        if t >= 40.0 and "to" not in full:
            full["filler"].unlink()
            full["to"] = t
        return pictures[int(t * 10) % len(pictures)]

    store = Store.open(db, flush_every_s=0.2)
    store.retry_s = 0.5
    rig = Rig(Scripted(picture, until_s=60.0), small_filesystem, profile, model_path, store=store)
    with caplog.at_level(logging.WARNING):
        summary = rig.run()
    assert summary.reason == "end of source" and {"from", "to"} <= set(full)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    failed = [w for w in warnings if "Monitoring goes on" in w]
    assert len(failed) == 1 and "full" in failed[0], warnings
    _assert_survived_a_full_disk(db, warnings, summary.session_id, summary.started_at, summary.samples, full,
                                 min_kept=11)


def _fill_leaving(folder: Path, free_kib: int) -> None:
    """Fill the file system, then give back `free_kib` KiB: a disk that is (almost) full."""
    filler = _fill(folder)
    with open(filler, "r+b") as f:
        f.truncate(max(0, filler.stat().st_size - free_kib * 1024))


def _run_on(home: Path, profile: Path, clip: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "posture_watch", "run", "--source", str(sample(clip)), "--speed",
                           "1000", "--profile", str(profile), "--no-notify", "--into-history"], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=dict(os.environ, POSTURE_WATCH_HOME=str(home)))


@pytest.mark.parametrize("free_kib", [0, 36])
def test_a_full_disk_at_start_up_is_called_full(small_filesystem, profile, free_kib):
    """A real full file system (nothing left, or a few pages): the sentence says the disk is full, not
    'disk I/O error' nor a damaged database."""
    home = small_filesystem / "home"
    home.mkdir(mode=0o700)
    _fill_leaving(small_filesystem, free_kib)
    line = assert_one_sentence_error(_run_on(home, profile, "empty_room.mp4"))
    assert "is full" in line and "I/O" not in line and "damaged" not in line, line


def test_samples_lost_to_a_full_disk_at_the_end_are_counted_and_said(small_filesystem, profile):
    """A disk with room to start but not for the whole session: the stop line counts the samples that could
    not be saved (not 'the data is saved'), one sentence says why (exit 2), and the count is exact."""
    home = small_filesystem / "home"
    found = False
    for free_kib in (64, 96, 128, 160, 192, 256):
        shutil.rmtree(home, ignore_errors=True)
        for leftover in small_filesystem.glob("filler.bin"):
            leftover.unlink()
        home.mkdir(mode=0o700)
        _fill_leaving(small_filesystem, free_kib)
        proc = _run_on(home, profile, "grace_desk.mp4")
        stop = [line for line in proc.stdout.splitlines() if line.startswith("posture-watch: stopped")]
        if not stop:   # not even room to start: said as a full disk
            assert "is full" in assert_one_sentence_error(proc)
            continue
        samples = int(re.search(r"and (\d+) samples", stop[0]).group(1))
        conn = sqlite3.connect(home / "data" / "posture.sqlite3")
        try:
            stored = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
        finally:
            conn.close()
        if proc.returncode == 0:
            assert "the data is saved" in stop[0] and stored == samples
            continue
        lost = int(re.search(r"; (\d+) of them could not be saved\.$", stop[0]).group(1))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        line = proc.stderr.strip().splitlines()[-1]   # after the warning said when the disk filled up
        assert line.startswith(f"posture-watch: {lost} samples of this session could not be saved: ") and "full" in line
        assert stored + lost == samples and lost > 0
        found = True
        break
    assert found, "no free space between 64 and 256 KiB let the session start and then filled up"
