// Manifest parsing for three table formats and one set of column names.
#include "manifest.h"

#include <boost/filesystem.hpp>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "cleaner.h"
#include "errors.h"
#include "metadata_extractor.h"

namespace fs = boost::filesystem;

namespace speechdex::indexer {
namespace {

// Splits one CSV record (RFC 4180 quoting; no newlines inside fields).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::vector<std::string> split_tsv(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == '\t') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

ManifestEntry manifest_entry(
    const std::map<std::string, std::string>& row, const schema::Gazetteer& gazetteer,
    const std::string& origin, const std::string& where,
    const std::function<void(const std::string&, const std::string&)>& warn) {
  auto get = [&](std::initializer_list<const char*> names) -> std::string {
    for (const char* n : names) {
      auto it = row.find(n);
      if (it != row.end() && !it->second.empty()) return it->second;
    }
    return "";
  };
  ManifestEntry e;
  e.origin = origin;
  // A code is unambiguous; try it before a name.
  for (const std::string& v : {get({"code", "county_code"}), get({"county"})}) {
    if (v.empty() || e.county != nullptr) continue;
    const auto found = gazetteer.resolve(v);
    if (found.size() == 1) {
      e.county = found.front();
    } else {
      warn(found.empty() ? "unknown county '" + v + "'"
                         : "county '" + v + "' names several divisions; give its code",
           where);
    }
  }
  if (const std::string y = get({"year"}); !y.empty()) {
    if (y.size() == 4 &&
        std::all_of(y.begin(), y.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      e.year = std::stoi(y);
    } else {
      warn("year is not a year: " + y, where);
    }
  }
  if (const std::string v = get({"title"}); !v.empty()) e.title = v;
  if (const std::string v = get({"speaker"}); !v.empty()) e.speaker = v;
  if (const std::string v = get({"role"}); !v.empty()) e.role = v;
  if (const std::string v = get({"date"}); !v.empty()) {
    e.date = v;
    // A date that starts with its year (2019-03-05, 2019年3月5日) gives the year too.
    if (!e.year && v.size() >= 4 &&
        std::all_of(v.begin(), v.begin() + 4, [](char c) { return c >= '0' && c <= '9'; }) &&
        (v.size() == 4 || !(v[4] >= '0' && v[4] <= '9'))) {
      e.year = std::stoi(v.substr(0, 4));
    }
  }
  return e;
}

Manifest Manifest::load(const std::string& path, const schema::Gazetteer& gazetteer,
                        const std::function<void(const std::string&, const std::string&)>& warn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read manifest", path);
  const std::string ext = lower(fs::path(path).extension().string());
  const fs::path base = fs::absolute(fs::path(path)).parent_path();

  // Each row is taken as it is read (a manifest of a million rows held as rows of column
  // -> value would take gigabytes).
  Manifest m;
  m.path_ = path;
  auto add = [&](size_t line_no, const std::map<std::string, std::string>& row) {
    const std::string where = path + ":" + std::to_string(line_no);
    auto get = [&](std::initializer_list<const char*> names) -> std::string {
      for (const char* n : names) {
        auto it = row.find(n);
        if (it != row.end() && !it->second.empty()) return it->second;
      }
      return "";
    };
    const std::string file = get({"path", "file", "source"});
    if (file.empty()) {
      throw InputError("manifest row has no path (columns path, file or source)", where);
    }
    fs::path p(file);
    if (p.is_relative()) p = base / p;
    boost::system::error_code ec;
    const fs::path canonical = fs::weakly_canonical(p, ec);
    int speech = 0;
    if (const std::string s = get({"speech"}); !s.empty()) {
      try {
        speech = std::stoi(s);
      } catch (const std::exception&) {
        warn("speech is not a number: " + s, where);
      }
    }
    const auto [it, added] = m.entries_.insert_or_assign(
        {canonical.string(), speech},
        manifest_entry(row, gazetteer, "manifest " + where, where, warn));
    m.rows_.emplace_back(line_no, &it->first.first);
  };
  std::string line;
  std::vector<std::string> header;
  std::map<std::string, std::string> row;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    row.clear();
    if (ext == ".jsonl" || ext == ".json") {
      try {
        const nlohmann::json object = nlohmann::json::parse(line);
        if (!object.is_object()) {
          warn("manifest line is not a JSON object", path + ":" + std::to_string(number));
          continue;
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
          row[lower(it.key())] = it->is_string() ? it->get<std::string>() : it->dump();
        }
      } catch (const nlohmann::json::exception& e) {
        warn(std::string("manifest line is not JSON: ") + e.what(),
             path + ":" + std::to_string(number));
        continue;
      }
    } else {
      const std::vector<std::string> fields = ext == ".csv" ? split_csv(line) : split_tsv(line);
      if (header.empty()) {
        for (const std::string& h : fields) header.push_back(lower(trim(h)));
        continue;
      }
      for (size_t i = 0; i < fields.size() && i < header.size(); ++i)
        row[header[i]] = trim(fields[i]);
    }
    add(number, row);
  }
  return m;
}

Manifest::Unmatched Manifest::unmatched(const std::set<std::string>& files) const {
  Unmatched u;
  for (const auto& [line, canonical] : rows_) {
    if (files.count(*canonical)) continue;
    if (u.rows++ == 0) {
      u.first_where = path_ + ":" + std::to_string(line);
      u.first_path = *canonical;
    }
  }
  return u;
}

void apply_manifest(const ManifestEntry& entry, SpeechMetadata& meta) {
  if (entry.county != nullptr) meta.county = {entry.county, entry.origin};
  if (entry.year) meta.year = {*entry.year, entry.origin};
  if (entry.role) meta.role = {*entry.role, entry.origin};
  if (entry.title) meta.title = *entry.title;
  if (entry.speaker) meta.speaker = {*entry.speaker, entry.origin};
  if (entry.date) meta.date = {*entry.date, entry.origin};
}

const ManifestEntry* Manifest::find(const std::string& canonical_path, int speech) const {
  auto it = entries_.find({canonical_path, speech});
  if (it == entries_.end()) it = entries_.find({canonical_path, 0});
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace speechdex::indexer
