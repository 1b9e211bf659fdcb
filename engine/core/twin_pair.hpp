#pragma once
// Twins (A/B): a run and a copy of it, stepped in lockstep as one System, so everything built
// for one system serves the pair unchanged: the runner's thread and pacing, the rewind history
// (a checkpoint of the pair is a clone of both), the metric history and its CSV export (each
// metric twice, as a_NAME and b_NAME). An edit or a perturbation goes to A, B or both by
// reaching the sides through for_each_side; the pair's own parameters mirror A's, which is the
// run a scene file saves.
#include <functional>
#include <memory>
#include <vector>

#include "core/system.hpp"

namespace obs {

// What the pair hands the views: each side's own snapshot, drawn by a view of that side's kind.
struct TwinSnapshot : Snapshot {
  std::shared_ptr<const Snapshot> a, b;
};

class TwinPair final : public System {
 public:
  enum class Side { A, B, Both };

  // The pair counts its own steps from A's: a side restarted by an edit (a new N on B) goes on
  // stepping in lockstep with the other from its own step 0.
  TwinPair(std::unique_ptr<System> a, std::unique_ptr<System> b);
  // B begins as a deep copy of A: both then step to the same hashes until something differs.
  static std::unique_ptr<TwinPair> fork(std::unique_ptr<System> a);

  System& a() { return *a_; }
  System& b() { return *b_; }
  const System& a() const { return *a_; }
  const System& b() const { return *b_; }
  // Gives up the pair for one side (the other is dropped): "keep A", "keep B".
  std::unique_ptr<System> take(Side side) &&;

  // Runs `fn` on each side `target` names, then takes up what that changed: the sides' events
  // (prefixed "A: " / "B: "), A's parameters and seed as the pair's own, and the metric list
  // when a side's changed (a restart with another layer count). Exceptions from fn pass through
  // after that bookkeeping.
  void edit(Side target, const std::function<void(System&)>& fn);

  std::unique_ptr<System> clone() const override;
  std::uint64_t clone_bytes() const override { return a_->clone_bytes() + b_->clone_bytes(); }
  std::string_view kind() const override { return a_->kind(); }
  std::uint64_t bytes_needed() const override { return a_->bytes_needed() + b_->bytes_needed(); }
  void step() override;
  std::shared_ptr<const Snapshot> snapshot() const override;
  std::vector<PerturbKind> supported_perturbations() const override { return a_->supported_perturbations(); }
  void perturb(const Perturbation& p) override;  // both sides; the app aims one through edit()
  void dump(nlohmann::json& out) const override;  // the header, then "a" and "b" in full
  std::uint64_t state_hash() const override;
  // A state file holds one system: a pair is saved as one of its sides (the app saves A).
  void write_state(StateWriter& out) const override;
  void read_state(StateReader& in) override;

 protected:
  void restart() override;  // both sides from the pair's seed, each with its own parameters

 private:
  void adopt_sides();       // A's parameters and seed, the sides' events, the metric list
  void declare_metrics();
  std::unique_ptr<System> a_, b_;
  std::vector<std::string> a_names_, b_names_;  // the sides' metric lists the table was built from
  std::vector<double> a_row_, b_row_;           // filled once per read (MetricTable::before_read)
};

// The side of `s` that `side` names when `s` is a pair (Both reads as A); `s` itself otherwise.
const System& side_of(const System& s, TwinPair::Side side);
// Runs fn on the sides `target` names when `s` is a pair, on `s` itself otherwise.
void for_each_side(System& s, TwinPair::Side target, const std::function<void(System&)>& fn);

}  // namespace obs
