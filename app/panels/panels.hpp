#pragma once
// The side panels. Each draws one ImGui window at a fixed place and acts through App.
#include <imgui.h>

#include "views/view.hpp"

namespace obs {

class App;

// Left column: run controls, scene, parameters, perturbations, view settings, recording.
void draw_control_panel(App& app, ImVec2 pos, ImVec2 size);
// Right column: the probe's plots pinned on top (when the system has one), the live metric
// plots, CSV export, the event log.
void draw_metrics_panel(App& app, ImVec2 pos, ImVec2 size);
// A load error, over the view, until dismissed.
void draw_error_panel(App& app, const ViewRect& over);
// F1: the keyboard table.
void draw_help_overlay(App& app);

// Sections of the control panel (one file each).
void run_section(App& app);
void scene_section(App& app);
void params_section(App& app);
void perturb_section(App& app);
void record_section(App& app);

}  // namespace obs
