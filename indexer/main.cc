// speechdex-index: indexes folders and files of speeches into a Xapian database.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "corpus_reader.h"
#include "errors.h"
#include "index_writer.h"
#include "speech_splitter.h"

namespace {

constexpr const char* kProgram = "speechdex-index";

// Options as parsed; validated into the run below.
struct Options {
  std::string db;
  std::vector<std::string> paths;
  bool force = false;
  bool quiet = false;
};

void warn(const std::string& what, const std::string& path) {
  std::cerr << kProgram << ": warning: " << what << " (" << path << ")\n";
}

int run(const Options& opt) {
  using namespace speechdex::indexer;
  const auto started = std::chrono::steady_clock::now();
  std::vector<SourceFile> files = collect_files(opt.paths, warn);
  IndexWriter writer(opt.db);
  size_t indexed = 0, unchanged = 0, failed = 0, speeches = 0, paragraphs = 0;
  for (const SourceFile& file : files) {
    if (!opt.force && writer.is_current(file)) {
      ++unchanged;
      continue;
    }
    try {
      const DecodedText text = read_text(file);
      const SplitResult split = split_speeches(clean(text.utf8));
      if (split.speeches.empty()) {
        warn("no speech text found", file.path);
        ++failed;
        continue;
      }
      paragraphs += writer.write_file(file, split.speeches);
      speeches += split.speeches.size();
      ++indexed;
      if (!opt.quiet && text.encoding != "utf-8") {
        std::cerr << kProgram << ": note: read as " << text.encoding << " (" << file.path << ")\n";
      }
    } catch (const speechdex::InputError& e) {
      warn(e.what(), e.context().empty() ? file.path : e.context());
      ++failed;
      continue;
    }
    writer.commit_if_due();
  }
  writer.commit();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char summary[256];
  std::snprintf(summary, sizeof summary,
                "%zu files indexed (%zu unchanged, %zu failed), %zu speeches, %zu paragraphs, "
                "%.2f s",
                indexed, unchanged, failed, speeches, paragraphs, seconds);
  std::cout << summary << "\n";
  return failed > 0 || files.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Index folders and files of speeches (UTF-8, UTF-16 or GB18030 text) into a "
      "speechdex database. Folders are searched recursively for *.txt.",
      kProgram};
  Options opt;
  app.add_option("--db", opt.db, "database folder (created if missing)")->required();
  app.add_option("paths", opt.paths, "files and folders to index")->required();
  app.add_flag("--force", opt.force, "re-index files even if unchanged since the last run");
  app.add_flag("-q,--quiet", opt.quiet, "print only warnings and the summary");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << kProgram << ": error: " << e.what() << " (try --help)\n";
    return 2;
  }
  return speechdex::run_and_report(kProgram, [&] { return run(opt); });
}
