#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (Debian's Chromium for the
# dashboard's browser tests, Debian's promtool for the Prometheus scrape, the pinned Claude Code
# and Codex CLIs) when it is missing, so a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing and cannot be installed here (needs root and apt-get)." >&2
    exit 1
  fi
fi

# Debian's promtool (package prometheus) lints the /metrics/prometheus scrape.
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's prometheus (promtool) for the Prometheus endpoint tests..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "promtool is missing and cannot be installed here (needs root and apt-get)." >&2
    exit 1
  fi
fi

# The real CLIs the acceptance tests drive (Claude Code, Codex), pinned by tools/clients/package-lock.json.
# Installed into tools/clients/node_modules (git-ignored); reinstalled when the lock file changes.
clients=tools/clients
if ! cmp -s "$clients/package-lock.json" "$clients/node_modules/.package-lock.json.installed" 2>/dev/null; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: the Claude Code and Codex acceptance tests need it (apt-get install nodejs npm)." >&2
    exit 1
  fi
  echo "Installing the pinned Claude Code and Codex CLIs..."
  npm ci --prefix "$clients" --no-audit --no-fund --loglevel=error >/dev/null
  cp "$clients/package-lock.json" "$clients/node_modules/.package-lock.json.installed"
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test --solution Inflight.slnx "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line that any CI reader understands.
succeeded=$(grep -E '^\s*succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s*failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
skipped=$(grep -E '^\s*skipped: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
echo "Tests: ${succeeded} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "${succeeded}" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
exit "$status"
