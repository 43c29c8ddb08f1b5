// Facet counting over value columns, and labels for the buckets.
#include "facets.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "fields.h"

namespace speechdex::searcher {

const std::vector<std::string>& facet_names() {
  static const std::vector<std::string> kNames = {"county", "province", "year", "topic", "role"};
  return kNames;
}

ValueColumn::ValueColumn(const Xapian::Database& db, Xapian::valueno slot)
    : codes_(db.get_lastdocid() + 1, 0), values_(1) {
  std::unordered_map<std::string, uint32_t> code_of;
  for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot); ++it) {
    std::string value = *it;  // a copy each time it is read
    auto [at, fresh] = code_of.try_emplace(value, static_cast<uint32_t>(values_.size()));
    if (fresh) values_.push_back(std::move(value));
    codes_[it.get_docid()] = at->second;
  }
}

FacetCollector::FacetCollector(const std::vector<std::string>& names,
                               const schema::Taxonomy& taxonomy,
                               const std::function<const ValueColumn&(Xapian::valueno)>& column)
    : taxonomy_(taxonomy) {
  for (const std::string& n : names) {
    const Xapian::valueno slot = n == "county"     ? schema::kSlotCounty
                                 : n == "province" ? schema::kSlotProvince
                                 : n == "year"     ? schema::kSlotYear
                                 : n == "role"     ? schema::kSlotRole
                                                   : schema::kSlotTopics;
    const ValueColumn& c = column(slot);
    counters_.push_back({n, &c, std::vector<uint64_t>(c.distinct(), 0)});
  }
}

bool FacetCollector::needs_gazetteer() const {
  return std::any_of(counters_.begin(), counters_.end(),
                     [](const Counter& c) { return c.facet == "county" || c.facet == "province"; });
}

std::vector<Facet> FacetCollector::collect(uint64_t total,
                                           const schema::Gazetteer* gazetteer) const {
  std::vector<Facet> out;
  for (const Counter& c : counters_) {
    Facet f{c.facet, {}, 0};
    // Per value; a paragraph's topics are one value, its topic ids joined by ','.
    std::map<std::string, uint64_t> counts;
    uint64_t with_value = 0;
    for (uint32_t code = 1; code < c.counts.size(); ++code) {
      if (c.counts[code] == 0) continue;
      with_value += c.counts[code];
      const std::string& v = c.column->value(code);
      if (c.facet != "topic") {
        counts[v] += c.counts[code];
        continue;
      }
      for (size_t i = 0; i <= v.size();) {
        size_t j = v.find(',', i);
        if (j == std::string::npos) j = v.size();
        counts[v.substr(i, j - i)] += c.counts[code];
        i = j + 1;
      }
    }
    for (const auto& [value, count] : counts) {
      FacetBucket b{value, value, count};
      if (c.facet == "topic") {
        const int t = taxonomy_.find(value);
        if (t >= 0) b.label = taxonomy_.topics()[static_cast<size_t>(t)].label;
      } else if (c.facet == "county") {
        const schema::Division* d = gazetteer->by_code(value);
        b.label = d ? d->name + " (" + d->province + ")" : value;
      } else if (c.facet == "province") {
        b.label = gazetteer->province_name(value);
      } else if (c.facet == "year") {
        b.key = b.label = std::to_string(static_cast<int>(Xapian::sortable_unserialise(value)));
      }
      f.buckets.push_back(std::move(b));
    }
    std::sort(f.buckets.begin(), f.buckets.end(), [](const FacetBucket& a, const FacetBucket& b) {
      return a.count != b.count ? a.count > b.count : a.key < b.key;
    });
    f.unknown = total >= with_value ? total - with_value : 0;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace speechdex::searcher
