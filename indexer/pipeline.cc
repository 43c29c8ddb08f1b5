// The indexing pipeline, shared by speechdex-index and the tests.
#include "pipeline.h"

#include <sys/stat.h>

#include <atomic>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "cleaner.h"
#include "errors.h"
#include "formats.h"
#include "gazetteer.h"
#include "index_layout.h"
#include "index_writer.h"
#include "manifest.h"
#include "metadata_extractor.h"
#include "speech_splitter.h"
#include "taxonomy.h"
#include "write_lock.h"
#include "xapian_layout.h"

namespace speechdex::indexer {

namespace {

// The folders --keep-shards writes: shard-1, shard-2, ...
constexpr const char* kShardPrefix = "shard-";

// What the workers share: the file list, the next file to take, the progress so far.
struct Shared {
  const std::vector<SourceFile>& files;
  std::atomic<size_t> next{0};
  std::mutex progress_mutex;
  Progress progress;
  const std::function<void(const Progress&)>& report;

  void done(const SourceFile& file) {
    if (!report) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    ++progress.files_done;
    progress.bytes_done += file.size;
    report(progress);
  }
};

// Appends the speeches of one document of a file, and their metadata, to those of the
// documents before it (speeches are numbered through the file).
void read_part(const DocumentPart& part, const SourceFile& file, const MetadataExtractor& extractor,
               const Manifest& manifest, const schema::Gazetteer& gazetteer,
               const IndexOptions& options, const Document& doc, const Warn& warn,
               std::vector<Speech>& speeches, std::vector<SpeechMetadata>& metas,
               bool& only_set_aside) {
  SplitResult split;
  if (options.lines) {
    split = split_lines(part.text.utf8);
  } else {
    std::vector<Line> lines = clean(part.text.utf8, !options.no_clean);
    // What the format reader knows to be furniture (page headers, navigation) is set aside
    // with its rule, as the cleaner's boilerplate is.
    for (Line& line : lines) {
      const auto i = static_cast<size_t>(line.number - 1);
      if (!options.no_clean && i < part.text.furniture.size() && !part.text.furniture[i].empty() &&
          line.cls == LineClass::kContent) {
        line.cls = LineClass::kBoilerplate;
        line.reason = part.text.furniture[i];
      }
    }
    split = split_speeches(lines, !options.no_clean);
  }
  only_set_aside = split.only_set_aside;
  std::optional<ManifestEntry> given;
  if (!part.metadata.empty()) {
    given = manifest_entry(part.metadata, gazetteer, "jsonl " + part.origin, part.origin, warn);
  }
  for (Speech& speech : split.speeches) {
    const int speech_number = static_cast<int>(speeches.size()) + 1;
    const ManifestEntry* listed = manifest.find(file.canonical_path, speech_number);
    // What a manifest or the JSONL record gives replaces what the text would say, so the
    // text is not searched for it.
    MetadataExtractor::Given known{false, false, false};
    const ManifestEntry* from_record = given ? &*given : nullptr;
    for (const ManifestEntry* e : {from_record, listed}) {
      if (e == nullptr) continue;
      known.county = known.county || e->county != nullptr;
      known.year = known.year || e->year.has_value();
      known.role = known.role || e->role.has_value();
    }
    // Furniture alone says nothing about the speech: no metadata is read from it.
    SpeechMetadata meta =
        split.only_set_aside ? SpeechMetadata{} : extractor.extract(speech, known);
    if (given) apply_manifest(*given, meta);
    if (const auto id = part.metadata.find("id"); id != part.metadata.end()) {
      meta.id = split.speeches.size() == 1
                    ? id->second
                    : id->second + "." + std::to_string(&speech - split.speeches.data() + 1);
    }
    meta.fields = part.fields;
    meta.decoding = doc.replaced.empty() ? "" : doc.encoding + ", --lossy: " + doc.replaced;
    if (listed != nullptr) apply_manifest(*listed, meta);
    speeches.push_back(std::move(speech));
    metas.push_back(std::move(meta));
  }
}

// Indexes the shared files, taking the next file from the shared counter, so several
// workers share one list. Reports through `warn`/`note` (serialized by the caller).
// `Writer`: IndexWriter or XapianLayoutWriter.
template <typename Writer>
void index_files(Shared& shared, Writer& writer, const MetadataExtractor& extractor,
                 const Manifest& manifest, const schema::Gazetteer& gazetteer,
                 const IndexOptions& options, IndexStats& stats, const Warn& warn,
                 const Warn& note) {
  const std::vector<SourceFile>& files = shared.files;
  for (size_t k = shared.next++; k < files.size(); k = shared.next++) {
    const SourceFile& file = files[k];
    const IndexWriter::FileState state = writer.state_of(file);
    if (!options.force && state == IndexWriter::FileState::kCurrent) {
      ++stats.unchanged;
      shared.done(file);
      continue;
    }
    // Reading, cleaning, splitting and metadata: what goes wrong there is this file's
    // problem, reported and skipped. Writing is the index's: an error there stops the run.
    std::vector<Speech> speeches;
    std::vector<SpeechMetadata> metas;
    Document doc;
    bool all_set_aside = true;
    try {
      doc = read_document(file, options.decode, warn, stats.bad_records);
      for (const DocumentPart& part : doc.parts) {
        const size_t before = speeches.size();
        bool only_set_aside = false;
        read_part(part, file, extractor, manifest, gazetteer, options, doc, warn, speeches, metas,
                  only_set_aside);
        if (speeches.size() == before && !part.origin.empty()) {
          warn("no speech text in this line's \"text\"", part.origin);
          ++stats.bad_records;
        }
        all_set_aside = all_set_aside && only_set_aside;
      }
    } catch (const InputError& e) {
      warn(e.what(), e.context().empty() ? file.path : e.context());
      ++stats.failed;
      shared.done(file);
      continue;
    } catch (const std::exception& e) {
      warn(std::string("cannot read: ") + e.what(), file.path);
      ++stats.failed;
      shared.done(file);
      continue;
    }
    if (speeches.empty()) {
      warn(doc.format == Format::kJsonl ? "no usable line (each needs a \"text\" field)"
                                        : "no text found",
           file.path);
      ++stats.failed;
      shared.done(file);
      continue;
    }
    for (const Speech& speech : speeches) stats.set_aside += speech.set_aside.size();
    if (all_set_aside) {
      note(
          "no speech text found: every line is set aside as boilerplate (searchable with "
          "--boilerplate include)",
          file.path);
    }
    stats.paragraphs += writer.write_file(file, speeches, metas);
    stats.speeches += speeches.size();
    ++(state == IndexWriter::FileState::kNew ? stats.indexed : stats.updated);
    if (!doc.replaced.empty()) {
      warn("read as " + doc.encoding + " with --lossy: " + doc.replaced, file.path);
    } else if (!doc.encoding.empty() && doc.encoding != "utf-8") {
      note("read as " + doc.encoding, file.path);
    }
    writer.commit_if_due();
    shared.done(file);
  }
}

void add(IndexStats& into, const IndexStats& s) {
  into.indexed += s.indexed;
  into.updated += s.updated;
  into.unchanged += s.unchanged;
  into.failed += s.failed;
  into.bad_records += s.bad_records;
  into.speeches += s.speeches;
  into.paragraphs += s.paragraphs;
  into.set_aside += s.set_aside;
}

// Removes the paragraphs of files that are no longer on disk: under the walked folders, or
// named and missing.
template <typename Writer>
void remove_deleted(Writer& writer, const WalkResult& walk, IndexStats& stats, const Warn& note) {
  std::vector<std::string> gone;
  for (const std::string& root : walk.roots) {
    for (const std::string& path : writer.files_under(root)) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) gone.push_back(path);
    }
  }
  for (const std::string& path : walk.missing) {
    if (writer.state_of(SourceFile{path, path, 0, 0}) != IndexWriter::FileState::kNew) {
      gone.push_back(path);
    }
  }
  for (const std::string& path : gone) {
    writer.remove_file(path);
    ++stats.removed;
    note("removed from the index: no longer on disk", path);
  }
}

}  // namespace

IndexStats index_corpus(const IndexOptions& options, const Warn& warn_unsafe,
                        const Warn& note_unsafe,
                        const std::function<void(const Progress&)>& progress) {
  std::mutex report;
  const Warn warn = [&](const std::string& what, const std::string& path) {
    std::lock_guard<std::mutex> lock(report);
    warn_unsafe(what, path);
  };
  const Warn note = [&](const std::string& what, const std::string& path) {
    std::lock_guard<std::mutex> lock(report);
    note_unsafe(what, path);
  };
  const schema::Gazetteer gazetteer = schema::Gazetteer::load(options.data_dir);
  const schema::Taxonomy taxonomy = schema::Taxonomy::load(
      options.topics.empty() ? options.data_dir + "/topics.tsv" : options.topics);
  const MetadataExtractor extractor(gazetteer, taxonomy);
  Manifest manifest;
  if (!options.manifest.empty()) manifest = Manifest::load(options.manifest, gazetteer, warn);

  IndexStats stats;
  WalkResult walk = collect_files(options.paths, options.walk, warn);
  const std::vector<SourceFile>& files = walk.files;
  if (manifest.size() > 0) {
    // A row that names no file of the run is metadata that would be dropped without a word
    // (most often a path written relative to the wrong folder).
    std::set<std::string> named;
    for (const SourceFile& f : files) named.insert(f.canonical_path);
    if (const Manifest::Unmatched u = manifest.unmatched(named); u.rows > 0) {
      warn(std::to_string(u.rows) + " of " + std::to_string(manifest.rows()) +
               " manifest rows name no file of this run, e.g. " + u.first_path +
               " (relative paths are relative to the manifest's folder)",
           u.first_where);
    }
  }
  stats.files = files.size();
  stats.skipped = walk.skipped;
  stats.failed = walk.failed;
  stats.hidden = walk.hidden;
  stats.other_formats = walk.other_formats;
  Shared shared{files, {}, {}, {}, progress};
  shared.progress.files = files.size();
  for (const SourceFile& f : files) shared.progress.bytes += f.size;
  // One writer for the whole run, its shards and compaction included.
  const WriteLock lock(options.db, options.wait);
  const unsigned jobs =
      std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(files.size())));
  using Compact = IndexOptions::Compact;
  if (options.layout == IndexOptions::Layout::kXapian) {
    // One database, written in place; shards for other machines are built by one run each.
    if (options.jobs > 1 || options.rebuild) {
      throw UsageError(
          "--layout xapian builds one database with one job; build shards with a run each",
          options.jobs > 1 ? "--jobs" : "--rebuild");
    }
    XapianLayoutWriter xapian(options.db, gazetteer, taxonomy, options.force);
    remove_deleted(xapian, walk, stats, note);
    index_files(shared, xapian, extractor, manifest, gazetteer, options, stats, warn, note);
    stats.duplicates = xapian.finish();
    // A fresh build is compacted (nothing serves it yet); an update is not.
    if (xapian.started_empty() && options.compact != Compact::kNever) {
      xapian.compact();
      stats.compacted = true;
    }
    return stats;
  }
  if (is_xapian_layout_db(options.db)) {
    throw UsageError("this database is of the Xapian layout; give --layout xapian", options.db);
  }
  std::optional<IndexWriter> writer;
  if (options.keep_shards) {
    // Shards kept as indexes of their own: DB is a folder of indexes, never an index.
    if (!schema::live_generation(options.db).empty() || schema::is_old_layout(options.db)) {
      throw UsageError("--keep-shards writes a folder of shards, and this folder holds an index",
                       options.db);
    }
    for (const boost::filesystem::directory_entry& e :
         boost::filesystem::directory_iterator(options.db)) {
      if (e.path().filename().string().rfind(kShardPrefix, 0) == 0) {
        throw UsageError("--keep-shards: this folder holds shards of an earlier build already (" +
                             e.path().filename().string() + "); remove them or use another folder",
                         options.db);
      }
    }
  } else if (schema::live_generation(options.db).empty() &&
             boost::filesystem::is_directory(options.db + "/" + kShardPrefix + "1")) {
    // An index written beside kept shards would hide them from a search of the folder.
    throw UsageError(
        "this folder holds the shards of a parallel build (--keep-shards): index into one of "
        "them (--db " +
            options.db + "/" + kShardPrefix + "1) or into another folder",
        options.db);
  } else if (options.rebuild) {
    // The index as it is (perhaps damaged, perhaps of an older schema) is not opened: it
    // goes on answering until the new one, built aside, replaces it.
    check_rebuildable(options.db);
    remove_work(options.db);
  } else {
    writer.emplace(options.db, gazetteer, taxonomy, options.force);
  }
  if (options.keep_shards || options.rebuild || (jobs > 1 && writer->empty())) {
    // A fresh build: one shard per job in the work folder, merged into the database by
    // compaction. Nothing is visible until the merge; a crash leaves the index as it was.
    writer.reset();
    const std::string work = schema::work_dir(options.db);
    std::vector<std::string> shards;
    std::vector<std::unique_ptr<IndexWriter>> writers;
    for (unsigned j = 0; j < jobs; ++j) {
      shards.push_back(work + "/shard" + std::to_string(j));
      boost::filesystem::create_directories(shards.back());
      writers.push_back(std::make_unique<IndexWriter>(shards.back(), gazetteer, taxonomy, true));
    }
    std::vector<IndexStats> per_job(jobs);
    std::vector<std::exception_ptr> errors(jobs);
    std::vector<std::thread> threads;
    for (unsigned j = 0; j < jobs; ++j) {
      threads.emplace_back([&, j] {
        try {
          index_files(shared, *writers[j], extractor, manifest, gazetteer, options, per_job[j],
                      warn, note);
          writers[j]->commit();
        } catch (...) {
          errors[j] = std::current_exception();
          shared.next = files.size();  // stop the others
        }
      });
    }
    for (std::thread& t : threads) t.join();
    writers.clear();
    // What the jobs read of each file is not needed by the merge: its memory is the
    // clustering's (a million files' manifest rows and paths are hundreds of MB).
    manifest = Manifest();
    std::vector<SourceFile>().swap(walk.files);
    for (const std::exception_ptr& e : errors) {
      if (e) std::rethrow_exception(e);
    }
    for (const IndexStats& s : per_job) add(stats, s);
    if (options.keep_shards) {
      // Each shard compacted into an index of its own, with its own duplicate clusters (a
      // search over them all finds the clusters of the whole again).
      for (unsigned j = 0; j < jobs; ++j) {
        const std::string kept = options.db + "/" + kShardPrefix + std::to_string(j + 1);
        boost::filesystem::create_directories(kept);
        const schema::DuplicateStats d = compact_into({shards[j]}, kept);
        stats.duplicates.paragraph_copies += d.paragraph_copies;
        stats.duplicates.paragraph_clusters += d.paragraph_clusters;
        stats.duplicates.speech_copies += d.speech_copies;
        stats.duplicates.speech_clusters += d.speech_clusters;
        stats.shards.push_back(kept);
      }
      boost::filesystem::remove_all(work);
      stats.compacted = true;
      return stats;
    }
    stats.duplicates = compact_into(shards, options.db);
    boost::filesystem::remove_all(work);
    if (options.rebuild) remove_all_but_live(options.db);
    stats.compacted = true;
    return stats;
  }
  writer->set_fresh_build(writer->started_empty() && options.compact != Compact::kNever);
  remove_deleted(*writer, walk, stats, note);
  index_files(shared, *writer, extractor, manifest, gazetteer, options, stats, warn, note);
  if (options.compact == Compact::kAlways ||
      (options.compact == Compact::kAuto && writer->started_empty() && !writer->empty())) {
    stats.duplicates = writer->compact();
    stats.compacted = true;
  } else {
    writer->commit();
    if (options.compact == Compact::kAuto && writer->grown_since_compaction()) {
      stats.duplicates = writer->compact();
      stats.compacted = true;
    } else {
      stats.duplicates = writer->finish();
    }
  }
  return stats;
}

}  // namespace speechdex::indexer
