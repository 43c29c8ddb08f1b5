// A progress line on a terminal, the one both programs draw: redrawn in place on stderr at
// most five times a second and cleared before anything else is printed.
#pragma once

#include <chrono>
#include <iostream>
#include <string>

namespace speechdex::schema {

class ProgressLine {
 public:
  /// `on`: draw at all (stderr is a terminal and the user did not ask for quiet).
  explicit ProgressLine(bool on) : on_(on), started_(std::chrono::steady_clock::now()) {}

  /// True if a line should be drawn now: the line is on and 200 ms have passed since the
  /// last one drawn, or `force` (the last step, a new phase).
  bool due(bool force) {
    if (!on_) return false;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(200)) return false;
    last_ = now;
    return true;
  }

  /// Seconds since the line was made.
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

  /// Draws `text` over the line drawn before.
  void draw(const std::string& text) {
    std::cerr << "\r" << text << "\033[K" << std::flush;
    shown_ = true;
  }

  /// Clears the line (before a message, and at the end).
  void clear() {
    if (shown_) std::cerr << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  bool on_, shown_ = false;
  std::chrono::steady_clock::time_point started_, last_{};
};

}  // namespace speechdex::schema
