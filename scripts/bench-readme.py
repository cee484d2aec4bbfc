#!/usr/bin/env python3
# scripts/bench-readme.py: the README's "How fast" tables, from one
# `make bench` run's build/bench/results.json, so that they are never typed
# by hand.
#
#   scripts/bench-readme.py [RESULTS.json] [--update README.md]
#
# Prints the tables (medians) and the targets with their ratios; with
# --update, replaces what lies between the README's "<!-- bench:begin -->"
# and "<!-- bench:end -->" lines.
import json
import sys

# (row label, measurement, unit shown, scale applied to the median)
ROWS = [
    ("per message, no blocking, 64 B (ns)", "per message, no blocking, 64 B", 1),
    ("round trip, 64 B (µs)", "round trip 64 B", 1),
    ("one-way, 64 B (msg/s)", "throughput 64 B", 1),
    ("one-way, 4 KiB (msg/s)", "throughput 4096 B", 1),
    ("fan-in 4→1, 64 B (msg/s)", "fan-in 4 -> 1, 64 B", 1),
    ("1 pair, 64 B (msg/s)", "1 pair, 64 B, msg/s (as 16 pairs)", 1),
    ("16 pairs, 64 B, all (msg/s)", "16 pairs, 64 B, msg/s (all pairs)", 1),
    ("send → signal handler (µs)", "notify: send -> signal handler", 1),
    ("send → poll wake-up (µs)", "notify: send -> poll wake-up", 1),
    ("create one queue (µs)", "create one queue", 1),
    ("list 10,000 queues, in-process (ms)", "list all queues (in-process)", 1e-3),
    ("list 10,000 queues, command (ms)", "list all queues (command)", 1e-3),
]
COLUMNS = ["kipc", "pipe", "POSIX mq", "SysV msg"]


def fmt(v):
    if v >= 100000:
        return "%.0fk" % (v / 1000)
    if v >= 1000:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def tables(d):
    med = {}
    for r in d["results"]:
        if r.get("median") is not None and not r["failed"]:
            med[(r["measurement"], r["mechanism"])] = r["median"]
    out = ["| measurement | " + " | ".join(COLUMNS) + " | other |",
           "|---|" + "---:|" * len(COLUMNS) + "---|"]
    for label, group, scale in ROWS:
        cells, other = [], []
        for m in COLUMNS:
            v = med.get((group, m))
            cells.append(fmt(v * scale) if v is not None else "")
        for (g, m), v in med.items():
            if g == group and m not in COLUMNS:
                other.append("%s %s" % (m, fmt(v * scale)))
        if any(cells) or other:
            out.append("| %s | %s | %s |" % (label, " | ".join(cells),
                                             ", ".join(other)))
    out += ["", "| target (issues 8 and 16) | value | holds |", "|---|---:|---|"]
    for t in d["targets"]:
        if t["value"] is None:
            out.append("| %s | — | not measured |" % t["target"])
        else:
            out.append("| %s | %.2f | %s |" % (t["target"], t["value"],
                                               "yes" if t["holds"] else "**no**"))
    return "\n".join(out)


def main(argv):
    path, readme = "build/bench/results.json", None
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--update" and args:
            readme = args.pop(0)
        else:
            path = a
    with open(path) as f:
        d = json.load(f)
    head = ("From one `make bench` run: %s under QEMU TCG, %d CPUs, "
            "clocksource %s; medians of %d interleaved trials%s." %
            (d["kernel"], d["cpus"], d["clocksource"], d["trials"],
             " (--quick: a smoke test, not a measurement)" if d["quick"] else ""))
    text = head + "\n\n" + tables(d)
    if not readme:
        print(text)
        return 0
    with open(readme) as f:
        lines = f.read().split("\n")
    try:
        b = lines.index("<!-- bench:begin -->")
        e = lines.index("<!-- bench:end -->")
    except ValueError:
        print("bench-readme: no bench:begin/end markers in " + readme, file=sys.stderr)
        return 1
    lines[b + 1:e] = text.split("\n")
    with open(readme, "w") as f:
        f.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
