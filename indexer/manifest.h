// Manifests: researcher-supplied metadata (TSV, CSV or JSON Lines) that overrides what
// the extractor finds.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gazetteer.h"

namespace speechdex::indexer {

/// What a manifest row gives for a file (speech 0) or one speech of it.
struct ManifestEntry {
  const schema::Division* county = nullptr;
  std::optional<int> year;
  std::optional<std::string> title, speaker, role, date;
  std::string origin;  ///< manifest file and line, for `how`
};

/// A manifest: a table with a header row, keyed by source path (column path, file or
/// source; relative paths are relative to the manifest's folder) and an optional speech
/// number (column speech). Other columns: county (name or code; also code or
/// county_code), year, title, speaker, role, date. Unknown columns are ignored, so the
/// manifest.tsv that make-corpus writes works as it is.
struct SpeechMetadata;

/// Overrides what the extractor found with what a manifest entry gives; `how` becomes the
/// manifest's file and line for each field it gives.
void apply_manifest(const ManifestEntry& entry, SpeechMetadata& meta);

/// The entry a table row gives (column name -> value; county or code/county_code, year,
/// title, speaker, role, date). A value that cannot be used is reported through `warn` with
/// `where` and left out. `origin` is what `how` will say ("manifest m.tsv:3").
ManifestEntry manifest_entry(
    const std::map<std::string, std::string>& row, const schema::Gazetteer& gazetteer,
    const std::string& origin, const std::string& where,
    const std::function<void(const std::string&, const std::string&)>& warn);

class Manifest {
 public:
  Manifest() = default;
  // Moved, never copied: rows_ points at entries_'s keys.
  Manifest(Manifest&&) = default;
  Manifest& operator=(Manifest&&) = default;
  Manifest(const Manifest&) = delete;
  Manifest& operator=(const Manifest&) = delete;

  /// Reads a manifest; its format follows its extension (.tsv, .csv, .jsonl). Rows with a
  /// value that cannot be used (an unknown county, a year that is not a year) are reported
  /// through `warn` and that value is skipped. Throws InputError if the file cannot be read
  /// or has no path column.
  static Manifest load(const std::string& path, const schema::Gazetteer& gazetteer,
                       const std::function<void(const std::string&, const std::string&)>& warn);

  /// The entry for a speech: the row for that speech, else the row for its whole file.
  const ManifestEntry* find(const std::string& canonical_path, int speech) const;
  size_t size() const { return entries_.size(); }
  /// The rows read (a path and speech given twice counts twice; the later row wins).
  size_t rows() const { return rows_.size(); }

  /// The rows that name a file not in `files` (canonical paths): how many, and the first of
  /// them in the manifest (file:line, and its path as resolved).
  struct Unmatched {
    size_t rows = 0;
    std::string first_where, first_path;
  };
  Unmatched unmatched(const std::set<std::string>& files) const;

 private:
  std::string path_;
  std::map<std::pair<std::string, int>, ManifestEntry> entries_;
  // (line, canonical path: the key of its entry, which a std::map keeps in place)
  std::vector<std::pair<size_t, const std::string*>> rows_;
};

}  // namespace speechdex::indexer
