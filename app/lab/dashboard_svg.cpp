#include "lab/dashboard_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "lab/chart_axis.hpp"

namespace obs::lab {
namespace {

constexpr double kPanelW = 480, kPlotH = 230, kTop = 34, kLeft = 64, kRight = 18, kLegendLine = 15, kTitleH = 30;

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

void panel(std::ostringstream& out, const Chart& c, double x0, double y0) {
  const double w = kPanelW - kLeft - kRight, px = x0 + kLeft, py = y0 + kTop;
  out << "<g class=\"chart\">\n";
  out << "<text x=\"" << num(x0 + kPanelW / 2) << "\" y=\"" << num(y0 + 20)
      << "\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">" << escaped(c.title) << "</text>\n";
  out << "<rect x=\"" << num(px) << "\" y=\"" << num(py) << "\" width=\"" << num(w) << "\" height=\"" << num(kPlotH)
      << "\" fill=\"none\" stroke=\"#888\"/>\n";
  if (c.empty()) {
    out << "<text class=\"note\" x=\"" << num(px + w / 2) << "\" y=\"" << num(py + kPlotH / 2)
        << "\" text-anchor=\"middle\" font-size=\"12\" fill=\"#555\">" << escaped(c.note) << "</text>\n</g>\n";
    return;
  }
  const auto [ax, ay] = axes_of(c);
  const auto X = [&](double v) { return px + ax.frac(v) * w; };
  const auto Y = [&](double v) { return py + (1 - ay.frac(v)) * kPlotH; };
  for (double t : ax.ticks()) {
    out << "<line x1=\"" << num(X(t)) << "\" y1=\"" << num(py + kPlotH) << "\" x2=\"" << num(X(t)) << "\" y2=\"" << num(py + kPlotH + 4)
        << "\" stroke=\"#888\"/><text x=\"" << num(X(t)) << "\" y=\"" << num(py + kPlotH + 16)
        << "\" text-anchor=\"middle\" font-size=\"11\">" << ax.tick_text(t) << "</text>\n";
  }
  for (double t : ay.ticks()) {
    out << "<line x1=\"" << num(px - 4) << "\" y1=\"" << num(Y(t)) << "\" x2=\"" << num(px + w) << "\" y2=\"" << num(Y(t))
        << "\" stroke=\"#e4e4e4\"/><text x=\"" << num(px - 7) << "\" y=\"" << num(Y(t) + 4)
        << "\" text-anchor=\"end\" font-size=\"11\">" << ay.tick_text(t) << "</text>\n";
  }
  out << "<text x=\"" << num(px + w / 2) << "\" y=\"" << num(py + kPlotH + 32) << "\" text-anchor=\"middle\" font-size=\"12\">"
      << escaped(c.x_label) << "</text>\n";
  out << "<text transform=\"translate(" << num(x0 + 16) << ' ' << num(py + kPlotH / 2)
      << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">" << escaped(c.y_label) << "</text>\n";
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    const auto& s = c.series[k];
    char color[8];
    std::snprintf(color, sizeof color, "#%06x", static_cast<unsigned>(kSeriesColors[k % std::size(kSeriesColors)]));
    out << "<polyline class=\"series\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\" points=\"";
    for (const auto& p : s.points) out << num(X(p.x)) << ',' << num(Y(p.y)) << ' ';
    out << "\"/>\n";
    for (const auto& p : s.points) {
      if (p.y_hi > p.y_lo)
        out << "<line x1=\"" << num(X(p.x)) << "\" y1=\"" << num(Y(p.y_lo)) << "\" x2=\"" << num(X(p.x)) << "\" y2=\"" << num(Y(p.y_hi))
            << "\" stroke=\"" << color << "\"/>";
      out << "<circle cx=\"" << num(X(p.x)) << "\" cy=\"" << num(Y(p.y)) << "\" r=\"3\" fill=\"" << color << "\"/>\n";
    }
    const double ly = py + kPlotH + 50 + kLegendLine * static_cast<double>(k);
    out << "<line x1=\"" << num(px) << "\" y1=\"" << num(ly - 4) << "\" x2=\"" << num(px + 18) << "\" y2=\"" << num(ly - 4)
        << "\" stroke=\"" << color << "\" stroke-width=\"2\"/><text x=\"" << num(px + 24) << "\" y=\"" << num(ly)
        << "\" font-size=\"11\">" << escaped(s.name) << "</text>\n";
  }
  out << "</g>\n";
}

}  // namespace

std::string dashboard_svg(const Dashboard& d) {
  // Each row of two panels is as tall as its longer legend.
  const auto row_h = [&](std::size_t row) {
    std::size_t legend = 1;
    for (std::size_t k = 2 * row; k < std::min(d.charts.size(), 2 * row + 2); ++k) legend = std::max(legend, d.charts[k].series.size());
    return kTop + kPlotH + 44 + kLegendLine * static_cast<double>(legend) + 10;
  };
  const double width = 2 * kPanelW, height = kTitleH + row_h(0) + row_h(1);
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\"" << num(height) << "\" viewBox=\"0 0 "
      << num(width) << ' ' << num(height) << "\" font-family=\"sans-serif\">\n";
  out << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out << "<text x=\"12\" y=\"20\" font-size=\"13\" fill=\"#333\">The TorEqProp lab: " << d.runs << " runs from "
      << escaped(d.source) << " (points: mean over seeds; bars: their min and max)</text>\n";
  for (std::size_t k = 0; k < d.charts.size(); ++k)
    panel(out, d.charts[k], static_cast<double>(k % 2) * kPanelW, kTitleH + (k < 2 ? 0.0 : row_h(0)));
  out << "</svg>\n";
  return out.str();
}

}  // namespace obs::lab
