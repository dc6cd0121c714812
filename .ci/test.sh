#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is needed, checks formatting,
# lints and generated types, then runs every test against the real parts (SQLite file,
# gnome-keyring's Secret Service, throwaway PostgreSQL with TLS, the real window under
# Xvfb), and finally scans every data directory the tests wrote for test secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

bash .ci/setup.sh test
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
export CARGO_TERM_COLOR=never

echo "==> UI: type check and build"
npm --prefix ui run build --silent

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "==> cargo build"
cargo build --workspace --quiet

root=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-tests.XXXXXX")
marker="sbsecret$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export SWITCHBOARD_TEST_ROOT="$root" SWITCHBOARD_TEST_SECRET_MARKER="$marker"
cleanup() { rm -rf "$root"; }
trap cleanup EXIT

echo "==> cargo test (inside a D-Bus session with gnome-keyring, under Xvfb)"
.ci/with-session.sh cargo test --workspace --no-fail-fast

echo "==> generated TypeScript types are up to date"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  stale=$(git -C "$repo" status --porcelain -- ui/src/bindings)
  if [ -n "$stale" ]; then
    echo "ui/src/bindings differs from what the Rust types generate; commit the regenerated files:" >&2
    echo "$stale" >&2
    exit 1
  fi
fi

echo "==> secret scan of every data directory the tests wrote"
data="$root/switchboard-data"
dbs=$(find "$data" -name switchboard.db | wc -l)
logs=$(find "$data" -name switchboard.log -size +0 | wc -l)
if [ "$dbs" -lt 10 ] || [ "$logs" -lt 1 ]; then
  echo "secret scan: expected the tests' data dirs (found $dbs databases, $logs logs)" >&2
  exit 1
fi
# The scan itself must be able to find the marker, or it proves nothing.
printf 'canary %s canary' "$marker" > "$root/canary"
grep -rqa -- "$marker" "$root/canary" || { echo "secret scan: canary not found" >&2; exit 1; }
if leaks=$(grep -rla -- "$marker" "$data"); then
  echo "secret scan: test secrets found on disk:" >&2
  echo "$leaks" >&2
  exit 1
fi
echo "secret scan: $dbs databases (with WAL files) and $logs logs hold no test secret"
