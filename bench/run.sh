#!/usr/bin/env bash
# Runs Inflight's benchmarks in one command: builds Release, optionally runs the BenchmarkDotNet
# suite, then the load driver (fake upstream, gateway and optional peer gateway as separate
# processes on 127.0.0.1) several times, reporting medians. Results land in bench/results/ (ignored by git).
#
#   bench/run.sh                       load cases, 3 repetitions
#   bench/run.sh --micro               also the BenchmarkDotNet suite (a few minutes)
#   bench/run.sh --peer portkey        also run the same cases through Portkey's gateway (installed here)
#   bench/run.sh --repeat 5 --cases plain,stream   any other option goes to the load driver
set -euo pipefail
cd "$(dirname "$0")/.."

micro=false
peer=""
repeat=3
driver_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --micro) micro=true ;;
    --peer) peer="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    *) driver_args+=("$1") ;;
  esac
  shift
done

results="bench/results"
mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

echo "== build (Release)"
dotnet build -c Release bench/Inflight.Load -v quiet -nologo
if $micro; then
  dotnet build -c Release bench/Inflight.Benchmarks -v quiet -nologo
fi

if [ "$peer" = "portkey" ]; then
  # Portkey's open-source gateway from npm, into a git-ignored folder beside this script.
  portkey_dir="bench/.peers/portkey"
  if [ ! -f "$portkey_dir/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
    echo "== installing @portkey-ai/gateway into $portkey_dir"
    mkdir -p "$portkey_dir"
    (cd "$portkey_dir" && npm install --no-audit --no-fund --silent @portkey-ai/gateway@1.15.2)
  fi
  driver_args+=(--peer portkey --portkey-dir "$portkey_dir")
elif [ -n "$peer" ]; then
  echo "unknown peer '$peer' (only portkey is supported)" >&2
  exit 2
fi

if $micro; then
  echo "== BenchmarkDotNet"
  (cd "$results" && dotnet ../../artifacts/bin/Inflight.Benchmarks/release/Inflight.Benchmarks.dll --filter '*')
fi

# 10,000 held streams need about 20,000 sockets in the gateway alone.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "== load driver ($repeat repetitions)"
dotnet artifacts/bin/Inflight.Load/release/Inflight.Load.dll --repeat "$repeat" \
  --out "$results/load-$stamp.md" --json "$results/load-$stamp.json" "${driver_args[@]}"
echo "Report: $results/load-$stamp.md"
