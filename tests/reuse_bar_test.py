#!/usr/bin/env python3
"""Issue 14's bar on a planted corpus made at test time: duplicate clusters of paragraphs and
speeches (B-cubed precision and recall), passages (pair precision, transplant recall) and the
earliest member, scored by bench/reuse-eval against make-reuse-corpus's truth (bench/README.md,
"Reuse evaluation": a pair is right when its members share text exactly or nearly). Usage: reuse_bar_test.py SOURCE_DIR BIN_DIR [SEED]"""
import json, os, subprocess, sys, tempfile

BAR = 0.95


def main():
    source, bins = sys.argv[1], sys.argv[2]
    seed = sys.argv[3] if len(sys.argv) > 3 else '5'
    with tempfile.TemporaryDirectory() as tmp:
        corpus, db, scores = os.path.join(tmp, 'corpus'), os.path.join(tmp, 'db'), os.path.join(tmp, 's.json')
        make = [sys.executable, os.path.join(source, 'tests/data/reuse/make-reuse-corpus'), '--out', corpus,
                '--seed', seed]
        if os.environ.get('SPEECHDEX_MAKE_CORPUS'):
            make += ['--make-corpus', os.environ['SPEECHDEX_MAKE_CORPUS']]
        subprocess.run(make, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, os.path.join(source, 'bench/reuse-eval'), '--corpus', corpus, '--db', db,
                        '--index', '--bin-dir', bins, '--json', scores], check=False)
        with open(scores) as f:
            s = json.load(f)
    failures = []

    def need(name, value):
        print('%-40s %.4f' % (name, value))
        if value < BAR:
            failures.append('%s %.4f < %.2f' % (name, value, BAR))

    for level in ('paragraph', 'speech'):
        need(level + ' clusters B-cubed precision', s[level]['bcubed']['precision'])
        need(level + ' clusters B-cubed recall', s[level]['bcubed']['recall'])
        need(level + ' earliest member', s[level]['earliest']['share'])
    need('transplanted passages recall', s['reuse']['transplants']['recall'])
    need('passage pair precision', s['reuse']['pair_precision'])
    print('%-40s %.4f (not asserted)' % ('  counting exact sharing only', s['reuse']['pair_precision_exact_only']))
    if failures:
        sys.exit('reuse bar: ' + '; '.join(failures))


if __name__ == '__main__':
    main()
