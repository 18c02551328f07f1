"""Errors a user can cause. The CLI turns each into one plain sentence and exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Something about the user's input or environment that they can fix.

    The message is one plain sentence that says what is wrong and what to do.
    """

    exit_code = 2


class SourceError(UserError):
    """A frame source cannot be opened or read (missing file, no camera, unreadable video)."""


class SourceLost(SourceError):
    """A live source stopped delivering frames (camera unplugged, device busy)."""


class ModelError(UserError):
    """The pose model is missing, corrupt or cannot be fetched."""


class ProfileError(UserError):
    """A calibration profile is missing, corrupt, foreign or from an old schema."""


class StoreError(UserError):
    """The posture database is corrupt, foreign, locked or from a newer schema."""


class CaptureRejected(UserError):
    """A calibration capture is unusable (nobody there, too dark, two people, ...)."""
