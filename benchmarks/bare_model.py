"""`python bare_model.py`: the smallest script that uses the pose model, as a peer's would be: import
mediapipe, load the lite model in VIDEO mode, run it once on a frame of the sample clip, exit. Its peak
resident memory (through peak_rss.py) is what `rss_vs_bare_model` divides by."""

import sys
from pathlib import Path

import cv2
import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from posture_watch.io import models  # noqa: E402  (only to find the cached model file)

capture = cv2.VideoCapture(str(ROOT / "sample_videos" / "calibration.mp4"))
ok, image = capture.read()
capture.release()
options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(models.ensure("lite", allow_fetch=False))),
                                       running_mode=vision.RunningMode.VIDEO)
with vision.PoseLandmarker.create_from_options(options) as landmarker:
    result = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB,
                                                  data=cv2.cvtColor(image, cv2.COLOR_BGR2RGB)), 0)
raise SystemExit(0 if ok and result.pose_landmarks else 1)
