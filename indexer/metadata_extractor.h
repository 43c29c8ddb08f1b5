// Metadata found in a speech's own text: county, year, speaker role, topics.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gazetteer.h"
#include "pair_filter.h"
#include "speech_splitter.h"
#include "taxonomy.h"

namespace speechdex::indexer {

/// A speech's title and paragraphs, normalized for the rules (metadata_extractor.cc).
struct SpeechText;

/// A value found in the text and how it was found (rule and evidence).
template <class T>
struct Found {
  T value{};
  std::string how;  ///< empty when nothing was found
};

/// What the extractor finds for one speech.
struct SpeechMetadata {
  Found<const schema::Division*> county{nullptr, ""};
  Found<int> year{0, ""};                ///< 0: unknown
  Found<std::string> role;               ///< "": unknown
  std::vector<int> speech_topics;        ///< taxonomy rows, the speech's main topics
  std::vector<std::vector<int>> topics;  ///< per paragraph: taxonomy rows
  std::vector<std::string> topics_how;   ///< per paragraph: keyword evidence
  // Given only by a manifest.
  std::optional<std::string> title;  ///< replaces the title found in the text
  Found<std::string> speaker, date;
  // Given by the file itself.
  std::string id;        ///< a JSON Lines speech's id: the speech id becomes SOURCE#ID
  std::string fields;    ///< a JSON Lines speech's other fields (a JSON object), "" if none
  std::string decoding;  ///< what --lossy replaced in the file, "" if nothing
};

/// Finds metadata in speeches by general rules (docs/metadata.md):
/// - county: names from the gazetteer, weighed by kind (full or former name, short form),
///   by context (own voice: 我们巴东, 巴东县委, 到罗田工作; another place: 隔壁的霍山,
///   到麻城学习, 与红安相比) and by corroboration (a short form counts only for a county
///   whose name is firmly established in the speech; a short form that is an everyday
///   word, or a one-character one, counts only in own-voice context). Anonymized speeches
///   (XX县) get none; a name shared by several divisions is settled by the city or
///   province named in the speech, else left unknown.
/// - year: explicit years in the speech's own frame (title, date line, 今年是2019年,
///   2020年工作安排) outrank everything; history (2014年以来) and targets (到2035年) never
///   count; plan-period cues (“十三五”…收官之年 -> 2020) decide where no own-frame year is
///   written; redacted years (20**, 202_, X年) are not years. Otherwise unknown.
/// - role: the first role named in the title or the lines before the salutation.
/// - topics: a paragraph is about a topic when its keywords weigh kTopicThreshold;
///   the speech's main topics are those of a fifth of its paragraphs or of its title.
class MetadataExtractor {
 public:
  MetadataExtractor(const schema::Gazetteer& gazetteer, const schema::Taxonomy& taxonomy);

  /// Fields a caller already has (from a manifest) and that extract() need not look for:
  /// they stay unknown in what it returns.
  struct Given {
    bool county, year, role;
  };
  SpeechMetadata extract(const Speech& speech, Given given = {false, false, false}) const;

  Found<const schema::Division*> find_county(const Speech& speech) const;
  Found<int> find_year(const Speech& speech) const;
  Found<std::string> find_role(const Speech& speech) const;
  /// Topics of one text and their evidence.
  std::vector<int> find_topics(const std::string& text, std::string* how) const;

 private:
  // The rules, on a speech's text normalized once.
  Found<const schema::Division*> county_of(const SpeechText& text) const;
  Found<int> year_of(const SpeechText& text) const;
  Found<std::string> role_of(const SpeechText& text) const;
  std::vector<int> topics_of(const std::u32string& norm, std::string* how) const;

  const schema::Gazetteer& gazetteer_;
  const schema::Taxonomy& taxonomy_;
  // Every topic's keywords in code points, in topic order and each topic's counting order,
  // and by first character: topics_of reads a text once for all of them (one std::string::find
  // per keyword and text was 15% of a build's instructions).
  struct Keyword {
    size_t topic, index;  // taxonomy_.topics()[topic].keywords[index]
    std::u32string text;
  };
  std::vector<Keyword> keywords_;
  std::unordered_map<char32_t, std::vector<uint32_t>> keywords_by_first_;
  // A filter before that map: each keyword's first two characters (its first and
  // PairFilter::kNone for a keyword of one). Most characters of a paragraph start no
  // keyword, and the filter says so without a look-up in the map.
  schema::PairFilter keyword_pairs_{16};
};

}  // namespace speechdex::indexer
