#!/usr/bin/env python3
"""Analytics benchmark: exports and trend commands over a year of rollups.

Builds (once, cached) a database holding one year of hourly rollups, up to
now, for 200 rules and 500 sources: each source ingests ~24 items a day,
each item matching ~1.5 rules (popular rules far more often than rare ones),
with totals, per-rule and per-source rollups and co-occurrence, written in
mentiond's own cell format.  The schema is made by mentionctl itself.  Then
times, as medians of several runs:
  export (day buckets, all rules, the whole year), export --format wide,
  export --tz America/New_York, export --per-source, cooccur, spikes, top.
Target (issue 5): export, cooccur, spikes and top answer in <= 300 ms.

Usage: bench/analytics.py [--build DIR] [--runs 5] [--rules 200] [--sources 500]
"""
import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def zigzag(v):
    return (v << 1) ^ (v >> 63) if v >= 0 else ((-v) << 1) - 1


def varint(v, out):
    u = zigzag(v)
    while u >= 0x80:
        out.append((u & 0x7f) | 0x80)
        u >>= 7
    out.append(u)


def cells(triples):
    """(key, v1, v2) triples, sorted by key, as mentiond's cell blob."""
    out = bytearray()
    for k, a, b in sorted(triples):
        varint(k, out)
        varint(a, out)
        varint(b, out)
    return bytes(out)


def build(path, ctl, nrules, nsources, days, seed):
    r = random.Random(seed)
    work = os.path.dirname(path)
    conf = os.path.join(work, "bench.conf")
    with open(conf, "w") as f:
        f.write(f"[mentiond]\ndatabase = {path}\n")
        for i in range(nrules):
            kind = "party" if i < nrules // 4 else "term"
            f.write(f'[rule "r{i:03d}"]\nkind = {kind}\nmatch = \\bword{i:03d}\\b\n')
    feed = os.path.join(work, "empty.xml")
    with open(feed, "w") as f:
        f.write("<rss><channel><title>t</title></channel></rss>")
    subprocess.run([ctl, "-q", "-c", conf, "ingest", "--source", "s000", feed],
                   check=True)
    db = sqlite3.connect(path)
    db.execute("BEGIN")
    for s in range(1, nsources):
        db.execute("INSERT OR IGNORE INTO source (name) VALUES (?)", (f"s{s:03d}",))
    src_ids = [row[0] for row in db.execute("SELECT id FROM source ORDER BY name")]
    rule_ids = [row[0] for row in db.execute("SELECT id FROM rule ORDER BY name")]
    ruleset = db.execute("SELECT id FROM ruleset").fetchone()[0]
    # Zipf-like popularity of rules.
    weights = [1.0 / (i + 1) ** 0.8 for i in range(nrules)]
    end_day = int(time.time()) // 86400
    for day in range(end_day - days + 1, end_day + 1):
        per_rule = {}
        tot_all = {}
        pairs = {}
        for si, sid in enumerate(src_ids):
            per_src = {}
            tot = {}
            for _ in range(r.randint(18, 30)):
                hour = r.randrange(24)
                tot[hour] = tot.get(hour, 0) + 1
                tot_all[hour] = tot_all.get(hour, 0) + 1
                k = 1 if r.random() < 0.6 else 2 if r.random() < 0.8 else 3
                hit = sorted(set(r.choices(range(nrules), weights, k=k)))
                for ri in hit:
                    m = r.randint(1, 4)
                    key = (rule_ids[ri] * 32 + hour)
                    a, b = per_src.get(key, (0, 0))
                    per_src[key] = (a + 1, b + m)
                    a, b = per_rule.setdefault(rule_ids[ri], {}).get(hour, (0, 0))
                    per_rule[rule_ids[ri]][hour] = (a + 1, b + m)
                for x in range(len(hit)):
                    for y in range(x + 1, len(hit)):
                        ka = rule_ids[hit[x]]
                        kb = rule_ids[hit[y]] * 32 + hour
                        d = pairs.setdefault(ka, {})
                        d[kb] = d.get(kb, 0) + 1
            for axis in (0, 1):
                db.execute("INSERT INTO rollup VALUES (?,?,?,?)", (axis, day, sid,
                           cells((k, a, b) for k, (a, b) in per_src.items())))
                db.execute("INSERT INTO total VALUES (?,?,?,?)", (axis, day, sid,
                           cells((h, n, 0) for h, n in tot.items())))
        for axis in (0, 1):
            db.execute("INSERT INTO total VALUES (?,?,0,?)", (axis, day,
                       cells((h, n, 0) for h, n in tot_all.items())))
            for rid, hours in per_rule.items():
                db.execute("INSERT INTO rollup_rule VALUES (?,?,?,?)", (axis, day, rid,
                           cells((h, a, b) for h, (a, b) in hours.items())))
            for ka, d in pairs.items():
                db.execute("INSERT INTO cooccur VALUES (?,?,?,?)", (axis, day, ka,
                           cells((kb, n, 0) for kb, n in d.items())))
            db.execute("INSERT INTO version VALUES (?,?,?)", (axis, day, ruleset))
    db.execute("COMMIT")
    db.execute("VACUUM")
    db.close()
    return conf


def timed(cmd, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=TOP)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rules", type=int, default=200)
    ap.add_argument("--sources", type=int, default=500)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ctl = os.path.join(a.build, "mentionctl")
    cache = os.path.join(tempfile.gettempdir(), "mentiond-bench",
                         f"analytics-{a.rules}r-{a.sources}s-{a.days}d-{a.seed}")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, "year.db")
    stamp = os.path.join(cache, "built-day")
    today = str(int(time.time()) // 86400)
    if not os.path.exists(stamp) or open(stamp).read() != today:
        for f in os.listdir(cache):
            os.unlink(os.path.join(cache, f))
        t0 = time.perf_counter()
        print(f"building {a.days} days x {a.rules} rules x {a.sources} sources ...",
              flush=True)
        conf = build(path, ctl, a.rules, a.sources, a.days, a.seed)
        with open(stamp, "w") as f:
            f.write(today)
        print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)
    conf = os.path.join(cache, "bench.conf")
    size = os.path.getsize(path) / 1e6
    db = sqlite3.connect(path)
    nrows = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("rollup", "rollup_rule", "total", "cooccur")}
    db.close()
    print(f"database: {size:.0f} MB; rows: " +
          ", ".join(f"{t} {n}" for t, n in nrows.items()))
    base = [ctl, "-c", conf]
    cases = [
        ("export (day, all rules, 1 year)", base + ["export"]),
        ("export --format wide", base + ["export", "--format", "wide"]),
        ("export --tz America/New_York", base + ["export", "--tz", "America/New_York"]),
        ("export --bucket week --measure share", base + ["export", "--bucket", "week",
                                                         "--measure", "share"]),
        ("cooccur (day, 1 year)", base + ["cooccur"]),
        ("spikes (day, all rules)", base + ["spikes", "--csv"]),
        ("top --since 24h", base + ["top", "--csv"]),
        ("top --since 30d", base + ["top", "--since", "30d", "--csv"]),
        ("export --per-source (1 year)", base + ["export", "--per-source"]),
    ]
    print(f"\n{'command':42} {'median ms':>10}   (runs={a.runs}; target <= 300 ms)")
    for name, cmd in cases:
        ms = timed(cmd, a.runs) * 1000
        print(f"{name:42} {ms:10.0f}")


if __name__ == "__main__":
    main()
