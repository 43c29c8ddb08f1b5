#!/usr/bin/env python3
"""Remote shards on the Xapian layout (issue 16, docs/scaling.md).

Builds one corpus (data/sample and a small make-corpus corpus) in the store layout, and in
the Xapian layout as one database and as two shards (the files split in two halves), serves
the shards with two stock xapian-tcpsrv processes on 127.0.0.1 (free ports; stopped by this
test, also on failure), and checks on queries sampled from the corpus text (substrings of 1
to 6 characters, ANDs, ORs, NOTs, fields, filters, grouping, --dedup) that the store layout,
the Xapian layout through a stub of `auto` lines, and the two remote shards through a stub
of `remote` lines give the same counts, facets and hit sets (as (source, speech, paragraph)
keys). Then a shard that is down (a closed port) or slow (a socket that accepts and never
answers) is reported by name within --timeout, and --allow-partial skips it and marks the
results partial.

Usage: xapian_shards_test.py SOURCE_DIR BUILD_DIR [SIZE_MB]
Environment: SPEECHDEX_MAKE_CORPUS (make-corpus); the test fails if it or xapian-tcpsrv is
missing.
"""

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SOURCE, BUILD = sys.argv[1], sys.argv[2]
SIZE_MB = sys.argv[3] if len(sys.argv) > 3 else "1"
INDEX = os.path.join(BUILD, "indexer", "speechdex-index")
SEARCH = os.path.join(BUILD, "searcher", "speechdex-search")
FACETS = "county,province,year,topic,role"

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(args, expect=0, timeout=120):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if expect is not None and p.returncode != expect:
        raise SystemExit(
            f"{' '.join(args)}: exit {p.returncode}, expected {expect}\n{p.stderr}{p.stdout[:2000]}")
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def serve(db, procs):
    """Starts xapian-tcpsrv on a free loopback port for `db`; retries on a port race."""
    for _ in range(5):
        port = free_port()
        p = subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), db],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(p)
        if wait_listening(port, p):
            return port
        p.kill()
        p.wait()
    raise SystemExit("xapian-tcpsrv did not start for " + db)


def search(db, query, *options, remote=()):
    args = [SEARCH]
    if db:
        args += ["--db", db]
    for r in remote:
        args += ["--remote", r]
    return run(args + list(options) + (["--", query] if query else []))


def outcome(db, query, options, remote=()):
    """(count, summary line without occurrences, set of hit keys) of a query."""
    count = int(search(db, query, "--count", *options, remote=remote).stdout.strip())
    group = "--group" in options
    facet_opts = [o for o in options]
    if "--dedup" not in options:
        facet_opts += ["--facets", FACETS]
    lines = search(db, query, "-f", "json", "-n", "0", *facet_opts, remote=remote).stdout.splitlines()
    summary = json.loads(lines[0]) if lines else {}
    summary.pop("occurrences", None)  # the store's summary counts them; the Xapian layout does not
    keys = set()
    # Grouped hits are not listed by --all; under --dedup each engine shows a cluster by another
    # member (the store its earliest, Xapian's collapse its best ranked): counts only.
    if not group and "--dedup" not in options:
        plain = [o for o in options if o not in ("--sort", "year")]
        for line in search(db, query, "--all", "-f", "json", "--fields", "source,speech,paragraph",
                           *plain, remote=remote).stdout.splitlines():
            h = json.loads(line)
            keys.add((h["source"], h["speech"], h["paragraph"]))
    return count, summary, keys


def sample_queries(files, rng, n):
    paragraphs = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            paragraphs += [l.strip() for l in fh if len(l.strip()) >= 8]
    cjk = [p for p in paragraphs if any("\u4e00" <= c <= "\u9fff" for c in p)]

    def piece():
        p = rng.choice(cjk)
        for _ in range(20):
            k = rng.randint(1, 6)
            i = rng.randrange(0, max(1, len(p) - k))
            s = p[i:i + k]
            if all("\u4e00" <= c <= "\u9fff" for c in s):
                return s
        return p[:2]

    queries = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            queries.append((piece(), []))
        elif kind == 1:
            queries.append((piece() + " " + piece(), []))
        elif kind == 2:
            queries.append((piece() + " OR " + piece(), []))
        elif kind == 3:
            queries.append((piece() + " -" + piece(), []))
        elif kind == 4:
            queries.append((rng.choice(["title:", "heading:"]) + piece()[:3], []))
        else:
            queries.append((piece(), rng.choice([["--year", "2015..2020"], ["--province", "湖北"],
                                                  ["--boilerplate", "include"],
                                                  ["--boilerplate", "only"], ["--group", "speech"],
                                                  ["--sort", "year"], ["--topic", "rule_of_law"]])))
    queries += [("依法行政", ["--dedup", "paragraph"]), ("发展", ["--dedup", "paragraph"]),
                ("", ["--year", "2019"]), ("(法治 OR 依法) -政府", [])]
    return queries


def main():
    if shutil.which("xapian-tcpsrv") is None:
        raise SystemExit("xapian-tcpsrv is missing: scripts/install-deps installs xapian-tools")
    make_corpus = os.environ.get("SPEECHDEX_MAKE_CORPUS", "")
    work = tempfile.mkdtemp(prefix="speechdex-shards-")
    procs = []
    try:
        corpus = os.path.join(work, "corpus")
        shutil.copytree(os.path.join(SOURCE, "data", "sample"), os.path.join(corpus, "sample"))
        if make_corpus and os.path.exists(make_corpus):
            run([sys.executable, make_corpus, "--size-mb", SIZE_MB, "--seed", "16", "--jobs", "1",
                 "--out", os.path.join(corpus, "synth")])
            os.remove(os.path.join(corpus, "synth", "manifest.tsv"))
        else:
            raise SystemExit("SPEECHDEX_MAKE_CORPUS does not name make-corpus")
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs)
        half = len(files) // 2
        os.chdir(work)
        store, whole = "store", "xapian-whole"
        shards = ["shards/shard1", "shards/shard2"]
        run([INDEX, "-q", "--db", store, "corpus"])
        run([INDEX, "-q", "--layout", "xapian", "--db", whole, "corpus"])
        run([INDEX, "-q", "--layout", "xapian", "--db", shards[0]] + [os.path.relpath(f) for f in files[:half]])
        run([INDEX, "-q", "--layout", "xapian", "--db", shards[1]] + [os.path.relpath(f) for f in files[half:]])
        # The served path is a plain Xapian database: stock tools open it.
        run(["xapian-delve", shards[0]])
        p = run([INDEX, "--check", "--db", shards[0]])
        check(p.stdout.startswith("ok: ") and "Xapian layout" in p.stdout, f"--check: {p.stdout!r}")
        with open("local.stub", "w") as f:
            f.write("# two shards on this machine\n" + "".join(f"auto {os.path.abspath(s)}\n" for s in shards))
        # Xapian opens the stub natively too: the two shards as one database.
        delve = run(["xapian-delve", "local.stub"]).stdout
        whole_delve = run(["xapian-delve", whole]).stdout
        count_line = [l for l in whole_delve.splitlines() if l.startswith("number of documents")]
        check(count_line and count_line[0] in delve, f"xapian-delve of the stub: {delve!r}")
        # A stub may name another stub (Xapian's `auto` reads either).
        with open("inner.stub", "w") as f:
            f.write(f"auto {shards[0]}\n")
        with open("outer.stub", "w") as f:
            f.write(f"auto inner.stub\nauto {os.path.abspath(shards[1])}\n")
        ports = [serve(os.path.abspath(s), procs) for s in shards]
        remotes = [f"127.0.0.1:{p}" for p in ports]
        with open("remote.stub", "w") as f:
            f.write("".join(f"remote {r}\n" for r in remotes))

        rng = random.Random(16)
        queries = sample_queries(files, rng, int(os.environ.get("SPEECHDEX_SHARD_QUERIES", "90")))
        nonzero = 0
        for query, options in queries:
            what = f"{query!r} {' '.join(options)}"
            base = outcome(store, query, options)
            nonzero += base[0] > 0
            dedup = "--dedup" in options
            # Duplicate clusters are per database: the sharded layouts are compared with the
            # store only where no cluster crosses shards, so --dedup is checked on one database.
            backends = [("xapian layout, one database", whole, ())]
            if not dedup:
                backends += [("two shards, stub of auto lines", "local.stub", ()),
                             ("a folder of two shards", "shards", ()),
                             ("two shards, a stub naming a stub", "outer.stub", ()),
                             ("two remote shards, stub of remote lines", "remote.stub", ()),
                             ("two remote shards, --remote", "", remotes)]
            for name, db, remote in backends:
                got = outcome(db, query, options, remote)
                check(got[0] == base[0], f"{what}: count {got[0]} on {name}, {base[0]} on the store")
                check(got[1] == base[1], f"{what}: summary on {name} differs:\n  {got[1]}\n  {base[1]}")
                check(got[2] == base[2], f"{what}: hit sets differ on {name}: "
                      f"{len(got[2] - base[2])} extra, {len(base[2] - got[2])} missing")
        check(nonzero >= len(queries) // 2, f"only {nonzero} of {len(queries)} queries match")

        # Trends: the whole CSV (buckets, their totals, matches, speeches, occurrences, rates).
        series = []
        for query, options in queries[:24]:
            if query and not options:
                series += ["-e", query]
        for fields, extra in [("year", []), ("province,topic", []), ("county", ["--year", "2010..2018"]),
                              ("role", ["--boilerplate", "include"])]:
            args = ["--trend", fields, "-f", "csv"] + extra + series
            base = run([SEARCH, "--db", store] + args).stdout
            check(base.count("\n") > 10, f"trend {fields}: too few rows")
            for name, db, remote in [("one database", whole, ()), ("auto stub", "local.stub", ()),
                                     ("remote stub", "remote.stub", ()), ("--remote", "", remotes)]:
                got = run([SEARCH] + (["--db", db] if db else []) +
                          [a for r in remote for a in ("--remote", r)] + args).stdout
                check(got == base, f"trend {fields} {extra} on {name} differs from the store's")
        print(f"{len(queries)} queries compared, {nonzero} with matches")

        # Not expressible with stock operators: refused in one line, never approximated.
        # A folder holding an index folder and a shard is its index folder, and says so.
        p = run([SEARCH, "--db", ".", "--count", "依法"])
        check(p.stdout == run([SEARCH, "--db", store, "--count", "依法"]).stdout,
              f"--db . is not the store index: {p.stdout!r}")
        check("also holds Xapian-layout shards (xapian-whole)" in p.stderr,
              f"--db . does not name the shard it leaves out: {p.stderr!r}")
        # A shard named twice (here by its folder and by itself) would double every count.
        p = run([SEARCH, "--db", "shards", "--db", shards[0], "--count", "依法"], expect=None)
        check(p.returncode == 2 and "named twice" in p.stderr and shards[0] in p.stderr,
              f"a shard named twice: exit {p.returncode}: {p.stderr!r}")
        p = run([SEARCH, "--db", "remote.stub", "依法 NEAR/5 政府"], expect=None)
        check(p.returncode == 2 and "NEAR" in p.stderr and p.stdout == "",
              f"NEAR on shards: exit {p.returncode}, {p.stderr!r}")
        p = run([SEARCH, "--db", "remote.stub", "--collocates", "依法"], expect=None)
        check(p.returncode == 2 and "not available on Xapian-layout shards" in p.stderr,
              f"--collocates on shards: exit {p.returncode}, {p.stderr!r}")

        # A shard that is down: a closed port.
        closed = free_port()
        t = time.time()
        p = run([SEARCH, "--db", "remote.stub", "--remote", f"127.0.0.1:{closed}", "--timeout",
                 "2000", "--count", "依法"], expect=None)
        check(p.returncode == 3 and f"127.0.0.1:{closed}" in p.stderr and
              len(p.stderr.strip().splitlines()) == 1,
              f"closed port: exit {p.returncode}, {p.stderr!r}")
        check(time.time() - t < 10, "closed port: took too long")
        # A shard that is slow: accepts and never answers.
        hang = socket.socket()
        hang.bind(("127.0.0.1", 0))
        hang.listen(8)
        slow = hang.getsockname()[1]
        t = time.time()
        p = run([SEARCH, "--remote", remotes[0], "--remote", f"127.0.0.1:{slow}", "--timeout",
                 "1500", "--count", "依法"], expect=None)
        took = time.time() - t
        check(p.returncode == 3 and f"127.0.0.1:{slow}" in p.stderr and "1500 ms" in p.stderr,
              f"silent shard: exit {p.returncode}, {p.stderr!r}")
        check(took < 8, f"silent shard: reported after {took:.1f} s with --timeout 1500")
        # --allow-partial: the others answer, the results say they are partial.
        with open("partial.stub", "w") as f:
            f.write(f"remote {remotes[0]}\nremote 127.0.0.1:{closed}\nremote 127.0.0.1:{slow}\n")
        one = int(search("", "依法", "--count", remote=remotes[:1]).stdout)
        p = run([SEARCH, "--db", "partial.stub", "--timeout", "1500", "--allow-partial", "-f",
                 "json", "--facets", "year", "-n", "3", "依法"], expect=0)
        summary = json.loads(p.stdout.splitlines()[0])
        check(summary.get("partial") is True and summary.get("total") == one and
              sorted(summary.get("skipped_shards", [])) ==
              sorted([f"remote 127.0.0.1:{closed}", f"remote 127.0.0.1:{slow}"]),
              f"--allow-partial summary: {summary}")
        check(f"127.0.0.1:{closed}" in p.stderr and f"127.0.0.1:{slow}" in p.stderr and
              "results are partial" in p.stderr, f"--allow-partial stderr: {p.stderr!r}")
        p = run([SEARCH, "--remote", f"127.0.0.1:{closed}", "--allow-partial", "--count", "依法"],
                expect=3)
        check("no shard could be opened" in p.stderr, f"every shard down: {p.stderr!r}")
        hang.close()
    finally:
        for p in procs:
            p.kill()
            p.wait()
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failures", file=sys.stderr)
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
