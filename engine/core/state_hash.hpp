#pragma once
// A 64-bit FNV-1a hash over raw state bytes, for determinism checks
// ("same scene + seed => same hash after N steps"), as Box2D v3 does.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace obs {

class StateHash {
 public:
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      h_ ^= p[i];
      h_ *= 0x100000001b3ULL;
    }
  }
  template <class T>
  void span(std::span<const T> s) { bytes(s.data(), s.size_bytes()); }
  template <class T>
  void value(const T& v) { bytes(&v, sizeof v); }
  void text(std::string_view s) { bytes(s.data(), s.size()); }
  std::uint64_t digest() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace obs
