// Searching: the text store walks every match (exact counts), and the searcher ranks,
// groups and counts facets over them with the records' value slots from Xapian.
#include "searcher.h"

#include <algorithm>
#include <boost/filesystem.hpp>

#include "errors.h"
#include "fields.h"
#include "filters.h"
#include "index_layout.h"
#include "index_meta.h"

namespace speechdex::searcher {

namespace {

// Tries of a search or an open whose snapshot a writer replaced while it ran.
constexpr int kTries = 8;

}  // namespace

Searcher::Searcher(const std::string& path) : Searcher(std::vector<std::string>{path}) {}

Searcher::Searcher(const std::vector<std::string>& paths) {
  if (paths.empty()) throw UsageError("no database to search", "");
  for (const std::string& path : paths) {
    if (!boost::filesystem::is_directory(path)) {
      throw UsageError("no database at this path", path);
    }
    if (schema::live_generation(path).empty() && !schema::is_old_layout(path) &&
        boost::filesystem::exists(schema::lock_path(path))) {
      throw IndexError("the index is empty: no indexing run has committed to it yet", path);
    }
    path_ += (path_.empty() ? "" : ", ") + path;
    parts_.push_back(Part{path, "", nullptr, nullptr, 0});
  }
  // The whole open retries: a writer may switch generations or drop segments between a
  // part's records and its text store, or between parts.
  for (int tries = 1;; ++tries) {
    try {
      open();
      return;
    } catch (const Xapian::Error& e) {
      if (tries < kTries && moved()) continue;
      throw IndexError("cannot open database: " + xapian_message(e), path_);
    } catch (const IndexError&) {
      if (tries < kTries && moved()) continue;
      throw;
    }
  }
}

void Searcher::open() {
  for (Part& part : parts_) open_part(part);
  open_text();
}

void Searcher::open_part(Part& part) {
  // One snapshot: the records at one revision, and the segments and deleted ids it names.
  part.generation = schema::live_generation(part.path);
  part.records.reset();
  part.db.reset();
  try {
    part.db = std::make_unique<Xapian::Database>(part.path);
  } catch (const Xapian::DatabaseNotFoundError&) {
    throw IndexError("not a speechdex database", part.path);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot open database: " + xapian_message(e), part.path);
  }
  schema::check_schema(*part.db, part.path);
  part.records = std::make_unique<schema::RecordReader>(*part.db);
}

bool Searcher::moved(const Part& part) {
  if (part.generation.empty() && !part.db) return false;  // not opened yet
  try {
    if (schema::live_generation(part.path) != part.generation) return true;
    return part.db && Xapian::Database(part.path).get_revision() != part.db->get_revision();
  } catch (...) {
    return true;  // the stub or generation changed under the look
  }
}

bool Searcher::moved() const {
  return std::any_of(parts_.begin(), parts_.end(), [](const Part& p) { return moved(p); });
}

void Searcher::open_text() {
  std::vector<std::shared_ptr<const textstore::Segment>> segments;
  std::vector<uint32_t> deleted, bases;
  uint64_t base = 0;
  for (Part& part : parts_) {
    const Xapian::Database& db = *part.db;
    if (&part != &parts_.front()) {
      // The vocabularies give filters and facets their meaning: one for the whole.
      for (const std::string_view key : {schema::kMetaGazetteer, schema::kMetaTopics}) {
        if (db.get_metadata(std::string(key)) !=
            parts_.front().db->get_metadata(std::string(key))) {
          throw IndexError(std::string("built with other ") +
                               (key == schema::kMetaGazetteer ? "gazetteer tables" : "topics") +
                               " than " + parts_.front().path +
                               ": several indexes are searched as one only if they share them",
                           part.path);
        }
      }
    }
    if (base + db.get_lastdocid() > UINT32_MAX) {
      throw IndexError("too many documents to search with the indexes before it (ids above 2^32)",
                       part.path);
    }
    part.base = static_cast<Xapian::docid>(base);
    const schema::TextStoreState state = schema::read_text_store(db);
    std::vector<std::shared_ptr<const textstore::Segment>> own;
    try {
      own = textstore::open_segments(schema::text_dir(part.path), state.segments);
    } catch (const std::runtime_error& e) {
      throw IndexError(std::string("cannot open the text store: ") + e.what(), part.path);
    }
    const std::string problem =
        textstore::check_segments(own, state.deleted, db.get_doccount(), db.get_lastdocid());
    if (!problem.empty()) {
      throw IndexError("the index is inconsistent: " + problem +
                           "; check it with speechdex-index --check --db " + part.path,
                       part.path);
    }
    for (auto& segment : own) {
      segments.push_back(std::move(segment));
      bases.push_back(part.base);
    }
    for (const uint32_t d : state.deleted) deleted.push_back(part.base + d);
    base += db.get_lastdocid();
  }
  text_ = std::make_unique<textstore::TextIndex>(std::move(segments), std::move(deleted),
                                                 std::move(bases));
  columns_.clear();
  duplicates_.reset();
}

Searcher::Part& Searcher::part_of(Xapian::docid docid) {
  return const_cast<Part&>(std::as_const(*this).part_of(docid));
}

const Searcher::Part& Searcher::part_of(Xapian::docid docid) const {
  auto it = std::upper_bound(parts_.begin() + 1, parts_.end(), docid,
                             [](Xapian::docid d, const Part& p) { return d <= p.base; });
  return *(it - 1);
}

std::vector<schema::DatabasePart> Searcher::database_parts() const {
  std::vector<schema::DatabasePart> out;
  for (const Part& part : parts_) out.push_back({part.db.get(), part.base});
  return out;
}

Xapian::Document Searcher::document(Xapian::docid docid) const {
  const Part& part = part_of(docid);
  return part.db->get_document(docid - part.base);
}

Xapian::doccount Searcher::documents() const {
  Xapian::doccount n = 0;
  for (const Part& part : parts_) n += part.db->get_doccount();
  return n;
}

schema::ParagraphRecord Searcher::read_record(Xapian::docid docid) {
  Part& part = part_of(docid);
  return part.records->read(docid - part.base);
}

const ValueColumn& Searcher::column(Xapian::valueno slot) {
  auto& c = columns_[slot];
  if (!c) c = std::make_unique<ValueColumn>(database_parts(), slot);
  return *c;
}

const DuplicateIndex& Searcher::duplicates() {
  if (!duplicates_) {
    if (parts_.size() == 1) {
      duplicates_ =
          std::make_unique<DuplicateIndex>(*parts_[0].db, path_, column(schema::kSlotSpeech));
    } else {
      // Each index's table numbers its own documents only: the clusters of the whole are
      // found again over all of them, as one index holding them all would have them.
      duplicates_ = std::make_unique<DuplicateIndex>(schema::find_duplicates(database_parts()),
                                                     column(schema::kSlotSpeech));
    }
  }
  return *duplicates_;
}

uint64_t Searcher::collapsed_matches(const textstore::Query& query, Dedup mode, bool scores,
                                     std::vector<textstore::Scored>& matches,
                                     std::vector<uint32_t>& copies) {
  matches.clear();
  text_->for_each(
      query, [&](const textstore::Scored& s) { matches.push_back(s); }, scores);
  const uint64_t before = matches.size();
  collapse(matches, copies, mode, duplicates(), column(schema::kSlotSpeech));
  return before;
}

const schema::Gazetteer& Searcher::gazetteer() {
  if (!gazetteer_) {
    gazetteer_ = schema::Gazetteer::deserialize(
        parts_[0].db->get_metadata(std::string(schema::kMetaGazetteer)), parts_[0].path);
  }
  return *gazetteer_;
}

const schema::Taxonomy& Searcher::taxonomy() {
  if (!taxonomy_) {
    taxonomy_ = schema::Taxonomy::parse(
        parts_[0].db->get_metadata(std::string(schema::kMetaTopics)), parts_[0].path + " (topics)");
  }
  return *taxonomy_;
}

SearchResult Searcher::search(const ParsedQuery& query, const Page& page) {
  SearchRequest r;
  r.query = query;
  r.page = page;
  return search(r);
}

SearchResult Searcher::search(const SearchRequest& request) {
  SearchResult result;
  on_one_snapshot([&] { result = run(request); });
  return result;
}

void Searcher::on_one_snapshot(const std::function<void()>& body) {
  // A writer may replace the snapshot while a search reads it (glass reuses the blocks of a
  // revision two commits old; compaction switches generations): the work starts over on
  // the new one. An error on a snapshot nobody replaced is real.
  for (int tries = 1;; ++tries) {
    try {
      if (tries > 1) open();
      body();
      return;
    } catch (const Xapian::DatabaseModifiedError& e) {
      if (tries < kTries) continue;
      throw IndexError("search failed: the index kept changing: " + xapian_message(e), path_);
    } catch (const Xapian::DocNotFoundError& e) {
      if (tries < kTries && moved()) continue;
      throw IndexError("the index is inconsistent: " + xapian_message(e) +
                           "; check it with speechdex-index --check --db " + path_,
                       path_);
    } catch (const Xapian::Error& e) {
      if (tries < kTries && moved()) continue;
      throw IndexError("search failed: " + xapian_message(e), path_);
    } catch (const Error&) {
      // IndexError, and UsageError from record() for an id a writer removed meanwhile.
      if (tries < kTries && moved()) continue;
      throw;
    }
  }
}

namespace {

// A match as the ranking sees it.
struct Candidate {
  textstore::Scored match;
  const std::string* sort_value = nullptr;  // the year slot's value when sorting by year
  uint64_t speech_matches = 0;              // grouped: the matches of its speech
  uint32_t copies = 0;                      // --dedup: the matches it stands for
  Xapian::docid first = 0;                  // grouped: its speech's first match
};

// True if `a` ranks before `b`: by relevance, or by year (ascending or descending) and then
// relevance. A paragraph without a year (the empty value) comes after every dated one in
// either order: who sorts by year wants the dated paragraphs first.
bool ranks_before(const Candidate& a, const Candidate& b, Sort sort) {
  if (sort != Sort::kRelevance && *a.sort_value != *b.sort_value) {
    if (a.sort_value->empty() || b.sort_value->empty()) return b.sort_value->empty();
    return sort == Sort::kYear ? *a.sort_value < *b.sort_value : *a.sort_value > *b.sort_value;
  }
  return textstore::ranks_before(a.match, b.match);
}

}  // namespace

struct Searcher::GroupScratch {
  std::vector<Candidate> best;  // by speech code: its best match (valid if stamped)
  std::vector<uint32_t> stamp;  // by speech code: the query that touched it last
  std::vector<uint32_t> codes;  // the codes this query touched, in first-match order
  uint32_t epoch = 0;

  // Prepares for a query over `speeches` codes.
  void start(size_t speeches) {
    if (stamp.size() < speeches) {
      stamp.resize(speeches, 0);
      best.resize(speeches);
    }
    if (++epoch == 0) {  // wrapped: every stamp is stale again
      std::fill(stamp.begin(), stamp.end(), 0);
      epoch = 1;
    }
    codes.clear();
  }
};

Searcher::~Searcher() = default;

uint64_t Searcher::collapse_speeches(GroupScratch& groups) {
  // Per speech cluster (by its id): the code of its earliest matching speech and how many
  // matching speeches it has; stamped arrays, as in collapse().
  const DuplicateIndex& dup = duplicates();
  DuplicateIndex::Scratch& w = dup.scratch(column(schema::kSlotSpeech).distinct());
  const uint32_t epoch = w.next_epoch();
  for (const uint32_t code : groups.codes) {
    const Xapian::docid d = groups.best[code].match.docid;
    if (dup.alone(Dedup::kSpeech, d)) continue;
    const uint32_t c = dup.cluster(Dedup::kSpeech, d);
    if (w.cluster_stamp[c] != epoch) {
      w.cluster_stamp[c] = epoch;
      w.earliest[c] = code;
      w.members[c] = 1;
      continue;
    }
    ++w.members[c];
    // Paragraphs of one speech are contiguous in earliest order, so any of them places it.
    if (dup.order(d) < dup.order(groups.best[w.earliest[c]].match.docid)) w.earliest[c] = code;
  }
  uint64_t paragraphs = 0;
  size_t kept = 0;
  for (const uint32_t code : groups.codes) {
    Candidate& g = groups.best[code];
    const Xapian::docid d = g.match.docid;
    if (!dup.alone(Dedup::kSpeech, d)) {
      const uint32_t c = dup.cluster(Dedup::kSpeech, d);
      if (w.earliest[c] != code) continue;
      g.copies = w.members[c] - 1;
    }
    paragraphs += g.speech_matches;
    groups.codes[kept++] = code;
  }
  groups.codes.resize(kept);
  return paragraphs;
}

textstore::Query Searcher::effective_query(const SearchRequest& request) {
  textstore::Query query = request.query.query;
  std::vector<FilterSpec> filters = request.filters;
  filters.insert(filters.end(), request.query.filters.begin(), request.query.filters.end());
  if (!filters.empty()) {
    const FilterQueries f = build_filters(filters, gazetteer(), taxonomy());
    using Op = textstore::Query::Op;
    if (f.keep) query = textstore::Query::make(Op::kAnd, {std::move(query), *f.keep});
    if (f.drop) query = textstore::Query::make(Op::kAndNot, {std::move(query), *f.drop});
  }
  if (request.boilerplate != Boilerplate::kInclude) {
    using Op = textstore::Query::Op;
    textstore::Query furniture = textstore::Query::make_term(std::string(
        schema::boolean_term(schema::field("kind"), std::string(schema::kKindBoilerplate))));
    query =
        textstore::Query::make(request.boilerplate == Boilerplate::kOnly ? Op::kAnd : Op::kAndNot,
                               {std::move(query), std::move(furniture)});
  }
  return query;
}

void Searcher::for_each_match(const SearchRequest& request,
                              const std::function<void(unsigned)>& hit) {
  if (request.dedup != Dedup::kNone) {
    std::vector<textstore::Scored> matches;
    std::vector<uint32_t> copies;
    collapsed_matches(effective_query(request), request.dedup, false, matches, copies);
    for (const textstore::Scored& s : matches) hit(s.docid);
    return;
  }
  text_->for_each(
      effective_query(request), [&](const textstore::Scored& s) { hit(s.docid); }, false);
}

void Searcher::for_each_hit(const SearchRequest& request,
                            const std::function<void(const Hit&)>& hit) {
  size_t rank = 0;
  Hit h;
  auto one = [&](const textstore::Scored& s) {
    h.docid = s.docid;
    h.score = s.score;
    h.rank = ++rank;
    h.record = read_record(s.docid);
    hit(h);
  };
  if (request.dedup != Dedup::kNone) {
    std::vector<textstore::Scored> matches;
    std::vector<uint32_t> copies;
    collapsed_matches(effective_query(request), request.dedup, true, matches, copies);
    for (size_t i = 0; i < matches.size(); ++i) {
      h.copies = copies[i];
      one(matches[i]);
    }
    return;
  }
  text_->for_each(effective_query(request), one, true);
}

SearchResult Searcher::run(const SearchRequest& request) {
  const textstore::Query query = effective_query(request);
  std::optional<FacetCollector> facets;
  if (!request.facets.empty()) {
    facets.emplace(request.facets, taxonomy(),
                   [this](Xapian::valueno slot) -> const ValueColumn& { return column(slot); });
  }
  const ValueColumn* years =
      request.sort != Sort::kRelevance ? &column(schema::kSlotYear) : nullptr;
  const bool grouped = request.group_by_speech || request.dedup == Dedup::kSpeech;
  const ValueColumn* speeches = grouped ? &column(schema::kSlotSpeech) : nullptr;

  // The best offset + limit candidates (or, grouped, every speech's best paragraph).
  const size_t wanted = request.page.offset + request.page.limit;
  auto before = [&](const Candidate& a, const Candidate& b) {
    return ranks_before(a, b, request.sort);
  };
  std::vector<Candidate> best;  // a heap by `before`: the worst kept candidate on top
  if (speeches) {
    if (!groups_) groups_ = std::make_unique<GroupScratch>();
    groups_->start(speeches->distinct());
  }
  uint64_t count = 0;
  // Scores rank the page and each speech's best paragraph; a count or facets alone need none.
  const bool scores = wanted > 0;
  // Under --dedup speech, facets count each speech (cluster) once, by its first match,
  // once the speeches are collapsed (collapse_speeches below).
  auto consider = [&](const textstore::Scored& s, uint32_t copies) {
    ++count;
    Candidate c{s, years ? &years->value(years->code(s.docid)) : nullptr, 0, copies};
    if (speeches) {
      const uint32_t code = speeches->code(s.docid);
      Candidate& g = groups_->best[code];
      if (groups_->stamp[code] != groups_->epoch) {
        groups_->stamp[code] = groups_->epoch;
        groups_->codes.push_back(code);
        g.speech_matches = 0;
        c.first = s.docid;
      } else {
        c.first = g.first;
      }
      const uint64_t matches = g.speech_matches + 1;
      if (facets && request.dedup != Dedup::kSpeech) facets->add(s.docid);
      if (matches == 1 || ranks_before(c, g, request.sort)) g = c;
      g.speech_matches = matches;
      return;
    }
    if (facets) facets->add(s.docid);
    if (wanted == 0) return;
    if (best.size() < wanted) {
      best.push_back(std::move(c));
      std::push_heap(best.begin(), best.end(), before);
    } else if (ranks_before(c, best.front(), request.sort)) {
      std::pop_heap(best.begin(), best.end(), before);
      best.back() = std::move(c);
      std::push_heap(best.begin(), best.end(), before);
    }
  };
  SearchResult result;
  result.dedup = request.dedup;
  if (request.dedup == Dedup::kParagraph) {
    // A match alone in its cluster (most) is considered as it streams; of the others, each
    // cluster's earliest match so far is kept and considered at the end with its copies.
    // The same as collapse() over the matches, without storing every match.
    const DuplicateIndex& dup = duplicates();
    DuplicateIndex::Scratch& w = dup.scratch(column(schema::kSlotSpeech).distinct());
    const uint32_t epoch = w.next_epoch();
    std::vector<textstore::Scored> earliest;  // by w.earliest[cluster]
    uint64_t matched = 0;
    text_->for_each(
        query,
        [&](const textstore::Scored& s) {
          ++matched;
          if (dup.alone(Dedup::kParagraph, s.docid)) return consider(s, 0);
          const uint32_t c = dup.cluster(Dedup::kParagraph, s.docid);
          if (w.cluster_stamp[c] != epoch) {
            w.cluster_stamp[c] = epoch;
            w.earliest[c] = static_cast<uint32_t>(earliest.size());
            w.members[c] = 1;
            earliest.push_back(s);
            return;
          }
          ++w.members[c];
          textstore::Scored& e = earliest[w.earliest[c]];
          if (dup.order(s.docid) < dup.order(e.docid)) e = s;
        },
        scores);
    for (const textstore::Scored& e : earliest)
      consider(e, w.members[dup.cluster(Dedup::kParagraph, e.docid)] - 1);
    result.matched_paragraphs = matched;
  } else if (request.dedup == Dedup::kSpeech) {
    // Grouped by speech as the matches stream, then the speeches collapsed: the same as
    // collapse() over the matches, at the cost of one step per speech instead of storing
    // every match.
    text_->for_each(
        query, [&](const textstore::Scored& s) { consider(s, 0); }, scores);
    result.matched_paragraphs = count;
    count = collapse_speeches(*groups_);
    if (facets)
      for (const uint32_t code : groups_->codes) facets->add(groups_->best[code].first);
  } else {
    text_->for_each(
        query, [&](const textstore::Scored& s) { consider(s, 0); }, scores);
    result.matched_paragraphs = count;
  }

  result.total = count;
  result.total_paragraphs = count;
  if (grouped) {
    result.total = groups_->codes.size();
    for (const uint32_t code : groups_->codes) best.push_back(groups_->best[code]);
  }
  std::sort(best.begin(), best.end(), before);
  size_t rank = request.page.offset;
  for (size_t i = request.page.offset; i < best.size() && i < wanted; ++i) {
    Hit h;
    h.docid = best[i].match.docid;
    h.score = best[i].match.score;
    h.rank = ++rank;
    if (request.records) {
      h.record = read_record(h.docid);
    }
    if (grouped) h.speech_matches = best[i].speech_matches;
    h.copies = best[i].copies;
    result.hits.push_back(std::move(h));
  }
  if (facets) {
    // Under --dedup speech a speech's first match stands for it (consider() above).
    result.facets =
        facets->collect(request.dedup == Dedup::kSpeech ? result.total : result.total_paragraphs,
                        facets->needs_gazetteer() ? &gazetteer() : nullptr);
  }
  return result;
}

schema::ParagraphRecord Searcher::record(unsigned docid) {
  try {
    if (docid == 0) throw Xapian::DocNotFoundError("id 0");
    return read_record(docid);
  } catch (const Xapian::DocNotFoundError&) {
    throw UsageError("no paragraph with id " + std::to_string(docid), path_);
  }
}

}  // namespace speechdex::searcher
