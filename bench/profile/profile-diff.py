#!/usr/bin/env python3
"""Two profile-case.sh tables side by side: µs per request per symbol in A and B, largest differences first.

JIT tiers and addresses are folded so the same method compares across runs.
"""
import re
import sys


def load(path):
    table = {}
    for line in open(path, encoding="utf-8"):
        us, _, symbol = line.rstrip("\n").partition("\t")
        symbol = re.sub(r"\[(OptimizedTier1|Optimized|Tier0|Tier1|QuickJitted|OptimizedTier1OSR|Instrumented[^\]]*)\]", "", symbol).strip()
        symbol = re.sub(r"0x[0-9a-f]+", "X", symbol)
        table[symbol] = table.get(symbol, 0.0) + float(us)
    return table


a, b = load(sys.argv[1]), load(sys.argv[2])
rows = sorted(set(a) | set(b), key=lambda s: -(a.get(s, 0) - b.get(s, 0)))
print(f"{'A µs':>8} {'B µs':>8} {'A − B':>8}  symbol   (A: {sys.argv[1]}, B: {sys.argv[2]}; totals {sum(a.values()):.0f} / {sum(b.values()):.0f})")
count = int(sys.argv[3]) if len(sys.argv) > 3 else 30
for symbol in rows[:count] + ["..."] + rows[-10:]:
    if symbol == "...":
        print("     ...")
        continue
    print(f"{a.get(symbol, 0):8.1f} {b.get(symbol, 0):8.1f} {a.get(symbol, 0) - b.get(symbol, 0):+8.1f}  {symbol[:140]}")
