// The main view of each system kind: one line per system.
#include "views/carrier_wheel_view.hpp"
#include "views/eqprop_view.hpp"
#include "views/neural_cube_view.hpp"
#include "views/phase_wheel_view.hpp"
#include "views/sparse_mask_view.hpp"
#include "views/view.hpp"
#include "views/voxel_packet_view.hpp"

namespace obs {

std::unique_ptr<View> make_view(std::string_view kind) {
  if (kind == "kuramoto") return std::make_unique<PhaseWheelView>();
  if (kind == "pump") return std::make_unique<VoxelPacketView>();
  if (kind == "cube") return std::make_unique<NeuralCubeView>();
  if (kind == "eqprop") return std::make_unique<EqPropView>();
  if (kind == "resonance") return std::make_unique<CarrierWheelView>();
  if (kind == "sparse") return std::make_unique<SparseMaskView>();
  return nullptr;
}

}  // namespace obs
