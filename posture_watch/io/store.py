"""The posture database: one SQLite file, written by the monitor, read by the report.

Schema v2 (posture_watch/io/store_schema.py): meta, sessions, samples, events. Times are UNIX epoch
seconds (float, UTC). WAL journal, `PRAGMA user_version` and meta.schema_version, migrations.
Writes are batched: samples wait in memory until `flush_every_s` of wall time has passed (a kill -9
loses at most that much), events are written at once. A write that fails (the file locked by another
program, a full disk) keeps its rows in memory (at most `max_pending`) and is tried again after
`retry_s`; the caller decides whether to go on (the monitor does). Files are created with mode 0600 in a 0700
folder. A foreign, newer or damaged file gets one sentence (errors.StoreError) and is never written.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from posture_watch.io import paths
from posture_watch.core.domain import Event, Reading
from posture_watch.core.errors import StoreError
# The rows are re-exported: the report and the tests read them as store.SampleRow and so on.
from posture_watch.io.store_schema import (APP_ID, KEY_METRICS, MIGRATIONS, SCHEMA_VERSION, SQLITE_HEADER,  # noqa: F401
                                           EventRow, SampleRow, SampleState, SessionRow, event_values,
                                           mapping_from_json, sample_values)

log = logging.getLogger(__name__)

def _describe_db_error(path: Path, exc: sqlite3.Error) -> StoreError:
    if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
        raise exc  # our bug, not the file's: keep the traceback
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(f"The posture database {path} is locked by another program; close it and try again.")
    if "full" in text or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or _disk_full(path):
        return StoreError(f"The disk holding the posture database {path} is full; free some space.")
    if "disk i/o" in text.lower():
        return StoreError(f"The posture database {path} could not be written (disk I/O error); check the disk.")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(f"The posture database {path} cannot be written (check its permissions and free disk space).")
    return StoreError(f"The posture database {path} is damaged (SQLite says: {text}); move it away and "
                      "posture-watch will start a new one (the old file is left as it is).")


def _disk_full(path: Path, below_bytes: int = 1 << 20) -> bool:
    """Whether the disk holding `path` has (almost) no space left: SQLite then often reports a full disk as
    an I/O error (creating its journal or WAL) or fails in ways that look like damage."""
    try:
        return shutil.disk_usage(path.parent).free < below_bytes
    except OSError:
        return False


def _create_private_file(path: Path) -> None:
    paths.ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _make_private(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if p.exists() and (p.stat().st_mode & 0o077):
                p.chmod(0o600)
        except OSError:
            pass


class Store:
    """`Store.open()` -> add samples and events for a session -> `close()`; or read rows back.

    One thread at a time (it may be opened in one thread and used in another)."""

    retry_s = 30.0          # after a failed write, wait this long (wall time) before the next try
    max_pending = 100_000   # rows kept in memory while writes fail (about a day of samples); oldest dropped

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool, flush_every_s: float,
                 clock: Callable[[], float]) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly
        self.flush_every_s = flush_every_s
        self._clock = clock
        self._pending_samples: list[tuple[Any, ...]] = []
        self._pending_events: list[tuple[Any, ...]] = []
        self._last_flush = clock()
        self.rows_written = 0
        self.failing = False  # the last write failed; rows wait in memory
        self.rows_dropped = 0
        self._busy_ms = 5000  # sqlite3.connect(timeout=5.0)

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, readonly: bool = False, flush_every_s: float = 2.0,
             clock: Callable[[], float] = time.monotonic) -> "Store":
        path = Path(path) if path is not None else paths.database_path()
        exists = path.exists() and path.stat().st_size > 0
        if path.exists() and not path.is_file():
            raise StoreError(f"The posture database {path} is not a file; move it away.")
        if exists:
            try:
                with open(path, "rb") as fh:
                    header = fh.read(len(SQLITE_HEADER))
            except OSError as exc:
                raise StoreError(f"The posture database {path} cannot be read ({exc.strerror}).") from None
            if header != SQLITE_HEADER:
                raise StoreError(f"{path} is not a posture-watch database (it is not an SQLite file); move it "
                                 "away and posture-watch will start a new one.")
        elif readonly:
            raise StoreError(f"There is no posture database yet at {path}; run `posture-watch run` first.")
        else:
            _create_private_file(path)
        try:
            if readonly:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0,
                                       isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(str(path), timeout=5.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise _describe_db_error(path, exc) from None
        try:
            cls._check_and_migrate(conn, path, readonly)
            if not readonly:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                _make_private(path)
        except StoreError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise _describe_db_error(path, exc) from None
        return cls(conn, path, readonly, flush_every_s, clock)

    @staticmethod
    def _check_and_migrate(conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            version = 0
        else:
            if "meta" not in tables:
                raise StoreError(f"{path} is not a posture-watch database (it holds another program's tables); "
                                 "move it away and posture-watch will start a new one.")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("app") != APP_ID:
                raise StoreError(f"{path} is not a posture-watch database (it belongs to another program); "
                                 "move it away and posture-watch will start a new one.")
            try:
                version = int(meta.get("schema_version", "0"))
            except ValueError:
                raise StoreError(f"The posture database {path} has an unreadable schema version; move it away "
                                 "and posture-watch will start a new one.") from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"The posture database {path} was written by a newer posture-watch (schema "
                             f"{version}, this one reads {SCHEMA_VERSION}); upgrade posture-watch.")
        if version == SCHEMA_VERSION:
            return
        if readonly:
            raise StoreError(f"The posture database {path} is from an older posture-watch (schema {version}); "
                             "run `posture-watch run` once to update it.")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    conn.execute(statement)
                log.info("posture database %s migrated to schema %d", path, target)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:   # SQLite has already rolled back by itself on a full disk
                conn.execute("ROLLBACK")
            raise

    # --- writing ---------------------------------------------------------------------------

    def start_session(self, started_at: float, source: str, profile_name: str | None = None,
                      profile_path: str | None = None, tz: str | None = None) -> int:
        if tz is None:
            tz = time.strftime("%Z", time.localtime(started_at)) or None
        self.flush()
        try:
            cur = self._conn.execute(
                "INSERT INTO sessions(started_at, source, profile_name, profile_path, tz) VALUES (?,?,?,?,?)",
                (float(started_at), source, profile_name, profile_path, tz))
        except sqlite3.Error as exc:
            raise _describe_db_error(self.path, exc) from None
        self._last_flush = self._clock()
        return int(cur.lastrowid)

    def add_sample(self, session_id: int, reading: Reading, t_epoch: float,
                   sides: Mapping[str, float | None] | None = None) -> None:
        """Queue one judged sample (with its signed sides, core.asymmetry.sides); written with the next
        flush (at most `flush_every_s` later)."""
        self._pending_samples.append(sample_values(session_id, reading, t_epoch, sides))
        self.maybe_flush()

    def add_event(self, session_id: int | None, event: Event, t_epoch: float) -> None:
        """Write one event now, together with the samples queued before it (while writes fail: queue it)."""
        self._pending_events.append(event_values(session_id, event, t_epoch))
        if self.failing:
            self.maybe_flush()
        else:
            self.flush()

    @property
    def pending(self) -> int:
        """Rows waiting in memory."""
        return len(self._pending_samples) + len(self._pending_events)

    @property
    def pending_samples(self) -> int:
        """Samples waiting in memory (lost if the store is closed while they cannot be written)."""
        return len(self._pending_samples)

    def maybe_flush(self) -> None:
        wait_s = self.retry_s if self.failing else self.flush_every_s
        if self.pending and self._clock() - self._last_flush >= wait_s:
            self.flush()

    def flush(self) -> None:
        samples, self._pending_samples = self._pending_samples, []
        events, self._pending_events = self._pending_events, []
        self._last_flush = self._clock()
        if not samples and not events:
            return
        if self.readonly:
            raise StoreError(f"The posture database {self.path} was opened read-only.")
        self._wait_for_locks(not self.failing)
        try:
            self._conn.execute("BEGIN")
            try:
                if samples:
                    self._conn.executemany(
                        "INSERT INTO samples(session_id, t, state, score, faults, deviations, metrics, view, "
                        "shoulder_side_deg, head_side_deg, lean_side_pct) VALUES (?,?,?,?,?,?,?,?,?,?,?)", samples)
                if events:
                    self._conn.executemany(
                        "INSERT INTO events(session_id, t, kind, fault, duration_s, window_s, level, deviation, "
                        "detail) VALUES (?,?,?,?,?,?,?,?,?)", events)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # SQLite rolls back by itself on a full disk or an I/O error
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self._keep(samples, events)
            raise _describe_db_error(self.path, exc) from None
        self.failing = False
        self.rows_written += len(samples) + len(events)

    def _wait_for_locks(self, wait: bool) -> None:
        """Wait up to 5 s for another program's lock normally; only briefly while retrying a failed
        write, so a lock held for minutes does not stall the caller 5 s at every try."""
        busy_ms = 5000 if wait else 100
        if busy_ms != self._busy_ms:
            self._conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
            self._busy_ms = busy_ms

    def _keep(self, samples: list[tuple[Any, ...]], events: list[tuple[Any, ...]]) -> None:
        """After a failed write: the rows wait for a later try (the oldest samples go beyond max_pending)."""
        self.failing = True
        self._pending_samples = samples + self._pending_samples
        self._pending_events = events + self._pending_events
        excess = self.pending - self.max_pending
        if excess > 0:
            del self._pending_samples[:excess]
            self.rows_dropped += excess
            log.warning("%d samples dropped: the posture database could not be written for too long", excess)

    def end_session(self, session_id: int, ended_at: float) -> None:
        self.flush()
        try:
            self._conn.execute("UPDATE sessions SET ended_at=? WHERE id=?", (float(ended_at), session_id))
        except sqlite3.Error as exc:
            raise _describe_db_error(self.path, exc) from None

    def close(self) -> None:
        if self._conn is None:  # type: ignore[comparison-overlap]
            return
        try:
            if not self.readonly:
                self.flush()
        finally:
            self._conn.close()
            self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise _describe_db_error(self.path, exc) from None

    def samples_between(self, t0: float, t1: float) -> list[SampleRow]:
        """Samples with t0 <= t < t1, oldest first."""
        rows = self._query("SELECT session_id, t, state, score, faults, deviations, metrics, view, shoulder_side_deg, "
                           "head_side_deg, lean_side_pct FROM samples WHERE t >= ? AND t < ? ORDER BY t, id", (t0, t1))
        return [SampleRow(r[0], r[1], r[2], r[3], tuple(f for f in r[4].split(",") if f), mapping_from_json(r[5]),
                          mapping_from_json(r[6]), *r[7:]) for r in rows]

    def sample_states_between(self, t0: float, t1: float) -> list["SampleState"]:
        """Like samples_between, but only session, time, state, score, view and sides (no faults,
        deviations or metrics), as light tuples: the cheap bulk read for day totals such as the report's
        trend and its weeks of left and right."""
        rows = self._query("SELECT session_id, t, state, score, view, shoulder_side_deg, head_side_deg, lean_side_pct "
                           "FROM samples WHERE t >= ? AND t < ? ORDER BY t, id", (t0, t1))
        return list(map(SampleState._make, rows))

    def events_between(self, t0: float, t1: float) -> list[EventRow]:
        """Events with t0 <= t < t1, oldest first."""
        rows = self._query("SELECT session_id, t, kind, fault, duration_s, window_s, level, deviation, detail "
                           "FROM events WHERE t >= ? AND t < ? ORDER BY t, id", (t0, t1))
        return [EventRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], mapping_from_json(r[7]), r[8]) for r in rows]

    def sessions_between(self, t0: float, t1: float) -> list[SessionRow]:
        """Sessions that overlap [t0, t1) (a session still running or cut off has ended_at None)."""
        rows = self._query("SELECT id, started_at, ended_at, source, profile_name, profile_path, tz FROM sessions "
                           "WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at, id",
                           (t1, t0))
        return [SessionRow(*r) for r in rows]

    def session_summaries(self) -> list[tuple[SessionRow, int]]:
        """Every session, oldest first, with its number of samples."""
        rows = self._query("SELECT s.id, s.started_at, s.ended_at, s.source, s.profile_name, s.profile_path, s.tz, "
                           "(SELECT COUNT(*) FROM samples WHERE session_id = s.id) FROM sessions s "
                           "ORDER BY s.started_at, s.id", ())
        return [(SessionRow(*r[:7]), int(r[7])) for r in rows]

    def delete_session(self, session_id: int) -> int:
        """Remove one session with its samples and events, in one transaction; returns the rows removed
        (0: no such session)."""
        if self.readonly:
            raise StoreError(f"The posture database {self.path} was opened read-only.")
        self.flush()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                removed = sum(self._conn.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,)).rowcount
                              for table in ("samples", "events"))
                gone = self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _describe_db_error(self.path, exc) from None
        return removed + gone if gone else 0

    def integrity_check(self) -> str:
        """'ok' or SQLite's description of the damage."""
        rows = self._query("PRAGMA integrity_check", ())
        return "; ".join(str(r[0]) for r in rows)
