// One line per system: kind, one-line summary, factory.
#include "core/registry.hpp"

#include "kuramoto/kuramoto_system.hpp"
#include "pump/pump_system.hpp"

namespace obs {

const std::vector<SystemEntry>& system_registry() {
  static const std::vector<SystemEntry> entries = {
      {"kuramoto", "mean-field Kuramoto oscillators (phase wheel)", [] { return std::make_unique<KuramotoSystem>(); }},
      {"pump", "torsional Markov pump, exact hyperbolic sparsemax on the 4x4x4 packet (voxel packet)", [] { return std::make_unique<PumpSystem>(); }},
  };
  return entries;
}

std::unique_ptr<System> make_system(const std::string& kind) {
  for (const auto& e : system_registry())
    if (e.kind == kind) return e.make();
  return nullptr;
}

}  // namespace obs
