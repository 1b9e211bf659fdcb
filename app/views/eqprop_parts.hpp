#pragma once
// The pieces of the eqprop view that do not depend on playback: the training status header,
// the input (image, or the point on the decision map), the output bars, and small line plots.
// All draw onto an ImDrawList so they appear in headless screenshots too.
#include <imgui.h>

#include <span>
#include <vector>

#include "eqprop/eqprop_snapshot.hpp"
#include "views/view.hpp"

namespace obs::eqprop_parts {

// Training status: algorithm, data, architecture, epoch progress bar, loss, accuracies,
// Lipschitz bound and per-matrix alignment. Returns the height used.
float draw_status(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 at, float width);

// The showcased input as a grey image, or for 2-D data the decision map with the training
// points and the showcased point ringed. Draws inside [p0, p1] keeping the aspect ratio.
void draw_input(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1);

// One row per class: free and nudged output as bars, the label and the prediction marked.
void draw_output_bars(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1);
// The height draw_output_bars takes for n outputs in a box of that height (rows and legend).
float output_bars_height(int n, float box_height);
// The oracle: the last test pass's settling times as two histograms (right answers, wrong ones),
// each as shares of its own count, and the two AUROCs; nothing before the first test pass.
void draw_oracle(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1);

// Dreaming, image data: per class its dream (from the mean input) as a grey image with the class
// name under it, framed and captioned in red with the net's answer when that is another class,
// under a title with the share of all dreams answered as their class. Nothing before the first
// dreams. Returns each class's image rectangle (for hover), empty when nothing was drawn.
std::vector<ViewRect> draw_dreams(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1);
// The height draw_dreams wants at this width (0 when there are no image dreams to show).
float dreams_height(const eqprop::EqPropSnapshot& s, float width);
// Dreaming, 2-D data: each class's dream as a diamond in its class colour on the decision map
// drawn by draw_input in [p0, p1]. Returns the diamonds' rectangles (for hover).
std::vector<ViewRect> draw_dream_points(ImDrawList* dl, const eqprop::EqPropSnapshot& s, ImVec2 p0, ImVec2 p1);

// A line over frames inside [p0, p1], with the nudge boundary and the playhead. log10 = true
// plots log10 of positive values (zeros are left out).
void draw_sparkline(ImDrawList* dl, ImVec2 p0, ImVec2 p1, std::span<const float> ys, ImU32 color, int boundary,
                    int playhead, bool log10, const char* label);

}  // namespace obs::eqprop_parts
