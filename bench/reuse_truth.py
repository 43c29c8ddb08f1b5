"""reuse_truth: what the planted-reuse generator, its evaluator and its reference share.

Used by tests/data/reuse/make-reuse-corpus (which writes truth.json), bench/reuse-eval and
bench/reuse-reference. Standard library only. The definitions here are the truth's
definitions; tests/data/reuse/README.md states them in prose.

- A speech's text is its file's lines (without their newlines) joined with "\\n", title line
  included; offsets are code points in that text.
- Normalization is NFKC then case folding, character by character (unicodedata), plus the
  three characters of make-corpus text that the engine's Traditional->Simplified table also
  folds (ENGINE_T2S): on this corpus, the engine's normalization exactly.
- A paragraph's skeleton is its normalized text with county names (full and short forms of
  the corpus's counties) replaced by one mark and digit runs by "0".
"""
import array
import bisect
import functools
import json
import os
import re
import unicodedata

MIN_CHARS = 40          # shortest shared passage (speechdex-search --reuse --min-chars)
NEAR_EDIT_MAX_LEN = 60  # skeletons up to this length are also near-identical at one edit
NEAR_EDIT_MIN_LEN = 10  # ... and from this length
COUNTY_MARK = '\x01'


# ---------------------------------------------------------------- normalization

# The engine's Traditional->Simplified table (from ICU) also folds these characters, which
# make-corpus text holds (measured with speechdex-bench-normalize on the bench corpus: the
# only differences from NFKC + casefold); no other character of the corpus is touched by it.
ENGINE_T2S = {'著': '着', '俱': '具', '乾': '干'}


T2S_TABLE = str.maketrans(ENGINE_T2S)


@functools.lru_cache(maxsize=None)
def norm_char(c):
    return unicodedata.normalize('NFKC', c).casefold().translate(T2S_TABLE)


def normalize(text):
    """Returns (normalized text, raw offsets): raw[i] is the offset in text of normalized
    character i, with raw[len] == len(text); raw is None when normalization keeps the
    length (always so on make-corpus text; combining marks it reorders keep their offsets)."""
    s = unicodedata.normalize('NFKC', text).casefold().translate(T2S_TABLE)
    if len(s) == len(text):
        return s, None
    parts = [norm_char(c) for c in text]
    s = ''.join(parts)
    raw = []
    for i, p in enumerate(parts):
        raw.extend([i] * len(p))
    raw.append(len(text))
    return s, raw


def to_raw(raw, i):
    return i if raw is None else raw[i]


def to_norm(raw, i):
    """The normalized offset of raw offset i (the first normalized character at or after it)."""
    return i if raw is None else bisect.bisect_left(raw, i)


def is_cjk(ch):
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF


def shingles(s, k=5):
    if len(s) <= k:
        return {s}
    return {s[i:i + k] for i in range(len(s) - k + 1)}


def jaccard(a, b):
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# ---------------------------------------------------------------- union-find

class UnionFind:
    def __init__(self, n=0):
        self.parent = list(range(n))

    def add(self):
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x):
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                ra, rb = rb, ra
            self.parent[ra] = rb

    def groups(self):
        """Components of two or more, each sorted, ordered by their first element."""
        g = {}
        for x in range(len(self.parent)):
            g.setdefault(self.find(x), []).append(x)
        return sorted((v for v in g.values() if len(v) > 1), key=lambda v: v[0])


# ---------------------------------------------------------------- skeletons

class NameMasker:
    """Replaces every occurrence of the given names with COUNTY_MARK, longest name first."""

    def __init__(self, names):
        by_first = {}
        for n in sorted({norm_text(x) for x in names if len(x) >= 2}, key=lambda x: (-len(x), x)):
            by_first.setdefault(n[0], []).append(n)
        self.by_first = by_first

    def mask(self, s):
        by_first = self.by_first
        out = []
        i, n = 0, len(s)
        start = 0
        while i < n:
            cands = by_first.get(s[i])
            if cands:
                for name in cands:
                    if s.startswith(name, i):
                        out.append(s[start:i])
                        out.append(COUNTY_MARK)
                        i += len(name)
                        start = i
                        break
                else:
                    i += 1
            else:
                i += 1
        out.append(s[start:])
        return ''.join(out)


def norm_text(s):
    return normalize(s)[0]


DIGITS = re.compile(r'[0-9]+')


def skeleton(masker, text):
    return DIGITS.sub('0', masker.mask(norm_text(text)))


def within_one_edit(a, b):
    """Levenshtein distance of a and b is at most 1."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


def near_identical_groups(skeletons):
    """Unions skeletons (a list of strings) that are equal, or within one edit when the
    longer has NEAR_EDIT_MIN_LEN..NEAR_EDIT_MAX_LEN characters. Returns a UnionFind over
    the indexes."""
    uf = UnionFind(len(skeletons))
    first = {}
    for i, s in enumerate(skeletons):
        j = first.setdefault(s, i)
        if j != i:
            uf.union(i, j)
    # One edit: candidates share a deletion variant (or one is the other's); verified.
    buckets = {}
    for s, i in first.items():
        if len(s) > NEAR_EDIT_MAX_LEN or len(s) + 1 < NEAR_EDIT_MIN_LEN:
            continue
        keys = {s}
        keys.update(s[:k] + s[k + 1:] for k in range(len(s)))
        for key in keys:
            buckets.setdefault(key, []).append(s)
    for members in buckets.values():
        if len(members) < 2:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                if max(len(a), len(b)) >= NEAR_EDIT_MIN_LEN and within_one_edit(a, b):
                    uf.union(first[a], first[b])
    return uf


# ---------------------------------------------------------------- shared runs

def line_windows(ns, length):
    """Start offsets of the windows of `length` characters of ns that hold no newline."""
    start = 0
    n = len(ns)
    while start < n:
        end = ns.find('\n', start)
        if end < 0:
            end = n
        for i in range(start, end - length + 1):
            yield i
        start = end + 1


def shared_runs(norms, length=MIN_CHARS):
    """Brute force: every maximal run, inside one line, of normalized text whose every
    window of `length` characters occurs in at least one other speech. norms: each
    speech's normalize(). Returns groups of runs that share a window (transitively), each
    a sorted list of (speech, start, end) in raw offsets; groups sorted."""
    hashes = [array.array('q', (hash(ns[i:i + length]) for i in line_windows(ns, length))) for ns, _ in norms]
    first = {}
    multi = set()
    for si, hs in enumerate(hashes):
        for h in set(hs):
            f = first.setdefault(h, si)
            if f != si:
                multi.add(h)
    del first
    runs = []          # (speech, [nstart, nend])
    run_windows = []   # hashes of each run's windows
    for si, (ns, _raw) in enumerate(norms):
        cur = None
        prev = -2
        for i, h in zip(line_windows(ns, length), hashes[si]):
            if h in multi:
                if cur is not None and i == prev + 1:
                    cur[1] = i + length
                    run_windows[-1].append(h)
                else:
                    cur = [i, i + length]
                    runs.append((si, cur))
                    run_windows.append([h])
                prev = i
    del hashes
    uf = UnionFind(len(runs))
    owner = {}
    for ri, hs in enumerate(run_windows):
        for h in hs:
            o = owner.setdefault(h, ri)
            if o != ri:
                uf.union(o, ri)
    comp = {}
    for ri in range(len(runs)):
        comp.setdefault(uf.find(ri), []).append(ri)
    groups = []
    for members in comp.values():
        occ = []
        for ri in members:
            si, (a, b) = runs[ri]
            raw = norms[si][1]
            occ.append((si, to_raw(raw, a), to_raw(raw, b)))
        if len({o[0] for o in occ}) > 1:
            groups.append(sorted(occ))
    groups.sort()
    return groups


def accidental_pairs(groups, norms, provs, length=MIN_CHARS):
    """The accidental shared passages: for each pair of speeches, every maximal exact common
    run (of `length` or more characters, in one line each) that is not copied text: the two
    sides share fewer than half of their characters' origins. Candidates: places of one
    window in a shared-run group (shared_runs) whose middle characters have different
    origins. Returns sorted [sx, ax, bx, sy, ay, by] (raw offsets, sx < sy)."""
    out = set()
    mid = length // 2
    for g in groups:
        where = {}
        for si, a, b in g:
            ns, raw = norms[si]
            orig = provs[si].per_char(a, b)
            for i in range(to_norm(raw, a), to_norm(raw, b) - length + 1):
                o = orig[to_raw(raw, i + mid) - a]
                where.setdefault(ns[i:i + length], {}).setdefault(o, []).append((si, i))
        diag = {}
        for buckets in where.values():
            if len(buckets) < 2:
                continue
            bl = list(buckets.values())
            for x in range(len(bl)):
                for y in range(x + 1, len(bl)):
                    for s1, i1 in bl[x]:
                        for s2, i2 in bl[y]:
                            if s1 < s2:
                                diag.setdefault((s1, s2, i2 - i1), set()).add(i1)
                            elif s2 < s1:
                                diag.setdefault((s2, s1, i1 - i2), set()).add(i2)
        for (sx, sy, d), starts in diag.items():
            starts = sorted(starts)
            lo = prev = starts[0]
            for i in starts[1:] + [None]:
                if i is not None and i == prev + 1:
                    prev = i
                    continue
                rx, ry = norms[sx][1], norms[sy][1]
                ax, bx = to_raw(rx, lo), to_raw(rx, prev + length)
                ay, by = to_raw(ry, lo + d), to_raw(ry, prev + length + d)
                shared = set(provs[sx].origins(ax, bx)) & set(provs[sy].origins(ay, by))
                if 2 * len(shared) < min(bx - ax, by - ay):
                    out.add((sx, ax, bx, sy, ay, by))
                if i is not None:
                    lo = prev = i
    return sorted(list(p) for p in out)


def similar_pairs(strings, threshold, k=5):
    """Every pair (i, j), i < j, of strings whose k-shingle Jaccard is at least threshold,
    with it: an exact all-pairs join with prefix filtering (shingles ordered rarest first;
    two sets this alike share one of the first len - ceil(threshold * len) + 1 of each)."""
    sets = [{hash(g) for g in shingles(x, k)} for x in strings]
    df = {}
    for st in sets:
        for g in st:
            df[g] = df.get(g, 0) + 1
    index = {}
    out = []
    for i in sorted(range(len(sets)), key=lambda i: (len(sets[i]), i)):
        st = sets[i]
        n = len(st)
        prefix = sorted(st, key=lambda g: (df[g], g))[:n - int(-(-threshold * n // 1)) + 1]
        cands = set()
        for g in prefix:
            cands.update(j for j in index.get(g, ()) if len(sets[j]) >= threshold * n)
        for j in cands:
            jac = jaccard(st, sets[j])
            if jac >= threshold:
                out.append((min(i, j), max(i, j), jac))
        for g in prefix:
            index.setdefault(g, []).append(i)
    return sorted(out)


def longest_common_substring(a, b, floor=1, cap=4096):
    """Length of the longest common substring of a and b (binary search over lengths,
    windows hashed), at most cap; 0 below floor."""
    def common(L):
        if L > len(a) or L > len(b):
            return False
        sa = {a[i:i + L] for i in range(len(a) - L + 1)}
        return any(b[i:i + L] in sa for i in range(len(b) - L + 1))
    if not common(floor):
        return 0
    lo, hi = floor, min(len(a), len(b), cap)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if common(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


# ---------------------------------------------------------------- provenance

class Provenance:
    """A speech's character provenance from truth.json: runs [start, length, origin]
    (character start+i has origin origin+i); characters in no run (newlines) have none."""

    def __init__(self, runs):
        self.runs = runs
        self.starts = [r[0] for r in runs]

    def pieces(self, a, b):
        """(lo, hi, origin of lo) for each run's part inside [a, b)."""
        runs = self.runs
        k = max(0, bisect.bisect_right(self.starts, a) - 1)
        while k < len(runs) and runs[k][0] < b:
            s, n, o = runs[k]
            lo, hi = max(a, s), min(b, s + n)
            if lo < hi:
                yield lo, hi, o + lo - s
            k += 1

    def per_char(self, a, b):
        """Origin of each character in [a, b), -1 where none."""
        out = [-1] * (b - a)
        for lo, hi, o in self.pieces(a, b):
            out[lo - a:hi - a] = range(o, o + hi - lo)
        return out

    def origins(self, a, b):
        """The origins of the characters in [a, b) that have one."""
        return [o for lo, hi, o0 in self.pieces(a, b) for o in range(o0, o0 + hi - lo)]

    def intervals(self, a, b):
        """The origins of the characters in [a, b) as [lo, hi) intervals."""
        return ((o, o + hi - lo) for lo, hi, o in self.pieces(a, b))


class SourceMap:
    """Origin -> the id of the range it was allocated in (truth.json origin_sources)."""

    def __init__(self, ranges):
        # ranges: [[first_origin, count, source], ...] sorted by first_origin
        self.firsts = [r[0] for r in ranges]
        self.ranges = ranges

    def source(self, origin):
        k = bisect.bisect_right(self.firsts, origin) - 1
        if k < 0:
            return None
        f, n, src = self.ranges[k]
        return src if origin < f + n else None

    def dominant(self, intervals):
        """The source most of the origins in the [lo, hi) intervals come from (ties: the
        smallest), or None."""
        counts = {}
        ranges = self.ranges
        for lo, hi in intervals:
            k = max(0, bisect.bisect_right(self.firsts, lo) - 1)
            while k < len(ranges) and ranges[k][0] < hi:
                f, n, src = ranges[k]
                m = min(hi, f + n) - max(lo, f)
                if m > 0:
                    counts[src] = counts.get(src, 0) + m
                k += 1
        if not counts:
            return None
        return min(counts, key=lambda s: (-counts[s], s))


# ---------------------------------------------------------------- the corpus

class Corpus:
    """A generated corpus: manifest, texts (read on demand) and truth.json."""

    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, 'truth.json'), encoding='utf-8') as f:
            self.truth = json.load(f)
        self.speeches = self.truth['speeches']
        self.index = {s['file']: i for i, s in enumerate(self.speeches)}
        self._texts = {}
        self._norms = {}
        self._prov = {}
        self.sources = SourceMap(self.truth['origin_sources'])

    def text(self, si):
        t = self._texts.get(si)
        if t is None:
            with open(os.path.join(self.root, self.speeches[si]['file']), encoding='utf-8') as f:
                t = f.read()
            if t.endswith('\n'):
                t = t[:-1]
            t = self._texts[si] = t
        return t

    def lines(self, si):
        return self.text(si).split('\n')

    def norm(self, si):
        n = self._norms.get(si)
        if n is None:
            n = self._norms[si] = normalize(self.text(si))
        return n

    def provenance(self, si):
        p = self._prov.get(si)
        if p is None:
            p = self._prov[si] = Provenance(self.speeches[si]['provenance'])
        return p

    def paragraph_spans(self, si):
        """[start, end) of each line (paragraph n is spans[n-1])."""
        spans = []
        pos = 0
        for line in self.lines(si):
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return spans

    def file_of_source(self, source):
        """The corpus file a `source` path (as given to the indexer) names, or None."""
        if source in self.index:
            return source
        try:
            rel = os.path.relpath(os.path.realpath(source), os.path.realpath(self.root))
            if rel in self.index:
                return rel
        except ValueError:
            pass
        parts = source.replace('\\', '/').split('/')
        for k in range(1, len(parts)):
            cand = '/'.join(parts[k:])
            if cand in self.index:
                return cand
        return None


def short_county(county):
    """The short form a speech may use for its county (`余干县` → `余干`; an autonomous
    county by its first two characters): the rule make-corpus writes them by."""
    for suf in ('自治县', '自治旗'):
        if county.endswith(suf):
            return county[:2]
    if len(county) >= 3 and county[-1] in '县区市旗':
        return county[:-1]
    return county


def county_names(speeches):
    """Every speech's county, full and short (truth.json's `speeches`)."""
    names = set()
    for sp in speeches:
        c = sp.get('county')
        if c:
            names.add(c)
            names.add(short_county(c))
    return names
