// Bench tool: prints each line of stdin normalized as speechdex normalizes text (NFKC,
// case folding, Traditional->Simplified per character), white space removed: the text the
// exactness check greps.
#include <iostream>
#include <string>

#include "normalizer.h"

int main() {
  std::ios::sync_with_stdio(false);
  speechdex::schema::Normalizer& n = speechdex::schema::Normalizer::thread_instance();
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string out;
    for (char c : n.normalize(line)) {
      if (c != ' ' && c != '\t' && c != '\r') out.push_back(c);
    }
    std::cout << out << '\n';
  }
  return 0;
}
