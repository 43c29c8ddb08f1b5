// Provenance: everything needed to run an export again and check it is the same data.
#include "provenance.h"

#include <xapian.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "fields.h"
#include "version.h"

namespace speechdex::searcher {

std::string fnv1a64_hex(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string provenance_json(const Searcher& searcher, const ProvenanceRequest& request,
                            std::optional<uint64_t> records) {
  const Xapian::Database& db = searcher.database(0);
  // Several databases searched as one: each one's path and revision, in order.
  nlohmann::ordered_json database, revision;
  auto absolute = [](const std::string& path) {
    return boost::filesystem::absolute(path).lexically_normal().string();
  };
  if (searcher.parts() == 1) {
    database = absolute(searcher.path());
    revision = db.get_revision();
  } else {
    for (size_t k = 0; k < searcher.parts(); ++k) {
      database.push_back(absolute(searcher.part_path(k)));
      revision.push_back(searcher.database(k).get_revision());
    }
  }
  auto meta = [&](std::string_view key) { return db.get_metadata(std::string(key)); };
  nlohmann::ordered_json filters = nlohmann::ordered_json::array();
  for (const FilterSpec& f : request.filters) {
    filters.push_back({{"field", f.field}, {"value", f.value}});
  }
  nlohmann::ordered_json options = nlohmann::ordered_json::object();
  for (const auto& [name, value] : request.options) options[name] = value;
  const std::string version = meta(schema::kMetaSchemaVersion);
  nlohmann::ordered_json j = {
      {"program", "speechdex-search"},
      {"version", kVersion},
      {"time", utc_now()},
      {"query", request.query},
      {"filters", filters},
      {"options", options},
      {"database", database},
      {"schema_version", version.empty() ? nlohmann::ordered_json(nullptr)
                                         : nlohmann::ordered_json(std::stoi(version))},
      {"tokenizer", meta(schema::kMetaTokenizer)},
      {"documents", searcher.documents()},
      {"revision", revision},
      {"gazetteer_fnv1a64", fnv1a64_hex(meta(schema::kMetaGazetteer))},
      {"topics_fnv1a64", fnv1a64_hex(meta(schema::kMetaTopics))}};
  if (records) j["records"] = *records;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace speechdex::searcher
