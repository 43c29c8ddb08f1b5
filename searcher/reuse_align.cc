// Text reuse, the pairwise part: winnowed n-gram fingerprints, X-drop seed extension and the
// chaining of local alignments (docs/reuse.md).
#include "reuse_align.h"

#include <algorithm>
#include <climits>
#include <deque>
#include <unordered_map>
#include <utility>

#include "fields.h"

namespace speechdex::searcher {
namespace {

// A unit id or a rolling hash spread over all 64 bits.
uint64_t mix(uint64_t x) { return schema::mix64(x); }

constexpr uint64_t kBase = 0x9e3779b97f4a7c15ULL;  // odd, so powers of it never vanish mod 2^64

// The units on one side of a seed, read outward: forward from `at`, or backward from just
// before `at`.
struct View {
  const uint32_t* at;
  uint32_t size;
  bool backward;
  uint32_t operator[](uint32_t i) const { return backward ? *(at - 1 - i) : at[i]; }
};

// One run of an extension's path, outward from the seed: equal units, substituted units (one
// of each side), deleted units (of A) or inserted units (of B).
struct Step {
  EditOp op;
  uint32_t count;
};

struct Extension {
  uint32_t da = 0, db = 0;  // units of A and B covered
  uint32_t matches = 0;
  std::vector<Step> steps;  // outward order; only when asked for
};

void add_step(std::vector<Step>& steps, EditOp op, uint32_t count) {
  if (count == 0) return;
  if (!steps.empty() && steps.back().op == op) {
    steps.back().count += count;
  } else {
    steps.push_back({op, count});
  }
}

// Trace-back moves of the dynamic program.
constexpr uint8_t kDiag = 0, kUp = 1, kLeft = 2;

// Extends outward from the origin over `a` and `b`: first over equal units (an equal pair
// first is always on some best path), then by a dynamic program over a band of diagonals
// around the seed's, cells below the best score so far minus xdrop dropped (BLAST's gapped
// X-drop). The extension ends at its best-scoring cell, so on an equal unit.
Extension xdrop(View a, View b, const AlignParams& p, bool steps, std::vector<uint8_t>& trace) {
  Extension ext;
  uint32_t run = 0;
  while (run < a.size && run < b.size && a[run] == b[run]) ++run;
  ext.da = ext.db = ext.matches = run;
  if (steps) add_step(ext.steps, EditOp::kEqual, run);
  const View ra{a.backward ? a.at - run : a.at + run, a.size - run, a.backward};
  const View rb{b.backward ? b.at - run : b.at + run, b.size - run, b.backward};
  if (ra.size == 0 || rb.size == 0) return ext;

  const int band = static_cast<int>(p.band), width = 2 * band + 1;
  constexpr int kNeg = INT_MIN / 4;
  // Row i holds cells (i, j) with j = i + k - band for k in [0, width).
  std::vector<int> prev(width, kNeg), cur(width, kNeg);
  trace.assign(static_cast<size_t>(width), kLeft);
  int best = 0, best_i = 0, best_k = band;
  int prev_lo = band, prev_hi = band;  // the live cells of the previous row
  prev[band] = 0;
  for (int k = band + 1; k < width; ++k) {  // row 0: only insertions
    const int j = k - band;
    const int h = p.gap * j;
    if (j > static_cast<int>(rb.size) || h < -p.xdrop) break;
    prev[k] = h;
    prev_hi = k;
  }
  auto prev_at = [&](int k) { return k >= prev_lo && k <= prev_hi ? prev[k] : kNeg; };
  for (int i = 1; i <= static_cast<int>(ra.size); ++i) {
    trace.resize(static_cast<size_t>(i + 1) * width);
    uint8_t* tr = trace.data() + static_cast<size_t>(i) * width;
    const int start = std::max(0, prev_lo - 1);
    int lo = -1, hi = -1;
    for (int k = start; k < width; ++k) {
      const int j = i + k - band;
      if (j < 0) continue;
      if (j > static_cast<int>(rb.size)) break;
      int h = kNeg;
      uint8_t move = kDiag;
      if (j >= 1) {
        const int d = prev_at(k);
        if (d > kNeg) h = d + (ra[i - 1] == rb[j - 1] ? p.match : p.mismatch);
      }
      const int up = prev_at(k + 1);
      if (up > kNeg && up + p.gap > h) {
        h = up + p.gap;
        move = kUp;
      }
      if (k > start && cur[k - 1] > kNeg && cur[k - 1] + p.gap > h) {
        h = cur[k - 1] + p.gap;
        move = kLeft;
      }
      if (h < best - p.xdrop) h = kNeg;
      cur[k] = h;
      tr[k] = move;
      if (h > kNeg) {
        if (lo < 0) lo = k;
        hi = k;
        if (h > best) {
          best = h;
          best_i = i;
          best_k = k;
        }
      } else if (k > prev_hi) {
        break;  // past the previous row only insertions reach, and this one died
      }
    }
    if (lo < 0) break;
    prev.swap(cur);
    prev_lo = lo;
    prev_hi = hi;
    std::fill(cur.begin(), cur.end(), kNeg);
  }

  // Back from the best cell to the origin, counting equal units (and the steps, reversed).
  std::vector<Step> back;
  int i = best_i, k = best_k;
  uint32_t matches = 0;
  while (i > 0 || k != band) {
    const int j = i + k - band;
    const uint8_t move = i == 0 ? kLeft : trace[static_cast<size_t>(i) * width + k];
    if (move == kDiag) {
      const bool equal = ra[i - 1] == rb[j - 1];
      matches += equal ? 1 : 0;
      if (steps) add_step(back, equal ? EditOp::kEqual : EditOp::kReplace, 1);
      --i;
    } else if (move == kUp) {
      if (steps) add_step(back, EditOp::kDelete, 1);
      --i;
      ++k;
    } else {
      if (steps) add_step(back, EditOp::kInsert, 1);
      --k;
    }
  }
  ext.da += static_cast<uint32_t>(best_i);
  ext.db += static_cast<uint32_t>(best_i + best_k - band);
  ext.matches += matches;
  if (steps) {
    for (auto s = back.rbegin(); s != back.rend(); ++s) add_step(ext.steps, s->op, s->count);
  }
  return ext;
}

// Appends units to an edit script: equal units extend an equal piece; unequal ones join the
// unequal piece before them, which is kReplace once both sides have units.
void append_edit(std::vector<Edit>& edits, bool equal, uint32_t la, uint32_t lb, uint32_t& a,
                 uint32_t& b) {
  if (la == 0 && lb == 0) return;
  const bool joins = !edits.empty() && (edits.back().op == EditOp::kEqual) == equal;
  if (!joins) edits.push_back({equal ? EditOp::kEqual : EditOp::kDelete, a, a, b, b});
  Edit& e = edits.back();
  e.a1 += la;
  e.b1 += lb;
  if (!equal) {
    e.op = e.a1 > e.a0 && e.b1 > e.b0 ? EditOp::kReplace
           : e.a1 > e.a0              ? EditOp::kDelete
                                      : EditOp::kInsert;
  }
  a += la;
  b += lb;
}

void append_step(std::vector<Edit>& edits, const Step& s, uint32_t& a, uint32_t& b) {
  const uint32_t la = s.op == EditOp::kInsert ? 0 : s.count;
  const uint32_t lb = s.op == EditOp::kDelete ? 0 : s.count;
  append_edit(edits, s.op == EditOp::kEqual, la, lb, a, b);
}

// `al` without what lies before a_min in A or b_min in B. With an edit script the cut is exact
// and the equal units are recounted; without one, the same number of units is taken off both
// sides and off the equal units (a lower bound).
LocalAlignment cut_front(const LocalAlignment& al, uint32_t a_min, uint32_t b_min) {
  LocalAlignment out = al;
  if (al.a0 >= a_min && al.b0 >= b_min) return out;
  if (al.edits.empty()) {
    const uint32_t t =
        std::max(a_min > al.a0 ? a_min - al.a0 : 0, b_min > al.b0 ? b_min - al.b0 : 0);
    if (t >= al.a1 - al.a0 || t >= al.b1 - al.b0) return {al.a1, al.a1, al.b1, al.b1, 0, {}};
    out.a0 += t;
    out.b0 += t;
    out.matches = al.matches > t ? al.matches - t : 0;
    return out;
  }
  out.edits.clear();
  out.matches = 0;
  bool started = false;
  uint32_t a = 0, b = 0;
  for (const Edit& e : al.edits) {
    if (e.op != EditOp::kEqual) {
      if (!started) continue;  // a cut never starts on an unequal piece
      append_edit(out.edits, false, e.a1 - e.a0, e.b1 - e.b0, a, b);
      continue;
    }
    uint32_t skip = 0;
    if (!started) {
      skip = std::max(a_min > e.a0 ? a_min - e.a0 : 0, b_min > e.b0 ? b_min - e.b0 : 0);
      if (skip >= e.a1 - e.a0) continue;
      started = true;
      a = out.a0 = e.a0 + skip;
      b = out.b0 = e.b0 + skip;
    }
    const uint32_t n = e.a1 - e.a0 - skip;
    append_edit(out.edits, true, n, n, a, b);
    out.matches += n;
  }
  if (!started) return {al.a1, al.a1, al.b1, al.b1, 0, {}};
  return out;
}

}  // namespace

std::vector<uint64_t> ngram_hashes(UnitIds units, size_t n) {
  std::vector<uint64_t> out;
  if (n == 0 || units.size() < n) return out;
  out.reserve(units.size() - n + 1);
  uint64_t top = 1;  // kBase^n
  for (size_t i = 0; i < n; ++i) top *= kBase;
  uint64_t h = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    h = h * kBase + mix(units[i] + 1ULL);
    if (i >= n) h -= mix(units[i - n] + 1ULL) * top;
    if (i + 1 >= n) out.push_back(mix(h));
  }
  return out;
}

std::vector<uint32_t> winnow(const std::vector<uint64_t>& hashes, size_t w) {
  std::vector<uint32_t> out;
  if (hashes.empty() || w == 0) return out;
  std::deque<uint32_t> window;  // positions of increasing hashes: the front is the minimum
  for (uint32_t j = 0; j < hashes.size(); ++j) {
    // Equal hashes are popped too, so the rightmost of equal minima is the one kept.
    while (!window.empty() && hashes[window.back()] >= hashes[j]) window.pop_back();
    window.push_back(j);
    if (window.front() + w <= j) window.pop_front();
    if (j + 1 >= w && (out.empty() || out.back() != window.front())) out.push_back(window.front());
  }
  if (hashes.size() < w) out.push_back(window.front());
  return out;
}

LocalAlignment extend_seed(UnitIds a, UnitIds b, uint32_t pa, uint32_t pb, uint32_t length,
                           const AlignParams& params, bool edits) {
  thread_local std::vector<uint8_t> trace;
  const Extension left =
      xdrop(View{a.data() + pa, pa, true}, View{b.data() + pb, pb, true}, params, edits, trace);
  const uint32_t ea = pa + length, eb = pb + length;
  const Extension right =
      xdrop(View{a.data() + ea, static_cast<uint32_t>(a.size()) - ea, false},
            View{b.data() + eb, static_cast<uint32_t>(b.size()) - eb, false}, params, edits, trace);
  LocalAlignment al;
  al.a0 = pa - left.da;
  al.b0 = pb - left.db;
  al.a1 = ea + right.da;
  al.b1 = eb + right.db;
  al.matches = left.matches + length + right.matches;
  if (edits) {
    uint32_t x = al.a0, y = al.b0;
    for (auto s = left.steps.rbegin(); s != left.steps.rend(); ++s) append_step(al.edits, *s, x, y);
    append_step(al.edits, {EditOp::kEqual, length}, x, y);
    for (const Step& s : right.steps) append_step(al.edits, s, x, y);
  }
  return al;
}

std::vector<LocalAlignment> chain_alignments(std::vector<LocalAlignment> locals,
                                             const AlignParams& params) {
  std::sort(locals.begin(), locals.end(), [](const LocalAlignment& x, const LocalAlignment& y) {
    return std::tie(x.a0, x.b0, x.a1) < std::tie(y.a0, y.b0, y.a1);
  });
  std::vector<LocalAlignment> chains;
  for (LocalAlignment& l : locals) {
    size_t best = chains.size();
    uint32_t best_gap = 0;
    LocalAlignment best_cut;
    for (size_t c = 0; c < chains.size(); ++c) {
      const LocalAlignment& ch = chains[c];
      if (l.a0 < ch.a0 || l.b0 < ch.b0 || l.a1 <= ch.a1 || l.b1 <= ch.b1) continue;
      LocalAlignment cut = cut_front(l, ch.a1, ch.b1);
      if (cut.matches == 0) continue;
      const uint32_t gap = std::max(cut.a0 - ch.a1, cut.b0 - ch.b1);
      const uint32_t allowed = std::min(params.max_gap, std::min(ch.matches, cut.matches) / 2);
      if (gap > allowed) continue;
      // Chained, the two must still be a passage: a dropped paragraph in a long copy is, but
      // two short passages around a long gap are two.
      const LocalAlignment joined{ch.a0, cut.a1, ch.b0, cut.b1, ch.matches + cut.matches, {}};
      if (identity(joined) < params.min_identity) continue;
      if (best == chains.size() || gap < best_gap) {
        best = c;
        best_gap = gap;
        best_cut = std::move(cut);
      }
    }
    if (best == chains.size()) {
      chains.push_back(std::move(l));
      continue;
    }
    LocalAlignment& ch = chains[best];
    if (!ch.edits.empty() || !best_cut.edits.empty()) {
      uint32_t a = ch.a1, b = ch.b1;
      append_edit(ch.edits, false, best_cut.a0 - ch.a1, best_cut.b0 - ch.b1, a, b);
      for (const Edit& e : best_cut.edits) {
        append_edit(ch.edits, e.op == EditOp::kEqual, e.a1 - e.a0, e.b1 - e.b0, a, b);
      }
    }
    ch.a1 = best_cut.a1;
    ch.b1 = best_cut.b1;
    ch.matches += best_cut.matches;
  }
  std::sort(chains.begin(), chains.end(), [](const LocalAlignment& x, const LocalAlignment& y) {
    return std::tie(x.a0, x.b0) < std::tie(y.a0, y.b0);
  });
  return chains;
}

double identity(const LocalAlignment& al) {
  const uint32_t longer = std::max(al.a1 - al.a0, al.b1 - al.b0);
  return longer == 0 ? 0.0 : static_cast<double>(al.matches) / longer;
}

namespace {

// Units at the start (`back` false) or end of `al` that are equal on both sides.
uint32_t equal_run(const LocalAlignment& al, const UnitText& a, const UnitText& b, bool back) {
  if (!al.edits.empty()) {
    const Edit& e = back ? al.edits.back() : al.edits.front();
    return e.op == EditOp::kEqual ? e.a1 - e.a0 : 0;
  }
  const uint32_t most = std::min(al.a1 - al.a0, al.b1 - al.b0);
  uint32_t run = 0;
  while (run < most && (back ? a.ids[al.a1 - 1 - run] == b.ids[al.b1 - 1 - run]
                             : a.ids[al.a0 + run] == b.ids[al.b0 + run])) {
    ++run;
  }
  return run;
}

// Units from the start of [from, to) to its last paragraph break within `edge` units of the
// start (0 if none).
uint32_t cut_to_break(const std::vector<uint32_t>& breaks, uint32_t from, uint32_t to,
                      uint32_t edge) {
  auto it = std::upper_bound(breaks.begin(), breaks.end(), std::min(to, from + edge));
  if (it == breaks.begin() || *(it - 1) <= from) return 0;
  return *(it - 1) - from;
}

// Units from the first paragraph break within `edge` units of the end of [from, to) to the end.
uint32_t cut_from_break(const std::vector<uint32_t>& breaks, uint32_t from, uint32_t to,
                        uint32_t edge) {
  const uint32_t low = to > from + edge ? to - edge : from + 1;
  auto it = std::lower_bound(breaks.begin(), breaks.end(), low);
  if (it == breaks.end() || *it >= to) return 0;
  return to - *it;
}

}  // namespace

void trim_edges(LocalAlignment& al, const UnitText& a, const UnitText& b,
                const std::vector<bool>& punctuation, const AlignParams& params) {
  auto punct = [&](uint32_t id) { return id < punctuation.size() && punctuation[id]; };
  // The front.
  const uint32_t front_run = equal_run(al, a, b, false);
  uint32_t t = 0;
  if (al.a0 > 0 || al.b0 > 0) {
    t = std::max(cut_to_break(a.breaks, al.a0, al.a1, params.edge),
                 cut_to_break(b.breaks, al.b0, al.b1, params.edge));
    if (t >= front_run) t = 0;
  }
  while (t + 1 < front_run && punct(a.ids[al.a0 + t])) ++t;
  if (t > 0) {
    al.a0 += t;
    al.b0 += t;
    al.matches -= t;
    if (!al.edits.empty()) {
      al.edits.front().a0 += t;
      al.edits.front().b0 += t;
    }
  }
  // The back.
  if (al.a1 == a.ids.size() && al.b1 == b.ids.size()) return;
  const uint32_t back_run = equal_run(al, a, b, true);
  t = std::max(cut_from_break(a.breaks, al.a0, al.a1, params.edge),
               cut_from_break(b.breaks, al.b0, al.b1, params.edge));
  if (t == 0 || t >= back_run) return;
  al.a1 -= t;
  al.b1 -= t;
  al.matches -= t;
  if (!al.edits.empty()) {
    al.edits.back().a1 -= t;
    al.edits.back().b1 -= t;
  }
}

std::vector<LocalAlignment> pair_passages(std::vector<LocalAlignment> locals, const UnitText& a,
                                          const UnitText& b, const std::vector<bool>& punctuation,
                                          size_t min_units, const AlignParams& params) {
  std::vector<LocalAlignment> out;
  for (LocalAlignment& c : chain_alignments(std::move(locals), params)) {
    trim_edges(c, a, b, punctuation, params);
    if (c.a1 - c.a0 >= min_units && c.b1 - c.b0 >= min_units &&
        identity(c) >= params.min_identity) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<LocalAlignment> align_texts(const UnitText& a, const UnitText& b,
                                        const std::vector<bool>& punctuation, size_t n,
                                        size_t min_units, const AlignParams& params, bool edits) {
  // Every n-gram of A by hash; an n-gram repeated more than kMaxRepeats times in A (a row of
  // dots, a list marker) seeds nothing: its copies would only make the same seeds again.
  constexpr size_t kMaxRepeats = 64;
  const std::vector<uint64_t> ha = ngram_hashes(a.ids, n), hb = ngram_hashes(b.ids, n);
  std::unordered_map<uint64_t, std::vector<uint32_t>> where;
  for (uint32_t i = 0; i < ha.size(); ++i) where[ha[i]].push_back(i);
  std::vector<std::pair<uint32_t, uint32_t>> seeds;
  for (uint32_t j = 0; j < hb.size(); ++j) {
    const auto found = where.find(hb[j]);
    if (found == where.end() || found->second.size() > kMaxRepeats) continue;
    for (uint32_t i : found->second) seeds.emplace_back(i, j);
  }
  // Along each diagonal in order, so that one extension covers the seeds after it.
  std::sort(seeds.begin(), seeds.end(), [](const auto& x, const auto& y) {
    const int64_t dx = int64_t{x.second} - x.first, dy = int64_t{y.second} - y.first;
    return dx != dy ? dx < dy : x.first < y.first;
  });
  std::vector<LocalAlignment> locals;
  for (const auto& [i, j] : seeds) {
    const bool covered = std::any_of(locals.begin(), locals.end(), [&](const LocalAlignment& l) {
      return i >= l.a0 && i < l.a1 && j >= l.b0 && j < l.b1;
    });
    if (covered || !std::equal(a.ids.begin() + i, a.ids.begin() + i + n, b.ids.begin() + j)) {
      continue;
    }
    locals.push_back(extend_seed(a.ids, b.ids, i, j, static_cast<uint32_t>(n), params, edits));
  }
  return pair_passages(std::move(locals), a, b, punctuation, min_units, params);
}

}  // namespace speechdex::searcher
