// Under the view: the run's timeline. Dragging it shows any step the rewind history can give back
// exactly (SimRunner::scrub_to), "Live" returns to the furthest step, "Other branch" / "Drop it"
// go to or discard the future an edit in the past replaced, and the text says where the view is
// and how far back it can go.
#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "app.hpp"
#include "input/ui_marks.hpp"
#include "panels/panels.hpp"

namespace obs {

float timeline_bar_height() { return ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().WindowPadding.y; }

void draw_timeline_bar(App& app, const ViewRect& bar) {
  SimRunner& runner = *app.session.runner;
  const SimRunner::Status st = runner.status();
  const float em = ImGui::GetFontSize();
  ImGui::SetNextWindowPos(bar.min);
  ImGui::SetNextWindowSize({bar.width(), bar.height()});
  ImGui::Begin("##timeline", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoFocusOnAppearing);

  const bool in_past = st.step < st.head_step;
  char where[96];
  if (in_past) std::snprintf(where, sizeof where, "step %" PRIu64 " of %" PRIu64, st.step, st.head_step);
  else std::snprintf(where, sizeof where, "step %" PRIu64 " (live)", st.step);
  // Fixed widths, so the slider does not jump as the numbers grow.
  const float text_w = ImGui::CalcTextSize("step 00000000 of 00000000").x;
  const ImGuiStyle& style = ImGui::GetStyle();
  const auto button_w = [&](const char* label) { return ImGui::CalcTextSize(label).x + 2 * style.FramePadding.x + style.ItemSpacing.x; };
  // With a kept branch (an edit in the past replaced a future): buttons to go to it or drop it.
  const float buttons_w = button_w("Live") + (st.branch_kept ? button_w("Other branch") + button_w("Drop it") : 0.0f);
  ImGui::AlignTextToFramePadding();
  if (in_past) ImGui::TextColored({1.0f, 0.78f, 0.35f, 1}, "%s", where);
  else ImGui::TextUnformatted(where);
  ImGui::SameLine(text_w + em);

  if (st.rewind_checkpoints == 0) {
    ImGui::TextDisabled("no rewind: one checkpoint of this system would take more than half the rewind memory (Run panel)");
    ImGui::End();
    return;
  }
  std::uint64_t shown = st.step;
  const std::uint64_t lo = std::min(st.earliest_step, st.step), hi = std::max(st.head_step, lo + 1);
  ImGui::SetNextItemWidth(std::max(4 * em, ImGui::GetContentRegionAvail().x - buttons_w));
  if (ImGui::SliderScalar("##timeline", ImGuiDataType_U64, &shown, &lo, &hi, "", ImGuiSliderFlags_AlwaysClamp) && shown != st.step)
    runner.scrub_to(shown);
  // One rewind mark per drag that ends before it began, not one per frame of the drag.
  if (ImGui::IsItemActivated()) app.scrub_from = st.step;
  if (ImGui::IsItemDeactivated() && app.scrub_from) {
    if (shown < *app.scrub_from) app.mark(shown, MarkerKind::Rewind, "timeline, from step " + std::to_string(*app.scrub_from));
    app.scrub_from.reset();
  }
  ui::mark("timeline/slider");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Drag to any step from %" PRIu64 " on: it is restored exactly (the nearest checkpoint, then replayed).\n"
                      "%zu checkpoints, %.1f MB of %.0f MB, one every %" PRIu64 " steps recently, sparser further back.\n"
                      "Left / Shift+Left: back 1 / 100.  Play from the past follows the recorded run;\n"
                      "an edit made there starts a new branch; the old one is kept (Other branch) until dropped.",
                      st.earliest_step, st.rewind_checkpoints, static_cast<double>(st.rewind_bytes) / (1 << 20),
                      static_cast<double>(st.rewind_budget) / (1 << 20), st.rewind_spacing);
  ImGui::SameLine();
  ImGui::BeginDisabled(!in_past);
  if (ImGui::Button("Live")) runner.scrub_to(st.head_step);
  ImGui::EndDisabled();
  ui::mark("timeline/live");
  if (st.branch_kept) {
    ImGui::SameLine();
    if (ImGui::Button("Other branch")) runner.switch_branch();
    ui::mark("timeline/other branch");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The run before the edit at step %" PRIu64 " went on to step %" PRIu64 ": switch to it (this branch is kept in its place).\n"
                        "Shown at the same step where it has it. Kept branches share the rewind memory (a quarter).",
                        st.branch_from, st.branch_head);
    ImGui::SameLine();
    if (ImGui::Button("Drop it")) runner.discard_branch();
    ui::mark("timeline/drop branch");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Discard the other branch (steps %" PRIu64 "..%" PRIu64 ")", st.branch_from + 1, st.branch_head);
  }
  ImGui::End();
}

}  // namespace obs
