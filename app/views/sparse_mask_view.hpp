#pragma once
// The sparse system's view: per layer its structure as a heatmap of output units (rows) by
// inputs (columns), a connection (Hot) coloured by |w|, an absent weight (Cold) dark; a layer
// with more entries than the view has room for is shown in blocks, and says so. Beside it the
// |w| key, above it the training status, below it a timeline of the rewirings. Hover a cell for
// its counts.
#include <string>

#include "sparse/sparse_snapshot.hpp"
#include "views/view.hpp"

namespace obs {

class SparseMaskView final : public SnapshotView<sparse::SparseSnapshot> {
 public:
  std::string_view name() const override { return "layer masks"; }
  // What the mouse is over (the hover line), or "" when no cell: for tests.
  const std::string& hovered() const { return hovered_; }

 protected:
  void draw_snapshot(const sparse::SparseSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const sparse::SparseSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;

 private:
  void draw_timeline(ImDrawList* dl, const sparse::SparseSnapshot& s, const ViewRect& r) const;

  std::string hovered_;
};

}  // namespace obs
