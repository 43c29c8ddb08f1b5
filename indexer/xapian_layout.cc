// The Xapian layout's writer: the store layout's documents, with their text terms in Xapian.
#include "xapian_layout.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <sstream>

#include "errors.h"
#include "fields.h"
#include "index_layout.h"
#include "index_meta.h"
#include "record.h"

namespace speechdex::indexer {

namespace {

// Commit after this many paragraphs (at the next file boundary), as IndexWriter does.
constexpr size_t kCommitEvery = 20000;

// The text store's terms of a paragraph, written into its Xapian document instead.
class DocumentSink : public TermSink {
 public:
  explicit DocumentSink(Xapian::Document& doc) : doc_(doc) {}
  void add_term(std::string_view term, uint32_t wdf) override {
    if (wdf == 0) {
      doc_.add_boolean_term(std::string(term));
    } else {
      doc_.add_term(std::string(term), wdf);
    }
  }
  void add_occurrence(std::string_view term, uint32_t position) override {
    doc_.add_posting(std::string(term), position);
  }

 private:
  Xapian::Document& doc_;
};

}  // namespace

bool is_xapian_layout_db(const std::string& path) {
  if (!boost::filesystem::is_directory(path) ||
      boost::filesystem::exists(schema::stub_path(path))) {
    return false;
  }
  try {
    return Xapian::Database(path).get_metadata(std::string(schema::kMetaLayout)) ==
           schema::kLayoutXapian;
  } catch (const Xapian::Error&) {
    return false;
  }
}

std::vector<std::string> check_xapian_layout(const std::string& path, size_t& paragraphs) {
  std::vector<std::string> problems;
  paragraphs = 0;
  try {
    std::ostringstream ignored;
    Xapian::Database::check(path, 0, &ignored);
  } catch (const Xapian::Error& e) {
    problems.push_back("Xapian's check: " + xapian_message(e));
    return problems;
  }
  try {
    const Xapian::Database db(path);
    schema::check_schema(db, path);
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      ++paragraphs;
      try {
        (void)schema::SpeechRecords::decode(db.get_document(*it).get_data()).paragraphs().at(0);
      } catch (const std::exception& e) {
        problems.push_back("paragraph " + std::to_string(*it) + ": " + e.what());
        if (problems.size() >= 10) break;
      }
    }
  } catch (const Xapian::Error& e) {
    problems.push_back(xapian_message(e));
  } catch (const Error& e) {
    problems.push_back(describe(e));
  }
  return problems;
}

XapianLayoutWriter::XapianLayoutWriter(const std::string& path, const schema::Gazetteer& gazetteer,
                                       const schema::Taxonomy& taxonomy, bool force)
    : path_(path), gazetteer_(gazetteer), taxonomy_(taxonomy) {
  namespace fs = boost::filesystem;
  if (fs::exists(schema::stub_path(path)) || fs::exists(schema::text_dir(path))) {
    throw UsageError("this is an index of the store layout; give --layout store or another folder",
                     path);
  }
  try {
    db_ = std::make_unique<Xapian::WritableDatabase>(
        path, Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
  } catch (const Xapian::DatabaseLockError&) {
    throw IndexError("database is locked by another writer", path);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot open database for writing: " + xapian_message(e), path);
  }
  schema::check_schema(*db_, path);
  started_empty_ = db_->get_doccount() == 0;
  const std::string layout = db_->get_metadata(std::string(schema::kMetaLayout));
  if (db_->get_doccount() > 0 && layout != schema::kLayoutXapian) {
    throw UsageError("this database is not of the Xapian layout", path);
  }
  if (db_->get_doccount() > 0 && !force &&
      (db_->get_metadata(std::string(schema::kMetaTopics)) != taxonomy.text() ||
       db_->get_metadata(std::string(schema::kMetaGazetteer)) != gazetteer.serialize())) {
    throw UsageError(
        "the gazetteer or topic taxonomy differs from the one this index was built with; "
        "re-index with --force",
        path);
  }
  try {
    schema::write_schema_metadata(*db_);
    db_->set_metadata(std::string(schema::kMetaLayout), std::string(schema::kLayoutXapian));
    db_->set_metadata(std::string(schema::kMetaTopics), taxonomy_.text());
    db_->set_metadata(std::string(schema::kMetaGazetteer), gazetteer_.serialize());
    db_->commit();
    db_->begin_transaction();
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot write to database: " + xapian_message(e), path);
  }
}

XapianLayoutWriter::~XapianLayoutWriter() = default;

XapianLayoutWriter::FileState XapianLayoutWriter::state_of(const SourceFile& file) const {
  return file_state_in(*db_, file);
}

std::vector<std::string> XapianLayoutWriter::files_under(const std::string& folder) const {
  return files_in(*db_, folder);
}

size_t XapianLayoutWriter::forget(const std::string& canonical_path) {
  const std::string term = schema::source_term(canonical_path);
  const size_t n = db_->get_termfreq(term);
  db_->delete_document(term);
  return n;
}

size_t XapianLayoutWriter::remove_file(const std::string& canonical_path) {
  try {
    const size_t n = forget(canonical_path);
    db_->set_metadata(std::string(schema::kMetaFilePrefix) + canonical_path, "");
    pending_ += n + 1;
    return n;
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot write to database: " + xapian_message(e), path_);
  }
}

size_t XapianLayoutWriter::write_file(const SourceFile& file, const std::vector<Speech>& speeches,
                                      const std::vector<SpeechMetadata>& metas) {
  try {
    forget(file.canonical_path);
    size_t n = 0;
    std::vector<Xapian::Document> docs;
    for (size_t s = 0; s < speeches.size(); ++s) {
      const Speech& speech = speeches[s];
      docs.clear();
      schema::MinHash whole;
      for (size_t p = 0; p < speech.paragraphs.size() + speech.set_aside.size(); ++p) {
        Xapian::Document doc;
        DocumentSink sink(doc);
        schema::MinHash part;
        schema::ParagraphRecord record;
        // The same document as the store layout's (build_document): its text terms went
        // to the sink, its value slots are copied here; every paragraph has the source
        // term (forget() deletes by it).
        const Xapian::Document built =
            build_document(file, static_cast<int>(s + 1), speech, metas.at(s), p, taxonomy_, sink,
                           &part, &gazetteer_, &record);
        for (auto v = built.values_begin(); v != built.values_end(); ++v) {
          doc.add_value(v.get_valueno(), *v);
        }
        doc.add_boolean_term(schema::source_term(file.canonical_path));
        whole.merge(part);
        // The whole record, self-contained: a remote shard's metadata cannot be read
        // through a multi-database.
        doc.set_data(schema::SpeechRecords::encode(std::span(&record, 1)));
        docs.push_back(std::move(doc));
      }
      if (!docs.empty() && whole.shingles > 0) {
        docs.front().add_value(schema::kSlotSpeechSignature, schema::encode_signature(whole));
      }
      for (const Xapian::Document& doc : docs) {
        db_->add_document(doc);
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

void XapianLayoutWriter::commit_if_due() {
  if (pending_ >= kCommitEvery) commit();
}

void XapianLayoutWriter::commit() {
  try {
    db_->commit_transaction();
    pending_ = 0;
    db_->begin_transaction();
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot commit to database: " + xapian_message(e), path_);
  }
}

schema::DuplicateStats XapianLayoutWriter::finish() {
  commit();
  schema::DuplicateStats stats;
  try {
    const schema::DuplicateTable table = schema::find_duplicates(*db_, &stats);
    // Members per cluster: a paragraph alone keeps no value, so the collapse keeps it.
    std::vector<uint32_t> members(table.paragraph.size(), 0);
    for (uint32_t leader : table.paragraph) {
      if (leader != 0) ++members[leader];
    }
    for (auto it = db_->postlist_begin(""); it != db_->postlist_end(""); ++it) {
      const Xapian::docid d = *it;
      const uint32_t leader = d < table.paragraph.size() ? table.paragraph[d] : 0;
      std::string key;
      if (leader != 0 && members[leader] > 1) {
        // The leader's speech key and text hash name the cluster in every shard: identical
        // texts are always in one cluster, so no two clusters of a speech share them.
        key = db_->get_document(leader).get_value(schema::kSlotSpeech) +
              db_->get_document(leader).get_value(schema::kSlotTextHash);
      }
      Xapian::Document doc = db_->get_document(d);
      if (doc.get_value(schema::kSlotCluster) == key) continue;
      if (key.empty()) {
        doc.remove_value(schema::kSlotCluster);
      } else {
        doc.add_value(schema::kSlotCluster, key);
      }
      db_->replace_document(d, doc);
    }
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot find duplicate clusters: " + xapian_message(e), path_);
  }
  commit();
  return stats;
}

void XapianLayoutWriter::compact() {
  namespace fs = boost::filesystem;
  const std::string aside = path_ + "/compacting";
  try {
    db_->close();
    db_.reset();
    fs::remove_all(aside);
    Xapian::Database(path_).compact(aside);
    schema::sync_tree(aside);
    // The tables first, the version file (iamglass) last: until it is renamed, the old one
    // names revisions the new tables also hold only if complete.
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::directory_iterator(aside)) files.push_back(e.path());
    std::stable_partition(files.begin(), files.end(),
                          [](const fs::path& f) { return f.filename() != "iamglass"; });
    for (const fs::path& f : files) fs::rename(f, fs::path(path_) / f.filename());
    fs::remove_all(aside);
    schema::sync_tree(path_);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot compact database: " + xapian_message(e), path_);
  } catch (const fs::filesystem_error& e) {
    throw IndexError("cannot compact database: " + e.code().message(), path_);
  }
}

}  // namespace speechdex::indexer
