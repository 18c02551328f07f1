"""The world behind small interfaces: camera and files in, notifications and rows out.

Frame sources (sources), the pose model (pose, models), the database (store, store_schema), desktop
notifications, tray, sound and do-not-disturb (notify, notify_dbus, tray, tray_view, dnd, sound, desktop,
desktop_actions, dbus_loop), the screen lock (session_lock), the control socket and the instance lock
(control, lifecycle), autostart, the preview window (preview), the config file (config), profile files
(profile_store), where files live and how they are written (paths, files), native log noise (native),
Ctrl-C at safe moments (interrupts).

May import: `posture_watch.core` and other `posture_watch.io` modules, and third-party libraries; never
the uses (monitor, calibration, report, admin). Start reading at sources.py and pose.py.
(Always imported by its full name, `posture_watch.io`: the standard library's `io` is untouched.)
"""
