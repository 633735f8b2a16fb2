#!/usr/bin/env bash
# Where the gateway's CPU goes on one load case: runs the case alone (longer than usual) with `perf record` on the
# gateway process while it serves the case, then writes each symbol's share of the samples as µs per request
# (share × the load driver's measured gateway CPU per request). Two such tables side by side (profile-diff.py)
# show what one path costs that another does not.
#
#   bench/profile/profile-case.sh claude-translated-warm-c16 out/translated        → out/translated.syms.tsv
#   bench/profile/profile-case.sh claude-passthrough-anthropic-c16 out/passthrough
#   bench/profile/profile-diff.py out/translated.syms.tsv out/passthrough.syms.tsv
#
# Needs `perf` (Debian's linux-perf). Extra arguments go to the load driver (e.g. --gateway path/to/Inflight.dll).
set -euo pipefail
cd "$(dirname "$0")/../.."
case_name="$1"; out="$2"; shift 2
mkdir -p "$(dirname "$out")"
dotnet build -c Release bench/Inflight.Load -v quiet -nologo >/dev/null

# JIT-compiled code is named through /tmp/perf-PID.map; W^X off so perf can read the maps.
dotnet artifacts/bin/Inflight.Load/release/Inflight.Load.dll --repeat 1 --cases "$case_name" --scale 10 \
  --gateway-env DOTNET_PerfMapEnabled=3 --gateway-env DOTNET_EnableWriteXorExecute=0 "$@" \
  --out "$out.md" >"$out.log" 2>&1 &
driver=$!

# The driver logs the direct target's result, then the gateway's run starts: record a few seconds of it.
for _ in $(seq 1 1500); do
  grep -q "^$case_name .*direct" "$out.log" 2>/dev/null && break
  kill -0 "$driver" 2>/dev/null || break
  sleep 0.2
done
pid="$(sed -nE 's/^gateway .*\(pid ([0-9]+)\)$/\1/p' "$out.log" | head -1)" # the driver's own gateway (it logs its pid)
perf record -F 499 -p "$pid" -o "$out.perf" -- sleep 6 >/dev/null 2>&1
wait "$driver"

cpu="$(grep -E "^$case_name +inflight" "$out.log" | sed -E 's/.*cpu +([0-9]+) us\/req.*/\1/')"
echo "$case_name: gateway CPU $cpu µs/request (perf samples: $out.perf)"
perf report -i "$out.perf" -n --sort sym --stdio 2>/dev/null \
  | awk -v cpu="$cpu" '/^ +[0-9.]+%/ { pct=$1; sub("%","",pct); n=$2; $1=""; $2=""; $3=""; sub(/^ +/,""); rows[NR]=n "\t" $0; total+=n }
      END { for (r in rows) { split(rows[r], f, "\t"); printf "%.2f\t%s\n", f[1]/total*cpu, f[2] } }' \
  | sort -t$'\t' -k1,1nr >"$out.syms.tsv"
head -15 "$out.syms.tsv"
