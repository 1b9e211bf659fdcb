#include "gfx/colormap.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace obs::gfx {

const char* embedded_asset(const std::string& name);  // generated from assets/

namespace {

// The stops of a map, parsed once from its embedded table (assets/colormaps/<name>.csv:
// comment lines start with '#', then a header, then "r,g,b" rows in 0-255).
std::vector<Rgb> load_stops(const char* asset) {
  std::vector<Rgb> out;
  std::istringstream in(embedded_asset(asset));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) { header = false; continue; }
    int r = 0, g = 0, b = 0;
    if (std::sscanf(line.c_str(), "%d,%d,%d", &r, &g, &b) != 3) throw std::runtime_error(std::string("bad colormap row in ") + asset + ": " + line);
    out.push_back({static_cast<float>(r) / 255.0f, static_cast<float>(g) / 255.0f, static_cast<float>(b) / 255.0f});
  }
  if (out.size() < 2) throw std::runtime_error(std::string("colormap ") + asset + " needs at least two stops");
  return out;
}

const std::vector<Rgb>& table(Colormap map) {
  if (map == Colormap::Grey) {
    static const std::vector<Rgb> grey = {{0, 0, 0}, {1, 1, 1}};
    return grey;
  }
  static const std::vector<Rgb> viridis = load_stops("colormaps/viridis.csv");
  return viridis;
}

Rgb lerp_table(const std::vector<Rgb>& table, float t) {
  const std::size_t n = table.size();
  t = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(n - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(t), n - 2);
  const float f = t - static_cast<float>(i);
  const Rgb& a = table[i];
  const Rgb& b = table[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

}  // namespace

Rgb sample(Colormap map, float t) { return lerp_table(table(map), t); }
std::array<Rgb, 10> stops(Colormap map) {
  std::array<Rgb, 10> out;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = sample(map, static_cast<float>(i) / 9.0f);
  return out;
}

std::string_view colormap_name(Colormap map) { return map == Colormap::Grey ? "grey" : "viridis"; }

}  // namespace obs::gfx
