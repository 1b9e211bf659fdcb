#include "views/carrier_timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "input/ui_marks.hpp"
#include "views/carrier_palette.hpp"

namespace obs {

using resonance::Fate;

std::uint32_t draw_lifetime_timeline(ImDrawList* dl, ImVec2 p0, ImVec2 p1, const resonance::ResonanceSnapshot& s,
                                     std::uint32_t selected, ImVec2 mouse) {
  const float em = ImGui::GetFontSize();
  dl->AddRectFilled(p0, p1, IM_COL32(20, 22, 28, 230), 4);
  dl->AddText({p0.x + 6, p0.y + 3}, IM_COL32(225, 228, 236, 255), "carrier lifetimes");
  // Legend: origins as bar colours, fates as end caps.
  float lx = p0.x + 6 + ImGui::CalcTextSize("carrier lifetimes").x + em;
  auto legend = [&](ImU32 c, const char* text) {
    if (lx + em * 5 > p1.x) return;
    dl->AddRectFilled({lx, p0.y + em * 0.45f}, {lx + em * 0.7f, p0.y + em * 1.05f}, c);
    dl->AddText({lx + em * 0.9f, p0.y + 3}, IM_COL32(170, 175, 190, 255), text);
    lx += em * 1.3f + ImGui::CalcTextSize(text).x;
  };
  legend(carrier_palette::origin(resonance::Origin::Initial), "initial");
  legend(carrier_palette::origin(resonance::Origin::Mitosis), "mitosis");
  legend(carrier_palette::origin(resonance::Origin::Genesis), "genesis");
  legend(carrier_palette::fate(Fate::Dissolved), "dissolved");

  const ImVec2 a{p0.x + 6, p0.y + em * 1.5f}, b{p1.x - 6, p1.y - em * 1.35f};
  if (s.lifetimes.empty() || b.y - a.y < 4) {
    dl->AddText({a.x, a.y}, IM_COL32(150, 150, 160, 255), "no carriers yet");
    return 0;
  }
  std::vector<const resonance::Lifetime*> rows;
  rows.reserve(s.lifetimes.size());
  std::uint64_t t0 = s.step;
  for (const auto& l : s.lifetimes) {
    rows.push_back(&l);
    t0 = std::min(t0, l.born_step);
  }
  std::stable_sort(rows.begin(), rows.end(), [](auto* x, auto* y) { return x->born_step != y->born_step ? x->born_step < y->born_step : x->id < y->id; });
  const std::uint64_t t1 = std::max(s.step, t0 + 1);
  auto xof = [&](std::uint64_t t) { return a.x + (b.x - a.x) * static_cast<float>(static_cast<double>(t - std::min(t, t0)) / static_cast<double>(t1 - t0)); };
  const float row_h = (b.y - a.y) / static_cast<float>(rows.size());
  const float bar_h = std::max(1.0f, std::min(row_h * 0.72f, em * 0.8f));
  auto yof = [&](std::size_t r) { return a.y + row_h * (static_cast<float>(r) + 0.5f); };

  // Forks first, under the bars and their labels: each mitosis child joined to its parent's bar at
  // the step it split off, so lineages read as a tree (a parent whose life fell off the record has
  // no bar to join). Ids are given in birth order, so the rows are sorted by id too and a parent is
  // found by binary search: the record holds up to 4096 lives, and this runs every frame.
  for (std::size_t q = 0; q < rows.size(); ++q) {
    const std::uint32_t parent = rows[q]->parent;
    if (parent == 0) continue;
    const auto it = std::lower_bound(rows.begin(), rows.end(), parent, [](const resonance::Lifetime* l, std::uint32_t id) { return l->id < id; });
    if (it == rows.end() || (*it)->id != parent) continue;
    const std::size_t r = static_cast<std::size_t>(it - rows.begin());
    const float x = xof(rows[q]->born_step);
    dl->AddLine({x, yof(r)}, {x, yof(q)}, IM_COL32(255, 235, 120, 170), 1.0f);
  }

  std::uint32_t hit = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& l = *rows[r];
    const float y = yof(r), x0 = xof(l.born_step), x1 = std::max(x0 + 2.0f, xof(l.fate == Fate::Alive ? s.step : l.end_step));
    const bool dead = l.fate != Fate::Alive;
    dl->AddRectFilled({x0, y - bar_h * 0.5f}, {x1, y + bar_h * 0.5f}, carrier_palette::origin(l.origin, dead ? 120 : 235));
    if (dead) dl->AddRectFilled({x1 - std::min(3.0f, x1 - x0), y - bar_h * 0.5f - 0.5f}, {x1 + 1, y + bar_h * 0.5f + 0.5f}, carrier_palette::fate(l.fate));
    if (ui::marks_enabled()) ui::mark_rect("carrier/lifetime/" + std::to_string(l.id), {x0, y - bar_h * 0.5f}, {x1, y + bar_h * 0.5f});
    if (l.id == selected) dl->AddRect({x0 - 2, y - bar_h * 0.5f - 2}, {x1 + 2, y + bar_h * 0.5f + 2}, IM_COL32(255, 255, 255, 230), 2, 0, 1.5f);
    if (mouse.y >= y - std::max(row_h, 3.0f) * 0.5f && mouse.y < y + std::max(row_h, 3.0f) * 0.5f && mouse.x >= x0 - 3 && mouse.x <= x1 + 3) hit = l.id;
    if (row_h >= em * 0.95f && x1 - x0 > em * 2.2f) {
      char id[16];
      std::snprintf(id, sizeof id, "#%u", l.id);
      dl->AddText({x0 + 3, y - em * 0.5f}, IM_COL32(20, 22, 28, 255), id);
    }
  }
  // Time axis: first step on the left, now on the right.
  dl->AddLine({a.x, b.y + 2}, {b.x, b.y + 2}, IM_COL32(90, 95, 110, 255));
  char buf[48];
  std::snprintf(buf, sizeof buf, "step %llu", static_cast<unsigned long long>(t0));
  dl->AddText({a.x, b.y + 4}, IM_COL32(150, 155, 170, 255), buf);
  std::snprintf(buf, sizeof buf, "now %llu", static_cast<unsigned long long>(s.step));
  dl->AddText({b.x - ImGui::CalcTextSize(buf).x, b.y + 4}, IM_COL32(150, 155, 170, 255), buf);
  return hit;
}

}  // namespace obs
