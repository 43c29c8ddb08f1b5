// Filter resolution. Every filter becomes boolean terms, so it runs inside the match.
#include "filters.h"

#include <algorithm>
#include <map>

#include "errors.h"
#include "fields.h"

namespace speechdex::searcher {
namespace {

std::string did_you_mean(const std::vector<std::string>& options) {
  if (options.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < options.size(); ++i) out += (i ? ", " : "") + options[i];
  return out + "?)";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::vector<std::string> terms_for(const FilterSpec& f, const schema::Gazetteer& g,
                                   const schema::Taxonomy& t) {
  const schema::Field& field = schema::field(f.field);
  const std::string what = f.field + ":" + f.value;
  std::vector<std::string> terms;
  if (f.field == "county") {
    for (const schema::Division* d : g.resolve(f.value))
      terms.push_back(schema::boolean_term(field, d->code));
    if (terms.empty()) {
      throw QueryError("unknown county '" + f.value + "'" + did_you_mean(g.suggest(f.value, 3)),
                       what);
    }
  } else if (f.field == "province") {
    for (const std::string& code2 : g.resolve_province(f.value))
      terms.push_back(schema::boolean_term(field, code2));
    if (terms.empty()) {
      std::vector<std::pair<size_t, std::string>> scored;
      for (const schema::Division& d : g.divisions()) {
        scored.emplace_back(schema::edit_distance(f.value, d.province), d.province);
      }
      std::sort(scored.begin(), scored.end());
      scored.erase(std::unique(scored.begin(), scored.end()), scored.end());
      std::vector<std::string> near;
      for (size_t i = 0; i < scored.size() && near.size() < 3; ++i)
        near.push_back(scored[i].second);
      throw QueryError("unknown province '" + f.value + "'" + did_you_mean(near), what);
    }
  } else if (f.field == "year") {
    auto parse_year = [&](const std::string& s) {
      if (s.size() != 4 ||
          !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        throw QueryError("a year is four digits, a range is 2015..2020", what);
      }
      return std::stoi(s);
    };
    const size_t dots = f.value.find("..");
    const int from = parse_year(dots == std::string::npos ? f.value : f.value.substr(0, dots));
    const int to = dots == std::string::npos ? from : parse_year(f.value.substr(dots + 2));
    if (to < from) throw QueryError("the range ends before it starts", what);
    for (int y = from; y <= to; ++y)
      terms.push_back(schema::boolean_term(field, std::to_string(y)));
  } else if (f.field == "topic") {
    const int i = t.find(f.value);
    if (i < 0) {
      throw QueryError("unknown topic '" + f.value + "'" + did_you_mean(t.suggest(f.value, 3)),
                       what);
    }
    terms.push_back(schema::boolean_term(field, t.topics()[static_cast<size_t>(i)].id));
  } else if (f.field == "role") {
    std::vector<std::string> names;
    for (const schema::Role& r : schema::speaker_roles()) names.push_back(r.name);
    if (std::find(names.begin(), names.end(), f.value) == names.end()) {
      throw QueryError("unknown role '" + f.value + "' (roles: " + join(names) + ")", what);
    }
    terms.push_back(schema::boolean_term(field, f.value));
  }
  return terms;
}

}  // namespace

FilterQueries build_filters(const std::vector<FilterSpec>& filters,
                            const schema::Gazetteer& gazetteer, const schema::Taxonomy& taxonomy) {
  std::map<std::string, std::vector<std::string>> keep;  // field -> terms (ORed)
  std::vector<std::string> drop;
  for (const FilterSpec& f : filters) {
    std::vector<std::string> terms = terms_for(f, gazetteer, taxonomy);
    auto& into = f.negated ? drop : keep[f.field];
    into.insert(into.end(), terms.begin(), terms.end());
  }
  using textstore::Query;
  auto any_of = [](const std::vector<std::string>& terms) {
    std::vector<Query> q;
    for (const std::string& t : terms) q.push_back(Query::make_term(t));
    return Query::make(Query::Op::kOr, std::move(q));
  };
  FilterQueries out;
  std::vector<Query> per_field;
  for (const auto& [field, terms] : keep) per_field.push_back(any_of(terms));
  if (!per_field.empty()) out.keep = Query::make(Query::Op::kAnd, std::move(per_field));
  if (!drop.empty()) out.drop = any_of(drop);
  return out;
}

}  // namespace speechdex::searcher
