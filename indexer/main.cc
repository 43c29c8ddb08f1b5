// speechdex-index: indexes folders and files of speeches into a Xapian database.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "errors.h"
#include "index_check.h"
#include "pipeline.h"
#include "record.h"

namespace {

constexpr const char* kProgram = "speechdex-index";

int run(const speechdex::indexer::IndexOptions& options, bool quiet) {
  const auto started = std::chrono::steady_clock::now();
  const auto warn = [](const std::string& what, const std::string& path) {
    std::cerr << kProgram << ": warning: " << what << " ("
              << speechdex::schema::printable_path(path) << ")\n";
  };
  const auto note = [quiet](const std::string& what, const std::string& path) {
    if (!quiet) {
      std::cerr << kProgram << ": note: " << what << " (" << speechdex::schema::printable_path(path)
                << ")\n";
    }
  };
  const speechdex::indexer::IndexStats s = speechdex::indexer::index_corpus(options, warn, note);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char summary[256];
  std::snprintf(summary, sizeof summary,
                "%zu files indexed (%zu unchanged, %zu failed), %zu speeches, %zu paragraphs "
                "(%zu set aside as boilerplate), %.2f s",
                s.indexed, s.unchanged, s.failed, s.speeches, s.paragraphs, s.set_aside, seconds);
  std::cout << summary << (s.compacted ? ", compacted" : "") << "\n";
  return s.failed > 0 || s.files == 0 ? 1 : 0;
}

// --check [--repair]: prints what it found; exit 0 if the index is sound (or was repaired).
int check(const std::string& db, bool repair, bool wait) {
  const speechdex::indexer::CheckReport r = speechdex::indexer::check_index(db, repair, wait);
  for (const std::string& n : r.notes) std::cout << "note: " << n << "\n";
  for (const std::string& p : r.problems) std::cout << "problem: " << p << "\n";
  for (const std::string& l : r.leftovers) {
    std::cout << (repair ? "removed: " : "leftover (the next writer removes it): ") << l << "\n";
  }
  const bool sound = r.problems.empty() || r.repaired;
  std::cout << (r.problems.empty() ? "ok"
                : r.repaired       ? "repaired"
                                   : "damaged")
            << ": " << r.records << " paragraphs, " << r.segments << " segments, " << r.terms
            << " terms, " << r.postings << " postings\n";
  if (r.repaired) {
    // Verify what the repair wrote.
    const speechdex::indexer::CheckReport again = speechdex::indexer::check_index(db, false, wait);
    for (const std::string& p : again.problems) std::cout << "problem: " << p << "\n";
    return again.problems.empty() ? 0 : 1;
  }
  return sound ? 0 : 1;
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
  bool check_only = false, repair = false;
  app.add_option("paths", opt.paths, "files and folders to index");
  app.add_flag("--check", check_only,
               "verify the index whole (Xapian's check of the records, every segment's "
               "checksums and postings, their agreement) and say what is wrong; exit 1 if "
               "anything is");
  app.add_flag("--repair", repair,
               "with --check: remove what a crash left and, if only the text store is "
               "damaged, rebuild it from the records");
  app.add_flag("--rebuild", opt.rebuild,
               "build the index anew from the paths (an index of an older schema or a "
               "damaged one too): the new index is built aside and replaces the old one, "
               "which answers until then");
  app.add_flag("--wait", opt.wait,
               "if another writer holds the index, wait for it to finish (default: fail at "
               "once, naming it)");
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
  app.add_flag("--no-clean", opt.no_clean,
               "keep every line as text: set no website furniture aside (by default site "
               "headers, 来源/作者 lines, adverts and what comes before a file's first title "
               "are indexed as kind boilerplate, left out of searches unless "
               "--boilerplate include)");
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
  if (repair && !check_only) {
    std::cerr << kProgram << ": error: --repair goes with --check (try --help)\n";
    return 2;
  }
  if (check_only) {
    if (!opt.paths.empty()) {
      std::cerr << kProgram << ": error: --check takes no paths (try --help)\n";
      return 2;
    }
    return speechdex::run_and_report(kProgram, [&] { return check(opt.db, repair, opt.wait); });
  }
  if (opt.paths.empty()) {
    std::cerr << kProgram << ": error: paths is required (try --help)\n";
    return 2;
  }
  using Compact = speechdex::indexer::IndexOptions::Compact;
  opt.compact = compact == "always"  ? Compact::kAlways
                : compact == "never" ? Compact::kNever
                                     : Compact::kAuto;
  return speechdex::run_and_report(kProgram, [&] { return run(opt, quiet); });
}
