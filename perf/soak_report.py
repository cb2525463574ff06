#!/usr/bin/python3
"""The soak run's verdict (perf/soak), from the records in its output directory: samples.csv
(RSS, mbuf pools, flows, drops every few seconds), events.csv (what the run did when) and
fates.json (tests/e2e/connection_fates.py). Prints the summary, writes summary.json beside the
records and exits 1 when sluiced's RSS or the mbufs in use of any pool grew by more than the
limit from the start of the steady part (the first three samples after the warm-up) to its end
(the last three), or when a connection broke that was not on a backend killed while it was open.

RSS growth is relative to the first reading; mbuf growth is relative to the pool's size (the
in-use count of an idle pool is near zero, so a share of it would judge noise).

usage: soak_report.py OUTDIR WARMUP_SECONDS [LIMIT_PERCENT]
"""
import csv
import json
import statistics
import sys

out_dir, warmup = sys.argv[1], float(sys.argv[2])
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0

with open(f"{out_dir}/samples.csv") as f:
    samples = list(csv.DictReader(f))
with open(f"{out_dir}/events.csv") as f:
    events = list(csv.DictReader(f))
with open(f"{out_dir}/fates.json") as f:
    fates = json.load(f)

start = float(events[0]["unix"])
steady = [s for s in samples if float(s["elapsed"]) >= warmup]
problems = []
if len(steady) < 6:
    print(f"only {len(steady)} samples after the {warmup:.0f} s warm-up: nothing to compare")
    sys.exit(1)
first, last = steady[0], steady[-1]


def growth(column, base):
    """First and last readings after the warm-up, the highest, and the verdict's change: the median
    of the first three readings against the median of the last three (a single RSS reading swings
    by a few hundred kB as the allocator returns and takes pages)."""
    values = [float(s[column]) for s in steady]
    a, b = statistics.median(values[:3]), statistics.median(values[-3:])
    return {"first": values[0], "last": values[-1], "max": max(values),
            "first_median3": a, "last_median3": b, "change": b - a,
            "change_percent": 100.0 * (b - a) / base if base else 0.0}


summary = {"duration_s": float(samples[-1]["elapsed"]), "warmup_s": warmup,
           "samples": len(samples), "first_compared_at_s": float(first["elapsed"]),
           "limit_percent": limit}
summary["rss_kb"] = growth("rss_kb", statistics.median(float(s["rss_kb"]) for s in steady[:3]))
pools = [c[len("in_use:"):] for c in samples[0] if c.startswith("in_use:")]
summary["pools"] = {}
for p in pools:
    summary["pools"][p] = growth(f"in_use:{p}", float(first[f"size:{p}"]))
    summary["pools"][p]["size"] = int(first[f"size:{p}"])

print(f"soak: {summary['duration_s']:.0f} s, {len(samples)} samples; compared from the first "
      f"samples after the {warmup:.0f} s warm-up (from {summary['first_compared_at_s']:.0f} s) "
      f"to the last")
r = summary["rss_kb"]
print(f"  RSS: {r['first']:.0f} kB -> {r['last']:.0f} kB (max {r['max']:.0f}); medians of three "
      f"{r['first_median3']:.0f} -> {r['last_median3']:.0f} kB, {r['change_percent']:+.2f} %")
for part, what in (("rss_anon_kb", "anonymous (heap)"), ("rss_file_kb", "file-backed (libraries)")):
    if part in first:
        g = summary[part] = growth(part, summary["rss_kb"]["first_median3"])
        print(f"    of it {what}: {g['first_median3']:.0f} -> {g['last_median3']:.0f} kB "
              f"(max {g['max']:.0f}), {g['change_percent']:+.2f} % of RSS")
h = summary["hugetlb_kb"] = growth("hugetlb_kb", float(first["hugetlb_kb"]))
print(f"  hugepages mapped: {h['first']:.0f} kB -> {h['last']:.0f} kB (max {h['max']:.0f})")
if r["change_percent"] > limit:
    problems.append(f"RSS grew {r['change_percent']:.2f} % (limit {limit} %)")
for p, g in summary["pools"].items():
    print(f"  mbufs in use, {p} ({g['size']}): {g['first']:.0f} -> {g['last']:.0f} "
          f"(max {g['max']:.0f}); medians of three {g['first_median3']:.0f} -> "
          f"{g['last_median3']:.0f}, {g['change_percent']:+.2f} % of the pool")
    if g["change_percent"] > limit:
        problems.append(f"{p}: mbufs in use grew by {g['change_percent']:.2f} % of the pool "
                        f"(limit {limit} %)")

flow_columns = [c for c in samples[0] if c.startswith("flows:")]
summary["flows"] = {c[len("flows:"):]: {"last": int(last[c]),
                                          "max": max(int(s[c]) for s in samples)}
                    for c in flow_columns}
print("  flows active per worker (last, max): " + ", ".join(
    f"worker {w}: {v['last']}, {v['max']}" for w, v in summary["flows"].items()))
drops = {c[len("drops:"):]: int(last[c]) - int(samples[0][c])
         for c in samples[0] if c.startswith("drops:")}
summary["drops"] = {k: v for k, v in drops.items() if v}
print("  drops by reason over the run: " +
      (", ".join(f"{k} {v}" for k, v in sorted(summary["drops"].items(), key=lambda kv: -kv[1]))
       or "none"))

counts = {}
for e in events:
    counts[e["event"]] = counts.get(e["event"], 0) + 1
summary["events"] = counts
print("  churn: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

# A kill, stamped before the signal and after it was sent, excuses a broken connection on its
# backend that was open by the second stamp and broke after the first.
kills = []
for i, e in enumerate(events):
    if e["event"] != "backend_killed":
        continue
    then = next((f for f in events[i + 1:] if f["detail"] == e["detail"] and
                 f["event"] in ("backend_kill_sent", "kill_failed", "backend_killed")), None)
    if then is not None and then["event"] == "kill_failed":
        continue
    sent = then if then is not None and then["event"] == "backend_kill_sent" else e
    kills.append((float(e["unix"]), float(sent["unix"]), e["detail"]))
conns = fates["connections"]
by_service = {}
broken_unexcused = []
for c in conns:
    s = by_service.setdefault(c["service"], {"connections": 0, "exchanges": 0, "broke": 0,
                                             "broke_on_killed_backend": 0, "how": {}})
    s["connections"] += 1
    s["exchanges"] += c["exchanges"]
    c["backend_killed"] = None
    if c["how"] == "closed":
        s["closed"] = s.get("closed", 0) + 1
    if c["broke"] is None or c["how"] == "closed":
        continue
    s["broke"] += 1
    s["how"][c["how"]] = s["how"].get(c["how"], 0) + 1
    hit = [before for before, after, be in kills
           if be == c["backend"] and c["opened"] <= after and before <= c["broke"]]
    if hit:
        c["backend_killed"] = round(hit[-1] - start, 3)
        s["broke_on_killed_backend"] += 1
    else:
        broken_unexcused.append(c)
summary["connections"] = by_service
summary["open_failures"] = fates["open_failures"]
summary["udp"] = fates["udp"]
print("  connections (service: opened, closed by the client at their lifetime, exchanges, broke, "
      "of them on a killed backend):")
for name, s in by_service.items():
    print(f"    {name}: {s['connections']}, {s.get('closed', 0)}, {s['exchanges']}, {s['broke']} "
          f"{s['how'] or ''}, {s['broke_on_killed_backend']}; "
          f"failed opens {fates['open_failures'].get(name, 0)}")
u = fates["udp"]
print(f"  UDP: {u['udp_answered']} of {u['udp_sent']} answered")
print("  every connection's fate (id service backend opened exchanges ended how killed-at):")
for c in conns:
    opened = c["opened"] - start
    broke = "-" if c["broke"] is None else f"{c['broke'] - start:.1f}"
    killed = "-" if c["backend_killed"] is None else f"{c['backend_killed']:.1f}"
    print(f"    {c['id']:>4} {c['service']:<8} {c['backend']:<4} {opened:>8.1f} "
          f"{c['exchanges']:>8} {broke:>8} {c['how'] or 'alive':<8} {killed}")
for c in broken_unexcused:
    problems.append(f"connection {c['id']} ({c['service']} on {c['backend']}) broke ({c['how']}) "
                    f"at {c['broke'] - start:.1f} s with its backend never killed while it was open")
summary["fates"] = conns
summary["problems"] = problems
with open(f"{out_dir}/summary.json", "w") as f:
    json.dump(summary, f, indent=1)
for p in problems:
    print("FAIL: " + p)
print("PASS" if not problems else f"FAIL: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
