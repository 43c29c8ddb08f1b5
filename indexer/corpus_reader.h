// Reading the corpus: walking paths to files, reading bytes, detecting the encoding.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace speechdex::indexer {

/// A file to index.
struct SourceFile {
  std::string path;            ///< as the user named it (lexically normal), for display
  std::string canonical_path;  ///< absolute canonical path: identifies the file in the index
  uint64_t size = 0;
  int64_t mtime = 0;  ///< seconds since the epoch
};

/// Receives a warning: what is wrong and the path it concerns.
using Warn = std::function<void(const std::string& what, const std::string& path)>;

/// Expands `paths` into files: a folder yields its *.txt files (recursively, sorted);
/// a file is taken whatever its name. A path that does not exist is warned about.
std::vector<SourceFile> collect_files(const std::vector<std::string>& paths, const Warn& warn);

/// A file's text decoded to UTF-8, with its line endings made '\n'.
struct DecodedText {
  std::string utf8;
  std::string encoding;  ///< "utf-8", "utf-16le", "utf-16be" or "gb18030"
};

/// Decodes bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030 (which
/// covers GBK and GB2312) when they are not valid UTF-8 but decode cleanly as GB18030.
/// Throws InputError (without context; the caller adds the path) if the bytes are
/// binary or in no supported encoding.
DecodedText decode_text(const std::string& bytes);

/// Reads and decodes a file; throws InputError naming the file.
DecodedText read_text(const SourceFile& file);

}  // namespace speechdex::indexer
