#pragma once
// What happened to a run at a step, for the metric plots to mark: a perturbation, a parameter
// edit, a fork (a twin starts), a rewind. The plots draw a thin line with the kind's letter in
// its colour at that step, and hovering the line says what it was.
#include <imgui.h>

#include <cstdint>
#include <string>

namespace obs {

enum class MarkerKind { Perturb, Edit, Fork, Rewind };

struct PlotMarker {
  std::uint64_t step = 0;
  MarkerKind kind = MarkerKind::Perturb;
  std::string what;  // the detail the log has ("noise (amplitude 0.5, ...)", "K: 1.4 -> 2"); may be empty
};

constexpr const char* marker_name(MarkerKind k) {
  switch (k) {
    case MarkerKind::Perturb: return "perturbation";
    case MarkerKind::Edit: return "parameter edit";
    case MarkerKind::Fork: return "fork";
    case MarkerKind::Rewind: return "rewind";
  }
  return "?";
}
constexpr const char* marker_letter(MarkerKind k) {
  switch (k) {
    case MarkerKind::Perturb: return "P";
    case MarkerKind::Edit: return "E";
    case MarkerKind::Fork: return "F";
    case MarkerKind::Rewind: return "R";
  }
  return "?";
}
constexpr ImU32 marker_colour(MarkerKind k) {
  switch (k) {
    case MarkerKind::Perturb: return IM_COL32(255, 110, 90, 230);
    case MarkerKind::Edit: return IM_COL32(240, 210, 90, 230);
    case MarkerKind::Fork: return IM_COL32(200, 140, 255, 230);
    case MarkerKind::Rewind: return IM_COL32(100, 220, 230, 230);
  }
  return IM_COL32_WHITE;
}

}  // namespace obs
