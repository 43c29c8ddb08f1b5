// Issue 11: an index is exact or refused, whatever happens to the indexer (label: slow).
//
// Kills at random moments of a build and of an update, a failure injected into every write,
// sync and rename of an update, a full disk, readers during an update, two writers at once,
// and damaged segments and metadata. Everything is observed the way a user observes it: the
// two programs' command lines, exit statuses and messages. Of the database folder the tests
// know only what the issue names: it is a folder, and its segments are the files
// DB/text/*.seg. Hits are compared by (source, speech, paragraph) and score, never by
// document id, which differs between builds.
//
// Randomness is seeded (SPEECHDEX_INTEGRITY_SEED, default 11) and the seed is printed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "fields.h"
#include "test_support.h"

extern char** environ;

namespace speechdex::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kIndex = SPEECHDEX_INDEX_BIN;
const std::string kSearch = SPEECHDEX_SEARCH_BIN;
const std::string kGenerator = std::string(SPEECHDEX_SHARED_DIR) + "/bench/make-corpus";

unsigned seed() {
  static const unsigned s = [] {
    const char* v = std::getenv("SPEECHDEX_INTEGRITY_SEED");
    return v ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : 11u;
  }();
  return s;
}

// A seeded generator for one test, its seed printed.
std::mt19937 rng_for(const std::string& test) {
  const unsigned s = seed() ^ static_cast<unsigned>(std::hash<std::string>{}(test));
  std::cout << "[ seed     ] " << test << ": SPEECHDEX_INTEGRITY_SEED=" << seed()
            << " (generator seed " << s << ")\n";
  return std::mt19937(s);
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void sleep_for(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The number --count printed, or -1 when it printed something else.
long to_count(const std::string& out) {
  char* end = nullptr;
  const long n = std::strtol(out.c_str(), &end, 10);
  return end != out.c_str() && std::string(end) == "\n" && n >= 0 ? n : -1;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Where the outputs of child processes go: one folder for the whole test process.
const std::string& scratch() {
  static const std::unique_ptr<TempDir> dir = std::make_unique<TempDir>();
  return dir->path();
}

// ---------------------------------------------------------------------------------------
// Processes: spawned directly (no shell), so that a crash is seen as the signal it is.

struct Outcome {
  int code = -1;   // exit status; -1 when ended by a signal
  int signal = 0;  // the signal that ended it, or 0
  std::string out, err;
  double seconds = 0;

  bool ok() const { return code == 0; }
  std::string describe() const {
    if (signal != 0) return "killed by signal " + std::to_string(signal) + " " + first_line(err);
    return "exit " + std::to_string(code) + (err.empty() ? "" : ": " + first_line(err));
  }
};

class Child {
 public:
  explicit Child(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
    static std::atomic<unsigned> serial{0};
    const std::string base = scratch() + "/" + std::to_string(++serial);
    out_ = base + ".out";
    err_ = base + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string v = *e;
      const std::string name = v.substr(0, v.find('=') + 1);
      if (std::none_of(env.begin(), env.end(), [&](const std::string& x) {
            return x.compare(0, name.size(), name) == 0;
          })) {
        vars.push_back(v);
      }
    }
    vars.insert(vars.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (std::string& v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);
    started_ = Clock::now();
    const int rc =
        posix_spawnp(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// True, with the outcome, once the process has ended.
  bool poll(Outcome& o) { return reap(WNOHANG, o); }
  Outcome wait() {
    Outcome o;
    reap(0, o);
    return o;
  }
  void kill() { ::kill(pid_, SIGKILL); }
  double elapsed() const { return seconds_since(started_); }

 private:
  bool reap(int flags, Outcome& o) {
    if (pid_ <= 0) throw std::logic_error("child already reaped");
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, flags);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return false;
    o.seconds = elapsed();
    pid_ = 0;
    if (WIFEXITED(status)) o.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
    o.out = read_bytes(out_);
    o.err = read_bytes(err_);
    fs::remove(out_);
    fs::remove(err_);
    return true;
  }

  pid_t pid_ = 0;
  std::string out_, err_;
  Clock::time_point started_;
};

Outcome run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
  return Child(argv, env).wait();
}

std::vector<std::string> index_argv(const std::string& db, const std::vector<std::string>& args) {
  std::vector<std::string> argv{kIndex, "--quiet", "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Outcome index(const std::string& db, const std::vector<std::string>& args) {
  return run(index_argv(db, args));
}

Outcome search(const std::string& db, const std::vector<std::string>& args) {
  std::vector<std::string> argv{kSearch, "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

// Runs a command and kills it with SIGKILL `after` seconds after it started. `killed` is
// false when it ended by itself first.
struct Killed {
  Outcome outcome;
  bool killed = false;
};
Killed run_and_kill(const std::vector<std::string>& argv, double after) {
  Child c(argv);
  Killed k;
  while (!c.poll(k.outcome)) {
    if (c.elapsed() >= after) {
      c.kill();
      k.outcome = c.wait();
      k.killed = k.outcome.signal == SIGKILL;
      return k;
    }
    sleep_for(std::min(0.003, std::max(0.0, after - c.elapsed())));
  }
  return k;
}

// ---------------------------------------------------------------------------------------
// Files and folders.

void copy_tree(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::create_directories(fs::path(to).parent_path());
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

uint64_t tree_bytes(const std::string& path) {
  uint64_t total = 0;
  if (!fs::exists(path)) return 0;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(path)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    names.insert(e.path().filename().string());
  }
  return names;
}

// Folders inside a database (relative paths): work folders a run leaves behind show here.
// A records generation (records.N, docs/index.md) is named by how many compactions the
// index has been through, so every one is listed as records.N; a second one is a leftover.
std::set<std::string> folders_inside(const std::string& db) {
  std::set<std::string> out;
  if (!fs::is_directory(db)) return out;
  static const std::regex generation(R"(^records\.[0-9]+)");
  size_t generations = 0;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(db)) {
    if (!e.is_directory()) continue;
    const std::string rel = fs::relative(e.path(), db).string();
    if (std::regex_match(rel, generation)) ++generations;
    out.insert(std::regex_replace(rel, generation, "records.N"));
  }
  if (generations > 1) out.insert(std::to_string(generations) + " records generations");
  return out;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : " ") + x;
  return out;
}

// What a run left beside or inside the database that a clean build does not have: the
// database's parent folder should hold nothing but the database (each test puts every
// database alone in a folder of its own), and the database no folder that the clean one
// lacks.
std::string leftovers(const std::string& db, const std::string& clean_db) {
  std::string problems;
  const std::set<std::string> beside = entries(fs::path(db).parent_path().string());
  if (beside != std::set<std::string>{fs::path(db).filename().string()}) {
    problems += "beside the database: " + join(beside) + "; ";
  }
  const std::set<std::string> clean = folders_inside(clean_db);
  for (const std::string& f : folders_inside(db)) {
    if (!clean.count(f)) problems += "folder inside the database: " + f + "; ";
  }
  return problems;
}

std::vector<std::string> txt_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void append(const std::string& file, const std::string& text) {
  std::ofstream(file, std::ios::app | std::ios::binary) << text;
}

// A code of rare characters for a number, fixed width: no code is a prefix of another.
std::string code(unsigned n, int width = 4) {
  static const char* const kDigits[] = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"};
  std::string s;
  for (int i = 0; i < width; ++i, n /= 10) s = kDigits[n % 10] + s;
  return s;
}

// ---------------------------------------------------------------------------------------
// The 20 MB corpus of make-corpus (seed 11, ~40,000 paragraphs) and its 20 queries, made
// once per test process.

struct Corpus {
  std::string dir;
  std::vector<std::string> queries;
};

const Corpus* synth_corpus() {
  static const std::unique_ptr<Corpus> corpus = []() -> std::unique_ptr<Corpus> {
    if (!fs::exists(kGenerator)) return nullptr;
    auto c = std::make_unique<Corpus>();
    c->dir = scratch() + "/synth20";
    const Outcome gen =
        run({"python3", kGenerator, "--size-mb", "20", "--seed", "11", "--out", c->dir});
    if (!gen.ok()) throw std::runtime_error("make-corpus failed: " + gen.describe());
    const Outcome q =
        run({"python3", kGenerator, "--queries", "20", "--seed", "11", "--out", c->dir});
    if (!q.ok()) throw std::runtime_error("make-corpus --queries failed: " + q.describe());
    std::istringstream lines(q.out);
    for (std::string l; std::getline(lines, l);) {
      if (l.find('\t') != std::string::npos) c->queries.push_back(l.substr(l.find('\t') + 1));
    }
    return c;
  }();
  return corpus.get();
}

#define REQUIRE_SYNTH_CORPUS(c)                                              \
  const Corpus* c = synth_corpus();                                          \
  if (c == nullptr) GTEST_SKIP() << "no corpus generator at " << kGenerator; \
  ASSERT_EQ(c->queries.size(), 20u) << "make-corpus --queries 20 printed too few"

// data/sample copied `copies` times into `dir` (file names prefixed with the copy number).
std::vector<std::string> sample_copies(const std::string& dir, int copies) {
  fs::create_directories(dir);
  std::vector<std::string> files;
  for (int k = 0; k < copies; ++k) {
    std::vector<fs::path> sample;
    for (const fs::directory_entry& e : fs::directory_iterator(source_path("data/sample"))) {
      if (e.path().extension() == ".txt") sample.push_back(e.path());
    }
    std::sort(sample.begin(), sample.end());
    for (const fs::path& p : sample) {
      files.push_back(dir + "/" + std::to_string(k) + "_" + p.filename().string());
      fs::copy_file(p, files.back(), fs::copy_options::overwrite_existing);
    }
  }
  return files;
}

// ---------------------------------------------------------------------------------------
// Answers: what the searcher says about a query, comparable across builds.

struct Hit {
  std::string source;
  int speech = 0, paragraph = 0;
  double score = 0;
  std::string county, text;
  int year = 0;
  auto key() const { return std::tie(source, speech, paragraph, score); }
  bool operator<(const Hit& o) const { return key() < o.key(); }
  bool operator==(const Hit& o) const { return key() == o.key(); }
};

Hit parse_hit(const nlohmann::json& j) {
  Hit h;
  h.source = j.at("source").get<std::string>();
  h.speech = j.at("speech").get<int>();
  h.paragraph = j.at("paragraph").get<int>();
  h.score = j.at("score").get<double>();
  h.county = j.value("county_code", "");
  h.year = j.at("year").is_null() ? 0 : j.at("year").get<int>();
  h.text = j.at("text").get<std::string>();
  return h;
}

// The parts of a query that a hit's text must contain (not the excluded ones).
std::vector<std::string> required_parts(const std::string& query) {
  std::vector<std::string> parts;
  std::istringstream words(query);
  for (std::string w; words >> w;) {
    if (w[0] != '-') parts.push_back(w);
  }
  return parts;
}

// Parses JSON Lines hits; an error when a line does not parse or a hit's text lacks the
// query (a record that is not the paragraph the postings meant).
std::string parse_hits(const std::string& out, const std::string& query, std::vector<Hit>& hits) {
  std::istringstream lines(out);
  for (std::string l; std::getline(lines, l);) {
    try {
      hits.push_back(parse_hit(nlohmann::json::parse(l)));
    } catch (const std::exception& e) {
      return std::string("unparsable hit: ") + e.what();
    }
    for (const std::string& part : required_parts(query)) {
      if (!contains(hits.back().text, part)) {
        return "hit " + hits.back().source + "#" + std::to_string(hits.back().speech) + "/" +
               std::to_string(hits.back().paragraph) + " lacks '" + part + "'";
      }
    }
  }
  return "";
}

struct Answer {
  std::string error;      // what went wrong, or empty
  long count = -1;        // --count
  nlohmann::json facets;  // total and facets of --facets county,year -n 0
  std::vector<Hit> top;   // the top 10
};
using Answers = std::map<std::string, Answer>;

// The total and the facets of a --facets --format json answer; null when it does not parse.
nlohmann::json facets_of(const std::string& out) {
  try {
    const nlohmann::json j = nlohmann::json::parse(first_line(out));
    return {{"total", j.at("total")}, {"facets", j.at("facets")}};
  } catch (const std::exception&) {
    return nullptr;
  }
}

Answer answer(const std::string& db, const std::string& q) {
  Answer a;
  const Outcome count = search(db, {"--count", q});
  if (!count.ok()) {
    a.error = "--count: " + count.describe();
    return a;
  }
  a.count = to_count(count.out);
  const Outcome facets = search(db, {"--facets", "county,year", "--format", "json", "-n", "0", q});
  if (!facets.ok()) {
    a.error = "--facets: " + facets.describe();
    return a;
  }
  a.facets = facets_of(facets.out);
  if (a.facets.is_null()) {
    a.error = "--facets: unparsable: " + first_line(facets.out);
    return a;
  }
  const Outcome top = search(db, {"--format", "json", q});
  if (!top.ok()) {
    a.error = "top 10: " + top.describe();
    return a;
  }
  a.error = parse_hits(top.out, q, a.top);
  return a;
}

Answers answers(const std::string& db, const std::vector<std::string>& queries) {
  Answers out;
  for (const std::string& q : queries) out[q] = answer(db, q);
  return out;
}

// Differences between two sets of answers, one line each. The top 10 compares the list of
// scores exactly and, as sets, the hits scoring strictly above the 10th score: hits tied at
// the boundary may be cut differently in two builds.
std::vector<std::string> differences(const Answers& got, const Answers& want) {
  std::vector<std::string> out;
  for (const auto& [q, w] : want) {
    const auto it = got.find(q);
    if (it == got.end()) {
      out.push_back(q + ": not asked");
      continue;
    }
    const Answer& g = it->second;
    if (!g.error.empty()) {
      out.push_back(q + ": " + g.error);
      continue;
    }
    if (g.count != w.count) {
      out.push_back(q + ": count " + std::to_string(g.count) + ", want " + std::to_string(w.count));
    }
    if (g.facets != w.facets) {
      std::string d = q + ": facets differ";
      for (const char* f : {"county", "year"}) {
        const nlohmann::json& a = g.facets.at("facets").at(f);
        const nlohmann::json& b = w.facets.at("facets").at(f);
        for (const auto& [k, v] : b.items()) {
          if (!a.contains(k) || a.at(k) != v) {
            d += std::string(" (") + f + " " + k + ": " +
                 (a.contains(k) ? a.at(k).dump() : "none") + ", want " + v.dump() + ")";
            break;
          }
        }
      }
      out.push_back(d);
    }
    std::vector<double> gs, ws;
    for (const Hit& h : g.top) gs.push_back(h.score);
    for (const Hit& h : w.top) ws.push_back(h.score);
    if (gs != ws) {
      out.push_back(q + ": top-10 scores differ (" + std::to_string(gs.size()) + " hits, first " +
                    (gs.empty() ? "-" : std::to_string(gs[0])) + " vs " +
                    std::to_string(ws.size()) + " hits, first " +
                    (ws.empty() ? "-" : std::to_string(ws[0])) + ")");
      continue;
    }
    const double boundary = ws.size() == 10 ? ws.back() : -1e300;
    std::set<Hit> ga, wa;
    for (const Hit& h : g.top) {
      if (h.score > boundary) ga.insert(h);
    }
    for (const Hit& h : w.top) {
      if (h.score > boundary) wa.insert(h);
    }
    if (ga != wa) out.push_back(q + ": top-10 hits above the boundary score differ");
  }
  return out;
}

std::string summarize(const std::vector<std::string>& problems, size_t at_most = 12) {
  std::string s;
  for (size_t i = 0; i < problems.size() && i < at_most; ++i) s += "\n  " + problems[i];
  if (problems.size() > at_most) {
    s += "\n  ... and " + std::to_string(problems.size() - at_most) + " more";
  }
  return s;
}

// One line for many differences: how many, and the first few.
std::string brief(const std::vector<std::string>& differences, size_t shown = 3) {
  if (differences.empty()) return "";
  std::string s = std::to_string(differences.size()) + " differences: ";
  for (size_t i = 0; i < differences.size() && i < shown; ++i) s += differences[i] + "; ";
  return s;
}

// Every hit of a query, by file: (speech, paragraph, county, year) of each.
using FileHits = std::map<std::string, std::set<std::tuple<int, int, std::string, int>>>;

std::string hits_by_file(const std::string& db, const std::string& q, FileHits& by_file,
                         size_t* total = nullptr) {
  const Outcome r = search(db, {"--format", "json", "-n", "100000", q});
  if (!r.ok()) return "all hits: " + r.describe();
  std::vector<Hit> hits;
  const std::string e = parse_hits(r.out, q, hits);
  if (!e.empty()) return e;
  for (const Hit& h : hits) by_file[h.source].insert({h.speech, h.paragraph, h.county, h.year});
  if (total) *total = hits.size();
  return "";
}

// The facets that a set of hits adds up to, in the searcher's JSON shape.
nlohmann::json tally(const FileHits& by_file) {
  nlohmann::json county = nlohmann::json::object(), year = nlohmann::json::object();
  size_t total = 0, county_unknown = 0, year_unknown = 0;
  std::map<std::string, size_t> counties, years;
  for (const auto& [file, hits] : by_file) {
    for (const auto& [speech, paragraph, c, y] : hits) {
      ++total;
      if (c.empty()) {
        ++county_unknown;
      } else {
        ++counties[c];
      }
      if (y == 0) {
        ++year_unknown;
      } else {
        ++years[std::to_string(y)];
      }
    }
  }
  for (const auto& [k, n] : counties) county[k] = n;
  for (const auto& [k, n] : years) year[k] = n;
  county["unknown"] = county_unknown;
  year["unknown"] = year_unknown;
  return {{"total", total}, {"facets", {{"county", county}, {"year", year}}}};
}

// ---------------------------------------------------------------------------------------
// A clean build of the 20 MB corpus and what it answers.

struct Reference {
  std::string db;
  double seconds = 0;                  // how long the clean build took
  Answers answers;                     // counts, facets, top 10 of every query
  std::vector<std::string> selective;  // queries with 1..3,000 hits, checked file by file
  std::map<std::string, FileHits> by_file;
};

// Builds the corpus into `db` with `jobs` jobs and records its answers. Asserts that the
// answers are worth comparing against: every query answers, most have hits.
void build_reference(const Corpus& c, const std::string& db, int jobs, Reference& ref) {
  fs::create_directories(fs::path(db).parent_path());
  const Outcome r = index(db, {"--jobs", std::to_string(jobs), c.dir});
  ASSERT_TRUE(r.ok()) << r.describe();
  ref.db = db;
  ref.seconds = r.seconds;
  ref.answers = answers(db, c.queries);
  size_t with_hits = 0;
  for (const auto& [q, a] : ref.answers) {
    ASSERT_TRUE(a.error.empty()) << q << ": " << a.error;
    with_hits += a.count > 0;
    if (a.count > 0 && a.count <= 3000 && ref.selective.size() < 4) ref.selective.push_back(q);
  }
  ASSERT_EQ(with_hits, c.queries.size()) << "every make-corpus query has hits in a clean build";
  ASSERT_GE(ref.answers.at(c.queries[0]).count, 10000) << "the first query is a frequent one";
  ASSERT_GE(ref.selective.size(), 3u);
  for (const std::string& q : ref.selective) {
    ASSERT_EQ(hits_by_file(db, q, ref.by_file[q]), "");
  }
}

bool no_database(const Outcome& o) {
  return o.code != 0 && o.signal == 0 &&
         (contains(o.err, "no database") || contains(o.err, "not a speechdex database"));
}

// What a killed or failed fresh build may leave at its database path. Acceptable:
//  - no database: nothing was committed, and the searcher says so cleanly ("no database at
//    this path" or "not a speechdex database", a non-zero exit, no crash); or
//  - an index holding whole files of the corpus: every query answers (exit 0) with at most
//    the clean count, and for the selective queries every file with hits has exactly the
//    clean build's hits, and the facets add up to those hits.
// Never "schema version (none)", a crash, or a half-indexed file.
std::string partial_build_problem(const std::string& db, const Reference& ref) {
  const std::string first = ref.answers.begin()->first;
  const Outcome probe = search(db, {"--count", first});
  if (no_database(probe)) return "";
  std::string problems;
  for (const auto& [q, want] : ref.answers) {
    const Outcome r = search(db, {"--count", q});
    if (!r.ok()) {
      problems += q + ": " + r.describe() + "; ";
      continue;
    }
    if (to_count(r.out) < 0 || to_count(r.out) > want.count) {
      problems += q + ": count " + first_line(r.out) + " above the clean " +
                  std::to_string(want.count) + "; ";
    }
  }
  if (!problems.empty()) return problems;
  for (const std::string& q : ref.selective) {
    FileHits got;
    const std::string e = hits_by_file(db, q, got);
    if (!e.empty()) return q + ": " + e;
    for (const auto& [file, hits] : got) {
      const auto want = ref.by_file.at(q).find(file);
      if (want == ref.by_file.at(q).end() || want->second != hits) {
        return q + ": " + file + " has " + std::to_string(hits.size()) + " hits, the clean build " +
               std::to_string(want == ref.by_file.at(q).end() ? 0 : want->second.size());
      }
    }
    const Outcome f = search(db, {"--facets", "county,year", "--format", "json", "-n", "0", q});
    if (!f.ok()) return q + ": --facets: " + f.describe();
    if (facets_of(f.out) != tally(got)) return q + ": facets do not add up to the hits";
  }
  return "";
}

// Kill moments: one in each of `fractions.size() - 1` strata of the build's duration, each
// drawn at random within its stratum.
std::vector<double> kill_fractions(std::mt19937& rng, const std::vector<double>& bounds) {
  std::vector<double> out;
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    out.push_back(std::uniform_real_distribution<double>(bounds[i], bounds[i + 1])(rng));
  }
  return out;
}

// Runs `argv` and kills it at `fraction` of `duration`; when it finishes first (the machine
// was faster this time), tries again on `reset()` at the same fraction of the run it just
// measured, up to four times. Returns the kill, or nullopt if it never landed.
std::optional<Killed> kill_at(const std::vector<std::string>& argv, double fraction,
                              double& duration, const std::function<void()>& reset) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    reset();
    Killed k = run_and_kill(argv, fraction * duration);
    if (k.killed) return k;
    duration = k.outcome.seconds;
    fraction *= 0.97;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// 1. kill -9 during a fresh build.

void killed_build(int jobs) {
  REQUIRE_SYNTH_CORPUS(c);
  std::mt19937 rng = rng_for("KilledBuild jobs " + std::to_string(jobs));
  TempDir dir;
  Reference ref;
  build_reference(*c, dir.path() + "/clean/db", jobs, ref);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_EQ(partial_build_problem(ref.db, ref), "") << "the check holds on a clean build";
  std::cout << "[ measured ] clean build with " << jobs << " job(s): " << ref.seconds << " s\n";
  // Early, late, and during the final compaction (the last few percent of the run).
  const std::vector<double> fractions = kill_fractions(rng, {0.08, 0.5, 0.93, 0.985});
  std::vector<std::string> problems;
  double duration = ref.seconds;
  int kills = 0;
  for (size_t i = 0; i < fractions.size(); ++i) {
    const std::string db = dir.path() + "/kill" + std::to_string(i) + "/db";
    const std::vector<std::string> argv = index_argv(db, {"--jobs", std::to_string(jobs), c->dir});
    const std::optional<Killed> k = kill_at(argv, fractions[i], duration, [&] {
      fs::remove_all(fs::path(db).parent_path());
      fs::create_directories(fs::path(db).parent_path());
    });
    if (!k) {
      problems.push_back("kill " + std::to_string(i) + ": the build always finished first");
      continue;
    }
    ++kills;
    const std::string at = "kill at " + std::to_string(k->outcome.seconds).substr(0, 5) +
                           " s of a " + std::to_string(duration).substr(0, 5) + " s run: ";
    std::cout << "[ kill     ] " << at << "\n";
    const std::string partial = partial_build_problem(db, ref);
    if (!partial.empty()) problems.push_back(at + "after the kill: " + partial);
    const Outcome again = run(argv);
    if (!again.ok()) {
      problems.push_back(at + "the re-run: " + again.describe());
      continue;
    }
    const std::string d = brief(differences(answers(db, c->queries), ref.answers));
    if (!d.empty()) problems.push_back(at + "after the re-run: " + d);
    const std::string left = leftovers(db, ref.db);
    if (!left.empty()) problems.push_back(at + "after the re-run: " + left);
  }
  EXPECT_EQ(kills, static_cast<int>(fractions.size())) << "every kill landed mid-run";
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems:" << summarize(problems);
}

TEST(Integrity, KilledBuildOneJobOpensAndReRunEqualsCleanBuild) { killed_build(1); }
TEST(Integrity, KilledBuildTwoJobsOpensAndReRunEqualsCleanBuild) { killed_build(2); }

// ---------------------------------------------------------------------------------------
// 2. kill -9 during an update of 1,000 changed files.

// The planted paragraph appended to a changed file: none of the make-corpus queries
// matches it, so re-indexing a changed file leaves their counts alone.
const std::string kPlanted = "核验补记";

std::vector<std::string> plant(std::mt19937& rng, const std::string& corpus, size_t n,
                               const std::string& tag) {
  std::vector<std::string> files = txt_files(corpus);
  std::shuffle(files.begin(), files.end(), rng);
  files.resize(std::min(n, files.size()));
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i) {
    append(files[i], "\n" + kPlanted + tag + code(static_cast<unsigned>(i)) + "。\n");
  }
  return files;
}

void assert_planted_matches_no_query(const Corpus& c, const std::string& tag) {
  const std::string sample = kPlanted + tag + code(1234) + "。";
  for (const std::string& q : c.queries) {
    bool all = true;
    for (const std::string& part : required_parts(q)) all = all && contains(sample, part);
    ASSERT_FALSE(all) << "the planted paragraph matches " << q;
  }
}

// After a killed update: commits fall between files, so each changed file is there in its
// old or its new version, whole. The make-corpus queries match nothing planted, so their
// counts and facets are exactly those before the update; the planted paragraph is there at
// most once per file.
std::string partial_update_problem(const std::string& db, const Answers& before, size_t planted) {
  std::string problems;
  for (const auto& [q, want] : before) {
    const Outcome r = search(db, {"--count", q});
    if (!r.ok()) return q + ": " + r.describe();
    if (to_count(r.out) != want.count) {
      problems += q + ": count " + first_line(r.out) + ", before the update " +
                  std::to_string(want.count) + "; ";
    }
  }
  for (const auto& [q, want] : before) {
    const Outcome f = search(db, {"--facets", "county,year", "--format", "json", "-n", "0", q});
    if (!f.ok()) return q + ": --facets: " + f.describe();
    if (facets_of(f.out) != want.facets) {
      problems += q + ": facets differ from before the update; ";
    }
    const Outcome top = search(db, {"--format", "json", q});
    std::vector<Hit> hits;
    const std::string e = top.ok() ? parse_hits(top.out, q, hits) : top.describe();
    if (!e.empty()) problems += q + ": top 10: " + e + "; ";
  }
  FileHits got;
  size_t total = 0;
  const std::string e = hits_by_file(db, kPlanted, got, &total);
  if (!e.empty()) return problems + kPlanted + ": " + e;
  for (const auto& [file, hits] : got) {
    if (hits.size() > 1) problems += file + ": planted " + std::to_string(hits.size()) + " times; ";
  }
  if (total > planted) problems += "more planted paragraphs than files changed; ";
  return problems;
}

TEST(Integrity, KilledUpdateOpensAndReRunEqualsUninterruptedUpdate) {
  REQUIRE_SYNTH_CORPUS(c);
  assert_planted_matches_no_query(*c, "");
  std::mt19937 rng = rng_for("KilledUpdate");
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", start = dir.path() + "/start/db";
  copy_tree(c->dir, corpus);
  fs::create_directories(fs::path(start).parent_path());
  ASSERT_TRUE(index(start, {"--jobs", "2", corpus}).ok());
  const Answers before = answers(start, c->queries);
  for (const auto& [q, a] : before) ASSERT_TRUE(a.error.empty()) << q << ": " << a.error;
  ASSERT_EQ(plant(rng, corpus, 1000, "").size(), 1000u);
  std::vector<std::string> queries = c->queries;
  queries.push_back(kPlanted);

  // The uninterrupted update, on a copy of the starting index.
  const std::string clean = dir.path() + "/clean/db";
  copy_tree(start, clean);
  const Outcome update = index(clean, {corpus});
  ASSERT_TRUE(update.ok()) << update.describe();
  std::cout << "[ measured ] uninterrupted update of 1,000 files: " << update.seconds << " s\n";
  const Answers want = answers(clean, queries);
  ASSERT_EQ(want.at(kPlanted).count, 1000) << "each changed file got one planted paragraph";
  for (const auto& [q, a] : before) {
    ASSERT_EQ(want.at(q).count, a.count) << q << ": the update changes no query's count";
  }
  ASSERT_EQ(partial_update_problem(start, before, 1000), "") << "the check holds before";
  ASSERT_EQ(partial_update_problem(clean, before, 1000), "") << "the check holds after";

  const std::vector<double> fractions = kill_fractions(rng, {0.05, 0.4, 0.75, 0.98});
  std::vector<std::string> problems;
  double duration = update.seconds;
  int kills = 0;
  std::string db;
  for (size_t i = 0; i < fractions.size(); ++i) {
    db = dir.path() + "/kill" + std::to_string(i) + "/db";
    const std::vector<std::string> argv = index_argv(db, {corpus});
    const std::optional<Killed> k =
        kill_at(argv, fractions[i], duration, [&] { copy_tree(start, db); });
    if (!k) {
      problems.push_back("kill " + std::to_string(i) + ": the update always finished first");
      continue;
    }
    ++kills;
    const std::string at = "kill at " + std::to_string(k->outcome.seconds).substr(0, 5) +
                           " s of a " + std::to_string(duration).substr(0, 5) + " s run: ";
    std::cout << "[ kill     ] " << at << "\n";
    const std::string partial = partial_update_problem(db, before, 1000);
    if (!partial.empty()) problems.push_back(at + "after the kill: " + partial);
    const Outcome again = run(argv);
    if (!again.ok()) {
      problems.push_back(at + "the re-run: " + again.describe());
      continue;
    }
    const std::string d = brief(differences(answers(db, queries), want));
    if (!d.empty()) problems.push_back(at + "after the re-run: " + d);
    const std::string left = leftovers(db, clean);
    if (!left.empty()) problems.push_back(at + "after the re-run: " + left);
  }
  EXPECT_EQ(kills, static_cast<int>(fractions.size())) << "every kill landed mid-run";
  // --force on the last recovered index re-reads every file and ends where the update did.
  const Outcome forced = index(db, {"--force", corpus});
  if (!forced.ok()) {
    problems.push_back("--force on the recovered index: " + forced.describe());
  } else {
    const std::string d = brief(differences(answers(db, queries), want));
    if (!d.empty()) problems.push_back("after --force: " + d);
  }
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems:" << summarize(problems);
}

// ---------------------------------------------------------------------------------------
// 3. A failure injected into each write, sync and rename of an update.

// In the small corpus of these tests every file ends with a marker paragraph naming the file
// and its version (版甲 before the update, 版乙 after), so that the searcher tells which
// version of each file an index holds.
std::string marker(unsigned file, const std::string& version) {
  return "核验记号" + code(file, 3) + "版" + version + "。";
}

// What an index answers to a few queries, file by file: every hit; for the first query
// also the count and the facets.
struct State {
  std::string error;
  std::map<std::string, FileHits> hits;  // by query
  std::map<std::string, std::vector<double>> top_scores;
  std::map<std::string, long> counts;
  std::map<std::string, nlohmann::json> facets;
  std::map<std::string, std::string> versions;  // file -> 甲 or 乙, from the markers
};

const std::vector<std::string> kSmallQueries = {"依法行政", "版甲", "版乙"};

State read_state(const std::string& db) {
  State s;
  for (const std::string& q : kSmallQueries) {
    const Outcome all = search(db, {"--format", "json", "-n", "100000", q});
    std::vector<Hit> hits;
    const std::string e = all.ok() ? parse_hits(all.out, q, hits) : all.describe();
    if (!e.empty()) {
      s.error = q + ": " + e;
      return s;
    }
    for (const Hit& h : hits) s.hits[q][h.source].insert({h.speech, h.paragraph, h.county, h.year});
    for (size_t i = 0; i < hits.size() && i < 10; ++i) s.top_scores[q].push_back(hits[i].score);
    if (q != kSmallQueries[0]) continue;  // the markers: their hits are what counts
    const Outcome count = search(db, {"--count", q});
    if (!count.ok()) {
      s.error = q + ": --count: " + count.describe();
      return s;
    }
    s.counts[q] = to_count(count.out);
    const Outcome f = search(db, {"--facets", "county,year", "--format", "json", "-n", "0", q});
    if (!f.ok()) {
      s.error = q + ": --facets: " + f.describe();
      return s;
    }
    s.facets[q] = facets_of(f.out);
  }
  for (const char* v : {"甲", "乙"}) {
    for (const auto& [file, hits] : s.hits[std::string("版") + v]) {
      if (s.versions.count(file) || hits.size() != 1) {
        s.error = file + ": its marker is there more than once";
        return s;
      }
      s.versions[file] = v;
    }
  }
  return s;
}

// Checks an index against the states before and after an update. Every file must be there
// in a version it may have: a file indexed before, in its old or its new version (never
// gone); a new file, absent or in its new version (with `after_only`, only the after
// state's versions). Then for every query each file's hits must be exactly that version's
// hits in the reference index that holds it, and the count and the facets must add up to
// the hits. This admits the state before, the state after, and any state in between that
// whole files make.
std::string state_problem(const State& s, const State& before, const State& after,
                          bool after_only) {
  if (!s.error.empty()) return s.error;
  std::set<std::string> files;
  for (const State* x : {&s, &before, &after}) {
    for (const auto& [file, v] : x->versions) files.insert(file);
  }
  std::map<std::string, const State*> holder;  // file -> the reference with its version
  for (const std::string& f : files) {
    const auto version = [&](const State& x) {
      const auto it = x.versions.find(f);
      return it == x.versions.end() ? std::string("none") : it->second;
    };
    const std::string v = version(s);
    if (v == version(after)) {
      holder[f] = &after;
    } else if (!after_only && v == version(before)) {
      holder[f] = &before;
    } else {
      return f + ": version " + v + ", before " + version(before) + ", after " + version(after);
    }
  }
  for (const std::string& q : kSmallQueries) {
    const FileHits& got = s.hits.count(q) ? s.hits.at(q) : FileHits{};
    size_t total = 0;
    for (const auto& [file, hits] : got) {
      total += hits.size();
      if (!files.count(file)) return q + ": hits in " + file + ", a file without its marker";
    }
    for (const std::string& f : files) {
      const State& ref = *holder.at(f);
      const auto want = ref.hits.count(q) ? ref.hits.at(q).find(f) : FileHits::const_iterator{};
      const bool has_want = ref.hits.count(q) && want != ref.hits.at(q).end();
      const auto have = got.find(f);
      const size_t w = has_want ? want->second.size() : 0;
      const size_t h = have == got.end() ? 0 : have->second.size();
      if (w != h || (w > 0 && want->second != have->second)) {
        return q + ": " + f + " has " + std::to_string(h) + " hits, its version " +
               std::to_string(w);
      }
    }
    if (!s.counts.count(q)) continue;
    if (s.counts.at(q) != static_cast<long>(total)) {
      return q + ": --count " + std::to_string(s.counts.at(q)) + ", hits " + std::to_string(total);
    }
    if (s.facets.at(q) != tally(got)) return q + ": facets do not add up to the hits";
  }
  return "";
}

TEST(Integrity, EveryFailedWriteSyncOrRenameLeavesAnExactIndex) {
#if defined(SPEECHDEX_SANITIZED)
  GTEST_SKIP() << "AddressSanitizer's interposition conflicts with the LD_PRELOAD shim";
#endif
  const std::string shim = SPEECHDEX_FAULT_INJECT_LIB;
  ASSERT_TRUE(fs::exists(shim)) << shim;
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", start = dir.path() + "/start/db";
  const std::vector<std::string> files = sample_copies(corpus, 2);
  ASSERT_EQ(files.size(), 10u);
  for (size_t i = 0; i < files.size(); ++i) {
    append(files[i], "\n" + marker(static_cast<unsigned>(i), "甲") + "\n");
  }
  fs::create_directories(fs::path(start).parent_path());
  ASSERT_TRUE(index(start, {corpus}).ok());
  // The update: two files of the first copy change (a paragraph more, a new marker); two
  // files are new.
  for (size_t i = 0; i < 2; ++i) {
    const std::string text = read_bytes(files[i + 5]);  // the same sample file, copy 1
    std::ofstream(files[i], std::ios::trunc | std::ios::binary)
        << text.substr(0, text.rfind("核验记号"))
        << "\n修改后新增的一段：坚持依法行政，提高执行力。\n\n"
        << marker(static_cast<unsigned>(i), "乙") << "\n";
    const std::string added = corpus + "/new_" + std::to_string(i) + ".txt";
    std::ofstream(added, std::ios::binary) << text.substr(0, text.rfind("核验记号")) << "\n"
                                           << marker(static_cast<unsigned>(10 + i), "乙") << "\n";
  }
  const std::vector<std::string> args = {"--compact", "always", corpus};
  const std::string after_db = dir.path() + "/after/db";
  copy_tree(start, after_db);
  ASSERT_TRUE(index(after_db, args).ok());
  const State before = read_state(start), after = read_state(after_db);
  ASSERT_EQ(before.error, "");
  ASSERT_EQ(after.error, "");
  ASSERT_EQ(before.versions.size(), 10u);
  ASSERT_EQ(after.versions.size(), 12u);
  ASSERT_EQ(after.hits.at("版乙").size(), 4u);
  ASSERT_GT(after.counts.at("依法行政"), before.counts.at("依法行政"));
  ASSERT_EQ(state_problem(before, before, after, false), "");
  ASSERT_EQ(state_problem(after, before, after, true), "");

  // How many calls the update makes, twice: the numbering must not change between runs.
  const std::string db = dir.path() + "/run/db", report = dir.path() + "/report";
  const auto calls = [&](const std::vector<std::string>& env) {
    copy_tree(start, db);
    fs::remove(report);
    std::vector<std::string> e = {"LD_PRELOAD=" + shim, "SPEECHDEX_FAULT_REPORT=" + report};
    e.insert(e.end(), env.begin(), env.end());
    const Outcome o = run(index_argv(db, args), e);
    return std::make_pair(o, read_bytes(report));
  };
  const auto [counted, counted_report] = calls({});
  ASSERT_TRUE(counted.ok()) << counted.describe();
  ASSERT_EQ(counted_report.rfind("calls ", 0), 0u) << counted_report;
  const long total = std::stol(counted_report.substr(6));
  ASSERT_EQ(calls({}).second, counted_report) << "the update's calls are not reproducible";
  ASSERT_GT(total, 20);
  std::cout << "[ measured ] the update makes " << total << " counted calls\n";

  struct Plan {
    std::string errno_name;
    long stride;
  };
  std::vector<std::string> problems;
  std::map<std::string, int> outcomes, troubled;  // troubled: runs with problems, by call
  int injected = 0, runs = 0;
  // Every call fails in turn with EIO; every eleventh with ENOSPC.
  for (const Plan& plan : {Plan{"EIO", 1}, Plan{"ENOSPC", 11}}) {
    for (long n = 1; n <= total; n += plan.stride) {
      ++runs;
      const auto [o, rep] = calls(
          {"SPEECHDEX_FAULT_AT=" + std::to_string(n), "SPEECHDEX_FAULT_ERRNO=" + plan.errno_name});
      const std::string at = plan.errno_name + " at call " + std::to_string(n) + ": ";
      const std::string what = rep.substr(0, rep.find('\n'));
      injected += what.rfind("injected " + std::to_string(n) + " ", 0) == 0;
      const size_t before_run = problems.size();
      if (o.signal != 0) {
        problems.push_back(at + "(" + what + ") " + o.describe());
      } else if (!o.ok() && !contains(o.err, "error")) {
        problems.push_back(at + "(" + what + ") exit " + std::to_string(o.code) +
                           " without an error message");
      }
      const State s = read_state(db);
      const std::string p = state_problem(s, before, after, o.ok());
      ++outcomes[std::string(o.ok() ? "exit 0" : "failed") +
                 (s.error.empty() ? "" : ", index refused")];
      if (!p.empty()) {
        problems.push_back(at + "(" + what + ", " + o.describe() + ") " + p);
      }
      const Outcome again = index(db, args);
      if (!again.ok()) {
        problems.push_back(at + "the re-run: " + again.describe());
      } else {
        const State final_state = read_state(db);
        std::string q = state_problem(final_state, before, after, true);
        if (q.empty() && final_state.top_scores != after.top_scores) q = "top-10 scores differ";
        if (!q.empty()) problems.push_back(at + "after the re-run: " + q);
      }
      if (problems.size() > before_run) {
        std::istringstream words(what);
        std::string word, call;
        words >> word >> word >> call;  // "injected N <call> <errno>"
        ++troubled[plan.errno_name + " " + call];
      }
    }
  }
  std::cout << "[ outcomes ]";
  for (const auto& [k, n] : outcomes) std::cout << " " << k << ": " << n << ";";
  std::cout << "\n[ troubled ] runs with problems, by failed call:";
  for (const auto& [k, n] : troubled) std::cout << " " << k << ": " << n << ";";
  std::cout << "\n";
  EXPECT_EQ(injected, runs) << "the shim injected a failure in every run";
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems in " << runs
                                << " runs:" << summarize(problems, 80);
}

// ---------------------------------------------------------------------------------------
// 4. A full disk.

// A tmpfs mounted for the test's lifetime.
class Tmpfs {
 public:
  Tmpfs(const std::string& dir, int mb) : dir_(dir) {
    fs::create_directories(dir);
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0,
                       ("size=" + std::to_string(mb) + "m").c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  bool resize(int mb) {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT,
                   ("size=" + std::to_string(mb) + "m").c_str()) == 0;
  }

 private:
  std::string dir_, error_;
  bool mounted_ = false;
};

TEST(Integrity, FullDiskFailsClearlyAndReRunEqualsCleanBuild) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  REQUIRE_SYNTH_CORPUS(c);
  TempDir dir;
  {
    Tmpfs probe(dir.path() + "/probe", 1);
    if (!probe.mounted()) GTEST_SKIP() << "cannot mount a tmpfs: " << probe.error();
  }
  Reference ref;
  build_reference(*c, dir.path() + "/clean/db", 1, ref);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_EQ(partial_build_problem(ref.db, ref), "") << "the check holds on a clean build";
  const double clean_bytes = static_cast<double>(tree_bytes(ref.db));
  std::vector<std::string> problems;
  int ran_out = 0;
  for (int mb : {40, 60, 90}) {
    const std::string at = std::to_string(mb) + " MB: ";
    Tmpfs disk(dir.path() + "/disk" + std::to_string(mb), mb);
    ASSERT_TRUE(disk.mounted()) << disk.error();
    const std::string db = dir.path() + "/disk" + std::to_string(mb) + "/db";
    const Outcome r = index(db, {c->dir});
    std::cout << "[ disk     ] " << at << r.describe() << "\n";
    if (r.ok()) {
      std::cout << "[ disk     ] " << at << "the build fitted\n";
    } else {
      ++ran_out;
      if (r.signal != 0) problems.push_back(at + r.describe());
      const std::string message = lower(r.err);
      if (!contains(message, "no space") && !contains(message, "enospc")) {
        problems.push_back(at + "the message does not say the disk is full: " + first_line(r.err));
      }
      if (!contains(r.err, db)) {
        problems.push_back(at + "the message does not name the database: " + first_line(r.err));
      }
      const std::string partial = partial_build_problem(db, ref);
      if (!partial.empty()) problems.push_back(at + "after the failure: " + partial);
    }
    ASSERT_TRUE(disk.resize(400));
    const Outcome again = index(db, {c->dir});
    if (!again.ok()) {
      problems.push_back(at + "the re-run with room: " + again.describe());
      continue;
    }
    const std::string d = brief(differences(answers(db, c->queries), ref.answers));
    if (!d.empty()) problems.push_back(at + "after the re-run: " + d);
    const std::string left = leftovers(db, ref.db);
    if (!left.empty()) problems.push_back(at + "after the re-run: " + left);
    // A re-run ends as compact as a clean build, with nothing else inside the database.
    const double bytes = static_cast<double>(tree_bytes(db));
    if (std::abs(bytes - clean_bytes) > 0.05 * clean_bytes) {
      problems.push_back(at + "after the re-run the database has " + std::to_string(bytes / 1e6) +
                         " MB, a clean build " + std::to_string(clean_bytes / 1e6) + " MB");
    }
  }
  EXPECT_GE(ran_out, 1) << "the disk never ran out: the test tested nothing";
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems:" << summarize(problems);
}

// ---------------------------------------------------------------------------------------
// 5. Readers during an update.

TEST(Integrity, ReadersDuringAnUpdateAlwaysAnswerExactly) {
  REQUIRE_SYNTH_CORPUS(c);
  assert_planted_matches_no_query(*c, "读者");
  std::mt19937 rng = rng_for("Readers");
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", db = dir.path() + "/db/db";
  copy_tree(c->dir, corpus);
  fs::create_directories(fs::path(db).parent_path());
  ASSERT_TRUE(index(db, {"--jobs", "2", corpus}).ok());
  // Frequent, rare and AND queries; the update re-indexes the files that hold their hits
  // but changes none of them.
  std::vector<std::string> queries;
  for (size_t i : {0, 5, 8, 12, 16, 19}) queries.push_back(c->queries[i]);
  const Answers before = answers(db, queries);
  for (const auto& [q, a] : before) ASSERT_TRUE(a.error.empty()) << q << ": " << a.error;
  queries.push_back(kPlanted);

  // One reader: --count, or JSON with facets and three hits. A query the update does not
  // touch must answer exactly as before it. The planted paragraphs may be seen partly
  // added (commits fall between files), but never fewer than a reader saw before.
  long planted = 0, last_planted = 0;
  const auto reader = [&](size_t i) -> std::string {
    const std::string& q = queries[i % queries.size()];
    const bool json = (i / queries.size()) % 2 == 1;
    const Outcome r =
        json ? search(db, {"--format", "json", "--facets", "county,year", "-n", "3", q})
             : search(db, {"--count", q});
    const std::string at = q + (json ? " (json): " : " (--count): ");
    if (!r.ok()) return at + r.describe();
    long count = -1;
    if (json) {
      try {
        const nlohmann::json j = nlohmann::json::parse(first_line(r.out));
        count = j.at("total").get<long>();
        if (q != kPlanted && nlohmann::json({{"total", j.at("total")},
                                             {"facets", j.at("facets")}}) != before.at(q).facets) {
          return at + "facets differ from before the update";
        }
        std::vector<Hit> hits;
        const std::string e = parse_hits(r.out.substr(r.out.find('\n') + 1), q, hits);
        if (!e.empty()) return at + e;
      } catch (const std::exception& e) {
        return at + "unparsable: " + e.what();
      }
    } else {
      count = to_count(r.out);
    }
    if (q != kPlanted) {
      if (count != before.at(q).count) {
        return at + "count " + std::to_string(count) + ", unchanged " +
               std::to_string(before.at(q).count);
      }
    } else if (count < last_planted || count > planted + 2000) {
      return at + "planted paragraphs " + std::to_string(count) + " after " +
             std::to_string(last_planted) + ", the update ends at " +
             std::to_string(planted + 2000);
    } else {
      last_planted = count;
    }
    return "";
  };
  // The readers' checks hold on the index at rest.
  for (size_t i = 0; i < 2 * queries.size(); ++i) ASSERT_EQ(reader(i), "") << "at rest";

  for (const std::string mode : {"auto", "always"}) {
    const std::string round = "--compact " + mode + ": ";
    ASSERT_EQ(plant(rng, corpus, 2000, mode == std::string("auto") ? "读者甲" : "读者乙").size(),
              2000u);
    std::vector<std::string> problems;
    size_t readers = 0, overlapped = 0;
    last_planted = planted;
    Child writer(index_argv(db, {"--compact", mode, corpus}));
    Outcome wrote;
    for (bool done = false; !done; ++readers) {
      const std::string p = reader(readers);
      done = writer.poll(wrote);
      overlapped += !done;  // this reader started and ended while the writer ran
      if (!p.empty()) problems.push_back(round + p);
      sleep_for(0.005);  // leave the writer some of the second core
    }
    planted += 2000;
    std::cout << "[ readers  ] " << round << readers << " readers, " << overlapped
              << " of them wholly during the update (" << wrote.seconds << " s), "
              << problems.size() << " failed\n";
    EXPECT_TRUE(wrote.ok()) << round << wrote.describe();
    EXPECT_GE(overlapped, 20u) << round << "too few readers overlapped the writer";
    const Outcome final_count = search(db, {"--count", kPlanted});
    EXPECT_EQ(final_count.out, std::to_string(planted) + "\n") << round;
    EXPECT_TRUE(problems.empty()) << round << problems.size() << " of " << readers
                                  << " readers failed:" << summarize(problems);
  }
}

// ---------------------------------------------------------------------------------------
// 6. Two writers at once, on a small index: a run takes a fraction of a second, so starts
// 0-0.3 s apart race through every step, compaction included.

// A refusal that says the database is locked (the word, not "block").
bool refused_as_locked(const Outcome& o) {
  static const std::regex kLocked("\\block(ed)?\\b", std::regex::icase);
  return o.code != 0 && o.signal == 0 && std::regex_search(o.err, kLocked);
}

const std::vector<std::string> kRaceQueries = {"依法行政", "发展", "法治政府"};

TEST(Integrity, TwoWritersRacingThroughCompactionBothLandOnce) {
  std::mt19937 rng = rng_for("TwoWriters");
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", clean = dir.path() + "/clean/db";
  sample_copies(corpus, 3);
  fs::create_directories(fs::path(clean).parent_path());
  ASSERT_TRUE(index(clean, {corpus}).ok());
  const std::string x = dir.path() + "/extra/x.txt", y = dir.path() + "/extra/y.txt";
  const std::string pa = "核验甲方专用段落", pb = "核验乙方专用段落";
  fs::create_directories(dir.path() + "/extra");
  std::ofstream(x) << "在全县大会上的讲话\n\n今天只讲一件事：" << pa << "。\n";
  std::ofstream(y) << "在全县大会上的讲话\n\n今天只讲一件事：" << pb << "。\n";
  std::vector<std::string> queries = kRaceQueries;
  queries.push_back(pa);
  queries.push_back(pb);
  // What the two files make when indexed one after the other.
  const std::string serial = dir.path() + "/serial/db";
  copy_tree(clean, serial);
  const Outcome alone = index(serial, {"--compact", "always", x});
  ASSERT_TRUE(alone.ok()) << alone.describe();
  ASSERT_TRUE(index(serial, {"--compact", "always", y}).ok());
  std::map<std::string, long> want;
  for (const std::string& q : queries) want[q] = to_count(search(serial, {"--count", q}).out);
  ASSERT_EQ(want.at(pa), 1);
  ASSERT_EQ(want.at(pb), 1);
  ASSERT_GT(want.at(kRaceQueries[0]), 0);
  std::cout << "[ measured ] writer A alone: " << alone.seconds << " s\n";

  std::vector<std::string> problems;
  std::map<std::string, int> outcomes;
  int overlapping = 0;  // races in which B started before A ended
  // B starts 0-0.3 s after A: 24 starts spread over one and a half of A's runs (the window
  // in which B can land inside A's compaction is a few milliseconds wide), then 0.1, 0.2
  // and 0.3 s. Every other B compacts too.
  std::vector<double> offsets;
  const double span = 1.5 * std::max(alone.seconds, 0.05);
  for (int k = 0; k < 24; ++k) {
    offsets.push_back(
        std::max(0.0, span * k / 24 + std::uniform_real_distribution<double>(-0.002, 0.002)(rng)));
  }
  offsets.insert(offsets.end(), {0.1, 0.2, 0.3});
  for (size_t k = 0; k < offsets.size(); ++k) {
    const double offset = offsets[k];
    const std::string db = dir.path() + "/race" + std::to_string(k) + "/db";
    copy_tree(clean, db);
    const std::vector<std::string> a_argv = index_argv(db, {"--compact", "always", x});
    const std::vector<std::string> b_argv =
        k % 2 == 0 ? index_argv(db, {"--compact", "always", y}) : index_argv(db, {y});
    Child a(a_argv);
    sleep_for(offset);
    Outcome oa;
    const bool a_ended_first = a.poll(oa);
    Child b(b_argv);
    if (!a_ended_first) oa = a.wait();
    const Outcome& a_outcome = oa;
    const Outcome ob = b.wait();
    overlapping += !a_ended_first;
    const std::string at = "B " + std::to_string(offset).substr(0, 5) + " s after A: ";
    ++outcomes[std::string("A ") + (oa.ok() ? "ok" : "failed") + ", B " +
               (ob.ok() ? "ok" : "failed")];
    if (!oa.ok() && !ob.ok()) problems.push_back(at + "both failed");
    for (const auto& [o, argv, name] :
         {std::tie(a_outcome, a_argv, "A"), std::tie(ob, b_argv, "B")}) {
      if (o.ok()) continue;
      if (!refused_as_locked(o)) {
        problems.push_back(at + name +
                           " failed without saying the database is locked: " + o.describe());
      }
      const Outcome again = run(argv);
      if (!again.ok()) problems.push_back(at + name + " re-run: " + again.describe());
    }
    std::string counts;
    for (const std::string& q : queries) {
      const Outcome r = search(db, {"--count", q});
      if (!r.ok()) {
        counts += q + ": " + r.describe() + "; ";
      } else if (to_count(r.out) != want.at(q)) {
        counts +=
            q + ": count " + first_line(r.out) + ", want " + std::to_string(want.at(q)) + "; ";
      }
    }
    if (!counts.empty()) problems.push_back(at + counts);
    const std::string left = leftovers(db, clean);
    if (!left.empty()) problems.push_back(at + left);
  }
  std::cout << "[ races    ] " << overlapping << " of " << offsets.size() << " overlapped;";
  for (const auto& [k, n] : outcomes) std::cout << " " << k << ": " << n << ";";
  std::cout << "\n";
  EXPECT_GE(overlapping, 3) << "too few races: A ended before B started";
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems:" << summarize(problems);
}

// Two fresh --jobs 2 builds into one new database: started at once, one is refused as
// locked and the other builds it; started a little apart, each either succeeds or is
// refused as locked. Either way the index answers as a clean build does.
TEST(Integrity, TwoFreshParallelBuildsIntoOneDatabase) {
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", clean = dir.path() + "/clean/db";
  sample_copies(corpus, 3);
  fs::create_directories(fs::path(clean).parent_path());
  ASSERT_TRUE(index(clean, {"--jobs", "2", corpus}).ok());
  const Answers want = answers(clean, kRaceQueries);
  std::vector<std::string> problems;
  int k = 0;
  for (double offset : {0.0, 0.0, 0.0, 0.02, 0.05, 0.1, 0.2}) {
    const std::string db = dir.path() + "/fresh" + std::to_string(k++) + "/db";
    fs::create_directories(fs::path(db).parent_path());
    const std::vector<std::string> argv = index_argv(db, {"--jobs", "2", corpus});
    Child p(argv);
    sleep_for(offset);
    Child q(argv);
    const Outcome op = p.wait(), oq = q.wait();
    const std::string at = "second " + std::to_string(offset).substr(0, 4) + " s after: ";
    std::cout << "[ fresh    ] " << at << op.describe() << "; " << oq.describe() << "\n";
    if (!op.ok() && !oq.ok()) {
      problems.push_back(at + "both failed (" + op.describe() + "; " + oq.describe() + ")");
    } else if (offset == 0 && op.ok() && oq.ok()) {
      problems.push_back(at + "both succeeded: neither was refused");
    }
    for (const Outcome* o : {&op, &oq}) {
      if (!o->ok() && !refused_as_locked(*o)) {
        problems.push_back(at + "not refused as locked: " + o->describe());
      }
    }
    const std::string d = brief(differences(answers(db, kRaceQueries), want));
    if (!d.empty()) problems.push_back(at + d);
    const std::string left = leftovers(db, clean);
    if (!left.empty()) problems.push_back(at + left);
  }
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems:" << summarize(problems);
}

// ---------------------------------------------------------------------------------------
// 7. Damaged segments and metadata.

// The commands whose output a damaged index must reproduce exactly or refuse.
const std::vector<std::vector<std::string>> kDamageCommands = {
    {"--count", "依法行政"},
    {"--format", "json", "发展"},
    {"--count", "执行力 -政府"},
    {"--facets", "county,year", "--format", "json", "-n", "0", "发展"}};

// Queries enough to read much of a small segment: the 80 most frequent characters and
// character pairs of the corpus, and 80 four-character runs drawn at random, for --batch.
std::string batch_queries(const std::vector<std::string>& files, std::mt19937& rng) {
  std::map<std::string, size_t> unigrams, bigrams;
  std::vector<std::vector<std::string>> runs;  // runs of CJK characters (3-byte UTF-8, E4..E9)
  for (const std::string& f : files) {
    const std::string text = read_bytes(f);
    std::vector<std::string> run;
    for (size_t i = 0; i <= text.size(); ++i) {
      const auto b = i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
      if (b >= 0xE4 && b <= 0xE9 && i + 2 < text.size()) {
        run.push_back(text.substr(i, 3));
        i += 2;
        continue;
      }
      if (run.size() >= 6) runs.push_back(run);
      run.clear();
    }
  }
  for (const std::vector<std::string>& r : runs) {
    for (size_t i = 0; i < r.size(); ++i) {
      ++unigrams[r[i]];
      if (i + 1 < r.size()) ++bigrams[r[i] + r[i + 1]];
    }
  }
  std::string out;
  for (const auto* counts : {&unigrams, &bigrams}) {
    std::vector<std::pair<size_t, std::string>> by_count;
    for (const auto& [t, n] : *counts) by_count.emplace_back(n, t);
    std::sort(by_count.rbegin(), by_count.rend());
    for (size_t i = 0; i < 80 && i < by_count.size(); ++i) out += by_count[i].second + "\n";
  }
  for (int i = 0; i < 80 && !runs.empty(); ++i) {
    const std::vector<std::string>& r =
        runs[std::uniform_int_distribution<size_t>(0, runs.size() - 1)(rng)];
    const size_t at = std::uniform_int_distribution<size_t>(0, r.size() - 4)(rng);
    out += r[at] + r[at + 1] + r[at + 2] + r[at + 3] + "\n";
  }
  return out;
}

// --batch's rows without their milliseconds.
std::vector<nlohmann::json> batch_rows(const std::string& out) {
  std::vector<nlohmann::json> rows;
  std::istringstream lines(out);
  for (std::string l; std::getline(lines, l);) {
    rows.push_back(nlohmann::json::parse(l));
    rows.back().erase("ms");
  }
  return rows;
}

struct DamageProbe {
  std::string db, batch_file;
  std::vector<std::string> good;          // the commands' output on the undamaged index
  std::vector<nlohmann::json> good_rows;  // --batch's

  void record() {
    good.clear();
    for (const std::vector<std::string>& cmd : kDamageCommands) {
      const Outcome o = search(db, cmd);
      if (!o.ok()) throw std::runtime_error("undamaged index: " + o.describe());
      good.push_back(o.out);
    }
    const Outcome b = search(db, {"--batch", batch_file, "--facets", "county,year"});
    if (!b.ok()) throw std::runtime_error("undamaged index: --batch: " + b.describe());
    good_rows = batch_rows(b.out);
  }

  // "" when every command either answers exactly as on the undamaged index or refuses with
  // one line on stderr (containing `must_name`, when given), and every --batch query
  // answers exactly or reports an error (naming `must_name`); else what went wrong.
  // `refused` counts the refusals.
  std::string problem(const std::string& must_name, int& refused) const {
    for (size_t i = 0; i < kDamageCommands.size(); ++i) {
      const Outcome o = search(db, kDamageCommands[i]);
      const std::string cmd = kDamageCommands[i].front() + " " + kDamageCommands[i].back();
      if (o.signal != 0) return cmd + ": " + o.describe();
      if (o.ok()) {
        if (o.out != good[i]) {
          return cmd + ": a different answer (" + first_line(o.out).substr(0, 60) + " instead of " +
                 first_line(good[i]).substr(0, 60) + ")";
        }
        continue;
      }
      ++refused;
      const auto lines = std::count(o.err.begin(), o.err.end(), '\n');
      if (lines != 1) {
        return cmd + ": refused with " + std::to_string(lines) +
               " lines on stderr: " + first_line(o.err);
      }
      if (!must_name.empty() && !contains(o.err, must_name)) {
        return cmd + ": refused without naming " + must_name + ": " + first_line(o.err);
      }
    }
    const Outcome b = search(db, {"--batch", batch_file, "--facets", "county,year"});
    if (b.signal != 0) return "--batch: " + b.describe();
    std::vector<nlohmann::json> rows;
    try {
      rows = batch_rows(b.out);
    } catch (const std::exception& e) {
      return std::string("--batch: unparsable: ") + e.what();
    }
    // A batch may stop at a damaged segment with one line on stderr naming it, after
    // printing the rows before it.
    const bool stopped = !b.ok() && std::count(b.err.begin(), b.err.end(), '\n') == 1 &&
                         (must_name.empty() || contains(b.err, must_name));
    if (stopped) ++refused;
    if (rows.size() > good_rows.size() || (rows.size() < good_rows.size() && !stopped)) {
      return "--batch: " + std::to_string(rows.size()) + " rows, " + b.describe();
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] == good_rows[i]) continue;
      const std::string q = good_rows[i].value("query", "");
      if (!rows[i].contains("error")) {
        const nlohmann::json got = rows[i].value("count", nlohmann::json());
        const nlohmann::json want = good_rows[i].value("count", nlohmann::json());
        return "--batch " + q + ": a different answer (" +
               (got == want ? "count " + got.dump() + ", other top ids or facets"
                            : "count " + got.dump() + " instead of " + want.dump()) +
               ")";
      }
      ++refused;
      if (!must_name.empty() && !contains(rows[i].at("error").get<std::string>(), must_name)) {
        return "--batch " + q + ": an error not naming " + must_name + ": " +
               rows[i].at("error").get<std::string>();
      }
    }
    if (!stopped && b.ok() != (rows == good_rows)) return "--batch: " + b.describe();
    return "";
  }
};

TEST(Integrity, FlippedBytesInSegmentsAreRefusedOrHarmless) {
  std::mt19937 rng = rng_for("FlippedBytes");
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus";
  // Two copies of the sample: a segment small enough for the queries below to read much of.
  const std::vector<std::string> files = sample_copies(corpus, 2);
  DamageProbe probe{dir.path() + "/db", dir.path() + "/queries.txt", {}, {}};
  std::ofstream(probe.batch_file) << batch_queries(files, rng);
  ASSERT_TRUE(index(probe.db, {corpus}).ok());
  probe.record();
  ASSERT_NE(probe.good[0], "0\n");
  ASSERT_GE(probe.good_rows.size(), 200u);
  std::vector<std::string> segments;
  for (const fs::directory_entry& e : fs::directory_iterator(probe.db + "/text")) {
    if (e.path().extension() == ".seg") segments.push_back(e.path().string());
  }
  std::sort(segments.begin(), segments.end());
  ASSERT_FALSE(segments.empty()) << "no DB/text/*.seg";
  std::vector<std::string> problems;
  int refused = 0, harmless = 0;
  constexpr int kFlips = 200;
  for (int i = 0; i < kFlips; ++i) {
    const std::string& seg =
        segments[std::uniform_int_distribution<size_t>(0, segments.size() - 1)(rng)];
    const std::string original = read_bytes(seg);
    const size_t at = std::uniform_int_distribution<size_t>(0, original.size() - 1)(rng);
    const auto mask = static_cast<char>(std::uniform_int_distribution<int>(1, 255)(rng));
    std::string damaged = original;
    damaged[at] = static_cast<char>(damaged[at] ^ mask);
    std::ofstream(seg, std::ios::binary | std::ios::trunc) << damaged;
    int r = 0;
    const std::string p = probe.problem(fs::path(seg).filename().string(), r);
    std::ofstream(seg, std::ios::binary | std::ios::trunc) << original;
    refused += r > 0 && p.empty();
    harmless += r == 0 && p.empty();
    if (!p.empty()) {
      problems.push_back(fs::path(seg).filename().string() + " byte " + std::to_string(at) +
                         " of " + std::to_string(original.size()) + ": " + p);
    }
  }
  std::cout << "[ flips    ] " << kFlips << " flips: " << refused << " refused, " << harmless
            << " harmless, " << problems.size() << " wrong\n";
  EXPECT_LT(harmless, kFlips) << "no flip touched a byte the queries read";
  int unused = 0;
  EXPECT_EQ(probe.problem("", unused), "") << "restored";
  EXPECT_EQ(unused, 0);
  EXPECT_TRUE(problems.empty()) << problems.size() << " of " << kFlips
                                << " flips gave another answer or crashed:"
                                << summarize(problems, 15);
}

TEST(Integrity, DamagedTextStoreMetadataIsRefused) {
  std::mt19937 rng = rng_for("DamagedMetadata");
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", db = dir.path() + "/db";
  const std::vector<std::string> files = sample_copies(corpus, 3);
  // Three segments and a deleted list: a build, a file more, a file changed.
  ASSERT_TRUE(index(db, {"--compact", "never", files[0], files[1], files[2], files[3]}).ok());
  ASSERT_TRUE(index(db, {"--compact", "never", corpus}).ok());
  append(files[0], "\n新增的一段话。\n");
  ASSERT_TRUE(index(db, {"--compact", "never", corpus}).ok());
  DamageProbe probe{db, dir.path() + "/queries.txt", {}, {}};
  std::ofstream(probe.batch_file) << batch_queries(files, rng);
  probe.record();
  const std::string segments_key(schema::kMetaTextSegments), deleted_key(schema::kMetaTextDeleted);
  std::string segments, deleted;
  {
    Xapian::Database d(db);
    segments = d.get_metadata(segments_key);
    deleted = d.get_metadata(deleted_key);
  }
  std::vector<std::string> lines;
  std::istringstream in(segments);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_GE(lines.size(), 2u) << segments;
  ASSERT_FALSE(deleted.empty());

  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> damages;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string dup;
    for (size_t j = 0; j < lines.size(); ++j) {
      dup += lines[j] + "\n";
      if (j == i) dup += lines[j] + "\n";
    }
    damages.push_back({"segment line " + std::to_string(i + 1) + " twice", {segments_key, dup}});
  }
  damages.push_back({"no segments", {segments_key, ""}});
  std::string random_bytes;
  for (int i = 0; i < 24; ++i) {
    random_bytes.push_back(static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng)));
  }
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"ids 1..40", std::string(40, '\x01')},
           {"text", "garbage"},
           {"random bytes", random_bytes},
           {"an overlong number", std::string(12, '\xff')},
           {"the list twice", deleted + deleted},
           {"the list cut", deleted.substr(0, deleted.size() / 2)}}) {
    damages.push_back({"deleted list: " + name, {deleted_key, value}});
  }
  const auto set = [&](const std::string& key, const std::string& value) {
    Xapian::WritableDatabase w(db, Xapian::DB_OPEN);
    w.set_metadata(key, value);
    w.commit();
  };
  std::vector<std::string> problems;
  for (const auto& [name, change] : damages) {
    set(change.first, change.second);
    int refused = 0;
    const std::string p = probe.problem("", refused);
    set(segments_key, segments);
    set(deleted_key, deleted);
    std::cout << "[ metadata ] " << name << ": "
              << (p.empty() ? (refused ? "refused" : "same answers") : p) << "\n";
    if (!p.empty()) problems.push_back(name + ": " + p);
  }
  int unused = 0;
  EXPECT_EQ(probe.problem("", unused), "") << "restored";
  EXPECT_EQ(unused, 0);
  EXPECT_TRUE(problems.empty()) << problems.size() << " of " << damages.size()
                                << " damages answered differently:" << summarize(problems);
}

}  // namespace
}  // namespace speechdex::testing
