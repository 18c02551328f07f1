"""`--sound`: a short bundled sound, played through whichever audio player is present.

A `sound-name` hint in a notification only sounds where the notification server plays sounds
(many do not), so posture-watch plays the sound itself: through PulseAudio or PipeWire
(`paplay`, `pw-play`), ALSA (`aplay`), SoX (`play`) or macOS (`afplay`), the first that is
installed. The sound is `assets/posture-watch-chime.wav` (scripts/make_chime.py). Where no
player is installed, or the one found cannot play (no sound device), this is said once in the
log and warnings stay silent; it never delays a warning.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Sequence

log = logging.getLogger(__name__)

CHIME = Path(__file__).resolve().parents[1] / "assets" / "posture-watch-chime.wav"
# (program, arguments before the file), best first
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paplay", ()), ("pw-play", ()), ("aplay", ("-q",)), ("play", ("-q",)), ("afplay", ()))
PLAY_TIMEOUT_S = 10.0


def find_player(players: Sequence[tuple[str, tuple[str, ...]]] = PLAYERS) -> list[str] | None:
    """The command line (without the file) of the first player installed, or None."""
    for program, args in players:
        path = shutil.which(program)
        if path:
            return [path, *args]
    return None


class SoundPlayer:
    """play() returns at once; the player runs in the background, one sound at a time."""

    def __init__(self, sound: Path = CHIME) -> None:
        self.sound = sound
        self.command = find_player()
        self.played = 0
        self.failed: str = ""
        self._running: subprocess.Popen | None = None
        self._lock = threading.Lock()
        if self.command is None:
            self._say_once("no audio player is installed (paplay, pw-play, aplay or play; e.g. the Debian "
                           "package pulseaudio-utils or alsa-utils)")
        elif not sound.is_file():
            self._say_once(f"the sound file {sound} is missing")
            self.command = None

    def play(self) -> bool:
        """Start the sound; False if it cannot be played (said once) or one is still playing."""
        if self.command is None:
            return False
        with self._lock:
            if self._running is not None and self._running.poll() is None:
                return False
            try:
                proc = subprocess.Popen([*self.command, str(self.sound)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            except OSError as exc:
                self._say_once(f"{self.command[0]} could not be started ({exc.strerror or exc})")
                self.command = None
                return False
            self._running = proc
        threading.Thread(target=self._reap, args=(proc,), name="posture-watch-sound", daemon=True).start()
        return True

    def _reap(self, proc: subprocess.Popen) -> None:
        try:
            _, err = proc.communicate(timeout=PLAY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            self._say_once(f"{Path(proc.args[0]).name} did not finish playing within {PLAY_TIMEOUT_S:g} s")
            return
        if proc.returncode == 0:
            self.played += 1
            return
        last = (err or b"").decode("utf-8", "replace").strip().splitlines()
        self._say_once(f"{Path(proc.args[0]).name} could not play it ({last[-1] if last else f'exit {proc.returncode}'})")

    def _say_once(self, why: str) -> None:
        if not self.failed:
            log.warning("--sound: %s; warnings stay silent.", why)
            self.failed = why

    def close(self) -> None:
        proc = self._running
        if proc is not None and proc.poll() is None:
            try:
                proc.wait(2.0)
            except subprocess.TimeoutExpired:
                proc.kill()
