// One line per system: kind, one-line summary, factory.
#include "core/registry.hpp"

#include "cube/cube_system.hpp"
#include "eqprop/eqprop_system.hpp"
#include "kuramoto/kuramoto_system.hpp"
#include "pump/pump_system.hpp"
#include "resonance/resonance_system.hpp"

namespace obs {

const std::vector<SystemEntry>& system_registry() {
  static const std::vector<SystemEntry> entries = {
      {"kuramoto", "mean-field Kuramoto oscillators (phase wheel)", [] { return std::make_unique<KuramotoSystem>(); }},
      {"cube", "TorEqProp on an n^3 lattice, 26-neighbour coupling, lazy relaxation (3-D neural cube)", [] { return std::make_unique<CubeSystem>(); }},
      {"eqprop", "TorEqProp: Lipschitz-bounded equilibrium propagation on layered nets (R/G/B channel heatmaps)", [] { return std::make_unique<EqPropSystem>(); }},
      {"resonance", "resonant compression: oscillators coupled through carriers, with mitosis, metabolism and genesis (carrier phase wheels)", [] { return std::make_unique<ResonanceSystem>(); }},
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
