#!/usr/bin/env python3
"""Ingest benchmark: mentionctl ingest + export against its peers.

Generates (once, cached) a genfeeds.py corpus and times, on the same files,
in the same run:
  * mentionctl ingest (fresh database) followed by mentionctl export,
  * ../shared/bench/baseline_feedparser.py (Python feedparser pipeline, the
    peer to beat),
  * xmllint --noout (libxml2 parsing alone: a floor for any libxml2 tool).
Prints the median wall time of several runs, throughput, peak RSS and the
ratios, and checks that our CSV equals genfeeds' expected CSV and the
baseline's.  Numbers, not assertions: this machine is shared and noisy.

Usage: bench/ingest.py [--build DIR] [--runs N] [--peer-runs N]
                       [--sources 100 --polls 4 --items 30 --seed 2]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def run(cmd, **kw):
    """Run cmd; return (wall seconds, peak RSS of that child in MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}")
    del before
    return wall, ru.ru_maxrss / 1024.0


def corpus(args, shared):
    key = f"s{args.sources}-p{args.polls}-i{args.items}-seed{args.seed}"
    cache = os.path.join(tempfile.gettempdir(), "mentiond-bench", key)
    if not os.path.exists(os.path.join(cache, "expected", "day.csv")):
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        subprocess.run([sys.executable, os.path.join(shared, "genfeeds.py"), cache,
                        "--sources", str(args.sources), "--polls", str(args.polls),
                        "--items", str(args.items), "--seed", str(args.seed)],
                       check=True)
    files = []
    for root, _, names in os.walk(os.path.join(cache, "feeds")):
        files += [os.path.join(root, n) for n in names]
    return cache, sorted(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=TOP, help="build directory holding mentionctl")
    ap.add_argument("--shared", default=os.path.join(TOP, "..", "shared", "bench"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peer-runs", type=int, default=1)
    ap.add_argument("--sources", type=int, default=100)
    ap.add_argument("--polls", type=int, default=4)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2)
    a = ap.parse_args()

    ctl = os.path.join(a.build, "mentionctl")
    if not os.access(ctl, os.X_OK):
        sys.exit(f"{ctl}: not built (run make, or pass --build)")
    cache, files = corpus(a, a.shared)
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    conf = os.path.join(cache, "mentiond.conf")
    work = tempfile.mkdtemp(prefix="mentiond-bench-")
    db = os.path.join(work, "bench.db")
    print(f"corpus: {len(files)} files, {mb:.1f} MB "
          f"(genfeeds --sources {a.sources} --polls {a.polls} --items {a.items} "
          f"--seed {a.seed})")

    ours, rss, ingest_only = [], [], []
    out = os.path.join(work, "ours.csv")
    for _ in range(a.runs):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        t1, r1 = run([ctl, "-q", "-c", conf, "--db", db, "ingest",
                      os.path.join(cache, "feeds")])
        with open(out, "w") as fp:
            t2, r2 = run([ctl, "-c", conf, "--db", db, "export"], stdout=fp)
        ingest_only.append(t1)
        ours.append(t1 + t2)
        rss.append(max(r1, r2))

    xl = []
    if shutil.which("xmllint"):
        for _ in range(a.runs):
            xl.append(run(["xmllint", "--noout"] + files,
                          stderr=subprocess.DEVNULL)[0])

    base, base_rss = [], []
    base_csv = os.path.join(work, "baseline.csv")
    have_fp = subprocess.run(["/usr/bin/python3", "-c", "import feedparser"],
                             stderr=subprocess.DEVNULL).returncode == 0
    if have_fp:
        for _ in range(a.peer_runs):
            with open(base_csv, "w") as fp:
                t, r = run(["/usr/bin/python3", os.path.join(a.shared, "baseline_feedparser.py"),
                            os.path.join(cache, "rules.conf"),
                            os.path.join(cache, "feeds")], stdout=fp)
            base.append(t)
            base_rss.append(r)

    med = statistics.median
    print(f"\n{'tool':34} {'median s':>9} {'MB/s':>8} {'peak RSS MB':>12} {'vs peer':>8}")
    peer = med(base) if base else None

    def row(name, times, rsses=None):
        m = med(times)
        ratio = f"{peer / m:7.1f}x" if peer else "      -"
        r = f"{max(rsses):12.1f}" if rsses else f"{'-':>12}"
        print(f"{name:34} {m:9.2f} {mb / m:8.1f} {r} {ratio}")

    row(f"mentionctl ingest+export (n={a.runs})", ours, rss)
    row(f"  of which ingest", ingest_only)
    if base:
        row(f"baseline_feedparser.py (n={a.peer_runs})", base, base_rss)
    else:
        print("baseline_feedparser.py: skipped (apt-get install python3-feedparser)")
    if xl:
        row(f"xmllint --noout (n={a.runs})", xl)
    else:
        print("xmllint: skipped (apt-get install libxml2-utils)")

    diff = os.path.join(a.shared, "csvdiff.py")
    r = subprocess.run([sys.executable, diff, os.path.join(cache, "expected", "day.csv"), out],
                       capture_output=True, text=True)
    print(f"\nours vs expected/day.csv: {r.stdout.strip().splitlines()[-1]}")
    if base:
        r = subprocess.run([sys.executable, diff, base_csv, out], capture_output=True, text=True)
        print(f"ours vs baseline:         {r.stdout.strip().splitlines()[-1]}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
