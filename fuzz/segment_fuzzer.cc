// Fuzz target: a segment file's bytes -> Segment::open, then every term of the dictionary
// (TermIterator, find), every posting of each list read twice (next with positions() or
// next_position(); seek), and a few queries matched over it. A damaged segment is a
// std::runtime_error naming the file, wherever it is found; nothing reads outside the file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "match.h"
#include "segment.h"

namespace {

using speechdex::textstore::PostingCursor;
using speechdex::textstore::Query;
using speechdex::textstore::Segment;

// A file of this process's own for the bytes: Segment maps files.
const std::string& segment_path() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/speechdex-fuzz-" +
           std::to_string(::getpid()) + ".seg";
  }();
  return path;
}

struct RemoveAtExit {
  ~RemoveAtExit() { std::remove(segment_path().c_str()); }
};

void write_file(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr);
  FUZZ_CHECK(size == 0 || std::fwrite(data, 1, size, f) == size);
  FUZZ_CHECK(std::fclose(f) == 0);
}

// Every posting, reading positions whole or one by one in turn; then seeks, each past the
// last document found.
void walk_postings(const Segment& s, const speechdex::textstore::TermInfo& info) {
  PostingCursor c(s, info);
  size_t n = 0;
  for (; c.doc() != PostingCursor::kEnd; c.next()) {
    (void)s.length(c.doc());
    if (n++ % 2 == 0) {
      FUZZ_CHECK(c.positions().size() == (c.positional() ? c.wdf() : 0));
    } else {
      while (c.next_position()) {
      }
    }
  }
  PostingCursor d(s, info);
  for (uint64_t target = 0; target < PostingCursor::kEnd;) {
    d.seek(static_cast<uint32_t>(target));
    FUZZ_CHECK(d.doc() >= target);
    if (d.doc() == PostingCursor::kEnd) break;
    if (d.positional() && d.wdf() > 0) (void)d.next_position_from(d.doc() % 8);
    target = uint64_t{d.doc()} + 1 + d.doc() % 3;
  }
}

void walk(const std::shared_ptr<const Segment>& s) {
  for (uint32_t doc : s->docids()) (void)s->length(doc);
  std::vector<std::pair<std::string, bool>> terms;  // the first few, for the queries
  for (Segment::TermIterator it(*s); it.valid(); it.next()) {
    (void)s->find(it.name());
    if (terms.size() < 8) terms.emplace_back(it.name(), it.info().positional);
    try {
      walk_postings(*s, it.info());
    } catch (const std::runtime_error&) {
      // This list is damaged; the next may not be.
    }
  }
  // Terms alone, ANDed, ORed, excluded, and the positional ones as a phrase.
  const speechdex::textstore::TextIndex index({s}, {s->docids().empty() ? 1 : s->docids()[0]});
  std::vector<Query> each;
  std::vector<std::pair<std::string, uint32_t>> phrase;
  for (const auto& [term, positional] : terms) {
    each.push_back(Query::make_term(term));
    if (positional) phrase.emplace_back(term, static_cast<uint32_t>(phrase.size()));
  }
  std::vector<Query> queries = each;
  if (!each.empty()) {
    queries.push_back(Query::make(Query::Op::kAnd, each));
    queries.push_back(Query::make(Query::Op::kOr, each));
    queries.push_back(Query::make(Query::Op::kAndNot, {Query::all(), each.back()}));
  }
  if (!phrase.empty()) queries.push_back(Query::make_phrase(phrase, 2));
  for (const Query& q : queries) {
    try {
      const auto r = index.search(q, 3);
      FUZZ_CHECK(r.top.size() <= 3 && r.top.size() <= r.count);
    } catch (const std::runtime_error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static RemoveAtExit remove_at_exit;
  write_file(segment_path(), data, size);
  std::shared_ptr<const Segment> s;
  try {
    s = Segment::open(segment_path());
  } catch (const std::runtime_error&) {
    return 0;
  }
  try {
    walk(s);
  } catch (const std::runtime_error&) {
    // Damage found in the dictionary or the document table.
  }
  return 0;
}
