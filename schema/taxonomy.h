// Facet vocabularies: the topic taxonomy (data/topics.tsv) and the speaker roles.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace speechdex::schema {

/// One topic of the taxonomy.
struct Topic {
  std::string id;     ///< rule_of_law
  std::string label;  ///< 法治政府
  /// Keywords with weights: 2 for a keyword of four or more characters (specific: 法治政府),
  /// 1 for a shorter one (general: 执法). Longest first (stable), the order they are counted
  /// in: a keyword inside a longer one already counted is not counted again.
  std::vector<std::pair<std::string, int>> keywords;
};

/// A paragraph is about a topic when its keyword weights add up to this much.
inline constexpr int kTopicThreshold = 2;

/// The topic taxonomy: a TSV with header `id label keywords`, keywords separated by 、
/// or commas. Researchers may edit it; the index records the taxonomy it was built with.
class Taxonomy {
 public:
  /// Parses the table; throws InputError naming `origin` and the line of a bad row.
  static Taxonomy parse(std::string_view text, const std::string& origin);
  /// Reads the table from a file.
  static Taxonomy load(const std::string& path);

  /// The table's text (for the index metadata).
  const std::string& text() const { return text_; }
  const std::vector<Topic>& topics() const { return topics_; }
  /// Index of the topic with this id or label, or -1.
  int find(std::string_view id_or_label) const;
  /// Up to `n` ids closest to `text`, for errors.
  std::vector<std::string> suggest(std::string_view text, size_t n) const;

 private:
  std::string text_;
  std::vector<Topic> topics_;
};

/// A speaker role and its priority (lower first) when one person holds several offices
/// (县委副书记、县长 -> 县长: the principal office outranks the party deputy post).
struct Role {
  std::string name;
  int priority;
};

/// The speaker roles. At one position of a text the longest matching name is the role
/// there (常务副县长, not 副县长 or 县长).
const std::vector<Role>& speaker_roles();

}  // namespace speechdex::schema
