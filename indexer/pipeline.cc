// The indexing pipeline, shared by speechdex-index and the tests.
#include "pipeline.h"

#include <atomic>
#include <boost/filesystem.hpp>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "cleaner.h"
#include "errors.h"
#include "gazetteer.h"
#include "index_layout.h"
#include "index_writer.h"
#include "manifest.h"
#include "metadata_extractor.h"
#include "speech_splitter.h"
#include "taxonomy.h"
#include "write_lock.h"

namespace speechdex::indexer {

namespace {

// Indexes files[next...] into `writer`, taking the next file from the shared counter, so
// several workers share one list. Reports through `warn`/`note` (serialized by the caller).
void index_files(const std::vector<SourceFile>& files, std::atomic<size_t>& next,
                 IndexWriter& writer, const MetadataExtractor& extractor, const Manifest& manifest,
                 const IndexOptions& options, IndexStats& stats, const Warn& warn,
                 const Warn& note) {
  for (size_t k = next++; k < files.size(); k = next++) {
    const SourceFile& file = files[k];
    if (!options.force && writer.is_current(file)) {
      ++stats.unchanged;
      continue;
    }
    // Reading, cleaning, splitting and metadata: what goes wrong there is this file's
    // problem, reported and skipped. Writing is the index's: an error there stops the run.
    SplitResult split;
    std::vector<SpeechMetadata> metas;
    std::string encoding;
    try {
      const DecodedText text = read_text(file);
      encoding = text.encoding;
      split = options.lines
                  ? split_lines(text.utf8)
                  : split_speeches(clean(text.utf8, !options.no_clean), !options.no_clean);
      for (size_t s = 0; s < split.speeches.size(); ++s) {
        // Furniture alone says nothing about the speech: no metadata is read from it.
        metas.push_back(split.only_set_aside ? SpeechMetadata{}
                                             : extractor.extract(split.speeches[s]));
        if (const ManifestEntry* e = manifest.find(file.canonical_path, static_cast<int>(s + 1))) {
          apply_manifest(*e, metas.back());
        }
      }
    } catch (const InputError& e) {
      warn(e.what(), e.context().empty() ? file.path : e.context());
      ++stats.failed;
      continue;
    } catch (const std::exception& e) {
      warn(std::string("cannot read: ") + e.what(), file.path);
      ++stats.failed;
      continue;
    }
    if (split.speeches.empty()) {
      warn("no speech text found", file.path);
      ++stats.failed;
      continue;
    }
    for (const Speech& speech : split.speeches) stats.set_aside += speech.set_aside.size();
    if (split.only_set_aside) {
      note(
          "no speech text found: every line is set aside as boilerplate (searchable with "
          "--boilerplate include)",
          file.path);
    }
    stats.paragraphs += writer.write_file(file, split.speeches, metas);
    stats.speeches += split.speeches.size();
    ++stats.indexed;
    if (encoding != "utf-8") note("read as " + encoding, file.path);
    writer.commit_if_due();
  }
}

void add(IndexStats& into, const IndexStats& s) {
  into.indexed += s.indexed;
  into.unchanged += s.unchanged;
  into.failed += s.failed;
  into.speeches += s.speeches;
  into.paragraphs += s.paragraphs;
  into.set_aside += s.set_aside;
}

}  // namespace

IndexStats index_corpus(const IndexOptions& options, const Warn& warn_unsafe,
                        const Warn& note_unsafe) {
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
  const std::vector<SourceFile> files = collect_files(options.paths, warn);
  stats.files = files.size();
  std::atomic<size_t> next{0};
  // One writer for the whole run, its shards and compaction included.
  const WriteLock lock(options.db, options.wait);
  const unsigned jobs =
      std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(files.size())));
  using Compact = IndexOptions::Compact;
  std::optional<IndexWriter> writer;
  if (options.rebuild) {
    // The index as it is (perhaps damaged, perhaps of an older schema) is not opened: it
    // goes on answering until the new one, built aside, replaces it.
    check_rebuildable(options.db);
    remove_work(options.db);
  } else {
    writer.emplace(options.db, gazetteer, taxonomy, options.force);
  }
  if (options.rebuild || (jobs > 1 && writer->empty())) {
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
          index_files(files, next, *writers[j], extractor, manifest, options, per_job[j], warn,
                      note);
          writers[j]->commit();
        } catch (...) {
          errors[j] = std::current_exception();
          next = files.size();  // stop the others
        }
      });
    }
    for (std::thread& t : threads) t.join();
    writers.clear();
    for (const std::exception_ptr& e : errors) {
      if (e) std::rethrow_exception(e);
    }
    for (const IndexStats& s : per_job) add(stats, s);
    compact_into(shards, options.db);
    boost::filesystem::remove_all(work);
    if (options.rebuild) remove_all_but_live(options.db);
    stats.compacted = true;
    return stats;
  }
  writer->set_fresh_build(writer->started_empty() && options.compact != Compact::kNever);
  index_files(files, next, *writer, extractor, manifest, options, stats, warn, note);
  if (options.compact == Compact::kAlways ||
      (options.compact == Compact::kAuto && writer->started_empty() && !writer->empty())) {
    writer->compact();
    stats.compacted = true;
  } else {
    writer->commit();
    if (options.compact == Compact::kAuto && writer->grown_since_compaction()) {
      writer->compact();
      stats.compacted = true;
    }
  }
  return stats;
}

}  // namespace speechdex::indexer
