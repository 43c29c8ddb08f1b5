// speechdex-index: indexes folders and files of speeches into a Xapian database.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "errors.h"
#include "pipeline.h"

namespace {

constexpr const char* kProgram = "speechdex-index";

int run(const speechdex::indexer::IndexOptions& options, bool quiet) {
  const auto started = std::chrono::steady_clock::now();
  const auto warn = [](const std::string& what, const std::string& path) {
    std::cerr << kProgram << ": warning: " << what << " (" << path << ")\n";
  };
  const auto note = [quiet](const std::string& what, const std::string& path) {
    if (!quiet) std::cerr << kProgram << ": note: " << what << " (" << path << ")\n";
  };
  const speechdex::indexer::IndexStats s = speechdex::indexer::index_corpus(options, warn, note);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char summary[256];
  std::snprintf(summary, sizeof summary,
                "%zu files indexed (%zu unchanged, %zu failed), %zu speeches, %zu paragraphs, "
                "%.2f s",
                s.indexed, s.unchanged, s.failed, s.speeches, s.paragraphs, seconds);
  std::cout << summary << (s.compacted ? ", compacted" : "") << "\n";
  return s.failed > 0 || s.files == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Index folders and files of speeches (UTF-8, UTF-16 or GB18030 text) into a "
      "speechdex database. Folders are searched recursively for *.txt. County, year, "
      "speaker role and topics are found in the text; a manifest overrides them.",
      kProgram};
  speechdex::indexer::IndexOptions opt;
  bool quiet = false;
  app.add_option("--db", opt.db, "database folder (created if missing)")->required();
  app.add_option("paths", opt.paths, "files and folders to index")->required();
  app.add_option("--manifest", opt.manifest,
                 "table of known metadata (TSV, CSV or JSONL; columns path, speech, county, "
                 "year, title, speaker, role, date) that overrides what is found in the text");
  app.add_option("--data", opt.data_dir, "folder of the gazetteer tables")
      ->default_val(opt.data_dir);
  app.add_option("--topics", opt.topics, "topic taxonomy (default: DATA/topics.tsv)");
  app.add_flag("--force", opt.force, "re-index files even if unchanged since the last run");
  std::string compact = "auto";
  app.add_option("--compact", compact,
                 "compact the database after indexing (about half the size); auto: when the "
                 "database was empty before this run, or has grown past 1.25 times its size "
                 "after the last compaction")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--jobs,-j", opt.jobs,
                 "parallel jobs for a fresh build (each writes a shard; merged by compaction)")
      ->default_val(1)
      ->check(CLI::Range(1, 64));
  app.add_flag("--lines", opt.lines,
               "one document per line: every non-blank line is a paragraph, no cleaning");
  app.add_flag("-q,--quiet", quiet, "print only warnings and the summary");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << kProgram << ": error: " << e.what() << " (try --help)\n";
    return 2;
  }
  using Compact = speechdex::indexer::IndexOptions::Compact;
  opt.compact = compact == "always"  ? Compact::kAlways
                : compact == "never" ? Compact::kNever
                                     : Compact::kAuto;
  return speechdex::run_and_report(kProgram, [&] { return run(opt, quiet); });
}
