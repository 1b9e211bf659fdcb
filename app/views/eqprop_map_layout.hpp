#pragma once
// Where the eqprop view's layer maps go: every heatmap, channel title, colour key and layer
// header placed in a rect, before anything is drawn. Two arrangements (layers as rows and
// channels as columns, or the transpose); the one giving the hidden units larger cells wins.
#include <imgui.h>

#include <vector>

#include "views/heatmap.hpp"
#include "views/view.hpp"

namespace obs::eqprop_layout {

enum class Channel { Composite, Red, Green, Blue };

struct MapSlot {  // one layer's units in one channel
  Channel channel;
  int layer;
  Heatmap grid;     // cells = the layer's units
  bool with_names;  // class names under it (the output layer, once per row)
};
struct TitleSlot {
  Channel channel;
  ImVec2 at;
  bool stacked;  // the description under the title rather than beside it
  float max_w;
};
struct KeySlot {
  Channel channel;
  ViewRect area;  // vertical: the bar; horizontal: the span of bar and end labels; composite: its top left
  bool vertical;
};
struct HeaderSlot {
  int layer;
  ImVec2 at;
};

struct MapsLayout {
  std::vector<MapSlot> maps;
  std::vector<TitleSlot> titles;
  std::vector<KeySlot> keys;
  std::vector<HeaderSlot> headers;
  ImVec2 note_at;  // right end of the line under the maps (the non-finite count)
  ImVec2 rule_at;  // the line stating the colour scale
};

// `units` per layer, the output last; `channels` in the order shown.
MapsLayout layout_maps(const std::vector<int>& units, const std::vector<Channel>& channels, ImVec2 p0, ImVec2 p1);

}  // namespace obs::eqprop_layout
