#!/usr/bin/env python3
"""Checks bench/harness.py's Groonga builds (issue 15): the bulk build sends the index column
after the records (Groonga's offline index construction), the incremental one before them,
both with the same records; with groonga and GNU time installed, both databases are built
from a tiny corpus, the bulk one has its positional index (column_list) and answers like
grep, and a database without the index column is refused. Standard library only; seconds."""
import importlib.util, json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('harness', os.path.join(HERE, 'harness.py'))
harness = importlib.util.module_from_spec(spec)
spec.loader.exec_module(harness)

INDEX = harness.GROONGA_INDEX_COMMAND.strip()
TEXTS = {'a/2019/1.txt': ['依法行政是政府工作的基本准则。', '', '  推进法治政府建设。  '],
         'b/2020/2.txt': ['招商引资工作取得新进展。', '依法行政，依法治县。']}
META = {'a/2019/1.txt': ('2019', '110101'), 'b/2020/2.txt': ('2020', '110102')}

def make_corpus(d):
    files, meta = [], {}
    for rel, lines in sorted(TEXTS.items()):
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        files.append(path)
        meta[path] = META[rel]
    return files, meta

def check_order(files, meta):
    for bulk in (True, False):
        cmds = list(harness.groonga_load_commands(files, meta, bulk))
        heads = harness.groonga_command_log(cmds)
        loads = [i for i, h in enumerate(heads) if h.startswith('load')]
        index = [i for i, h in enumerate(heads) if h == INDEX]
        assert loads and len(index) == 1, heads
        if bulk:
            assert index[0] > max(loads), 'bulk: the index column must come after every load: %s' % heads
        else:
            assert index[0] < min(loads), 'incremental: the index column must come first: %s' % heads
        records = [r for c in cmds if c.startswith('load') for r in json.loads(c.partition('\n')[2])]
        assert [r['body'] for r in records] == list(harness.iter_lines(files)), records
        assert len(records) == 4 and records[1]['body'] == '推进法治政府建设。', records
        assert records[0]['year'] == '2019' and records[3]['county'] == '110102', records

def groonga_count(db, q):
    p = subprocess.run(['groonga', db], input=harness.groonga_select(q), capture_output=True, text=True,
                       check=True)
    return json.loads(p.stdout)[1][0][0][0]

def check_groonga(tmp, files, meta):
    for bulk in (True, False):
        name = 'bulk' if bulk else 'incremental'
        (wall, rss, size), info = harness.groonga_build(os.path.join(tmp, name), files, meta, bulk, tmp)
        assert wall > 0 and rss > 0 and size > 0, (wall, rss, size)
        assert info['index_column']['source'] == ['Docs.body'], info
        assert 'WITH_POSITION' in info['index_column']['flags'], info
        with open(os.path.join(tmp, 'groonga-%s.log' % name), encoding='utf-8') as f:
            logged = f.read().splitlines()
        assert logged == info['commands'], (logged, info['commands'])
        assert (logged.index(INDEX) == len(logged) - 1) == bulk, logged
        db = os.path.join(tmp, name, 'db')
        lines = list(harness.iter_lines(files))
        for q in ('依法行政', '政府', '依法 工作'):
            want = sum(1 for l in lines if all(p in l for p in q.split(' ')))
            assert groonga_count(db, q) == want, (name, q, groonga_count(db, q), want)
    # Without the index column a select still counts right (it scans): the harness refuses it.
    bare = os.path.join(tmp, 'bare')
    os.makedirs(bare)
    cmds = ''.join(harness.groonga_schema_commands(meta)) + ''.join(harness.groonga_records(files, meta))
    subprocess.run(['groonga', '-n', os.path.join(bare, 'db')], input=cmds, capture_output=True, text=True,
                   check=True)
    assert groonga_count(os.path.join(bare, 'db'), '依法行政') == 2
    try:
        harness.groonga_index_column(os.path.join(bare, 'db'))
    except SystemExit as e:
        assert 'no positional index column' in str(e), e
    else:
        raise AssertionError('a database without Terms.index was accepted')

def main():
    tmp = tempfile.mkdtemp(prefix='speechdex-harness-test-')
    try:
        files, meta = make_corpus(os.path.join(tmp, 'corpus'))
        check_order(files, meta)
        print('command order: ok')
        if shutil.which('groonga') and os.access('/usr/bin/time', os.X_OK):
            check_groonga(tmp, files, meta)
            print('groonga builds: ok')
        else:
            print('groonga or /usr/bin/time not installed (bench/run installs them): Groonga builds not run')
    finally:
        shutil.rmtree(tmp)

if __name__ == '__main__':
    main()
