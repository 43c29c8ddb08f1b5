// Match evaluation: one iterator per query node and segment, each positioned on its current
// match; AND and phrases leapfrog their children, rarest first.
#include "match.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <span>
#include <stdexcept>
#include <unordered_map>

namespace speechdex::textstore {

Query Query::make_term(std::string t) {
  Query q;
  q.op = Op::kTerm;
  q.term = std::move(t);
  return q;
}

Query Query::make_phrase(std::vector<std::pair<std::string, uint32_t>> terms, uint32_t width) {
  Query q;
  q.op = Op::kPhrase;
  q.phrase = std::move(terms);
  q.width = std::max<uint32_t>(width, 1);
  return q;
}

Query Query::make_unit(std::string t, UnitPattern pattern) {
  Query q;
  q.op = Op::kUnit;
  q.term = std::move(t);
  q.unit = std::move(pattern);
  return q;
}

Query Query::make_near(Query a, Query b, Near near) {
  Query q;
  q.op = Op::kNear;
  q.children.push_back(std::move(a));
  q.children.push_back(std::move(b));
  q.near = std::move(near);
  return q;
}

Query Query::make(Op op, std::vector<Query> children) {
  Query q;
  q.op = op;
  q.children = std::move(children);
  return q;
}

std::vector<std::string> Query::terms() const {
  std::vector<std::string> out;
  if (op == Op::kTerm || op == Op::kUnit) out.push_back(term);
  for (const auto& [t, offset] : phrase) out.push_back(t);
  for (const Query& c : children) {
    std::vector<std::string> more = c.terms();
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

std::string Query::describe() const {
  switch (op) {
    case Op::kTerm:
      return term;
    case Op::kPhrase: {
      std::string out = "PHRASE(";
      for (size_t i = 0; i < phrase.size(); ++i) {
        if (i > 0) out.push_back(' ');
        out += phrase[i].first + "@" + std::to_string(phrase[i].second);
      }
      return out + ")";
    }
    case Op::kAll:
      return "<all>";
    case Op::kUnit:
      return "UNIT(" + term + ")";
    case Op::kNear: {
      // Appended piece by piece: GCC 12's -O3 warns (-Wrestrict, falsely) on "(" + string&&.
      std::string out = "(";
      out += children[0].describe();
      out += near.ordered ? " BEFORE/" : " NEAR/";
      out += near.sentence ? std::string("s") : std::to_string(near.distance);
      out += " ";
      out += children[1].describe();
      out += ")";
      return out;
    }
    case Op::kAnd:
    case Op::kOr:
    case Op::kAndNot: {
      const char* name = op == Op::kAnd ? " AND " : op == Op::kOr ? " OR " : " AND_NOT ";
      std::string out = "(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += name;
        out += children[i].describe();
      }
      return out + ")";
    }
  }
  return "?";
}

std::vector<size_t> phrase_plan(const std::vector<uint32_t>& offsets, uint32_t width,
                                const std::vector<double>& df) {
  const size_t n = offsets.size();
  if (n == 0) return {};
  std::vector<size_t> order(n);  // terms by offset
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return offsets[a] < offsets[b]; });
  // The search below is quadratic in the terms: 一 typed 16,000 times took 2.2 s to plan
  // (1,000 terms: 9 ms). A longer passage is matched by all its terms, which cover every unit.
  constexpr size_t kMaxPlanned = 1000;
  if (n > kMaxPlanned) return order;
  // The units the terms cover, as prefix counts over [lo, hi): units no term covers (gaps
  // between terms) need none.
  const uint64_t lo = offsets[order.front()];
  const uint64_t hi = static_cast<uint64_t>(offsets[order.back()]) + width;
  std::vector<uint32_t> covered(hi - lo + 1, 0);
  for (uint32_t o : offsets) {
    for (uint64_t u = o; u < static_cast<uint64_t>(o) + width; ++u) covered[u - lo + 1] = 1;
  }
  for (size_t u = 1; u < covered.size(); ++u) covered[u] += covered[u - 1];
  const auto none_in = [&](uint64_t a, uint64_t b) {  // no covered unit in [a, b)
    return a >= b || covered[b - lo] == covered[a - lo];
  };
  const auto end_of = [&](size_t t) { return static_cast<uint64_t>(offsets[t]) + width; };
  // The cost of a set led by its rarest term: each term's postings are read through once,
  // a unit a document, and each of the leader's documents costs every term two more: a seek
  // to it and a look at its positions (the confirmation, which decodes them). So a term t
  // costs kConfirm df(leader) + df(t). For each possible leader, the cheapest cover of terms
  // no rarer than it, it among them; the cheapest of those wins. (kConfirm = 1, which left
  // out the confirmation, cost 工作会议 14% more instructions on a 100 MB synth corpus, by a
  // cover of two frequent terms instead of three led by a rare one; 2 to 4 plan the same,
  // 8 already gives up a rare leader for fewer terms.)
  constexpr double kConfirm = 2;
  constexpr double kNone = std::numeric_limits<double>::infinity();
  std::vector<double> best(n);
  std::vector<size_t> from(n);
  std::vector<size_t> plan;
  double plan_cost = kNone;
  for (size_t lead = 0; lead < n; ++lead) {
    // best[i]: the least cost, the leader's own left out, of a set whose last term in offset
    // order is order[i] and which covers every covered unit up to that term's end.
    // The leader is free here: any least set without it stays least with it added.
    const auto weight = [&](size_t t) { return t == lead ? 0 : kConfirm * df[lead] + df[t]; };
    for (size_t i = 0; i < n; ++i) {
      const size_t t = order[i];
      best[i] = kNone;
      from[i] = n;
      if (t != lead && df[t] < df[lead]) continue;
      if (none_in(lo, offsets[t])) best[i] = weight(t);
      // Back from the term before: ends only fall, so once a covered unit lies between a
      // term's end and t, it does for every earlier term too. That keeps a long quoted
      // passage's plan quadratic, not cubic.
      for (size_t j = i; j-- > 0;) {
        const size_t s = order[j];
        if (offsets[s] >= offsets[t]) continue;
        if (!none_in(std::min<uint64_t>(end_of(s), offsets[t]), offsets[t])) break;
        if (best[j] != kNone && best[j] + weight(t) < best[i]) {
          best[i] = best[j] + weight(t);
          from[i] = j;
        }
      }
    }
    size_t last = n;
    for (size_t i = 0; i < n; ++i) {
      if (best[i] != kNone && none_in(end_of(order[i]), hi) &&
          (last == n || best[i] < best[last])) {
        last = i;
      }
    }
    if (last == n) continue;
    const double cost = best[last] + (1 + kConfirm) * df[lead];
    if (cost >= plan_cost) continue;
    plan_cost = cost;
    plan.clear();
    for (size_t i = last; i < n; i = from[i]) plan.push_back(order[i]);
    if (std::find(plan.begin(), plan.end(), lead) == plan.end()) plan.push_back(lead);
  }
  std::stable_sort(plan.begin(), plan.end(),
                   [&](size_t a, size_t b) { return offsets[a] < offsets[b]; });
  return plan;
}

namespace {

constexpr uint32_t kEnd = PostingCursor::kEnd;

// An iterator over the candidates of one query node in one segment, in two phases (as
// Lucene's TwoPhaseIterator): doc(), next() and seek() walk candidates cheaply (a phrase's
// terms all present), and confirm() decides whether the current candidate matches (the
// phrase's positions line up). An AND aligns its children's candidates before confirming
// any, so positions are read only where every part of the query is present. After
// construction an iterator is on its first candidate (or kEnd).
class Iter {
 public:
  virtual ~Iter() = default;
  virtual uint32_t doc() const = 0;
  virtual void next() = 0;
  /// To the first candidate >= target; no move if already there.
  virtual void seek(uint32_t target) = 0;
  /// True if the current candidate matches.
  virtual bool confirm() { return true; }
  /// BM25 weight of the current candidate, once confirmed.
  virtual double score() = 0;
  /// An upper bound on the number of candidates: AND tries its cheapest child first.
  virtual uint64_t cost() const = 0;
  /// Appends the iterators whose common candidates are this one's candidates, so an AND
  /// can align the terms of its phrases directly (by default: this iterator). Once flattened
  /// into an AND, an iterator is only asked to confirm() and score().
  virtual void flatten(std::vector<Iter*>& out) { out.push_back(this); }
};

// Moves every iterator to the first candidate >= target they all share; returns it or kEnd.
// The first iterator (the cheapest) leads: whenever another overshoots, the lead jumps to
// where it landed.
template <typename It>
uint32_t align(const std::vector<It*>& its, uint32_t target) {
  for (;;) {
    its[0]->seek(target);
    target = its[0]->doc();
    if (target == kEnd) return kEnd;
    size_t i = 1;
    for (; i < its.size(); ++i) {
      its[i]->seek(target);
      if (its[i]->doc() != target) break;
    }
    if (i == its.size()) return target;
    target = its[i]->doc();
    if (target == kEnd) return kEnd;
  }
}

struct Bm25 {
  double average_length = 1;
  double weight(double termweight, uint32_t wdf, uint32_t length) const {
    const double normlen = std::max(length / average_length, 0.5);
    return termweight * wdf / ((0.5 * normlen + 0.5) + wdf);
  }
};

class EmptyIter final : public Iter {
 public:
  uint32_t doc() const override { return kEnd; }
  void next() override {}
  void seek(uint32_t) override {}
  double score() override { return 0; }
  uint64_t cost() const override { return 0; }
};

class TermIter final : public Iter {
 public:
  TermIter(const Segment& s, const TermInfo& t, double termweight, const Bm25& bm25)
      : segment_(s), cursor_(s, t), df_(t.df), termweight_(termweight), bm25_(bm25) {}
  uint32_t doc() const override { return cursor_.doc(); }
  void next() override { cursor_.next(); }
  void seek(uint32_t target) override { cursor_.seek(target); }
  double score() override {
    return bm25_.weight(termweight_, cursor_.wdf(), segment_.length(cursor_.doc()));
  }
  uint64_t cost() const override { return df_; }
  PostingCursor& cursor() { return cursor_; }

 private:
  const Segment& segment_;
  PostingCursor cursor_;
  uint32_t df_;
  double termweight_;
  const Bm25& bm25_;
};

// Candidates: the documents every child has; the children's own candidate iterators are
// flattened in, cheapest first, and only confirm() is left to the subclass.
class Conjunction : public Iter {
 public:
  explicit Conjunction(std::vector<std::unique_ptr<Iter>> children)
      : children_(std::move(children)) {
    for (auto& c : children_) c->flatten(order_);
    std::sort(order_.begin(), order_.end(), [](auto a, auto b) { return a->cost() < b->cost(); });
    doc_ = align(order_, 0);
  }
  uint32_t doc() const final { return doc_; }
  void next() final {
    if (doc_ != kEnd) doc_ = align(order_, doc_ + 1);
  }
  void seek(uint32_t target) final {
    if (doc_ < target) doc_ = align(order_, target);
  }
  double score() final {
    double s = 0;
    for (auto& c : children_) s += c->score();
    return s;
  }
  uint64_t cost() const final { return order_.front()->cost(); }
  void flatten(std::vector<Iter*>& out) final {
    out.insert(out.end(), order_.begin(), order_.end());
  }

 protected:
  std::vector<std::unique_ptr<Iter>> children_;

 private:
  std::vector<Iter*> order_;
  uint32_t doc_ = kEnd;
};

std::vector<std::unique_ptr<Iter>> upcast(std::vector<std::unique_ptr<TermIter>> terms) {
  std::vector<std::unique_ptr<Iter>> out;
  for (auto& t : terms) out.push_back(std::move(t));
  return out;
}

// Candidates: documents holding every term; confirmed where the positions line up.
class PhraseIter final : public Conjunction {
 public:
  PhraseIter(std::vector<std::unique_ptr<TermIter>> terms, std::vector<uint32_t> offsets)
      : Conjunction(upcast(std::move(terms))), offsets_(std::move(offsets)) {
    for (auto& c : children_) terms_.push_back(static_cast<TermIter*>(c.get()));
  }
  // True if some p has every term i at p + offsets_[i]. The term with the fewest positions
  // here proposes each p; the others are read only as far as the proposals need, and not at
  // all once one fails.
  bool confirm() override {
    // Positions once read are gone: a second question about the same document gets the
    // first answer.
    // (Its terms' document: flattened into an AND, a phrase's own doc() does not follow.)
    const uint32_t doc = terms_[0]->doc();
    if (doc == checked_) return matched_;
    checked_ = doc;
    matched_ = match();
    return matched_;
  }

 private:
  bool match() {
    const size_t n = terms_.size();
    size_t lead = 0;
    for (size_t k = 1; k < n; ++k) {
      if (terms_[k]->cursor().wdf() < terms_[lead]->cursor().wdf()) lead = k;
    }
    PostingCursor& proposals = terms_[lead]->cursor();
    while (proposals.next_position()) {
      const int64_t base = static_cast<int64_t>(proposals.position()) - offsets_[lead];
      bool all = true;
      for (size_t k = 0; k < n && all; ++k) {
        if (k == lead) continue;
        const int64_t want = base + offsets_[k];
        if (want < 0) {
          all = false;
          break;
        }
        // Wants only grow with p: a term with no position from this one has none later.
        PostingCursor& c = terms_[k]->cursor();
        if (!c.next_position_from(static_cast<uint32_t>(want))) return false;
        all = c.position() == want;
      }
      if (all) return true;
    }
    return false;
  }

  std::vector<TermIter*> terms_;  // the children, in query order
  std::vector<uint32_t> offsets_;
  uint32_t checked_ = kEnd;  // the document matched_ is about
  bool matched_ = false;
};

// One part of a NEAR in one segment and how to read where its occurrences start.
struct NearPart {
  uint32_t length = 1;            // in units
  TermIter* candidate = nullptr;  // one of its candidate iterators: on the current document
  // A term or phrase: an occurrence starts at p where every term i sits at p + offsets[i].
  std::vector<TermIter*> terms;
  std::vector<uint32_t> offsets;
  // A unit: it sits at each position of these bigrams + their delta (0 or 1).
  std::vector<std::pair<std::unique_ptr<TermIter>, uint32_t>> holders;
};

// Candidates: documents holding both parts (their terms, or a unit's unigram); confirmed
// where some occurrence of each lies as Query::Near says. Occurrence starts are read whole
// per part and document, then each start of the first part looks up the nearest later start
// of the second: the nearest is the best for a distance and for a sentence alike.
class NearIter final : public Conjunction {
 public:
  NearIter(std::vector<std::unique_ptr<Iter>> candidates, NearPart a, NearPart b,
           std::vector<std::unique_ptr<TermIter>> enders, Query::Near near)
      : Conjunction(std::move(candidates)),
        parts_{std::move(a), std::move(b)},
        enders_(std::move(enders)),
        near_(std::move(near)) {}
  bool confirm() override {
    const uint32_t doc = first_doc();
    if (doc == checked_) return matched_;
    checked_ = doc;
    starts(parts_[0], doc, starts_[0]);
    starts(parts_[1], doc, starts_[1]);
    ends_.clear();
    for (auto& e : enders_) {
      e->seek(doc);
      if (e->doc() != doc) continue;
      for (uint32_t p : e->cursor().positions()) ends_.push_back(p);
    }
    std::sort(ends_.begin(), ends_.end());
    matched_ = first_before(0, 1) || (!near_.ordered && first_before(1, 0));
    return matched_;
  }

 private:
  // (Flattened into an AND, the conjunction's own doc() does not follow: its terms' does.)
  uint32_t first_doc() const { return parts_[0].candidate->doc(); }

  // The start positions of `part`'s occurrences in `doc`, increasing.
  static void starts(NearPart& part, uint32_t doc, std::vector<uint32_t>& out) {
    out.clear();
    if (part.terms.empty()) {
      for (auto& [t, delta] : part.holders) {
        t->seek(doc);
        if (t->doc() != doc) continue;
        for (uint32_t p : t->cursor().positions()) out.push_back(p + delta);
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return;
    }
    std::vector<std::span<const uint32_t>> spans;
    for (TermIter* t : part.terms) spans.push_back(t->cursor().positions());
    for (uint32_t p0 : spans[0]) {
      if (p0 < part.offsets[0]) continue;
      const uint32_t base = p0 - part.offsets[0];
      bool all = true;
      for (size_t i = 1; i < spans.size() && all; ++i) {
        all = std::binary_search(spans[i].begin(), spans[i].end(), base + part.offsets[i]);
      }
      if (all) out.push_back(base);
    }
  }

  // True if some occurrence of part `x` and a later one of part `y` lie as near_ says.
  bool first_before(size_t x, size_t y) const {
    const uint64_t lx = parts_[x].length, ly = parts_[y].length;
    const std::vector<uint32_t>& ys = starts_[y];
    for (uint32_t a : starts_[x]) {
      const auto it = std::lower_bound(ys.begin(), ys.end(), a + lx);
      if (it == ys.end()) return false;  // later starts of x find none either
      const uint64_t b = *it;
      if (near_.sentence) {
        const auto end = std::lower_bound(ends_.begin(), ends_.end(), a);
        if (end == ends_.end() || b + ly - 1 <= *end) return true;
      } else if (b - (a + lx) <= near_.distance) {
        return true;
      }
    }
    return false;
  }

  NearPart parts_[2];
  std::vector<std::unique_ptr<TermIter>> enders_;
  Query::Near near_;
  std::vector<uint32_t> starts_[2], ends_;
  uint32_t checked_ = kEnd;
  bool matched_ = false;
};

class AndIter final : public Conjunction {
 public:
  using Conjunction::Conjunction;
  bool confirm() override {
    for (auto& c : children_) {
      if (!c->confirm()) return false;
    }
    return true;
  }
};

// Candidates: any child's; confirmed if a child on the document confirms. The score sums
// the children that match.
class OrIter final : public Iter {
 public:
  explicit OrIter(std::vector<std::unique_ptr<Iter>> children)
      : children_(std::move(children)), matched_(children_.size()) {
    update();
  }
  uint32_t doc() const override { return doc_; }
  void next() override {
    if (doc_ == kEnd) return;
    for (auto& c : children_) {
      if (c->doc() == doc_) c->next();
    }
    update();
  }
  void seek(uint32_t target) override {
    if (doc_ >= target) return;
    for (auto& c : children_) c->seek(target);
    update();
  }
  bool confirm() override {
    bool any = false;
    for (size_t i = 0; i < children_.size(); ++i) {
      matched_[i] = children_[i]->doc() == doc_ && children_[i]->confirm();
      any = any || matched_[i];
    }
    return any;
  }
  double score() override {
    double s = 0;
    for (size_t i = 0; i < children_.size(); ++i) {
      if (matched_[i]) s += children_[i]->score();
    }
    return s;
  }
  uint64_t cost() const override {
    uint64_t n = 0;
    for (const auto& c : children_) n += c->cost();
    return n;
  }

 private:
  void update() {
    doc_ = kEnd;
    for (auto& c : children_) doc_ = std::min(doc_, c->doc());
  }
  std::vector<std::unique_ptr<Iter>> children_;
  std::vector<char> matched_;
  uint32_t doc_ = kEnd;
};

// OrIter over many children: they are kept in a min-heap by document, so a move costs
// log n for each child that moves, not n for every candidate. An OR of 20,000 terms over
// 20,300 paragraphs took 2.1 s in OrIter, looking at every child for every candidate.
// Confirms and scores as OrIter does.
class HeapOrIter final : public Iter {
 public:
  explicit HeapOrIter(std::vector<std::unique_ptr<Iter>> children)
      : children_(std::move(children)) {
    for (auto& c : children_) heap_.push_back(c.get());
    for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
  }
  uint32_t doc() const override { return heap_.front()->doc(); }
  void next() override {
    const uint32_t d = doc();
    if (d == kEnd) return;
    while (heap_.front()->doc() == d) {
      heap_.front()->next();
      sift_down(0);
    }
  }
  void seek(uint32_t target) override {
    while (heap_.front()->doc() < target) {
      heap_.front()->seek(target);
      sift_down(0);
    }
  }
  bool confirm() override {
    // The children on the current document are the heap's top and, below each of them, the
    // children on it too: a walk that stops at any child past it.
    const uint32_t d = doc();
    matched_.clear();
    stack_.assign(1, 0);
    while (!stack_.empty()) {
      const size_t i = stack_.back();
      stack_.pop_back();
      if (i >= heap_.size() || heap_[i]->doc() != d) continue;
      if (heap_[i]->confirm()) matched_.push_back(heap_[i]);
      stack_.push_back(2 * i + 1);
      stack_.push_back(2 * i + 2);
    }
    return !matched_.empty();
  }
  double score() override {
    double s = 0;
    for (Iter* c : matched_) s += c->score();
    return s;
  }
  uint64_t cost() const override {
    uint64_t n = 0;
    for (const auto& c : children_) n += c->cost();
    return n;
  }

 private:
  // Restores the heap below i after heap_[i] moved on.
  void sift_down(size_t i) {
    Iter* const moved = heap_[i];
    const uint32_t d = moved->doc();
    for (;;) {
      size_t least = 2 * i + 1;
      if (least >= heap_.size()) break;
      if (least + 1 < heap_.size() && heap_[least + 1]->doc() < heap_[least]->doc()) ++least;
      if (heap_[least]->doc() >= d) break;
      heap_[i] = heap_[least];
      i = least;
    }
    heap_[i] = moved;
  }

  std::vector<std::unique_ptr<Iter>> children_;
  std::vector<Iter*> heap_;  // children_, a min-heap by doc()
  std::vector<Iter*> matched_;
  std::vector<size_t> stack_;
};

// Candidates: the positive child's; confirmed if it confirms and the negative child has no
// confirmed match on the document.
class AndNotIter final : public Iter {
 public:
  AndNotIter(std::unique_ptr<Iter> positive, std::unique_ptr<Iter> negative)
      : positive_(std::move(positive)), negative_(std::move(negative)) {}
  uint32_t doc() const override { return positive_->doc(); }
  void next() override { positive_->next(); }
  void seek(uint32_t target) override { positive_->seek(target); }
  bool confirm() override {
    if (!positive_->confirm()) return false;
    negative_->seek(positive_->doc());
    return negative_->doc() != positive_->doc() || !negative_->confirm();
  }
  double score() override { return positive_->score(); }
  uint64_t cost() const override { return positive_->cost(); }

 private:
  std::unique_ptr<Iter> positive_, negative_;
};

// A sorted list of document ids: every document of a segment, or the deleted ones.
class ListIter final : public Iter {
 public:
  explicit ListIter(const std::vector<uint32_t>& ids) : ids_(ids) {}
  uint32_t doc() const override { return at_ < ids_.size() ? ids_[at_] : kEnd; }
  void next() override { ++at_; }
  void seek(uint32_t target) override {
    if (doc() >= target) return;
    at_ = static_cast<size_t>(
        std::lower_bound(ids_.begin() + static_cast<std::ptrdiff_t>(at_), ids_.end(), target) -
        ids_.begin());
  }
  double score() override { return 0; }
  uint64_t cost() const override { return ids_.size(); }

 private:
  const std::vector<uint32_t>& ids_;
  size_t at_ = 0;
};

// A query term over all segments: where each segment holds it, and its BM25 weight.
struct TermStats {
  std::vector<std::optional<TermInfo>> in;  // per segment
  double df = 0;                            // over all segments
  double weight = 0;
};
using TermLookup = std::function<const TermStats&(const std::string&)>;

// True if an OR of `children` over a segment of `documents` costs less as a HeapOrIter,
// which moves each posting at about log2 n steps, than as an OrIter, which looks at all n
// children for every candidate. Measured on 20,300 paragraphs (a step costing kHeapStep
// times one of OrIter's): 20,000 ORed distinct substrings of the text (19,898 children,
// 3.6 M postings) 13.4 s as an OrIter, 2.7 s in a heap; 20,000 random words that were mostly
// repeats of 40 frequent characters (5,800 children, 34 M postings) 2.1 s as an OrIter, 9 s
// in a heap. A small OR stays an OrIter, the path every ordinary query takes.
bool heap_is_cheaper(const std::vector<std::unique_ptr<Iter>>& children, uint64_t documents) {
  constexpr size_t kLinearOr = 16;
  constexpr double kHeapStep = 1.5;
  if (children.size() <= kLinearOr) return false;
  uint64_t postings = 0;
  for (const auto& c : children) postings += c->cost();
  const auto n = static_cast<double>(children.size());
  const auto candidates = static_cast<double>(std::min(postings, documents));
  return kHeapStep * static_cast<double>(postings) * std::log2(n) < n * candidates;
}

// Builds the iterator of a query node in segment number `k`, with terms from `lookup`.
class Builder {
 public:
  Builder(const Segment& s, size_t k, const Bm25& bm25, const TermLookup& lookup)
      : segment_(s), k_(k), bm25_(bm25), lookup_(lookup) {}

  std::unique_ptr<Iter> build(const Query& q) {
    using Op = Query::Op;
    switch (q.op) {
      case Op::kTerm: {
        std::unique_ptr<Iter> t = term(q.term);
        if (!t) return std::make_unique<EmptyIter>();
        return t;
      }
      case Op::kPhrase: {
        // The phrase occurs only where all its terms do, but is matched by its plan's.
        std::vector<const TermStats*> stats;
        std::vector<uint32_t> offsets;
        std::vector<double> df;
        for (const auto& [t, offset] : q.phrase) {
          stats.push_back(&lookup_(t));
          if (!stats.back()->in[k_]) return std::make_unique<EmptyIter>();
          offsets.push_back(offset);
          df.push_back(stats.back()->df);
        }
        if (offsets.empty()) return std::make_unique<EmptyIter>();
        std::vector<std::unique_ptr<TermIter>> terms;
        std::vector<uint32_t> plan_offsets;
        for (size_t i : phrase_plan(offsets, q.width, df)) {
          terms.push_back(term(*stats[i]));
          plan_offsets.push_back(offsets[i]);
        }
        if (terms.size() == 1) return std::move(terms.front());
        return std::make_unique<PhraseIter>(std::move(terms), std::move(plan_offsets));
      }
      case Op::kAnd: {
        std::vector<std::unique_ptr<Iter>> children;
        for (const Query& c : q.children) {
          children.push_back(build(c));
          if (children.back()->doc() == kEnd) return std::make_unique<EmptyIter>();
        }
        if (children.empty()) return std::make_unique<EmptyIter>();
        if (children.size() == 1) return std::move(children.front());
        return std::make_unique<AndIter>(std::move(children));
      }
      case Op::kOr: {
        std::vector<std::unique_ptr<Iter>> children;
        for (const Query& c : q.children) {
          auto it = build(c);
          if (it->doc() != kEnd) children.push_back(std::move(it));
        }
        if (children.empty()) return std::make_unique<EmptyIter>();
        if (children.size() == 1) return std::move(children.front());
        if (heap_is_cheaper(children, segment_.documents())) {
          return std::make_unique<HeapOrIter>(std::move(children));
        }
        return std::make_unique<OrIter>(std::move(children));
      }
      case Op::kAndNot: {
        if (q.children.size() != 2) throw std::invalid_argument("AND NOT takes two queries");
        auto positive = build(q.children[0]);
        auto negative = build(q.children[1]);
        if (positive->doc() == kEnd || negative->doc() == kEnd) return positive;
        return std::make_unique<AndNotIter>(std::move(positive), std::move(negative));
      }
      case Op::kAll:
        return std::make_unique<ListIter>(segment_.docids());
      case Op::kUnit: {
        std::unique_ptr<Iter> t = term(q.term);
        if (!t) return std::make_unique<EmptyIter>();
        return t;
      }
      case Op::kNear:
        return near(q);
    }
    return std::make_unique<EmptyIter>();
  }

 private:
  // The bigrams holding each pattern's unit, with their deltas (0 or 1): one walk of the
  // dictionary for all of them (a unit's bigrams end with it too, and no index can find
  // those but a walk).
  std::vector<std::vector<std::pair<TermInfo, uint32_t>>> holders(
      const std::vector<const Query::UnitPattern*>& patterns) {
    std::vector<std::vector<std::pair<TermInfo, uint32_t>>> out(patterns.size());
    if (patterns.empty()) return out;
    for (Segment::TermIterator it(segment_); it.valid(); it.next()) {
      const std::string& name = it.name();
      if (!it.info().positional || name.empty() || (name[0] >= 'A' && name[0] <= 'Z')) continue;
      for (size_t i = 0; i < patterns.size(); ++i) {
        const std::string& starts = patterns[i]->starts;
        const std::string& ends = patterns[i]->ends;
        if (!starts.empty() && name.size() > starts.size() && name.starts_with(starts)) {
          out[i].emplace_back(it.info(), 0);
        }
        if (!ends.empty() && name.size() > ends.size() && name.ends_with(ends)) {
          out[i].emplace_back(it.info(), 1);
        }
      }
    }
    return out;
  }

  std::unique_ptr<Iter> near(const Query& q) {
    if (q.children.size() != 2) throw std::invalid_argument("NEAR takes two queries");
    std::vector<const Query::UnitPattern*> patterns;
    for (const Query& c : q.children) {
      if (c.op == Query::Op::kUnit) patterns.push_back(&c.unit);
    }
    const size_t units = patterns.size();
    if (q.near.sentence) {
      for (const Query::UnitPattern& e : q.near.enders) patterns.push_back(&e);
    }
    std::vector<std::vector<std::pair<TermInfo, uint32_t>>> found = holders(patterns);
    std::vector<std::unique_ptr<Iter>> candidates;
    NearPart parts[2];
    size_t unit = 0;
    for (size_t k = 0; k < 2; ++k) {
      const Query& c = q.children[k];
      NearPart& part = parts[k];
      switch (c.op) {
        case Query::Op::kTerm: {
          std::unique_ptr<TermIter> t = term(c.term);
          if (!t) return std::make_unique<EmptyIter>();
          part.length = c.width;
          part.terms.push_back(t.get());
          part.offsets.push_back(0);
          part.candidate = t.get();
          candidates.push_back(std::move(t));
          break;
        }
        case Query::Op::kPhrase: {
          std::vector<const TermStats*> stats;
          std::vector<uint32_t> offsets;
          std::vector<double> df;
          for (const auto& [t, offset] : c.phrase) {
            stats.push_back(&lookup_(t));
            if (!stats.back()->in[k_]) return std::make_unique<EmptyIter>();
            offsets.push_back(offset);
            df.push_back(stats.back()->df);
          }
          if (offsets.empty()) return std::make_unique<EmptyIter>();
          part.length = *std::max_element(offsets.begin(), offsets.end()) + c.width;
          for (size_t i : phrase_plan(offsets, c.width, df)) {
            std::unique_ptr<TermIter> t = term(*stats[i]);
            part.terms.push_back(t.get());
            part.offsets.push_back(offsets[i]);
            part.candidate = t.get();
            candidates.push_back(std::move(t));
          }
          break;
        }
        case Query::Op::kUnit: {
          std::unique_ptr<TermIter> t = term(c.term);
          std::vector<std::pair<TermInfo, uint32_t>>& h = found[unit++];
          if (!t || h.empty()) return std::make_unique<EmptyIter>();
          part.candidate = t.get();
          candidates.push_back(std::move(t));
          for (const auto& [info, delta] : h) {
            part.holders.emplace_back(std::make_unique<TermIter>(segment_, info, 0, bm25_), delta);
          }
          break;
        }
        default:
          throw std::invalid_argument("a NEAR part is a term, a phrase or a unit");
      }
    }
    std::vector<std::unique_ptr<TermIter>> enders;
    for (size_t i = units; i < found.size(); ++i) {
      for (const auto& [info, delta] : found[i]) {
        enders.push_back(std::make_unique<TermIter>(segment_, info, 0, bm25_));
      }
    }
    return std::make_unique<NearIter>(std::move(candidates), std::move(parts[0]),
                                      std::move(parts[1]), std::move(enders), q.near);
  }

  // nullptr if the segment does not hold the term.
  std::unique_ptr<TermIter> term(const std::string& t) { return term(lookup_(t)); }
  std::unique_ptr<TermIter> term(const TermStats& stats) {
    if (!stats.in[k_]) return nullptr;
    return std::make_unique<TermIter>(segment_, *stats.in[k_], stats.weight, bm25_);
  }

  const Segment& segment_;
  size_t k_;
  const Bm25& bm25_;
  const TermLookup& lookup_;
};

}  // namespace

TextIndex::TextIndex(std::vector<std::shared_ptr<const Segment>> segments,
                     std::vector<uint32_t> deleted, std::vector<uint32_t> bases)
    : segments_(std::move(segments)), bases_(std::move(bases)), deleted_(segments_.size()) {
  if (bases_.empty()) bases_.assign(segments_.size(), 0);
  if (bases_.size() != segments_.size()) {
    throw std::invalid_argument("TextIndex: one base per segment");
  }
  std::sort(deleted.begin(), deleted.end());
  deleted.erase(std::unique(deleted.begin(), deleted.end()), deleted.end());
  uint64_t all = 0, length = 0, gone = 0;
  for (const auto& s : segments_) {
    all += s->documents();
    length += s->total_length();
  }
  for (uint32_t d : deleted) {
    for (size_t k = 0; k < segments_.size(); ++k) {
      if (d <= bases_[k]) continue;
      const std::vector<uint32_t>& ids = segments_[k]->docids();
      if (std::binary_search(ids.begin(), ids.end(), d - bases_[k])) {
        deleted_[k].push_back(d - bases_[k]);
        ++gone;
        break;
      }
    }
  }
  documents_ = all - gone;
  if (all > 0 && length > 0)
    average_length_ = static_cast<double>(length) / static_cast<double>(all);
}

namespace {

// Every confirmed match of `it`. Called with the iterator's own (final) class, the calls
// are direct: a frequent term's loop does no virtual dispatch per document.
template <typename I, typename Hit>
void drain(I& it, Hit& hit, bool scores, uint32_t base) {
  for (; it.doc() != kEnd; it.next()) {
    if (it.confirm()) hit(Scored{base + it.doc(), scores ? it.score() : 0});
  }
}

}  // namespace

template <typename Hit>
void TextIndex::each(const Query& query, Hit&& hit, bool scores) const {
  const Bm25 bm25{average_length_};
  // Each query term is looked up once per segment, for its weight and its postings alike.
  std::unordered_map<std::string, TermStats> terms;
  const TermLookup lookup = [&](const std::string& t) -> const TermStats& {
    auto [it, fresh] = terms.try_emplace(t);
    TermStats& stats = it->second;
    if (!fresh) return stats;
    double& df = stats.df;
    for (const auto& s : segments_) {
      stats.in.push_back(s->find(t));
      if (stats.in.back()) df += stats.in.back()->df;
    }
    // Xapian's BM25 term weight without relevance information, (k1 + 1) included.
    const double n = std::max(static_cast<double>(documents_), df);
    double tw = (n - df + 0.5) / (df + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;
    stats.weight = std::log(tw) * 2;
    return stats;
  };
  for (size_t k = 0; k < segments_.size(); ++k) {
    const Segment& s = *segments_[k];
    Builder b(s, k, bm25, lookup);
    std::unique_ptr<Iter> it = b.build(query);
    if (!deleted_[k].empty() && it->doc() != kEnd) {
      it = std::make_unique<AndNotIter>(std::move(it), std::make_unique<ListIter>(deleted_[k]));
    }
    const uint32_t base = bases_[k];
    if (auto* term = dynamic_cast<TermIter*>(it.get())) {
      drain(*term, hit, scores, base);
    } else if (auto* phrase = dynamic_cast<PhraseIter*>(it.get())) {
      drain(*phrase, hit, scores, base);
    } else if (auto* conjunction = dynamic_cast<AndIter*>(it.get())) {
      drain(*conjunction, hit, scores, base);
    } else {
      drain(*it, hit, scores, base);
    }
  }
}

void TextIndex::for_each(const Query& query, const std::function<void(const Scored&)>& hit,
                         bool scores) const {
  each(query, hit, scores);
}

uint64_t TextIndex::count_run(const std::vector<std::string>& bigrams,
                              const std::vector<uint32_t>& docs) const {
  uint64_t n = 0;
  if (bigrams.empty()) return 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const auto& s = segments_[i];
    if (s->docids().empty()) continue;
    const uint32_t base = bases_[i];
    const uint32_t first = base + s->docids().front(), last = base + s->docids().back();
    auto from = std::lower_bound(docs.begin(), docs.end(), first);
    const auto to = std::upper_bound(from, docs.end(), last);
    if (from == to) continue;
    std::vector<PostingCursor> cursors;
    bool all = true;
    for (const std::string& t : bigrams) {
      const std::optional<TermInfo> info = s->find(t);
      if (!info) {
        all = false;
        break;
      }
      cursors.emplace_back(*s, *info);
    }
    if (!all) continue;
    std::vector<std::vector<uint32_t>> pos(cursors.size());
    for (; from != to; ++from) {
      bool here = true;
      const uint32_t local = *from - base;
      for (size_t k = 0; k < cursors.size() && here; ++k) {
        cursors[k].seek(local);
        here = cursors[k].doc() == local;
        if (here) {
          const std::span<const uint32_t> p = cursors[k].positions();
          pos[k].assign(p.begin(), p.end());
        }
      }
      if (!here) continue;
      for (const uint32_t p : pos[0]) {
        bool ok = true;
        for (size_t k = 1; k < pos.size() && ok; ++k) {
          ok = std::binary_search(pos[k].begin(), pos[k].end(), p + static_cast<uint32_t>(k));
        }
        n += ok;
      }
    }
  }
  return n;
}

MatchResult TextIndex::search(const Query& query, size_t k) const {
  // Ordered by ranks_before, the heap keeps the worst of the best k on top.
  std::priority_queue<Scored, std::vector<Scored>, decltype(&ranks_before)> best(&ranks_before);
  MatchResult r;
  each(
      query,
      [&](const Scored& s) {
        ++r.count;
        if (k == 0) return;
        if (best.size() < k) {
          best.push(s);
        } else if (ranks_before(s, best.top())) {
          best.pop();
          best.push(s);
        }
      },
      k > 0);
  for (; !best.empty(); best.pop()) r.top.push_back(best.top());
  std::reverse(r.top.begin(), r.top.end());
  return r;
}

std::string check_segments(const std::vector<std::shared_ptr<const Segment>>& segments,
                           const std::vector<uint32_t>& deleted, uint64_t records,
                           uint32_t last_docid) {
  uint64_t held = 0;
  uint32_t previous_last = 0;
  for (const auto& s : segments) {
    const std::vector<uint32_t>& ids = s->docids();
    if (ids.empty()) continue;
    if (ids.front() <= previous_last) {
      return "segment " + s->path() + " holds ids that an earlier segment holds too";
    }
    if (ids.back() > last_docid) {
      return "segment " + s->path() + " holds id " + std::to_string(ids.back()) +
             ", above the records' last id " + std::to_string(last_docid);
    }
    previous_last = ids.back();
    held += ids.size();
  }
  uint32_t previous = 0;
  size_t k = 0;  // the segment that may hold the next deleted id
  for (uint32_t d : deleted) {
    if (d <= previous) return "the deleted list is not in increasing order";
    previous = d;
    while (k < segments.size() &&
           (segments[k]->docids().empty() || segments[k]->docids().back() < d))
      ++k;
    if (k == segments.size() ||
        !std::binary_search(segments[k]->docids().begin(), segments[k]->docids().end(), d)) {
      return "deleted id " + std::to_string(d) + " is in no segment";
    }
  }
  if (held - deleted.size() != records) {
    return "the segments hold " + std::to_string(held - deleted.size()) +
           " live paragraphs, the records " + std::to_string(records);
  }
  return "";
}

}  // namespace speechdex::textstore
