#pragma once
// The sparse system's view: per layer its structure as a heatmap of output units (rows) by
// inputs (columns), a connection (Hot) coloured by |w|, an absent weight (Cold) dark; a layer
// with more entries than the view has room for is shown in blocks, and says so. Beside it the
// |w| key, above it the training status, below it a timeline of the rewirings. Under the
// evidence planner, its last cycle's Warm regions over the cells (filled when rejected, outlined
// when committed) and each layer's budget gauge with gamma. Hover a cell for its counts, a Warm
// region for what its probe measured. With the baselines trained beside it (the `baselines`
// parameter), a strip of curves over the whole run: test accuracy and density of the network
// against SET and RigL. Click a unit (a row of a picture) for the unit inspector: its incoming
// weights (as an image when its inputs are one) and its recent rewirings.
#include <string>
#include <vector>

#include "sparse/sparse_snapshot.hpp"
#include "views/view.hpp"

namespace obs {

class SparseMaskView final : public SnapshotView<sparse::SparseSnapshot> {
 public:
  std::string_view name() const override { return "layer masks"; }
  void handle_mouse(const ImGuiIO& io, const ViewRect& rect) override;
  MetricHistory* metric_history() override { return &history_; }

  // The unit the inspector shows (layer -1: none).
  struct UnitPick {
    int layer = -1, unit = -1;
  };
  UnitPick selected() const { return inspector_open_ ? selected_ : UnitPick{}; }
  // Where the last frame drew the baseline curves (empty when it drew none): for tests.
  const ViewRect& curves_drawn() const { return curves_drawn_; }
  // What the mouse is over (the hover line), or "" when no cell: for tests.
  const std::string& hovered() const { return hovered_; }
  // Where the last frame drew the Warm regions: for tests.
  const std::vector<ViewRect>& warm_drawn() const { return warm_drawn_; }

 protected:
  void draw_snapshot(const sparse::SparseSnapshot& snap, int width_px, int height_px) override;
  void overlay_snapshot(const sparse::SparseSnapshot& snap, ImDrawList* dl, const ViewRect& rect) override;
  void windows_snapshot(const sparse::SparseSnapshot& snap, const ViewRect& rect) override;

 private:
  void draw_timeline(ImDrawList* dl, const sparse::SparseSnapshot& s, const ViewRect& r) const;
  void draw_curves(ImDrawList* dl, const sparse::SparseSnapshot& s, const ViewRect& r);
  void inspector(const sparse::SparseSnapshot& s);

  // This network's and the baselines' test accuracy and density over the whole run.
  MetricHistory history_{{"test_accuracy", "set_test_accuracy", "rigl_test_accuracy", "density", "set_density", "rigl_density"},
                         600, MetricHistory::Span::WholeRun};
  ViewRect curves_drawn_{};
  UnitPick hovered_unit_, selected_;  // under the mouse last frame; the inspector's
  bool inspector_open_ = false;

  std::string hovered_;
  std::vector<ViewRect> warm_drawn_;
};

}  // namespace obs
