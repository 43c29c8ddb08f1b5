// The error family every speechdex program throws: each error carries its context.
#pragma once

#include <stdexcept>
#include <string>

namespace speechdex {

/// Base of all speechdex errors. `context()` names the file, the query or the option
/// the error is about; main() prints `<program>: error: <what> (<context>)`.
class Error : public std::runtime_error {
 public:
  Error(const std::string& what, std::string context)
      : std::runtime_error(what), context_(std::move(context)) {}
  /// The file, query or option the error is about (may be empty).
  const std::string& context() const noexcept { return context_; }

 private:
  std::string context_;
};

/// The command line is wrong (exit status 2).
class UsageError : public Error {
 public:
  using Error::Error;
};

/// An input file cannot be read or decoded; the indexer warns and goes on.
class InputError : public Error {
 public:
  using Error::Error;
};

/// The database cannot be opened, is of another schema version, or failed to write.
class IndexError : public Error {
 public:
  using Error::Error;
};

/// The query text is malformed (unbalanced quotes or parentheses, empty, bad filter).
class QueryError : public Error {
 public:
  using Error::Error;
};

/// Formats an error the one way every program prints it:
/// `<what> (<context>)`, or `<what>` where there is no context.
inline std::string describe(const Error& e) {
  return e.context().empty() ? std::string(e.what())
                             : std::string(e.what()) + " (" + e.context() + ")";
}

}  // namespace speechdex
