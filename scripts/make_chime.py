"""Writes posture_watch/assets/posture-watch-chime.wav: the short sound `--sound` plays.

Two soft sine tones (E6 then B5), 0.4 s in all, 22050 Hz mono 16-bit, each with a quick attack and
an exponential fade so that it cannot click. Run it again only to change the sound.
"""

import math
import struct
import wave
from pathlib import Path

RATE_HZ = 22050
TONES = ((1318.5, 0.0, 0.22), (987.8, 0.12, 0.28))  # (frequency Hz, start s, length s)
LENGTH_S = 0.4
PEAK = 0.45  # of full scale: a reminder, not an alarm

out = Path(__file__).resolve().parent.parent / "posture_watch" / "assets" / "posture-watch-chime.wav"
frames = []
for n in range(int(RATE_HZ * LENGTH_S)):
    t = n / RATE_HZ
    value = 0.0
    for freq, start, length in TONES:
        local = t - start
        if 0 <= local < length:
            envelope = min(1.0, local / 0.008) * math.exp(-local * 9.0)
            value += math.sin(2 * math.pi * freq * local) * envelope
    frames.append(struct.pack("<h", int(max(-1.0, min(1.0, value * PEAK)) * 32767)))
with wave.open(str(out), "wb") as fh:
    fh.setnchannels(1)
    fh.setsampwidth(2)
    fh.setframerate(RATE_HZ)
    fh.writeframes(b"".join(frames))
print(out)
