// Recursive-descent query parser over a small lexer; terms come from schema's tokenizer.
// Recursion is bounded by kMaxQueryDepth, and AND and OR chains are n-ary nodes.
#include "query_parser.h"

#include <algorithm>
#include <optional>

#include "errors.h"
#include "fields.h"
#include "normalizer.h"
#include "tokenizer.h"

namespace speechdex::searcher {
namespace {

enum class Tok { kWord, kQuoted, kLParen, kRParen, kOr, kAnd, kNot, kMinus, kField, kNear, kEnd };

struct Token {
  Tok kind;
  std::string text;  // word or quoted text; field name for kField
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_field_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

// Splits on white space outside quotes; ( ) " and a leading - are tokens of their own.
// `query` is the context of its errors.
std::vector<Token> lex(std::string_view q, const std::string& query) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < q.size()) {
    const char c = q[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '(') {
      out.push_back({Tok::kLParen, "("});
      ++i;
    } else if (c == ')') {
      out.push_back({Tok::kRParen, ")"});
      ++i;
    } else if (c == '"') {
      const size_t close = q.find('"', i + 1);
      if (close == std::string_view::npos) throw QueryError("unbalanced quotes", query);
      out.push_back({Tok::kQuoted, std::string(q.substr(i + 1, close - i - 1))});
      i = close + 1;
    } else if (c == '-' && (out.empty() || out.back().kind != Tok::kField)) {
      out.push_back({Tok::kMinus, "-"});
      ++i;
    } else {
      size_t j = i;
      while (j < q.size() && !is_space(q[j]) && q[j] != '(' && q[j] != ')' && q[j] != '"') ++j;
      std::string word(q.substr(i, j - i));
      i = j;
      const size_t colon = word.find(':');
      if (colon != std::string::npos && colon > 0 && is_field_name(word.substr(0, colon))) {
        out.push_back({Tok::kField, word.substr(0, colon)});
        if (colon + 1 < word.size()) out.push_back({Tok::kWord, word.substr(colon + 1)});
      } else if (word == "OR") {
        out.push_back({Tok::kOr, word});
      } else if (word == "AND") {
        out.push_back({Tok::kAnd, word});
      } else if (word == "NOT") {
        out.push_back({Tok::kNot, word});
      } else if (word == "NEAR" || word == "BEFORE" || word.starts_with("NEAR/") ||
                 word.starts_with("BEFORE/")) {
        out.push_back({Tok::kNear, word});
      } else {
        out.push_back({Tok::kWord, word});
      }
    }
  }
  out.push_back({Tok::kEnd, ""});
  return out;
}

using textstore::Query;
using Op = textstore::Query::Op;

// The sentence ends of NEAR/s as typed; what counts is their normalized units (see
// sentence_ends()).
constexpr std::string_view kSentenceEnds = "。！？；…";

// Where a unit's bigrams hold it (textstore::Query::UnitPattern), by bigram_term's rule: a
// word is kept apart from its neighbour by a space, a character is not.
Query::UnitPattern unit_pattern(std::string_view prefix, const schema::Unit& u) {
  const std::string text = std::string(prefix) + u.text;
  if (u.kind == schema::UnitKind::kWord) return {text + " ", " " + u.text};
  return {text, u.text};
}

// The units that end a sentence, after normalization: 。 ! ? ; and . (… normalizes to ...).
std::vector<Query::UnitPattern> sentence_ends() {
  std::vector<Query::UnitPattern> out;
  std::vector<std::string> seen;
  for (const schema::Unit& u : schema::tokenize(kSentenceEnds)) {
    if (std::find(seen.begin(), seen.end(), u.text) != seen.end()) continue;
    seen.push_back(u.text);
    out.push_back({unit_pattern(schema::field("text").prefix, u).starts, ""});
  }
  return out;
}

// A sub-query and whether it is purely an exclusion.
struct Node {
  std::optional<Query> positive;  // empty for a pure exclusion
  std::vector<Query> excluded;    // ANDed-NOT at the enclosing AND
};

// `op` (AND or OR) of `parts`, n-ary: a part of the same operator gives its children, so a
// long chain is one node, built in time linear in its length, and nests no deeper.
Query join(Op op, std::vector<Query> parts) {
  if (parts.size() == 1) return std::move(parts.front());
  std::vector<Query> children;
  children.reserve(parts.size());
  for (Query& p : parts) {
    if (p.op == op) {
      for (Query& c : p.children) children.push_back(std::move(c));
    } else {
      children.push_back(std::move(p));
    }
  }
  return Query::make(op, std::move(children));
}

// Folds a Node into one query: its positive part (<all> for a pure exclusion) AND_NOT its
// exclusions, ORed into one node however many there are, so `-a -b -c …` does not nest.
Query fold(Node n) {
  Query q = n.positive ? std::move(*n.positive) : Query::all();
  if (n.excluded.empty()) return q;
  std::vector<Query> pair;
  pair.push_back(std::move(q));
  pair.push_back(join(Op::kOr, std::move(n.excluded)));
  return Query::make(Op::kAndNot, std::move(pair));
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string query)
      : tokens_(std::move(tokens)), query_(std::move(query)) {}

  ParsedQuery parse() {
    Node n = parse_or();
    if (peek().kind != Tok::kEnd) {
      throw QueryError(peek().kind == Tok::kRParen ? "unbalanced parentheses: unexpected )"
                                                   : "unexpected '" + peek().text + "'",
                       query_);
    }
    ParsedQuery out;
    out.highlights = std::move(highlights_);
    out.filters = std::move(filters_);
    out.only_negative = !n.positive.has_value();
    if (!n.positive && n.excluded.empty() && out.filters.empty()) {
      throw QueryError("query has no searchable text", query_);
    }
    out.query = fold(std::move(n));
    return out;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  Token next() { return tokens_[pos_++]; }

  // One level deeper for as long as it lives: a '(' or an exclusion. The parser recurses once
  // per level, and so does everything that walks the query tree after it (the matcher, the
  // destructor), so the depth is bounded, not the stack left to chance.
  class Level {
   public:
    explicit Level(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxQueryDepth) {
        throw QueryError("query nested too deeply: more than " + std::to_string(kMaxQueryDepth) +
                             " levels of parentheses, - and NOT",
                         p_.query_);
      }
    }
    ~Level() { --p_.depth_; }
    Level(const Level&) = delete;
    Level& operator=(const Level&) = delete;

   private:
    Parser& p_;
  };

  Node parse_or() {
    std::vector<Node> parts;
    parts.push_back(parse_and());
    while (peek().kind == Tok::kOr) {
      next();
      if (peek().kind == Tok::kEnd || peek().kind == Tok::kRParen || peek().kind == Tok::kOr) {
        throw QueryError("OR needs something on both sides", query_);
      }
      parts.push_back(parse_and());
    }
    if (parts.size() == 1) return std::move(parts.front());
    std::vector<Query> alternatives;
    alternatives.reserve(parts.size());
    for (Node& p : parts) alternatives.push_back(fold(std::move(p)));
    Node n;
    n.positive = join(Op::kOr, std::move(alternatives));
    return n;
  }

  Node parse_and() {
    std::vector<Query> positives;
    Node acc;
    bool any = false;
    while (true) {
      const Tok k = peek().kind;
      if (k == Tok::kAnd) {
        if (!any) throw QueryError("AND needs something on its left", query_);
        next();
        continue;
      }
      if (k == Tok::kEnd || k == Tok::kRParen || k == Tok::kOr) break;
      if (k == Tok::kNear) {
        throw QueryError("'" + peek().text +
                             "' needs a word or quoted text on its left (its parts are text, not "
                             "groups, fields or other NEARs)",
                         query_);
      }
      Node n = parse_unary(false);
      any = true;
      if (n.positive) positives.push_back(std::move(*n.positive));
      for (Query& e : n.excluded) acc.excluded.push_back(std::move(e));
    }
    if (!any) {
      throw QueryError(peek().kind == Tok::kOr ? "OR needs something on both sides"
                                               : "query has no searchable text",
                       query_);
    }
    if (!positives.empty()) acc.positive = join(Op::kAnd, std::move(positives));
    return acc;
  }

  Node parse_unary(bool negated) {
    const Token t = next();
    switch (t.kind) {
      case Tok::kMinus:
      case Tok::kNot: {
        if (peek().kind == Tok::kEnd || peek().kind == Tok::kRParen || peek().kind == Tok::kOr) {
          throw QueryError("'" + t.text + "' needs something to exclude", query_);
        }
        const Level level(*this);
        Node inner = parse_unary(!negated);
        if (!inner.positive && inner.excluded.empty()) return inner;  // a negated filter
        Node n;
        n.excluded.push_back(fold(std::move(inner)));
        return n;
      }
      case Tok::kLParen: {
        const Level level(*this);
        Node inner = parse_or_negated(negated);
        if (next().kind != Tok::kRParen)
          throw QueryError("unbalanced parentheses: missing )", query_);
        return inner;
      }
      case Tok::kField: {
        if (is_filter_field(t.text)) {
          const Token v = next();
          if (v.kind != Tok::kWord && v.kind != Tok::kQuoted) {
            throw QueryError("filter '" + t.text + ":' needs a value", query_);
          }
          filters_.push_back({t.text, v.text, negated || negated_});
          return Node{};  // neither positive nor excluded text
        }
        const schema::Field* f = schema::find_field(t.text);
        if (f == nullptr || f->kind != schema::FieldKind::kText || f->name == "text") {
          throw QueryError("unknown field '" + t.text +
                               ":' (fields: title:, heading:, county:, province:, year:, topic:, "
                               "role:)",
                           query_);
        }
        const Token v = next();
        if (v.kind != Tok::kWord && v.kind != Tok::kQuoted) {
          throw QueryError("field '" + t.text + ":' needs a value", query_);
        }
        return text_node(*f, v, negated);
      }
      case Tok::kWord:
      case Tok::kQuoted:
        if (peek().kind == Tok::kNear) return near_node(t, negated);
        return text_node(schema::field("text"), t, negated);
      case Tok::kRParen:
        throw QueryError("unbalanced parentheses: unexpected )", query_);
      default:
        throw QueryError("unexpected '" + t.text + "'", query_);
    }
  }

  Node parse_or_negated(bool negated) {
    const bool saved = negated_;
    negated_ = negated;
    Node n = parse_or();
    negated_ = saved;
    return n;
  }

  // The query for one run of units: unigram, bigram, or the phrase of its bigrams at their
  // offsets in the run, which occurs exactly where the run does. Each bigram stands for two
  // units (width 2), so the index matches by a cheap subset that still fixes every unit.
  static Query run_query(const schema::Field& f, const std::vector<schema::Unit>& run) {
    if (run.size() == 1) return Query::make_term(schema::unigram_term(f.prefix, run[0]));
    if (run.size() == 2) return Query::make_term(schema::bigram_term(f.prefix, run[0], run[1]));
    std::vector<std::pair<std::string, uint32_t>> bigrams;
    for (size_t i = 0; i + 1 < run.size(); ++i) {
      bigrams.emplace_back(schema::bigram_term(f.prefix, run[i], run[i + 1]),
                           static_cast<uint32_t>(i));
    }
    return Query::make_phrase(std::move(bigrams), 2);
  }

  Node text_node(const schema::Field& f, const Token& t, bool negated) {
    const std::vector<schema::Unit> units = schema::tokenize(t.text);
    std::vector<std::vector<schema::Unit>> runs(1);
    for (const schema::Unit& u : units) {
      if (u.punctuation && t.kind == Tok::kWord) {
        if (!runs.back().empty()) runs.emplace_back();
      } else {
        runs.back().push_back(u);
      }
    }
    if (runs.back().empty()) runs.pop_back();
    if (runs.empty()) throw QueryError("'" + t.text + "' has no searchable text", query_);
    std::vector<Query> parts;
    for (const auto& run : runs) {
      parts.push_back(run_query(f, run));
      if (!negated && !negated_ && f.name == "text") {
        std::vector<std::string> seq;
        for (const schema::Unit& u : run) seq.push_back(u.text);
        highlights_.push_back(std::move(seq));
      }
    }
    Node n;
    n.positive = join(Op::kAnd, std::move(parts));
    return n;
  }

  // `op` (NEAR/n, NEAR/s, BEFORE/n or BEFORE/s) as a textstore::Query::Near.
  Query::Near near_operator(const std::string& op) const {
    Query::Near near;
    near.ordered = op.starts_with("BEFORE");
    const size_t slash = op.find('/');
    const std::string name = op.substr(0, slash);
    const std::string arg = slash == std::string::npos ? "" : op.substr(slash + 1);
    if (arg == "s") {
      near.sentence = true;
      near.enders = sentence_ends();
      return near;
    }
    const bool digits =
        !arg.empty() && arg.size() <= 7 &&
        std::all_of(arg.begin(), arg.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(arg) > kMaxNearDistance) {
      throw QueryError("bad '" + op + "': write " + name + "/n with n a number of characters 0.." +
                           std::to_string(kMaxNearDistance) + ", or " + name + "/s",
                       query_);
    }
    near.distance = static_cast<uint32_t>(std::stoul(arg));
    return near;
  }

  // One part of a NEAR: a single run of units (quoted, or a word without punctuation inside).
  Query near_part(const Token& t, const std::string& op, bool negated) {
    const schema::Field& f = schema::field("text");
    std::vector<schema::Unit> run;
    bool mark = false;  // punctuation after the run's last unit
    for (schema::Unit& u : schema::tokenize(t.text)) {
      if (u.punctuation && t.kind == Tok::kWord) {
        mark = !run.empty();
        continue;
      }
      if (mark) {
        throw QueryError("'" + t.text + "' has punctuation inside: quote it to use it in " + op,
                         query_);
      }
      run.push_back(std::move(u));
    }
    if (run.empty()) throw QueryError("'" + t.text + "' has no searchable text", query_);
    if (!negated && !negated_) {
      std::vector<std::string> seq;
      for (const schema::Unit& u : run) seq.push_back(u.text);
      highlights_.push_back(std::move(seq));
    }
    if (run.size() == 1) {
      return Query::make_unit(schema::unigram_term(f.prefix, run[0]),
                              unit_pattern(f.prefix, run[0]));
    }
    Query q = run_query(f, run);
    q.width = 2;  // a bigram, or a phrase of bigrams
    return q;
  }

  // `left` NEAR/n (or BEFORE/n, …/s) the text part after it.
  Node near_node(const Token& left, bool negated) {
    const Token op = next();
    const Query::Near near = near_operator(op.text);
    if (peek().kind != Tok::kWord && peek().kind != Tok::kQuoted) {
      throw QueryError("'" + op.text + "' needs a word or quoted text on its right", query_);
    }
    const Token right = next();
    Node n;
    n.positive = Query::make_near(near_part(left, op.text, negated),
                                  near_part(right, op.text, negated), near);
    return n;
  }

  std::vector<Token> tokens_;
  std::string query_;
  size_t pos_ = 0;
  size_t depth_ = 0;  // levels open: see Level
  bool negated_ = false;
  std::vector<std::vector<std::string>> highlights_;
  std::vector<FilterSpec> filters_;
};

// The query as its errors name it: whole, or if long its start (cut between characters) and
// its length, so that the error about a query of 200 KB is still a line to read.
std::string error_context(std::string_view q) {
  constexpr size_t kShown = 60;
  if (q.size() <= kShown + 20) return std::string(q);
  size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(q[cut]) & 0xC0) == 0x80) --cut;
  return std::string(q.substr(0, cut)) + "… (" + std::to_string(q.size()) + " bytes)";
}

}  // namespace

bool is_filter_field(std::string_view name) {
  return name == "county" || name == "province" || name == "year" || name == "topic" ||
         name == "role";
}

ParsedQuery parse_query(std::string_view text) {
  const std::string query = error_context(text);
  if (!schema::is_valid_utf8(text)) throw QueryError("query is not valid UTF-8", query);
  Parser parser(lex(text, query), query);
  return parser.parse();
}

}  // namespace speechdex::searcher
