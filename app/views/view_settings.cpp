#include "views/view_settings.hpp"

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/input_error.hpp"

namespace obs::view_settings {
namespace {

[[noreturn]] void refuse(const std::string& at, const char* key, const std::string& expected, const nlohmann::json& got) {
  throw InputError(std::string(at).append("/").append(key), std::string(expected).append(", got ").append(got.dump()));
}

}  // namespace

bool flag(const nlohmann::json& view, const char* key, bool current, const std::string& at) {
  if (!view.contains(key)) return current;
  const auto& x = view.at(key);
  if (!x.is_boolean()) refuse(at, key, "expected true or false", x);
  return x.get<bool>();
}

float number(const nlohmann::json& view, const char* key, float current, float lo, float hi, const std::string& at) {
  if (!view.contains(key)) return current;
  const auto& x = view.at(key);
  // Written so that NaN fails too.
  if (!x.is_number() || !(x.get<double>() >= lo && x.get<double>() <= hi)) {
    char range[80];
    std::snprintf(range, sizeof range, "expected a number in [%g, %g]", static_cast<double>(lo), static_cast<double>(hi));
    refuse(at, key, range, x);
  }
  return x.get<float>();
}

long long integer(const nlohmann::json& view, const char* key, long long current, long long lo, long long hi,
                  const std::string& at) {
  if (!view.contains(key)) return current;
  const auto& x = view.at(key);
  // An unsigned value beyond int64 is refused rather than wrapped.
  if (!x.is_number_integer() || (x.is_number_unsigned() && x.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) ||
      x.get<long long>() < lo || x.get<long long>() > hi)
    refuse(at, key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", x);
  return x.get<long long>();
}

}  // namespace obs::view_settings
