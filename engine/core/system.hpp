#pragma once
// The one interface every engine is reached through: the app, the CLI, scene files,
// tests and benchmarks all treat systems alike through it.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/metric_table.hpp"
#include "core/param_binding.hpp"
#include "core/param_set.hpp"

namespace obs {

class StateWriter;
class StateReader;

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
// How many of n units a perturbation of `fraction` hits: the nearest count, at least one (a
// fraction too small to round to a unit still hits one) and at most n; 0 only when n is 0.
std::size_t units_hit(double fraction, std::size_t n);

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
  System() = default;
  // Not copy-constructible: parameter bindings and metric getters point into this object's own
  // fields, so a copy's would write and read the original's. clone() is the copy.
  System(const System&) = delete;
  virtual ~System() = default;

  // A deep copy of the running state: stepping the copy gives the same state hash at every
  // later step as stepping this one, and neither touches the other. Rewind and twins are made
  // of these. Costs about bytes_needed(); data sets are shared, never copied (they are const).
  virtual std::unique_ptr<System> clone() const = 0;
  // What one clone() takes: the state without what clones share.
  virtual std::uint64_t clone_bytes() const { return bytes_needed(); }

  virtual std::string_view kind() const = 0;

  ParamSet& params() { return params_; }
  const ParamSet& params() const { return params_; }

  // Bytes the state needs for the current parameters, computed without allocating.
  // reset() refuses (InputError) when this exceeds memory_budget_bytes().
  virtual std::uint64_t bytes_needed() const = 0;

  // Deterministic: same parameters + seed => bit-identical state at every step. Checks the
  // parameters (check_reset) before anything changes, then writes every bound field and
  // rebuilds the state (restart).
  void reset(std::uint64_t seed);
  // What reset() checks first, on the parameters as they are now: combinations (check_params)
  // and the memory budget. Throws InputError; changes nothing, so a refused restart can leave
  // the running state exactly as it was.
  void check_reset() const;
  // After an edit of parameters that are not `restart`: writes their bound fields, then lets
  // the engine redo what it derives from them (params_changed). Never allocates state.
  void apply_params();
  // One tick; no allocation in the steady state.
  virtual void step() = 0;

  virtual std::shared_ptr<const Snapshot> snapshot() const = 0;
  const std::vector<std::string>& metric_names() const { return metrics_.names(); }
  // Writes metric_names().size() values describing the current state.
  void metrics(double* out) const { metrics_.write(out); }
  const MetricTable& metric_table() const { return metrics_; }

  virtual std::vector<PerturbKind> supported_perturbations() const = 0;
  virtual void perturb(const Perturbation& p) = 0;

  // The full state as JSON; includes "system", "step", "seed" and "params".
  virtual void dump(nlohmann::json& out) const = 0;
  virtual std::uint64_t state_hash() const = 0;

  // What a checkpoint holds (core/checkpoint.hpp): the fields the future depends on, in a fixed
  // order. read_state reads into a system freshly reset with the writer's parameters and seed;
  // CheckpointError when the bytes do not fit. Each system lists its fields once, in a
  // state_io template (core/state_archive.hpp) that both call.
  virtual void write_state(StateWriter& out) const = 0;
  virtual void read_state(StateReader& in) = 0;
  // Restoring a checkpoint: its state, then the step it was taken at.
  void restore_state(StateReader& in, std::uint64_t step) {
    read_state(in);
    step_ = step;
  }

  std::uint64_t steps() const { return step_; }
  std::uint64_t seed() const { return seed_; }
  std::vector<Event> drain_events() { return std::exchange(events_, {}); }

 protected:
  // Declares a parameter bound to `field` (one line per parameter):
  //   param(K_, "K", 1.2, 0, 50).unit("rad/s").help("coupling strength").group("Coupling");
  // Reals bind to double or float fields, integers to any integral field, a Bool to bool, a
  // Choice to an enum (the choice's index is the enumerator) or to a std::string (its spelling).
  template <class F>
  Param& param(F& field, std::string name, double def, double min, double max) {
    Param& p = std::is_integral_v<F> ? params_.add_int(std::move(name), static_cast<std::int64_t>(def), static_cast<std::int64_t>(min), static_cast<std::int64_t>(max))
                                     : params_.add_real(std::move(name), def, min, max);
    bindings_.bind(params_.all().size() - 1, field);
    return p;
  }
  Param& param(bool& field, std::string name, bool def);
  template <class E>
    requires std::is_enum_v<E>
  Param& param(E& field, std::string name, E def, std::vector<std::string> choices) {
    Param& p = params_.add_choice(std::move(name), choices.at(static_cast<std::size_t>(def)), choices);
    bindings_.bind(params_.all().size() - 1, field);
    return p;
  }
  Param& param(std::string& field, std::string name, std::string def, std::vector<std::string> choices);
  Param& rational_param(std::string& field, std::string name, std::string def, double min, double max);

  // Refuses parameters that are each in range but wrong together (InputError naming the
  // pointer), before reset() changes anything. Reads the ParamSet: the fields still hold the
  // values the running state was built with.
  virtual void check_params() const {}
  // Rebuilds the state from the bound fields; seed_ is set and step_ is 0.
  virtual void restart() = 0;
  // A parameter that is not `restart` changed and its field was written: redo what is derived
  // from it. Never allocates state.
  virtual void params_changed() {}

  // Copies what the base holds of the state (parameter values, step, seed, pending events) and
  // keeps this object's own bindings and metric getters, which point into this object. With it,
  // a system's defaulted copy assignment copies its whole state into another instance of its
  // kind, which is what clone_of does.
  System& operator=(const System& other);
  template <class D>
  static std::unique_ptr<System> clone_of(const D& self) {
    auto copy = std::make_unique<D>();
    *copy = self;
    static_cast<System&>(*copy).copied();
    return copy;
  }
  // After a clone's fields were assigned: redo what points into the object and is declared from
  // the state's shape (metrics declared per layer at restart).
  virtual void copied() {}

  // Throws InputError("/params", ...) when bytes_needed() is beyond the budget.
  void check_memory_budget() const;
  void emit(Event::Level level, std::string text) { events_.push_back({level, step_, std::move(text)}); }
  // Common JSON header for dump(): system, step, seed, params.
  void dump_header(nlohmann::json& out) const;

  ParamSet params_;
  MetricTable metrics_;
  std::uint64_t step_ = 0;
  std::uint64_t seed_ = 1;

 private:
  ParamBindings bindings_;
  std::vector<Event> events_;
};

// Half of physical memory: the most any one system may ask for.
std::uint64_t memory_budget_bytes();

}  // namespace obs
