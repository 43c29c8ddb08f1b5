#!/usr/bin/env python3
"""speechdex benchmark harness: speechdex against Xapian (FLAG_CJK_NGRAM), SQLite FTS5
trigram, Groonga TokenBigram and grep, on a make-corpus corpus and the chinese-poetry
Tang/Song shi, in one run. See bench/README.md. Standard library only."""
import argparse, collections, datetime, glob, json, os, re, shutil, sqlite3, statistics
import subprocess, sys, threading, time

def log(*a):
    print('bench:', *a, file=sys.stderr, flush=True)

def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)

def timed(cmd, stdin=None, stdout=subprocess.DEVNULL):
    """Runs cmd under GNU time; returns (wall seconds, peak RSS MB), and its output as well
    when stdout is subprocess.PIPE."""
    t0 = time.perf_counter()
    p = subprocess.run(['/usr/bin/time', '-f', '%M'] + cmd, stdin=stdin, stdout=stdout,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit('bench: command failed: %s\n%s' % (' '.join(cmd), p.stderr[-2000:]))
    rss_kb = int(p.stderr.strip().splitlines()[-1])
    if stdout == subprocess.PIPE:
        return wall, rss_kb / 1024, p.stdout
    return wall, rss_kb / 1024

def du_mb(path):
    """Disk space used (blocks), not apparent size: Groonga preallocates sparse files."""
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512 / 1e6
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.stat(os.path.join(root, f)).st_blocks * 512
    return total / 1e6

# ---- corpora ---------------------------------------------------------------------------

def prepare_synth(out, shared, size_mb, seed):
    d = os.path.join(out, 'synth')
    if not os.path.exists(os.path.join(d, 'manifest.tsv')):
        log('generating synth corpus, %d MB, seed %d' % (size_mb, seed))
        shutil.rmtree(d, ignore_errors=True)
        run([sys.executable, os.path.join(shared, 'bench', 'make-corpus'), '--size-mb', str(size_mb),
             '--seed', str(seed), '--out', d], stdout=subprocess.DEVNULL)
    q = os.path.join(out, 'synth.queries.tsv')
    with open(q, 'w') as f:
        run([sys.executable, os.path.join(shared, 'bench', 'make-corpus'), '--queries', '60', '--seed',
             str(seed), '--out', d], stdout=f)
    return d, q

def prepare_poetry(out, shared, size_mb, seed):
    pkg = os.path.join(out, 'poetry-package')
    if not os.path.isdir(os.path.join(pkg, 'package')):
        log('fetching chinese-poetry@2.0.1 with npm pack')
        os.makedirs(pkg, exist_ok=True)
        run(['npm', 'pack', 'chinese-poetry@2.0.1', '--silent'], cwd=pkg, stdout=subprocess.DEVNULL)
        run(['tar', 'xzf', 'chinese-poetry-2.0.1.tgz'], cwd=pkg)
    d = os.path.join(out, 'poetry')
    jsonl = os.path.join(out, 'poetry.jsonl')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    files = sorted(glob.glob(os.path.join(pkg, 'package', 'dist', 'quantangshi', 'poet.*.json')),
                   key=lambda p: (p.split('poet.')[1].split('.')[0], int(p.split('.')[-2])))
    poems, size, limit = [], 0, size_mb * 1e6 if size_mb else float('inf')
    for f in files:
        for p in json.load(open(f, encoding='utf-8')):
            text = ''.join(p.get('paragraphs') or []).replace('\n', '').strip()
            if not text:
                continue
            poems.append(text)
            size += len(text.encode())
            if size >= limit:
                break
        if size >= limit:
            break
    for i in range(0, len(poems), 10000):
        with open(os.path.join(d, '%03d.txt' % (i // 10000)), 'w', encoding='utf-8') as f:
            f.write('\n'.join(poems[i:i + 10000]) + '\n')
    with open(jsonl, 'w', encoding='utf-8') as f:
        for p in poems:
            f.write(json.dumps({'text': p}, ensure_ascii=False) + '\n')
    q = os.path.join(out, 'poetry.queries.tsv')
    with open(q, 'w') as f:
        run([sys.executable, os.path.join(shared, 'bench', 'make-corpus'), '--queries', '60', '--seed',
             str(seed), '--jsonl', jsonl], stdout=f)
    log('poetry: %d poems, %.1f MB' % (len(poems), size / 1e6))
    return d, q

def corpus_files(d):
    return sorted(glob.glob(os.path.join(d, '**', '*.txt'), recursive=True))

def iter_lines(files):
    """Every non-blank line of the files, stripped: one document each, for every engine.
    Streamed, so that 1 GB of text is never held in memory."""
    for f in files:
        with open(f, encoding='utf-8') as fh:
            for l in fh:
                l = l.strip()
                if l:
                    yield l

def read_queries(path):
    out = []
    for l in open(path, encoding='utf-8'):
        if '\t' in l:
            c, q = l.rstrip('\n').split('\t', 1)
            out.append((c, q))
    return out

# ---- engines ---------------------------------------------------------------------------

def sqlite_build(db, files):
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    for f in files:
        with open(f, encoding='utf-8') as fh:
            con.executemany('INSERT INTO t(body) VALUES (?)', ((l.strip(),) for l in fh if l.strip()))
    con.commit()
    con.close()

def sqlite_query(db, q):
    """Exact count + top 10. Parts of 3+ characters use the trigram index; shorter parts
    need LIKE, a scan (FTS5 trigram cannot answer them from the index)."""
    con = sqlite3.connect(db)
    parts = q.split(' ')
    def run_one(con=con):
        if all(len(p) >= 3 for p in parts):
            m = ' AND '.join('"%s"' % p.replace('"', '""') for p in parts)
            n = con.execute('SELECT count(*) FROM t WHERE t MATCH ?', (m,)).fetchone()[0]
            top = [r[0] for r in con.execute('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 10', (m,))]
        else:
            # FTS5's trigram LIKE returns no rows for patterns under 3 characters: scan.
            where = ' AND '.join(['instr(body, ?) > 0'] * len(parts))
            args = parts
            n = con.execute('SELECT count(*) FROM t WHERE ' + where, args).fetchone()[0]
            top = [r[0] for r in con.execute('SELECT rowid FROM t WHERE ' + where + ' LIMIT 10', args)]
        return n, top
    return run_one

def read_manifest(d):
    """{file path: (year, county code)} from make-corpus's manifest.tsv, or {} if none."""
    path = os.path.join(d, 'manifest.tsv')
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path, encoding='utf-8') as f:
        head = f.readline().rstrip('\n').split('\t')
        for l in f:
            row = dict(zip(head, l.rstrip('\n').split('\t')))
            out[os.path.join(d, row['path'])] = (row['year'], row['code'])
    return out

# Groonga, two ways. Its documentation (doc/source/reference/indexing.rst, "Offline index
# construction"; bench/README.md cites it) says that adding an index column to a column that
# already has data indexes it offline, at less cost, in less time and space than indexing
# while loading: bulk = schema, load, then the index column; incremental = the index column
# first, then load (online construction, what issue 4 measured).

def groonga_schema_commands(meta):
    yield 'table_create Docs TABLE_NO_KEY\n'
    yield 'column_create Docs body COLUMN_SCALAR Text\n'
    if meta:
        yield 'column_create Docs year COLUMN_SCALAR ShortText\n'
        yield 'column_create Docs county COLUMN_SCALAR ShortText\n'
    yield ('table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram '
           '--normalizer NormalizerAuto\n')

GROONGA_INDEX_COMMAND = 'column_create Terms index COLUMN_INDEX|WITH_POSITION Docs body\n'

def groonga_records(files, meta):
    batch = []
    for f in files:
        extra = dict(zip(('year', 'county'), meta[f])) if meta else {}
        for l in iter_lines([f]):
            batch.append(dict(body=l, **extra))
            if len(batch) == 5000:
                yield 'load --table Docs\n' + json.dumps(batch, ensure_ascii=False) + '\n'
                batch = []
    if batch:
        yield 'load --table Docs\n' + json.dumps(batch, ensure_ascii=False) + '\n'

def groonga_load_commands(files, meta, bulk=True):
    """The commands that build the Groonga database: bulk (load, then the index column:
    offline construction) or incremental (the index column, then load: online)."""
    yield from groonga_schema_commands(meta)
    if not bulk:
        yield GROONGA_INDEX_COMMAND
    yield from groonga_records(files, meta)
    if bulk:
        yield GROONGA_INDEX_COMMAND

def groonga_command_log(cmds):
    """One line per command, a load as its record count: the order the harness sent them in."""
    out = []
    for c in cmds:
        head, _, body = c.partition('\n')
        out.append('%s (%d records)' % (head, len(json.loads(body))) if head.startswith('load') else head)
    return out

def groonga_build(db_dir, files, meta, bulk, work):
    """Builds a Groonga database in db_dir (created); returns (wall s, peak RSS MB, disk MB)
    and a dict with Groonga's own elapsed time for the loads and for the index column, the
    command log and the index column as column_list shows it. Exits if a command failed or
    the index column is missing: a select without it would scan, and still count right."""
    os.makedirs(db_dir)
    name = 'groonga-%s' % ('bulk' if bulk else 'incremental')
    cmds_path = os.path.join(work, name + '.commands.txt')
    log_lines = []
    with open(cmds_path, 'w', encoding='utf-8') as f:
        for c in groonga_load_commands(files, meta, bulk):
            f.write(c)
            log_lines.extend(groonga_command_log([c]))
    with open(os.path.join(work, name + '.log'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(log_lines) + '\n')
    db = os.path.join(db_dir, 'db')
    with open(cmds_path, encoding='utf-8') as f:
        wall, rss, out = timed(['groonga', '-n', db], stdin=f, stdout=subprocess.PIPE)
    os.remove(cmds_path)
    replies = [json.loads(l) for l in out.splitlines() if l.startswith('[')]
    if len(replies) != len(log_lines) or any(r[0][0] != 0 for r in replies):
        bad = [(c, r[0]) for c, r in zip(log_lines, replies) if r[0][0] != 0]
        sys.exit('bench: %s: %d commands, %d replies; failed: %s' % (name, len(log_lines), len(replies), bad[:3]))
    info = {'load_s': sum(r[0][2] for c, r in zip(log_lines, replies) if c.startswith('load')),
            'index_s': sum(r[0][2] for c, r in zip(log_lines, replies) if c == GROONGA_INDEX_COMMAND.strip()),
            'commands': log_lines, 'index_column': groonga_index_column(db)}
    return (wall, rss, du_mb(db_dir)), info

def groonga_index_column(db):
    """Terms.index as `column_list Terms` shows it ({field: value}); exits if it is not a
    positional index over Docs.body."""
    p = run(['groonga', db, 'column_list', 'Terms'], capture_output=True, text=True)
    reply = json.loads(p.stdout)
    head = [h[0] for h in reply[1][0]]
    cols = [dict(zip(head, row)) for row in reply[1][1:]]
    idx = [c for c in cols if c['name'] == 'index']
    if (len(idx) != 1 or 'COLUMN_INDEX' not in idx[0]['flags'] or 'WITH_POSITION' not in idx[0]['flags']
            or idx[0]['source'] != ['Docs.body']):
        sys.exit('bench: %s has no positional index column Terms.index over Docs.body: %s' % (db, cols))
    return idx[0]

def groonga_select(q, extra='--limit 10 --output_columns _id --sort_keys -_score'):
    """Exact count and the top 10 by score (as speechdex ranks), or `extra` instead."""
    query = ' '.join('"%s"' % p.replace('\\', '\\\\').replace('"', '\\"') for p in q.split(' '))
    return ('select Docs --match_columns body --query %s %s --cache no\n' %
            (json.dumps(query, ensure_ascii=False), extra))

# ---- measurements -----------------------------------------------------------------------

def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float('nan')
    k = (len(xs) - 1) * p
    f = int(k)
    return xs[f] if f + 1 >= len(xs) else xs[f] + (xs[f + 1] - xs[f]) * (k - f)

def measure_corpus(name, d, qfile, args, bins, out):
    files = corpus_files(d)
    queries = read_queries(qfile)
    ndocs, nbytes = 0, 0
    for l in iter_lines(files):
        ndocs += 1
        nbytes += len(l.encode())
    mb = nbytes / 1e6
    log('%s: %d documents, %.1f MB, %d queries' % (name, ndocs, mb, len(queries)))
    work = os.path.join(out, 'idx-' + name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    res = {'name': name, 'docs': ndocs, 'mb': mb, 'build': {}, 'lat': {}, 'counts': {}, 'cold': {},
           'build_only': args.build_only}
    meta = read_manifest(d)
    res['manifest'] = bool(meta)

    # speechdex as a researcher indexes a make-corpus folder: the raw files through the whole
    # pipeline (cleaning, speech splitting, metadata), with the corpus's own manifest.
    raw = os.path.join(work, 'speechdex-raw')
    corpus_manifest = ['--manifest', os.path.join(d, 'manifest.tsv')] if meta else []
    res['build']['speechdex_raw'] = timed([bins['index'], '--quiet', '--jobs', str(args.jobs), '--db', raw] +
                                          corpus_manifest + [d]) + (du_mb(raw),)
    # One document per line (--lines), the documents every engine gets: Groonga's job only.
    # With a manifest, speechdex and Groonga get the same year and county per file, and
    # nothing else: a title from the manifest would add title terms to every paragraph.
    sd = os.path.join(work, 'speechdex')
    manifest = []
    if meta:
        manifest = ['--manifest', os.path.join(work, 'manifest.tsv')]
        with open(manifest[1], 'w', encoding='utf-8') as f:
            f.write('path\tcode\tyear\n')
            # Absolute: a relative path in a manifest is relative to the manifest's folder.
            f.writelines('%s\t%s\t%s\n' % (os.path.abspath(p), code, year) for p, (year, code) in meta.items())
    res['build']['speechdex'] = timed([bins['index'], '--lines', '--quiet', '--jobs', str(args.jobs),
                                       '--db', sd] + manifest + [d]) + (du_mb(sd),)
    # Groonga bulk (load, then the index column) is the one queries run on and every ratio
    # is against; incremental (the index column, then load) is built, measured and removed.
    gr = os.path.join(work, 'groonga')
    res['build']['groonga'], res['groonga_bulk'] = groonga_build(gr, files, meta, True, work)
    gi = os.path.join(work, 'groonga-incremental')
    res['build']['groonga_incremental'], res['groonga_incremental'] = groonga_build(gi, files, meta, False, work)
    shutil.rmtree(gi)
    for k in ('groonga_bulk', 'groonga_incremental'):
        log('%s: Groonga\'s elapsed times: loads %.1f s, index column %.1f s' % (k, res[k]['load_s'], res[k]['index_s']))
    if args.build_only:
        for e, (s, rss, size) in res['build'].items():
            log('%s build: %.1f s, %.0f MB RSS, %.0f MB index' % (e, s, rss, size))
        return res

    # The floor: read + hash every CJK bigram, one core.
    with open(os.path.join(work, 'files.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(files) + '\n')
    with open(os.path.join(work, 'files.txt'), encoding='utf-8') as f:
        res['floor'] = timed([bins['floor']], stdin=f)
    log('floor: %.2f s' % res['floor'][0])

    xp = os.path.join(work, 'xapian')
    res['build']['xapian'] = timed([bins['xapian'], 'build', xp] + files) + (du_mb(xp),)
    # textstore/ alone, on one core: speechdex's text store without records or metadata.
    st = os.path.join(work, 'inline.store')
    with open(os.path.join(work, 'files.txt'), encoding='utf-8') as f:
        res['textstore_build'] = timed([bins['inline'], 'build', st] + manifest[1:], stdin=f) + (du_mb(st),)
    res['docdata_mb'] = du_mb(os.path.join(sd, 'docdata.glass'))
    log('textstore build: %.1f s, %.0f MB RSS, %.0f MB' % res['textstore_build'])
    sq = os.path.join(work, 'fts5.db')
    res['build']['sqlite'] = timed([sys.executable, __file__, 'sqlite-build', sq] + files) + (du_mb(sq),)
    for e, (s, rss, size) in res['build'].items():
        log('%s build: %.1f s, %.0f MB RSS, %.0f MB index' % (e, s, rss, size))

    # Latency: count + top 10, each query 3 times in one process, median per query.
    qs = [q for _, q in queries]
    rep = os.path.join(work, 'queries3.txt')
    with open(rep, 'w', encoding='utf-8') as f:
        for _ in range(3):
            f.write('\n'.join(qs) + '\n')
    lat = collections.defaultdict(list)
    cnt = {}
    p = run([bins['search'], '--db', sd, '--batch', rep, '--format', 'json', '-n', '10'],
            capture_output=True, text=True)
    for i, l in enumerate(p.stdout.splitlines()):
        j = json.loads(l)
        lat[('speechdex', i % len(qs))].append(j['ms'])
        cnt[('speechdex', i % len(qs))] = j.get('count', -1)
    with open(rep, encoding='utf-8') as f:
        p = run([bins['inline'], 'query', st], stdin=f, capture_output=True, text=True)
    for i, l in enumerate(p.stdout.splitlines()):
        c, ms, _ = l.split('\t')
        lat[('textstore', i % len(qs))].append(float(ms))
        cnt[('textstore', i % len(qs))] = int(c)
    with open(rep, encoding='utf-8') as f:
        p = run([bins['xapian'], 'query', xp], stdin=f, capture_output=True, text=True)
    for i, l in enumerate(p.stdout.splitlines()):
        c, ms, _ = l.split('\t')
        lat[('xapian', i % len(qs))].append(float(ms))
        cnt[('xapian', i % len(qs))] = int(c)
    for i, q in enumerate(qs):
        fn = sqlite_query(sq, q)
        for _ in range(3):
            t0 = time.perf_counter()
            n, _ = fn()
            lat[('sqlite', i)].append((time.perf_counter() - t0) * 1000)
        cnt[('sqlite', i)] = n
    sel = ''.join(groonga_select(q) for q in qs) * 3
    p = run(['groonga', os.path.join(gr, 'db')], input=sel, capture_output=True, text=True)
    outs = [json.loads(l) for l in p.stdout.splitlines() if l.startswith('[')]
    for i, o in enumerate(outs):
        lat[('groonga', i % len(qs))].append(o[0][2] * 1000)
        cnt[('groonga', i % len(qs))] = o[1][0][0][0] if o[0][0] == 0 else -1

    # Exactness: grep over the text as each engine normalizes it (streamed: one pass over
    # the raw lines, one over the normalizer's output).
    ref_raw, ref_sd = grep_counts(files, queries, bins)
    disagreements = collections.defaultdict(list)
    for i, (cls, q) in enumerate(queries):
        res['counts'][i] = (cls, q, ref_sd[i], ref_raw[i])
        for e in ('speechdex', 'textstore', 'xapian', 'sqlite', 'groonga'):
            ref = ref_sd[i] if e in ('speechdex', 'textstore') else ref_raw[i]
            if cnt.get((e, i)) != ref:
                disagreements[e].append((cls, q, cnt.get((e, i)), ref))
    res['disagreements'] = disagreements
    for e in ('speechdex', 'textstore', 'xapian', 'sqlite', 'groonga'):
        log('%s: %d disagreements with grep' % (e, len(disagreements[e])))
        for cls, q, got, ref in disagreements[e][:5]:
            log('   %s %s: %s vs grep %s' % (cls, q, got, ref))
    per_class = collections.defaultdict(lambda: collections.defaultdict(list))
    for (e, i), xs in lat.items():
        per_class[queries[i][0]][e].append(statistics.median(xs))
    res['lat'] = per_class
    if meta:
        res['facets'] = measure_facets(queries, res['counts'], ndocs, sd, gr, st, bins)

    # Cold single-query process, median of 5.
    q = queries[0][1]
    def cold(cmd, stdin_text=None):
        xs = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run(cmd, input=stdin_text, capture_output=True, text=True)
            xs.append((time.perf_counter() - t0) * 1000)
        return statistics.median(xs)
    res['cold']['speechdex'] = cold([bins['search'], '--db', sd, '--count', q])
    res['cold']['sqlite'] = cold(['sqlite3', sq, "SELECT count(*) FROM t WHERE instr(body, '%s') > 0" % q.split(' ')[0]] if len(q.split(' ')[0]) < 3
                                 else ['sqlite3', sq, "SELECT count(*) FROM t WHERE t MATCH '\"%s\"'" % q.split(' ')[0]])
    res['cold']['groonga'] = cold(['groonga', os.path.join(gr, 'db')], groonga_select(q))
    res['cold']['xapian'] = cold([bins['xapian'], 'query', xp], q + '\n')
    res['cold']['grep'] = cold(['grep', '-r', '-F', '-c', '--include=*.txt', q.split(' ')[0], d])
    return res

def measure_facets(queries, counts, ndocs, sd, gr, st, bins):
    """Year and county facet counts over the one-part query whose count is nearest 8% of the
    documents: speechdex --facets (and textstore with the bench's columns) against Groonga's
    drilldown, median of 3 in one process each; the counts must agree (all take year and
    county from the manifest)."""
    i = min((i for i, (_, q) in enumerate(queries) if ' ' not in q),
            key=lambda i: abs(counts[i][2] - 0.08 * ndocs))
    q = queries[i][1]
    p = run([bins['search'], '--db', sd, '--batch', '-', '--format', 'json', '-n', '0',
             '--facets', 'year,county'], input=(q + '\n') * 3, capture_output=True, text=True)
    rows = [json.loads(l) for l in p.stdout.splitlines()]
    sd_ms = statistics.median(r['ms'] for r in rows)
    sd_counts = {k: {b: n for b, n in v.items() if n} for k, v in rows[0]['facets'].items()}
    extra = '--limit 0 --drilldown year,county --drilldown_limit -1'
    p = run(['groonga', os.path.join(gr, 'db')], input=groonga_select(q, extra) * 3,
            capture_output=True, text=True)
    outs = [json.loads(l) for l in p.stdout.splitlines() if l.startswith('[')]
    gr_ms = statistics.median(o[0][2] * 1000 for o in outs)
    gr_counts = {}
    for name, table in zip(('year', 'county'), outs[0][1][1:]):
        gr_counts[name] = {row[0]: row[1] for row in table[2:] if row[0] != ''}
    agree = all(sd_counts.get(k, {}) == gr_counts[k] for k in gr_counts)
    p = run([bins['inline'], 'query', st], input=(q + '\n') * 3, capture_output=True, text=True,
            env=dict(os.environ, SPEECHDEX_BENCH_FACETS='1'))
    rows = [l.split('\t') for l in p.stdout.splitlines()]
    pr_ms = statistics.median(float(r[1]) for r in rows)
    pr_counts = {name: dict((k, int(v)) for k, v in (x.split('=') for x in part.split(',') if x))
                 for name, part in zip(('year', 'county'), rows[0][3].split(';'))}
    pr_agree = all(pr_counts[k] == gr_counts[k] for k in gr_counts)
    log('facets over “%s” (%d hits): speechdex %.2f ms, textstore %.2f ms, groonga %.2f ms, counts %s, %s' % (
        q, counts[i][2], sd_ms, pr_ms, gr_ms, 'agree' if agree else 'DISAGREE',
        'agree' if pr_agree else 'DISAGREE'))
    return {'query': q, 'hits': counts[i][2], 'speechdex': sd_ms, 'groonga': gr_ms, 'agree': agree,
            'textstore': pr_ms, 'textstore_agree': pr_agree}

def grep_counts(files, queries, bins):
    """Per query, the documents (non-blank lines) holding every part: over the raw text and
    over the text as speechdex normalizes it (speechdex-bench-normalize)."""
    raw_parts = [q.split(' ') for _, q in queries]
    norm_parts = [q_norm_parts(q, bins) for _, q in queries]
    def count(lines, parts):
        n = [0] * len(parts)
        for l in lines:
            for i, ps in enumerate(parts):
                if all(p in l for p in ps):
                    n[i] += 1
        return n
    raw = count(iter_lines(files), raw_parts)
    p = subprocess.Popen([bins['normalize']], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                         encoding='utf-8')
    def feed():
        for l in iter_lines(files):
            p.stdin.write(l + '\n')
        p.stdin.close()
    t = threading.Thread(target=feed)
    t.start()
    norm = count((l.rstrip('\n') for l in p.stdout), norm_parts)
    t.join()
    if p.wait() != 0:
        sys.exit('bench: %s failed' % bins['normalize'])
    return raw, norm

_norm_cache = {}
def q_norm_parts(q, bins):
    if q not in _norm_cache:
        parts = q.split(' ')
        out = run([bins['normalize']], input='\n'.join(parts) + '\n', capture_output=True, text=True).stdout.split('\n')
        _norm_cache[q] = [o for o in out[:len(parts)]]
    return _norm_cache[q]

# ---- report -----------------------------------------------------------------------------

def against_best_peer(r, engine, cls):
    """p50 and p95 of `engine` in a query class, the best exact peer by p50, its p50 and p95,
    and the two ratios."""
    L = r['lat'][cls]
    exact_peers = [e for e in ('sqlite', 'groonga') if not r['disagreements'].get(e)]
    p50, p95 = percentile(L[engine], .5), percentile(L[engine], .95)
    best = min(exact_peers or ['groonga'], key=lambda e: percentile(L[e], .5))
    bp50, bp95 = percentile(L[best], .5), percentile(L[best], .95)
    return (p50, p95, best, bp50, bp95, p50 / bp50 if bp50 else float('nan'),
            p95 / bp95 if bp95 else float('nan'))

def textstore_report(r):
    """textstore/ alone (driven by bench/inline_store.cc) against the same peers: the text
    index speechdex-index writes, without records, values or metadata, on one core."""
    s, rss, size = r['textstore_build']
    g = r['build']['groonga']
    total = size + r['docdata_mb']
    out = ['### textstore/ alone: the text index without records, on one core (bench/inline_store.cc)', '',
           'Runs of 20,000 documents merged at the end. Build %.1f s (%.2f× Groonga), %.0f MB RSS; text store %.0f MB, '
           'plus speechdex\'s document data %.0f MB = %.0f MB (%.2f× Groonga); %d disagreements with grep.' % (
               s, s / g[0], rss, size, r['docdata_mb'], total, total / g[2],
               len(r['disagreements'].get('textstore', []))), '',
           '| class | textstore p50 / p95 ms | best exact peer p50 (p95) | ratio p50 (p95) |',
           '|---|---|---|---|']
    for cls in sorted(r['lat']):
        out.append('| %s | %.2f / %.2f | %s %.2f (%.2f) | %.2f (%.2f) |' % (
            (cls,) + against_best_peer(r, 'textstore', cls)))
    if 'facets' in r:
        f = r['facets']
        out += ['', 'Facets over “%s” from year/county columns: %.2f ms, %.2f× Groonga\'s drilldown; counts %s.' % (
            f['query'], f['textstore'], f['textstore'] / f['groonga'],
            'agree' if f['textstore_agree'] else 'DISAGREE')]
    return out + ['']

# The build rows of the ratio table (issue 15), in order: build key, label.
BUILD_ROWS = [('speechdex_raw', 'speechdex, raw files: whole pipeline, --jobs {jobs}, {manifest}'),
              ('speechdex', 'speechdex --lines, --jobs {jobs}, {manifest}'),
              ('groonga', 'Groonga bulk: load, then the index column (offline)'),
              ('groonga_incremental', 'Groonga incremental: index column, then load (online)')]

def ratio_table(r, jobs, latency=True):
    """Build time, index size and peak RSS of speechdex (raw files and --lines) and Groonga
    (bulk and incremental), with ratios to Groonga's bulk build; with latency, the p50/p95
    per query class against the best exact peer (queries run on the bulk-built Groonga)."""
    g = r['build']['groonga']
    out = ['### %s, %.1f MB: builds against Groonga\'s bulk build' % (r['name'], r['mb']), '',
           '| build | build s | index MB | peak RSS MB | build × bulk | index × bulk | RSS × bulk |',
           '|---|---|---|---|---|---|---|']
    for key, label in BUILD_ROWS:
        s, rss, size = r['build'][key]
        manifest = ('no manifest' if not r['manifest'] else 'corpus manifest' if key == 'speechdex_raw'
                    else 'manifest (year, county)')
        out.append('| %s | %.1f | %.0f | %.0f | %.2f | %.2f | %.2f |' % (
            label.format(jobs=jobs, manifest=manifest), s, size, rss, s / g[0], size / g[2], rss / g[1]))
    b, i = r['groonga_bulk'], r['groonga_incremental']
    ic = b['index_column']
    out += ['', 'Groonga\'s own elapsed times: bulk %.1f s of loads + %.1f s for the index column; incremental '
            '%.1f s of loads (indexing included). After the bulk build `column_list Terms` shows %s %s over %s; '
            'the command order is in idx-%s/groonga-bulk.log.' % (
                b['load_s'], b['index_s'], i['load_s'], ic['name'], ic['flags'], ','.join(ic['source']), r['name'])]
    if latency and not r.get('build_only'):
        out += ['', '| class | speechdex p50 / p95 ms | best exact peer p50 (p95) | ratio p50 (p95) |',
                '|---|---|---|---|']
        for cls in sorted(r['lat']):
            out.append('| %s | %.2f / %.2f | %s %.2f (%.2f) | %.2f (%.2f) |' % (
                (cls,) + against_best_peer(r, 'speechdex', cls)))
    return out + ['']

def write_results(path, results, argv, versions, jobs):
    engines = ['xapian', 'sqlite', 'groonga']
    out = ['# Benchmark results', '',
           'Measured %s on this machine kind (2 cores), one run, all engines side by side.' %
           datetime.date.today().isoformat(),
           'Command: `%s`' % ' '.join(argv), '', 'Versions: ' + versions, '',
           'Latency = exact count + top 10, median of 3 runs per query, warm, inside one process '
           '(speechdex and Xapian: C++; SQLite: Python sqlite3; Groonga: its own elapsed time). '
           'Ratios are speechdex / peer: below 1 means speechdex is faster or smaller. '
           'Groonga is built the bulk way its documentation recommends (load, then the index column: '
           'offline index construction) and queried there; the incremental build (index column first) '
           'is a row of the build table only.', '']
    for r in results:
        out += ['## %s: %d documents, %.1f MB' % (r['name'], r['docs'], r['mb']), '']
        out += ratio_table(r, jobs, latency=False)
        if r.get('build_only'):
            continue
        out += ['| engine | build s | build MB/s | peak RSS MB | index MB | grep disagreements |',
                '|---|---|---|---|---|---|']
        for e in ['speechdex'] + engines:
            s, rss, size = r['build'][e]
            out.append('| %s | %.1f | %.2f | %.0f | %.0f | %d |' % (
                'groonga (bulk)' if e == 'groonga' else 'speechdex (--lines)' if e == 'speechdex' else e,
                s, r['mb'] / s, rss, size, len(r['disagreements'].get(e, []))))
        sd = r['build']['speechdex']
        out += ['', 'speechdex / peer: ' + ', '.join(
            '%s build time %.2f×, index size %.2f×, RSS %.2f×' % (e, sd[0] / r['build'][e][0], sd[2] / r['build'][e][2],
                                                               sd[1] / r['build'][e][1]) for e in engines), '',
                '| class | speechdex p50 / p95 ms | xapian p50 | sqlite p50 | groonga p50 | best exact peer p50 (p95) | ratio p50 (p95) |',
                '|---|---|---|---|---|---|---|']
        for cls in sorted(r['lat']):
            L = r['lat'][cls]
            sp50, sp95, best, bp50, bp95, r50, r95 = against_best_peer(r, 'speechdex', cls)
            out.append('| %s | %.2f / %.2f | %.2f | %.2f | %.2f | %s %.2f (%.2f) | %.2f (%.2f) |' % (
                cls, sp50, sp95, percentile(L['xapian'], .5), percentile(L['sqlite'], .5),
                percentile(L['groonga'], .5), best, bp50, bp95, r50, r95))
        out += ['', 'Cold single-query process (median of 5, ms): ' + ', '.join(
            '%s %.1f' % (e, v) for e, v in r['cold'].items()), '']
        fs, frss = r['floor']
        out += ['Floor (read + hash every CJK bigram, one core): %.2f s (%.0f MB/s), %.0f MB RSS; '
                'speechdex build = %.0f× the floor.' % (fs, r['mb'] / fs, frss, sd[0] / fs), '']
        if 'facets' in r:
            f = r['facets']
            out += ['Facets by year and county over “%s” (%d hits, %.1f%% of documents), median of 3: '
                    'speechdex %.2f ms, Groonga drilldown %.2f ms, ratio %.2f; counts %s.' % (
                        f['query'], f['hits'], 100.0 * f['hits'] / r['docs'], f['speechdex'],
                        f['groonga'], f['speechdex'] / f['groonga'],
                        'agree' if f['agree'] else 'DISAGREE'), '']
        out += textstore_report(r)
        for e, ds in r['disagreements'].items():
            if ds:
                out.append('%s disagrees with grep on %d queries, e.g. %s' % (
                    e, len(ds), '; '.join('%s “%s” %s vs %s' % d for d in ds[:3])))
        out.append('')
    # The analysis below the marker is written by people; keep it across runs.
    marker = '<!-- analysis: kept by harness.py across runs -->'
    kept = marker + '\n'
    if os.path.exists(path):
        old = open(path, encoding='utf-8').read()
        if marker in old:
            kept = old[old.index(marker):]
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n' + kept)

def main():
    if len(sys.argv) > 2 and sys.argv[1] == 'sqlite-build':
        sqlite_build(sys.argv[2], sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--out', default='build/bench')
    ap.add_argument('--bin', default='build/release', help='speechdex build folder')
    ap.add_argument('--shared', default='../shared')
    ap.add_argument('--synth-mb', type=int, default=100)
    ap.add_argument('--poetry-mb', type=int, default=0, help='0 = all of it')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--quick', action='store_true', help='about 20 MB of each corpus')
    ap.add_argument('--jobs', type=int, default=2, help='speechdex-index --jobs')
    ap.add_argument('--results', default='bench/RESULTS.md')
    ap.add_argument('--json', help='machine-readable results (default: OUT/results.json)')
    ap.add_argument('--corpora', default='synth,poetry', help='comma-separated: synth, poetry')
    ap.add_argument('--build-only', action='store_true',
                    help='only the builds of the ratio table (speechdex raw and --lines, Groonga bulk and '
                         'incremental): no Xapian, SQLite, textstore or floor, no queries')
    a = ap.parse_args()
    corpora = a.corpora.split(',')
    if not corpora or set(corpora) - {'synth', 'poetry'}:
        ap.error('--corpora: valid values are synth, poetry')
    if a.quick:
        a.synth_mb, a.poetry_mb = 20, 20
    os.makedirs(a.out, exist_ok=True)
    bins = {'index': os.path.join(a.bin, 'indexer', 'speechdex-index'),
            'search': os.path.join(a.bin, 'searcher', 'speechdex-search'),
            'xapian': os.path.join(a.bin, 'bench', 'speechdex-bench-xapian'),
            'normalize': os.path.join(a.bin, 'bench', 'speechdex-bench-normalize'),
            'floor': os.path.join(a.bin, 'bench', 'speechdex-bench-floor'),
            'inline': os.path.join(a.bin, 'bench', 'speechdex-bench-inline')}
    results = []
    if 'synth' in corpora:
        d, q = prepare_synth(a.out, a.shared, a.synth_mb, a.seed)
        results.append(measure_corpus('synth', d, q, a, bins, a.out))
    if 'poetry' in corpora:
        d, q = prepare_poetry(a.out, a.shared, a.poetry_mb, a.seed)
        results.append(measure_corpus('poetry', d, q, a, bins, a.out))
    versions = '; '.join(subprocess.run(c, capture_output=True, text=True, shell=True).stdout.strip().splitlines()[0]
                         for c in ['groonga --version', 'sqlite3 --version', 'xapian-config --version 2>/dev/null || echo xapian 1.4'])
    command = ['bench/run'] + sys.argv[1:]
    write_results(a.results, results, command, versions, a.jobs)
    log('wrote', a.results)
    json_path = a.json or os.path.join(a.out, 'results.json')
    with open(json_path, 'w', encoding='utf-8') as f:
        json.dump({'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
                   'command': ' '.join(command), 'versions': versions, 'jobs': a.jobs,
                   'build_keys': [k for k, _ in BUILD_ROWS], 'corpora': results},
                  f, ensure_ascii=False, indent=1)
    log('wrote', json_path)
    # The ratio table, last on stdout (RESULTS.md has it too, per corpus).
    print('\n'.join(['', 'Ratios to Groonga\'s bulk build (%s, `%s`)' % (
        datetime.date.today().isoformat(), ' '.join(command)), ''] +
        [l for r in results for l in ratio_table(r, a.jobs)]))

if __name__ == '__main__':
    main()
