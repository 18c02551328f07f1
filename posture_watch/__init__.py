"""posture-watch: a webcam posture monitor that compares you with your own calibrated baseline."""

__version__ = "0.1.0"
