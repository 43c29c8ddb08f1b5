// Topic taxonomy parsing and the role vocabulary.
#include "taxonomy.h"

#include <algorithm>

#include "errors.h"
#include "gazetteer.h"
#include "normalizer.h"

namespace speechdex::schema {

Taxonomy Taxonomy::parse(std::string_view text, const std::string& origin) {
  Taxonomy t;
  t.text_ = std::string(text);
  Normalizer& n = Normalizer::thread_instance();
  for (const TsvRow& row : parse_tsv(text)) {
    const auto& f = row.fields;
    if (f.size() < 3 || f[0].empty() || f[2].empty()) {
      throw InputError("malformed topic row (want id, label, keywords)",
                       origin + ":" + std::to_string(row.line));
    }
    Topic topic{f[0], f[1], {}};
    std::string kw;
    auto flush = [&]() {
      const std::string norm = n.normalize(kw);
      if (!norm.empty()) {
        const size_t chars = to_utf32(norm).size();
        topic.keywords.emplace_back(norm, chars >= 4 ? 2 : 1);
      }
      kw.clear();
    };
    const std::u32string keywords = to_utf32(f[2]);
    for (char32_t c : keywords) {
      if (c == U'、' || c == U',' || c == U'，' || c == U' ' || c == U';') {
        flush();
      } else {
        append_utf8(c, kw);
      }
    }
    flush();
    std::stable_sort(topic.keywords.begin(), topic.keywords.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    if (t.find(topic.id) >= 0) {
      throw InputError("topic id '" + topic.id + "' appears twice",
                       origin + ":" + std::to_string(row.line));
    }
    t.topics_.push_back(std::move(topic));
  }
  return t;
}

Taxonomy Taxonomy::load(const std::string& path) {
  return parse(read_data_file(path, "topic taxonomy"), path);
}

int Taxonomy::find(std::string_view id_or_label) const {
  for (size_t i = 0; i < topics_.size(); ++i) {
    if (topics_[i].id == id_or_label || topics_[i].label == id_or_label) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Taxonomy::suggest(std::string_view text, size_t n) const {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const Topic& t : topics_) {
    scored.emplace_back(std::min(edit_distance(text, t.id), edit_distance(text, t.label)), t.id);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < n; ++i) out.push_back(scored[i].second);
  return out;
}

const std::vector<Role>& speaker_roles() {
  static const std::vector<Role> kRoles = {{"县委书记", 1},
                                           {"县长", 2},
                                           {"县人大常委会主任", 3},
                                           {"县政协主席", 4},
                                           {"常务副县长", 5},
                                           {"副县长", 6},
                                           {"县人大常委会副主任", 7},
                                           {"县政协副主席", 8},
                                           {"县委副书记", 9},
                                           {"区委书记", 1},
                                           {"区长", 2},
                                           {"区人大常委会主任", 3},
                                           {"区政协主席", 4},
                                           {"常务副区长", 5},
                                           {"副区长", 6},
                                           {"区委副书记", 9},
                                           {"市委书记", 1},
                                           {"市长", 2},
                                           {"市人大常委会主任", 3},
                                           {"市政协主席", 4},
                                           {"常务副市长", 5},
                                           {"副市长", 6},
                                           {"市委副书记", 9},
                                           {"旗委书记", 1},
                                           {"旗长", 2},
                                           {"人大常委会主任", 3},
                                           {"政协主席", 4}};
  return kRoles;
}

}  // namespace speechdex::schema
