// The error family every speechdex program throws: each error carries its context.
#pragma once

#include <xapian.h>

#include <cstdlib>
#include <exception>
#include <iostream>
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
  /// The exit status a program ends with because of this error.
  virtual int exit_status() const noexcept { return 1; }

 private:
  std::string context_;
};

/// The command line is wrong: a bad option value, a path that does not exist (exit 2).
class UsageError : public Error {
 public:
  using Error::Error;
  int exit_status() const noexcept override { return 2; }
};

/// An input file cannot be read or decoded; the indexer warns and goes on.
class InputError : public Error {
 public:
  using Error::Error;
};

/// The database cannot be opened, is of another schema version, or failed to write (exit 3).
class IndexError : public Error {
 public:
  using Error::Error;
  int exit_status() const noexcept override { return 3; }
};

/// The query text is malformed (unbalanced quotes or parentheses, empty, bad filter)
/// (exit 2).
class QueryError : public Error {
 public:
  using Error::Error;
  int exit_status() const noexcept override { return 2; }
};

/// A Xapian error's message with the system's reason when it has one ("Error writing
/// block 3466 (No space left on device)").
inline std::string xapian_message(const Xapian::Error& e) {
  const char* why = e.get_error_string();
  return why != nullptr && *why != '\0' ? e.get_msg() + " (" + why + ")" : e.get_msg();
}

/// Formats an error the one way every program prints it:
/// `<what> (<context>)`, or `<what>` where there is no context.
inline std::string describe(const Error& e) {
  return e.context().empty() ? std::string(e.what())
                             : std::string(e.what()) + " (" + e.context() + ")";
}

/// Runs a program's body and catches what it throws, once: prints
/// `<program>: error: <what> (<context>)` to stderr and returns the error's exit status
/// (3 for the database library's errors, 1 for anything else that is not a speechdex
/// error). Xapian::Error derives from no
/// std::exception, so it is caught by itself.
/// The name run_and_report prints; kept for the terminate handler.
inline const char*& current_program() {
  static const char* name = "speechdex";
  return name;
}

/// Xapian 1.4's glass backend calls std::terminate when a write fails at some points of a
/// commit (measured: an EIO from pwrite inside WritableDatabase::commit_transaction). The
/// commit was not made, and glass never overwrites the revision it last committed, so the
/// index stays as of its last commit: say so in one line and exit 3, instead of an abort.
[[noreturn]] inline void report_terminate() {
  std::cerr << current_program()
            << ": error: the database library stopped the run during a write (a failed write "
               "or sync); the index stays as of its last commit: re-run the command\n";
  std::_Exit(3);
}

template <class Body>
int run_and_report(const char* program, Body&& body) {
  current_program() = program;
  std::set_terminate(report_terminate);
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << program << ": error: " << describe(e) << "\n";
    return e.exit_status();
  } catch (const std::exception& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return 1;
  } catch (const Xapian::Error& e) {
    std::cerr << program << ": error: " << e.get_description() << "\n";
    return 3;  // the database's trouble
  }
}

}  // namespace speechdex
