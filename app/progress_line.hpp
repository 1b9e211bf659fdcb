#pragma once
// The progress line a long headless run prints on stderr every two seconds ("step 400/1000
// (40%), 215 steps/s"), so a scripted run that takes minutes shows it is moving.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>

namespace obs {

class ProgressLine {
 public:
  explicit ProgressLine(const char* unit) : unit_(unit) {}
  // `done` of `total` units are finished.
  void update(std::int64_t done, std::int64_t total) {
    const auto now = Clock::now();
    if (now - last_ <= std::chrono::seconds(2)) return;
    last_ = now;
    const double rate = static_cast<double>(done) / std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "%s %" PRId64 "/%" PRId64 " (%.0f%%), %.*f %ss/s\n", unit_, done, total,
                 100.0 * static_cast<double>(done) / static_cast<double>(total), rate >= 10 ? 0 : 2, rate, unit_);
  }

 private:
  using Clock = std::chrono::steady_clock;
  const char* unit_;
  Clock::time_point start_ = Clock::now(), last_ = start_;
};

}  // namespace obs
