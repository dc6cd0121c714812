#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the real
# Secret Service) and, when available, a virtual X display: what the tests need.
# Usage: .ci/with-session.sh <command> [args…]
set -euo pipefail

if [ "${SWITCHBOARD_IN_SESSION:-}" != 1 ]; then
  export SWITCHBOARD_IN_SESSION=1
  # Keep the toolchain where it is while HOME moves.
  export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
  # A private HOME and XDG dirs: the keyring, WebKit caches and app data stay out of the
  # user's own and vanish with the run.
  session_home=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-session.XXXXXX")
  trap 'rm -rf "$session_home"' EXIT
  export HOME="$session_home" XDG_RUNTIME_DIR="$session_home/run" XDG_DATA_HOME="$session_home/data" \
    XDG_CONFIG_HOME="$session_home/config" XDG_CACHE_HOME="$session_home/cache"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  self=$(readlink -f "$0")
  # Not exec: the trap must run to remove the private HOME (it holds the test keyring).
  set +e
  if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$self" "$@"
  else
    dbus-run-session -- "$self" "$@"
  fi
  exit $?
fi

# Inside the session: start the keyring, unlocked with a throwaway login password.
printf 'switchboard-test-keyring' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring_pid=$!
for _ in $(seq 1 50); do
  if busctl --user list 2>/dev/null | grep -q org.freedesktop.secrets \
     || dbus-send --session --dest=org.freedesktop.DBus --print-reply /org/freedesktop/DBus org.freedesktop.DBus.ListNames 2>/dev/null | grep -q org.freedesktop.secrets; then
    break
  fi
  sleep 0.1
done
# The service answers before the login collection it unlocks exists; a test that writes
# in that gap makes gnome-keyring prompt (gcr-prompter) for a new collection, which no one
# answers. Wait until the login collection is there and unlocked.
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.secrets \
       /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
       string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q 'boolean false'; then
    break
  fi
  sleep 0.1
done
set +e
"$@"
status=$?
kill "$keyring_pid" 2>/dev/null
exit $status
