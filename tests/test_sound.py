"""`--sound` plays through a real audio stack: ALSA's aplay into ALSA's `file` plugin (no sound card
here), so the bytes that reached the audio stack can be read back; and with no player, said once."""

from __future__ import annotations

import logging
import os
import shutil
import time
import wave
from pathlib import Path

import pytest

from posture_watch.io.sound import CHIME, SoundPlayer


def _only(tmp_path: Path, *programs: str) -> str:
    """A PATH holding just these programs."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for program in programs:
        (folder / program).symlink_to(shutil.which(program))
    return str(folder)


@pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay is missing (Debian package alsa-utils)")
def test_the_chime_reaches_alsa(tmp_path: Path, monkeypatch) -> None:
    captured = tmp_path / "played.raw"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{ type file slave.pcm "null" file "{captured}" format "raw" }}\n')
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", _only(tmp_path, "aplay"))
    player = SoundPlayer()
    assert player.command is not None and Path(player.command[0]).name == "aplay"
    assert player.play()
    deadline = time.monotonic() + 20
    while player.played == 0 and not player.failed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert player.failed == "" and player.played == 1
    with wave.open(str(CHIME)) as chime:
        expected = chime.readframes(chime.getnframes())
    played = captured.read_bytes()  # every sample of the chime went through the audio stack (ALSA pads the
    assert played[:len(expected)] == expected  # last period with silence)
    assert set(played[len(expected):]) <= {0}


def test_no_player_is_said_once(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to play with
    with caplog.at_level(logging.WARNING, logger="posture_watch.io.sound"):
        player = SoundPlayer()
        assert not player.play() and not player.play()
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "no audio player is installed" in said[0] and "alsa-utils" in said[0]


@pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay is missing (Debian package alsa-utils)")
def test_a_player_that_cannot_play_is_said_once(tmp_path: Path, monkeypatch, caplog) -> None:
    (tmp_path / ".asoundrc").write_text('pcm.!default { type hw card 7 }\n')  # a sound card that is not there
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", _only(tmp_path, "aplay"))
    with caplog.at_level(logging.WARNING, logger="posture_watch.io.sound"):
        player = SoundPlayer()
        for _ in range(2):
            player.play()
            deadline = time.monotonic() + 20
            while player._running is not None and player._running.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "aplay could not play it" in said[0], said
    assert player.played == 0
