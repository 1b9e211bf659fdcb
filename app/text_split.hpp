#pragma once
// A line split at every `sep` (no quoting: the sweep's CSV cells never hold one).
#include <string>
#include <vector>

namespace obs {

inline std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == sep) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

}  // namespace obs
