// Paragraph records to and from JSON document data.
#include "record.h"

#include <unicode/utf8.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "errors.h"

namespace speechdex::schema {

std::string ParagraphRecord::to_data() const {
  nlohmann::json j = {{"source", source},
                      {"speech", speech},
                      {"speech_id", speech_id},
                      {"paragraph", paragraph},
                      {"kind", kind},
                      {"title", title},
                      {"section", section},
                      {"subsection", subsection},
                      {"text", text},
                      {"county_code", county_code},
                      {"county", county},
                      {"city", city},
                      {"province", province},
                      {"year", year},
                      {"role", role},
                      {"speaker", speaker},
                      {"date", date},
                      {"topics", topics},
                      {"speech_topics", speech_topics},
                      {"how", how}};
  if (!fields.empty()) j["fields"] = nlohmann::json::parse(fields, nullptr, false);
  // Every string is valid UTF-8 (text is decoded, paths printable_path()); should one not
  // be, it is stored with U+FFFD rather than failing the whole run.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// An int field of the record: a JSON integer within int's range. get<int>() converts any
// number, and converting a float out of range (1.8e22 in a damaged record) is undefined.
int get_int(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() ? v.get<uint64_t>() <= INT_MAX
                               : v.get<int64_t>() >= INT_MIN && v.get<int64_t>() <= INT_MAX) {
      return static_cast<int>(v.get<int64_t>());
    }
  }
  throw IndexError("document data is not a paragraph record: '" + std::string(key) +
                       "' is not a whole number of int's range",
                   "");
}

}  // namespace

ParagraphRecord ParagraphRecord::from_data(std::string_view data) {
  try {
    const nlohmann::json j = nlohmann::json::parse(data);
    ParagraphRecord r;
    r.source = j.at("source").get<std::string>();
    r.speech = get_int(j, "speech");
    r.speech_id = j.at("speech_id").get<std::string>();
    r.paragraph = get_int(j, "paragraph");
    r.kind = j.at("kind").get<std::string>();
    r.title = j.at("title").get<std::string>();
    r.section = j.at("section").get<std::string>();
    r.subsection = j.at("subsection").get<std::string>();
    r.text = j.at("text").get<std::string>();
    r.county_code = j.at("county_code").get<std::string>();
    r.county = j.at("county").get<std::string>();
    r.city = j.at("city").get<std::string>();
    r.province = j.at("province").get<std::string>();
    r.year = get_int(j, "year");
    r.role = j.at("role").get<std::string>();
    r.speaker = j.at("speaker").get<std::string>();
    r.date = j.at("date").get<std::string>();
    r.topics = j.at("topics").get<std::vector<std::string>>();
    r.speech_topics = j.at("speech_topics").get<std::vector<std::string>>();
    r.how = j.at("how").get<std::map<std::string, std::string>>();
    if (const auto f = j.find("fields"); f != j.end() && f->is_object()) r.fields = f->dump();
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw IndexError("document data is not a paragraph record: " + std::string(e.what()), "");
  }
}

std::string printable_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  const auto* p = reinterpret_cast<const uint8_t*>(path.data());
  const auto n = static_cast<int32_t>(path.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(p, i, n, c);
    if (c < 0) {
      for (int32_t k = start; k < i; ++k) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02X", p[k]);
        out += buf;
      }
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.append(path.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
    }
  }
  return out;
}

}  // namespace speechdex::schema
