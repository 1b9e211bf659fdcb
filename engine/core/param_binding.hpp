#pragma once
// The link from a declared parameter to the engine field that holds its value, so an engine
// never reads its own parameters back by name (MuJoCo's simulate binds a UI item to
// `&opt->timestep` the same way). The bindings live in the System, not in the ParamSet: the
// App's copy of a ParamSet stays plain data with no pointers into an engine.
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/param_set.hpp"

namespace obs {

class ParamBindings {
 public:
  // Each writes the Param's current value into the field, converted to the field's type.
  void bind(std::size_t index, double& f) { add(index, [&f](const Param& p) { f = p.value; }); }
  void bind(std::size_t index, float& f) { add(index, [&f](const Param& p) { f = static_cast<float>(p.value); }); }
  void bind(std::size_t index, bool& f) { add(index, [&f](const Param& p) { f = p.value != 0; }); }
  template <std::integral T>
  void bind(std::size_t index, T& f) { add(index, [&f](const Param& p) { f = static_cast<T>(p.value); }); }
  // An enum field: the Choice's index is the enumerator's value.
  template <class E>
    requires std::is_enum_v<E>
  void bind(std::size_t index, E& f) { add(index, [&f](const Param& p) { f = static_cast<E>(static_cast<int>(p.value)); }); }
  // A string field: the Choice's spelled value, or a Rational's exact text.
  void bind(std::size_t index, std::string& f) {
    add(index, [&f](const Param& p) { f = p.type == ParamType::Rational ? p.text : p.choices.at(static_cast<std::size_t>(p.value)); });
  }

  // Writes every bound field from `params`. A restart parameter sizes the state, so its field
  // changes only when the state is rebuilt (`with_restart`), never between two steps.
  void apply(const ParamSet& params, bool with_restart) const {
    const auto& all = params.all();
    for (const Binding& b : bindings_)
      if (with_restart || !all[b.index].restart_) b.write(all[b.index]);
  }

 private:
  struct Binding {
    std::size_t index;
    std::function<void(const Param&)> write;
  };
  void add(std::size_t index, std::function<void(const Param&)> write) { bindings_.push_back({index, std::move(write)}); }
  std::vector<Binding> bindings_;
};

}  // namespace obs
