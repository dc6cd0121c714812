#!/usr/bin/env bash
# Installs what Switchboard needs on Debian 12 / Ubuntu 22.04+: apt packages, the UI's npm
# packages and (for tests) tauri-driver. Expects a Rust toolchain (rustup) and node/npm.
# Usage: .ci/setup.sh app|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-app}

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

packages=(build-essential pkg-config libwebkit2gtk-4.1-dev)
if [ "$purpose" = test ]; then
  # The real parts the tests use: Secret Service, a session bus, a virtual display, the
  # WebDriver for WebKitGTK, PostgreSQL server binaries, and libsecret's CLI.
  packages+=(gnome-keyring libsecret-tools dbus dbus-bin xvfb xauth webkit2gtk-driver postgresql)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "error: no Rust toolchain: install one with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "error: node/npm are missing: install Node.js 20+ (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi

echo "==> npm ci (ui/)"
npm ci --prefix ui --no-audit --no-fund --loglevel=error

if [ "$purpose" = test ]; then
  cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if ! command -v tauri-driver >/dev/null && [ ! -x "$cargo_bin/tauri-driver" ]; then
    echo "==> cargo install tauri-driver"
    cargo install tauri-driver --locked --version '^2' --quiet
  fi
fi
