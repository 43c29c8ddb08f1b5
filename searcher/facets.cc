// Facet counting with stock match spies, and labels for the buckets.
#include "facets.h"

#include <algorithm>

#include "fields.h"

namespace speechdex::searcher {

const std::vector<std::string>& facet_names() {
  static const std::vector<std::string> kNames = {"county", "province", "year", "topic", "role"};
  return kNames;
}

FacetCollector::FacetCollector(const std::vector<std::string>& names,
                               const schema::Taxonomy& taxonomy, Xapian::Enquire& enquire)
    : names_(names), taxonomy_(taxonomy) {
  auto add = [&](const std::string& facet, unsigned slot, int topic) {
    spies_.push_back({facet, std::make_unique<Xapian::ValueCountMatchSpy>(slot), topic});
    enquire.add_matchspy(spies_.back().spy.get());
  };
  for (const std::string& n : names) {
    if (n == "county") add(n, schema::kSlotCounty, -1);
    if (n == "province") add(n, schema::kSlotProvince, -1);
    if (n == "year") add(n, schema::kSlotYear, -1);
    if (n == "role") add(n, schema::kSlotRole, -1);
    if (n == "topic") {
      add(n, schema::kSlotTopics, -1);  // any topic at all: gives the unknown bucket
      for (size_t i = 0; i < taxonomy.topics().size(); ++i) {
        add(n, schema::kSlotTopicBase + static_cast<unsigned>(i), static_cast<int>(i));
      }
    }
  }
}

bool FacetCollector::needs_gazetteer() const {
  return std::find(names_.begin(), names_.end(), "county") != names_.end() ||
         std::find(names_.begin(), names_.end(), "province") != names_.end();
}

std::vector<Facet> FacetCollector::collect(uint64_t total,
                                           const schema::Gazetteer* gazetteer) const {
  std::vector<Facet> out;
  for (const std::string& name : names_) {
    Facet f{name, {}, 0};
    uint64_t with_value = 0;
    for (const Spy& s : spies_) {
      if (s.facet != name) continue;
      if (name == "topic" && s.topic < 0) {
        for (auto it = s.spy->values_begin(); it != s.spy->values_end(); ++it)
          with_value += it.get_termfreq();
        continue;
      }
      for (auto it = s.spy->values_begin(); it != s.spy->values_end(); ++it) {
        const std::string value = *it;
        FacetBucket b{value, value, it.get_termfreq()};
        if (name == "topic") {
          const schema::Topic& t = taxonomy_.topics()[static_cast<size_t>(s.topic)];
          b.key = t.id;
          b.label = t.label;
        } else if (name == "county") {
          const schema::Division* d = gazetteer->by_code(value);
          b.label = d ? d->name + " (" + d->province + ")" : value;
        } else if (name == "province") {
          b.label = gazetteer->province_name(value);
        } else if (name == "year") {
          b.key = b.label = std::to_string(static_cast<int>(Xapian::sortable_unserialise(value)));
        }
        if (name != "topic") with_value += b.count;
        f.buckets.push_back(std::move(b));
      }
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
