// speechdex-index: indexes folders and files of speeches into a Xapian database.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>

#include "errors.h"
#include "index_check.h"
#include "pipeline.h"
#include "progress_line.h"
#include "record.h"
#include "version.h"
#include "xapian_layout.h"

namespace {

constexpr const char* kProgram = "speechdex-index";

// The progress line on a terminal: files, MB, rate and time left.
class ProgressLine {
 public:
  explicit ProgressLine(bool on) : line_(on) {}
  void show(const speechdex::indexer::Progress& p) {
    if (!line_.due(p.files_done >= p.files)) return;
    const double seconds = line_.seconds();
    const double mb = static_cast<double>(p.bytes_done) / 1e6;
    const double rate = seconds > 0 ? mb / seconds : 0;
    const double left = rate > 0 ? (static_cast<double>(p.bytes) / 1e6 - mb) / rate : 0;
    char line[160];
    std::snprintf(line, sizeof line, "%zu/%zu files, %.1f/%.1f MB, %.1f MB/s, %.0f s left",
                  p.files_done, p.files, mb, static_cast<double>(p.bytes) / 1e6, rate, left);
    line_.draw(line);
  }
  void clear() { line_.clear(); }

 private:
  speechdex::schema::ProgressLine line_;
};

int run(const speechdex::indexer::IndexOptions& options, bool quiet) {
  const auto started = std::chrono::steady_clock::now();
  ProgressLine progress(!quiet && isatty(STDERR_FILENO) != 0);
  // One line per problem: "speechdex-index: warning: PATH: REASON".
  const auto warn = [&](const std::string& what, const std::string& path) {
    progress.clear();
    std::cerr << kProgram << ": warning: " << speechdex::schema::printable_path(path) << ": "
              << what << "\n";
  };
  const auto note = [&](const std::string& what, const std::string& path) {
    if (!quiet) {
      progress.clear();
      std::cerr << kProgram << ": note: " << speechdex::schema::printable_path(path) << ": " << what
                << "\n";
    }
  };
  const speechdex::indexer::IndexStats s = speechdex::indexer::index_corpus(
      options, warn, note, [&](const speechdex::indexer::Progress& p) { progress.show(p); });
  progress.clear();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!quiet && !s.other_formats.empty()) {
    std::string list;
    size_t total = 0;
    for (const auto& [ext, n] : s.other_formats) {
      list += (list.empty() ? "" : ", ") + (ext.empty() ? std::string("no extension") : ext) + " " +
              std::to_string(n);
      total += n;
    }
    std::cerr << kProgram << ": note: " << total << " files of other formats not read (" << list
              << ")\n";
  }
  if (!quiet && s.hidden > 0) {
    std::cerr << kProgram << ": note: " << s.hidden
              << " hidden files and folders not read (--hidden reads them)\n";
  }
  char summary[400];
  std::snprintf(summary, sizeof summary,
                "%zu files indexed (%zu updated, %zu unchanged, %zu removed, %zu skipped, %zu "
                "failed), %zu speeches, %zu paragraphs (%zu set aside as boilerplate), %.2f s",
                s.indexed, s.updated, s.unchanged, s.removed, s.skipped, s.failed, s.speeches,
                s.paragraphs, s.set_aside, seconds);
  std::cout << summary
            << (s.bad_records > 0
                    ? ", " + std::to_string(s.bad_records) + " JSON Lines lines skipped"
                    : std::string())
            << (s.compacted ? ", compacted" : "")
            << (s.shards.empty() ? std::string()
                                 : ", kept as " + std::to_string(s.shards.size()) + " shards");
  const speechdex::schema::DuplicateStats& d = s.duplicates;
  std::snprintf(summary, sizeof summary,
                "; copies: %zu paragraphs in %zu clusters, %zu speeches in %zu clusters",
                d.paragraph_copies, d.paragraph_clusters, d.speech_copies, d.speech_clusters);
  std::cout << summary << "\n";
  const bool nothing = s.files == 0 && s.removed == 0;
  return s.failed > 0 || s.skipped > 0 || s.bad_records > 0 || nothing ? 1 : 0;
}

// A size such as 100M, 2G, 512K or a number of bytes.
uint64_t parse_size(const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw speechdex::UsageError("not a size (like 100M, 2G or 4096)", "--max-file-size " + text);
  }
  std::string unit = text.substr(used);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() == 2 && unit[1] == 'B') unit.pop_back();
  const double scale = unit.empty() || unit == "B" ? 1
                       : unit == "K"               ? 1024.0
                       : unit == "M"               ? 1024.0 * 1024
                       : unit == "G"               ? 1024.0 * 1024 * 1024
                                                   : -1;
  if (scale < 0 || value < 0) {
    throw speechdex::UsageError("not a size (like 100M, 2G or 4096)", "--max-file-size " + text);
  }
  return static_cast<uint64_t>(value * scale);
}

// --check [--repair]: prints what it found; exit 0 if the index is sound (or was repaired).
int check(const std::string& db, bool repair, bool wait) {
  if (speechdex::indexer::is_xapian_layout_db(db)) {
    if (repair) {
      throw speechdex::UsageError(
          "--repair is for the store layout; rebuild a damaged Xapian-layout shard from its files",
          db);
    }
    size_t paragraphs = 0;
    const std::vector<std::string> problems =
        speechdex::indexer::check_xapian_layout(db, paragraphs);
    for (const std::string& p : problems) std::cout << "problem: " << p << "\n";
    std::cout << (problems.empty() ? "ok" : "damaged") << ": " << paragraphs
              << " paragraphs (Xapian layout)\n";
    return problems.empty() ? 0 : 1;
  }
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
      "Index folders and files of speeches into a speechdex database: text (.txt, .md; "
      "UTF-8, UTF-16, GB18030/GBK, Big5), Word (.docx), web pages (.html), PDF (.pdf) and "
      "JSON Lines (.jsonl, one speech per line with a \"text\" field). Folders are walked "
      "recursively; a file named on the command line is read whatever its name. County, "
      "year, speaker role and topics are found in the text; a manifest overrides them. "
      "Every problem is one line on stderr (speechdex-index: warning: PATH: REASON). Exit "
      "status: 0 all read, 1 some inputs skipped or failed, 2 usage, 3 the index could not "
      "be opened or written. Docs: docs/ingest.md (formats, encodings, messages), "
      "docs/index.md, docs/integrity.md.",
      kProgram};
  // help2man (man/) reads each example as a command and, 20 columns in on the next line,
  // what it does. A command wider than 71 columns wraps in the man page.
  app.footer(
      "Examples:\n"
      "  speechdex-index --db DB corpus/\n"
      "                    index a folder (DB: the database folder); re-run to update it\n"
      "  speechdex-index --db DB --manifest meta.tsv corpus/\n"
      "                    metadata you know overrides what is found in the text\n"
      "  speechdex-index --db DB --lossy --encoding big5 old/\n"
      "                    a Big5 folder, damaged bytes replaced\n"
      "  speechdex-index --db DB --jobs 2 --rebuild corpus/\n"
      "                    build the index anew with two jobs\n"
      "  speechdex-index --db DB --check\n"
      "                    verify the index whole\n"
      "  speechdex-index --db shard --layout xapian corpus/\n"
      "                    a shard for xapian-tcpsrv (docs/scaling.md)\n");
  speechdex::indexer::IndexOptions opt;
  bool quiet = false;
  app.set_version_flag("--version", std::string(kProgram) + " " + speechdex::kVersion,
                       "print the program's name and version and exit");
  app.add_option("--db", opt.db, "database folder (created if missing)")
      ->required()
      ->type_name("DIR");
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
                 "year, title, speaker, role, date) that overrides what is found in the text")
      ->type_name("FILE");
  app.add_option("--data", opt.data_dir,
                 std::string("folder of the gazetteer tables and topics.tsv (default: ") +
                     speechdex::indexer::kDefaultDataDirRule + ")")
      ->type_name("DIR");
  app.add_option("--topics", opt.topics, "topic taxonomy (default: DATA/topics.tsv)")
      ->type_name("FILE");
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
  app.add_flag("--keep-shards", opt.keep_shards,
               "with --jobs: keep each job's shard as an index of its own (DB/shard-1, ...) "
               "instead of merging them; speechdex-search --db DB searches them as one");
  std::string layout = "store";
  app.add_option(
         "--layout", layout,
         "store: the index folder with speechdex's text store (docs/index.md); xapian: "
         "a plain Xapian database of the same paragraphs, terms and values that the "
         "stock xapian-tcpsrv can serve as a shard (one job; a fresh build is compacted; duplicate "
         "clusters per database; docs/scaling.md)")
      ->default_val("store")
      ->check(CLI::IsMember({"store", "xapian"}));
  app.add_flag("--lines", opt.lines,
               "one document per line: every non-blank line is a paragraph, no cleaning");
  app.add_flag("--no-clean", opt.no_clean,
               "keep every line as text: set no website furniture aside (by default site "
               "headers, 来源/作者 lines, adverts, what comes before a file's first title, "
               "PDF page headers and numbers, and web pages' navigation are indexed as kind "
               "boilerplate, left out of searches unless --boilerplate include)");
  app.add_flag("--hidden", opt.walk.hidden,
               "also read hidden files and folders (names starting with '.'), passed over by "
               "default");
  std::string max_size = "100M";
  app.add_option("--max-file-size", max_size,
                 "larger files are reported and not read (K, M, G suffixes)")
      ->default_val("100M")
      ->type_name("SIZE");
  app.add_option("--encoding", opt.decode.encoding,
                 "read text and JSON Lines files in this encoding (utf-8, gb18030, big5, "
                 "big5-hkscs, utf-16le, ...) instead of detecting it (web pages keep their "
                 "own charset)")
      ->type_name("NAME");
  app.add_flag("--lossy", opt.decode.lossy,
               "index a file that does not decode cleanly with U+FFFD for what does not "
               "decode, warning with the encoding and the first bad byte (default: report "
               "and skip it)");
  app.add_flag("-q,--quiet", quiet, "print only warnings and the summary (no notes, no progress)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
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
  try {
    opt.walk.max_file_size = parse_size(max_size);
  } catch (const speechdex::UsageError& e) {
    std::cerr << kProgram << ": error: " << e.what() << " (" << e.context() << ")\n";
    return 2;
  }
  using Compact = speechdex::indexer::IndexOptions::Compact;
  opt.compact = compact == "always"  ? Compact::kAlways
                : compact == "never" ? Compact::kNever
                                     : Compact::kAuto;
  opt.layout = layout == "xapian" ? speechdex::indexer::IndexOptions::Layout::kXapian
                                  : speechdex::indexer::IndexOptions::Layout::kStore;
  return speechdex::run_and_report(kProgram, [&] { return run(opt, quiet); });
}
