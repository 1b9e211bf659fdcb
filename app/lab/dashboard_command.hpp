#pragma once
// `observatory dashboard DIR [--out FILE.svg]`: the lab's four charts from the sweep in DIR
// (its summary.csv), written as SVG to FILE (default DIR/dashboard.svg, replaced atomically: the
// command's own output). Prints which charts are empty and why. Exit 0, or 2 for bad input.
namespace obs::lab {

int run_dashboard_command(int argc, char** argv);
const char* dashboard_usage_text();

}  // namespace obs::lab
