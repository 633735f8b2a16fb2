#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (Debian's Chromium for the
# dashboard's browser tests, Debian's promtool for the Prometheus scrape, Debian's PostgreSQL for the
# history store, Debian's redis-server for cluster mode, the pinned Claude Code and Codex CLIs) when it is missing, so a fresh machine
# needs nothing else.
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

# Installs Debian package $2 (for $3) unless $1 says it is there; needs root and apt-get.
install_debian_package() {
  if eval "$1" >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's $2 for $3..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
  else
    echo "$2 is missing and cannot be installed here (needs root and apt-get); $3 need it." >&2
    exit 1
  fi
}

# promtool lints the /metrics/prometheus scrape; PostgreSQL runs the history store suite in a temp cluster.
install_debian_package "command -v promtool" prometheus "the Prometheus endpoint tests"
install_debian_package "ls /usr/lib/postgresql/*/bin/initdb || command -v initdb" postgresql "the history store tests"
# redis-server backs the cluster-mode tests (three replicas on one Redis).
install_debian_package "command -v redis-server" redis-server "the cluster tests"

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

# Every gateway a test starts is configured by that test. Inflight's own settings and provider keys in this
# shell (a real OPENAI_API_KEY, PORT, REDIS_URL, ...) would leak into those hosts, so they are cleared here.
for name in $(compgen -e); do
  case "$name" in
    HOST|PORT|PROXY_API_KEY|PROXY_API_KEYS|AUTH_FAILURE_*|REQUEST_TIMEOUT|STREAM_PING_INTERVAL|CLIENT_WRITE_TIMEOUT| \
    SHUTDOWN_TIMEOUT|MAX_REQUEST_BYTES|ALLOWED_HOSTS|TRUSTED_PROXIES|COOKIE_SECURE|LOG_REQUEST_METRICS|VDM_*| \
    INFLIGHT_*|OTEL_*|REDIS_URL|DEMO_*|*_API_KEY|*_BASE_URL|*_API_FORMAT)
      unset "$name" ;;
  esac
done

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
# Repeat each failure (name, message, first lines of its stack) at the very end, where a CI log's tail shows it.
if [ "${failed}" -gt 0 ]; then
  echo "Failed tests:"
  awk '/^[[:space:]]*failed [A-Za-z_][A-Za-z0-9_.]*[ (]/ && !/failed with/ {n=14} n>0 {print; n--}' "$log" | grep -v -E '^\s*(info|warn|dbug): ' || true
fi
echo "Tests: ${succeeded} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "${succeeded}" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
exit "$status"
