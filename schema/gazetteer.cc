// Gazetteer tables and name look-ups.
#include "gazetteer.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "errors.h"
#include "normalizer.h"

namespace speechdex::schema {
namespace {

size_t char_count(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Ethnic groups that appear in the names of autonomous counties and banners.
constexpr std::array<std::string_view, 57> kEthnicGroups = {
    "土家",     "苗",   "回",     "蒙古",   "藏",   "维吾尔",   "彝",     "壮",     "布依",
    "朝鲜",     "满",   "侗",     "瑶",     "白",   "哈尼",     "哈萨克", "傣",     "黎",
    "傈僳",     "佤",   "畲",     "高山",   "拉祜", "水",       "东乡",   "纳西",   "景颇",
    "柯尔克孜", "土",   "达斡尔", "仫佬",   "羌",   "布朗",     "撒拉",   "毛南",   "仡佬",
    "锡伯",     "阿昌", "普米",   "塔吉克", "怒",   "乌孜别克", "俄罗斯", "鄂温克", "德昂",
    "保安",     "裕固", "京",     "塔塔尔", "独龙", "鄂伦春",   "赫哲",   "门巴",   "珞巴",
    "基诺",     "各",   "汉"};

}  // namespace

std::string read_data_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + what, path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<TsvRow> parse_tsv(std::string_view text) {
  std::vector<TsvRow> rows;
  size_t line = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    ++line;
    start = end + 1;
    if (line == 1 || l.empty()) continue;
    TsvRow row{line, {}};
    size_t f = 0;
    while (true) {
      const size_t tab = l.find('\t', f);
      row.fields.emplace_back(l.substr(f, tab == std::string_view::npos ? l.size() - f : tab - f));
      if (tab == std::string_view::npos) break;
      f = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  const std::u32string x = to_utf32(a), y = to_utf32(b);
  std::vector<size_t> prev(y.size() + 1), cur(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[y.size()];
}

std::string Gazetteer::stem_of(std::string_view name) {
  std::string s(name);
  for (std::string_view suffix : {"自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗"}) {
    if (ends_with(s, suffix) && s.size() > suffix.size()) {
      s.resize(s.size() - suffix.size());
      break;
    }
  }
  // Drop ethnic descriptors: 长阳土家族 -> 长阳, 双江拉祜族佤族布朗族傣族 -> 双江.
  bool stripped = true;
  while (stripped && ends_with(s, "族")) {
    stripped = false;
    for (std::string_view e : kEthnicGroups) {
      const std::string suffix = std::string(e) + "族";
      if (ends_with(s, suffix) && s.size() > suffix.size()) {
        s.resize(s.size() - suffix.size());
        stripped = true;
        break;
      }
    }
  }
  return char_count(s) >= 2 && s != name ? s : std::string();
}

std::string Gazetteer::short_region(std::string_view name) {
  std::string s(name);
  for (std::string_view suffix : {"维吾尔自治区", "壮族自治区", "回族自治区", "自治区",
                                  "特别行政区", "自治州", "地区", "盟", "省", "市"}) {
    if (ends_with(s, suffix) && char_count(s) > char_count(suffix) + 1) {
      s.resize(s.size() - suffix.size());
      break;
    }
  }
  // 恩施土家族苗族 -> 恩施
  const std::string stem = stem_of(s + "县");
  return stem.empty() ? s : stem;
}

void Gazetteer::add_name(const std::string& name, NameKind kind, uint32_t division) {
  if (name.empty()) return;
  const std::string stem = kind == NameKind::kStem ? name : stem_of(name);
  const NameEntry fresh{kind, {}, stem_words_.count(stem) > 0, stem.empty()};
  auto [it, inserted] = names_.try_emplace(name, fresh);
  NameEntry& e = it->second;
  // A full name outranks a former name, which outranks a stem of the same spelling.
  if (!inserted && static_cast<int>(kind) < static_cast<int>(e.kind)) e = fresh;
  if (e.kind == kind &&
      std::find(e.divisions.begin(), e.divisions.end(), division) == e.divisions.end()) {
    e.divisions.push_back(division);
  }
  const size_t chars = char_count(name);
  max_name_chars_ = std::max(max_name_chars_, chars);
  // The first two characters of the name.
  size_t cut = 0, seen = 0;
  while (cut < name.size() && seen < 3) {
    if ((static_cast<unsigned char>(name[cut]) & 0xC0) != 0x80) ++seen;
    if (seen == 3) break;
    ++cut;
  }
  size_t& longest = prefix2_[name.substr(0, cut)];
  longest = std::max(longest, chars);
  auto set = [](std::vector<uint64_t>& bits, uint32_t bit) {
    bits[bit / 64] |= uint64_t{1} << (bit % 64);
  };
  set(first_chars_, first_char_bit(name));
  const auto [first, second] = first_two_code_points(name);
  first_pairs_.add(first, second);
}

size_t Gazetteer::max_name_chars_from(std::string_view first_two) const {
  const auto [first, second] = first_two_code_points(first_two);
  if (!first_pairs_.may_hold(first, second)) return 0;
  auto it = prefix2_.find(first_two);
  return it == prefix2_.end() ? 0 : it->second;
}

Gazetteer Gazetteer::parse(std::string_view divisions, std::string_view aliases,
                           std::string_view stem_words, const std::string& origin) {
  Gazetteer g;
  g.divisions_text_ = std::string(divisions);
  g.aliases_text_ = std::string(aliases);
  g.stem_words_text_ = std::string(stem_words);
  for (const TsvRow& row : parse_tsv(divisions)) {
    const auto& f = row.fields;
    if (f.size() < 4 || f[0].size() != 6 ||
        !std::all_of(f[0].begin(), f[0].end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw InputError("malformed division row (want code, county, city, province)",
                       origin + " admin-divisions.tsv:" + std::to_string(row.line));
    }
    Division d{f[0], f[1], f[2], f[3], stem_of(f[1])};
    g.by_code_[d.code] = static_cast<uint32_t>(g.divisions_.size());
    g.provinces_.try_emplace(d.code.substr(0, 2), d.province);
    g.divisions_.push_back(std::move(d));
  }
  for (const TsvRow& row : parse_tsv(stem_words)) {
    if (!row.fields.empty() && !row.fields[0].empty()) g.stem_words_[row.fields[0]] = true;
  }
  for (uint32_t i = 0; i < g.divisions_.size(); ++i) {
    g.add_name(g.divisions_[i].name, NameKind::kFull, i);
    g.add_name(g.divisions_[i].stem, NameKind::kStem, i);
  }
  // An alias names its division by name, city and province: look the name up, not scan.
  // (A multimap keeps equal names in insertion order: divisions in their order.)
  std::multimap<std::string_view, uint32_t> by_name;
  for (uint32_t i = 0; i < g.divisions_.size(); ++i) by_name.emplace(g.divisions_[i].name, i);
  for (const TsvRow& row : parse_tsv(aliases)) {
    const auto& f = row.fields;
    if (f.size() < 4) {
      throw InputError("malformed alias row (want old_name, new_name, city, province)",
                       origin + " county-aliases.tsv:" + std::to_string(row.line));
    }
    bool found = false;
    const auto [first, last] = by_name.equal_range(f[1]);
    for (auto it = first; it != last; ++it) {
      const uint32_t i = it->second;
      const Division& d = g.divisions_[i];
      if (d.city == f[2] && d.province == f[3]) {
        g.add_name(f[0], NameKind::kFormer, i);
        g.add_name(stem_of(f[0]), NameKind::kStem, i);
        found = true;
      }
    }
    if (!found) {
      throw InputError("alias names a division that is not in admin-divisions.tsv: " + f[1],
                       origin + " county-aliases.tsv:" + std::to_string(row.line));
    }
  }
  return g;
}

Gazetteer Gazetteer::load(const std::string& data_dir) {
  return parse(read_data_file(data_dir + "/admin-divisions.tsv", "data file"),
               read_data_file(data_dir + "/county-aliases.tsv", "data file"),
               read_data_file(data_dir + "/county-stem-words.tsv", "data file"), data_dir);
}

std::string Gazetteer::serialize() const {
  return divisions_text_ + '\x1e' + aliases_text_ + '\x1e' + stem_words_text_;
}

Gazetteer Gazetteer::deserialize(std::string_view text, const std::string& origin) {
  if (text.empty()) return Gazetteer{};  // an index no run has committed documents to
  const size_t a = text.find('\x1e');
  const size_t b = a == std::string_view::npos ? a : text.find('\x1e', a + 1);
  if (b == std::string_view::npos)
    throw IndexError("gazetteer in index metadata is malformed", origin);
  return parse(text.substr(0, a), text.substr(a + 1, b - a - 1), text.substr(b + 1), origin);
}

const Division* Gazetteer::by_code(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &divisions_[it->second];
}

const NameEntry* Gazetteer::find(std::string_view name) const {
  auto it = names_.find(name);
  return it == names_.end() ? nullptr : &it->second;
}

std::vector<const Division*> Gazetteer::resolve(std::string_view text) const {
  std::vector<const Division*> out;
  if (const Division* d = by_code(text)) return {d};
  if (const NameEntry* e = find(text)) {
    for (uint32_t i : e->divisions) out.push_back(&divisions_[i]);
  }
  return out;
}

std::string Gazetteer::province_name(std::string_view code2) const {
  auto it = provinces_.find(std::string(code2));
  return it == provinces_.end() ? std::string() : it->second;
}

std::vector<std::string> Gazetteer::resolve_province(std::string_view text) const {
  std::vector<std::string> out;
  for (const auto& [code2, name] : provinces_) {
    if (text == code2 || text == name || text == short_region(name)) out.push_back(code2);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Gazetteer::suggest(std::string_view text, size_t n) const {
  // Every name counts (a stem too: 巴冬 is one edit from 巴东); what is suggested is the
  // full name of the division it names.
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& [name, entry] : names_) {
    const size_t d = edit_distance(text, name);
    for (uint32_t i : entry.divisions) scored.emplace_back(d, divisions_[i].name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < n; ++i) {
    if (std::find(out.begin(), out.end(), scored[i].second) == out.end())
      out.push_back(scored[i].second);
  }
  return out;
}

}  // namespace speechdex::schema
