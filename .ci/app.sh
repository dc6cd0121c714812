#!/usr/bin/env bash
# Installs what is needed, builds Switchboard (release) and opens its window. Data lives in
# the per-user data dir (~/.local/share/switchboard), or $SWITCHBOARD_DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh app
npm --prefix ui run build --silent
cargo build --release -p switchboard-app -p switchboard-cli
echo "==> the CLI is at target/release/switchboard"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display found: starting the window on a virtual display (xvfb-run)" >&2
  if ! command -v xvfb-run >/dev/null; then
    echo "error: no display and no xvfb-run: run this in a desktop session, or install xvfb and xauth" >&2
    exit 1
  fi
  exec xvfb-run -a target/release/switchboard-app
fi
exec target/release/switchboard-app
