#include "sparse/evidence_planner.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/state_archive.hpp"
#include "sparse/optimizer.hpp"
#include "sparse/structure_edits.hpp"

namespace obs::sparse {
namespace {

constexpr float kActiveEps = 1e-3f;  // C_active counts the connections with |w| above this

// Where (row, col) is stored in W, which must hold it.
std::size_t position(const CsrLayer& W, int row, std::uint32_t col) {
  const auto first = W.col.begin() + W.row_start[static_cast<std::size_t>(row)];
  const auto last = W.col.begin() + W.row_start[static_cast<std::size_t>(row) + 1];
  return static_cast<std::size_t>(std::lower_bound(first, last, col) - W.col.begin());
}

// The inputs in [c0, c1) that row r of W does not read (its Cold entries there), ascending.
std::vector<std::uint32_t> cold_columns(const CsrLayer& W, int r, int c0, int c1) {
  std::vector<std::uint32_t> cold;
  std::uint32_t k = W.row_start[static_cast<std::size_t>(r)];
  const std::uint32_t end = W.row_start[static_cast<std::size_t>(r) + 1];
  for (auto c = static_cast<std::uint32_t>(c0); c < static_cast<std::uint32_t>(c1); ++c) {
    while (k < end && W.col[k] < c) ++k;
    if (k < end && W.col[k] == c) continue;
    cold.push_back(c);
  }
  return cold;
}

// What a set of paired loss differences says: their mean, spread (sample), the share that are
// positive, and the score mean - risk * spread (NaN when any difference is).
struct Evidence {
  double gain = 0, spread = 0, win_rate = 0, score = 0;
};

Evidence evidence_of(const std::vector<double>& gains, double risk) {
  Evidence e;
  const double n = static_cast<double>(gains.size());
  e.gain = std::accumulate(gains.begin(), gains.end(), 0.0) / n;
  double ss = 0;
  int wins = 0;
  for (double g : gains) {
    ss += (g - e.gain) * (g - e.gain);
    wins += g > 0;
  }
  e.spread = gains.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  e.win_rate = wins / n;
  e.score = e.gain - risk * e.spread;
  return e;
}

}  // namespace

double region_snr(std::span<const double> sum, std::span<const double> sum_sq, int batches, double eps) {
  const double m = batches;
  double mean_sq = 0, variance = 0;
  for (std::size_t i = 0; i < sum.size(); ++i) {
    const double mean = sum[i] / m;
    mean_sq += mean * mean;
    variance += std::max(0.0, sum_sq[i] / m - mean * mean);  // rounding may leave it a hair below 0
  }
  return std::sqrt(mean_sq) / (std::sqrt(variance) + eps);
}

double barrier_gamma(double v, double eps) { return 1.0 / std::sqrt(std::max(0.0, 1.0 - v * v) + eps); }

EvidencePlanner::EvidencePlanner(const SparseChain& chain, const PlannerSettings& settings) {
  for (const CsrLayer& W : chain.layers()) {
    start_rows_.push_back(W.rows);
    const double all = static_cast<double>(W.rows) * static_cast<double>(W.cols);
    budget_.push_back(static_cast<std::size_t>(std::min(all, std::round(settings.budget_scale * static_cast<double>(W.connections())))));
  }
  start_budget_ = budget_;
  const std::size_t L = budget_.size();
  cooling_.resize(L);
  bid_mean_.assign(L, 0.0);
  ask_mean_.assign(L, 0.0);
  quiet_.assign(L, 0);
  nascent_.assign(L, 0);
  spawned_.assign(L, 0);
  nascent_age_.assign(L, 0);
  set_settings(settings);
}

void EvidencePlanner::set_settings(const PlannerSettings& settings) {
  s_ = settings;
  rollout_.resize(static_cast<std::size_t>(std::max(0, s_.rollout_steps)));
  eval_.resize(static_cast<std::size_t>(std::max(1, s_.rollout_batches)));
}

void EvidencePlanner::check_read(const SparseChain& chain) const {
  const std::size_t L = chain.layers().size();
  for (const std::size_t n : {budget_.size(), start_budget_.size(), bid_mean_.size(), ask_mean_.size(), quiet_.size(), nascent_.size(),
                              spawned_.size(), nascent_age_.size(), cooling_.size(), start_rows_.size()})
    if (n != L)
      throw CheckpointError("an evidence planner of " + std::to_string(n) + " layers for a chain of " + std::to_string(L));
  for (const Split& sp : pending_) {
    const bool inside = sp.layer >= 0 && static_cast<std::size_t>(sp.layer) + 1 < L;
    const int rows = inside ? chain.layers()[static_cast<std::size_t>(sp.layer)].rows : 0;
    if (!inside || sp.unit < 0 || sp.clone < 0 || sp.unit >= rows || sp.clone >= rows)
      throw CheckpointError("an evidence planner's pending split outside its chain");
  }
}

std::uint64_t EvidencePlanner::bytes() const {
  std::uint64_t b = 0;
  for (const auto& m : sum_) b += static_cast<std::uint64_t>(m.size()) * 16;
  for (const auto* batches : {&rollout_, &eval_})
    for (const Batch& x : *batches) b += static_cast<std::uint64_t>(x.x.size()) * 4;
  return b;
}

std::vector<LayerBudget> EvidencePlanner::budgets(const SparseChain& chain) const {
  std::vector<LayerBudget> out;
  for (std::size_t l = 0; l < budget_.size(); ++l) {
    const CsrLayer& W = chain.layers()[l];
    LayerBudget b;
    b.budget = budget_[l];
    b.used = W.connections();
    b.active = static_cast<std::size_t>(std::count_if(W.value.begin(), W.value.end(), [](float w) { return std::abs(w) > kActiveEps; }));
    b.cooling = cooling_[l].size();
    b.v = b.budget ? static_cast<double>(b.used) / static_cast<double>(b.budget) : 1.0;
    b.gamma = barrier_gamma(b.v, s_.barrier_eps);
    out.push_back(b);
  }
  return out;
}

void EvidencePlanner::measure_gradients(SparseChain& chain, const BatchSource& draw) {
  const std::size_t L = chain.layers().size();
  sum_.resize(L);
  sum_sq_.resize(L);
  demand_.resize(L);
  for (std::size_t l = 0; l < L; ++l) {  // the layers' shapes change with splits
    const CsrLayer& W = chain.layers()[l];
    sum_[l].setZero(W.rows, W.cols);
    sum_sq_[l].setZero(W.rows, W.cols);
    demand_[l].setZero(W.rows);
  }
  for (int b = 0; b < s_.snr_batches; ++b) {
    draw(scratch_.x, scratch_.labels);
    chain.gradients(scratch_.x, scratch_.labels);
    for (std::size_t l = 0; l < sum_.size(); ++l) {
      // Every entry's gradient, present or absent (the prospective gradient of a Cold entry is
      // what it would get if it were there at 0).
      const Eigen::MatrixXd g = dense_gradient(chain.layer_input(l), chain.layer_delta(l)).cast<double>();
      sum_[l] += g;
      sum_sq_[l].array() += g.array().square();
      demand_[l] += chain.layer_delta(l).rowwise().squaredNorm().cast<double>();
    }
  }
}

std::vector<double> EvidencePlanner::prune_scores(const CsrLayer& W, std::size_t layer) const {
  if (W.moment2.size() == W.value.size() && !W.value.empty()) return taylor_scores(W);
  std::vector<double> s(W.value.size());
  const double m = std::max(1, s_.snr_batches);
  for (int r = 0; r < W.rows; ++r)
    for (std::uint32_t k = W.row_start[static_cast<std::size_t>(r)]; k < W.row_start[static_cast<std::size_t>(r) + 1]; ++k) {
      const double w = W.value[k];
      s[k] = 0.5 * sum_sq_[layer](r, W.col[k]) / m * w * w;
    }
  return s;
}

std::vector<Probe> EvidencePlanner::shortlist(const CsrLayer& W, int layer) const {
  const int width = std::max(1, std::min(s_.region_width, W.cols));
  const Eigen::MatrixXd& S1 = sum_[static_cast<std::size_t>(layer)];
  const Eigen::MatrixXd& S2 = sum_sq_[static_cast<std::size_t>(layer)];
  std::vector<Probe> best_per_row;  // diversity: at most one region per unit
  std::vector<double> s1, s2;
  for (int r = 0; r < W.rows; ++r) {
    Probe best;
    best.snr = -1;
    for (int c0 = 0; c0 < W.cols; c0 += width) {
      const int c1 = std::min(W.cols, c0 + width);
      const std::vector<std::uint32_t> cold = cold_columns(W, r, c0, c1);
      if (cold.empty()) continue;
      s1.clear();
      s2.clear();
      for (std::uint32_t c : cold) {
        s1.push_back(S1(r, c));
        s2.push_back(S2(r, c));
      }
      const double snr = region_snr(s1, s2, s_.snr_batches);
      if (std::isfinite(snr) && snr >= s_.snr_gate && snr > best.snr) {
        best = {.layer = layer, .row = r, .col0 = c0, .col1 = c1, .tokens = static_cast<int>(cold.size()), .snr = snr};
      }
    }
    if (best.snr >= 0) best_per_row.push_back(best);
  }
  const auto n = std::min(best_per_row.size(), static_cast<std::size_t>(std::max(0, s_.probes)));
  std::partial_sort(best_per_row.begin(), best_per_row.begin() + static_cast<std::ptrdiff_t>(n), best_per_row.end(),
                    [](const Probe& a, const Probe& b) { return a.snr > b.snr || (a.snr == b.snr && a.row < b.row); });
  best_per_row.resize(n);
  return best_per_row;
}

void EvidencePlanner::probe(SparseChain& chain, Probe& p, std::vector<float>& delta, double gamma) {
  CsrLayer& W = chain.layers()[static_cast<std::size_t>(p.layer)];
  const CsrLayer saved = W;
  const std::vector<std::uint32_t> cold = cold_columns(W, p.row, p.col0, p.col1);
  std::vector<Key> keys;
  for (std::uint32_t c : cold) keys.push_back(static_cast<Key>(p.row) * static_cast<Key>(W.cols) + c);
  // The shadow Delta as connections at 0 (the toggle-mask probe; the same sums as the design's
  // concatenation of base and shadow entries): the network computes what it did before.
  insert_connections(W, keys);
  std::vector<std::size_t> at;
  for (std::uint32_t c : cold) at.push_back(position(W, p.row, c));
  delta.assign(cold.size(), 0.0f);
  const double step = s_.probe_lr / gamma;
  for (Batch& b : rollout_) {
    chain.gradients(b.x, b.labels);
    const std::vector<float>& g = chain.value_gradient(static_cast<std::size_t>(p.layer));
    double sq = 0;
    for (std::size_t i : at) sq += static_cast<double>(g[i]) * g[i];
    const double rms = std::sqrt(sq / static_cast<double>(at.size()));
    if (!(rms > 0) || !std::isfinite(rms)) continue;
    for (std::size_t i = 0; i < at.size(); ++i) {
      delta[i] -= static_cast<float>(step * g[at[i]] / rms);
      W.value[at[i]] = delta[i];
    }
  }
  std::vector<double> gains;
  for (std::size_t e = 0; e < eval_.size(); ++e) gains.push_back(baseline_[e] - chain.loss(eval_[e].x, eval_[e].labels));
  W = saved;
  const Evidence ev = evidence_of(gains, s_.risk);  // a score of NaN (a loss not finite) never commits
  p.gain = ev.gain;
  p.spread = ev.spread;
  p.win_rate = ev.win_rate;
  p.score = ev.score;
}

EvidencePlanner::Plan EvidencePlanner::plan_layer(SparseChain& chain, std::size_t l) {
  Plan plan;
  const CsrLayer& W = chain.layers()[l];
  const std::vector<double> score = prune_scores(W, l);
  const auto key_of = [&](int r, std::uint32_t k) { return static_cast<Key>(r) * static_cast<Key>(W.cols) + W.col[k]; };

  // The lowest Taylor scores, never a unit's only connection.
  std::vector<std::pair<double, Key>> ranked;
  for (int r = 0; r < W.rows; ++r) {
    const std::uint32_t first = W.row_start[static_cast<std::size_t>(r)], last = W.row_start[static_cast<std::size_t>(r) + 1];
    if (last - first < 2) continue;
    for (std::uint32_t k = first; k < last; ++k) ranked.emplace_back(std::isfinite(score[k]) ? score[k] : -1.0, key_of(r, k));
  }
  const std::size_t n = std::min(ranked.size(), static_cast<std::size_t>(s_.max_commits) * static_cast<std::size_t>(std::max(1, std::min(s_.region_width, W.cols))));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end());
  ranked.resize(n);
  // CGPT's ask: what giving up one region's worth of the cheapest connections costs, measured as
  // a probe's gain is (paired, on the same evaluation batches) so that bid and ask are one kind
  // of number: the loss with them at 0 against the loss as is, per connection.
  const std::size_t region = std::min(n, static_cast<std::size_t>(std::max(1, std::min(s_.region_width, W.cols))));
  if (s_.budget_moves && region > 0) {
    CsrLayer& Wm = chain.layers()[l];
    std::vector<std::pair<std::size_t, float>> saved;
    for (std::size_t i = 0; i < region; ++i) {
      const auto key = ranked[i].second;
      const std::size_t k = position(Wm, static_cast<int>(key / static_cast<Key>(Wm.cols)), static_cast<std::uint32_t>(key % static_cast<Key>(Wm.cols)));
      saved.emplace_back(k, Wm.value[k]);
      Wm.value[k] = 0.0f;
    }
    double cost = 0;
    for (std::size_t e = 0; e < eval_.size(); ++e) cost += chain.loss(eval_[e].x, eval_[e].labels) - baseline_[e];
    for (const auto& [k, v] : saved) Wm.value[k] = v;
    plan.ask = std::max(0.0, cost / static_cast<double>(eval_.size())) / static_cast<double>(region);
  }
  for (const auto& [s, key] : ranked) plan.bottom.push_back(key);
  std::sort(plan.bottom.begin(), plan.bottom.end());

  // Confirmed: Cooling at the last cycle and still among the lowest; in order of score, each
  // kept only while its unit keeps another connection.
  std::vector<std::uint32_t> left(static_cast<std::size_t>(W.rows));
  for (int r = 0; r < W.rows; ++r) left[static_cast<std::size_t>(r)] = W.row_start[static_cast<std::size_t>(r) + 1] - W.row_start[static_cast<std::size_t>(r)];
  for (const auto& [s, key] : ranked) {
    if (!std::binary_search(cooling_[l].begin(), cooling_[l].end(), key)) continue;
    std::uint32_t& row_left = left[static_cast<std::size_t>(key / static_cast<Key>(W.cols))];
    if (row_left < 2) continue;
    --row_left;
    plan.removable.push_back(key);
  }

  const std::size_t free = budget_[l] > W.connections() ? budget_[l] - W.connections() : 0;
  plan.gamma = barrier_gamma(budget_[l] ? static_cast<double>(W.connections()) / static_cast<double>(budget_[l]) : 1.0, s_.barrier_eps);
  if (free + plan.removable.size() == 0) return plan;  // no room this cycle: nothing to probe for
  plan.probes = shortlist(W, static_cast<int>(l));
  plan.deltas.resize(plan.probes.size());
  for (std::size_t i = 0; i < plan.probes.size(); ++i) probe(chain, plan.probes[i], plan.deltas[i], plan.gamma);
  return plan;
}

void EvidencePlanner::apply(CsrLayer& W, std::size_t l, Plan& plan, CycleReport& report) {
  const std::size_t free = budget_[l] > W.connections() ? budget_[l] - W.connections() : 0;
  // Over its budget (CGPT moved some away): the first confirmed Cooling connections go to make it fit.
  const std::size_t over = W.connections() > budget_[l] ? W.connections() - budget_[l] : 0;
  const std::size_t shed = std::min(over, plan.removable.size());
  std::size_t room = free + plan.removable.size() - shed;
  std::vector<std::size_t> order(plan.probes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto per_token = [&](std::size_t i) { return plan.probes[i].score / plan.probes[i].tokens; };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double pa = per_token(a), pb = per_token(b);
    return pa > pb || (pa == pb && plan.probes[a].row < plan.probes[b].row);
  });
  const int allowed = std::clamp(static_cast<int>(std::lround(s_.max_commits / plan.gamma)), 1, std::max(1, s_.max_commits));
  std::vector<std::pair<Key, float>> grow;
  int commits = 0;
  for (std::size_t i : order) {
    Probe& p = plan.probes[i];
    if (commits == allowed) break;
    if (!(p.score > 0) || !(p.win_rate > 0.5) || static_cast<std::size_t>(p.tokens) > room) continue;
    const std::vector<std::uint32_t> cold = cold_columns(W, p.row, p.col0, p.col1);
    for (std::size_t j = 0; j < cold.size(); ++j)
      grow.emplace_back(static_cast<Key>(p.row) * static_cast<Key>(W.cols) + cold[j], plan.deltas[i][j]);
    room -= cold.size();
    p.committed = true;
    ++commits;
  }

  // Cold: as many confirmed Cooling connections as the commits need beyond the free room.
  const std::size_t remove = shed + (grow.size() > free ? grow.size() - free : 0);
  std::vector<Key> removed(plan.removable.begin(), plan.removable.begin() + static_cast<std::ptrdiff_t>(remove));
  std::sort(removed.begin(), removed.end());
  if (remove) {
    std::vector<char> drop(W.connections(), 0);
    for (Key key : removed) drop[position(W, static_cast<int>(key / static_cast<Key>(W.cols)), static_cast<std::uint32_t>(key % static_cast<Key>(W.cols)))] = 1;
    remove_marked(W, drop);
  }
  if (!grow.empty()) {
    std::sort(grow.begin(), grow.end());
    std::vector<Key> keys;
    std::vector<float> values;
    for (const auto& [key, value] : grow) {
      keys.push_back(key);
      values.push_back(value);
    }
    insert_connections(W, keys, &values);
  }
  // The next Cooling: this cycle's lowest, less what just went Cold.
  cooling_[l].clear();
  std::set_difference(plan.bottom.begin(), plan.bottom.end(), removed.begin(), removed.end(), std::back_inserter(cooling_[l]));
  report.grown[l] = static_cast<int>(grow.size());
  report.pruned[l] = static_cast<int>(removed.size());
}

void EvidencePlanner::draw_evaluation(SparseChain& chain, const BatchSource& draw) {
  for (Batch& b : rollout_) draw(b.x, b.labels);
  for (Batch& b : eval_) draw(b.x, b.labels);
  measure_baseline(chain);
}

void EvidencePlanner::measure_baseline(SparseChain& chain) {
  baseline_.clear();
  for (Batch& b : eval_) baseline_.push_back(chain.loss(b.x, b.labels));
}

void EvidencePlanner::renumber_cooling(std::size_t l, std::uint32_t old_cols, std::uint32_t new_cols,
                                       const std::function<bool(std::uint32_t& row, std::uint32_t& col)>& f) {
  std::vector<Key> out;
  for (Key key : cooling_[l]) {
    auto row = static_cast<std::uint32_t>(key / old_cols), col = static_cast<std::uint32_t>(key % old_cols);
    if (f(row, col)) out.push_back(static_cast<Key>(row) * new_cols + col);
  }
  std::sort(out.begin(), out.end());
  cooling_[l] = std::move(out);
}

void EvidencePlanner::judge_splits(SparseChain& chain, CycleReport& report) {
  bool merged = false;
  for (Split& sp : pending_) {
    const auto l = static_cast<std::size_t>(sp.layer);
    // What merging the twins back would cost, paired on the evaluation batches.
    const CsrLayer in = chain.layers()[l], out = chain.layers()[l + 1];
    merge_units(chain, l, sp.unit, sp.clone);
    std::vector<double> gains;
    for (std::size_t e = 0; e < eval_.size(); ++e) gains.push_back(chain.loss(eval_[e].x, eval_[e].labels) - baseline_[e]);
    chain.layers()[l] = in;
    chain.layers()[l + 1] = out;
    chain.structure_changed();
    const Evidence ev = evidence_of(gains, s_.risk);
    sp.gain = ev.gain;
    sp.judged = true;
    sp.kept = ev.score > 0 && ev.win_rate > 0.5;
    if (!sp.kept) {
      const auto cols = static_cast<std::uint32_t>(chain.layers()[l + 1].cols);
      merge_units(chain, l, sp.unit, sp.clone);
      const auto drop = static_cast<std::uint32_t>(sp.clone);
      const auto in_cols = static_cast<std::uint32_t>(chain.layers()[l].cols);
      renumber_cooling(l, in_cols, in_cols, [drop](std::uint32_t& row, std::uint32_t&) {
        if (row == drop) return false;
        row -= row > drop;
        return true;
      });
      renumber_cooling(l + 1, cols, cols - 1, [drop](std::uint32_t&, std::uint32_t& col) {
        if (col == drop) return false;
        col -= col > drop;
        return true;
      });
      merged = true;
    }
    report.splits.push_back(sp);
  }
  pending_.clear();
  if (merged) measure_baseline(chain);  // the probes compare against the network as it now is
}

void EvidencePlanner::split_overloaded(SparseChain& chain, CycleReport& report) {
  for (std::size_t l = 0; l + 1 < chain.layers().size(); ++l) {
    const CsrLayer& in = chain.layers()[l];
    const CsrLayer& out = chain.layers()[l + 1];
    if (in.rows >= kMaxWidening * start_rows_[l] || demand_[l].size() != in.rows) continue;
    const auto room = [&](std::size_t k) { return budget_[k] > chain.layers()[k].connections() ? budget_[k] - chain.layers()[k].connections() : 0; };
    std::vector<std::size_t> fan_out(static_cast<std::size_t>(in.rows), 0);
    for (std::uint32_t c : out.col) ++fan_out[c];
    std::vector<int> order(static_cast<std::size_t>(in.rows));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return demand_[l](a) > demand_[l](b); });
    for (int j : order) {
      const std::size_t fan_in = in.row_start[static_cast<std::size_t>(j) + 1] - in.row_start[static_cast<std::size_t>(j)];
      const std::size_t outs = fan_out[static_cast<std::size_t>(j)];
      if (fan_in == 0 || outs == 0 || fan_in > room(l) || outs > room(l + 1)) continue;
      const auto cols = static_cast<std::uint32_t>(out.cols);
      Split sp;
      sp.layer = static_cast<int>(l);
      sp.unit = j;
      sp.clone = split_unit(chain, l, j, kSplitShare);
      sp.gain = std::nan("");
      renumber_cooling(l + 1, cols, cols + 1, [](std::uint32_t&, std::uint32_t&) { return true; });
      pending_.push_back(sp);
      report.splits.push_back(sp);
      break;
    }
  }
}

BudgetMove EvidencePlanner::move_budget(const SparseChain& chain, const std::vector<Plan>& plans) {
  // Each layer's bid: its best winning probe's gain per connection (0 when none won), and the
  // size of that region.
  std::vector<double> bid(plans.size(), 0.0);
  std::vector<int> tokens(plans.size(), 0);
  for (std::size_t l = 0; l < plans.size(); ++l)
    for (const Probe& p : plans[l].probes)
      if (p.score > 0 && p.win_rate > 0.5 && p.tokens > 0 && p.score / p.tokens > bid[l]) {
        bid[l] = p.score / p.tokens;
        tokens[l] = p.tokens;
      }
  // A single cycle's bids are noisy (a few probes on a few batches): what moves budget is their
  // running mean, and only past a margin, so budget does not churn back and forth.
  for (std::size_t l = 0; l < plans.size(); ++l) {
    bid_mean_[l] = kBidMemory * bid_mean_[l] + (1 - kBidMemory) * bid[l];
    ask_mean_[l] = kBidMemory * ask_mean_[l] + (1 - kBidMemory) * (std::isfinite(plans[l].ask) ? plans[l].ask : 0.0);
  }
  BudgetMove m;
  for (std::size_t l = 0; l < plans.size(); ++l)
    if (tokens[l] > 0 && bid_mean_[l] > m.bid) {
      m.bid = bid_mean_[l];
      m.to = static_cast<int>(l);
      m.tokens = tokens[l];
    }
  if (m.to < 0) return {};
  const auto to = static_cast<std::size_t>(m.to);
  const CsrLayer& R = chain.layers()[to];
  if (static_cast<double>(budget_[to] + static_cast<std::size_t>(m.tokens)) > static_cast<double>(R.rows) * R.cols) return {};
  // The giver: the layer whose tokens are worth least where they are, the larger of what its
  // cheapest connections cost (ask) and what its own best probe would gain with more (bid), among
  // those that can give that much and keep their floor.
  m.ask = INFINITY;
  for (std::size_t l = 0; l < plans.size(); ++l) {
    if (l == to) continue;
    const std::size_t floor = std::max(static_cast<std::size_t>(chain.layers()[l].rows), start_budget_[l] / 2);
    const double worth = std::max(ask_mean_[l], bid_mean_[l]);
    if (budget_[l] < floor + static_cast<std::size_t>(m.tokens) || !(worth < m.ask)) continue;
    m.ask = worth;
    m.from = static_cast<int>(l);
  }
  if (m.from < 0 || !(m.bid > kBidMargin * m.ask)) return {};
  budget_[static_cast<std::size_t>(m.from)] -= static_cast<std::size_t>(m.tokens);
  budget_[to] += static_cast<std::size_t>(m.tokens);
  return m;
}

void EvidencePlanner::insert_layer_state(std::size_t at, std::size_t budget) {
  const auto pos = [at](auto& v) { return v.begin() + static_cast<std::ptrdiff_t>(at); };
  budget_.insert(pos(budget_), budget);
  start_budget_.insert(pos(start_budget_), budget);
  cooling_.insert(pos(cooling_), std::vector<Key>{});
  start_rows_.insert(pos(start_rows_), start_rows_[at - 1]);
  bid_mean_.insert(pos(bid_mean_), 0.0);
  ask_mean_.insert(pos(ask_mean_), 0.0);
  quiet_.insert(pos(quiet_), 0);
  nascent_.insert(pos(nascent_), 0);
  spawned_.insert(pos(spawned_), 0);
  nascent_age_.insert(pos(nascent_age_), 0);
}

void EvidencePlanner::erase_layer_state(std::size_t at) {
  const auto pos = [at](auto& v) { return v.begin() + static_cast<std::ptrdiff_t>(at); };
  budget_.erase(pos(budget_));
  start_budget_.erase(pos(start_budget_));
  cooling_.erase(pos(cooling_));
  start_rows_.erase(pos(start_rows_));
  bid_mean_.erase(pos(bid_mean_));
  ask_mean_.erase(pos(ask_mean_));
  quiet_.erase(pos(quiet_));
  nascent_.erase(pos(nascent_));
  spawned_.erase(pos(spawned_));
  nascent_age_.erase(pos(nascent_age_));
}

void EvidencePlanner::judge_nascent(SparseChain& chain, CycleReport& report) {
  bool removed = false;
  for (std::size_t l = 0; l < nascent_.size(); ++l) {
    if (!nascent_[l] || nascent_age_[l] < s_.nascent_after) continue;
    if (chain.layers()[l].rows != chain.layers()[l].cols) {  // a split (switched on since) widened it: it can only stay
      nascent_age_[l] = -1;
      continue;
    }
    // What removing it would cost, paired on the evaluation batches (the baseline is with it).
    const CsrLayer saved = chain.layers()[l];
    remove_layer(chain, l);
    std::vector<double> gains;
    for (std::size_t e = 0; e < eval_.size(); ++e) gains.push_back(chain.loss(eval_[e].x, eval_[e].labels) - baseline_[e]);
    const Evidence ev = evidence_of(gains, s_.risk);
    if (ev.score > 0 && ev.win_rate > 0.5) {  // kept for good: put it back
      chain.layers().insert(chain.layers().begin() + static_cast<std::ptrdiff_t>(l), saved);
      chain.structure_changed();
      nascent_age_[l] = -1;
      report.nascent.push_back({static_cast<int>(l), NascentEvent::Kind::Kept, ev.gain, ev.spread, ev.win_rate});
    } else {  // consolidated: it stays removed
      erase_layer_state(l);
      report.nascent.push_back({static_cast<int>(l), NascentEvent::Kind::Removed, ev.gain, ev.spread, ev.win_rate});
      removed = true;
      --l;
    }
  }
  if (removed) measure_baseline(chain);  // the probes compare against the network as it now is
}

void EvidencePlanner::spawn_nascent(SparseChain& chain, CycleReport& report) {
  for (std::size_t l = 0; l < nascent_age_.size(); ++l)
    if (nascent_[l] && nascent_age_[l] >= 0) ++nascent_age_[l];
  if (s_.split_every > 0 || !pending_.empty()) return;
  for (std::size_t l = 0; l + 1 < chain.layers().size(); ++l) {
    if (nascent_[l] || spawned_[l] || quiet_[l] < s_.nascent_after) continue;
    insert_identity_layer(chain, l);
    const auto n = static_cast<std::size_t>(chain.layers()[l].rows);
    insert_layer_state(l + 1, std::min(n * n, n * static_cast<std::size_t>(kNascentBudget)));
    nascent_[l + 1] = 1;
    spawned_[l] = 1;
    report.nascent.push_back({static_cast<int>(l + 1), NascentEvent::Kind::Inserted});
    return;  // one a cycle
  }
}

CycleReport EvidencePlanner::cycle(SparseChain& chain, const BatchSource& draw) {
  // Splits are made every split_every cycles and judged when the next are due (the twins have
  // split_every cycles of training to part), or at once when splitting was switched off. The
  // judgement comes first, so that what is measured next sees this cycle's shape.
  const bool split_cycle = s_.split_every > 0 && (cycles_ + 1) % s_.split_every == 0;
  draw_evaluation(chain, draw);
  CycleReport report;
  if (split_cycle || s_.split_every == 0) judge_splits(chain, report);
  if (s_.nascent_after > 0) judge_nascent(chain, report);
  measure_gradients(chain, draw);
  // Every layer is probed against the same network, then every layer's decision applied.
  const std::size_t L = chain.layers().size();
  std::vector<Plan> plans;
  for (std::size_t l = 0; l < L; ++l) plans.push_back(plan_layer(chain, l));
  report.grown.assign(L, 0);
  report.pruned.assign(L, 0);
  for (std::size_t l = 0; l < L; ++l) {
    apply(chain.layers()[l], l, plans[l], report);
    report.probes.insert(report.probes.end(), plans[l].probes.begin(), plans[l].probes.end());
  }
  if (s_.budget_moves) report.budget_move = move_budget(chain, plans);
  // Quiet: at its budget and nothing committed this cycle (converged under its capacity).
  for (std::size_t l = 0; l < L; ++l) {
    bool committed = false;
    for (const Probe& p : plans[l].probes) committed |= p.committed;
    quiet_[l] = !committed && chain.layers()[l].connections() >= budget_[l] ? quiet_[l] + 1 : 0;
  }
  ++cycles_;
  if (split_cycle) split_overloaded(chain, report);
  if (s_.nascent_after > 0) spawn_nascent(chain, report);
  return report;
}

}  // namespace obs::sparse
