#pragma once
// The evidence planner (issue 14; design: sparse-graph-notes.md, "Canonical Terms", "Probing",
// "Ranking & Selection"): a layer's structure changes only where a measurement says it pays,
// under a hard budget of connections, with no penalty term in the loss.
//
// Every cycle, for each layer (a layer is one "object" with its own budget):
//  - Shortlist (Cold -> Warm): every Cold region is ranked by the signal-to-noise ratio of its
//    prospective gradient over m fresh batches, ||mean g_R|| / (sqrt(var g_R) + eps); the best
//    few above a gate, at most one per output unit, become Warm.
//  - Probe: a Warm region's entries get a shadow value Delta (0 at first), and K small steps on
//    fresh batches move Delta alone (a frozen probe: nothing else changes). The loss with Delta
//    is then compared with the loss without it on E more fresh batches, paired: the mean gain mu,
//    its spread sigma, the share of batches it wins. Score = mu - risk * sigma.
//  - Commit (Warm -> Hot): at most two regions per layer per cycle, each with a positive score
//    and a win rate above 1/2, best score per connection first, warm-started at their Delta.
//  - Room (Hot -> Cooling -> Cold): the connections of lowest Taylor score 1/2 v w^2 are marked
//    Cooling at one cycle and go Cold only when they are still among the lowest at the next and a
//    commit needs their place; one that recovered in between stays Hot. A unit's last connection
//    never goes. v is Adam's second moment when the optimizer keeps one, else the mean squared
//    gradient over the m shortlist batches (the same Fisher estimate, measured there and then).
//  - The relativistic barrier: v = connections / budget, gamma = 1 / sqrt(1 - v^2 + eps). A
//    probe's steps are divided by gamma, and a layer commits round(2 / gamma) regions at most (at
//    least one): as a layer nears its budget it grows more cautiously.
//
// A region is a row segment: one output unit's inputs [c0, c0 + width). With width 28 on
// Fashion-MNIST it is one line of the image as one unit sees it, a local strip of a receptive
// field (the design's stencils grow by local pieces), and in CSR a single row's edit.
#include <Eigen/Dense>

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <vector>

#include "sparse/rewire.hpp"
#include "sparse/sparse_chain.hpp"

namespace obs::sparse {

struct PlannerSettings {
  int region_width = 28;       // inputs per region (clamped to the layer's inputs)
  int snr_batches = 4;         // m: batches the SNR is measured over
  double snr_gate = 1.0;       // tau_snr: a region below it is not shortlisted
  int probes = 4;              // Warm regions per layer per cycle
  int rollout_steps = 2;       // K
  int rollout_batches = 4;     // E: batches the gain is measured on
  double probe_lr = 0.05;      // a probe step moves each entry of Delta by about this (RMS-normalised)
  double risk = 1.0;           // how many spreads a gain must clear
  int max_commits = 2;         // regions per layer per cycle, before the barrier
  double barrier_eps = 0.05;   // epsilon of gamma
  double budget_scale = 1.0;   // a layer's budget: this times its connections when the planner starts
  int split_every = 0;         // cycles between clone-and-splits (0: never)
  bool budget_moves = false;   // CGPT: budget moves between layers by marginal gain per token
  int nascent_after = 0;       // quiet cycles before a full hidden layer spawns a nascent layer (0: never)
};

// Nascent layers ("Graph Model - Overall Structure": after a module converges under its
// capacity, spawn a nascent child with identity mapping and sparse parameters; consolidate to
// identity when its contribution is low). A hidden layer has converged under its capacity when it
// is at its budget and has committed nothing for nascent_after cycles in a row; it then gets a
// nascent layer right after it (insert_identity_layer: one connection per unit, weight 1; the
// logits do not move), with a budget of kNascentBudget connections per unit, which grows and cools
// by the same rules as every layer. After nascent_after more cycles it is judged like a split,
// paired on the evaluation batches: the loss with the layer removed against the loss with it;
// kept (for good) when removing it would cost (score > 0, wins > 1/2), else removed (exact if it
// is still the identity). Each original hidden layer spawns at most once, and not while
// clone-and-split is on (a split would make the nascent layer non-square).
inline constexpr int kNascentBudget = 4;

// A nascent layer's life, as a cycle reports it.
struct NascentEvent {
  int layer = 0;  // the nascent layer's index (after an insertion: its new place)
  enum class Kind { Inserted, Kept, Removed } kind = Kind::Inserted;
  double gain = 0, spread = 0, win_rate = 0;  // judged: the loss keeping it saves, paired over the evaluation batches
};

// Budget moves between layers (CGPT, "Graph Model - Overall Structure": budget goes where the
// marginal loss improvement per token is largest). After a cycle's commits, each layer bids the
// best gain per connection of its winning probes (score / tokens, score > 0, wins > 1/2) and asks
// what its region_width cheapest connections (by Taylor score) cost per connection, measured as
// a probe's gain is: the loss with them at 0 against the loss as is, paired on the same
// evaluation batches (Taylor's own estimate ranks well but is not on the probes' scale). When the highest bid exceeds the lowest ask of another
// layer, the bidder's best region's tokens move from the asker's budget to the bidder's (bids
// and asks as running means over the cycles, and a giver's worth the larger of its ask and its
// own bid; a move needs a margin: see kBidMemory, kBidMargin). The
// asker, now over its budget, sends confirmed Cooling connections Cold at its next cycles until
// it fits (never a unit's last input); the total budget is conserved, and no layer falls below
// half its starting budget or one connection per unit.
inline constexpr double kBidMemory = 0.8;   // the running means' weight on the past (about five cycles)
inline constexpr double kBidMargin = 1.25;  // a move needs the bid 25 % above the giver's worth

struct BudgetMove {
  int from = -1, to = -1;  // layers (-1: none this cycle)
  int tokens = 0;
  double bid = 0, ask = 0;  // per connection, in loss
};

// Clone-and-split in the planner: every split_every cycles, each hidden layer with room in its
// budget and the next layer's splits its most demanded unit (the largest mean ||dL/d pre-
// activation||^2 over the m batches: the unit the loss most wants to move), with shares 0.6 /
// 0.4 of its outgoing weights so the twins can part. When the next splits are due (split_every
// cycles of training later) it is judged like a probe, paired on the E evaluation batches: the
// loss with the twins merged back against the loss as they are; kept when merging would cost
// (score > 0, wins > 1/2), else merged back (its connections return to the budget). A layer
// grows to at most twice its starting width.
inline constexpr float kSplitShare = 0.6f;
inline constexpr int kMaxWidening = 2;

// One clone-and-split, and its judgement when it has had one.
struct Split {
  int layer = 0, unit = 0, clone = 0;
  double gain = 0;  // mean loss saved by keeping the twins apart (NaN until judged)
  bool judged = false, kept = false;
};

// One Warm region and what its probe measured.
struct Probe {
  int layer = 0, row = 0, col0 = 0, col1 = 0;  // unit `row`'s inputs [col0, col1)
  int tokens = 0;                              // its Cold entries: the connections a commit adds
  double snr = 0;
  double gain = 0, spread = 0, win_rate = 0, score = 0;  // the micro-rollout's; NaN when not finite
  bool committed = false;
};

// A layer's budget and counters (C_struct = used, capped by budget; C_active = |w| > 1e-3).
struct LayerBudget {
  std::size_t budget = 0, used = 0, active = 0, cooling = 0;
  double v = 0, gamma = 1;
};

struct CycleReport {
  std::vector<Probe> probes;
  std::vector<int> grown, pruned;  // connections, per layer
  std::vector<Split> splits;        // made this cycle, and last cycle's judged
  BudgetMove budget_move;           // CGPT's, when budget_moves is on
  std::vector<NascentEvent> nascent;  // nascent layers inserted, kept or removed this cycle
};

// The SNR of a region from per-entry sums over `batches` batches of its gradient (sum g and
// sum g^2): ||mean g|| / (sqrt(var g) + eps), var g the total variance of the region's gradient
// vector over the batches (the trace of its covariance, divided by the batch count).
double region_snr(std::span<const double> sum, std::span<const double> sum_sq, int batches, double eps = 1e-12);

// gamma = 1 / sqrt(max(0, 1 - v^2) + eps).
double barrier_gamma(double v, double eps);

class EvidencePlanner {
 public:
  // Fills x (inputs x batch) and labels with a fresh batch of training examples.
  using BatchSource = std::function<void(RowMat& x, std::vector<std::uint8_t>& labels)>;

  // Each layer's budget: its connections now times budget_scale (at most every possible weight).
  EvidencePlanner(const SparseChain& chain, const PlannerSettings& settings);

  // New settings take effect at the next cycle (budgets and Cooling are kept).
  void set_settings(const PlannerSettings& settings);

  // One cycle: judge the pending splits (when new ones are due), measure, probe, commit, cool,
  // and (every split_every cycles) split. Draws K + E + m batches.
  CycleReport cycle(SparseChain& chain, const BatchSource& draw);

  std::vector<LayerBudget> budgets(const SparseChain& chain) const;
  // The layer's Cooling connections, ascending keys.
  const std::vector<Key>& cooling(std::size_t layer) const { return cooling_[layer]; }
  // Taylor scores of a layer's connections as the planner ranks them (after a cycle's
  // measurement; aligned with the layer's values).
  std::vector<double> prune_scores(const CsrLayer& W, std::size_t layer) const;

  std::uint64_t bytes() const;
  // Whether layer l was inserted as a nascent layer (on trial, or judged and kept).
  bool nascent(std::size_t l) const { return l < nascent_.size() && nascent_[l]; }

  // Checkpoints (core/state_archive.hpp): what carries from cycle to cycle. Not in it: the
  // settings (the system's parameters, set again at restore), and what every cycle measures
  // afresh before reading it (gradient sums, demand, rollout and evaluation batches, baseline
  // losses).
  template <class Self, class A>
  static void state_io(Self& self, A& a) {
    a(self.budget_, self.start_budget_, self.bid_mean_, self.ask_mean_, self.quiet_, self.nascent_, self.spawned_,
      self.nascent_age_, self.cooling_, self.start_rows_, self.pending_, self.cycles_);
  }
  // After a checkpoint was read: CheckpointError unless every per-layer record has one entry
  // per layer of `chain` and each pending split is between two of its layers.
  void check_read(const SparseChain& chain) const;

 private:
  struct Batch {
    RowMat x;
    std::vector<std::uint8_t> labels;
  };
  // What a layer's cycle decided before anything is applied.
  struct Plan {
    std::vector<Probe> probes;
    std::vector<std::vector<float>> deltas;  // aligned with probes
    std::vector<Key> bottom;                 // the lowest Taylor scores now (the next Cooling)
    std::vector<Key> removable;              // Cooling confirmed, lowest first, rows kept alive
    double gamma = 1;                        // the layer's barrier when it was planned
    double ask = INFINITY;                   // CGPT: measured loss cost per connection of the cheapest region_width
  };

  void measure_gradients(SparseChain& chain, const BatchSource& draw);
  void draw_evaluation(SparseChain& chain, const BatchSource& draw);
  void measure_baseline(SparseChain& chain);
  void judge_splits(SparseChain& chain, CycleReport& report);
  void split_overloaded(SparseChain& chain, CycleReport& report);
  // Cooling keys follow a layer's renumbering: f maps (row, col) to the new (row, col), or
  // returns false when the connection is gone; cols is the layer's new input count.
  void renumber_cooling(std::size_t l, std::uint32_t old_cols, std::uint32_t new_cols,
                        const std::function<bool(std::uint32_t& row, std::uint32_t& col)>& f);
  std::vector<Probe> shortlist(const CsrLayer& W, int layer) const;
  void probe(SparseChain& chain, Probe& p, std::vector<float>& delta, double gamma);
  Plan plan_layer(SparseChain& chain, std::size_t l);
  void apply(CsrLayer& W, std::size_t l, Plan& plan, CycleReport& report);
  BudgetMove move_budget(const SparseChain& chain, const std::vector<Plan>& plans);
  // Nascent layers: judged at the start of a cycle (against its baseline losses), spawned at the end.
  void judge_nascent(SparseChain& chain, CycleReport& report);
  void spawn_nascent(SparseChain& chain, CycleReport& report);
  // Every per-layer record gets an entry for a layer inserted at `at`, or loses layer `at`'s.
  void insert_layer_state(std::size_t at, std::size_t budget);
  void erase_layer_state(std::size_t at);

  PlannerSettings s_;
  std::vector<std::size_t> budget_, start_budget_;
  std::vector<double> bid_mean_, ask_mean_;  // CGPT: each layer's running bid and ask
  std::vector<int> quiet_;          // cycles in a row at its budget without a commit
  std::vector<char> nascent_;       // inserted as a nascent layer
  std::vector<char> spawned_;       // has spawned its nascent layer (at most once)
  std::vector<int> nascent_age_;    // a nascent layer's cycles since insertion (-1: judged and kept)
  std::vector<std::vector<Key>> cooling_;
  std::vector<Eigen::MatrixXd> sum_, sum_sq_;  // per layer (rows x cols), over the m batches
  std::vector<Eigen::VectorXd> demand_;        // per hidden layer and unit: sum of ||dL/dz||^2
  std::vector<int> start_rows_;                // each layer's width when the planner started
  std::vector<Split> pending_;                 // splits waiting for their judgement
  int cycles_ = 0;
  std::vector<Batch> rollout_, eval_;
  Batch scratch_;
  std::vector<double> baseline_;  // the loss of each eval batch without any probe
};

}  // namespace obs::sparse
