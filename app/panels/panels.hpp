#pragma once
// The side panels. Each draws one ImGui window at a fixed place and acts through App.
#include <imgui.h>

#include "core/twin_pair.hpp"
#include "views/view.hpp"

namespace obs {

class App;

// Left column: run controls, scene, parameters, perturbations, view settings, recording.
// The side panels are resizable by their inner edge: each returns the width it now has.
float draw_control_panel(App& app, ImVec2 pos, ImVec2 size, float max_width);
// Right column: the probe's plots pinned on top (when the system has one), the live metric
// plots, CSV export, the event log below them at a height the person can drag.
float draw_metrics_panel(App& app, ImVec2 pos, ImVec2 size, float max_width);
// The questions the app asks: Save as (and overwrite?), unsaved changes before quit or open.
void draw_dialogs(App& app);
// Over the view: "opening ..." and how to get hidden panels back. (Recording is shown in the
// run section and the window title, never over the view: it would be in the recorded frames.)
void draw_view_notices(App& app, const ViewRect& view, bool panels_hidden);
// The strip above a twin's pane: "A" (blue) or "B" (orange), and whether edits go there;
// `narrow_hint`: also that Tab (panels hidden) gives each pane the full half of the window.
void draw_twin_label(const ViewRect& strip, const char* side, TwinPair::Side target, bool narrow_hint);
// A load error, over the view, until dismissed.
void draw_error_panel(App& app, const ViewRect& over);
// Under the view: the timeline that rewinds the run (its height, then the bar in `bar`).
float timeline_bar_height();
void draw_timeline_bar(App& app, const ViewRect& bar);
// F1: the keyboard table.
void draw_help_overlay(App& app);

// Sections of the control panel (one file each).
void run_section(App& app);
void scene_section(App& app);
void params_section(App& app);
void perturb_section(App& app);
void twin_section(App& app);
void record_section(App& app);
void lab_section(App& app);
// The eqprop lab's experiments, a switch each (shown while an eqprop scene runs).
void lab_experiments_section(App& app);
// The lab's four charts from the loaded sweep, in a window of their own while it is open.
void draw_dashboard_window(App& app);

}  // namespace obs
