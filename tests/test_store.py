"""The posture database against a real SQLite file: schema, privacy, batching, refusals, migrations."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from posture_watch.io import paths, store as store_mod
from posture_watch.core.domain import EV_BREAK, EV_WARNING, Event, Reading
from posture_watch.core.errors import StoreError
from posture_watch.io.store import SCHEMA_VERSION, Store


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reading(t: float, state: str = "poor") -> Reading:
    return Reading(t_s=t, state=state, score=42.25 if state != "away" else None,
                   faults=("forward_lean", "thoracic_slouch") if state == "poor" else (),
                   deviations={"head_forward_deg": 12.345} if state == "poor" else {},
                   metrics={"head_drop_ratio": 0.61234567, "face_width_frac": 0.2, "cva_deg": None})


def test_new_database_is_private_wal_and_versioned(tmp_path: Path) -> None:
    db = tmp_path / "data" / "posture.sqlite3"
    with Store.open(db) as st:
        sid = st.start_session(1000.0, "video x.mp4 at 20x", "desk", "/p/desk.json")
        st.add_sample(sid, _reading(0.0), 1000.0)
        st.flush()
        for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert p.exists(), p
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, (p, oct(p.stat().st_mode))
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta == {"app": "posture-watch", "schema_version": str(SCHEMA_VERSION)}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_default_path_is_under_posture_watch_home(private_home: Path) -> None:
    with Store.open() as st:
        assert st.path == paths.database_path()
    assert paths.database_path().is_relative_to(private_home)
    assert paths.database_path().exists()


def test_rows_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite3"
    with Store.open(db) as st:
        sid = st.start_session(1000.0, "camera 0", "desk", "/p/desk.json")
        st.add_sample(sid, _reading(0.0, "good"), 1000.0)
        st.add_sample(sid, _reading(1.0, "poor"), 1001.0)
        st.add_sample(sid, _reading(2.0, "away"), 1002.0)
        st.add_event(sid, Event(kind=EV_WARNING, t_s=1001.5, fault="forward_lean", duration_s=240.0, window_s=300.0,
                                deviation={"head_forward_deg": 11.0}, level=1), 1001.5)
        st.add_event(sid, Event(kind=EV_BREAK, t_s=1002.0, duration_s=360.0), 1002.0)
        st.end_session(sid, 1003.0)
    with Store.open(db, readonly=True) as ro:
        samples = ro.samples_between(1000.0, 1002.0)  # end is exclusive
        assert [(s.t, s.state) for s in samples] == [(1000.0, "good"), (1001.0, "poor")]
        poor = samples[1]
        assert poor.faults == ("forward_lean", "thoracic_slouch")
        assert poor.score == 42.2 or poor.score == 42.3
        assert poor.deviations == {"head_forward_deg": 12.35}
        # only key metrics, no None values, rounded
        assert poor.metrics == {"head_drop_ratio": 0.6123}
        away = ro.samples_between(1002.0, 1003.0)[0]
        assert away.score is None and away.faults == ()
        events = ro.events_between(0, 2000)
        assert [(e.kind, e.fault, e.duration_s, e.window_s, e.level) for e in events] == [
            ("warning", "forward_lean", 240.0, 300.0, 1), ("break", None, 360.0, None, 1)]
        assert events[0].deviation == {"head_forward_deg": 11.0}
        (session,) = ro.sessions_between(1002.5, 1010.0)
        assert (session.id, session.started_at, session.ended_at, session.source, session.profile_name) == (
            sid, 1000.0, 1003.0, "camera 0", "desk")
        assert ro.sessions_between(1003.5, 1010.0) == []
        assert ro.integrity_check() == "ok"


def test_samples_are_batched_by_wall_time(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite3"
    clock = FakeClock()
    st = Store.open(db, flush_every_s=2.0, clock=clock)
    sid = st.start_session(1000.0, "camera 0")
    reader = sqlite3.connect(db)

    def stored() -> int:
        return reader.execute("SELECT COUNT(*) FROM samples").fetchone()[0]

    for i in range(5):
        clock.t += 0.3
        st.add_sample(sid, _reading(i), 1000.0 + i)
    assert stored() == 0  # 1.5 s of wall time: still in memory
    clock.t += 0.6
    st.add_sample(sid, _reading(5), 1005.0)
    assert stored() == 6  # 2.1 s: written in one transaction
    st.add_sample(sid, _reading(6), 1006.0)
    assert stored() == 6
    st.add_event(sid, Event(kind=EV_BREAK, t_s=1006.5, duration_s=300.0), 1006.5)
    assert stored() == 7  # an event writes what came before it, at once
    st.add_sample(sid, _reading(7), 1007.0)
    st.close()
    assert stored() == 8  # close flushes


def _refused(db: Path, *words: str) -> str:
    before = _digest(db)
    with pytest.raises(StoreError) as info:
        Store.open(db)
    message = str(info.value)
    assert "\n" not in message and message.endswith((".", ")")), message
    for word in words:
        assert word in message, message
    assert _digest(db) == before, "a refused database must not be touched"
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    return message


def test_text_file_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "posture.sqlite3"
    db.write_text("these are my notes, not a database\n" * 50)
    _refused(db, "not an SQLite file")


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "posture.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.executemany("INSERT INTO contacts VALUES (?, ?)", [("Ann", "123"), ("Bo", "456")])
    conn.commit()
    conn.close()
    _refused(db, "not a posture-watch database")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 2
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_other_app_meta_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "posture.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('app', 'someone-else')")
    conn.commit()
    conn.close()
    _refused(db, "another program")


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as st:
        sid = st.start_session(1.0, "camera 0")
        st.add_sample(sid, _reading(0), 1.0)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    _refused(db, "newer posture-watch", "upgrade")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 1


def test_damaged_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as st:
        sid = st.start_session(1.0, "camera 0")
        for i in range(2000):
            st.add_sample(sid, _reading(i), 1.0 + i)
    data = bytearray(db.read_bytes())
    # keep the 100-byte header, overwrite the schema page and everything after it with noise
    noise = hashlib.sha256(b"noise").digest() * (len(data) // 32 + 1)
    data[100:] = noise[: len(data) - 100]
    db.write_bytes(bytes(data))
    _refused(db, "damaged", "move it away")


def test_readonly_open_of_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no posture database yet"):
        Store.open(tmp_path / "nothing.sqlite3", readonly=True)
    assert not (tmp_path / "nothing.sqlite3").exists()


def test_reader_sees_flushed_rows_while_writer_runs_and_after(tmp_path: Path) -> None:
    db = tmp_path / "posture.sqlite3"
    writer = Store.open(db)
    sid = writer.start_session(1.0, "camera 0")
    writer.add_sample(sid, _reading(0), 1.0)
    writer.flush()
    with Store.open(db, readonly=True) as ro:
        assert len(ro.samples_between(0, 10)) == 1
        with pytest.raises(StoreError):
            ro.add_event(sid, Event(kind=EV_BREAK, t_s=2.0), 2.0)
    writer.close()
    assert not Path(f"{db}-wal").exists()  # last writer checkpointed
    with Store.open(db, readonly=True) as ro:
        assert len(ro.samples_between(0, 10)) == 1


NEXT = store_mod.SCHEMA_VERSION + 1   # a future schema


def test_migration_keeps_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as st:
        sid = st.start_session(1.0, "camera 0")
        st.add_sample(sid, _reading(0), 1.0)
    migrations = dict(store_mod.MIGRATIONS)
    migrations[NEXT] = ("CREATE TABLE notes (t REAL, text TEXT)",)
    monkeypatch.setattr(store_mod, "MIGRATIONS", migrations)
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", NEXT)
    with Store.open(db) as st:
        assert len(st.samples_between(0, 10)) == 1
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == NEXT
    assert dict(conn.execute("SELECT key, value FROM meta"))["schema_version"] == str(NEXT)
    assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0


def test_failed_migration_leaves_old_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "posture.sqlite3"
    with Store.open(db) as st:
        sid = st.start_session(1.0, "camera 0")
        st.add_sample(sid, _reading(0), 1.0)
    migrations = dict(store_mod.MIGRATIONS)
    migrations[NEXT] = ("CREATE TABLE notes (t REAL)", "THIS IS NOT SQL")
    monkeypatch.setattr(store_mod, "MIGRATIONS", migrations)
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", NEXT)
    with pytest.raises(StoreError):
        Store.open(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == NEXT - 1
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name='notes'").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 1
