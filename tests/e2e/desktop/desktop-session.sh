#!/bin/bash
# desktop-session.sh -- run a command inside a throw-away headless "desktop":
#   private D-Bus session bus (dbus-run-session) + Xvfb + unlocked gnome-keyring (Secret Service)
#   + system tray + notification daemon (dunst).  Everything is torn down afterwards.
#
# Usage:  desktop-session.sh [command args...]      (default command: bash)
# Knobs (env):
#   TRAY=sni      status-notifier-watcher + gtk-sni-tray-standalone (StatusNotifierItem; Qt then
#                 sends showMessage() to org.freedesktop.Notifications)      [default]
#   TRAY=fake     fake_sni_notify.py --watcher (same effect as sni, no icon drawn, no extra package)
#   TRAY=xembed   trayer (XEmbed tray; Qt then draws showMessage() as its own QBalloonTip widget)
#   TRAY=none
#   NOTIFY=dunst|fake|none     (default dunst; every notification is appended to $NOTIFY_LOG as JSON)
#   SCREEN=1280x800x24  KEYRING_PASSWORD=ci  KEEP_DESKTOP_DIR=1 (keep logs after exit)
#   CI=true (or DESKTOP_STRICT=1): a component that does not come up is an error (exit 90..93),
#                 not a warning, so CI never runs the tests against half a desktop.
# Exported to the command: DISPLAY, QT_QPA_PLATFORM=xcb, DBUS_SESSION_BUS_ADDRESS, NOTIFY_LOG,
#   TRAY_MODE, DESKTOP_DIR, XDG_RUNTIME_DIR, XDG_DATA_HOME (keyring file lives there).
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
if [ -z "${_DESKTOP_SESSION_INNER:-}" ]; then
    command -v dbus-run-session >/dev/null || {
        echo "[desktop-session] dbus-run-session is missing (package dbus); run 'make system-deps'" >&2
        exit 90
    }
    # private XDG dirs, exported BEFORE the bus starts so D-Bus-activated helpers
    # (gcr-prompter, at-spi) also use them instead of ~/.cache, ~/.local/share
    DESKTOP_DIR="$(mktemp -d /tmp/desktop-session.XXXXXX)"
    mkdir -p "$DESKTOP_DIR"/{run,data,cache,config}; chmod 700 "$DESKTOP_DIR/run"
    export DESKTOP_DIR XDG_RUNTIME_DIR="$DESKTOP_DIR/run" XDG_DATA_HOME="$DESKTOP_DIR/data" \
           XDG_CACHE_HOME="$DESKTOP_DIR/cache" XDG_CONFIG_HOME="$DESKTOP_DIR/config" \
           NO_AT_BRIDGE=1 _DESKTOP_SESSION_INNER=1
    # A stray DISPLAY would leak into the bus activation environment (keyring prompts then hang).
    unset DISPLAY
    dbus-run-session -- "${BASH_SOURCE[0]}" "$@"; rc=$?
    [ -n "${KEEP_DESKTOP_DIR:-}" ] || rm -rf "$DESKTOP_DIR"
    exit $rc
fi
unset _DESKTOP_SESSION_INNER
TRAY="${TRAY:-sni}"; NOTIFY="${NOTIFY:-dunst}"
STRICT=""; { [ "${CI:-}" = true ] || [ -n "${DESKTOP_STRICT:-}" ]; } && STRICT=1
# fake_sni_notify.py needs jeepney, which the project venv has and a bare python3 may not.
if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then PY="$VIRTUAL_ENV/bin/python"
elif [ -x ./.venv/bin/python ]; then PY="$PWD/.venv/bin/python"
elif [ -x "$REPO/.venv/bin/python" ]; then PY="$REPO/.venv/bin/python"
else PY="$(command -v python3)"; fi
export NOTIFY_LOG="$DESKTOP_DIR/notifications.jsonl" TRAY_MODE="$TRAY" QT_QPA_PLATFORM=xcb
PIDS=()
T0=$(date +%s%N)
log() { echo "[desktop-session +$(( ($(date +%s%N) - T0) / 1000000 ))ms] $*" >&2; }
cleanup() {
    for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill "${PIDS[i]}" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
# problem CODE MESSAGE [LOGFILE]: fatal under CI (tests would otherwise pass against a fake-less
# half desktop, or fail later with an obscure error); a warning on a developer's machine.
problem() {
    local code=$1 msg=$2 file=${3:-}
    if [ -n "$STRICT" ]; then
        log "ERROR: $msg (CI=true: refusing to run without it; 'make system-deps' installs it)"
        [ -n "$file" ] && [ -s "$file" ] && { echo "--- $file" >&2; tail -n 30 "$file" >&2; }
        exit "$code"
    fi
    log "WARNING: $msg"
}
has_owner() { dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
              org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'; }
wait_for() { local n=$1; shift; for ((k=0; k<n; k++)); do "$@" && return 0; sleep 0.05; done; return 1; }
# wait_owner NAME [PID]: up to 10 s for NAME on the bus; gives up at once if PID died (no 10 s
# stall in CI when a daemon crashes on start).
wait_owner() {
    for ((k=0; k<200; k++)); do
        has_owner "$1" && return 0
        [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || { has_owner "$1"; return; }
        sleep 0.05
    done
    return 1
}

# 1. X server; -displayfd picks a free display number and reports it once the server is ready.
#    No X server means nothing below can work, so this is fatal everywhere.
command -v Xvfb >/dev/null || { log "ERROR: Xvfb is missing (package xvfb); run 'make system-deps'"; exit 90; }
exec 3> "$DESKTOP_DIR/displayfd"
Xvfb -displayfd 3 -screen 0 "${SCREEN:-1280x800x24}" -nolisten tcp -noreset \
     >"$DESKTOP_DIR/xvfb.log" 2>&1 & PIDS+=($!)
exec 3>&-
wait_for 200 test -s "$DESKTOP_DIR/displayfd" || { log "ERROR: Xvfb did not start"; cat "$DESKTOP_DIR/xvfb.log" >&2; exit 90; }
export DISPLAY=":$(head -1 "$DESKTOP_DIR/displayfd")"
log "Xvfb ready on $DISPLAY"

# 2. Secret Service: gnome-keyring with a fresh, unlocked 'login' collection.  It forks itself and
#    exits when this private session bus goes away.  (DISPLAY is deliberately NOT pushed into the
#    bus activation environment, so a missing unlock fails fast instead of opening a GUI prompt.)
keyring_works() {
    # A store/lookup round trip proves the collection is unlocked (an owner alone is not enough).
    printf probe | timeout 10 secret-tool store --label=desktop-session-probe \
        service desktop-session-probe username probe 2>/dev/null &&
    [ "$(timeout 10 secret-tool lookup service desktop-session-probe username probe 2>/dev/null)" = probe ] &&
    timeout 10 secret-tool clear service desktop-session-probe username probe 2>/dev/null
}
if ! command -v gnome-keyring-daemon >/dev/null; then
    problem 91 "gnome-keyring-daemon is missing (package gnome-keyring): no Secret Service"
else
    printf '%s' "${KEYRING_PASSWORD:-ci}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    if ! wait_owner org.freedesktop.secrets; then
        problem 91 "gnome-keyring did not take org.freedesktop.secrets"
    elif ! command -v secret-tool >/dev/null; then
        problem 91 "secret-tool is missing (package libsecret-tools): cannot check the keyring"
    elif ! keyring_works; then
        problem 91 "gnome-keyring is up but its collection is not usable (still locked?)"
    else
        log "gnome-keyring (org.freedesktop.secrets) ready and unlocked"
    fi
fi

# 3. notification daemon
NOTIFY_PID=""
case "$NOTIFY" in
  dunst)
    if command -v dunst >/dev/null; then
        cat > "$DESKTOP_DIR/dunstrc" <<EOF
[global]
    font = Monospace 9
[record_everything]
    appname = "*"
    script = $HERE/dunst_record.py
EOF
        dunst -config "$DESKTOP_DIR/dunstrc" >"$DESKTOP_DIR/notify.log" 2>&1 & NOTIFY_PID=$!
    else
        echo "dunst is not installed (package dunst)" >"$DESKTOP_DIR/notify.log"
    fi ;;
  fake) "$PY" "$HERE/fake_sni_notify.py" --notify >"$DESKTOP_DIR/notify.log" 2>&1 & NOTIFY_PID=$! ;;
esac
if [ -n "$NOTIFY_PID" ]; then
    PIDS+=("$NOTIFY_PID")
    if wait_owner org.freedesktop.Notifications "$NOTIFY_PID"; then log "notifications ($NOTIFY) ready"
    else problem 92 "no notification daemon ($NOTIFY) on org.freedesktop.Notifications" "$DESKTOP_DIR/notify.log"; fi
elif [ "$NOTIFY" != none ]; then
    problem 92 "no notification daemon ($NOTIFY)" "$DESKTOP_DIR/notify.log"
fi

# 4. system tray (must be up BEFORE the app creates its QSystemTrayIcon)
sni_ready() { dbus-send --session --print-reply --dest=org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
    org.freedesktop.DBus.Properties.Get string:org.kde.StatusNotifierWatcher \
    string:IsStatusNotifierHostRegistered 2>/dev/null | grep -q 'boolean true'; }
case "$TRAY" in
  sni)    # gtk-sni-tray-standalone --watcher alone is racy (~1 in 8 starts dies with
          # "Pattern match failure ... Main.hs:177"), so start the stand-alone watcher first
          # (package haskell-status-notifier-item-utils) and retry the host if it still dies.
          if command -v status-notifier-watcher >/dev/null; then
              status-notifier-watcher >"$DESKTOP_DIR/watcher.log" 2>&1 & PIDS+=($!)
              wait_owner org.kde.StatusNotifierWatcher "${PIDS[-1]}" || log "WARNING: watcher not up"
          fi
          if command -v gtk-sni-tray-standalone >/dev/null; then
              for try in 1 2 3; do
                  gtk-sni-tray-standalone --watcher --top --end --size 24 --length '1 % 4' -c '#404040' \
                      >>"$DESKTOP_DIR/tray.log" 2>&1 & TRAY_PID=$!
                  for ((k=0; k<200; k++)); do sni_ready && break; kill -0 $TRAY_PID 2>/dev/null || break; sleep 0.05; done
                  kill -0 $TRAY_PID 2>/dev/null && sni_ready && { PIDS+=($TRAY_PID); break; }
                  kill $TRAY_PID 2>/dev/null; wait $TRAY_PID 2>/dev/null; log "SNI tray start $try failed"
              done
          else
              echo "gtk-sni-tray-standalone is not installed" >>"$DESKTOP_DIR/tray.log"
          fi
          if sni_ready; then log "SNI watcher+host ready"
          else problem 93 "SNI tray not ready (packages haskell-gtk-sni-tray-utils, haskell-status-notifier-item-utils)" \
                   "$DESKTOP_DIR/tray.log"; fi ;;
  fake)   "$PY" "$HERE/fake_sni_notify.py" --watcher >"$DESKTOP_DIR/fake_sni.log" 2>&1 & PIDS+=($!)
          if wait_for 200 sni_ready; then log "fake SNI watcher ready"
          else problem 93 "fake SNI watcher not ready ($PY needs jeepney)" "$DESKTOP_DIR/fake_sni.log"; fi ;;
  xembed) command -v trayer >/dev/null && { trayer --edge top --align right --widthtype request --height 24 \
              --SetDockType true >"$DESKTOP_DIR/tray.log" 2>&1 & PIDS+=($!); }
          if wait_for 200 "$PY" "$HERE/tray_owner.py"; then log "XEmbed tray ready"
          else problem 93 "XEmbed tray (trayer) not ready" "$DESKTOP_DIR/tray.log"; fi ;;
esac

# 5. the command (not exec'd, so the trap can clean up)
log "running: ${*:-bash}"
"${@:-bash}"
rc=$?
log "command exited with $rc"
exit $rc
