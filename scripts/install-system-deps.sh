#!/usr/bin/env bash
# Debian packages the tests need: a D-Bus session bus (dbus-run-session) for notification tests,
# headless Chromium to render the HTML report, and Xvfb with a small window manager (openbox) and
# imagemagick for the preview window.
# Installs only what is missing; needs root.
set -euo pipefail
need=()
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)   # the calibration wizard's preview window test
command -v openbox >/dev/null 2>&1 || need+=(openbox)        # a window manager under Xvfb: the preview window's size test
command -v import >/dev/null 2>&1 || need+=(imagemagick)     # screenshots of the Xvfb screen (`import -window root`)
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)       # resizes the preview window as a person would
command -v xprop >/dev/null 2>&1 || need+=(x11-utils)      # xprop, xwininfo: is the window manager ready, where is the window
command -v aplay >/dev/null 2>&1 || need+=(alsa-utils)   # --sound: the chime played into ALSA's file plugin
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "posture-watch: tests need these Debian packages: ${need[*]} (run as root: apt-get install ${need[*]})." >&2
    exit 1
  fi
else SUDO=""; fi
echo "Installing Debian packages: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
