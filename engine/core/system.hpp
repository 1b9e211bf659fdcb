#pragma once
// The one interface every engine is reached through: the app, the CLI, scene files,
// tests and benchmarks all treat systems alike through it.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/param_set.hpp"

namespace obs {

// An immutable picture of what views and plots need, handed from the simulation
// thread to the render thread. Each system derives its own.
struct Snapshot {
  virtual ~Snapshot() = default;
  std::uint64_t step = 0;
};

enum class PerturbKind { Noise, Ablate, InjectNaN, InjectInf };
enum class AblateMode { Remove, Freeze };

struct Perturbation {
  PerturbKind kind = PerturbKind::Noise;
  double amplitude = 0.1;  // Noise: standard deviation of the kick, in the state's units
  double fraction = 0.1;   // Ablate / Inject: share of units hit (at least one)
  AblateMode mode = AblateMode::Remove;
};

std::string_view perturb_kind_name(PerturbKind k);

// Something that happened inside a step that a person should hear about
// (a NaN quarantined, a unit ablated). Drained by the runner into the UI log.
struct Event {
  enum class Level { Info, Warning, Error };
  Level level = Level::Info;
  std::uint64_t step = 0;
  std::string text;
};

class System {
 public:
  virtual ~System() = default;

  virtual std::string_view kind() const = 0;

  ParamSet& params() { return params_; }
  const ParamSet& params() const { return params_; }

  // Bytes the state needs for the current parameters, computed without allocating.
  // reset() refuses (InputError) when this exceeds memory_budget_bytes().
  virtual std::uint64_t bytes_needed() const = 0;

  // Deterministic: same parameters + seed => bit-identical state at every step.
  virtual void reset(std::uint64_t seed) = 0;
  // A non-restart parameter changed: re-read cached values. Never allocates state.
  virtual void params_changed() {}
  // One tick; no allocation in the steady state.
  virtual void step() = 0;

  virtual std::shared_ptr<const Snapshot> snapshot() const = 0;
  virtual const std::vector<std::string>& metric_names() const = 0;
  // Writes metric_names().size() values describing the current state.
  virtual void metrics(double* out) const = 0;

  virtual std::vector<PerturbKind> supported_perturbations() const = 0;
  virtual void perturb(const Perturbation& p) = 0;

  // The full state as JSON; includes "system", "step", "seed" and "params".
  virtual void dump(nlohmann::json& out) const = 0;
  virtual std::uint64_t state_hash() const = 0;

  std::uint64_t steps() const { return step_; }
  std::uint64_t seed() const { return seed_; }
  std::vector<Event> drain_events() { return std::exchange(events_, {}); }

 protected:
  // Throws InputError("/params", ...) when bytes_needed() is beyond the budget.
  void check_memory_budget() const;
  void emit(Event::Level level, std::string text) { events_.push_back({level, step_, std::move(text)}); }
  // Common JSON header for dump(): system, step, seed, params.
  void dump_header(nlohmann::json& out) const;

  ParamSet params_;
  std::uint64_t step_ = 0;
  std::uint64_t seed_ = 1;

 private:
  std::vector<Event> events_;
};

// Half of physical memory: the most any one system may ask for.
std::uint64_t memory_budget_bytes();

}  // namespace obs
