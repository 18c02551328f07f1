"""The run loop: source -> pose -> geometry -> judge -> engine -> sinks (store, notifier, JSONL, preview).

One thread owns every piece of state. Control requests (status/pause/resume/snooze) arrive through
a CommandQueue and are answered between samples; every wait goes through `Waker.sleep`, which a
request or a stop signal cuts short.

Time. For a replay (`run --source FILE --speed X`) a sample's time is session start + source time,
so the engine sees the clip as if it were happening now (at 20x, 20 s of posture per second).
For a live camera it is the wall clock. Between frames, "now" runs on from the last frame at
`speed` times the monotonic clock. After any interruption (camera lost, covered lens, pause,
snooze, a clock jump) the engine is told that no time passed (`last_t=None`), so a gap is never
counted as sitting.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import replace
from typing import Any, Callable, Iterable, TextIO

from posture_watch.core import asymmetry, camera_health, engine, engine_breaks, messages
from posture_watch.core import sampling as pace
from posture_watch.core.camera_health import CameraHealth, picture_fingerprint
from posture_watch.core.domain import (EV_PROFILE, EV_SCREEN_BACK, EV_SCREEN_LOCKED, EV_SESSION_END, EV_SESSION_START,
                                       Event, Frame, Reading)
from posture_watch.core.errors import ProfileError, SourceError, SourceLost, StoreError, UserError
from posture_watch.core.sampling import SamplingConfig
from posture_watch.monitor.alert_hold import AlertHold
from posture_watch.monitor.loop_types import MonitorConfig, RunSummary, Waker
from posture_watch.monitor.tracking import TrackingWatch
from posture_watch.monitor.ports import (DoNotDisturb, Estimator, Measure, Notifier, PostureJudge, PreviewSink,
                                         Requests, SampleStore, ScreenWatch, ViewCheck)
from posture_watch.io.pose import BadFrame, as_bgr, small_grey, thumbnail
from posture_watch.io.sources import FrameSource

log = logging.getLogger(__name__)

PREVIEW_HELD_REFRESH_S = 0.2  # while held, a preview window is redrawn this often (wall s) so it stays responsive

__all__ = ["Monitor", "MonitorConfig", "RunSummary", "Waker"]


class Monitor:
    """`Monitor(...).run()` until the source ends or `stop()` is called."""

    def __init__(self, *, source: FrameSource, estimator: Estimator, judge: PostureJudge, measure: Measure,
                 engine_config: engine.EngineConfig, sampling: SamplingConfig, config: MonitorConfig,
                 store: SampleStore | None = None, notifier: Notifier | None = None, notify_config: Any = None,
                 replay: bool = False, speed: float = 1.0, profile_name: str | None = None,
                 profile_path: str | None = None, commands: Requests | None = None, waker: Waker | None = None,
                 jsonl: TextIO | None = None, preview: PreviewSink | None = None,
                 on_event: Callable[[Event, str], None] | None = None,
                 source_open: bool = False, clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time,
                 screen: ScreenWatch | None = None, dnd: DoNotDisturb | None = None,
                 on_status: Callable[[dict[str, Any]], None] | None = None, view_watch: ViewCheck | None = None,
                 on_reading: Callable[[Reading, float], None] | None = None) -> None:
        self.source, self.estimator, self.judge, self.measure = source, estimator, judge, measure
        self.engine_config, self.sampling, self.config = engine_config, sampling, config
        self.store, self.notifier, self.notify_config = store, notifier, notify_config
        self.replay, self.speed = replay, speed
        self.profile_name, self.profile_path = profile_name, profile_path
        self.commands, self.waker = commands, waker or Waker()
        self.jsonl, self.preview, self.on_event = jsonl, preview, on_event
        self.view_watch, self.on_reading = view_watch, on_reading
        self._clock, self._wall = clock, wall
        self.screen = screen  # session_lock.ScreenWatch (reason(): "screen locked" | "asleep" | None), or None
        self._screen_held: tuple[str, float] | None = None  # (reason, since epoch)
        self.state = engine.initial_state(engine_config)
        self.summary = RunSummary()
        self._open = source_open  # the caller opened it already
        self._was_held = False
        self._forget = False
        self.pacing = pace.start_pacing(sampling)  # next target, rate, change gate: core/sampling.py
        self._start_epoch = 0.0
        self._mono0 = 0.0
        self._last_frame_t: float | None = None
        self._last_frame_mono = 0.0
        self._prev_clocks: tuple[float, float] | None = None
        self.camera = CameraHealth()  # lost, covered, frozen, unusable pictures: core/camera_health.py
        self._store_failing = False
        # desktop edges: `dnd.quiet_reason()` -> why not to disturb now (None: go ahead); `on_status(status)`
        # after every sample and change (the tray); a break taken from a button or the tray menu
        self.on_status = on_status
        self.alert_hold = AlertHold(dnd, config.break_wait_max_s)
        self._last_detection: Any = None  # the model's last answer, reused while the change gate holds
        self._last_metrics: Any = None    # ... and its measure (pure: the same answer measures the same)
        self.tracking = TrackingWatch()   # when the pose model should search the picture afresh

    # --- time ------------------------------------------------------------------------------

    def _now_s(self) -> float:
        """Source seconds now: the last frame's time plus what has passed since, at `speed`."""
        if self._last_frame_t is None:
            return (self._clock() - self._mono0) * self.speed
        return self._last_frame_t + (self._clock() - self._last_frame_mono) * self.speed

    def now_epoch(self) -> float:
        return self._start_epoch + self._now_s() if self.replay else self._wall()

    def _sleep_session(self, seconds: float) -> None:
        """Wait `seconds` of session time (wall time / speed), cut short by a request or a stop."""
        self.waker.sleep(seconds / self.speed)

    @property
    def stopping(self) -> bool:
        return self.waker.stopped

    def stop(self) -> None:
        self.waker.stop()

    # --- the loop --------------------------------------------------------------------------

    def run(self) -> RunSummary:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        if not self._open:
            self.source.open()  # SourceError here is the user's: bad file, no camera
            self._open = True
        self._mono0 = self._clock()
        self._start_epoch = self._wall()
        self.summary.started_at = self._start_epoch
        if self.store is not None:
            self.summary.session_id = self.store.start_session(self._start_epoch, self.source.description,
                                                               self.profile_name, self.profile_path)
        self._emit(Event(kind=EV_SESSION_START, t_s=self._start_epoch, detail=self.source.description))
        self._emit(Event(kind=EV_PROFILE, t_s=self._start_epoch,
                         detail=self.profile_name or str(self.profile_path or "none")))
        reason = "stopped"
        try:
            while not self.stopping:
                self._answer_commands()
                if self._held():
                    self._was_held = True
                    self._hold()
                    continue
                if self._was_held:  # a pause, snooze, lock or sleep just ended
                    self._was_held = False
                    self._prev_clocks = None  # the time held is no stalled camera
                    self._restart_clocks(self._now_s())
                    self.pacing = pace.read_no_earlier(self.pacing, self._now_s())
                if not self._open and not self._reopen():
                    continue
                try:
                    frame = self.source.read(self.pacing.next_t)
                except SourceLost as exc:
                    self._camera_lost(str(exc))
                    continue
                if frame is None:
                    reason = "end of source"
                    break
                if self.stopping:
                    break
                if self.screen is not None and self.screen.reason():
                    continue  # locked while the frame was on its way: not judged
                self._on_frame(frame)
                self._publish()
        finally:
            self._finish(reason)
            self.summary.wall_s = time.perf_counter() - wall0
            self.summary.cpu_s = time.process_time() - cpu0
        return self.summary

    def _on_frame(self, frame: Frame) -> None:
        mono = self._clock()
        if not self.replay and self._clock_jumped(mono):
            return
        t_epoch = self._start_epoch + frame.t_s if self.replay else self._wall()
        self._last_frame_t, self._last_frame_mono = frame.t_s, mono
        if self.camera.lost_since is not None:
            back, events = camera_health.reconnected(self.camera, t_epoch)
            self._emit_all(events)
            log.warning("camera back after %.0f s", t_epoch - self.camera.lost_since)
            self.camera = back
        try:
            small = small_grey(as_bgr(frame.image))
        except BadFrame as exc:
            self._bad_frame(frame, str(exc))
            return
        self.camera = camera_health.good_frame(self.camera)
        thumb = thumbnail(small)
        reused = pace.gate_holds(self.sampling, self.pacing, thumb, frame.t_s)
        if reused:
            # the picture has not changed, so neither would the model's answer: the last one, re-timed, is
            # judged again (the judge's smoothing goes on as if the model had run)
            detection = replace(self._last_detection, t_s=frame.t_s)
        else:
            detection = self.estimator.detect(frame, small)
            self.summary.model_calls += 1
            self.pacing, self._last_detection = pace.model_saw(self.pacing, frame.t_s, thumb), detection
            self._last_metrics = None
        if detection.brightness < self.config.covered_brightness and not detection.poses:
            self._covered(frame, t_epoch)
            return
        if self._frozen(frame, t_epoch):
            return
        if self.camera.covered_since is not None:
            back, events = camera_health.uncovered(self.camera, t_epoch)
            self._emit_all(events)
            self.camera = back
            self._restart_clocks(frame.t_s)
        if reused and self._last_metrics is not None:
            metrics = replace(self._last_metrics, t_s=frame.t_s)  # measure() of the re-timed answer, without the work
        else:
            metrics = self._last_metrics = self.measure(detection)
        reading = self.judge.update(metrics)
        if self.tracking.update(reading) and (retrack := getattr(self.estimator, "retrack", None)) is not None:
            retrack()
        if self.view_watch is not None and (problem := self.view_watch.update(reading.view)):
            raise ProfileError(problem)  # every sample would be "unknown": say so now, not never
        if self._forget:
            self.state = replace(self.state, last_t=None)  # the next reading covers no time
            self._forget = False
        self.state, events = engine.step(self.state, reading, t_epoch, hold_alerts=self.alert_hold.waiting(t_epoch))
        self.alert_hold.after_step(reading, events)
        self.summary.samples += 1
        if self.store is not None:
            sides = asymmetry.sides(reading.metrics, reading.deviations, reading.view,
                                    asymmetry.side_baseline(getattr(self.judge, "profile", None)))
            self._write(self.store.add_sample, self.summary.session_id, reading, t_epoch, sides)
        if self.jsonl is not None:
            self.jsonl.write(json.dumps(reading.to_json(), separators=(",", ":")) + "\n")
            self.jsonl.flush()
        for event in events:
            self._emit(event)
        if self.on_reading is not None:
            self.on_reading(reading, t_epoch)
        self._schedule(frame.t_s, reading)
        if self.preview is not None and not self.preview.show(frame, detection, reading, self.status()):
            self.preview.close()
            self.preview = None

    def _schedule(self, t_s: float, reading: Reading) -> None:
        before, self.pacing = self.pacing.rate, pace.after_reading(self.sampling, self.pacing, t_s, reading.state)
        if self.pacing.rate != before:
            log.debug("sampling %s (every %.2f s)", self.pacing.rate, self.pacing.interval_s)

    def _restart_clocks(self, t_s: float) -> None:
        """After an interruption: no time passes for the engine, and sample fast for a while."""
        self._forget = True
        self.pacing = pace.restarted(self.pacing, t_s)

    def _frozen(self, frame: Frame, t_epoch: float) -> bool:
        """The very same picture for `frozen_after_s`: a hung camera or a still image. Not judged (it
        would count as hours of whatever posture it shows); polled slowly until the picture changes."""
        health, change, events = camera_health.picture(self.camera, picture_fingerprint(frame.image), frame.t_s,
                                                       t_epoch, self.config)
        if change == camera_health.THAWED:
            self._emit_all(events)
            self.camera = health
            self._restart_clocks(frame.t_s)
            return False
        self.camera = health
        if change == camera_health.MOVING:
            return False
        self.pacing = pace.polling(self.sampling, self.pacing, frame.t_s)  # before it is said: the status polls
        if change == camera_health.FROZE:
            log.warning("%s; not monitoring until it changes", self.camera.lost_reason)
            self._emit_all(events)
            self._restart_clocks(frame.t_s)
            if self.source.live:
                self._close_source()  # reopening may wake a hung driver
        return True

    def _bad_frame(self, frame: Frame, why: str) -> None:
        """An unusable picture is skipped; a live camera that keeps sending them is reopened."""
        self.summary.bad_frames += 1
        self.camera, now_lost = camera_health.bad_frame(self.camera, self.config, self.source.live)
        if self.summary.bad_frames == 1:
            log.warning("skipping an unusable camera picture: %s", why)
        self.pacing = pace.read_at(self.pacing, frame.t_s + self.pacing.interval_s)
        if now_lost:
            self._camera_lost(camera_health.bad_frames_reason(self.source.description, why))

    def _covered(self, frame: Frame, t_epoch: float) -> None:
        self.camera, events = camera_health.covered(self.camera, t_epoch)
        self.pacing = pace.polling(self.sampling, self.pacing, frame.t_s)  # before it is said: the status polls
        if events:
            log.warning("the camera is covered (black picture); not monitoring until it is uncovered")
            self._emit_all(events)
            self._restart_clocks(frame.t_s)
        self._preview_held()

    # --- camera lifecycle ------------------------------------------------------------------

    def _camera_lost(self, reason: str) -> None:
        if self.camera.lost_since is None:
            self.camera, events = camera_health.lost(self.camera, self.now_epoch(), reason)
            log.warning("camera lost: %s; reconnecting", reason.rstrip("."))
            self._emit_all(events)
            self._restart_clocks(self._now_s())
        self._close_source()
        self._publish()
        self._preview_held()
        self._wait_to_reopen()

    def _wait_to_reopen(self) -> None:
        self.camera, delay = camera_health.next_delay(self.camera, self.config)
        self._sleep_session(delay)

    def _reopen(self) -> bool:
        try:
            self.source.open()
        except SourceError as exc:
            if self.camera.lost_since is None:
                self._camera_lost(str(exc))
            else:
                log.info("camera still unavailable: %s", exc)
                self.camera = camera_health.still_unavailable(self.camera, str(exc))
                self._publish()
                self._wait_to_reopen()
            return False
        self._open = True
        self.pacing = pace.read_no_earlier(self.pacing, self._now_s())
        return True

    def _close_source(self) -> None:
        if self._open:
            try:
                self.source.close()
            except Exception as exc:  # closing a dead device must not end the monitor
                log.debug("closing the source failed: %s", exc)
            self._open = False

    def _clock_jumped(self, mono: float) -> bool:
        """Live only: suspend/resume, a clock change or a stalled read -> reopen the camera, drop the frame."""
        wall = self._wall()
        prev, self._prev_clocks = self._prev_clocks, (wall, mono)
        if prev is None:
            return False
        jump = (wall - prev[0]) - (mono - prev[1])
        stalled = mono - prev[1] > self.config.stall_s + self.pacing.interval_s
        if abs(jump) <= self.config.clock_jump_s and not stalled:
            return False
        what = f"the clock jumped by {jump:+.0f} s" if abs(jump) > self.config.clock_jump_s else \
            f"no frame for {mono - prev[1]:.0f} s"
        log.warning("%s (suspend/resume?); reopening the camera, the gap is not counted", what)
        self._prev_clocks = None
        self._close_source()
        self._restart_clocks(self._now_s())
        return True

    # --- pause and snooze ------------------------------------------------------------------

    def _held(self) -> bool:
        st = engine.status(self.state, self.now_epoch())
        screen_held = self._screen_hold()
        return bool(st["paused"] or st["snoozed"]) or screen_held

    def _screen_hold(self) -> bool:
        """Screen locked or machine asleep: said when it starts and when it ends; then the engine is
        told the time was unseen (no stretch spans it, nothing of it counts as sitting or a break)."""
        reason = self.screen.reason() if self.screen is not None else None
        held, now = self._screen_held, self.now_epoch()
        if reason and held is None:
            self._screen_held = (reason, now)
            self._emit(Event(kind=EV_SCREEN_LOCKED, t_s=now, detail=reason))
        elif reason and held is not None and reason != held[0]:
            self._screen_held = (reason, held[1])
        elif not reason and held is not None:
            self._screen_held = None
            self.state = engine.unseen(self.state)
            self.judge.reset()  # its smoothing window is no bridge over the unseen time either
            self._emit(Event(kind=EV_SCREEN_BACK, t_s=now, duration_s=max(0.0, now - held[1]), detail=held[0]))
        return reason is not None

    def _hold(self) -> None:
        if self.source.live and self._open:
            self._close_source()
            log.info("camera released (%s)", self._screen_held[0] if self._screen_held else "paused or snoozed")
        if self._screen_held is not None and self._screen_held[0] == "asleep":
            self.screen.ready_to_sleep()  # the camera is off: logind may suspend now
        if self.store is not None:
            self._write(self.store.flush)
        self._publish()
        self._preview_held()
        controls, now = self.state.controls, self.now_epoch()
        ends = [t for t in (controls.paused_until, controls.snoozed_until) if t is not None and t > now]
        wait_s = min(ends) - now if ends and math.isfinite(min(ends)) else 60.0 * self.speed
        if self.preview is not None:
            wait_s = min(wait_s, PREVIEW_HELD_REFRESH_S * self.speed)  # keep its window alive
        self._sleep_session(min(wait_s, 60.0 * self.speed))

    def _preview_held(self) -> None:
        """The preview window says why nothing is judged now; it stays open (closing it is the user's choice)."""
        if self.preview is not None and not self.preview.held(self.status()):
            self.preview.close()
            self.preview = None

    # --- control requests ------------------------------------------------------------------

    def _answer_commands(self) -> None:
        if self.commands is not None:
            self.commands.drain(self.handle_request)

    def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        cmd, minutes, now = request.get("cmd"), request.get("minutes"), self.now_epoch()
        if cmd == "pause":
            until = None if minutes is None else now + float(minutes) * 60.0
            self.state, events = engine.pause(self.state, now, until)
            text = "Paused until you resume" if minutes is None else \
                f"Paused for {messages.minutes_text(float(minutes) * 60)}"
            text += "; the camera is off." if self.source.live else "."
        elif cmd == "resume":
            self.state, events = engine.resume(self.state, now)
            text = "Resumed." if events or self.alert_hold.end_break() else "Not paused or snoozed; nothing to resume."
        elif cmd == "snooze":
            self.state, events = engine.snooze(self.state, now, float(minutes))
            text = f"Snoozed for {messages.minutes_text(float(minutes) * 60)}: no warnings until then"
            text += "; the camera is off." if self.source.live else "."
        elif cmd == "status":
            events = ()
            text = messages.status_text(self.status())
        elif cmd in ("break", "use_profile", "quit", "routine"):
            events, text = self._desktop_request(request, now)
        else:
            raise UserError(f"Unknown request {cmd!r}.")
        for event in events:
            self._emit(event)
        self.waker.wake()  # a hold re-checks its end
        return {"ok": True, "text": text, "status": self.status()}

    def status(self) -> dict[str, Any]:
        now = self.now_epoch()
        st = engine.status(self.state, now)
        camera, camera_since = camera_health.condition(self.camera)
        if st["paused"]:
            condition = "paused"
        elif st["snoozed"]:
            condition = "snoozed"
        elif self._screen_held is not None:
            condition = self._screen_held[0]
        elif camera is not None:
            condition = camera
        elif self.pacing.last_state is None and self.summary.samples == 0:
            condition = "starting"
        elif st["presence"] == "away":
            condition = "away"
        else:
            condition = "monitoring"
        since = camera_since if condition == camera else \
            self._screen_held[1] if self._screen_held is not None and condition == self._screen_held[0] else None
        return dict(st, condition=condition, now=now, since=since, lost_reason=self.camera.lost_reason,
                    on_break=self.alert_hold.on_break, do_not_disturb=self.alert_hold.dnd_reason,
                    source=self.source.description, profile=self.profile_name or self.profile_path,
                    started_at=self._start_epoch, samples=self.summary.samples,
                    sampling=self.pacing.rate,
                    interval_s=round(self.pacing.interval_s, 3),
                    pid=os.getpid(), camera_open=self._open, live=self.source.live)

    def _publish(self) -> None:
        if self.commands is None and self.on_status is None:
            return
        status = self.status()
        if self.commands is not None:
            self.commands.snapshot = {"ok": True, "text": messages.status_text(status), "status": status}
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception as exc:  # the tray must never stop the monitor
                log.warning("the status listener failed: %s", exc)

    def _desktop_request(self, request: dict[str, Any], now: float) -> tuple[tuple[Event, ...], str]:
        """Requests from the desktop (tray menu, notification buttons) that the command line has not."""
        cmd = request["cmd"]
        if cmd == "routine":
            if request.get("phase") == "start":
                self.state, events = engine_breaks.routine_started(self.state, now, float(request["minutes"]))
                return events, "Paused while the routine runs: no warnings, the camera is off."
            done = request.get("phase") == "done"
            self.state, events = engine_breaks.routine_ended(self.state, now, done)
            return events, "Counted as a break; monitoring again." if done else "Monitoring again."
        if cmd == "break":
            self.alert_hold.take_break(now)
            return (), "Enjoy the break: no warnings until you are back."
        if cmd == "use_profile":
            self.judge = request["judge"]
            self.profile_name, self.profile_path = request.get("name"), request.get("path")
            self._restart_clocks(self._now_s())
            event = Event(kind=EV_PROFILE, t_s=now, detail=self.profile_name or str(self.profile_path or "none"))
            return (event,), f"Now judging against the profile {self.profile_name or self.profile_path}."
        self.stop()
        return (), "Stopping."

    # --- sinks -----------------------------------------------------------------------------

    def _emit_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self._emit(event)

    def _emit(self, event: Event) -> None:
        self.summary.events.append(event)
        text = messages.line(event)
        log.info("%s", text)
        if self.store is not None:
            self._write(self.store.add_event, self.summary.session_id, event, event.t_s)
        if self.notifier is not None:
            cfg = self.notify_config
            message = messages.describe(
                event, stand_up_min=getattr(cfg, "break_stand_up_min", 2.0),
                escalation_wording=getattr(cfg, "escalation_wording", "firmer"))
            if message is not None:
                self.notifier.notify(message, event.t_s)
        if self.on_event is not None:
            self.on_event(event, text)

    def _write(self, write: Callable[..., None], *args: Any) -> None:
        """A failed database write (locked by another program, disk full) does not stop monitoring: it
        is said once, the store keeps the rows in memory and writes them when it can again."""
        try:
            write(*args)
        except StoreError as exc:
            if not self._store_failing:
                log.warning("%s Monitoring goes on; the data waits in memory until it can be written.", exc)
                self._store_failing = True
            return
        if self._store_failing and not self.store.pending:
            log.warning("the posture database can be written again; the data kept in memory is saved")
            self._store_failing = False

    def _finish(self, reason: str) -> None:
        self.summary.reason = reason
        if self.replay and self._last_frame_t is not None and reason == "end of source":
            end = self._start_epoch + self._last_frame_t
        else:
            end = self.now_epoch() if self._start_epoch else self._wall()
        end = max([end] + [e.t_s for e in self.summary.events[-3:]])  # never before what was said last
        self.summary.ended_at = end
        try:
            if self._start_epoch:
                self._emit(Event(kind=EV_SESSION_END, t_s=end, detail=reason))
                if self.store is not None and self.summary.session_id is not None:
                    self._write(self.store.end_session, self.summary.session_id, end)
        finally:
            self._close_source()
            if self.preview is not None:
                self.preview.close()

