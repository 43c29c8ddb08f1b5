// Union-find (disjoint sets) over the numbers 0, 1, 2, ...: the set's root is its smallest
// member. Used by duplicate clustering (indexer/clusters.cc) and shared passages
// (searcher/reuse.cc).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace speechdex::schema {

class UnionFind {
 public:
  /// The members 0 to n - 1, each a set of its own.
  explicit UnionFind(size_t n = 0) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }
  /// Adds a member, a set of its own; returns it.
  uint32_t add() {
    parent_.push_back(static_cast<uint32_t>(parent_.size()));
    return parent_.back();
  }
  /// The root (smallest member) of x's set; halves the path on the way.
  uint32_t find(uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  /// Joins the sets of a and b.
  void unite(uint32_t a, uint32_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<uint32_t> parent_;
};

}  // namespace speechdex::schema
