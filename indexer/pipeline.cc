// The indexing pipeline, shared by speechdex-index and the tests.
#include "pipeline.h"

#include "cleaner.h"
#include "errors.h"
#include "gazetteer.h"
#include "index_writer.h"
#include "manifest.h"
#include "metadata_extractor.h"
#include "speech_splitter.h"
#include "taxonomy.h"

namespace speechdex::indexer {

IndexStats index_corpus(const IndexOptions& options, const Warn& warn, const Warn& note) {
  const schema::Gazetteer gazetteer = schema::Gazetteer::load(options.data_dir);
  const schema::Taxonomy taxonomy = schema::Taxonomy::load(
      options.topics.empty() ? options.data_dir + "/topics.tsv" : options.topics);
  const MetadataExtractor extractor(gazetteer, taxonomy);
  Manifest manifest;
  if (!options.manifest.empty()) manifest = Manifest::load(options.manifest, gazetteer, warn);

  IndexStats stats;
  const std::vector<SourceFile> files = collect_files(options.paths, warn);
  stats.files = files.size();
  IndexWriter writer(options.db, gazetteer, taxonomy, options.force);
  for (const SourceFile& file : files) {
    if (!options.force && writer.is_current(file)) {
      ++stats.unchanged;
      continue;
    }
    try {
      const DecodedText text = read_text(file);
      const SplitResult split =
          options.lines ? split_lines(text.utf8) : split_speeches(clean(text.utf8));
      if (split.speeches.empty()) {
        warn("no speech text found", file.path);
        ++stats.failed;
        continue;
      }
      std::vector<SpeechMetadata> metas;
      for (size_t s = 0; s < split.speeches.size(); ++s) {
        metas.push_back(extractor.extract(split.speeches[s]));
        if (const ManifestEntry* e = manifest.find(file.canonical_path, static_cast<int>(s + 1))) {
          apply_manifest(*e, metas.back());
        }
      }
      stats.paragraphs += writer.write_file(file, split.speeches, metas);
      stats.speeches += split.speeches.size();
      ++stats.indexed;
      if (text.encoding != "utf-8") note("read as " + text.encoding, file.path);
    } catch (const InputError& e) {
      warn(e.what(), e.context().empty() ? file.path : e.context());
      ++stats.failed;
      continue;
    }
    writer.commit_if_due();
  }
  using Compact = IndexOptions::Compact;
  if (options.compact == Compact::kAlways ||
      (options.compact == Compact::kAuto && writer.started_empty() && stats.paragraphs > 0)) {
    writer.compact();
    stats.compacted = true;
  } else {
    writer.commit();
  }
  return stats;
}

}  // namespace speechdex::indexer
