// Bench peer: Xapian used the documented way for CJK (TermGenerator and QueryParser with
// FLAG_CJK_NGRAM), one document per non-blank line.
//   speechdex-bench-xapian build DB FILE...   index the files
//   speechdex-bench-xapian query DB            queries on stdin; per query prints
//                                              count<TAB>milliseconds<TAB>top ids
#include <xapian.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

namespace {

int build(const std::string& db_path, int argc, char** argv) {
  Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE);
  Xapian::TermGenerator tg;
  tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
  for (int i = 0; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      Xapian::Document doc;
      tg.set_document(doc);
      tg.index_text(line);
      doc.set_data(line);
      db.add_document(doc);
    }
  }
  db.commit();
  return 0;
}

int query(const std::string& db_path) {
  Xapian::Database db(db_path);
  Xapian::QueryParser qp;
  qp.set_database(db);
  qp.set_default_op(Xapian::Query::OP_AND);
  const unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_CJK_NGRAM;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    const auto started = std::chrono::steady_clock::now();
    Xapian::Enquire enquire(db);
    enquire.set_query(qp.parse_query(line, flags));
    const Xapian::MSet mset = enquire.get_mset(0, 10, db.get_doccount());
    std::string top;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      if (!top.empty()) top.push_back(',');
      top.append(std::to_string(*it));
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::cout << mset.get_matches_estimated() << "\t" << ms << "\t" << top << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 2 ? argv[1] : "";
  try {
    if (mode == "build") return build(argv[2], argc - 3, argv + 3);
    if (mode == "query") return query(argv[2]);
  } catch (const Xapian::Error& e) {
    std::cerr << "speechdex-bench-xapian: error: " << e.get_description() << "\n";
    return 1;
  }
  std::cerr << "usage: speechdex-bench-xapian build DB FILE... | query DB < queries\n";
  return 2;
}
