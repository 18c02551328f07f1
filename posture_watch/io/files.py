"""Writing the user's files: atomically (temporary file, fsync, rename) and private (mode 0600).

Profiles, the profile choices, summary pictures and reports describe a person's body and habits:
only the user may read them, and a crash mid-write never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterator, TextIO

from posture_watch.core.errors import UserError


def write_private_atomic(path: Path, data: bytes | str) -> Path:
    """Replace `path` with `data` atomically, mode 0600. The folder must exist. OSError propagates."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def open_text_output(path: str | None) -> Iterator[TextIO | None]:
    """A text file to write results to (`-` = stdout, None = nowhere), with one-sentence errors. A file
    holds the same health data as the database: it is made (or left) readable only by the user (0600)."""
    if not path:
        yield None
        return
    if path == "-":
        yield sys.stdout
        return
    out = Path(path).expanduser()
    if not out.parent.exists():
        raise UserError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if stat.S_ISREG(os.fstat(fd).st_mode):   # not a pipe or /dev/null
            os.fchmod(fd, 0o600)
        fh = os.fdopen(fd, "w", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"Cannot write {out} ({exc.strerror}).") from None
    with fh:
        yield fh
