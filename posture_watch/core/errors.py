"""Errors a user can cause. The CLI turns each into one plain sentence and exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Something about the user's input or environment that they can fix.

    The message is one plain sentence that says what is wrong and what to do.
    """

    exit_code = 2

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(one_line(str(message)), *args)


def one_line(text: str) -> str:
    """Keep a message to one printable line even when it quotes a user's odd input (a path with \\r)."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class SourceError(UserError):
    """A frame source cannot be opened or read (missing file, no camera, unreadable video)."""


class SourceLost(SourceError):
    """A live source stopped delivering frames (camera unplugged, device busy)."""


class ConfigError(UserError):
    """A setting in the config file (or given to `config set`) is unknown or out of range."""


class ModelError(UserError):
    """The pose model is missing, corrupt or cannot be fetched."""


class ProfileError(UserError):
    """A calibration profile is missing, corrupt, foreign or from an old schema."""


class StoreError(UserError):
    """The posture database is corrupt, foreign, locked or from a newer schema."""


class CaptureRejected(UserError):
    """A calibration capture is unusable (nobody there, too dark, two people, ...)."""


class FolderError(UserError):
    """A folder posture-watch must write in is read-only, full or not the user's."""


WRITE_ERRNOS = {"EROFS", "ENOSPC", "EACCES", "EPERM", "EDQUOT"}


def cannot_write(path: object, exc: OSError) -> FolderError:
    """The one sentence for a file or folder that cannot be written (read-only, full, no permission)."""
    import errno
    import os

    name = errno.errorcode.get(exc.errno or 0, "")
    why = {"EROFS": "it is on a read-only file system", "ENOSPC": "the disk is full",
           "EDQUOT": "your disk quota is used up"}.get(name, exc.strerror or str(exc))
    return FolderError(f"Cannot write in {os.fspath(path)} ({why}); make it writable or free some "
                       "space, or set POSTURE_WATCH_HOME to a folder that can be written.")


def is_write_error(exc: BaseException) -> bool:
    import errno

    return isinstance(exc, OSError) and errno.errorcode.get(exc.errno or 0, "") in WRITE_ERRNOS
