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
    : ValueColumn(std::vector<schema::DatabasePart>{{&db, 0}}, slot) {}

ValueColumn::ValueColumn(const std::vector<schema::DatabasePart>& parts, Xapian::valueno slot)
    : values_(1) {
  codes_.assign(parts.empty() ? 1 : parts.back().base + parts.back().db->get_lastdocid() + 1, 0);
  std::unordered_map<std::string, uint32_t> code_of;
  for (const schema::DatabasePart& part : parts) {
    const Xapian::Database& db = *part.db;
    for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot); ++it) {
      set(part.base + it.get_docid(), *it, code_of);
    }
  }
  rank_values();
}

ValueColumn::ValueColumn(Xapian::docid end,
                         const std::vector<std::pair<Xapian::docid, std::string>>& values)
    : values_(1) {
  codes_.assign(end, 0);
  std::unordered_map<std::string, uint32_t> code_of;
  for (const auto& [docid, value] : values) {
    if (!value.empty() && docid < end) set(docid, value, code_of);
  }
  rank_values();
}

void ValueColumn::set(Xapian::docid docid, std::string value,
                      std::unordered_map<std::string, uint32_t>& code_of) {
  auto [at, fresh] = code_of.try_emplace(value, static_cast<uint32_t>(values_.size()));
  if (fresh) values_.push_back(std::move(value));
  codes_[docid] = at->second;
}

void ValueColumn::rank_values() {
  std::vector<uint32_t> by_value(values_.size());
  for (uint32_t code = 0; code < by_value.size(); ++code) by_value[code] = code;
  std::sort(by_value.begin(), by_value.end(),
            [&](uint32_t a, uint32_t b) { return values_[a] < values_[b]; });
  ranks_.resize(values_.size());
  for (uint32_t r = 0; r < by_value.size(); ++r) ranks_[by_value[r]] = r;
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
    uint64_t with_value = 0;
    if (c.facet == "topic") {
      // A paragraph's topics are one value, its topic ids joined by ','.
      std::map<std::string, uint64_t> counts;
      for (uint32_t code = 1; code < c.counts.size(); ++code) {
        if (c.counts[code] == 0) continue;
        with_value += c.counts[code];
        const std::string& v = c.column->value(code);
        for (size_t i = 0; i <= v.size();) {
          size_t j = v.find(',', i);
          if (j == std::string::npos) j = v.size();
          counts[v.substr(i, j - i)] += c.counts[code];
          i = j + 1;
        }
      }
      for (const auto& [id, count] : counts) {
        const int t = taxonomy_.find(id);
        f.buckets.push_back(
            {id, t >= 0 ? taxonomy_.topics()[static_cast<size_t>(t)].label : id, count});
      }
      std::sort(f.buckets.begin(), f.buckets.end(), [](const FacetBucket& a, const FacetBucket& b) {
        return a.count != b.count ? a.count > b.count : a.key < b.key;
      });
    } else {
      // One value, one bucket. Sorted as (count, value rank) pairs, so that no string is
      // compared or moved, and each bucket's key and label are made once, in place.
      std::vector<std::pair<uint64_t, uint32_t>> order;  // (count, code)
      for (uint32_t code = 1; code < c.counts.size(); ++code) {
        if (c.counts[code] == 0) continue;
        with_value += c.counts[code];
        order.emplace_back(c.counts[code], code);
      }
      const ValueColumn& column = *c.column;
      std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first
                                  : column.rank(a.second) < column.rank(b.second);
      });
      f.buckets.resize(order.size());
      for (size_t i = 0; i < order.size(); ++i) {
        FacetBucket& b = f.buckets[i];
        const std::string& v = column.value(order[i].second);
        b.count = order[i].first;
        if (c.facet == "year") {
          b.key = b.label = std::to_string(static_cast<int>(Xapian::sortable_unserialise(v)));
        } else if (c.facet == "county") {
          b.key = v;
          const schema::Division* d = gazetteer->by_code(v);
          if (d == nullptr) {
            b.label = v;
            continue;
          }
          b.label.reserve(d->name.size() + d->province.size() + 3);
          b.label.append(d->name).append(" (").append(d->province).append(")");
        } else if (c.facet == "province") {
          b.key = v;
          b.label = gazetteer->province_name(v);
        } else {
          b.key = b.label = v;
        }
      }
    }
    f.unknown = total >= with_value ? total - with_value : 0;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace speechdex::searcher
