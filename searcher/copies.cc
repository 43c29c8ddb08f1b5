// Printing duplicate clusters: members with source, county, year and similarity.
#include "copies.h"

#include <nlohmann/json.hpp>
#include <unordered_set>

#include "errors.h"
#include "fields.h"
#include "normalizer.h"

namespace speechdex::searcher {

namespace {

// One member as printed.
struct Member {
  Xapian::docid id = 0;
  schema::ParagraphRecord record;
  std::optional<double> similarity;  // to the earliest member; none if it cannot be told
  bool exact = false;                // paragraphs: the same normalized text as the earliest
};

// The members with their records and their similarity to the first (the earliest).
std::vector<Member> describe(Searcher& searcher, Dedup mode,
                             const std::vector<Xapian::docid>& ids) {
  std::vector<Member> out;
  const Xapian::valueno sig_slot =
      mode == Dedup::kSpeech ? schema::kSlotSpeechSignature : schema::kSlotSignature;
  std::string first_hash;
  std::optional<schema::Signature> first_sig;
  for (size_t i = 0; i < ids.size(); ++i) {
    const Xapian::Document doc = searcher.document(ids[i]);
    Member m;
    m.id = ids[i];
    m.record = searcher.record(ids[i]);
    const std::string hash = doc.get_value(schema::kSlotTextHash);
    const std::optional<schema::Signature> sig = schema::decode_signature(doc.get_value(sig_slot));
    if (i == 0) {
      first_hash = hash;
      first_sig = sig;
    }
    m.exact = mode == Dedup::kParagraph && hash == first_hash;
    if (m.exact) {
      m.similarity = 1.0;
    } else if (sig && first_sig) {
      m.similarity = schema::similarity(*first_sig, *sig);
    }
    out.push_back(std::move(m));
  }
  return out;
}

nlohmann::ordered_json member_json(const Member& m, Dedup mode) {
  const schema::ParagraphRecord& r = m.record;
  nlohmann::ordered_json j = {
      {"id", m.id}, {"speech_id", r.speech_id}, {"source", r.source}, {"speech", r.speech}};
  if (mode == Dedup::kParagraph) j["paragraph"] = r.paragraph;
  j["county_code"] = r.county_code;
  j["county"] = r.county;
  j["province"] = r.province;
  j["year"] = r.year ? nlohmann::ordered_json(r.year) : nlohmann::ordered_json(nullptr);
  j["similarity"] = m.similarity ? nlohmann::ordered_json(std::round(*m.similarity * 1000) / 1000)
                                 : nlohmann::ordered_json(nullptr);
  if (mode == Dedup::kParagraph) {
    j["exact"] = m.exact;
    j["text"] = r.text;
  } else {
    j["title"] = r.title;
  }
  return j;
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The cluster's name in output: the earliest paragraph's id, or the earliest speech's id.
nlohmann::ordered_json cluster_name(const std::vector<Member>& members, Dedup mode) {
  return mode == Dedup::kSpeech ? nlohmann::ordered_json(members.front().record.speech_id)
                                : nlohmann::ordered_json(members.front().id);
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = {
      "cluster",     "size",   "id",       "speech_id", "source",     "speech", "paragraph",
      "county_code", "county", "province", "year",      "similarity", "exact",  "text"};
  return columns;
}

void csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
  out << "\r\n";
}

void csv_member(std::ostream& out, const std::vector<Member>& members, const Member& m,
                Dedup mode) {
  const schema::ParagraphRecord& r = m.record;
  char similarity[16] = "";
  if (m.similarity) std::snprintf(similarity, sizeof similarity, "%.3f", *m.similarity);
  const nlohmann::ordered_json name = cluster_name(members, mode);
  csv_row(out,
          {name.is_string() ? name.get<std::string>() : name.dump(), std::to_string(members.size()),
           std::to_string(m.id), r.speech_id, r.source, std::to_string(r.speech),
           mode == Dedup::kParagraph ? std::to_string(r.paragraph) : "", r.county_code, r.county,
           r.province, r.year ? std::to_string(r.year) : "", similarity,
           mode == Dedup::kParagraph ? (m.exact ? "true" : "false") : "",
           mode == Dedup::kParagraph ? r.text : r.title});
}

void table_cluster(std::ostream& out, const std::vector<Member>& members, Dedup mode) {
  const schema::ParagraphRecord& first = members.front().record;
  out << (mode == Dedup::kSpeech ? "speech cluster " + first.speech_id
                                 : "paragraph cluster " + std::to_string(members.front().id))
      << " · " << members.size() << (mode == Dedup::kSpeech ? " speeches" : " paragraphs")
      << ", earliest first\n";
  for (const Member& m : members) {
    const schema::ParagraphRecord& r = m.record;
    char similarity[16] = "   ?";
    if (m.similarity) std::snprintf(similarity, sizeof similarity, "%.2f", *m.similarity);
    std::string where = r.year ? std::to_string(r.year) : "year ?";
    where += " " + (r.county.empty() ? std::string("county ?") : r.county);
    out << "  " << similarity << (m.exact ? "=" : " ") << " " << where << "  " << r.speech_id;
    if (mode == Dedup::kParagraph) {
      out << " ¶" << r.paragraph << " [" << m.id << "]\n      " << clip(r.text, 70) << "\n";
    } else {
      out << "\n      " << clip(r.title, 70) << "\n";
    }
  }
}

}  // namespace

void print_copies(std::ostream& out, Format format, Searcher& searcher, Dedup mode,
                  Xapian::docid docid) {
  searcher.record(docid);  // UsageError if there is no such paragraph
  const DuplicateIndex& dups = searcher.duplicates();
  const ValueColumn& speeches = searcher.value_column(schema::kSlotSpeech);
  const std::vector<Member> members =
      describe(searcher, mode, dups.members(mode, dups.cluster(mode, docid), speeches));
  if (format == Format::kJson) {
    for (const Member& m : members) {
      nlohmann::ordered_json j = {{"mode", dedup_name(mode)},
                                  {"cluster", cluster_name(members, mode)},
                                  {"size", members.size()}};
      j.update(member_json(m, mode));
      out << dump(j) << "\n";
    }
  } else if (format == Format::kCsv) {
    csv_row(out, csv_columns());
    for (const Member& m : members) csv_member(out, members, m, mode);
  } else {
    table_cluster(out, members, mode);
    if (members.size() == 1) out << "  (no copies)\n";
  }
}

size_t print_clusters(std::ostream& out, Format format, Searcher& searcher, Dedup mode,
                      const std::optional<SearchRequest>& request) {
  const DuplicateIndex& dups = searcher.duplicates();
  const ValueColumn& speeches = searcher.value_column(schema::kSlotSpeech);
  std::unordered_set<uint32_t> wanted;  // clusters a match of the request is in
  if (request) {
    SearchRequest all = *request;
    all.dedup = Dedup::kNone;
    searcher.for_each_match(all, [&](unsigned d) { wanted.insert(dups.cluster(mode, d)); });
  }
  if (format == Format::kCsv) csv_row(out, csv_columns());
  size_t printed = 0;
  for (const std::vector<Xapian::docid>& ids : dups.clusters(mode, speeches)) {
    if (request && !wanted.count(dups.cluster(mode, ids.front()))) continue;
    const std::vector<Member> members = describe(searcher, mode, ids);
    ++printed;
    if (format == Format::kJson) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const Member& m : members) list.push_back(member_json(m, mode));
      out << dump({{"mode", dedup_name(mode)},
                   {"cluster", cluster_name(members, mode)},
                   {"size", members.size()},
                   {"members", list}})
          << "\n";
    } else if (format == Format::kCsv) {
      for (const Member& m : members) csv_member(out, members, m, mode);
    } else {
      if (printed > 1) out << "\n";
      table_cluster(out, members, mode);
    }
  }
  if (format == Format::kTable) {
    out << "\n"
        << printed << (mode == Dedup::kSpeech ? " speech" : " paragraph")
        << (printed == 1 ? " cluster" : " clusters") << " of two or more\n";
  }
  return printed;
}

}  // namespace speechdex::searcher
