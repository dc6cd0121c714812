#!/usr/bin/env bash
# Installs what Switchboard needs on Debian 12 / Ubuntu 22.04+: apt packages, the UI's npm
# packages and (for tests) tauri-driver. Expects a Rust toolchain (rustup) and node/npm.
# Usage: .ci/setup.sh app|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-app}

# As root run apt directly; otherwise through sudo, keeping DEBIAN_FRONTEND (sudo's
# env_reset would drop it, and tzdata would then ask a question with no one to answer).
apt_get() {
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get "$@"
  elif command -v sudo >/dev/null; then
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get "$@" || {
      echo "error: apt-get needs root: run as root or with passwordless sudo" >&2
      exit 1
    }
  else
    echo "error: installing packages needs root and sudo is not installed: run this as root" >&2
    exit 1
  fi
}

packages=(build-essential pkg-config libwebkit2gtk-4.1-dev)
if [ "$purpose" = test ]; then
  # The real parts the tests use: Secret Service, a session bus, a virtual display, the
  # WebDriver for WebKitGTK, PostgreSQL server binaries, libsecret's CLI, and libpq with
  # Python (the parser parity test asks the real libpq); a JDK with pgjdbc and MariaDB
  # Connector/J, and pip for pymongo (the JDBC and MongoDB URI parity tests ask them); xclip
  # reads the system clipboard back in the window test, xdotool answers the native
  # confirmation dialog as the user at the keyboard, and python3-xlib asks the window to
  # close as a window manager would. OpenSSH's server, client and agent are the SSH route
  # tests' bastions (and `ssh -G` the config parity test's oracle); socat is a ProxyCommand.
  packages+=(gnome-keyring libsecret-tools dbus dbus-bin xvfb xauth webkit2gtk-driver postgresql libpq5 mariadb-server mariadb-client python3
    python3-pip default-jdk-headless libpostgresql-jdbc-java libmariadb-java
    xclip xdotool python3-xlib openssh-server openssh-client socat)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "${missing[@]}"
fi

# pymongo for tests/mongodb_uri_parity.rs, into whichever python3 the tests will run; a
# Debian python3 refuses a plain pip install (PEP 668), so that one gets it per user.
if [ "$purpose" = test ] && ! python3 -c 'import pymongo' 2>/dev/null; then
  echo "==> pip install pymongo"
  python3 -m pip install --quiet 'pymongo>=4,<5' 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages 'pymongo>=4,<5'
fi

if ! command -v cargo >/dev/null; then
  echo "error: no Rust toolchain: install one with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi
if [ "$purpose" = test ] && command -v rustup >/dev/null; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
# Vite 8 needs Node 20.19+ or 22.12+ (Debian 12's own nodejs is 18).
if ! command -v node >/dev/null || ! command -v npm >/dev/null \
   || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)||(a===20&&b>=19)?0:1)'; then
  echo "error: Node.js 20.19+ or 22.12+ with npm is needed (found: $(node -v 2>/dev/null || echo none)); install it from nodejs.org or NodeSource" >&2
  exit 1
fi

echo "==> npm ci (ui/)"
npm ci --prefix ui --no-audit --no-fund --loglevel=error
if [ "$purpose" = test ]; then
  # Other tools' own libraries for the parity tests (simple-encryptor: Beekeeper's and
  # DbGate's seal).
  echo "==> npm ci (tests/node/)"
  npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
fi

if [ "$purpose" = test ]; then
  cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if ! command -v tauri-driver >/dev/null && [ ! -x "$cargo_bin/tauri-driver" ]; then
    echo "==> cargo install tauri-driver"
    cargo install tauri-driver --locked --version '^2' --quiet
  fi
fi
