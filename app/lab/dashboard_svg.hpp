#pragma once
// The lab's four charts (dashboard_data.hpp) as one SVG document, 2 x 2 panels: what
// `observatory dashboard DIR` writes. Each panel: its title, axes with ticks (log ticks on a log
// axis), one coloured line per series through the seed means with a min-max bar at each point,
// and a legend under the axis; an empty chart shows its note instead of data.
#include <string>

#include "lab/dashboard_data.hpp"

namespace obs::lab {

std::string dashboard_svg(const Dashboard& d);

}  // namespace obs::lab
