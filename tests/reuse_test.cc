// Shared passages (--reuse, --reuse-pair) on a planted corpus built here: speeches of the
// sample's paragraphs with passages of 60–300 characters transplanted (some with characters
// changed), a speech copied whole, a passage put into most speeches; every planted passage
// found at its offsets, everything reported checked against brute force.
#include "reuse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "normalizer.h"
#include "test_support.h"
#include "tokenizer.h"

namespace speechdex::testing {
namespace {

using Json = nlohmann::json;

constexpr size_t kMinChars = 40;
constexpr size_t kEdge = 10;  // AlignParams::edge
constexpr size_t kBase = 32;  // speeches made of the sample's paragraphs; the copy is one more

// A passage that comes from no sample file, put into most speeches as a paragraph of its own.
const std::string kQuote =
    "各级党委和政府要始终坚持以人民为中心的发展思想，把人民群众的获得感、幸福感、安全感作为检验"
    "一切工作成效的根本标准。";

const std::string kTail = "确保各项任务落到实处。";
// Longer: quote and tail overlap the quote by less than the 80% that joins spans, so the
// speeches that have both share a passage of their own, which is mostly the quote.
const std::string kLongTail = "同志们，做好这项工作，任务艰巨，责任重大，各级各部门要高度重视。";

struct Plant {
  size_t source, target;
  size_t length;
  int changed;         // characters changed in the target's copy
  bool own_paragraph;  // put in as a paragraph of its own, or into the middle of one
  std::u32string text, planted;
};

// A planted span found in the stored speech texts: code point offsets.
struct Where {
  size_t start, end;
};

std::u32string u32(const std::string& s) { return schema::to_utf32(s); }
std::string u8(const std::u32string& s) { return schema::to_utf8(s); }

// The units of a text and the code point range of each, counted here from the units' byte
// ranges (not with the code under test).
struct Units {
  std::vector<std::string> text;
  std::vector<std::pair<size_t, size_t>> chars;
  std::vector<bool> starts_paragraph;  // a line break between it and the unit before
  std::vector<bool> punctuation;
};

Units units_of(const std::string& text) {
  std::vector<size_t> before(text.size() + 1, 0);  // code points before each byte
  for (size_t i = 0; i < text.size(); ++i) {
    before[i + 1] = before[i] + ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 ? 1 : 0);
  }
  Units u;
  size_t last_end = 0;
  for (const schema::Unit& x : schema::tokenize(text)) {
    const bool first = u.text.empty();
    u.text.push_back(x.text);
    u.chars.emplace_back(before[x.begin], before[x.end]);
    u.starts_paragraph.push_back(!first && text.substr(last_end, x.begin - last_end).find('\n') !=
                                               std::string::npos);
    u.punctuation.push_back(x.punctuation);
    last_end = x.end;
  }
  return u;
}

// The k units from i as one key.
std::string key(const Units& u, size_t i, size_t k) {
  std::string s;
  for (size_t j = i; j < i + k; ++j) {
    s += u.text[j];
    s += '\x1f';
  }
  return s;
}

// RFC 4180 rows.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
      ++i;
    } else {
      cell += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

class Reuse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->path() + "/db";
    build_corpus();
    const CommandResult index = run_command(std::string(SPEECHDEX_INDEX_BIN) + " --db " + db_ +
                                            " " + shell_quote(jsonl_) + " 2>&1");
    ASSERT_EQ(index.status, 0) << index.out;
    read_texts();
    const CommandResult r = search("--reuse --format json");
    ASSERT_EQ(r.status, 0) << r.out;
    passages_ = new std::vector<Json>();
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) passages_->push_back(Json::parse(line));
  }
  static void TearDownTestSuite() {
    delete passages_;
    delete dir_;
    plants_.clear();
    texts_.clear();
  }

  static CommandResult search(const std::string& args, bool stderr_too = false) {
    return run_command(std::string(SPEECHDEX_SEARCH_BIN) + " --db " + db_ + " " + args, stderr_too);
  }

  static std::string id(size_t speech) {
    return jsonl_ + (speech < 10 ? "#s0" : "#s") + std::to_string(speech);
  }

  // Speeches of five sample paragraphs each; the plants; the quote; the copy.
  static void build_corpus() {
    std::vector<std::u32string> base;
    for (const char* f :
         {"000_2073c58453f419a3.txt", "001_11557c694fc91416.txt", "002_7b64626b53d5935b.txt",
          "003_878e5e52374565a1.txt", "004_5b6d402b3b0bb00b.txt"}) {
      std::istringstream in(read_bytes(source_path(std::string("data/sample/") + f)));
      for (std::string line; std::getline(in, line);) {
        const std::u32string l = u32(line);
        bool furniture = false;
        for (const char* k : {"来源", "www", "作者", "小编", "篇"}) {
          furniture = furniture || line.find(k) != std::string::npos;
        }
        if (l.size() >= 40 && !furniture) base.push_back(l);
      }
    }
    ASSERT_GE(base.size(), kBase * 5);
    std::vector<std::vector<std::u32string>> speeches(kBase);
    for (size_t k = 0; k < kBase; ++k) {
      speeches[k].assign(base.begin() + 5 * k, base.begin() + 5 * k + 5);
    }
    // Transplants: from the source's longest paragraph that is long enough.
    plants_ = {{0, 7, 60, 0, false, {}, {}},   {2, 9, 75, 0, true, {}, {}},
               {4, 11, 100, 1, false, {}, {}}, {6, 13, 150, 0, false, {}, {}},
               {8, 15, 220, 2, true, {}, {}},  {10, 17, 300, 0, true, {}, {}},
               {12, 19, 90, 2, false, {}, {}}, {14, 21, 130, 0, false, {}, {}},
               {16, 23, 120, 0, true, {}, {}}, {16, 25, 120, 0, false, {}, {}}};
    for (Plant& p : plants_) {
      const std::u32string* from = nullptr;
      for (size_t s = p.source; from == nullptr; s = (s + 1) % kBase) {
        for (const std::u32string& para : speeches[s]) {
          if (para.size() >= p.length + 10 && (from == nullptr || para.size() > from->size())) {
            from = &para;
          }
        }
        if (from) p.source = s;
      }
      p.text = from->substr(5, p.length);
      p.planted = p.text;
      const char32_t marks[] = {U'甲', U'乙', U'丙'};
      for (int c = 0; c < p.changed; ++c) {
        const size_t at = p.length * (c + 1) / 3;
        p.planted[at] = marks[c] != p.planted[at] ? marks[c] : marks[2];
      }
    }
    for (const Plant& p : plants_) {
      std::vector<std::u32string>& t = speeches[p.target];
      if (p.own_paragraph) {
        t.insert(t.begin() + 2, p.planted);
      } else {
        std::u32string& para = t[1];
        para.insert(para.size() / 2, p.planted);
      }
    }
    for (size_t k = 0; k < kBase; ++k) {
      if (k % 5 != 4) speeches[k].insert(speeches[k].begin() + 3, u32(kQuote));
    }
    // In three of them the same words follow the quote: those pairs share more than the
    // quote, but the quote's members stay the quote (most of their partners share the quote
    // alone).
    for (size_t k : {5, 6, 7}) speeches[k][3] += u32(kTail);
    for (size_t k : {10, 11, 12}) speeches[k][3] += u32(kLongTail);
    speeches.push_back(speeches[1]);  // the whole copy, s32
    jsonl_ = dir_->path() + "/speeches.jsonl";
    // Counties spread over the provinces, years spread over 2010–2021.
    std::istringstream divisions(read_bytes(source_path("data/admin-divisions.tsv")));
    std::vector<std::string> codes;
    std::string line;
    std::getline(divisions, line);
    for (size_t row = 0; std::getline(divisions, line); ++row) {
      if (row % 89 == 0) codes.push_back(line.substr(0, 6));
    }
    ASSERT_GE(codes.size(), speeches.size());
    std::string out;
    for (size_t k = 0; k < speeches.size(); ++k) {
      Json text = Json::array();
      for (const std::u32string& para : speeches[k]) text.push_back(u8(para));
      out += Json{{"id", id(k).substr(jsonl_.size() + 1)},
                  {"county_code", codes[k]},
                  {"year", 2010 + static_cast<int>((k * 7) % 12)},
                  {"text", text}}
                 .dump() +
             "\n";
    }
    write_bytes(jsonl_, out);
  }

  // Each speech's text as the contract defines it, from the records.
  static void read_texts() {
    std::map<std::string, std::vector<schema::ParagraphRecord>> by_speech;
    for (StoredParagraph& p : read_all(db_)) by_speech[p.record.speech_id].push_back(p.record);
    for (auto& [sid, records] : by_speech) {
      std::sort(records.begin(), records.end(),
                [](const auto& x, const auto& y) { return x.paragraph < y.paragraph; });
      std::string text;
      for (const auto& r : records) text += (text.empty() ? "" : "\n") + r.text;
      texts_[sid] = text;
      meta_[sid] = records.front();
    }
    ASSERT_EQ(texts_.size(), kBase + 1);
  }

  // Where `passage` is in speech `speech`: it must be there once.
  static Where find(size_t speech, const std::u32string& passage) {
    const std::u32string t = u32(texts_.at(id(speech)));
    const size_t at = t.find(passage);
    EXPECT_NE(at, std::u32string::npos) << "planted text not in " << id(speech);
    EXPECT_EQ(at, t.rfind(passage)) << "planted text twice in " << id(speech);
    return {at, at + passage.size()};
  }

  // The passages with a member in `speech` whose offsets contain `w`.
  static std::vector<const Json*> containing(size_t speech, Where w) {
    std::vector<const Json*> out;
    for (const Json& p : *passages_) {
      for (const Json& m : p["members"]) {
        if (m["speech_id"] == id(speech) && m["start"] <= w.start && m["end"] >= w.end) {
          out.push_back(&p);
          break;
        }
      }
    }
    return out;
  }

  // "passage:start–end ..." of every member in `speech`, for failure messages.
  static std::string members_in(size_t speech) {
    std::string out;
    for (const Json& p : *passages_) {
      for (const Json& m : p["members"]) {
        if (m["speech_id"] != id(speech)) continue;
        // Piece by piece: GCC 12 -O3 warns falsely (-Wrestrict) on "x" + std::string&&.
        out += ' ';
        out += std::to_string(p["passage"].get<size_t>());
        out += ':';
        out += std::to_string(m["start"].get<size_t>());
        out += "–";
        out += std::to_string(m["end"].get<size_t>());
      }
    }
    return id(speech) + out;
  }

  static const Json* member(const Json& passage, size_t speech, Where w) {
    for (const Json& m : passage["members"]) {
      if (m["speech_id"] == id(speech) && m["start"] <= w.start && m["end"] >= w.end) return &m;
    }
    return nullptr;
  }

  static std::string slice(const std::string& sid, size_t start, size_t end) {
    return u8(u32(texts_.at(sid)).substr(start, end - start));
  }

  static TempDir* dir_;
  static std::string db_, jsonl_;
  static std::vector<Plant> plants_;
  static std::map<std::string, std::string> texts_;
  static std::map<std::string, schema::ParagraphRecord> meta_;
  static std::vector<Json>* passages_;
};

TempDir* Reuse::dir_ = nullptr;
std::string Reuse::db_, Reuse::jsonl_;
std::vector<Plant> Reuse::plants_;
std::map<std::string, std::string> Reuse::texts_;
std::map<std::string, schema::ParagraphRecord> Reuse::meta_;
std::vector<Json>* Reuse::passages_ = nullptr;

TEST_F(Reuse, MembersAreSlicesOfTheSpeechTextInTheContractsOrder) {
  ASSERT_FALSE(passages_->empty());
  size_t number = 0;
  for (const Json& p : *passages_) {
    EXPECT_EQ(p["passage"], ++number);
    EXPECT_EQ(p["earliest"], 0);
    std::set<std::string> counties, provinces, speeches;
    int lo = 0, hi = 0;
    std::tuple<bool, int, std::string, size_t> previous{false, 0, "", 0};
    for (size_t k = 0; k < p["members"].size(); ++k) {
      const Json& m = p["members"][k];
      const std::string sid = m["speech_id"];
      ASSERT_TRUE(texts_.count(sid)) << sid;
      const schema::ParagraphRecord& r = meta_.at(sid);
      EXPECT_EQ(m["text"], slice(sid, m["start"], m["end"])) << sid;
      EXPECT_EQ(m["source"], r.source);
      EXPECT_EQ(m["county_code"], r.county_code);
      EXPECT_EQ(m["year"], r.year);
      const std::tuple<bool, int, std::string, size_t> order{r.year == 0, r.year, r.source,
                                                             m["start"].get<size_t>()};
      if (k > 0) {
        EXPECT_LE(previous, order) << "members not earliest first";
      }
      previous = order;
      speeches.insert(sid);
      if (!r.county_code.empty()) counties.insert(r.county_code);
      if (!r.province.empty()) provinces.insert(r.province);
      lo = lo == 0 ? r.year : std::min(lo, r.year);
      hi = std::max(hi, r.year);
    }
    EXPECT_GE(speeches.size(), 2u);
    EXPECT_EQ(p["counties"], counties.size());
    EXPECT_EQ(p["provinces"], provinces.size());
    EXPECT_EQ(p["speeches"], speeches.size());
    EXPECT_EQ(p["years"], Json::array({lo, hi}));
  }
}

TEST_F(Reuse, EveryPlantedPassageIsFoundAtItsOffsets) {
  for (const Plant& p : plants_) {
    SCOPED_TRACE(id(p.source) + " -> " + id(p.target) + ", " + std::to_string(p.length) +
                 " characters, " + std::to_string(p.changed) + " changed");
    Where src = find(p.source, p.text), dst = find(p.target, p.planted);
    // A passage does not start with separating punctuation (docs/reuse.md, the edge rule).
    size_t lead = 0;
    for (const schema::Unit& u : schema::tokenize(u8(p.text))) {
      if (!u.punctuation) break;
      ++lead;
    }
    src.start += lead;
    dst.start += lead;
    const std::vector<const Json*> found = containing(p.source, src);
    const Json* both = nullptr;
    for (const Json* q : found) {
      if (member(*q, p.target, dst)) both = q;
    }
    ASSERT_NE(both, nullptr) << "no passage holds the source at " << src.start << "–" << src.end
                             << " and the target at " << dst.start << "–" << dst.end
                             << "; members there: " << members_in(p.source) << "; "
                             << members_in(p.target);
    const Json& ms = *member(*both, p.source, src);
    const Json& mt = *member(*both, p.target, dst);
    // The offsets are the planted ones, unless the texts around them happen to be equal too:
    // then the member is longer by exactly that equal text, on both sides alike.
    const size_t extra_before = src.start - ms["start"].get<size_t>();
    const size_t extra_after = ms["end"].get<size_t>() - src.end;
    EXPECT_EQ(extra_before, dst.start - mt["start"].get<size_t>());
    EXPECT_EQ(extra_after, mt["end"].get<size_t>() - dst.end);
    EXPECT_LE(extra_before + extra_after, 4u);
    if (p.changed == 0) {
      EXPECT_EQ(ms["text"], mt["text"]);
    }
    EXPECT_EQ(u32(mt["text"]).substr(extra_before, p.length - lead), p.planted.substr(lead));
    EXPECT_EQ(u32(ms["text"]).substr(extra_before, p.length - lead), p.text.substr(lead));
    EXPECT_FALSE((*both)["central_quote"]);
  }
  // The passage put into two speeches is one passage of three.
  const Plant& a = plants_[8];
  const Plant& b = plants_[9];
  const std::vector<const Json*> found = containing(a.source, find(a.source, a.text));
  bool three = false;
  for (const Json* q : found) {
    three = three || (member(*q, a.target, find(a.target, a.planted)) &&
                      member(*q, b.target, find(b.target, b.planted)));
  }
  EXPECT_TRUE(three);
}

TEST_F(Reuse, AWholeCopyIsOnePassageOverBothTexts) {
  const std::string& text = texts_.at(id(1));
  ASSERT_EQ(text, texts_.at(id(kBase)));
  const size_t length = u32(text).size();
  bool found = false;
  for (const Json& p : *passages_) {
    if (p["members"].size() != 2) continue;
    const Json& x = p["members"][0];
    const Json& y = p["members"][1];
    if (x["start"] == 0 && x["end"] == length && y["start"] == 0 && y["end"] == length) {
      found = std::set<std::string>{x["speech_id"], y["speech_id"]} ==
              std::set<std::string>{id(1), id(kBase)};
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(Reuse, ThePassageInMostSpeechesIsTheOneCentralQuote) {
  size_t central = 0, contains = 0;
  for (const Json& p : *passages_) {
    if (!p["central_quote"]) {
      EXPECT_TRUE(p["central_rule"].is_null());
      continue;
    }
    std::set<std::string> speeches;
    if (p["central_rule"] == "contains") {
      // The quote with the long tail, in the three speeches that have both.
      ++contains;
      for (const Json& m : p["members"]) {
        EXPECT_EQ(m["text"], kQuote + kLongTail);
        speeches.insert(m["speech_id"]);
      }
      EXPECT_EQ(speeches.size(), 3u);
      continue;
    }
    ++central;
    EXPECT_EQ(p["central_rule"], "spread");
    for (const Json& m : p["members"]) {
      EXPECT_EQ(m["text"], kQuote);
      speeches.insert(m["speech_id"]);
    }
    std::set<std::string> expected;
    for (const auto& [sid, text] : texts_) {
      if (text.find(kQuote) != std::string::npos) expected.insert(sid);
    }
    EXPECT_EQ(speeches, expected);
    EXPECT_EQ(expected.size(), 27u);
  }
  EXPECT_EQ(central, 1u);
  EXPECT_EQ(contains, 1u);
}

// Every identical run of at least min-chars units that two speeches share, found by brute
// force, lies inside members of one passage; and every member shares such a run with another
// member of its passage, or is one side of a planted passage with characters changed.
TEST_F(Reuse, ReportedIsExactlyWhatBruteForceFindsPlusThePlantedNearCopies) {
  std::map<std::string, Units> units;
  for (const auto& [sid, text] : texts_) units[sid] = units_of(text);
  std::unordered_map<std::string, std::vector<std::pair<std::string, size_t>>> windows;
  for (const auto& [sid, u] : units) {
    for (size_t i = 0; i + kMinChars <= u.text.size(); ++i)
      windows[key(u, i, kMinChars)].push_back({sid, i});
  }
  size_t runs = 0;
  for (const auto& [k, where] : windows) {
    for (const auto& [x, i] : where) {
      for (const auto& [y, j] : where) {
        if (x >= y) continue;
        const Units& ux = units[x];
        const Units& uy = units[y];
        if (i > 0 && j > 0 && ux.text[i - 1] == uy.text[j - 1]) continue;  // not a run's start
        size_t n = kMinChars;
        while (i + n < ux.text.size() && j + n < uy.text.size() && ux.text[i + n] == uy.text[j + n])
          ++n;
        // The edge rule (docs/reuse.md): up to kEdge units before the first (after the last)
        // paragraph break in either text are not part of a passage, unless it starts (ends)
        // both texts; nor is punctuation at its start.
        size_t front = 0, back = 0;
        if (i > 0 || j > 0) {
          for (size_t d = 1; d <= kEdge && d < n; ++d) {
            if (ux.starts_paragraph[i + d] || uy.starts_paragraph[j + d]) front = d;
          }
        }
        while (front + 1 < n && ux.punctuation[i + front]) ++front;
        if (i + n < ux.text.size() || j + n < uy.text.size()) {
          for (size_t d = 1; d <= kEdge; ++d) {
            if (d < n && (ux.starts_paragraph[i + n - d] || uy.starts_paragraph[j + n - d]))
              back = d;
          }
        }
        if (front + back + kMinChars > n) continue;  // no passage once its edges are off
        ++runs;
        const Where wx{ux.chars[i + front].first, ux.chars[i + n - back - 1].second};
        const Where wy{uy.chars[j + front].first, uy.chars[j + n - back - 1].second};
        // In one passage, each member holding the run, or at least 80% of it where most of the
        // member's partners share less than this pair (the heading after the quote).
        auto holds = [](const Json& m, const Where& w) {
          const size_t from = std::max(m["start"].get<size_t>(), w.start);
          const size_t to = std::min(m["end"].get<size_t>(), w.end);
          return to > from && 5 * (to - from) >= 4 * (w.end - w.start);
        };
        bool covered = false;
        for (const Json& p : *passages_) {
          bool in_x = false, in_y = false;
          for (const Json& m : p["members"]) {
            if (m["speech_id"] == x && holds(m, wx)) in_x = true;
            if (m["speech_id"] == y && holds(m, wy)) in_y = true;
          }
          covered = covered || (in_x && in_y);
        }
        EXPECT_TRUE(covered) << n << " equal units of " << x << " at " << wx.start << " and " << y
                             << " at " << wy.start
                             << " in no passage: " << slice(x, wx.start, wx.end);
      }
    }
  }
  EXPECT_GT(runs, plants_.size());

  std::set<std::pair<std::string, size_t>> near;  // (speech, start) of changed plants' sides
  for (const Plant& p : plants_) {
    if (p.changed == 0) continue;
    near.insert({id(p.source), find(p.source, p.text).start});
    near.insert({id(p.target), find(p.target, p.planted).start});
  }
  for (const Json& p : *passages_) {
    std::vector<std::set<std::string>> keys;
    for (const Json& m : p["members"]) {
      const Units& u = units[m["speech_id"]];
      std::set<std::string> ks;
      for (size_t i = 0; i + kMinChars <= u.text.size(); ++i) {
        if (u.chars[i].first >= m["start"] && u.chars[i + kMinChars - 1].second <= m["end"]) {
          ks.insert(key(u, i, kMinChars));
        }
      }
      keys.push_back(std::move(ks));
    }
    for (size_t a = 0; a < keys.size(); ++a) {
      const Json& m = p["members"][a];
      bool shared = false;
      for (size_t b = 0; b < keys.size() && !shared; ++b) {
        if (a == b || p["members"][b]["speech_id"] == m["speech_id"]) continue;
        for (const std::string& k : keys[a]) {
          if (keys[b].count(k)) {
            shared = true;
            break;
          }
        }
      }
      bool planted = false;
      for (const auto& [sid, start] : near) {
        planted = planted || (m["speech_id"] == sid && m["start"] <= start && m["end"] > start);
      }
      EXPECT_TRUE(shared || planted) << "passage " << p["passage"] << ": " << m["speech_id"]
                                     << " shares no run of " << kMinChars << ": " << m["text"];
    }
  }
}

TEST_F(Reuse, CsvHasOneRowPerMemberAsTheJson) {
  const CommandResult r = search("--reuse --format csv");
  ASSERT_EQ(r.status, 0);
  const auto rows = parse_csv(r.out);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0], (std::vector<std::string>{"passage", "central_quote", "speech_id", "source",
                                               "start", "end", "county_code", "county", "province",
                                               "year", "chars", "text"}));
  size_t row = 1;
  for (const Json& p : *passages_) {
    for (const Json& m : p["members"]) {
      ASSERT_LT(row, rows.size());
      const std::vector<std::string>& c = rows[row++];
      ASSERT_EQ(c.size(), 12u);
      EXPECT_EQ(c[0], std::to_string(p["passage"].get<size_t>()));
      EXPECT_EQ(c[1], p["central_quote"].get<bool>() ? "true" : "false");
      EXPECT_EQ(c[2], m["speech_id"]);
      EXPECT_EQ(c[4], std::to_string(m["start"].get<size_t>()));
      EXPECT_EQ(c[5], std::to_string(m["end"].get<size_t>()));
      EXPECT_EQ(c[7], meta_.at(m["speech_id"]).county);
      EXPECT_EQ(c[8], meta_.at(m["speech_id"]).province);
      EXPECT_EQ(c[10], std::to_string(m["end"].get<size_t>() - m["start"].get<size_t>()));
      EXPECT_EQ(c[11], m["text"]);  // line breaks and all, quoted
    }
  }
  EXPECT_EQ(row, rows.size());
}

TEST_F(Reuse, TheTableNamesPassagesAndTheRuleWithoutProgressOffATerminal) {
  const CommandResult r = search("--reuse 2>&1");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("passage 1 · "), std::string::npos);
  EXPECT_NE(r.out.find("central quote"), std::string::npos);
  EXPECT_NE(r.out.find("* probable source"), std::string::npos);
  EXPECT_EQ(r.out.find("\r"), std::string::npos);     // no progress line
  EXPECT_EQ(r.out.find("\033["), std::string::npos);  // no colour
}

TEST_F(Reuse, FiltersAndQueriesRestrictTheSpeechesConsidered) {
  // A province: every member is of it.
  const std::string province = meta_.at(id(7)).province;
  const CommandResult r = search("--reuse --format json --province " + shell_quote(province));
  ASSERT_EQ(r.status, 0);
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    const Json passage = Json::parse(line);  // the loop's range must outlive it
    for (const Json& m : passage["members"]) {
      EXPECT_EQ(meta_.at(m["speech_id"]).province, province);
    }
  }
  // A query: only speeches with a matching paragraph, and the planted passage among them.
  const Plant& p = plants_[5];
  const std::string word = u8(p.text.substr(20, 6));
  const CommandResult q = search("--reuse --format json " + shell_quote(word));
  ASSERT_EQ(q.status, 0);
  std::istringstream qin(q.out);
  bool planted = false;
  for (std::string line; std::getline(qin, line);) {
    const Json passage = Json::parse(line);
    std::set<std::string> speeches;
    for (const Json& m : passage["members"]) {
      EXPECT_NE(texts_.at(m["speech_id"]).find(word), std::string::npos);
      speeches.insert(m["speech_id"]);
    }
    planted = planted || (speeches.count(id(p.source)) && speeches.count(id(p.target)));
  }
  EXPECT_TRUE(planted);
}

TEST_F(Reuse, APairShowsWhatChangedAndItsSegmentsCoverBothTexts) {
  const Plant& p = plants_[4];  // two characters changed
  ASSERT_EQ(p.changed, 2);
  const CommandResult r = search("--reuse-pair " + shell_quote(id(p.source)) + " " +
                                 shell_quote(id(p.target)) + " --format json");
  ASSERT_EQ(r.status, 0) << r.out;
  const Json pair = Json::parse(r.out);
  EXPECT_EQ(pair["a"]["speech_id"], id(p.source));
  std::string a, b;
  size_t at_a = 0, at_b = 0;
  std::vector<std::pair<std::string, std::string>> replaced;
  for (const Json& s : pair["segments"]) {
    EXPECT_EQ(s["a_start"], at_a);
    EXPECT_EQ(s["b_start"], at_b);
    at_a = s["a_end"];
    at_b = s["b_end"];
    a += s["a_text"].get<std::string>();
    b += s["b_text"].get<std::string>();
    EXPECT_EQ(s["a_text"], slice(id(p.source), s["a_start"], s["a_end"]));
    if (s["op"] == "replace" && !s["passage"].is_null())
      replaced.emplace_back(s["a_text"], s["b_text"]);
  }
  EXPECT_EQ(a, texts_.at(id(p.source)));
  EXPECT_EQ(b, texts_.at(id(p.target)));
  const Where src = find(p.source, p.text);
  bool passage = false;
  for (const Json& q : pair["passages"]) passage = passage || (q["a_start"] == src.start);
  EXPECT_TRUE(passage);
  std::vector<std::pair<std::string, std::string>> expected;
  for (size_t i = 0; i < p.text.size(); ++i) {
    if (p.text[i] != p.planted[i])
      expected.emplace_back(u8(p.text.substr(i, 1)), u8(p.planted.substr(i, 1)));
  }
  EXPECT_EQ(replaced, expected);

  // The table marks them as wdiff does; colour only when asked for.
  const std::string args =
      "--reuse-pair " + shell_quote(id(p.source)) + " " + shell_quote(id(p.target));
  const CommandResult t = search(args);
  EXPECT_NE(t.out.find("[-" + expected[0].first + "-]{+" + expected[0].second + "+}"),
            std::string::npos)
      << t.out;
  EXPECT_EQ(t.out.find("\033["), std::string::npos);
  EXPECT_NE(search(args + " --color always").out.find("\033[31m[-"), std::string::npos);

  // The copy: one passage, all equal.
  const Json copy = Json::parse(
      search("--reuse-pair " + shell_quote(id(1)) + " " + shell_quote(id(kBase)) + " --format json")
          .out);
  ASSERT_EQ(copy["passages"].size(), 1u);
  EXPECT_EQ(copy["passages"][0]["identity"], 1.0);
  for (const Json& s : copy["segments"]) EXPECT_EQ(s["op"], "equal");
}

TEST_F(Reuse, AnUnknownSpeechIsAUsageError) {
  const CommandResult r = search("--reuse-pair " + shell_quote(id(1)) + " nowhere.txt#1", true);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(
      r.out.find("speechdex-search: error: no speech with this id in the index (nowhere.txt#1)"),
      std::string::npos)
      << r.out;
  const CommandResult q = search("--reuse-pair a b 依法", true);
  EXPECT_EQ(q.status, 2);
  const CommandResult k = search("--reuse --count", true);
  EXPECT_EQ(k.status, 2);
}

// With max_df 4, the quote's n-grams (in 27 speeches) are too common for every pair: aligned
// from hubs only, the quote is still one central passage of all 27, and the plants (in two
// or three speeches) are found as before.
TEST_F(Reuse, NgramsInMoreThanMaxDfSpeechesStillJoinTheirPassage) {
  searcher::Searcher s(db_);
  searcher::SearchRequest request;
  request.query = searcher::ParsedQuery{textstore::Query::all(), {}, true, {}};
  searcher::ReuseOptions options;
  options.max_df = 4;
  const searcher::ReuseResult r = searcher::find_reuse(s, request, options);
  EXPECT_GT(r.stats.common, 0u);
  size_t central = 0;
  for (const searcher::ReusePassage& p : r.passages) {
    if (!p.central_quote || p.contains_central) continue;
    ++central;
    EXPECT_EQ(p.speeches, 27u);
    for (const searcher::ReuseMember& m : p.members) EXPECT_EQ(m.text, kQuote);
  }
  EXPECT_EQ(central, 1u);
  for (const Plant& plant : plants_) {
    const Where src = find(plant.source, plant.text);
    bool found = false;
    for (const searcher::ReusePassage& p : r.passages) {
      bool in_source = false, in_target = false;
      for (const searcher::ReuseMember& m : p.members) {
        const std::string& sid = r.speeches[m.speech].speech_id;
        in_source =
            in_source || (sid == id(plant.source) && m.start <= src.start + 1 && m.end >= src.end);
        in_target = in_target || sid == id(plant.target);
      }
      found = found || (in_source && in_target);
    }
    EXPECT_TRUE(found) << id(plant.source) << " -> " << id(plant.target);
  }
}

// A cache too small for any speech gives the same passages, reading speeches again.
TEST_F(Reuse, ASmallCacheReadsSpeechesAgainAndFindsTheSame) {
  searcher::Searcher s(db_);
  searcher::SearchRequest request;
  request.query = searcher::ParsedQuery{textstore::Query::all(), {}, true, {}};
  searcher::ReuseOptions options;
  std::ostringstream full, small;
  const searcher::ReuseResult a = searcher::find_reuse(s, request, options);
  options.cache_bytes = 1;
  const searcher::ReuseResult b = searcher::find_reuse(s, request, options);
  searcher::print_reuse(full, searcher::Format::kJson, a, false);
  searcher::print_reuse(small, searcher::Format::kJson, b, false);
  EXPECT_EQ(full.str(), small.str());
  EXPECT_EQ(a.stats.rereads, 0u);
  EXPECT_GT(b.stats.rereads, 0u);
  EXPECT_EQ(a.passages.size(), passages_->size());
}

}  // namespace
}  // namespace speechdex::testing
