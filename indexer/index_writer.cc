// Document construction and batched, file-atomic writing.
#include "index_writer.h"

#include <xapian.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <charconv>
#include <cstdlib>
#include <future>
#include <optional>

#include "clusters.h"
#include "duplicates.h"
#include "errors.h"
#include "fields.h"
#include "index_layout.h"
#include "index_meta.h"
#include "match.h"
#include "record.h"
#include "segment.h"
#include "segment_merge.h"
#include "segment_writer.h"
#include "tokenizer.h"

namespace speechdex::indexer {
namespace {

// Commit after this many paragraphs (at the next file boundary).
constexpr size_t kCommitEvery = 20000;
// --compact auto compacts again once the database has grown past this multiple of its size
// right after its last compaction. Updates to a compacted index touch blocks all over it
// (docs/index.md).
constexpr double kRecompactGrowth = 1.25;
// A writer without a records dictionary trains one once the speeches it has written add up
// to this many serialized bytes, of at most kDictionaryBytes (zstd's default size). On 100 MB
// of make-corpus, a dictionary trained on the first 1 MB (0.07 s) halves what the next
// speeches take; on a small run, the speeches before it are stored without one.
constexpr size_t kDictionarySampleBytes = size_t{1} << 20;
constexpr size_t kDictionaryBytes = 112640;
// Position gap between two strings of one field (a section and its subsection).
constexpr uint32_t kFieldGap = 100;

// Adds a text field's terms: every unit's unigram (wdf only) and every adjacent pair's
// bigram at the first unit's position. Returns the next free position.
// The title and headings repeat on consecutive paragraphs, the text does not.
uint32_t add_text_terms(TermSink& terms, const schema::Field& f,
                        const std::vector<schema::Unit>& units, uint32_t base) {
  using Addition = TermSink::Addition;
  const bool repeats = &f != &schema::field("text");
  // The field's terms are gathered, then given to the sink in one call (a segment looks
  // them up faster so). Their bytes go one after another into `bytes`, reused.
  thread_local std::string bytes;
  thread_local std::vector<Addition> additions;
  thread_local std::vector<uint32_t> ends;
  bytes.clear();
  additions.clear();
  ends.clear();
  const auto keep = [&](uint32_t value, Addition::How how) {
    ends.push_back(static_cast<uint32_t>(bytes.size()));
    additions.push_back({{}, value, how});
  };
  const uint32_t end = schema::append_text_terms(
      f.prefix, units, base, bytes,
      [&] { keep(1, repeats ? Addition::kRepeatedTerm : Addition::kTerm); },
      [&](uint32_t position) {
        keep(position, repeats ? Addition::kRepeatedOccurrence : Addition::kOccurrence);
      });
  for (size_t a = 0; a < additions.size(); ++a) {
    const uint32_t begin = a == 0 ? 0 : ends[a - 1];
    additions[a].term = std::string_view(bytes).substr(begin, ends[a] - begin);
  }
  terms.add(additions);
  return end + kFieldGap;
}

}  // namespace

void TermSink::add(std::span<const Addition> additions) {
  for (const Addition& a : additions) {
    switch (a.how) {
      case Addition::kTerm:
        add_term(a.term, a.value);
        break;
      case Addition::kOccurrence:
        add_occurrence(a.term, a.value);
        break;
      case Addition::kRepeatedTerm:
        add_repeated_term(a.term, a.value);
        break;
      case Addition::kRepeatedOccurrence:
        add_repeated_occurrence(a.term, a.value);
        break;
    }
  }
}

namespace {

// The indexer's sink: the segment of the current commit.
class SegmentSink : public TermSink {
 public:
  explicit SegmentSink(textstore::SegmentWriter& w) : w_(w) {}
  void add_term(std::string_view term, uint32_t wdf) override { w_.add_term(term, wdf); }
  void add_occurrence(std::string_view term, uint32_t position) override {
    w_.add_occurrence(term, position);
  }
  void add_repeated_term(std::string_view term, uint32_t wdf) override {
    w_.add_repeated_term(term, wdf);
  }
  void add_repeated_occurrence(std::string_view term, uint32_t position) override {
    w_.add_repeated_occurrence(term, position);
  }
  void add(std::span<const Addition> additions) override { w_.add(additions); }

 private:
  textstore::SegmentWriter& w_;
};

// Bytes of the index's live files: its records generation and the segments it names.
uint64_t database_bytes(const std::string& path, const schema::TextStoreState& text) {
  namespace fs = boost::filesystem;
  uint64_t total = 0;
  for (const fs::directory_entry& e :
       fs::directory_iterator(path + "/" + schema::live_generation(path))) {
    if (fs::is_regular_file(e.status())) total += fs::file_size(e.path());
  }
  for (const std::string& name : text.segments) {
    total += fs::file_size(schema::text_dir(path) + "/" + name);
  }
  return total;
}

// The next free segment name: one more than the highest number in use.
std::string next_segment_name(const std::vector<std::string>& names) {
  unsigned long highest = 0;
  for (const std::string& n : names)
    highest = std::max(highest, std::strtoul(n.c_str(), nullptr, 10));
  return std::to_string(highest + 1) + ".seg";
}

// Removes what no commit names, left by a crash or a failed run: segment files (and their
// temporary files) the live records do not name, records generations the stub does not
// name, a half-written stub and the work folder. Only the lock's holder calls it.
void remove_leftovers_of(const std::string& db_path, const schema::TextStoreState& state) {
  namespace fs = boost::filesystem;
  const std::string live = schema::live_generation(db_path);
  for (const fs::directory_entry& e : fs::directory_iterator(db_path)) {
    const std::string name = e.path().filename().string();
    if ((schema::is_generation_name(name) && name != live) || name == "XAPIANDB.tmp") {
      fs::remove_all(e.path());
    }
  }
  fs::remove_all(schema::work_dir(db_path));
  const fs::path dir(schema::text_dir(db_path));
  if (!fs::is_directory(dir)) return;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (std::find(state.segments.begin(), state.segments.end(), name) == state.segments.end()) {
      fs::remove(e.path());
    }
  }
}

// A segment name one higher than any file in the text store, named or not.
std::string next_free_segment_name(const std::string& db_path,
                                   const std::vector<std::string>& named) {
  namespace fs = boost::filesystem;
  std::vector<std::string> names = named;
  if (fs::is_directory(schema::text_dir(db_path))) {
    for (const fs::directory_entry& e : fs::directory_iterator(schema::text_dir(db_path))) {
      names.push_back(e.path().filename().string());
    }
  }
  return next_segment_name(names);
}

// Opens the index at `path` for writing, creating its first generation if the folder has
// none. A folder of the layout before schema 5 is opened as it is, for check_schema to
// refuse with the versions named.
std::unique_ptr<Xapian::WritableDatabase> open_records(const std::string& path) {
  namespace fs = boost::filesystem;
  if (!schema::is_old_layout(path) && schema::live_generation(path).empty()) {
    for (const fs::directory_entry& e : fs::directory_iterator(path)) {
      const std::string name = e.path().filename().string();
      if (name != "lock" && name != "work" && name != schema::kTextDir &&
          !schema::is_generation_name(name) && name != "XAPIANDB.tmp") {
        throw UsageError("not a speechdex index, and not empty (it holds " + name + ")", path);
      }
    }
    const std::string first = schema::next_generation(path);
    Xapian::WritableDatabase(path + "/" + first, Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS)
        .close();
    schema::sync_tree(path + "/" + first);
    schema::set_live_generation(path, first);
  }
  return std::make_unique<Xapian::WritableDatabase>(path, Xapian::DB_OPEN);
}

}  // namespace

std::string file_state(const SourceFile& f) {
  return std::to_string(f.size) + " " + std::to_string(f.mtime);
}

void add_record_terms(const schema::ParagraphRecord& r, const std::vector<schema::Unit>& units,
                      TermSink& terms) {
  // A speech's paragraphs repeat its title and their section's headings: each is tokenized
  // once per run of paragraphs that share it (the thread's last one is kept).
  struct Tokenized {
    std::string text;
    std::vector<schema::Unit> units;  // tokenize(text)
    const std::vector<schema::Unit>& of(const std::string& s) {
      if (s != text) {
        text = s;
        units = schema::tokenize(s);
      }
      return units;
    }
  };
  thread_local Tokenized title, section, subsection;
  add_text_terms(terms, schema::field("text"), units, schema::kFirstPosition);
  add_text_terms(terms, schema::field("title"), title.of(r.title), schema::kFirstPosition);
  const uint32_t pos = add_text_terms(terms, schema::field("heading"), section.of(r.section),
                                      schema::kFirstPosition);
  add_text_terms(terms, schema::field("heading"), subsection.of(r.subsection), pos);
  // Filter terms (wdf 0): each metadata field that is known.
  if (!r.county_code.empty()) {
    terms.add_term(schema::boolean_term(schema::field("county"), r.county_code), 0);
    terms.add_term(schema::boolean_term(schema::field("province"), r.county_code.substr(0, 2)), 0);
  }
  if (r.year > 0) {
    terms.add_term(schema::boolean_term(schema::field("year"), std::to_string(r.year)), 0);
  }
  if (!r.role.empty()) terms.add_term(schema::boolean_term(schema::field("role"), r.role), 0);
  for (const std::string& id : r.topics) {
    terms.add_term(schema::boolean_term(schema::field("topic"), id), 0);
  }
  if (r.kind == schema::kKindBoilerplate) {
    terms.add_term(schema::boolean_term(schema::field("kind"), r.kind), 0);
  }
}

void add_record_terms(const schema::ParagraphRecord& r, TermSink& terms) {
  add_record_terms(r, schema::tokenize(r.text), terms);
}

Xapian::Document build_document(const SourceFile& file, int speech_number, const Speech& speech,
                                const SpeechMetadata& meta, size_t paragraph_index,
                                const schema::Taxonomy& taxonomy, TermSink& terms,
                                schema::MinHash* minhash, const schema::Gazetteer* places,
                                schema::ParagraphRecord* record) {
  // The speech's paragraphs, then the lines set aside from it.
  const bool aside = paragraph_index >= speech.paragraphs.size();
  const Paragraph& paragraph = aside ? speech.set_aside[paragraph_index - speech.paragraphs.size()]
                                     : speech.paragraphs[paragraph_index];
  const int paragraph_number = static_cast<int>(paragraph_index + 1);
  Xapian::Document doc;
  const uint64_t source = schema::source_key(file.canonical_path);
  const uint64_t speech_key = schema::speech_key(source, speech_number);

  schema::ParagraphRecord r;
  r.source = schema::printable_path(file.path);
  r.speech = speech_number;
  r.speech_id = r.source + "#" + (meta.id.empty() ? std::to_string(speech_number) : meta.id);
  r.fields = meta.fields;
  if (!meta.decoding.empty()) r.how["encoding"] = meta.decoding;
  r.paragraph = paragraph_number;
  r.kind = paragraph.kind;
  r.title = meta.title ? *meta.title : speech.title;
  r.section = paragraph.section;
  r.subsection = paragraph.subsection;
  r.text = paragraph.text;

  // Speech metadata: a value slot and the record for each field known.
  if (const schema::Division* d = meta.county.value) {
    const std::string province = d->code.substr(0, 2);
    doc.add_value(schema::kSlotCounty, d->code);
    doc.add_value(schema::kSlotProvince, province);
    r.county_code = d->code;
    r.county = d->name;
    r.city = d->city;
    r.province = d->province;
  }
  r.how["county"] = meta.county.how;
  if (meta.year.value > 0) {
    doc.add_value(schema::kSlotYear, Xapian::sortable_serialise(meta.year.value));
    r.year = meta.year.value;
  }
  r.how["year"] = meta.year.how;
  if (!meta.role.value.empty()) {
    doc.add_value(schema::kSlotRole, meta.role.value);
    r.role = meta.role.value;
  }
  r.how["role"] = meta.role.how;
  r.speaker = meta.speaker.value;
  r.date = meta.date.value;
  if (!meta.speaker.how.empty()) r.how["speaker"] = meta.speaker.how;
  if (!meta.date.how.empty()) r.how["date"] = meta.date.how;

  // Paragraph topics (none for furniture).
  if (!aside) {
    for (int t : meta.topics[paragraph_index]) {
      r.topics.push_back(taxonomy.topics()[static_cast<size_t>(t)].id);
    }
    r.how["topics"] = meta.topics_how[paragraph_index];
  } else {
    r.how["kind"] = "the cleaner's rule: " + paragraph.rule;
  }
  std::vector<std::string> sorted = r.topics;
  std::sort(sorted.begin(), sorted.end());
  std::string joined;
  for (const std::string& id : sorted) joined += (joined.empty() ? "" : ",") + id;
  if (!joined.empty()) doc.add_value(schema::kSlotTopics, joined);
  for (int t : meta.speech_topics)
    r.speech_topics.push_back(taxonomy.topics()[static_cast<size_t>(t)].id);

  // The text store's terms come from the record alone, so a damaged text store can be
  // rebuilt from the records (IndexWriter::rebuild_text_store).
  const std::vector<schema::Unit> units = schema::tokenize(paragraph.text);
  add_record_terms(r, units, terms);
  std::string normalized;
  for (const schema::Unit& u : units) {
    normalized += u.text;
    normalized.push_back('\x1f');
  }
  doc.add_value(schema::kSlotSpeech, schema::encode_key(speech_key));
  doc.add_value(schema::kSlotTextHash, schema::encode_key(schema::stable_hash(normalized)));
  // Furniture is a duplicate only of identical text: a site's header says nothing about
  // who copied whom.
  if (r.kind != schema::kKindBoilerplate) {
    const schema::MinHash m = schema::minhash(units, places);
    if (m.shingles > 0) doc.add_value(schema::kSlotSignature, schema::encode_signature(m));
    if (minhash) *minhash = m;
  }
  // The document data says which paragraph of which speech this is; the record itself is
  // stored with its speech's (IndexWriter::write_file).
  doc.set_data(schema::ParagraphRef{source, speech_number, paragraph_number}.to_data());
  if (record) *record = std::move(r);
  return doc;
}

IndexWriter::IndexWriter(const std::string& path, const schema::Gazetteer& gazetteer,
                         const schema::Taxonomy& taxonomy, bool force, bool repairing)
    : path_(path), gazetteer_(gazetteer), taxonomy_(taxonomy) {
  try {
    db_ = open_records(path);
  } catch (const Xapian::DatabaseLockError&) {
    throw IndexError("database is locked by another writer", path);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot open database for writing: " + xapian_message(e), path);
  } catch (const boost::filesystem::filesystem_error& e) {
    throw IndexError("cannot open database for writing: " + e.code().message(), path);
  }
  schema::check_schema(*db_, path);
  text_ = schema::read_text_store(*db_);
  if (!repairing) {
    // Never add to (or clean) an index whose text store disagrees with its records: what
    // looks unnamed there may be what a damaged segment list lost.
    std::string problem;
    try {
      problem = textstore::check_segments(
          textstore::open_segments(schema::text_dir(path), text_.segments), text_.deleted,
          db_->get_doccount(), db_->get_lastdocid());
    } catch (const std::runtime_error& e) {
      problem = e.what();
    }
    if (!problem.empty()) {
      throw IndexError(
          "the index is inconsistent: " + problem + "; see speechdex-index --check --db " + path,
          path);
    }
  }
  try {
    remove_leftovers_of(path, text_);
  } catch (const boost::filesystem::filesystem_error& e) {
    throw IndexError("cannot remove what an unfinished run left: " + e.code().message(), path);
  }
  started_empty_ =
      db_->get_doccount() == 0 || db_->get_metadata(std::string(schema::kMetaBuild)) == "fresh";
  // The dictionary new speeches are compressed with, if the index has one. Damaged (or its
  // id unreadable), new speeches go without it; --check reports the speeches that need it.
  const std::string id = db_->get_metadata(std::string(schema::kMetaRecordDictionary));
  uint64_t dictionary_id = 0;
  if (std::from_chars(id.data(), id.data() + id.size(), dictionary_id, 16).ptr ==
      id.data() + id.size()) {
    try {
      dictionary_ = schema::stored_record_dictionary(*db_, dictionary_id);
    } catch (const IndexError&) {
    }
  }
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
  if (db_->get_doccount() == 0 &&
      db_->get_metadata(std::string(schema::kMetaSchemaVersion)).empty()) {
    // A new index knows its schema and vocabularies from its first moment: one killed
    // before its first commit is empty, and answers as an empty index.
    try {
      write_index_metadata();
      db_->commit();
    } catch (const Xapian::Error& e) {
      throw IndexError("cannot commit to database: " + xapian_message(e), path);
    }
  }
  // Everything until commit() is one transaction: Xapian writes nothing on its own (glass
  // would otherwise flush every 10,000 documents, records without their segment).
  begin();
}

void IndexWriter::write_index_metadata() {
  schema::write_schema_metadata(*db_);
  db_->set_metadata(std::string(schema::kMetaTopics), taxonomy_.text());
  db_->set_metadata(std::string(schema::kMetaGazetteer), gazetteer_.serialize());
}

void IndexWriter::rebuild_text_store() {
  segment_ = std::make_unique<textstore::SegmentWriter>();
  SegmentSink sink(*segment_);
  schema::RecordReader records(*db_);
  try {
    for (auto it = db_->postlist_begin(""); it != db_->postlist_end(""); ++it) {
      segment_->add_document(*it);
      add_record_terms(records.read(*it), sink);
      ++pending_;
    }
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot read the records: " + xapian_message(e), path_);
  }
  text_ = {};
}

bool IndexWriter::empty() const { return db_->get_doccount() == 0; }

void IndexWriter::begin() {
  try {
    db_->begin_transaction();
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot begin a transaction: " + xapian_message(e), path_);
  }
}

IndexWriter::~IndexWriter() = default;

IndexWriter::FileState file_state_in(const Xapian::Database& db, const SourceFile& file) {
  const std::string held =
      db.get_metadata(std::string(schema::kMetaFilePrefix) + file.canonical_path);
  using FileState = IndexWriter::FileState;
  return held.empty()               ? FileState::kNew
         : held == file_state(file) ? FileState::kCurrent
                                    : FileState::kChanged;
}

std::vector<std::string> files_in(const Xapian::Database& db, const std::string& folder) {
  const std::string prefix = std::string(schema::kMetaFilePrefix) + folder + "/";
  std::vector<std::string> out;
  for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
    const std::string key = *it;
    out.push_back(key.substr(schema::kMetaFilePrefix.size()));
  }
  return out;
}

IndexWriter::FileState IndexWriter::state_of(const SourceFile& file) const {
  return file_state_in(*db_, file);
}

std::vector<std::string> IndexWriter::files_under(const std::string& folder) const {
  return files_in(*db_, folder);
}

size_t IndexWriter::remove_file(const std::string& canonical_path) {
  const size_t n = forget(canonical_path);
  db_->set_metadata(std::string(schema::kMetaFilePrefix) + canonical_path, "");
  pending_ += n + 1;
  return n;
}

size_t IndexWriter::forget(const std::string& canonical_path) {
  const uint64_t source = schema::source_key(canonical_path);
  const std::string source_term = schema::source_term(source);
  try {
    // The file's old paragraphs leave the records now and the text store's matches from
    // this commit on (the deleted list).
    // The first paragraph has the source term (every paragraph, in an index written before
    // 2026-11-29); the others follow it, up to the first id that is not the file's.
    std::vector<uint32_t> gone(db_->postlist_begin(source_term), db_->postlist_end(source_term));
    if (!gone.empty()) {
      for (Xapian::docid d = gone.back() + 1; d <= db_->get_lastdocid(); ++d) {
        std::string data;
        try {
          data = db_->get_document(d).get_data();
        } catch (const Xapian::DocNotFoundError&) {
          break;  // a deleted paragraph: another file's
        }
        if (schema::ParagraphRef::from_data(data).source_key != source) break;
        gone.push_back(d);
      }
      std::vector<uint32_t> merged;
      std::merge(text_.deleted.begin(), text_.deleted.end(), gone.begin(), gone.end(),
                 std::back_inserter(merged));
      merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
      text_.deleted.swap(merged);
    }
    for (const uint32_t d : gone) db_->delete_document(d);
    // The records of its speeches.
    const std::string prefix = schema::speech_meta_prefix(source);
    const std::vector<std::string> keys(db_->metadata_keys_begin(prefix),
                                        db_->metadata_keys_end(prefix));
    for (const std::string& key : keys) db_->set_metadata(key, "");
    return gone.size();
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot write to database: " + xapian_message(e), path_);
  }
}

void IndexWriter::sample_for_dictionary(std::string body) {
  samples_bytes_ += body.size();
  samples_.push_back(std::move(body));
  if (samples_bytes_ < kDictionarySampleBytes) return;
  dictionary_tried_ = true;
  dictionary_ = schema::RecordDictionary::train(samples_, kDictionaryBytes);
  samples_.clear();
  samples_bytes_ = 0;
  // Stored with the first speeches that use it, in the same commit; a new writer of the
  // index compresses with it too.
  if (dictionary_) {
    db_->set_metadata(schema::record_dictionary_key(dictionary_->id()), dictionary_->bytes());
    db_->set_metadata(std::string(schema::kMetaRecordDictionary),
                      schema::hex_key(dictionary_->id()));
  }
}

size_t IndexWriter::write_file(const SourceFile& file, const std::vector<Speech>& speeches,
                               const std::vector<SpeechMetadata>& metas) {
  try {
    forget(file.canonical_path);
    if (!segment_) segment_ = std::make_unique<textstore::SegmentWriter>();
    SegmentSink sink(*segment_);
    size_t n = 0;
    std::vector<Xapian::Document> docs;
    std::vector<schema::ParagraphRecord> records;
    const uint64_t source = schema::source_key(file.canonical_path);
    // Only the file's first paragraph has the source term: its paragraphs take consecutive
    // ids, which compaction keeps in order, so forget() finds the rest from the first.
    // (A term on every paragraph gave each a termlist that glass compresses with zlib: 8-9%
    // of a build's CPU, half of it again in compaction.)
    bool first_of_file = true;
    for (size_t s = 0; s < speeches.size(); ++s) {
      const Speech& speech = speeches[s];
      // A speech's documents wait until its signature (the union of its paragraphs') is
      // known, to put it on the first; each takes the next id, which the segment learns
      // first.
      const Xapian::docid first = db_->get_lastdocid() + 1;
      docs.clear();
      records.clear();
      schema::MinHash whole;
      for (size_t p = 0; p < speech.paragraphs.size() + speech.set_aside.size(); ++p) {
        segment_->add_document(first + static_cast<Xapian::docid>(p));
        schema::MinHash part;
        docs.push_back(build_document(file, static_cast<int>(s + 1), speech, metas.at(s), p,
                                      taxonomy_, sink, &part, &gazetteer_,
                                      &records.emplace_back()));
        whole.merge(part);
      }
      // The speech's records, once for all its paragraphs (docs/index.md).
      if (!records.empty()) {
        std::string body = schema::SpeechRecords::serialize(records);
        db_->set_metadata(schema::speech_meta_key(source, static_cast<int>(s + 1)),
                          schema::SpeechRecords::compress(body, dictionary_.get()));
        if (!dictionary_ && !dictionary_tried_) sample_for_dictionary(std::move(body));
      }
      if (!docs.empty() && whole.shingles > 0) {
        docs.front().add_value(schema::kSlotSpeechSignature, schema::encode_signature(whole));
      }
      if (!docs.empty() && first_of_file) {
        docs.front().add_boolean_term(schema::source_term(source));
        first_of_file = false;
      }
      for (size_t p = 0; p < docs.size(); ++p) {
        db_->replace_document(first + static_cast<Xapian::docid>(p), docs[p]);
        ++n;
      }
    }
    db_->set_metadata(std::string(schema::kMetaFilePrefix) + file.canonical_path, file_state(file));
    pending_ += n + 1;
    return n;
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot write to database: " + xapian_message(e), path_);
  }
}

namespace {

// Removes a compaction's unfinished output, as far as it can (the next writer removes the
// rest): unless the stub names it already (the rename went through and what failed came
// after it, such as the folder's sync), when it is the index.
void discard(const std::string& target, const std::string& generation_name,
             const std::string& segment_path) {
  try {
    if (schema::live_generation(target) == generation_name) return;
  } catch (const std::exception&) {
    return;  // the stub cannot be read: leave everything for the next writer to judge
  }
  boost::system::error_code ec;
  boost::filesystem::remove_all(target + "/" + generation_name, ec);
  if (!segment_path.empty()) boost::filesystem::remove(segment_path, ec);
}

// Merges the text stores of the indexes at `sources` into the segment `segment_path`,
// renumbered as Xapian's compactor renumbers the records, without deleted documents.
// Returns the state to record in the compacted records (naming `segment_name`).
schema::TextStoreState merge_text_stores(const std::vector<std::string>& sources,
                                         const std::string& segment_path,
                                         const std::string& segment_name) {
  std::vector<std::shared_ptr<const textstore::Segment>> segments;
  std::vector<size_t> owner;                          // segment -> source
  std::vector<std::vector<uint32_t>> deleted;         // per source, sorted
  std::vector<std::pair<uint32_t, uint32_t>> ranges;  // per source: used ids
  for (size_t j = 0; j < sources.size(); ++j) {
    const schema::TextStoreState state = schema::read_text_store(Xapian::Database(sources[j]));
    uint32_t first = 0, last = 0;
    for (auto& segment : textstore::open_segments(schema::text_dir(sources[j]), state.segments)) {
      segments.push_back(std::move(segment));
      owner.push_back(j);
      for (uint32_t d : segments.back()->docids()) {
        if (std::binary_search(state.deleted.begin(), state.deleted.end(), d)) continue;
        if (first == 0) first = d;
        last = d;
      }
    }
    deleted.push_back(state.deleted);
    ranges.emplace_back(first, last);
  }
  schema::TextStoreState out;
  if (segments.empty()) return out;
  const textstore::Renumber base = textstore::compactor_renumbering(ranges);
  out.segments.push_back(segment_name);
  // Nothing deleted (a fresh build's shards): each source's documents move by one offset,
  // and posting lists are copied block by block rather than decoded.
  std::vector<uint32_t> offsets;
  if (std::all_of(deleted.begin(), deleted.end(), [](const auto& d) { return d.empty(); })) {
    const std::vector<uint32_t> by_source = textstore::compactor_offsets(ranges);
    for (size_t k : owner) offsets.push_back(by_source[k]);
  }
  textstore::merge_segments(
      segments,
      [&](size_t k, uint32_t d) -> uint32_t {
        const std::vector<uint32_t>& dead = deleted[owner[k]];
        return std::binary_search(dead.begin(), dead.end(), d) ? 0 : base(owner[k], d);
      },
      segment_path, offsets.empty() ? nullptr : &offsets);
  return out;
}

}  // namespace

void remove_leftovers(const std::string& db) {
  try {
    remove_leftovers_of(db, schema::read_text_store(Xapian::Database(db)));
  } catch (const boost::filesystem::filesystem_error& e) {
    throw IndexError("cannot remove what an unfinished run left: " + e.code().message(), db);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot read the index: " + xapian_message(e), db);
  }
}

void check_rebuildable(const std::string& db) {
  namespace fs = boost::filesystem;
  if (fs::exists(schema::stub_path(db)) || schema::is_old_layout(db)) return;
  for (const fs::directory_entry& e : fs::directory_iterator(db)) {
    const std::string name = e.path().filename().string();
    const bool known = name == "lock" || name == "XAPIANDB.tmp" || name == "work" ||
                       name == schema::kTextDir || schema::is_generation_name(name);
    if (!known) {
      throw UsageError("not a speechdex index, and not empty (it holds " + name + ")", db);
    }
  }
}

void remove_work(const std::string& db) {
  try {
    boost::filesystem::remove_all(schema::work_dir(db));
  } catch (const boost::filesystem::filesystem_error& e) {
    throw IndexError("cannot remove the work folder: " + e.code().message(), db);
  }
}

void remove_all_but_live(const std::string& db) {
  namespace fs = boost::filesystem;
  try {
    const std::string live = schema::live_generation(db);
    for (const fs::directory_entry& e : fs::directory_iterator(db)) {
      const std::string name = e.path().filename().string();
      if (name != "lock" && name != "XAPIANDB" && name != live && name != schema::kTextDir) {
        fs::remove_all(e.path());
      }
    }
    remove_leftovers(db);
  } catch (const fs::filesystem_error& e) {
    throw IndexError("cannot remove the old index's files: " + e.code().message(), db);
  }
}

schema::DuplicateStats compact_into(const std::vector<std::string>& sources,
                                    const std::string& target) {
  namespace fs = boost::filesystem;
  // The next generation is written beside the live one, which readers go on using, and
  // becomes live when the stub names it: a crash before leaves leftovers the next writer
  // removes, a crash after leaves the new generation whole.
  const std::string generation = schema::next_generation(target);
  const fs::path fresh(target + "/" + generation);
  std::string segment_path;
  schema::DuplicateStats duplicates;
  try {
    std::vector<std::string> named;
    for (const std::string& s : sources) {
      if (s == target) named = schema::read_text_store(Xapian::Database(s)).segments;
    }
    fs::create_directories(schema::text_dir(target));
    const std::string segment = next_free_segment_name(target, named);
    segment_path = schema::text_dir(target) + "/" + segment;
    {
      // The text store's merge and Xapian's compaction read the sources apart and write
      // apart: they run at once, on two cores (each was about a tenth of a --jobs 2 build,
      // run one after the other). Sources without gaps in their ids (the shards of a fresh
      // build) are renumbered by the compactor one after another, each after the last id of
      // those before: their duplicate clusters under the compacted ids are found from the
      // sources themselves, after the merge, while the compaction may still run. Leaving
      // this block waits for that work, also on error.
      bool gapless = true;
      for (const std::string& s : sources) {
        const Xapian::Database db(s);
        gapless = gapless && db.get_doccount() == db.get_lastdocid();
      }
      struct Merged {
        schema::TextStoreState text;
        std::optional<schema::DuplicateTable> table;
        schema::DuplicateStats stats;
      };
      std::future<Merged> merged = std::async(std::launch::async, [&] {
        Merged m;
        m.text = merge_text_stores(sources, segment_path, segment);
        if (gapless) {
          std::vector<Xapian::Database> dbs(sources.begin(), sources.end());
          std::vector<schema::DatabasePart> parts;
          Xapian::docid base = 0;
          for (const Xapian::Database& db : dbs) {
            parts.push_back({&db, base});
            base += db.get_lastdocid();
          }
          m.table = schema::find_duplicates(parts, &m.stats);
        }
        return m;
      });
      {
        Xapian::Database all;
        for (const std::string& s : sources) all.add_database(Xapian::Database(s));
        all.compact(fresh.string());
      }
      const Merged m = merged.get();
      const schema::TextStoreState& text = m.text;
      Xapian::WritableDatabase compacted(fresh.string(), Xapian::DB_OPEN);
      schema::write_text_store(compacted, text);
      compacted.set_metadata(std::string(schema::kMetaBuild), "");
      // The clusters of the compacted ids, committed with them.
      if (m.table && m.table->current(compacted)) {
        schema::store_duplicates(compacted, *m.table);
        duplicates = m.stats;
      } else {
        duplicates = schema::write_duplicates(compacted);
      }
      compacted.commit();
      uint64_t bytes = 0;
      for (const fs::directory_entry& e : fs::directory_iterator(fresh)) {
        if (fs::is_regular_file(e.status())) bytes += fs::file_size(e.path());
      }
      if (!text.segments.empty()) bytes += fs::file_size(segment_path);
      compacted.set_metadata(std::string(schema::kMetaCompactedBytes), std::to_string(bytes));
      compacted.commit();
    }
    schema::sync_tree(fresh.string());
    schema::set_live_generation(target, generation);
    // The old generation and the segments it named are no longer live. A reader that opened
    // them keeps its files open; one that was about to open them finds the stub changed and
    // opens the new generation (searcher/searcher.cc).
    // They go with whatever else no commit names (remove_leftovers_of: the shards in work/
    // too); what fails here is left for the next writer, as the compaction itself is done.
    try {
      remove_leftovers_of(target, schema::read_text_store(Xapian::Database(target)));
    } catch (const fs::filesystem_error&) {
    } catch (const Xapian::Error&) {
    }
    return duplicates;
  } catch (const Xapian::Error& e) {
    discard(target, generation, segment_path);
    throw IndexError("cannot compact database: " + xapian_message(e), target);
  } catch (const fs::filesystem_error& e) {
    discard(target, generation, segment_path);
    throw IndexError("cannot compact database: " + e.code().message(), target);
  } catch (const IndexError&) {
    discard(target, generation, segment_path);
    throw;
  } catch (const std::exception& e) {  // the text store: a segment unreadable or unwritable
    discard(target, generation, segment_path);
    throw IndexError(std::string("cannot compact the text store: ") + e.what(), target);
  }
}

schema::DuplicateStats IndexWriter::compact() {
  commit();
  db_->cancel_transaction();
  db_->close();
  db_.reset();
  return compact_into({path_}, path_);
}

schema::DuplicateStats IndexWriter::finish() {
  commit();
  // The clusters of what that commit made visible, in a commit of their own: a crash
  // between the two leaves a table the searcher sees is out of date (DuplicateTable::current)
  // and the next run replaces.
  schema::DuplicateStats stats;
  try {
    stats = schema::write_duplicates(*db_);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot find duplicate clusters: " + xapian_message(e), path_);
  }
  commit();
  return stats;
}

bool IndexWriter::grown_since_compaction() const {
  const std::string v = db_->get_metadata(std::string(schema::kMetaCompactedBytes));
  char* end = nullptr;
  const unsigned long long bytes = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || bytes == 0) return false;  // never compacted
  return static_cast<double>(database_bytes(path_, text_)) >
         kRecompactGrowth * static_cast<double>(bytes);
}

void IndexWriter::commit_if_due() {
  if (pending_ >= kCommitEvery) commit();
}

void IndexWriter::commit() {
  if (segment_ && segment_->documents() > 0) {
    // The segment first: a crash before the commit below leaves an orphan, never a commit
    // that names a segment not on disk.
    try {
      boost::filesystem::create_directories(schema::text_dir(path_));
      const std::string name = next_free_segment_name(path_, text_.segments);
      segment_->write(schema::text_dir(path_) + "/" + name);
      text_.segments.push_back(name);
    } catch (const std::exception& e) {
      throw IndexError(std::string("cannot write the text store: ") + e.what(), path_);
    }
    segment_.reset();
  }
  try {
    schema::write_text_store(*db_, text_);
    // The schema and vocabularies do not change while this writer lives: write them once
    // (the gazetteer is 168 KB), not at every commit.
    if (!index_metadata_written_) {
      write_index_metadata();
      db_->set_metadata(std::string(schema::kMetaBuild), fresh_build_ ? "fresh" : "");
    }
    // Records, file states, the segment list and the deleted list become visible together.
    db_->commit_transaction();
    index_metadata_written_ = true;
    pending_ = 0;
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot commit to database: " + xapian_message(e), path_);
  }
  begin();
}

}  // namespace speechdex::indexer
