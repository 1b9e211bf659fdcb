#pragma once
// Reading a view's settings from a scene's "view" object (or an object inside it, whose JSON
// pointer is `at`): each reader returns the value for `key`, or `current` when the key is
// absent, and throws InputError naming "<at>/<key>" with
// what was expected for a value of the wrong type or out of range. Returning rather than
// assigning lets a view validate every key before it changes any (a bad scene leaves it as it was).
#include <nlohmann/json.hpp>

#include <string>

namespace obs::view_settings {

bool flag(const nlohmann::json& view, const char* key, bool current, const std::string& at = "/view");
// A finite number in [lo, hi].
float number(const nlohmann::json& view, const char* key, float current, float lo, float hi, const std::string& at = "/view");
// An integer in [lo, hi].
long long integer(const nlohmann::json& view, const char* key, long long current, long long lo, long long hi,
                  const std::string& at = "/view");

}  // namespace obs::view_settings
