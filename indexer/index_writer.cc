// Document construction and batched, file-atomic writing.
#include "index_writer.h"

#include <xapian.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstdlib>

#include "errors.h"
#include "fields.h"
#include "index_meta.h"
#include "record.h"
#include "tokenizer.h"

namespace speechdex::indexer {
namespace {

// Commit after this many paragraphs (at the next file boundary).
constexpr size_t kCommitEvery = 20000;
// --compact auto compacts again once the database has grown past this multiple of its size
// right after its last compaction. Updates to a compacted index touch blocks all over it
// (docs/index.md).
constexpr double kRecompactGrowth = 1.25;
// Position gap between two strings of one field (a section and its subsection).
constexpr Xapian::termpos kFieldGap = 100;

// Adds a text field's terms: every unit's unigram (wdf only) and every adjacent pair's
// bigram at the first unit's position. Returns the next free position.
Xapian::termpos add_text_terms(Xapian::Document& doc, const schema::Field& f,
                               const std::vector<schema::Unit>& units, Xapian::termpos base) {
  for (size_t i = 0; i < units.size(); ++i) {
    doc.add_term(schema::unigram_term(f.prefix, units[i]));
    if (i + 1 < units.size()) {
      doc.add_posting(schema::bigram_term(f.prefix, units[i], units[i + 1]),
                      base + static_cast<Xapian::termpos>(i));
    }
  }
  return base + static_cast<Xapian::termpos>(units.size()) + kFieldGap;
}

uint64_t database_bytes(const std::string& path) {
  namespace fs = boost::filesystem;
  uint64_t total = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(path)) {
    if (fs::is_regular_file(e.status())) total += fs::file_size(e.path());
  }
  return total;
}

std::string file_state(const SourceFile& f) {
  return std::to_string(f.size) + " " + std::to_string(f.mtime);
}

}  // namespace

Xapian::Document build_document(const SourceFile& file, int speech_number, const Speech& speech,
                                const SpeechMetadata& meta, size_t paragraph_index,
                                const schema::Taxonomy& taxonomy) {
  const Paragraph& paragraph = speech.paragraphs[paragraph_index];
  const int paragraph_number = static_cast<int>(paragraph_index + 1);
  const std::string& title = meta.title ? *meta.title : speech.title;
  Xapian::Document doc;
  const std::vector<schema::Unit> units = schema::tokenize(paragraph.text);
  add_text_terms(doc, schema::field("text"), units, schema::kFirstPosition);
  add_text_terms(doc, schema::field("title"), schema::tokenize(title), schema::kFirstPosition);
  Xapian::termpos pos = add_text_terms(doc, schema::field("heading"),
                                       schema::tokenize(paragraph.section), schema::kFirstPosition);
  add_text_terms(doc, schema::field("heading"), schema::tokenize(paragraph.subsection), pos);

  const uint64_t source = schema::source_key(file.canonical_path);
  const uint64_t speech_key = schema::speech_key(source, speech_number);
  doc.add_boolean_term(schema::paragraph_id_term(speech_key, paragraph_number));
  doc.add_boolean_term(schema::boolean_term(schema::field("speech"), schema::hex_key(speech_key)));
  doc.add_boolean_term(schema::boolean_term(schema::field("source"), schema::hex_key(source)));

  std::string normalized;
  for (const schema::Unit& u : units) {
    normalized += u.text;
    normalized.push_back('\x1f');
  }
  doc.add_value(schema::kSlotSpeech, schema::encode_key(speech_key));
  doc.add_value(schema::kSlotTextHash, schema::encode_key(schema::stable_hash(normalized)));

  schema::ParagraphRecord r;
  r.source = file.path;
  r.speech = speech_number;
  r.speech_id = file.path + "#" + std::to_string(speech_number);
  r.paragraph = paragraph_number;
  r.kind = paragraph.kind;
  r.title = title;
  r.section = paragraph.section;
  r.subsection = paragraph.subsection;
  r.text = paragraph.text;

  // Speech metadata: a filter term, a value slot and the record for each field known.
  if (const schema::Division* d = meta.county.value) {
    const std::string province = d->code.substr(0, 2);
    doc.add_boolean_term(schema::boolean_term(schema::field("county"), d->code));
    doc.add_boolean_term(schema::boolean_term(schema::field("province"), province));
    doc.add_value(schema::kSlotCounty, d->code);
    doc.add_value(schema::kSlotProvince, province);
    r.county_code = d->code;
    r.county = d->name;
    r.city = d->city;
    r.province = d->province;
  }
  r.how["county"] = meta.county.how;
  if (meta.year.value > 0) {
    doc.add_boolean_term(
        schema::boolean_term(schema::field("year"), std::to_string(meta.year.value)));
    doc.add_value(schema::kSlotYear, Xapian::sortable_serialise(meta.year.value));
    r.year = meta.year.value;
  }
  r.how["year"] = meta.year.how;
  if (!meta.role.value.empty()) {
    doc.add_boolean_term(schema::boolean_term(schema::field("role"), meta.role.value));
    doc.add_value(schema::kSlotRole, meta.role.value);
    r.role = meta.role.value;
  }
  r.how["role"] = meta.role.how;
  r.speaker = meta.speaker.value;
  r.date = meta.date.value;
  if (!meta.speaker.how.empty()) r.how["speaker"] = meta.speaker.how;
  if (!meta.date.how.empty()) r.how["date"] = meta.date.how;

  // Paragraph topics.
  std::vector<std::string> ids;
  for (int t : meta.topics[paragraph_index]) {
    const std::string& id = taxonomy.topics()[static_cast<size_t>(t)].id;
    doc.add_boolean_term(schema::boolean_term(schema::field("topic"), id));
    doc.add_value(schema::kSlotTopicBase + static_cast<unsigned>(t), "1");
    ids.push_back(id);
  }
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  std::string joined;
  for (const std::string& id : sorted) joined += (joined.empty() ? "" : ",") + id;
  if (!joined.empty()) doc.add_value(schema::kSlotTopics, joined);
  r.topics = ids;
  r.how["topics"] = meta.topics_how[paragraph_index];
  for (int t : meta.speech_topics)
    r.speech_topics.push_back(taxonomy.topics()[static_cast<size_t>(t)].id);
  doc.set_data(r.to_data());
  return doc;
}

IndexWriter::IndexWriter(const std::string& path, const schema::Gazetteer& gazetteer,
                         const schema::Taxonomy& taxonomy, bool force)
    : path_(path), gazetteer_(gazetteer), taxonomy_(taxonomy) {
  try {
    db_ = std::make_unique<Xapian::WritableDatabase>(path, Xapian::DB_CREATE_OR_OPEN);
  } catch (const Xapian::DatabaseLockError&) {
    throw IndexError("database is locked by another writer", path);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot open database for writing: " + e.get_msg(), path);
  }
  schema::check_schema(*db_, path);
  started_empty_ = db_->get_doccount() == 0;
  if (db_->get_doccount() > 0 && !force) {
    if (db_->get_metadata(std::string(schema::kMetaTopics)) != taxonomy.text()) {
      throw UsageError(
          "the topic taxonomy differs from the one this index was built with; "
          "re-index with --force",
          path);
    }
    if (db_->get_metadata(std::string(schema::kMetaGazetteer)) != gazetteer.serialize()) {
      throw UsageError(
          "the gazetteer differs from the one this index was built with; "
          "re-index with --force",
          path);
    }
  }
}

IndexWriter::~IndexWriter() = default;

bool IndexWriter::is_current(const SourceFile& file) const {
  return db_->get_metadata(std::string(schema::kMetaFilePrefix) + file.canonical_path) ==
         file_state(file);
}

size_t IndexWriter::write_file(const SourceFile& file, const std::vector<Speech>& speeches,
                               const std::vector<SpeechMetadata>& metas) {
  const uint64_t source = schema::source_key(file.canonical_path);
  try {
    db_->delete_document(schema::boolean_term(schema::field("source"), schema::hex_key(source)));
    size_t n = 0;
    for (size_t s = 0; s < speeches.size(); ++s) {
      const Speech& speech = speeches[s];
      for (size_t p = 0; p < speech.paragraphs.size(); ++p) {
        db_->add_document(
            build_document(file, static_cast<int>(s + 1), speech, metas.at(s), p, taxonomy_));
        ++n;
      }
    }
    db_->set_metadata(std::string(schema::kMetaFilePrefix) + file.canonical_path, file_state(file));
    pending_ += n + 1;
    return n;
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot write to database: " + e.get_msg(), path_);
  }
}

void compact_into(const std::vector<std::string>& sources, const std::string& target) {
  namespace fs = boost::filesystem;
  const fs::path db(target), fresh(target + ".compacting"), old(target + ".old");
  try {
    fs::remove_all(fresh);
    Xapian::Database all;
    for (const std::string& s : sources) all.add_database(Xapian::Database(s));
    all.compact(fresh.string());
    {
      Xapian::WritableDatabase compacted(fresh.string(), Xapian::DB_OPEN);
      compacted.set_metadata(std::string(schema::kMetaCompactedBytes),
                             std::to_string(database_bytes(fresh.string())));
      compacted.commit();
    }
    fs::remove_all(old);
    if (fs::exists(db)) fs::rename(db, old);
    fs::rename(fresh, db);
    fs::remove_all(old);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot compact database: " + e.get_msg(), target);
  } catch (const fs::filesystem_error& e) {
    throw IndexError("cannot replace database with its compacted copy: " + e.code().message(),
                     target);
  }
}

void IndexWriter::compact() {
  commit();
  db_->close();
  db_.reset();
  compact_into({path_}, path_);
}
bool IndexWriter::grown_since_compaction() const {
  const std::string v = db_->get_metadata(std::string(schema::kMetaCompactedBytes));
  char* end = nullptr;
  const unsigned long long bytes = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || bytes == 0) return false;  // never compacted
  return static_cast<double>(database_bytes(path_)) > kRecompactGrowth * static_cast<double>(bytes);
}

void IndexWriter::commit_if_due() {
  if (pending_ >= kCommitEvery) commit();
}

void IndexWriter::commit() {
  try {
    // The schema and vocabularies do not change while this writer lives: write them once
    // (the gazetteer is 168 KB), not at every commit.
    if (!index_metadata_written_) {
      schema::write_schema_metadata(*db_);
      db_->set_metadata(std::string(schema::kMetaTopics), taxonomy_.text());
      db_->set_metadata(std::string(schema::kMetaGazetteer), gazetteer_.serialize());
    }
    db_->commit();
    index_metadata_written_ = true;
    pending_ = 0;
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot commit to database: " + e.get_msg(), path_);
  }
}

}  // namespace speechdex::indexer
