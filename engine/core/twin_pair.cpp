#include "core/twin_pair.hpp"

#include <nlohmann/json.hpp>

#include "core/state_archive.hpp"
#include "core/state_hash.hpp"

namespace obs {

TwinPair::TwinPair(std::unique_ptr<System> a, std::unique_ptr<System> b) : a_(std::move(a)), b_(std::move(b)) {
  step_ = a_->steps();
  adopt_sides();
}

std::unique_ptr<TwinPair> TwinPair::fork(std::unique_ptr<System> a) {
  auto b = a->clone();
  return std::make_unique<TwinPair>(std::move(a), std::move(b));
}

std::unique_ptr<System> TwinPair::take(Side side) && { return side == Side::B ? std::move(b_) : std::move(a_); }

void TwinPair::edit(Side target, const std::function<void(System&)>& fn) {
  // What fn changed is taken up even when it throws: a refused restart on B has already put
  // B's parameters back, and its events say why.
  struct Adopt {
    TwinPair& pair;
    ~Adopt() { pair.adopt_sides(); }
  } adopt{*this};
  if (target != Side::B) fn(*a_);
  if (target != Side::A) fn(*b_);
}

std::unique_ptr<System> TwinPair::clone() const {
  auto copy = std::make_unique<TwinPair>(a_->clone(), b_->clone());
  copy->step_ = step_;
  return copy;
}

void TwinPair::step() {
  a_->step();
  b_->step();
  ++step_;
  adopt_sides();
}

std::shared_ptr<const Snapshot> TwinPair::snapshot() const {
  auto s = std::make_shared<TwinSnapshot>();
  s->step = step_;
  s->a = a_->snapshot();
  s->b = b_->snapshot();
  return s;
}

void TwinPair::perturb(const Perturbation& p) {
  edit(Side::Both, [&](System& s) { s.perturb(p); });
}

void TwinPair::dump(nlohmann::json& out) const {
  dump_header(out);
  a_->dump(out["a"]);
  b_->dump(out["b"]);
}

std::uint64_t TwinPair::state_hash() const {
  StateHash h;
  h.value(a_->state_hash());
  h.value(b_->state_hash());
  h.value(step_);
  return h.digest();
}

void TwinPair::write_state(StateWriter&) const {
  throw CheckpointError("a twin pair is saved one side at a time: keep A or B, or save A's state");
}

void TwinPair::read_state(StateReader&) {
  throw CheckpointError("a state file holds one system, not a twin pair");
}

void TwinPair::restart() {
  a_->reset(seed_);
  b_->reset(seed_);
  adopt_sides();
}

void TwinPair::adopt_sides() {
  params_ = a_->params();
  seed_ = a_->seed();
  for (System* side : {a_.get(), b_.get()})
    for (Event& e : side->drain_events()) emit(e.level, (side == a_.get() ? "A: " : "B: ") + e.text);
  if (a_->metric_names() != a_names_ || b_->metric_names() != b_names_) declare_metrics();
}

void TwinPair::declare_metrics() {
  a_names_ = a_->metric_names();
  b_names_ = b_->metric_names();
  a_row_.assign(a_names_.size(), 0.0);
  b_row_.assign(b_names_.size(), 0.0);
  metrics_ = MetricTable();
  metrics_.before_read([this] {
    a_->metrics(a_row_.data());
    b_->metrics(b_row_.data());
  });
  auto declare = [&](const char* prefix, const System& side, std::vector<double>& row) {
    const MetricTable& t = side.metric_table();
    for (std::size_t i = 0; i < t.size(); ++i)
      metrics_.add(prefix + t.names()[i], t.unit(i), [&row, i] { return row[i]; },
                   t.may_be_unmeasured(i) ? MetricTable::Unmeasured::Nan : MetricTable::Unmeasured::Never, t.resolutions()[i]);
  };
  declare("a_", *a_, a_row_);
  declare("b_", *b_, b_row_);
}

const System& side_of(const System& s, TwinPair::Side side) {
  const auto* pair = dynamic_cast<const TwinPair*>(&s);
  if (!pair) return s;
  return side == TwinPair::Side::B ? pair->b() : pair->a();
}

void for_each_side(System& s, TwinPair::Side target, const std::function<void(System&)>& fn) {
  if (auto* pair = dynamic_cast<TwinPair*>(&s)) pair->edit(target, fn);
  else fn(s);
}

}  // namespace obs
