// Text reuse, the pairwise part: winnowing's guarantee, seed extension over edits and gaps,
// chaining, and offsets mapped back to the stored text through normalization.
#include "reuse_align.h"

#include <gtest/gtest.h>

#include <random>

#include "reuse.h"

namespace speechdex::testing {
namespace {

using searcher::AlignParams;
using searcher::Edit;
using searcher::EditOp;
using searcher::LocalAlignment;
using Ids = std::vector<uint32_t>;

// `count` ids drawn from [base, base + 100000): fillers from different bases never match.
Ids random_ids(std::mt19937& rng, size_t count, uint32_t base) {
  std::uniform_int_distribution<uint32_t> pick(base, base + 99999);
  Ids out(count);
  for (uint32_t& x : out) x = pick(rng);
  return out;
}

Ids cat(std::initializer_list<Ids> parts) {
  Ids out;
  for (const Ids& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The edit script as a compact string: e12 r1 d3 i2 (equal, replace, delete, insert).
std::string script(const LocalAlignment& al) {
  std::string out;
  for (const Edit& e : al.edits) {
    const char c = e.op == EditOp::kEqual    ? 'e'
                   : e.op == EditOp::kDelete ? 'd'
                   : e.op == EditOp::kInsert ? 'i'
                                             : 'r';
    // Piece by piece: GCC 12 -O3 warns falsely (-Wrestrict) on "x" + std::string&&.
    if (!out.empty()) out += ' ';
    out += c;
    out += std::to_string(e.op == EditOp::kInsert ? e.b1 - e.b0 : e.a1 - e.a0);
  }
  return out;
}

// The script covers both ranges in order, and its equal pieces are equal.
void check_script(const Ids& a, const Ids& b, const LocalAlignment& al) {
  uint32_t x = al.a0, y = al.b0, matches = 0;
  for (const Edit& e : al.edits) {
    ASSERT_EQ(e.a0, x);
    ASSERT_EQ(e.b0, y);
    if (e.op == EditOp::kEqual) {
      ASSERT_EQ(e.a1 - e.a0, e.b1 - e.b0);
      EXPECT_TRUE(std::equal(a.begin() + e.a0, a.begin() + e.a1, b.begin() + e.b0));
      matches += e.a1 - e.a0;
    }
    x = e.a1;
    y = e.b1;
  }
  EXPECT_EQ(x, al.a1);
  EXPECT_EQ(y, al.b1);
  EXPECT_EQ(matches, al.matches);
}

// Extends the seed at the start of a shared piece known to be at (pa, pb).
LocalAlignment extend(const Ids& a, const Ids& b, uint32_t pa, uint32_t pb) {
  return searcher::extend_seed(a, b, pa, pb, 10, AlignParams{}, true);
}

// The passages of two texts without paragraph breaks or punctuation, at least 40 units.
std::vector<LocalAlignment> align(const Ids& a, const Ids& b) {
  return searcher::align_texts({a, {}}, {b, {}}, {}, 10, 40, AlignParams{}, true);
}

TEST(ReuseAlign, EqualNgramsHashEquallyInEveryText) {
  const Ids a = {1, 2, 3, 4, 5, 6}, b = {9, 2, 3, 4, 7};
  const std::vector<uint64_t> ha = searcher::ngram_hashes(a, 3), hb = searcher::ngram_hashes(b, 3);
  ASSERT_EQ(ha.size(), 4u);
  ASSERT_EQ(hb.size(), 3u);
  EXPECT_EQ(ha[1], hb[1]);  // 2 3 4
  EXPECT_NE(ha[0], hb[0]);
  EXPECT_NE(ha[2], hb[2]);
  EXPECT_TRUE(searcher::ngram_hashes(Ids{1, 2}, 3).empty());
}

TEST(ReuseAlign, WinnowingSeesEverySharedRunOfWindowPlusNMinusOne) {
  std::mt19937 rng(7);
  const size_t n = 10, w = 11;
  for (int trial = 0; trial < 300; ++trial) {
    const size_t run = w + n - 1;
    // A small alphabet, so equal hashes inside the windows happen too.
    std::uniform_int_distribution<uint32_t> pick(0, 3);
    Ids shared(run);
    for (uint32_t& x : shared) x = pick(rng);
    const Ids a = cat({random_ids(rng, trial % 50, 0), shared, random_ids(rng, 40, 0)});
    const Ids b = cat({random_ids(rng, trial % 37, 200000), shared, random_ids(rng, 9, 200000)});
    const size_t pa = trial % 50, pb = trial % 37;
    const std::vector<uint64_t> ha = searcher::ngram_hashes(a, n),
                                hb = searcher::ngram_hashes(b, n);
    std::set<uint64_t> in_a;
    for (uint32_t p : searcher::winnow(ha, w)) {
      if (p >= pa && p + n <= pa + run) in_a.insert(ha[p]);
    }
    bool seen = false;
    for (uint32_t p : searcher::winnow(hb, w)) {
      if (p >= pb && p + n <= pb + run && in_a.count(hb[p])) seen = true;
    }
    ASSERT_TRUE(seen) << "trial " << trial;
  }
}

TEST(ReuseAlign, WinnowingAShortTextKeepsItsSmallestHash) {
  const std::vector<uint64_t> h = {5, 3, 9, 3};
  EXPECT_EQ(searcher::winnow(h, 11), std::vector<uint32_t>{3});
  EXPECT_EQ(searcher::winnow(h, 2), (std::vector<uint32_t>{1, 3}));
  EXPECT_TRUE(searcher::winnow({}, 4).empty());
}

TEST(ReuseAlign, AnExactRunEndsWhereTheTextsDiffer) {
  std::mt19937 rng(1);
  const Ids s = random_ids(rng, 50, 0);
  const Ids a = cat({random_ids(rng, 30, 100000), s, random_ids(rng, 30, 100000)});
  const Ids b = cat({random_ids(rng, 12, 200000), s, random_ids(rng, 44, 200000)});
  const LocalAlignment al = extend(a, b, 30 + 20, 12 + 20);
  EXPECT_EQ(al.a0, 30u);
  EXPECT_EQ(al.a1, 80u);
  EXPECT_EQ(al.b0, 12u);
  EXPECT_EQ(al.b1, 62u);
  EXPECT_EQ(script(al), "e50");
  check_script(a, b, al);
}

TEST(ReuseAlign, SubstitutionsInsertionsAndDeletionsStayInOnePassage) {
  std::mt19937 rng(2);
  const Ids s = random_ids(rng, 80, 0);
  const Ids left = random_ids(rng, 20, 100000), right = random_ids(rng, 20, 100000);
  const Ids left_b = random_ids(rng, 20, 200000), right_b = random_ids(rng, 20, 200000);
  struct Case {
    const char* name;
    Ids changed;  // s as B has it
    std::string expected;
  };
  Ids one = s, two = s, ins = s, del = s, mixed = s;
  one[40] = 999999;
  two[30] = 999998;
  two[31] = 999997;
  ins.insert(ins.begin() + 35, {999996, 999995});
  del.erase(del.begin() + 50, del.begin() + 53);
  mixed[15] = 999994;
  mixed.erase(mixed.begin() + 60);
  for (const Case& c :
       {Case{"one substituted", one, "e40 r1 e39"}, Case{"two substituted", two, "e30 r2 e48"},
        Case{"two inserted", ins, "e35 i2 e45"}, Case{"three deleted", del, "e50 d3 e27"},
        Case{"substituted and deleted", mixed, "e15 r1 e44 d1 e19"}}) {
    SCOPED_TRACE(c.name);
    const Ids a = cat({left, s, right}), b = cat({left_b, c.changed, right_b});
    const LocalAlignment al = extend(a, b, 20, 20);  // the seed at the start of s
    EXPECT_EQ(al.a0, 20u);
    EXPECT_EQ(al.a1, 100u);
    EXPECT_EQ(al.b0, 20u);
    EXPECT_EQ(al.b1, 20u + c.changed.size());
    EXPECT_EQ(script(al), c.expected);
    check_script(a, b, al);
    // Seeded from the other end, the same alignment.
    const LocalAlignment back = extend(a, b, 90, 20 + static_cast<uint32_t>(c.changed.size()) - 10);
    EXPECT_EQ(script(back), c.expected);
  }
}

TEST(ReuseAlign, AMismatchIsCrossedOnlyWhenFourEqualUnitsFollow) {
  std::mt19937 rng(3);
  const Ids s = random_ids(rng, 40, 0), tail = random_ids(rng, 4, 0);
  for (uint32_t equal_after : {2u, 3u, 4u}) {
    SCOPED_TRACE(equal_after);
    const Ids after(tail.begin(), tail.begin() + equal_after);
    const Ids a = cat({s, {777777}, after, random_ids(rng, 20, 100000)});
    const Ids b = cat({s, {888888}, after, random_ids(rng, 20, 200000)});
    const LocalAlignment al = extend(a, b, 0, 0);
    // Match +1, mismatch -3: the score rises past its best only after four equal units.
    EXPECT_EQ(al.a1, equal_after >= 4 ? 45u : 40u);
  }
}

TEST(ReuseAlign, ChainsJoinPassagesAcrossSmallGapsOnly) {
  std::mt19937 rng(4);
  const Ids s1 = random_ids(rng, 50, 0), s2 = random_ids(rng, 50, 0);
  for (uint32_t gap : {6u, 24u, 26u, 40u}) {
    SCOPED_TRACE(gap);
    const Ids a = cat({random_ids(rng, 10, 100000), s1, random_ids(rng, gap, 100000), s2});
    const Ids b = cat({random_ids(rng, 10, 200000), s1, random_ids(rng, gap, 200000), s2});
    const std::vector<LocalAlignment> found = align(a, b);
    // A gap up to half the equal units of the shorter side (25) is crossed.
    if (gap <= 25) {
      ASSERT_EQ(found.size(), 1u);
      EXPECT_EQ(script(found[0]), "e50 r" + std::to_string(gap) + " e50");
      check_script(a, b, found[0]);
    } else {
      ASSERT_EQ(found.size(), 2u);
      EXPECT_EQ(script(found[0]), "e50");
      EXPECT_EQ(script(found[1]), "e50");
    }
  }
}

TEST(ReuseAlign, ACopyWithAParagraphDroppedIsOnePassageWithADeletion) {
  std::mt19937 rng(5);
  const Ids head = random_ids(rng, 1500, 0), dropped = random_ids(rng, 250, 0),
            tail = random_ids(rng, 1500, 0);
  const Ids a = cat({head, dropped, tail}), b = cat({head, tail});
  const std::vector<LocalAlignment> found = align(a, b);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(script(found[0]), "e1500 d250 e1500");
  // Too large a share dropped, the halves are two passages.
  const Ids small =
      cat({Ids(head.begin(), head.begin() + 300), dropped, Ids(tail.begin(), tail.begin() + 300)});
  const Ids small_b =
      cat({Ids(head.begin(), head.begin() + 300), Ids(tail.begin(), tail.begin() + 300)});
  EXPECT_EQ(align(small, small_b).size(), 2u);
}

TEST(ReuseAlign, ShortAndRepeatedTextsAlignWithoutSurprises) {
  std::mt19937 rng(6);
  const Ids s = random_ids(rng, 45, 0);
  // Shorter than the minimum: nothing.
  EXPECT_TRUE(align(Ids(s.begin(), s.begin() + 39), s).empty());
  // A passage twice in B is aligned with both copies.
  const Ids b = cat({s, random_ids(rng, 30, 200000), s});
  const std::vector<LocalAlignment> found = align(s, b);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].b0 + found[1].b0, 75u + 0u);
  // Empty texts.
  EXPECT_TRUE(align(Ids{}, s).empty());
}

TEST(ReuseAlign, EdgesDropLeadingPunctuationAndShortPiecesAcrossParagraphBreaks) {
  std::mt19937 rng(8);
  Ids s = random_ids(rng, 70, 1000);
  s[0] = 7;  // a punctuation mark, then three units and a paragraph break
  std::vector<bool> punctuation(8, false);
  punctuation[7] = true;
  const Ids a = cat({random_ids(rng, 20, 200000), s, random_ids(rng, 5, 300000)});
  const Ids b = cat({random_ids(rng, 30, 400000), s, random_ids(rng, 5, 500000)});
  // Breaks before s[4] in A, and six units before the end of s in B.
  const searcher::UnitText ta{a, {24}}, tb{b, {30 + 64}};
  std::vector<LocalAlignment> found =
      searcher::align_texts(ta, tb, punctuation, 10, 40, AlignParams{}, true);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].a0, 24u);  // s[0..4) dropped: a piece of 4 units before a break
  EXPECT_EQ(found[0].b0, 34u);
  EXPECT_EQ(found[0].a1, 20u + 64);  // the last 6 units, after B's break, dropped
  EXPECT_EQ(script(found[0]), "e60");
  check_script(a, b, found[0]);
  // Without the breaks only the punctuation goes.
  found = searcher::align_texts({a, {}}, {b, {}}, punctuation, 10, 40, AlignParams{}, true);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(script(found[0]), "e69");
  // A passage that starts and ends both texts keeps its edges.
  found = searcher::align_texts({s, {4, 64}}, {s, {4}}, {}, 10, 40, AlignParams{}, true);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(script(found[0]), "e70");
}

// Offsets map back to the stored text through normalization: full-width letters and digits,
// white space and line breaks are in the stored text, not in the units.
TEST(ReuseAlign, UnitOffsetsMapBackThroughNormalization) {
  const searcher::TextUnits wide =
      searcher::text_units("今年ＰＭ２．５浓度 下降，\n空气质量好转。");
  const searcher::TextUnits narrow = searcher::text_units("今年PM2.5浓度下降，空气质量好转。");
  ASSERT_EQ(wide.units.size(), narrow.units.size());
  for (size_t i = 0; i < wide.units.size(); ++i)
    EXPECT_EQ(wide.units[i].text, narrow.units[i].text);
  EXPECT_EQ(wide.units[2].text, "pm2.5");
  EXPECT_EQ(wide.chars[2], (searcher::Range{2, 7}));    // ＰＭ２．５
  EXPECT_EQ(narrow.chars[2], (searcher::Range{2, 7}));  // PM2.5
  EXPECT_EQ(wide.chars[5], (searcher::Range{10, 11}));  // 下, after a space
  EXPECT_EQ(wide.chars[8], (searcher::Range{14, 15}));  // 空, after a line break
  EXPECT_EQ(wide.length, 21u);
}

}  // namespace
}  // namespace speechdex::testing
