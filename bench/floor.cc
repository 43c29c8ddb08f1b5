// Bench tool: the floor of indexing on one core. Reads every file named on stdin (one path a
// line), decodes UTF-8 and hashes every pair of adjacent CJK characters into an open-addressing
// table of distinct bigrams: the least work any bigram index must do. Prints the number of
// bytes, bigrams and distinct bigrams.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

bool is_cjk(uint32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

// Decodes one UTF-8 sequence at s[i]; advances i. Invalid bytes decode as themselves.
uint32_t next_code_point(const std::string& s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  uint32_t c = extra == 0 ? b : b & (0x3F >> extra);
  ++i;
  while (extra-- > 0 && i < s.size()) c = (c << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return c;
}

class BigramTable {
 public:
  BigramTable() : slots_(1u << 20, 0) {}
  void add(uint64_t key) {
    ++total_;
    if (insert(key) && ++distinct_ * 2 > slots_.size()) grow();
  }
  uint64_t total() const { return total_; }
  uint64_t distinct() const { return distinct_; }

 private:
  // Keys are never 0 (a pair of non-zero code points). True if the key was new.
  bool insert(uint64_t key) {
    for (size_t i = (key * 0x9E3779B97F4A7C15ull) >> shift_;; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i] == key) return false;
      if (slots_[i] == 0) {
        slots_[i] = key;
        return true;
      }
    }
  }
  void grow() {
    std::vector<uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    --shift_;
    for (uint64_t key : old) {
      if (key != 0) insert(key);
    }
  }
  std::vector<uint64_t> slots_;
  int shift_ = 64 - 20;
  uint64_t total_ = 0;
  uint64_t distinct_ = 0;
};

}  // namespace

int main() {
  BigramTable table;
  uint64_t bytes = 0;
  std::string path;
  while (std::getline(std::cin, path)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << path << ": cannot read\n";
      return 1;
    }
    const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes += s.size();
    uint32_t prev = 0;
    for (size_t i = 0; i < s.size();) {
      const uint32_t c = next_code_point(s, i);
      if (is_cjk(c)) {
        if (prev != 0) table.add((static_cast<uint64_t>(prev) << 32) | c);
        prev = c;
      } else {
        prev = 0;
      }
    }
  }
  std::printf("%llu bytes, %llu bigrams, %llu distinct\n", static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(table.total()),
              static_cast<unsigned long long>(table.distinct()));
  return 0;
}
