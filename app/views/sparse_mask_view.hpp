#pragma once
// The sparse system's view: per layer its structure as a heatmap of output units (rows) by
// inputs (columns), a connection (Hot) coloured by |w|, an absent weight (Cold) dark; a layer
// with more entries than the view has room for is shown in blocks, and says so. Beside it the
// |w| key, above it the training status, below it a timeline of the rewirings. Under the
// evidence planner, its last cycle's Warm regions over the cells (filled when rejected, outlined
// when committed) and each layer's budget gauge with gamma. Hover a cell for its counts, a Warm
// region for what its probe measured.
#include <string>
#include <vector>

#include "sparse/sparse_snapshot.hpp"
#include "views/view.hpp"

namespace obs {

class SparseMaskView final : public SnapshotView<sparse::SparseSnapshot> {
 public:
  std::string_view name() const override { return "layer masks"; }
  // What the mouse is over (the hover line), or "" when no cell: for tests.
  const std::string& hovered() const { return hovered_; }
  // Where the last frame drew the Warm regions: for tests.
  const std::vector<ViewRect>& warm_drawn() const { return warm_drawn_; }

 protected:
  void draw_snapshot(const sparse::SparseSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const sparse::SparseSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;

 private:
  void draw_timeline(ImDrawList* dl, const sparse::SparseSnapshot& s, const ViewRect& r) const;

  std::string hovered_;
  std::vector<ViewRect> warm_drawn_;
};

}  // namespace obs
