// Metadata rules. Each rule is about the kind of evidence (a name's kind, the words
// around it, where in the speech it stands), never about a particular place or speech.
#include "metadata_extractor.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <map>
#include <optional>

#include "normalizer.h"
#include "record.h"

namespace speechdex::indexer {
namespace {

using schema::to_utf32;
using schema::to_utf8;

// Normalized text without white space, as code points.
std::u32string squeeze(const std::string& text) {
  std::u32string norm;
  schema::Normalizer::thread_instance().normalize(text, norm, nullptr);
  std::u32string out;
  for (char32_t c : norm) {
    if (!u_isUWhiteSpace(static_cast<UChar32>(c))) out.push_back(c);
  }
  return out;
}

bool starts_with_any(std::u32string_view s, std::initializer_list<std::u32string_view> list) {
  for (std::u32string_view p : list) {
    if (s.substr(0, p.size()) == p) return true;
  }
  return false;
}

bool ends_with_any(std::u32string_view s, std::initializer_list<std::u32string_view> list) {
  for (std::u32string_view p : list) {
    if (s.size() >= p.size() && s.substr(s.size() - p.size()) == p) return true;
  }
  return false;
}

bool contains_any(std::u32string_view s, std::initializer_list<std::u32string_view> list) {
  for (std::u32string_view p : list) {
    if (s.find(p) != std::u32string_view::npos) return true;
  }
  return false;
}

}  // namespace

// The texts of a speech to read: its title, then its paragraphs (the title paragraph is
// the title itself and is not read twice).
struct SpeechText {
  std::u32string title;
  std::vector<std::u32string> paragraphs;
  std::vector<std::u32string> opening;  // paragraphs before the salutation (speaker, date)
};

SpeechText read_speech(const Speech& speech) {
  SpeechText t;
  t.title = squeeze(speech.title);
  bool before_salutation = true;
  for (const Paragraph& p : speech.paragraphs) {
    if (p.kind == schema::kKindTitle) continue;
    std::u32string s = squeeze(p.text);
    if (before_salutation && is_salutation(s)) before_salutation = false;
    if (before_salutation && t.opening.size() < 3 && s.size() <= 40) t.opening.push_back(s);
    t.paragraphs.push_back(std::move(s));
  }
  // Without a salutation there is no opening: the first lines are the speech itself.
  if (before_salutation) t.opening.clear();
  return t;
}

namespace {

// ---- County ---------------------------------------------------------------------------

struct Mention {
  const schema::NameEntry* entry;
  std::u32string name;
  bool in_title;
  bool own;         // own-voice context
  bool own_strict;  // own-voice context without the suffix rule
  bool department;  // a department name follows (会同 + 县公安局)
  bool boundary;    // a word boundary precedes it
  bool other;       // another place: neighbour, study trip, comparison
};

// Context rules. `before` and `after` are the text just before and after the name.
bool is_other_place(std::u32string_view before, std::u32string_view after) {
  if (ends_with_any(before, {U"隔壁", U"隔壁的", U"邻近", U"邻近的", U"周边", U"周边的", U"相邻",
                             U"相邻的", U"毗邻", U"毗邻的", U"邻县", U"兄弟县", U"兄弟县市"})) {
    return true;
  }
  const std::u32string_view near_after = after.substr(0, 10);
  if (ends_with_any(before, {U"到", U"去", U"赴", U"前往", U"来到"}) &&
      starts_with_any(after, {U"学习", U"考察", U"参观", U"取经", U"调研", U"交流", U"观摩"})) {
    return true;
  }
  if (ends_with_any(before, {U"向"}) && contains_any(near_after, {U"学习", U"看齐", U"取经"})) {
    return true;
  }
  if (ends_with_any(before, {U"与", U"同", U"跟", U"和", U"比", U"较"}) &&
      contains_any(near_after, {U"相比", U"比较", U"对比", U"差距", U"相当", U"一样"})) {
    return true;
  }
  return starts_with_any(after, {U"等县", U"等地", U"等兄弟", U"等周边", U"学习考察", U"考察学习"});
}

// Own voice, strictly: words around the name that only the speaker's own county gets
// (我们巴东, 全县, 范县县委, 巴东人民).
bool is_own_voice_strict(std::u32string_view before, std::u32string_view after) {
  if (ends_with_any(before, {U"我们", U"咱们", U"全", U"建设", U"打造", U"美丽", U"法治", U"幸福",
                             U"魅力", U"大美", U"中共"})) {
    return true;
  }
  return starts_with_any(
      after, {U"县委", U"县人民政府", U"县政府", U"县人大", U"县政协", U"人民", U"全县", U"全市",
              U"全区", U"县域", U"的发展", U"经济社会", U"广大", U"大地"});
}

// Own voice, also counting the name's own suffix as the start of an institution
// (巴东县 + 委 = 巴东县委) and the speaker's own posting (到罗田工作后).
bool is_own_voice(std::u32string_view before, std::u32string_view after, std::u32string_view name) {
  if (is_own_voice_strict(before, after)) return true;
  std::u32string tail(after.substr(0, 8));
  if (!name.empty() && (name.back() == U'县' || name.back() == U'市' || name.back() == U'区')) {
    tail.insert(tail.begin(), name.back());
  }
  if (starts_with_any(tail, {U"县委", U"县人民政府", U"县政府", U"县人大", U"县政协", U"市委",
                             U"市人民政府", U"市政府", U"区委", U"区人民政府", U"区政府"})) {
    return true;
  }
  return ends_with_any(before, {U"到", U"来", U"在"}) &&
         starts_with_any(after, {U"工作", U"任职", U"上任", U"发展"});
}

// A word boundary before a name: the start, punctuation or a function word (在临县, ，临县).
// Inside a word the character before makes a word with the name's first character:
// 示范县, 乡镇和县直, 召开县委, 面临县域.
bool boundary_before(std::u32string_view before) {
  if (before.empty()) return true;
  const char32_t c = before.back();
  if (u_ispunct(static_cast<UChar32>(c))) return true;
  static constexpr std::u32string_view kFunctionWords =
      U"在是的对向到从为把让使与同及将于由按据经即";
  return kFunctionWords.find(c) != std::u32string_view::npos;
}

// A department follows: 会同 + 县公安局 reads as 会同县 + 公安局.
bool department_follows(std::u32string_view after) {
  for (size_t n = 1; n <= 5 && n < after.size(); ++n) {
    const char32_t c = after[n];
    if (c == U'局' || c == U'办' || c == U'所' || c == U'站' || c == U'队') return true;
    if (c == U'，' || c == U',' || c == U'、' || c == U'。') return false;
  }
  return false;
}

// Scans one text for gazetteer names, longest match first, left to right.
void scan_names(const schema::Gazetteer& g, const std::u32string& text, bool in_title,
                std::vector<Mention>& out) {
  const size_t max_len = g.max_name_chars();
  // UTF-8 once, with the byte offset of every character, so that look-ups take views.
  std::string utf8;
  std::vector<size_t> at{0};
  for (char32_t c : text) {
    schema::append_utf8(c, utf8);
    at.push_back(utf8.size());
  }
  bool previous_other = false;
  size_t previous_end = 0;
  for (size_t i = 0; i < text.size();) {
    size_t matched = 0;
    const schema::NameEntry* entry = nullptr;
    const size_t longest =
        i + 2 <= text.size()
            ? g.max_name_chars_from(std::string_view(utf8).substr(at[i], at[i + 2] - at[i]))
            : 0;
    for (size_t len = std::min({max_len, longest, text.size() - i}); len >= 2; --len) {
      entry = g.find(std::string_view(utf8).substr(at[i], at[i + len] - at[i]));
      if (entry != nullptr) {
        matched = len;
        break;
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    const std::u32string name = text.substr(i, matched);
    const std::u32string_view before =
        std::u32string_view(text).substr(i >= 8 ? i - 8 : 0, i >= 8 ? 8 : i);
    const std::u32string_view after = std::u32string_view(text).substr(i + matched);
    // A stem followed by 省 or 市 names a province or city (河南省, 西安市), not a county.
    const bool region = entry->kind == schema::NameKind::kStem &&
                        starts_with_any(after, {U"省", U"市", U"州", U"地区"});
    Mention m{entry,
              name,
              in_title,
              is_own_voice(before, after, name),
              is_own_voice_strict(before, after),
              department_follows(after),
              boundary_before(before),
              is_other_place(before, after) || region};
    // A list continues the kind of place it started with: 与公安县、松滋市相比.
    if (previous_other && i == previous_end + 1 &&
        (text[previous_end] == U'、' || text[previous_end] == U'和' ||
         text[previous_end] == U'及')) {
      m.other = true;
    }
    if (!m.other && previous_other && i == previous_end && entry->kind == schema::NameKind::kStem) {
      m.other = true;
    }
    // The list may end in the comparison: 与红安、麻城相比 marks both.
    if (!m.other && starts_with_any(after, {U"相比", U"比较"})) m.other = true;
    previous_other = m.other;
    previous_end = i + matched;
    out.push_back(std::move(m));
    i += matched;
  }
}

// Speeches whose own county is redacted: XX县, X县 (but X县长 is a redacted surname),
// ××县, 某县, XX市.
bool is_anonymized(const SpeechText& t, std::u32string* marker) {
  auto check = [&](const std::u32string& s) {
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      const char32_t c = s[i];
      if (c != U'x' && c != U'×' && c != U'某' && c != U'*') continue;
      size_t j = i;
      while (j < s.size() && (s[j] == U'x' || s[j] == U'×' || s[j] == U'某' || s[j] == U'*')) ++j;
      if (j < s.size() && (s[j] == U'县' || s[j] == U'市' || s[j] == U'区') &&
          !(j + 1 < s.size() && s[j + 1] == U'长') &&
          (i == 0 || s[i - 1] < U'a' || s[i - 1] > U'z')) {
        *marker = s.substr(i, j - i + 1);
        return true;
      }
      i = j;
    }
    return false;
  };
  if (check(t.title)) return true;
  for (const std::u32string& p : t.paragraphs) {
    if (check(p)) return true;
  }
  return false;
}

// ---- Year -----------------------------------------------------------------------------

struct YearMention {
  int year;
  enum Kind { kOwn, kNeutral, kHistory, kTarget } kind;
  std::u32string evidence;
};

// The value of a Chinese digit as written in years (二〇一九年, 二零二零年, 一九九八年; 〇 is
// also typed as ○), or -1.
int chinese_digit(char32_t c) {
  static constexpr std::u32string_view kDigits = U"〇一二三四五六七八九";
  if (c == U'零' || c == U'○') return 0;
  const size_t at = kDigits.find(c);
  return at == std::u32string_view::npos ? -1 : static_cast<int>(at);
}

// The text with every year written digit by digit in Chinese numerals (four of them before
// 年) rewritten in ASCII digits, in place: the same length, so the rules below read both
// forms alike and evidence cut from the original at the same offsets.
std::u32string ascii_years(const std::u32string& text) {
  std::u32string out = text;
  for (size_t i = 0; i + 4 < out.size(); ++i) {
    if (out[i + 4] != U'年' || (i > 0 && chinese_digit(out[i - 1]) >= 0)) continue;
    bool all = true;
    for (size_t k = 0; k < 4 && all; ++k) all = chinese_digit(out[i + k]) >= 0;
    if (!all) continue;
    for (size_t k = 0; k < 4; ++k)
      out[i + k] = U'0' + static_cast<char32_t>(chinese_digit(out[i + k]));
  }
  return out;
}

void scan_years(const std::u32string& original, bool own_frame_text,
                std::vector<YearMention>& out) {
  const std::u32string text = ascii_years(original);
  for (size_t i = 0; i + 4 < text.size(); ++i) {
    if (!(text[i] == U'1' || text[i] == U'2')) continue;
    if (i > 0 && text[i - 1] >= U'0' && text[i - 1] <= U'9') continue;
    int y = 0;
    bool digits = true;
    for (size_t k = 0; k < 4; ++k) {
      const char32_t c = text[i + k];
      digits = digits && c >= U'0' && c <= U'9';
      y = y * 10 + static_cast<int>(c - U'0');
    }
    if (!digits || y < 1949 || y > 2100 || text[i + 4] != U'年') continue;
    const std::u32string_view before =
        std::u32string_view(text).substr(i >= 6 ? i - 6 : 0, i >= 6 ? 6 : i);
    const std::u32string_view after = std::u32string_view(text).substr(i + 5);
    const std::u32string_view near_after = after.substr(0, 10);
    // The clause the year opens, after its punctuation: 2019年，全县…的目标任务是.
    std::u32string_view clause = after;
    while (!clause.empty() &&
           (clause.front() == U',' || clause.front() == U'，' || clause.front() == U'、')) {
      clause.remove_prefix(1);
    }
    clause = clause.substr(0, 16);
    YearMention m{y, YearMention::kNeutral,
                  original.substr(i >= 6 ? i - 6 : 0, (i >= 6 ? 6 : i) + 5 + near_after.size())};
    if (ends_with_any(before, {U"到", U"至", U"力争到", U"确保到", U"预计到", U"争取到"}) ||
        starts_with_any(after, {U"前", U"以前全面", U"底前"})) {
      m.kind = YearMention::kTarget;
    } else if (starts_with_any(after, {U"以来", U"至今", U"以前", U"之前", U"开始", U"起"}) ||
               ends_with_any(before, {U"自", U"从", U"早在", U"回顾", U"始于", U"截至"}) ||
               after.substr(0, 1) == U"至" || after.substr(0, 1) == U"-") {
      m.kind = YearMention::kHistory;
    } else if (own_frame_text ||
               ends_with_any(before,
                             {U"今年是", U"今年", U"在", U"做好", U"抓好", U"完成", U"召开"}) ||
               starts_with_any(
                   after, {U"是", U"工作安排", U"工作要点", U"工作任务", U"重点工作", U"目标任务",
                           U"初步工作安排", U"全县", U"全市", U"工作会议", U"各项工作"}) ||
               contains_any(near_after, {U"工作安排", U"工作要点"}) ||
               contains_any(clause,
                            {U"目标任务", U"工作安排", U"工作要点", U"主要任务", U"重点任务",
                             U"总体要求", U"力争", U"确保", U"全县要", U"我们要"})) {
      m.kind = YearMention::kOwn;
    }
    out.push_back(std::move(m));
  }
}

// A date line under a title: (2019年3月5日), 2019年3月5日.
bool is_date_line(const std::u32string& s) {
  if (s.size() > 20) return false;
  return contains_any(s, {U"年"}) && contains_any(s, {U"月"}) && !contains_any(s, {U"。", U","});
}

struct PlanPeriod {
  std::u32string_view name;
  int first;
};
constexpr PlanPeriod kPlanPeriods[] = {{U"十五", 2001},   {U"十一五", 2006}, {U"十二五", 2011},
                                       {U"十三五", 2016}, {U"十四五", 2021}, {U"十五五", 2026}};

// Plan-period cues: “十三五”…开局之年 -> first year; …收官之年 -> last year.
std::optional<std::pair<int, std::u32string>> plan_cue(const std::u32string& text) {
  for (const PlanPeriod& p : kPlanPeriods) {
    for (size_t at = text.find(p.name); at != std::u32string::npos;
         at = text.find(p.name, at + 1)) {
      // 十五 inside 十一五/十二五…: skip when preceded by 十 + digit word.
      if (p.name == U"十五" && at > 0 && (text[at - 1] == U'十')) continue;
      if (p.name == U"十五" && at + 2 < text.size() && text[at + 2] == U'五') continue;
      if (p.name == U"十五" && at > 0 && u_isdigit(static_cast<UChar32>(text[at - 1]))) continue;
      const std::u32string_view after = std::u32string_view(text).substr(at + p.name.size(), 14);
      const std::u32string evidence = text.substr(at, p.name.size() + after.size());
      if (contains_any(after, {U"开局之年", U"开局年", U"起步之年", U"第一年", U"开篇之年"})) {
        return std::make_pair(p.first, evidence);
      }
      if (contains_any(after, {U"收官之年", U"收官", U"最后一年", U"决胜之年", U"完成之年"}) &&
          !contains_any(after.substr(0, 4), {U"期间"})) {
        return std::make_pair(p.first + 4, evidence);
      }
    }
  }
  return std::nullopt;
}

std::string join_how(const std::map<std::string, int>& counts) {
  std::string out;
  for (const auto& [k, n] : counts) {
    if (!out.empty()) out += ", ";
    out += k + (n > 1 ? "×" + std::to_string(n) : "");
  }
  return out;
}

}  // namespace

MetadataExtractor::MetadataExtractor(const schema::Gazetteer& gazetteer,
                                     const schema::Taxonomy& taxonomy)
    : gazetteer_(gazetteer), taxonomy_(taxonomy) {
  for (size_t t = 0; t < taxonomy.topics().size(); ++t) {
    const auto& keywords = taxonomy.topics()[t].keywords;
    for (size_t k = 0; k < keywords.size(); ++k) {
      // A keyword that is empty or not UTF-8 never matched normalized text.
      if (keywords[k].first.empty() || !schema::is_valid_utf8(keywords[k].first)) continue;
      const std::u32string text = schema::to_utf32(keywords[k].first);
      keyword_pairs_.add(text[0], text.size() > 1 ? text[1] : schema::PairFilter::kNone);
      keywords_by_first_[text[0]].push_back(static_cast<uint32_t>(keywords_.size()));
      keywords_.push_back({t, k, text});
    }
  }
}

Found<const schema::Division*> MetadataExtractor::find_county(const Speech& speech) const {
  return county_of(read_speech(speech));
}

Found<const schema::Division*> MetadataExtractor::county_of(const SpeechText& t) const {
  std::u32string marker;
  if (is_anonymized(t, &marker))
    return {nullptr, "none: the speech is anonymized (" + to_utf8(marker) + ")"};

  std::vector<Mention> mentions;
  scan_names(gazetteer_, t.title, true, mentions);
  for (const std::u32string& p : t.paragraphs) scan_names(gazetteer_, p, false, mentions);

  struct Tally {
    int score = 0;
    bool anchored = false;
    std::map<std::string, int> evidence;
  };
  std::map<uint32_t, Tally> tally;
  std::map<std::string, int> others;
  for (const Mention& m : mentions) {
    const std::string name = to_utf8(m.name);
    if (m.other) {
      others[name]++;
      continue;
    }
    for (uint32_t d : m.entry->divisions) {
      // How far a name can be trusted on its own: a one-character stem (和县, 范县) turns up
      // inside ordinary text (乡镇和县直, 示范县); a stem that is an everyday word (会同,
      // 公安) makes its full name appear by accident (会同 + 县公安局).
      const bool one_char = m.entry->one_char;
      const bool word = m.entry->word;
      Tally& tl = tally[d];
      if (m.entry->kind != schema::NameKind::kStem) {
        const bool counts = one_char ? (m.own_strict || m.boundary)
                            : word   ? (m.own || !m.department)
                                     : true;
        if (!counts) continue;
        tl.anchored = true;
        tl.score += 3 + (m.in_title ? 4 : 0) + (m.own ? 2 : 0);
        tl.evidence[(m.entry->kind == schema::NameKind::kFormer ? "former name " : "name ") + name +
                    (m.in_title ? " (title)" : "") + (m.own ? " (own voice)" : "")]++;
      } else if (!word) {
        // A short form counts; in the speaker's own voice it establishes the county.
        tl.anchored = tl.anchored || m.own;
        tl.score += 1 + (m.own ? 2 : 0) + (m.in_title ? 2 : 0);
        tl.evidence["short form " + name + (m.own ? " (own voice)" : "")]++;
      } else if (m.own_strict) {
        // An everyday-word short form never establishes a county, but supports one.
        tl.score += 1;
        tl.evidence["short form " + name + " (own voice)"]++;
      }
    }
  }
  // Rank the anchored counties; a short form alone never decides.
  std::vector<std::pair<int, uint32_t>> ranked;
  for (const auto& [d, tl] : tally) {
    if (tl.anchored) ranked.emplace_back(tl.score, d);
  }
  std::sort(ranked.begin(), ranked.end(), std::greater<>());
  std::string ignored;
  if (!others.empty()) ignored = "; other places ignored: " + join_how(others);
  if (ranked.empty()) return {nullptr, "none: no county named in the speech's own voice" + ignored};
  // Divisions that share the winning score: one name of several divisions (长安区), or a
  // tie. The city or province named in the speech settles it, else it stays unknown.
  std::vector<uint32_t> top;
  for (const auto& [score, d] : ranked) {
    if (score == ranked.front().first) top.push_back(d);
  }
  uint32_t winner = top.front();
  if (top.size() > 1) {
    std::u32string all = t.title;
    for (const std::u32string& p : t.paragraphs) all += p;
    int best = -1;
    bool tie = false;
    for (uint32_t d : top) {
      const schema::Division& div = gazetteer_.divisions()[d];
      int n = 0;
      for (const std::string& region : {schema::Gazetteer::short_region(div.city),
                                        schema::Gazetteer::short_region(div.province)}) {
        if (!region.empty() && region != "市辖")
          n += all.find(to_utf32(region)) != std::u32string::npos;
      }
      if (n > best) {
        best = n;
        winner = d;
        tie = false;
      } else if (n == best) {
        tie = true;
      }
    }
    if (tie || best == 0) {
      return {nullptr, "none: " + std::to_string(top.size()) + " divisions fit equally (" +
                           join_how(tally[top.front()].evidence) + ")" + ignored};
    }
  }
  const schema::Division* div = &gazetteer_.divisions()[winner];
  return {div, join_how(tally[winner].evidence) + ignored};
}

Found<int> MetadataExtractor::find_year(const Speech& speech) const {
  return year_of(read_speech(speech));
}

Found<int> MetadataExtractor::year_of(const SpeechText& t) const {
  std::vector<YearMention> mentions;
  scan_years(t.title, true, mentions);
  for (const std::u32string& p : t.opening) {
    if (is_date_line(p)) scan_years(p, true, mentions);
  }
  for (const std::u32string& p : t.paragraphs) {
    if (std::find(t.opening.begin(), t.opening.end(), p) != t.opening.end() && is_date_line(p))
      continue;
    scan_years(p, false, mentions);
  }
  std::map<int, int> own;
  std::map<int, std::string> evidence;
  for (const YearMention& m : mentions) {
    if (m.kind != YearMention::kOwn) continue;
    own[m.year]++;
    if (!evidence.count(m.year)) evidence[m.year] = to_utf8(m.evidence);
  }
  if (!own.empty()) {
    auto best = std::max_element(own.begin(), own.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    int ties = 0;
    for (const auto& [y, n] : own) ties += n == best->second;
    if (ties == 1) {
      return {best->first,
              "own frame: " + evidence[best->first] +
                  (best->second > 1 ? " (×" + std::to_string(best->second) + ")" : "")};
    }
    return {0, "none: own-frame years disagree"};
  }
  std::optional<std::pair<int, std::u32string>> cue = plan_cue(t.title);
  for (size_t i = 0; !cue && i < t.paragraphs.size(); ++i) cue = plan_cue(t.paragraphs[i]);
  if (cue) return {cue->first, "plan period: " + to_utf8(cue->second)};
  return {
      0, mentions.empty() ? "none: no year written" : "none: only history, targets or other years"};
}

Found<std::string> MetadataExtractor::find_role(const Speech& speech) const {
  return role_of(read_speech(speech));
}

Found<std::string> MetadataExtractor::role_of(const SpeechText& t) const {
  std::vector<const std::u32string*> texts = {&t.title};
  for (const std::u32string& p : t.opening) texts.push_back(&p);
  // Every role named, longest match at each position; one person's several offices
  // (县委副书记、县长) resolve to the principal one by the vocabulary's priority.
  const auto& roles = schema::speaker_roles();
  size_t best = roles.size();
  std::string where;
  for (const std::u32string* s : texts) {
    for (size_t i = 0; i < s->size(); ++i) {
      size_t found = roles.size(), length = 0;
      for (size_t k = 0; k < roles.size(); ++k) {
        const std::u32string r = to_utf32(roles[k].name);
        if (r.size() > length && s->compare(i, r.size(), r) == 0) {
          found = k;
          length = r.size();
        }
      }
      if (found < roles.size() &&
          (best == roles.size() || roles[found].priority < roles[best].priority)) {
        best = found;
        where = (s == &t.title ? "title: " : "opening: ") + to_utf8(*s);
      }
      if (length > 0) i += length - 1;
    }
  }
  if (best == roles.size()) return {"", ""};
  return {roles[best].name, where};
}

std::vector<int> MetadataExtractor::find_topics(const std::string& text, std::string* how) const {
  return topics_of(squeeze(text), how);
}

std::vector<int> MetadataExtractor::topics_of(const std::u32string& norm, std::string* how) const {
  // Every occurrence of every keyword, in keyword order (topic, then counting order) and
  // position order within a keyword.
  struct Hit {
    uint32_t keyword;
    size_t at;
  };
  std::vector<Hit> hits;
  for (size_t at = 0; at < norm.size(); ++at) {
    if (!(at + 1 < norm.size() && keyword_pairs_.may_hold(norm[at], norm[at + 1])) &&
        !keyword_pairs_.may_hold(norm[at], schema::PairFilter::kNone)) {
      continue;
    }
    const auto it = keywords_by_first_.find(norm[at]);
    if (it == keywords_by_first_.end()) continue;
    for (uint32_t k : it->second) {
      if (norm.compare(at, keywords_[k].text.size(), keywords_[k].text) == 0)
        hits.push_back({k, at});
    }
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const Hit& a, const Hit& b) { return a.keyword < b.keyword; });
  std::vector<int> out;
  std::string evidence;
  std::vector<bool> used;
  for (size_t h = 0; h < hits.size();) {
    const size_t t = keywords_[hits[h].keyword].topic;
    const schema::Topic& topic = taxonomy_.topics()[t];
    int weight = 0;
    std::map<std::string, int> counted;
    // Keywords come longest first; a shorter one inside a counted longer one is not
    // counted again. A keyword's occurrences are read left to right, each search going on
    // after the one before (so they never overlap each other).
    used.assign(norm.size(), false);
    while (h < hits.size() && keywords_[hits[h].keyword].topic == t) {
      const Keyword& kw = keywords_[hits[h].keyword];
      const auto& [name, w] = topic.keywords[kw.index];
      const size_t length = kw.text.size();
      size_t next = 0;
      for (const uint32_t k = hits[h].keyword; h < hits.size() && hits[h].keyword == k; ++h) {
        const size_t at = hits[h].at;
        if (at < next) continue;
        next = at + length;
        const auto from = used.begin() + static_cast<long>(at);
        if (std::any_of(from, from + static_cast<long>(length), [](bool b) { return b; })) continue;
        std::fill(from, from + static_cast<long>(length), true);
        weight += w;
        counted[name]++;
      }
    }
    if (weight >= schema::kTopicThreshold) {
      out.push_back(static_cast<int>(t));
      if (!evidence.empty()) evidence += "; ";
      evidence += topic.id + ": " + join_how(counted);
    }
  }
  if (how != nullptr) *how = evidence;
  return out;
}

SpeechMetadata MetadataExtractor::extract(const Speech& speech, Given given) const {
  SpeechMetadata m;
  const SpeechText text = read_speech(speech);
  if (!given.county) m.county = county_of(text);
  if (!given.year) m.year = year_of(text);
  if (!given.role) m.role = role_of(text);
  // Topics from the text read_speech normalized: the title paragraph is the title.
  std::string title_how;
  const std::vector<int> title_topics = topics_of(text.title, &title_how);
  std::vector<int> counts(taxonomy_.topics().size(), 0);
  size_t text_paragraphs = 0;
  for (const Paragraph& p : speech.paragraphs) {
    if (p.kind == schema::kKindTitle) {
      m.topics.push_back(title_topics);
      m.topics_how.push_back(title_how);
      continue;
    }
    std::string how;
    m.topics.push_back(topics_of(text.paragraphs[text_paragraphs], &how));
    m.topics_how.push_back(how);
    ++text_paragraphs;
    for (int t : m.topics.back()) counts[static_cast<size_t>(t)]++;
  }
  for (size_t i = 0; i < counts.size(); ++i) {
    const bool in_title = std::find(title_topics.begin(), title_topics.end(),
                                    static_cast<int>(i)) != title_topics.end();
    if (in_title || (counts[i] >= 2 && counts[i] * 5 >= static_cast<int>(text_paragraphs))) {
      m.speech_topics.push_back(static_cast<int>(i));
    }
  }
  return m;
}

}  // namespace speechdex::indexer
