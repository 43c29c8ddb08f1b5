#!/usr/bin/env python3
"""reuse_eval_test: checks the planted-reuse corpus's truth and reuse-eval's scores (issue 14).

  python3 bench/reuse_eval_test.py              generator, truth and evaluator (about 10 s)
  SPEECHDEX_INDEX_BIN=build/ci/indexer/speechdex-index \\
  SPEECHDEX_SEARCH_BIN=build/ci/searcher/speechdex-search \\
  SPEECHDEX_NORMALIZE_BIN=build/ci/bench/speechdex-bench-normalize python3 bench/reuse_eval_test.py
                                                also: the real indexer's paragraphs are the lines,
                                                and the engine normalizes as reuse_truth does

The evaluator is scored against bench/reuse-reference (a perfect detector built from the
truth: every score must be 1) and against damaged copies of its output, whose scores are
computed here independently where they are simple (dropped, merged, split clusters) and
checked for direction elsewhere. CTest runs it (tests/CMakeLists.txt). Standard library only.
"""
import collections
import copy
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import reuse_truth as rt  # noqa: E402

GENERATOR = os.path.join(REPO, 'tests', 'data', 'reuse', 'make-reuse-corpus')
EVAL = os.path.join(BENCH, 'reuse-eval')
REFERENCE = os.path.join(BENCH, 'reuse-reference')
SEED = 5
MAKE_CORPUS = ['--make-corpus', os.environ['SPEECHDEX_MAKE_CORPUS']] if os.environ.get('SPEECHDEX_MAKE_CORPUS') else []


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        raise AssertionError('%s failed (%d): %s' % (' '.join(cmd), r.returncode, r.stderr))
    return r


def read_jsonl(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')


def c2(n):
    return n * (n - 1) // 2


class Fixture:
    tmp = None
    corpus = None
    ref = None

    @classmethod
    def get(cls):
        if cls.tmp is None:
            cls.tmp = tempfile.mkdtemp(prefix='reuse-eval-test-')
            cls.corpus = os.path.join(cls.tmp, 'corpus')
            run([sys.executable, GENERATOR, '--out', cls.corpus, '--seed', str(SEED)] + MAKE_CORPUS)
            cls.ref = os.path.join(cls.tmp, 'ref')
            run([sys.executable, REFERENCE, '--corpus', cls.corpus, '--out-dir', cls.ref])
        return cls


def tearDownModule():
    if Fixture.tmp:
        shutil.rmtree(Fixture.tmp, ignore_errors=True)


class TruthTest(unittest.TestCase):
    """truth.json says what the files hold."""

    @classmethod
    def setUpClass(cls):
        f = Fixture.get()
        cls.c = rt.Corpus(f.corpus)
        cls.t = cls.c.truth
        cls.sp = cls.t['speeches']

    def test_size_and_kinds(self):
        kinds = collections.Counter(s['kind'] for s in self.sp)
        self.assertTrue(60 <= len(self.sp) <= 110, len(self.sp))
        for k in ('unrelated', 'original', 'exact_copy', 'near_copy'):
            self.assertGreater(kinds[k], 3, k)
        self.assertGreaterEqual(len(self.t['transplants']), 10)
        with open(os.path.join(self.c.root, 'manifest.tsv'), encoding='utf-8') as f:
            rows = [line.rstrip('\n').split('\t') for line in f]
        self.assertEqual(rows[0], ['path', 'code', 'county', 'province', 'year', 'topic', 'title'])
        self.assertEqual(len(rows) - 1, len(self.sp))
        for r, s in zip(rows[1:], self.sp):
            self.assertEqual((r[0], r[1], int(r[4])), (s['file'], s['county_code'], s['year']))
            self.assertEqual(r[6], self.c.lines(self.c.index[r[0]])[0])

    def test_lines_are_clean_paragraphs(self):
        for si in range(len(self.sp)):
            for line in self.c.lines(si):
                self.assertTrue(line and line == line.strip(), (self.sp[si]['file'], line[:30]))

    def test_provenance_covers_every_character_once(self):
        for si in range(len(self.sp)):
            text = self.c.text(si)
            covered = [0] * len(text)
            for s, n, _o in self.sp[si]['provenance']:
                for p in range(s, s + n):
                    covered[p] += 1
            want = [0 if ch == '\n' else 1 for ch in text]
            self.assertEqual(covered, want, self.sp[si]['file'])

    def test_copies_are_later_and_other_counties(self):
        for s in self.sp:
            if s['origin'] is None:
                continue
            src = self.sp[self.c.index[s['origin']['file']]]
            root = self.sp[self.c.index[s['origin']['root']]]
            self.assertGreater(s['year'], src['year'])
            self.assertGreater(s['year'], root['year'])
            self.assertNotEqual(s['county_code'], src['county_code'])
            self.assertEqual(root['kind'], 'original')

    def swapped(self, src, dst):
        """The source speech's lines with its county's names replaced by the copy's."""
        short = {}
        for s in (src, dst):
            name = s['county']
            short[name] = name[:2] if name.endswith(('自治县', '自治旗')) else \
                name[:-1] if len(name) >= 3 and name[-1] in '县区市旗' else name
        pat = re.compile('|'.join(sorted(map(re.escape, {src['county'], short[src['county']]}), key=len, reverse=True)))
        repl = {short[src['county']]: short[dst['county']], src['county']: dst['county']}  # full wins (和县)
        return [pat.sub(lambda m: repl[m.group(0)], line) for line in self.c.lines(self.c.index[src['file']])]

    def test_exact_copies_differ_only_by_the_county(self):
        n = 0
        for s in self.sp:
            if s['kind'] == 'exact_copy':
                src = self.sp[self.c.index[s['origin']['file']]]
                self.assertEqual(self.c.lines(self.c.index[s['file']]), self.swapped(src, s), s['file'])
                n += 1
        self.assertGreater(n, 0)

    def test_near_copies(self):
        rates = []
        for s in self.sp:
            if s['kind'] != 'near_copy':
                continue
            src = self.sp[self.c.index[s['origin']['file']]]
            old = self.swapped(src, s)
            new = self.c.lines(self.c.index[s['file']])
            froms = [p['from'] for p in s['paragraphs']]
            self.assertEqual(len(froms), len(new))
            self.assertNotIn(s['origin']['dropped_paragraph'], froms)
            self.assertEqual(sorted(f for f in froms if f), [f for f in froms if f])
            self.assertEqual(len([f for f in froms if f]), len(old) - 1)
            changed = total = 0
            for line, f in zip(new, froms):
                if f is None:
                    continue
                sm = difflib.SequenceMatcher(None, old[f - 1], line, autojunk=False)
                self.assertGreater(sm.ratio(), 0.75, (s['file'], line[:30]))
                total += len(old[f - 1])
                changed += sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != 'equal')
            rates.append(changed / total)
        self.assertTrue(rates)
        mean = sum(rates) / len(rates)
        self.assertTrue(0.01 <= mean <= 0.04, 'mean share of characters changed: %.4f' % mean)

    def test_transplants(self):
        for t in self.t['transplants']:
            s, g = self.c.index[t['source']['file']], self.c.index[t['target']['file']]
            a = self.c.text(s)[t['source']['start']:t['source']['end']]
            b = self.c.text(g)[t['target']['start']:t['target']['end']]
            self.assertTrue(60 <= len(a) <= 300, len(a))
            self.assertNotIn('\n', a + b)
            if t['changed_chars'] == 0:
                self.assertEqual(a, b)
            else:
                self.assertGreater(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 0.9)
            self.assertLess(self.sp[s]['year'], self.sp[g]['year'])
            self.assertNotEqual(self.sp[s]['county_code'], self.sp[g]['county_code'])
            tl = self.c.text(g)
            if t['as_paragraph']:
                self.assertEqual(tl[t['target']['start'] - 1], '\n')
                self.assertIn(tl[t['target']['end']:t['target']['end'] + 1], ('\n', ''))

    def test_central_quotes(self):
        for q in self.t['central_quotes']:
            self.assertTrue(40 <= len(q['text']) <= 120)
            self.assertGreaterEqual(q['speeches'] / len(self.sp), 0.3)
            self.assertGreaterEqual(q['provinces'], 10)
            for p in q['placements']:
                if not p['inherited']:
                    self.assertEqual(self.c.text(self.c.index[p['file']])[p['start']:p['end']], q['text'])

    def test_paragraph_clusters_hold_identical_and_copied_paragraphs(self):
        where = {}
        for k, cl in enumerate(self.t['paragraph_clusters']):
            for m in cl['members']:
                self.assertNotIn(tuple(m), where)
                where[tuple(m)] = k
        by_text = collections.defaultdict(list)
        for si in range(len(self.sp)):
            for n, line in enumerate(self.c.lines(si), 1):
                by_text[unicodedata_norm(line)].append((si, n))
        for same in by_text.values():
            if len(same) > 1:
                self.assertEqual(len({where.get(x) for x in same}), 1, same)
                self.assertIsNotNone(where.get(same[0]))
        for si, s in enumerate(self.sp):
            for p in s.get('paragraphs', []):
                if p['from']:
                    src = self.c.index[s['origin']['file']]
                    self.assertEqual(where.get((si, p['paragraph'])), where.get((src, p['from'])))

    def test_accidental_pairs_are_exact_and_complete(self):
        pairs = self.t['accidental_pairs']
        self.assertGreater(len(pairs), 20)
        have = collections.defaultdict(list)
        for sx, ax, bx, sy, ay, by in pairs:
            a, b = self.c.text(sx)[ax:bx], self.c.text(sy)[ay:by]
            self.assertGreaterEqual(len(a), 40)
            self.assertEqual(unicodedata_norm(a), unicodedata_norm(b))
            self.assertNotIn('\n', a)
            have[(sx, sy)].append((ax, bx))
        # Completeness against difflib's longest match, line by line, on unrelated speeches.
        clusters = {}
        for k, g in enumerate(self.t['speech_clusters']):
            for si in g:
                clusters[si] = k
        rng = random.Random(3)
        n = len(self.sp)
        checked = 0
        while checked < 40:
            x, y = sorted(rng.sample(range(n), 2))
            if clusters.get(x, -x - 1) == clusters.get(y, -y - 2):
                continue
            checked += 1
            a = unicodedata_norm(self.c.text(x)).replace('\n', '\x02')
            b = unicodedata_norm(self.c.text(y)).replace('\n', '\x03')
            m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
            if m.size < 40:
                continue
            ox = set(self.c.provenance(x).origins(m.a, m.a + m.size))
            oy = set(self.c.provenance(y).origins(m.b, m.b + m.size))
            if 2 * len(ox & oy) >= m.size:
                continue  # transplanted or quoted, not accidental
            self.assertTrue(any(ax <= m.a and m.a + m.size <= bx for ax, bx in have[(x, y)]),
                            'missing accidental run %d@%d ~ %d@%d (%d chars)' % (x, m.a, y, m.b, m.size))

    def test_deterministic(self):
        f = Fixture.get()
        again = os.path.join(f.tmp, 'again')
        run([sys.executable, GENERATOR, '--out', again, '--seed', str(SEED)] + MAKE_CORPUS)
        for name in ('truth.json', 'manifest.tsv', self.sp[0]['file'], self.sp[-1]['file']):
            with open(os.path.join(f.corpus, name), 'rb') as a, open(os.path.join(again, name), 'rb') as b:
                if name == 'truth.json':
                    ja, jb = json.load(a), json.load(b)
                    ja['stats'].pop('seconds')
                    jb['stats'].pop('seconds')
                    self.assertEqual(ja, jb)
                else:
                    self.assertEqual(a.read(), b.read(), name)
        shutil.rmtree(again)


def unicodedata_norm(s):
    import unicodedata
    return unicodedata.normalize('NFKC', s).casefold()


class EvalTest(unittest.TestCase):
    """reuse-eval scores the reference 1 and damaged references as they deserve."""

    @classmethod
    def setUpClass(cls):
        f = Fixture.get()
        cls.f = f
        cls.truth = rt.Corpus(f.corpus).truth
        cls.para = read_jsonl(os.path.join(f.ref, 'paragraph.jsonl'))
        cls.speech = read_jsonl(os.path.join(f.ref, 'speech.jsonl'))
        cls.reuse = read_jsonl(os.path.join(f.ref, 'reuse.jsonl'))
        cls.n = 0

    def score(self, para=None, speech=None, reuse=None, extra=()):
        EvalTest.n += 1
        d = os.path.join(self.f.tmp, 'case%d' % EvalTest.n)
        os.makedirs(d)
        cmd = [sys.executable, EVAL, '--corpus', self.f.corpus, '--json', os.path.join(d, 'score.json')]
        for name, rows in (('--paragraph-clusters', para), ('--speech-clusters', speech), ('--reuse', reuse)):
            if rows is not None:
                path = os.path.join(d, name.strip('-') + '.jsonl')
                write_jsonl(path, rows)
                cmd += [name, path]
        r = run(cmd + list(extra))
        with open(os.path.join(d, 'score.json'), encoding='utf-8') as f:
            res = json.load(f)
        res['_stdout'] = r.stdout
        res['_stderr'] = r.stderr
        return res

    def test_reference_scores_one(self):
        res = self.score(self.para, self.speech, self.reuse)
        for name in ('paragraph', 'speech'):
            r = res[name]
            for kind in ('pairwise', 'bcubed'):
                self.assertEqual((r[kind]['precision'], r[kind]['recall']), (1, 1), (name, kind))
            self.assertEqual(r['earliest']['share'], 1)
            self.assertGreater(r['earliest']['scored'], 0)
        self.assertEqual(res['paragraph']['copied_paragraph_pairs']['recall'], 1)
        self.assertEqual(res['speech']['copy_pairs']['recall'], 1)
        p = res['reuse']
        self.assertEqual(p['pair_precision'], 1)
        self.assertEqual(p['transplants']['recall'], 1)
        self.assertEqual(p['accidental_pairs']['recall'], 1)
        self.assertEqual(p['all_truth_passages']['recall'], 1)
        self.assertEqual((p['central_quotes']['precision'], p['central_quotes']['recall']), (1, 1))
        self.assertEqual(p['earliest']['share'], 1)
        self.assertEqual(res['mapping'], {})
        self.assertTrue(all(res['bar_met'].values()))
        self.assertIn('B-cubed', res['_stdout'])

    def test_paragraph_clusters_dropped(self):
        kept = [c for k, c in enumerate(self.para) if k % 2 == 0]
        res = self.score(para=kept)['paragraph']
        sizes = [len(c['members']) for c in self.para]
        self.assertEqual(res['bcubed']['precision'], 1)
        want = (sum(sizes[0::2]) + len(sizes[1::2])) / sum(sizes)
        self.assertAlmostEqual(res['bcubed']['recall'], want, places=4)
        self.assertAlmostEqual(res['pairwise']['recall'], sum(map(c2, sizes[0::2])) / sum(map(c2, sizes)), places=4)

    def test_paragraph_clusters_merged(self):
        merged = []
        for k in range(0, len(self.para) - 1, 2):
            a, b = copy.deepcopy(self.para[k]), self.para[k + 1]
            a['members'] += copy.deepcopy(b['members'])
            a['size'] = len(a['members'])
            merged.append(a)
        res = self.score(para=merged)['paragraph']
        pairs = [(len(self.para[k]['members']), len(self.para[k + 1]['members'])) for k in range(0, len(self.para) - 1, 2)]
        self.assertAlmostEqual(res['pairwise']['precision'],
                               sum(c2(a) + c2(b) for a, b in pairs) / sum(c2(a + b) for a, b in pairs), places=4)
        self.assertAlmostEqual(res['bcubed']['precision'],
                               sum((a * a + b * b) / (a + b) for a, b in pairs) / sum(a + b for a, b in pairs), places=4)
        covered = sum(a + b for a, b in pairs)
        total = sum(len(c['members']) for c in self.para)
        self.assertAlmostEqual(res['bcubed']['recall'], (covered + (total - covered) / len(self.para[-1]['members'])
                                                         if len(self.para) % 2 else covered) / total, places=4)
        self.assertIn('members not earliest first', res['checks'])

    def test_speech_clusters_lose_a_member(self):
        cut = []
        for c in self.speech:
            c = copy.deepcopy(c)
            c['members'] = c['members'][:-1]
            c['size'] = len(c['members'])
            if c['size'] >= 2:
                cut.append(c)
        res = self.score(speech=cut)['speech']
        sizes = [len(c['members']) for c in self.speech]
        self.assertEqual(res['pairwise']['precision'], 1)
        self.assertAlmostEqual(res['pairwise']['recall'], sum(c2(n - 1) for n in sizes) / sum(map(c2, sizes)), places=4)
        self.assertAlmostEqual(res['bcubed']['recall'],
                               sum((n - 1) ** 2 / n + 1 / n for n in sizes) / sum(sizes), places=4)
        self.assertLess(res['copy_pairs']['recall'], 1)

    def test_earliest_reversed(self):
        rev = []
        for c in self.speech:
            c = copy.deepcopy(c)
            c['members'].reverse()
            c['cluster'] = c['members'][0]['speech_id']
            rev.append(c)
        res = self.score(speech=rev)['speech']
        self.assertEqual(res['earliest']['share'], 0)
        self.assertEqual(res['bcubed']['f1'], 1)
        passages = copy.deepcopy(self.reuse)
        for c in passages:
            c['earliest'] = len(c['members']) - 1
        self.assertEqual(self.score(reuse=passages)['reuse']['earliest']['share'], 0)

    def transplant_rows(self):
        """Indexes of the reference's passage clusters that are planted transplants."""
        want = [{(t[w]['file'], t[w]['start'], t[w]['end']) for w in ('source', 'target')}
                for t in self.truth['transplants']]
        return [k for k, c in enumerate(self.reuse)
                if any(w <= {(rt_file(m['source'], self.f.corpus), m['start'], m['end']) for m in c['members']}
                       for w in want)]

    def test_transplants_dropped_or_misplaced(self):
        ks = self.transplant_rows()
        self.assertEqual(len(ks), len(self.truth['transplants']))
        drop = set(ks[::2])
        res = self.score(reuse=[c for k, c in enumerate(self.reuse) if k not in drop])['reuse']
        self.assertAlmostEqual(res['transplants']['recall'], 1 - len(drop) / len(ks), places=4)
        self.assertEqual(res['pair_precision'], 1)
        c = rt.Corpus(self.f.corpus)
        moved = copy.deepcopy(self.reuse)
        for k in ks:
            for m in moved[k]['members']:
                text = c.text(c.index[rt_file(m['source'], self.f.corpus)])
                n = m['end'] - m['start']
                a = m['end'] + n if m['end'] + 2 * n <= len(text) else max(0, m['start'] - 2 * n)
                m['start'], m['end'], m['text'] = a, a + n, text[a:a + n]
        res = self.score(reuse=moved)['reuse']
        self.assertEqual(res['transplants']['recall'], 0)
        pairs = res['pairs']
        wrong = pairs['reported'] - pairs['right_by_origin'] - pairs['right_by_exact_text'] - \
            pairs['right_by_near_text']
        self.assertGreaterEqual(wrong, 0.9 * len(ks))  # at least each source-target pair
        self.assertAlmostEqual(res['pair_precision'], 1 - wrong / pairs['reported'], places=3)
        self.assertEqual(res['accidental_pairs']['recall'], 1)

    def test_junk_pairs_lower_precision(self):
        base = self.score(reuse=self.reuse)['reuse']['pairs']['reported']
        c = rt.Corpus(self.f.corpus)
        rng = random.Random(9)
        junk = []
        groups = {si: k for k, g in enumerate(self.truth['speech_clusters']) for si in g}
        while len(junk) < 20:
            x, y = rng.sample(range(len(c.speeches)), 2)
            if groups.get(x, -1) == groups.get(y, -2) and x in groups:
                continue
            members = []
            for si in (x, y):
                text = c.text(si)
                a = rng.randrange(0, len(text) - 80)
                members.append({'speech_id': c.speeches[si]['file'] + '#1', 'source': c.speeches[si]['file'],
                                'start': a, 'end': a + 80, 'text': text[a:a + 80],
                                'county_code': c.speeches[si]['county_code'], 'year': c.speeches[si]['year']})
            junk.append({'passage': 0, 'central_quote': False, 'members': members, 'earliest': 0})
        res = self.score(reuse=self.reuse + junk)['reuse']
        self.assertAlmostEqual(res['pair_precision'], base / (base + 20), delta=2 / (base + 20))
        self.assertEqual(res['transplants']['recall'], 1)

    def test_central_quote_flags(self):
        unflagged = copy.deepcopy(self.reuse)
        for c in unflagged:
            c['central_quote'] = False
        res = self.score(reuse=unflagged)['reuse']['central_quotes']
        self.assertEqual(res['recall'], 0)
        self.assertIsNone(res['precision'])
        self.assertEqual(res['quote_clusters_not_flagged'], len(self.truth['central_quotes']))
        over = copy.deepcopy(self.reuse)
        for c in over[:10]:
            c['central_quote'] = True
        res = self.score(reuse=over)['reuse']['central_quotes']
        k = len(self.truth['central_quotes'])
        self.assertAlmostEqual(res['precision'], k / (k + 10), places=4)
        self.assertEqual(res['recall'], 1)

    def test_sources_relative_and_offsets_by_text(self):
        rows = copy.deepcopy(self.para)
        for c in rows:
            for m in c['members']:
                m['source'] = os.path.relpath(m['source'])
        res = self.score(para=rows)
        self.assertEqual(res['paragraph']['bcubed']['f1'], 1)
        passages = copy.deepcopy(self.reuse)
        for c in passages[:5]:
            for m in c['members']:
                m['start'] += 1000000
                m['end'] += 1000000
        res = self.score(reuse=passages)
        self.assertEqual(res['reuse']['pair_precision'], 1)
        self.assertGreater(res['mapping']['span mapped by its text'], 0)

    def test_db_mode_runs_the_programs(self):
        bindir = os.path.join(self.f.tmp, 'fakebin')
        os.makedirs(bindir, exist_ok=True)
        with open(os.path.join(bindir, 'speechdex-search'), 'w') as f:
            f.write('#!/bin/sh\ncase "$*" in\n'
                    '  *"--clusters paragraph"*) cat "%s/paragraph.jsonl";;\n'
                    '  *"--clusters speech"*) cat "%s/speech.jsonl";;\n'
                    '  *"--reuse --min-chars 40"*) cat "%s/reuse.jsonl";;\n'
                    '  *) echo "speechdex-search: error: unexpected $*" >&2; exit 2;;\nesac\n'
                    % (self.f.ref, self.f.ref, self.f.ref))
        os.chmod(os.path.join(bindir, 'speechdex-search'), 0o755)
        out = os.path.join(self.f.tmp, 'db-mode.json')
        r = run([sys.executable, EVAL, '--corpus', self.f.corpus, '--db', '/nonexistent.db', '--bin-dir', bindir,
                 '--json', out])
        with open(out, encoding='utf-8') as f:
            res = json.load(f)
        self.assertEqual(res['paragraph']['bcubed']['f1'], 1)
        self.assertEqual(res['reuse']['headline']['f1'], 1)
        self.assertIn('passages', r.stdout)
        r = subprocess.run([sys.executable, EVAL, '--corpus', self.f.corpus, '--db', '/x.db', '--bin-dir', '/nonexistent'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn('reuse-eval: error:', r.stderr)


def rt_file(source, corpus):
    return os.path.relpath(source, corpus)


@unittest.skipUnless(os.environ.get('SPEECHDEX_INDEX_BIN') and os.environ.get('SPEECHDEX_SEARCH_BIN'),
                     'set SPEECHDEX_INDEX_BIN and SPEECHDEX_SEARCH_BIN to check the real indexer')
class IndexerTest(unittest.TestCase):
    """The real indexer's paragraphs are the corpus's lines, so offsets agree."""

    def test_paragraphs_are_the_lines(self):
        f = Fixture.get()
        db = os.path.join(f.tmp, 'db')
        run([os.environ['SPEECHDEX_INDEX_BIN'], '--db', db, '--quiet', '--manifest',
             os.path.join(f.corpus, 'manifest.tsv'), f.corpus])
        r = run([os.environ['SPEECHDEX_SEARCH_BIN'], '--db', db, '--all', '--format', 'json', '--boilerplate',
                 'include', '--fields', 'source,speech,paragraph,kind,text,county_code,year', '--', '-XYZQQ'])
        c = rt.Corpus(f.corpus)
        got = collections.defaultdict(list)
        for line in r.stdout.splitlines():
            rec = json.loads(line)
            got[c.file_of_source(rec['source'])].append(rec)
        self.assertEqual(set(got), set(c.index))
        for name, recs in got.items():
            si = c.index[name]
            recs.sort(key=lambda x: (x['speech'], x['paragraph']))
            self.assertEqual([x['text'] for x in recs], c.lines(si), name)
            self.assertEqual({(x['speech'], x['county_code'], x['year']) for x in recs},
                             {(1, c.speeches[si]['county_code'], c.speeches[si]['year'])})
            self.assertNotIn('boilerplate', {x['kind'] for x in recs})


@unittest.skipUnless(os.environ.get('SPEECHDEX_NORMALIZE_BIN'),
                     'set SPEECHDEX_NORMALIZE_BIN (speechdex-bench-normalize) to compare normalizations')
class NearSupportTest(unittest.TestCase):
    """A pair that shares a passage nearly (county swapped, a number and a few characters
    changed) is right through near text; text below NEAR_IDENTITY or shorter than min-chars
    is not."""

    @classmethod
    def setUpClass(cls):
        import importlib.machinery
        import importlib.util
        loader = importlib.machinery.SourceFileLoader('reuse_eval', EVAL)
        spec = importlib.util.spec_from_loader('reuse_eval', loader)
        cls.ev = importlib.util.module_from_spec(spec)
        loader.exec_module(cls.ev)
        cls.judge = cls.ev.PassageJudge(rt.Corpus(Fixture.get().corpus), 40)

    def members(self, a, b):
        x, y = self.ev.Member(0, 0, 0, 0, 0), self.ev.Member(1, 0, 0, 0, 1)
        x._skel = rt.skeleton(self.judge.masker, a)
        y._skel = rt.skeleton(self.judge.masker, b)
        return x, y

    def test_near(self):
        rng = random.Random(3)
        county = next(sp['county'] for sp in self.judge.c.speeches if len(sp['county']) >= 3)
        body = ''.join(rng.choice('依法行政招商引资枫桥经验乡村振兴生态环境保护') for _ in range(70))
        a = '今天，' + county + '召开2019年工作会议，' + body
        changed = body[:20] + '甲乙' + body[22:50] + '丙' + body[51:]
        b = '今天，某某县召开2023年工作会议，' + changed
        nx, ny = self.judge.near_support(*self.members(a, b))
        self.assertGreater(min(nx, ny), 0.9)
        # One character in four changed: below 80% identity.
        far = ''.join('丁' if i % 4 == 0 else c for i, c in enumerate(body))
        self.assertLess(max(self.judge.near_support(*self.members(body, far))), 0.5)
        # Equal but shorter than min-chars.
        self.assertEqual(self.judge.near_support(*self.members(body[:35] + '戊' * 30, body[:35] + '己' * 30)),
                         (0.0, 0.0))


class NormalizerTest(unittest.TestCase):
    """reuse_truth normalizes the corpus as the engine does (white space aside)."""

    def test_same_as_the_engine(self):
        c = rt.Corpus(Fixture.get().corpus)
        lines = [line for si in range(len(c.speeches)) for line in c.lines(si)]
        r = run([os.environ['SPEECHDEX_NORMALIZE_BIN']], input='\n'.join(lines) + '\n')
        engine = r.stdout.split('\n')[:-1]
        self.assertEqual(len(engine), len(lines))
        ours = [re.sub('[ \t\r]', '', rt.norm_text(line)) for line in lines]
        self.assertEqual([i for i, (a, b) in enumerate(zip(ours, engine)) if a != b], [])


if __name__ == '__main__':
    unittest.main()
