// Checking an index whole: layout, records, segments, and their agreement.
#include "index_check.h"

#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "errors.h"
#include "fields.h"
#include "gazetteer.h"
#include "index_layout.h"
#include "index_meta.h"
#include "index_writer.h"
#include "match.h"
#include "record.h"
#include "segment.h"
#include "taxonomy.h"
#include "write_lock.h"

namespace speechdex::indexer {
namespace fs = boost::filesystem;

namespace {

// Reads every posting and position of a segment: the checksums of every page, and a
// structure that decodes. Returns the postings read.
uint64_t read_whole(const textstore::Segment& segment, uint64_t& terms) {
  segment.verify_all();
  uint64_t postings = 0;
  for (textstore::Segment::TermIterator t(segment); t.valid(); t.next()) {
    ++terms;
    uint32_t previous = 0;
    uint32_t df = 0;
    for (textstore::PostingCursor c(segment, t.info()); c.doc() != textstore::PostingCursor::kEnd;
         c.next()) {
      if (c.doc() <= previous && df > 0) {
        throw std::runtime_error(segment.path() + ": document ids of " + t.name() +
                                 " do not increase");
      }
      if (!std::binary_search(segment.docids().begin(), segment.docids().end(), c.doc())) {
        throw std::runtime_error(segment.path() + ": " + t.name() + " names document " +
                                 std::to_string(c.doc()) + ", which the segment does not hold");
      }
      previous = c.doc();
      ++df;
      (void)c.positions();
      ++postings;
    }
    if (df != t.info().df) {
      throw std::runtime_error(segment.path() + ": " + t.name() + " has " + std::to_string(df) +
                               " postings, its dictionary entry says " +
                               std::to_string(t.info().df));
    }
  }
  return postings;
}

void list_leftovers(const std::string& db, const std::string& live,
                    const schema::TextStoreState& state, std::vector<std::string>& out) {
  for (const fs::directory_entry& e : fs::directory_iterator(db)) {
    const std::string name = e.path().filename().string();
    if ((schema::is_generation_name(name) && name != live) || name == "XAPIANDB.tmp" ||
        name == "work") {
      out.push_back(e.path().string());
    }
  }
  if (!fs::is_directory(schema::text_dir(db))) return;
  for (const fs::directory_entry& e : fs::directory_iterator(schema::text_dir(db))) {
    const std::string name = e.path().filename().string();
    if (std::find(state.segments.begin(), state.segments.end(), name) == state.segments.end()) {
      out.push_back(e.path().string());
    }
  }
}

}  // namespace

CheckReport check_index(const std::string& db, bool repair, bool wait) {
  if (!fs::is_directory(db)) throw UsageError("no database at this path", db);
  CheckReport report;
  // No writer changes the index while it is checked. One this process cannot write (a
  // read-only file system, another user's folder) no writer of its can change either:
  // it is checked without the lock, and cannot be repaired.
  std::optional<WriteLock> lock;
  if (::access(db.c_str(), W_OK) == 0 || repair) {
    lock.emplace(db, wait);
  } else {
    report.notes.push_back("the index is not writable here: checked without its lock");
  }
  if (schema::is_old_layout(db)) {
    Xapian::Database old(db);
    schema::check_schema(old, db);  // throws, naming both versions
  }
  const std::string live = schema::live_generation(db);
  if (live.empty()) {
    report.problems.push_back(db +
                              ": no stub file (XAPIANDB) names the records: rebuild the "
                              "index with --rebuild");
    return report;
  }
  const std::string records = db + "/" + live;
  if (lock) {
    // Xapian's check opens the tables for writing, so it needs the write access the lock
    // stands for; without it, the records are still read one by one below.
    std::ostringstream out;
    size_t errors = 0;
    try {
      errors = Xapian::Database::check(records, Xapian::DBCHECK_SHORT_TREE, &out);
    } catch (const Xapian::Error& e) {
      report.problems.push_back(records + ": " + e.get_description());
      errors = 1;
    }
    if (errors > 0) {
      std::string line;
      std::istringstream lines(out.str());
      while (std::getline(lines, line)) {
        if (line.find("rror") != std::string::npos)
          report.problems.push_back(records + ": " + line);
      }
      if (report.problems.empty()) {
        report.problems.push_back(records + ": Xapian's check found " + std::to_string(errors) +
                                  " errors");
      }
      report.problems.push_back("the records are damaged: rebuild the index with --rebuild");
      return report;
    }
  } else {
    report.notes.push_back("Xapian's check of the records needs write access: skipped");
  }
  Xapian::Database xdb(db);
  schema::check_schema(xdb, db);
  report.records_sound = true;
  report.records = xdb.get_doccount();
  const schema::TextStoreState state = schema::read_text_store(xdb);
  list_leftovers(db, live, state, report.leftovers);

  std::vector<std::shared_ptr<const textstore::Segment>> segments;
  bool text_sound = true;
  for (const std::string& name : state.segments) {
    const std::string path = schema::text_dir(db) + "/" + name;
    try {
      segments.push_back(textstore::Segment::open(path));
      report.postings += read_whole(*segments.back(), report.terms);
    } catch (const std::exception& e) {
      report.problems.push_back(e.what());
      text_sound = false;
    }
  }
  report.segments = segments.size();
  if (text_sound) {
    const std::string problem =
        textstore::check_segments(segments, state.deleted, xdb.get_doccount(), xdb.get_lastdocid());
    if (!problem.empty()) {
      report.problems.push_back(db + ": " + problem);
      text_sound = false;
    }
  }
  if (text_sound) {
    // The same live ids on both sides.
    std::vector<uint32_t> live_ids;
    for (const auto& s : segments) {
      for (uint32_t d : s->docids()) {
        if (!std::binary_search(state.deleted.begin(), state.deleted.end(), d)) {
          live_ids.push_back(d);
        }
      }
    }
    size_t i = 0;
    schema::RecordReader reader(xdb);
    std::unordered_set<std::string> speeches;  // the metadata keys of the speeches read
    for (auto it = xdb.postlist_begin(""); it != xdb.postlist_end(""); ++it, ++i) {
      try {
        const std::string data = xdb.get_document(*it).get_data();
        (void)reader.read_data(data);
        const schema::ParagraphRef ref = schema::ParagraphRef::from_data(data);
        speeches.insert(schema::speech_meta_key(ref.source_key, ref.speech));
      } catch (const std::exception& e) {
        report.problems.push_back(db + ": the record of paragraph " + std::to_string(*it) +
                                  " does not decode: " + e.what());
        report.problems.push_back("the records are damaged: rebuild the index with --rebuild");
        report.records_sound = false;
        return report;
      }
      if (i >= live_ids.size() || live_ids[i] != *it) {
        report.problems.push_back(db + ": paragraph " + std::to_string(*it) +
                                  " has a record but the text store does not hold it live");
        text_sound = false;
        break;
      }
    }
    // Every speech's records belong to paragraphs (a removed file takes its speeches along).
    if (text_sound) {
      const std::string prefix(schema::kMetaSpeechPrefix);
      for (auto k = xdb.metadata_keys_begin(prefix); k != xdb.metadata_keys_end(prefix); ++k) {
        if (!speeches.contains(*k)) {
          report.problems.push_back(db + ": the records of speech " + *k +
                                    " belong to no paragraph; re-index its file");
          break;
        }
      }
    }
  }
  if (!text_sound) {
    report.problems.push_back(
        repair ? "the text store is rebuilt from the records"
               : "the records are sound: --repair rebuilds the text store from them");
  }
  if (repair) {
    // Opening a writer removes the leftovers; a rebuild of the text store replaces it.
    const schema::Gazetteer gazetteer =
        schema::Gazetteer::deserialize(xdb.get_metadata(std::string(schema::kMetaGazetteer)), db);
    const schema::Taxonomy taxonomy =
        schema::Taxonomy::parse(xdb.get_metadata(std::string(schema::kMetaTopics)), db);
    segments.clear();
    {
      IndexWriter writer(db, gazetteer, taxonomy, true, true);
      if (!text_sound) {
        writer.rebuild_text_store();
        report.repaired = true;
      }
      writer.commit();
    }
    remove_leftovers(db);  // the segments the rebuilt one replaced
  }
  return report;
}

}  // namespace speechdex::indexer
