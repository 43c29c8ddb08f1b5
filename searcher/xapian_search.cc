// The Xapian layout's searcher: one parsed query, compiled into stock Xapian operators over
// local and remote shards.
#include "xapian_search.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <map>
#include <set>

#include "databases.h"
#include "errors.h"
#include "fields.h"
#include "filters.h"
#include "index_layout.h"
#include "index_meta.h"
#include "record.h"

namespace speechdex::searcher {

namespace {

using Op = textstore::Query::Op;

// One shard to open: a local database folder, or a remote HOST:PORT.
struct Shard {
  std::string name;  // as messages name it: the folder, or "remote HOST:PORT"
  std::string path;  // local
  std::string host;  // remote
  unsigned port = 0;
};

Shard remote_shard(const std::string& spec, const std::string& where) {
  const size_t colon = spec.rfind(':');
  Shard s;
  s.name = "remote " + spec;
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
    throw UsageError("expected HOST:PORT, not '" + spec + "'", where);
  }
  s.host = spec.substr(0, colon);
  if (s.host.size() > 2 && s.host.front() == '[' && s.host.back() == ']') {
    s.host = s.host.substr(1, s.host.size() - 2);
  }
  const std::string port = spec.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) == 0 || std::stoul(port) > 65535) {
    throw UsageError("expected a port from 1 to 65535, not '" + port + "'", where);
  }
  s.port = static_cast<unsigned>(std::stoul(port));
  return s;
}

// The shards `path` names, appended to `out`: a Xapian-layout database is itself; a stub
// file is its lines (Xapian's stub syntax, read here so that --timeout and --allow-partial
// apply to each shard): `remote HOST:PORT`, or `auto`/`glass PATH` naming a database, a
// folder of them or another stub; a folder of Xapian-layout databases is those, in name
// order. Anything else is left for open_shard to name.
void add_shards(const std::string& path, int depth, std::vector<Shard>& out) {
  namespace fs = boost::filesystem;
  if (depth > kMaxStubDepth) throw UsageError("stub files nest too deep (a loop?)", path);
  if (fs::is_regular_file(path)) {
    const size_t before = out.size();
    for (const StubLine& line : read_stub_file(path)) {
      const std::string& arg = line.argument;
      if (arg.empty() || arg.find_first_of(" \t") != std::string::npos) {
        throw UsageError("expected 'remote HOST:PORT', 'auto PATH' or 'glass PATH'", line.where);
      }
      if (line.kind == "remote") {
        if (arg[0] == ':') {
          throw UsageError("a remote program (remote :PROG) is not supported; give HOST:PORT",
                           line.where);
        }
        out.push_back(remote_shard(arg, line.where));
      } else if (line.kind == "auto" || line.kind == "glass") {
        add_shards(line.path, depth + 1, out);
      } else {
        throw UsageError("unknown stub line '" + line.kind +
                             "'; expected 'remote HOST:PORT', 'auto PATH' or 'glass PATH'",
                         line.where);
      }
    }
    if (out.size() == before) throw UsageError("the stub file names no database", path);
    return;
  }
  if (fs::is_directory(path) && !is_xapian_layout_folder(path)) {
    const std::vector<std::string> inside = folder_contents(path).shards;
    for (const std::string& p : inside) out.push_back(Shard{p, p, "", 0});
    if (!inside.empty()) return;
  }
  out.push_back(Shard{path, path, "", 0});
}

// Opens one shard and checks it is a speechdex database of the Xapian layout. Throws
// IndexError naming it.
Xapian::Database open_shard(const Shard& s, unsigned timeout_ms) {
  try {
    Xapian::Database db;
    if (s.path.empty()) {
      db = Xapian::Remote::open(s.host, s.port, timeout_ms, timeout_ms);
    } else {
      if (!boost::filesystem::is_directory(s.path)) {
        throw IndexError("no database at this path", s.name);
      }
      db = Xapian::Database(s.path);
    }
    schema::check_schema(db, s.name);
    if (db.get_metadata(std::string(schema::kMetaLayout)) != schema::kLayoutXapian) {
      throw IndexError(
          "not a database of the Xapian layout (build shards with speechdex-index --layout "
          "xapian)",
          s.name);
    }
    return db;
  } catch (const Xapian::NetworkTimeoutError&) {
    throw IndexError(
        "shard did not answer within " + std::to_string(timeout_ms) + " ms (--timeout)", s.name);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot open shard: " + xapian_message(e), s.name);
  }
}

// Wraps a Xapian error of a search over the shards.
[[noreturn]] void rethrow_search(const Xapian::Error& e, const std::string& name) {
  if (std::string_view(e.get_type()) == "NetworkTimeoutError") {
    throw IndexError("a shard did not answer in time: " + xapian_message(e), name);
  }
  throw IndexError("search failed: " + xapian_message(e), name);
}

Xapian::valueno facet_slot(const std::string& name) {
  return name == "county"     ? schema::kSlotCounty
         : name == "province" ? schema::kSlotProvince
         : name == "year"     ? schema::kSlotYear
         : name == "role"     ? schema::kSlotRole
                              : schema::kSlotTopics;
}

// A facet from a ValueCountMatchSpy's counts, as FacetCollector::collect makes it: buckets
// by count, then by value in byte order; topics split from their joined lists.
Facet facet_of(const std::string& name, const Xapian::ValueCountMatchSpy& spy, uint64_t total,
               const schema::Taxonomy& taxonomy, const schema::Gazetteer& gazetteer) {
  std::map<std::string, uint64_t> counts;  // raw value (topic id) -> count
  uint64_t with_value = 0;
  for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
    const std::string v = *it;
    const uint64_t n = it.get_termfreq();
    with_value += n;
    if (name != "topic") {
      counts[v] += n;
      continue;
    }
    for (size_t i = 0; i <= v.size();) {
      size_t j = v.find(',', i);
      if (j == std::string::npos) j = v.size();
      counts[v.substr(i, j - i)] += n;
      i = j + 1;
    }
  }
  std::vector<std::pair<std::string, uint64_t>> order(counts.begin(), counts.end());
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  Facet f{name, {}, total >= with_value ? total - with_value : 0};
  for (const auto& [v, n] : order) {
    FacetBucket b;
    b.count = n;
    b.key = b.label = v;
    if (name == "year") {
      b.key = b.label = std::to_string(static_cast<int>(Xapian::sortable_unserialise(v)));
    } else if (name == "county") {
      if (const schema::Division* d = gazetteer.by_code(v)) {
        b.label = d->name + " (" + d->province + ")";
      }
    } else if (name == "province") {
      b.label = gazetteer.province_name(v);
    } else if (name == "topic") {
      const int t = taxonomy.find(v);
      if (t >= 0) b.label = taxonomy.topics()[static_cast<size_t>(t)].label;
    }
    f.buckets.push_back(std::move(b));
  }
  return f;
}

}  // namespace

Xapian::Query to_xapian(const textstore::Query& q) {
  switch (q.op) {
    case Op::kTerm:
    case Op::kUnit:
      return Xapian::Query(q.term);
    case Op::kPhrase: {
      // The run's bigrams at offsets 0, 1, ... n-1: in order within a window of n
      // positions, each is exactly one after the one before.
      std::vector<Xapian::Query> terms;
      for (size_t i = 0; i < q.phrase.size(); ++i) {
        if (q.phrase[i].second != i) {
          throw QueryError("a phrase with gaps cannot be searched on Xapian-layout shards", "");
        }
        terms.emplace_back(q.phrase[i].first);
      }
      if (terms.size() == 1) return terms.front();
      return Xapian::Query(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(),
                           static_cast<Xapian::termcount>(terms.size()));
    }
    case Op::kAnd:
    case Op::kOr: {
      std::vector<Xapian::Query> children;
      for (const textstore::Query& c : q.children) children.push_back(to_xapian(c));
      return Xapian::Query(q.op == Op::kAnd ? Xapian::Query::OP_AND : Xapian::Query::OP_OR,
                           children.begin(), children.end());
    }
    case Op::kAndNot:
      return Xapian::Query(Xapian::Query::OP_AND_NOT, to_xapian(q.children.at(0)),
                           to_xapian(q.children.at(1)));
    case Op::kAll:
      return Xapian::Query::MatchAll;
    case Op::kNear:
      throw QueryError(
          "NEAR and BEFORE cannot be searched on Xapian-layout shards: stock Xapian's "
          "OP_NEAR counts a window of term positions, not the characters between two "
          "parts, and unigrams carry no positions",
          "");
  }
  throw QueryError("a query the Xapian layout cannot express", "");
}

XapianSearcher::XapianSearcher(const ShardOptions& options,
                               const std::function<void(const std::string&)>& warn) {
  std::vector<Shard> shards;
  for (const std::string& db : options.dbs) add_shards(db, 0, shards);
  for (const std::string& r : options.remotes) shards.push_back(remote_shard(r, "--remote"));
  // A shard named twice would be searched twice: every count doubled.
  std::set<std::string> seen;
  for (const Shard& s : shards) {
    const std::string key =
        s.path.empty() ? s.host + ":" + std::to_string(s.port) : identity_of(s.path);
    if (!seen.insert(key).second) throw UsageError("this shard is named twice", s.name);
  }
  for (const Shard& s : shards) {
    name_ += (name_.empty() ? "" : ", ") + s.name;
    remote_ = remote_ || s.path.empty();
  }
  for (const Shard& s : shards) {
    try {
      db_.add_database(open_shard(s, options.timeout_ms));
    } catch (const IndexError& e) {
      if (!options.allow_partial) throw;
      skipped_.push_back(s.name);
      warn("shard skipped (--allow-partial): " + describe(e));
    }
  }
  if (skipped_.size() == shards.size()) {
    throw IndexError("no shard could be opened", name_);
  }
}

const schema::Gazetteer& XapianSearcher::gazetteer() {
  if (!gazetteer_) {
    gazetteer_ = schema::Gazetteer::deserialize(
        db_.get_metadata(std::string(schema::kMetaGazetteer)), name_);
  }
  return *gazetteer_;
}

const schema::Taxonomy& XapianSearcher::taxonomy() {
  if (!taxonomy_) {
    taxonomy_ = schema::Taxonomy::parse(db_.get_metadata(std::string(schema::kMetaTopics)),
                                        name_ + " (topics)");
  }
  return *taxonomy_;
}

Xapian::Query XapianSearcher::build(const SearchRequest& request) {
  // The text query scores; filters and the boilerplate setting only select (OP_FILTER,
  // OP_AND_NOT), as the store's wdf-0 filter terms add nothing to a score.
  Xapian::Query query = to_xapian(request.query.query);
  std::vector<FilterSpec> filters = request.filters;
  filters.insert(filters.end(), request.query.filters.begin(), request.query.filters.end());
  if (!filters.empty()) {
    const FilterQueries f = build_filters(filters, gazetteer(), taxonomy());
    if (f.keep) query = Xapian::Query(Xapian::Query::OP_FILTER, query, to_xapian(*f.keep));
    if (f.drop) query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, to_xapian(*f.drop));
  }
  if (request.boilerplate != Boilerplate::kInclude) {
    const Xapian::Query furniture(
        schema::boolean_term(schema::field("kind"), std::string(schema::kKindBoilerplate)));
    query = Xapian::Query(request.boilerplate == Boilerplate::kOnly ? Xapian::Query::OP_FILTER
                                                                    : Xapian::Query::OP_AND_NOT,
                          query, furniture);
  }
  return query;
}

Xapian::Enquire XapianSearcher::enquire(const SearchRequest& request,
                                        const Xapian::Query& query) const {
  Xapian::Enquire e(db_);
  e.set_query(query);
  if (request.sort != Sort::kRelevance) {
    e.set_sort_by_value_then_relevance(schema::kSlotYear, request.sort == Sort::kYearDescending);
  }
  if (request.dedup == Dedup::kParagraph) {
    e.set_collapse_key(schema::kSlotCluster);
  } else if (request.group_by_speech) {
    e.set_collapse_key(schema::kSlotSpeech);
  }
  return e;
}

SearchResult XapianSearcher::search(const SearchRequest& request) {
  if (request.dedup == Dedup::kSpeech) {
    throw QueryError(
        "--dedup speech is not available on Xapian-layout shards (a collapse keeps one "
        "paragraph, not a speech's); --dedup paragraph is",
        "");
  }
  if (request.dedup == Dedup::kParagraph && request.group_by_speech) {
    throw QueryError(
        "--dedup paragraph with --group speech is not available on Xapian-layout "
        "shards (Xapian collapses on one key)",
        "");
  }
  if (request.dedup != Dedup::kNone && !request.facets.empty()) {
    throw QueryError(
        "--facets with --dedup is not available on Xapian-layout shards: Xapian keeps a "
        "cluster's best-ranked member, not its earliest, so the facets would differ",
        "");
  }
  SearchResult result;
  result.dedup = request.dedup;
  result.skipped_shards = skipped_;
  try {
    const Xapian::Query query = build(request);
    const Xapian::doccount all = db_.get_doccount();
    Xapian::Enquire e = enquire(request, query);
    // Facets count matching paragraphs, grouped or not: spies on a match without collapse.
    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
    const bool collapsed = request.group_by_speech || request.dedup != Dedup::kNone;
    Xapian::Enquire facet_enquire(db_);
    facet_enquire.set_query(query);
    Xapian::Enquire& spied = collapsed ? facet_enquire : e;
    for (const std::string& f : request.facets) {
      spies.push_back(std::make_unique<Xapian::ValueCountMatchSpy>(facet_slot(f)));
      spied.add_matchspy(spies.back().get());
    }
    // Every document is checked (check_at_least = the document count), so counts are exact.
    // Under a collapse Xapian counts the kept matches (and what each stands for) exactly only
    // among those it keeps, so it keeps them all and the page is cut from them; the
    // paragraphs are counted by the same query without the collapse.
    const auto exact = [&](const Xapian::MSet& m) {
      if (m.get_matches_lower_bound() != m.get_matches_upper_bound()) {
        throw IndexError("the match count is not exact (every document was to be checked)", name_);
      }
      return m.get_matches_estimated();
    };
    Xapian::MSet mset;
    Xapian::doccount first = 0;
    if (collapsed) {
      mset = e.get_mset(0, all, all);
      result.total = mset.size();
      result.matched_paragraphs = result.total_paragraphs =
          exact(facet_enquire.get_mset(0, 0, all));
      if (request.dedup != Dedup::kNone) result.total_paragraphs = result.total;
      first = static_cast<Xapian::doccount>(std::min<size_t>(request.page.offset, mset.size()));
    } else {
      mset = e.get_mset(static_cast<Xapian::doccount>(request.page.offset),
                        static_cast<Xapian::doccount>(request.page.limit), all);
      result.total = result.total_paragraphs = result.matched_paragraphs = exact(mset);
    }
    const Xapian::doccount end =
        static_cast<Xapian::doccount>(std::min<size_t>(mset.size(), first + request.page.limit));
    for (size_t i = 0; i < spies.size(); ++i) {
      result.facets.push_back(
          facet_of(request.facets[i], *spies[i], result.total_paragraphs, taxonomy(), gazetteer()));
    }
    // The page's documents in one batch (a round trip per shard, not per hit).
    if (request.records && first < end) {
      mset.fetch(mset[first], end < mset.size() ? mset[end] : mset.end());
    }
    size_t rank = request.page.offset;
    for (Xapian::doccount i = first; i < end; ++i) {
      const Xapian::MSetIterator it = mset[i];
      Hit h;
      h.docid = *it;
      h.score = it.get_weight();
      h.rank = ++rank;
      if (request.group_by_speech) h.speech_matches = it.get_collapse_count() + 1;
      if (request.dedup != Dedup::kNone) h.copies = it.get_collapse_count();
      if (request.records) {
        h.record = schema::SpeechRecords::decode(it.get_document().get_data()).paragraphs().at(0);
      }
      result.hits.push_back(std::move(h));
    }
  } catch (const Xapian::Error& e) {
    rethrow_search(e, name_);
  }
  return result;
}

void XapianSearcher::for_each_hit(const SearchRequest& request,
                                  const std::function<void(const Hit&)>& hit) {
  SearchRequest r = request;
  r.facets.clear();
  r.group_by_speech = false;
  r.sort = Sort::kRelevance;
  constexpr size_t kChunk = 5000;
  for (r.page = {0, kChunk};; r.page.offset += kChunk) {
    const SearchResult page = search(r);
    for (const Hit& h : page.hits) hit(h);
    if (page.hits.size() < kChunk) return;
  }
}

void XapianSearcher::for_each_match(const SearchRequest& request,
                                    const std::function<void(unsigned)>& hit) {
  if (request.dedup != Dedup::kNone) {
    throw QueryError(
        "--dedup is not available here on Xapian-layout shards: Xapian keeps a cluster's "
        "best-ranked member, not its earliest",
        "");
  }
  Xapian::MSet mset;
  try {
    last_query_ = build(request);
    mset = in_id_order(last_query_, 0, db_.get_doccount());
  } catch (const Xapian::Error& e) {
    rethrow_search(e, name_);
  }
  last_ids_.assign(mset.begin(), mset.end());
  for (unsigned id : last_ids_) hit(id);
}

Xapian::MSet XapianSearcher::in_id_order(const Xapian::Query& query, Xapian::doccount first,
                                         Xapian::doccount count, Xapian::valueno key_slot) const {
  // All matches score alike and come in id order, so the matcher may stop once it has
  // first + count of them (a batch of records need not count the rest).
  Xapian::Enquire e(db_);
  e.set_query(query);
  e.set_docid_order(Xapian::Enquire::ASCENDING);
  e.set_weighting_scheme(Xapian::BoolWeight());
  if (key_slot != Xapian::BAD_VALUENO) e.set_collapse_key(key_slot, db_.get_doccount());
  return e.get_mset(first, count);
}

Xapian::MSet XapianSearcher::fetch_batch(Xapian::doccount first) const {
  // Each batch is a match from the first (a remote shard sends every item before the batch
  // too), so batches grow with the position, from 2,000 to 50,000: a few dozen matches for
  // a million paragraphs, not hundreds. Xapian 1.4's argumentless MSet::fetch() crashes on
  // an MSet that starts further on; fetch(begin, end) does not.
  Xapian::MSet batch =
      in_id_order(last_query_, first, std::clamp<Xapian::doccount>(first, 2000, 50000));
  batch.fetch(batch.begin(), batch.end());
  return batch;
}

const ValueColumn& XapianSearcher::value_column(Xapian::valueno slot) {
  try {
    if (!remote_ || last_query_.empty()) {
      std::unique_ptr<ValueColumn>& c = columns_[slot];
      if (!c) c = std::make_unique<ValueColumn>(db_, slot);
      return *c;
    }
    if (columns_query_ != last_query_.get_description()) {
      columns_.clear();
      columns_query_ = last_query_.get_description();
    }
    if (columns_[slot]) return *columns_[slot];
    // The slot's value of every match as the item's collapse key (a collapse that keeps
    // every member): one MSet of small items, not a document each.
    const Xapian::MSet mset = in_id_order(last_query_, 0, db_.get_doccount(), slot);
    std::vector<std::pair<Xapian::docid, std::string>> values;
    values.reserve(mset.size());
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
      values.emplace_back(*it, it.get_collapse_key());
    }
    columns_[slot] = std::make_unique<ValueColumn>(db_.get_lastdocid() + 1, values);
    return *columns_[slot];
  } catch (const Xapian::Error& e) {
    rethrow_search(e, name_);
  }
}

schema::ParagraphRecord XapianSearcher::record(unsigned docid) {
  try {
    // Reading the last for_each_match's matches in order (trends read every paragraph of
    // the filtered corpus): the next ones in one batch per shard, not a round trip each.
    if (prefetched_.count(docid) == 0) {
      const auto at = std::lower_bound(last_ids_.begin(), last_ids_.end(), docid);
      if (at != last_ids_.end() && *at == docid) {
        const Xapian::MSet batch =
            fetch_batch(static_cast<Xapian::doccount>(at - last_ids_.begin()));
        prefetched_.clear();
        for (Xapian::MSetIterator it = batch.begin(); it != batch.end(); ++it) {
          prefetched_[*it] = it.get_document().get_data();
        }
      }
    }
    if (const auto found = prefetched_.find(docid); found != prefetched_.end()) {
      return schema::SpeechRecords::decode(found->second).paragraphs().at(0);
    }
    return schema::SpeechRecords::decode(db_.get_document(docid).get_data()).paragraphs().at(0);
  } catch (const Xapian::DocNotFoundError&) {
    throw UsageError("no paragraph with id " + std::to_string(docid), name_);
  } catch (const Xapian::Error& e) {
    rethrow_search(e, name_);
  }
}

}  // namespace speechdex::searcher
